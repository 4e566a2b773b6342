"""Real writers, readers and disks for the concurrency and crash tests.

Everything here drives the product as people do: ``dashkit import`` in its own process, files
on a real disk, the store read back through ``Store`` exactly as the dashboard reads it. The
helpers only start processes, write input files, look at the data directory and make disks
full or read-only for real (a small tmpfs, a read-only bind mount, ``chattr +i``).

``python -m tests.support.writers reader ROOT SPECS STOP READY`` is the reader process of
the concurrency tests: it loops over snapshots until ``STOP`` exists and prints a JSON report
of every invariant it saw broken.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

import dashkit
from dashkit.ingest import InputFile, commit_import, plan_import
from dashkit.schema import TABLES
from dashkit.store import Store, history
from tests.support.stores import store_state, table_heads

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOT = Path(dashkit.__file__).resolve().parents[1]
DASHKIT = Path(sys.executable).parent / "dashkit"
PARTICIPATION_HEADER = ("Năm", "Mã đơn vị", "Đối tượng", "Tổng số", "Đã học tập")
AUDIENCE_WORDS = {"party_member": "Đảng viên", "worker": "Người lao động"}
# What a data directory holds between writers: anything else is a leftover.

# Waits a writer out at a start line, then becomes ``dashkit import``: every writer starts its
# work at the same moment (the test creates the go file once all are ready).
BARRIER = r"""
import os, sys, time
from pathlib import Path
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.write_text("ready")
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no go signal")
    time.sleep(0.001)
os.execv(sys.argv[3], sys.argv[3:])
"""


def child_env(tmpdir: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a helper process: this checkout's code, English, its own TMPDIR."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(SOURCE_ROOT), str(REPO_ROOT), env.get("PYTHONPATH")])
    )
    env.pop("DASHKIT_DATA_DIR", None)
    env["DASHKIT_LANG"] = "en"
    if tmpdir is not None:
        tmpdir.mkdir(parents=True, exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    env.update(extra)
    return env


def dashkit_command(*args: str | Path) -> list[str]:
    return [str(DASHKIT), *(str(arg) for arg in args)]


def run_dashkit(
    *args: str | Path, timeout: float = 120.0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        dashkit_command(*args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or child_env(),
        check=False,
    )


def import_json(root: Path, *files: Path, timeout: float = 120.0) -> dict[str, Any]:
    """``dashkit import --json``; fails with the process's output unless it committed."""
    done = run_dashkit("import", "--data-dir", root, "--json", *files, timeout=timeout)
    assert done.returncode == 0, f"import of {files} failed:\n{done.stdout}\n{done.stderr}"
    payload: dict[str, Any] = json.loads(done.stdout)
    assert payload["ok"], payload
    return payload


def seed(root: Path, *files: Path) -> str:
    """Import ``files`` in this process (the import the CLI runs, without a process start):
    the data a test starts from. Returns the import id."""
    store = Store(root)
    inputs = [InputFile(path.name, path) for path in files]
    with plan_import(store, inputs) as plan:
        assert plan.ok, [issue for file in plan.files for issue in file.issues][:5]
        result = commit_import(store, plan)
    assert result.commit_id is not None
    return result.commit_id


# -- input files ---------------------------------------------------------------------------


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def unit_ids(first: int, last: int, width: int = 2) -> list[str]:
    return [f"U{number:0{width}d}" for number in range(first, last + 1)]


def units_csv(path: Path, ids: Sequence[str]) -> Path:
    return write_csv(path, ("Mã đơn vị", "Tên đơn vị"), [(u, f"Đơn vị {u}") for u in ids])


@dataclass(frozen=True)
class ParticipationFile:
    """One participation file: the same audience, eligible and completed for every unit."""

    path: Path
    year: int
    audience: str
    units: tuple[str, ...]
    eligible: int
    completed: int
    topic: str | None = None

    def write(self) -> ParticipationFile:
        header = PARTICIPATION_HEADER + (("Chuyên đề",) if self.topic is not None else ())
        word = AUDIENCE_WORDS[self.audience]
        write_csv(
            self.path,
            header,
            [
                (self.year, unit, word, self.eligible, self.completed)
                + ((self.topic,) if self.topic is not None else ())
                for unit in self.units
            ],
        )
        return self

    @property
    def rows(self) -> set[tuple[Any, ...]]:
        """The stored rows (year, unit_id, audience, eligible, completed) it stands for."""
        return {(self.year, u, self.audience, self.eligible, self.completed) for u in self.units}

    @property
    def where(self) -> str:
        units = ", ".join(f"'{u}'" for u in self.units)
        return f"year = {self.year} AND audience = '{self.audience}' AND unit_id IN ({units})"


