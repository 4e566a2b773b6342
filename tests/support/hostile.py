"""Builders of hostile import files, made at test time (nothing big is committed), and a way
to run ``dashkit`` in a child process with its peak memory and a wall-clock limit.

Everything here is deterministic: fixed seeds, fixed zip times. The zip bomb is written by
hand (local headers, central directory) from a deflate stream that is one compressed block
repeated, so a workbook that inflates to gigabytes costs a few megabytes and milliseconds.
"""

from __future__ import annotations

import importlib.util
import io
import os
import random
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DASHKIT = str(Path(sys.executable).parent / "dashkit")
_GENERATOR = Path(__file__).resolve().parent.parent / "fixtures" / "make_import_fixtures.py"


def _fixture_writers() -> Any:
    """The corpus generator (a standalone script), whose CSV and Windows-1258 writers the
    hostile files share rather than copy."""
    spec = importlib.util.spec_from_file_location("make_import_fixtures", _GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_writers = _fixture_writers()
csv_text = _writers.csv_text
cp1258_bytes = _writers.cp1258_bytes
ZIP_TIME = (2019, 1, 1, 0, 0, 0)
PARTICIPATION_HEADER = ["Năm", "Mã đơn vị", "Đối tượng", "Tổng số", "Đã học tập", "Chuyên đề"]
UNITS_HEADER = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"]
EVENTS_HEADER = ["Ngày", "Mã đơn vị", "Hình thức", "Nội dung", "Số người tham dự"]
TOPIC = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"


# -- text files ------------------------------------------------------------------------------


def random_bytes(count: int, seed: int, *, without: bytes = b"") -> bytes:
    generator = random.Random(seed)
    out = bytearray()
    while len(out) < count:
        byte = generator.randrange(256)
        if byte not in without:
            out.append(byte)
    return bytes(out)


# -- workbooks -------------------------------------------------------------------------------


def xlsx_bytes(rows: Sequence[Sequence[object]], *, title: str = "Sheet1") -> bytes:
    """A real workbook (openpyxl) with ``rows`` on its only sheet, with fixed zip times."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return rezip(buffer.getvalue())


def rezip(
    data: bytes,
    *,
    drop: frozenset[str] = frozenset(),
    replace: dict[str, bytes] | None = None,
) -> bytes:
    """The zip ``data`` with entries dropped or replaced, written with fixed times."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            content = (replace or {}).get(info.filename, source.read(info.filename))
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in entries.items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return buffer.getvalue()


def _cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet_prefix(header: Sequence[str], dimension: str) -> bytes:
    letters = "ABCDEFGHIJ"
    cells = "".join(_cell(f"{letters[i]}1", name) for i, name in enumerate(header))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData><row r="1">{cells}</row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    ).encode()


_SHEET_SUFFIX = b"</t></is></c></row></sheetData></worksheet>"


@dataclass(frozen=True)
class Bomb:
    data: bytes
    inflated: int  # the sheet's real size once inflated


def zip_bomb(inflated_mib: int, *, declared_bytes: int | None = None) -> Bomb:
    """A workbook (from ``xlsx_bytes``) whose first sheet inflates to ``inflated_mib`` MiB: the
    header row, then one inline-string cell of 'A's. The zip says how large the sheet is, or
    lies that it is ``declared_bytes`` (a reader that trusts the lie inflates gigabytes).

    The deflate stream is the prefix, then the same compressed 1 MiB block of 'A's (a full
    flush resets the compressor, so every block compresses to the same bytes) repeated, then
    the suffix: cheap to build, about 1 KiB on disk per MiB inflated.
    """
    base = xlsx_bytes([PARTICIPATION_HEADER])
    prefix = _sheet_prefix(PARTICIPATION_HEADER, "A1:F2")
    block = b"A" * (1 << 20)
    filler = inflated_mib - 1
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(_SHEET_SUFFIX) + compressor.flush(zlib.Z_FINISH)
    stream = head + body * filler + tail
    size = len(prefix) + filler * len(block) + len(_SHEET_SUFFIX)
    crc = zlib.crc32(prefix)
    block_crc_state = crc
    for _ in range(filler):
        block_crc_state = zlib.crc32(block, block_crc_state)
    crc = zlib.crc32(_SHEET_SUFFIX, block_crc_state)
    assert size < 0xFFFF_FFFF, "kept below the zip64 limit"
    source = zipfile.ZipFile(io.BytesIO(base))
    entries: list[tuple[str, bytes, int, int, int]] = []  # name, stored, method, crc, size
    for info in source.infolist():
        if info.filename == "xl/worksheets/sheet1.xml":
            declared = size if declared_bytes is None else declared_bytes
            entries.append((info.filename, stream, 8, crc, declared))
        else:
            content = source.read(info.filename)
            raw = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = raw.compress(content) + raw.flush()
            entries.append((info.filename, packed, 8, zlib.crc32(content), len(content)))
    return Bomb(_raw_zip(entries), size)


def _raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written field by field (so that sizes may lie): local headers, central directory."""
    dos_time = (0 << 11) | (0 << 5) | 0
    dos_date = ((2019 - 1980) << 9) | (1 << 5) | 1
    out = io.BytesIO()
    central = io.BytesIO()
    for name, stored, method, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0,
                method,
                dos_time,
                dos_date,
                crc,
                len(stored),
                size,
                len(encoded),
                0,
            )
        )
        out.write(encoded)
        out.write(stored)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                dos_time,
                dos_date,
                crc,
                len(stored),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0o600 << 16,
                offset,
            )
        )
        central.write(encoded)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0
        )
    )
    return out.getvalue()


# -- running dashkit in a child process, measured ----------------------------------------------


@dataclass(frozen=True)
class Measured:
    returncode: int | None  # None: killed (time or memory)
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mib: float
    killed_for: str | None = None  # "time" | "memory"


def run_measured(
    args: Sequence[str | os.PathLike[str]],
    *,
    timeout: float,
    kill_above_mib: float = 3072,
    workdir: Path,
    env: dict[str, str] | None = None,
) -> Measured:
    """Run ``dashkit *args``; its peak resident memory from ``wait4`` (this child only, unlike
    RUSAGE_CHILDREN), killed when it runs past ``timeout`` or grows past ``kill_above_mib``
    (so a product that blows up fails the test instead of the machine)."""
    out_path, err_path = workdir / "child.out", workdir / "child.err"
    base_env = {key: value for key, value in os.environ.items() if key != "DASHKIT_LANG"}
    started = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [DASHKIT, *map(str, args)],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env={**base_env, **(env or {})},
            start_new_session=True,
        )
    killed_for: str | None = None
    seen_rss = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        seen_rss = max(seen_rss, _rss_mib(process.pid))
        if killed_for is None:
            if time.monotonic() - started > timeout:
                killed_for = "time"
            elif seen_rss > kill_above_mib:
                killed_for = "memory"
            if killed_for is not None:
                os.killpg(process.pid, signal.SIGKILL)
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    return Measured(
        returncode=None if killed_for else process.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
        seconds=seconds,
        peak_rss_mib=max(seen_rss, usage.ru_maxrss / 1024),
        killed_for=killed_for,
    )


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:  # noqa: PTH123
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0
