"""Iceberg data files as local paths DuckDB can read, and new data files put in the warehouse.

Contract:
- ``FileCache.local(io, uri)``: a local path holding the bytes of the data file ``uri``. A file
  of a local warehouse (``file://``) is its own path; a remote one (S3, …) is downloaded once
  into the cache folder and read from there ever after: Iceberg data files never change after
  they are written, so a cached copy is always valid.
- ``FileCache.publish(io, local, uri)``: put a file written locally at ``uri`` in the warehouse
  (a rename on a local warehouse, an upload otherwise, kept in the cache too).
- ``FileCache.store_file``: copy a file into the warehouse (the original files of an import).
Every write lands under a temporary name first, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

from pyiceberg.io import FileIO

_CHUNK = 1 << 20


def local_path(uri: str) -> Path | None:
    """The path of a ``file:`` URI or plain path; None for a remote location."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return Path(unquote(parsed.path))
    return None


class FileCache:
    """The local copies of remote data files, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def local(self, io: FileIO, uri: str) -> Path:
        own = local_path(uri)
        if own is not None:
            return own
        cached = self._cached(uri)
        if not cached.is_file():
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_name(f".{cached.name}.{uuid.uuid4().hex}.tmp")
            try:
                with io.new_input(uri).open() as source, temporary.open("wb") as target:
                    shutil.copyfileobj(source, target, _CHUNK)
                temporary.replace(cached)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()
        return cached

    def publish(self, io: FileIO, local: Path, uri: str) -> None:
        own = local_path(uri)
        if own is not None:
            own.parent.mkdir(parents=True, exist_ok=True)
            local.replace(own)
            return
        output = io.new_output(uri)
        with local.open("rb") as source, output.create(overwrite=True) as target:
            shutil.copyfileobj(source, target, _CHUNK)
        self.folder.mkdir(parents=True, exist_ok=True)
        local.replace(self._cached(uri))

    def store_file(self, io: FileIO, source: Path, uri: str) -> None:
        """Copy ``source`` to ``uri`` (the caller keeps ``source``)."""
        own = local_path(uri)
        if own is not None:
            own.parent.mkdir(parents=True, exist_ok=True)
            temporary = own.with_name(f".{own.name}.tmp")
            try:
                shutil.copyfile(source, temporary)
                temporary.replace(own)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()
            return
        with source.open("rb") as handle, io.new_output(uri).create(overwrite=True) as target:
            shutil.copyfileobj(handle, target, _CHUNK)

    def _cached(self, uri: str) -> Path:
        digest = hashlib.sha256(uri.encode("utf-8")).hexdigest()[:40]
        return self.folder / f"{digest}.parquet"