def big_participation_csv(path: Path, units: int, first_year: int, last_year: int) -> int:
    """A participation CSV of units × years × 2 audiences rows as offices write it
    (Vietnamese headers and audience words, thousands with dots); returns its row count."""
    connection = duckdb.connect(":memory:")
    try:
        connection.execute(
            f"""COPY (
                SELECT y AS "Năm", 'U' || lpad(i::VARCHAR, 4, '0') AS "Mã đơn vị", a AS "Đối tượng",
                       replace(format('{{:,}}', 20 + (i * 7 + y) % 2000), ',', '.') AS "Tổng số",
                       ((20 + (i * 7 + y) % 2000) * 9 // 10) AS "Đã học tập"
                FROM range(1, {units} + 1) AS t(i), range({first_year}, {last_year} + 1) AS ys(y),
                     (VALUES ('Đảng viên'), ('Người lao động')) AS aud(a)
                ORDER BY 1, 2, 3
            ) TO '{path}' (HEADER, DELIMITER ',')"""
        ).fetchall()
    finally:
        connection.close()
    return units * (last_year - first_year + 1) * 2


# -- the data directory as the product reads it ----------------------------------------------


def fingerprint(root: Path) -> dict[str, tuple[int, int]]:
    """Per table: (rows, an order-independent hash of every row) of the current version."""
    snapshot = Store(root).snapshot()
    result: dict[str, tuple[int, int]] = {}
    for name, table in TABLES.items():
        columns = ", ".join(table.column_names)
        count, digest = snapshot.rows(
            f"SELECT count(*), coalesce(sum(hash({columns})::HUGEINT), 0) FROM {name}"
        )[0]
        result[name] = (int(count), int(digest))
    return result


def history_ids(root: Path) -> list[str]:
    return [entry.commit_id for entry in history(Store(root))]


def participation_rows(root: Path, where: str = "true") -> set[tuple[Any, ...]]:
    snapshot = Store(root).snapshot()
    return set(
        snapshot.rows(
            f"SELECT year, unit_id, audience, eligible, completed FROM participation WHERE {where}"
        )
    )


def leftovers(root: Path) -> list[str]:
    """What a writer that failed or died left for the next one: its staging folder, and any
    table whose current snapshot is not the one the newest version pins."""
    store = Store(root)
    staging = root / ".staging"
    found = [f".staging/{p.name}" for p in staging.iterdir()] if staging.is_dir() else []
    pins = store.manifest(store.version()).snapshots if store.version() else {}
    found += [
        f"table {name} is not at its pinned snapshot"
        for name, head in table_heads(store).items()
        if head != pins.get(name)
    ]
    return sorted(found)


def directory_state(root: Path) -> dict[str, Any]:
    """What a refused write must leave as it was: the version, the history, each table's
    snapshot and every file under the data directory."""
    return store_state(Store(root))


# -- processes -----------------------------------------------------------------------------


def wait_until(
    condition: Any, what: str, processes: Sequence[subprocess.Popen[Any]], timeout: float = 60.0
) -> None:
    """Poll ``condition()`` every millisecond; fail if a process exits or time runs out first."""
    deadline = time.monotonic() + timeout
    while not condition():
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(
                    f"waiting for {what}: a process exited first ({process.returncode})"
                    f"{_output(process)}"
                )
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.001)


def _output(process: subprocess.Popen[Any]) -> str:
    try:
        out, err = process.communicate(timeout=5)
    except (ValueError, subprocess.TimeoutExpired):
        return ""
    return f"\nstdout: {out}\nstderr: {err}"


def stop(processes: Iterable[subprocess.Popen[Any]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


def run_at_once(commands: Sequence[Sequence[str]], workdir: Path) -> list[Finished]:
    """Start every command as its own process, held at a start line until all are up, then
    released together; return each one's exit code and output (in the order given)."""
    go = workdir / "go"
    processes: list[subprocess.Popen[str]] = []
    try:
        for number, command in enumerate(commands):
            ready = workdir / f"ready-{number}"
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-c", BARRIER, str(ready), str(go), *command],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=child_env(workdir / f"tmp-{number}"),
                )
            )
        for number in range(len(commands)):
            ready = workdir / f"ready-{number}"
            wait_until(ready.exists, f"writer {number} at the start line", processes)
        go.touch()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            results.append(Finished(process.returncode, out, err))
        return results
    finally:
        stop(processes)


@dataclass(frozen=True)
class ReaderSpec:
    """An invariant of every committed state: the rows ``where`` selects number 0 or ``rows``,
    and (with ``uniform``) hold a single value of that column."""

    table: str
    where: str
    rows: int
    uniform: str | None = None


@contextmanager
def reader_process(root: Path, specs: Sequence[ReaderSpec], workdir: Path) -> Iterator[Any]:
    """A reader looping over snapshots of ``root`` for as long as the block runs; yields a
    callable returning its report (call it after the block)."""
    workdir.mkdir(parents=True, exist_ok=True)
    spec_file = workdir / "reader-specs.json"
    spec_file.write_text(json.dumps([spec.__dict__ for spec in specs]))
    stop_file, ready = workdir / "reader-stop", workdir / "reader-ready"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.writers",
            "reader",
            str(root),
            str(spec_file),
            str(stop_file),
            str(ready),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        cwd=REPO_ROOT,
    )
    report: dict[str, Any] = {}
    try:
        wait_until(ready.exists, "the reader to start", [process])
        yield lambda: report
        stop_file.touch()
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, f"the reader failed:\n{out}\n{err}"
        report.update(json.loads(out))
    finally:
        stop([process])


def _reader(root: Path, specs: list[dict[str, Any]], stop_file: Path, ready: Path) -> None:
    violations: list[str] = []
    versions: set[int] = set()
    snapshots = 0
    last = 0
    ready.write_text("ready")
    final_round = False
    while True:
        if stop_file.exists():
            final_round = True
        store = Store(root)
        try:
            snapshot = store.snapshot()
        except Exception as error:  # a reader must always get a snapshot
            violations.append(f"snapshot failed: {error!r}")
            continue
        version = snapshot.version
        if version < last:
            violations.append(f"version went back from {last} to {version}")
        last = version
        versions.add(version)
        try:
            if version > 0:
                manifest = store.manifest(version)
                for name, counts in manifest.tables.items():
                    actual = snapshot.scalar(f"SELECT count(*) FROM {name}")
                    if actual != counts.rows:
                        violations.append(
                            f"v{version}: {name} has {actual} rows, its manifest says {counts.rows}"
                        )
            for spec in specs:
                distinct = f"count(DISTINCT {spec['uniform']})" if spec["uniform"] else "0"
                count, values = snapshot.rows(
                    f"SELECT count(*), {distinct} FROM {spec['table']} WHERE {spec['where']}"
                )[0]
                if count not in (0, spec["rows"]):
                    violations.append(
                        f"v{version}: {count} of {spec['rows']} rows where {spec['where'][:80]}"
                    )
                if values > 1:
                    violations.append(
                        f"v{version}: {values} values of {spec['uniform']} where {spec['where'][:80]}"
                    )
        except Exception as error:  # reading a committed version must never fail
            violations.append(f"v{version}: reading failed: {error!r}")
        snapshots += 1
        if final_round:
            break
        time.sleep(0.02)  # leave the writers most of the cores
    print(
        json.dumps(
            {"violations": violations[:50], "versions": sorted(versions), "snapshots": snapshots}
        )
    )


# -- strace: a window at an exact syscall, so that the test can kill the writer inside it ----

STRACE = Path("/usr/bin/strace")


def strace_paused(command: Sequence[str], syscall: str, when: int, *, after: bool) -> list[str]:
    """``command`` under strace, paused for 60 s just before (or just after) its ``when``-th
    ``syscall``: the test kills it with SIGKILL inside that pause."""
    delay = "delay_exit" if after else "delay_enter"
    return [
        str(STRACE),
        "-f",
        "-qq",
        "-o",
        "/dev/null",
        "--seccomp-bpf",
        "-e",
        f"trace={syscall}",
        "-e",
        f"inject={syscall}:{delay}=60000000:when={when}",
        *command,
    ]


def traced_child(tracer: subprocess.Popen[Any], timeout: float = 30.0) -> int:
    """The pid of the process strace runs (strace forks before it executes the command, so
    the child is the one whose command line is no longer strace's)."""
    children = Path(f"/proc/{tracer.pid}/task/{tracer.pid}/children")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and tracer.poll() is None:
        for pid in children.read_text().split() if children.exists() else []:
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv and argv[0] and Path(argv[0].decode()).name != STRACE.name:
                return int(pid)
        time.sleep(0.001)
    raise AssertionError(f"strace started no process{_output(tracer)}")


def kill9(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


# -- real disks: a small tmpfs, a read-only bind mount, an immutable directory ---------------


def _system(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(
            f"`{' '.join(command)}` failed ({done.returncode}): {done.stderr.strip()}. These tests "
            "need root with CAP_SYS_ADMIN (mount) and an ext4-like disk (chattr); they do not skip."
        )


@contextmanager
def small_tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    """A real filesystem of ``size`` bytes at ``mountpoint``: writing more gives ENOSPC."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    _system("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mountpoint))
    try:
        yield mountpoint
    finally:
        _unmount(mountpoint)


@contextmanager
def read_only_bind(directory: Path) -> Iterator[Path]:
    """``directory`` mounted read-only over itself: every write in it gives EROFS, root's too."""
    _system("mount", "--bind", str(directory), str(directory))
    try:
        _system("mount", "-o", "remount,bind,ro", str(directory))
        yield directory
    finally:
        _unmount(directory)


@contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    """``chattr +i``: nothing can be created, renamed or removed in them, not even by root."""
    done: list[Path] = []
    try:
        for path in paths:
            _system("chattr", "+i", str(path))
            done.append(path)
        yield
    finally:
        for path in reversed(done):
            subprocess.run(["chattr", "-i", str(path)], check=False)


def _unmount(path: Path) -> None:
    for _ in range(50):
        if subprocess.run(["umount", str(path)], capture_output=True, check=False).returncode == 0:
            return
        time.sleep(0.1)
    subprocess.run(["umount", "-l", str(path)], check=False)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "reader":
        _reader(
            Path(sys.argv[2]),
            json.loads(Path(sys.argv[3]).read_text()),
            Path(sys.argv[4]),
            Path(sys.argv[5]),
        )
    else:
        sys.exit("usage: python -m tests.support.writers reader ROOT SPECS STOP READY")
