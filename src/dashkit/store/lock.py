"""The writers' lock: one writer at a time per catalog, across threads, processes and machines.

Contract: ``writers_lock(engine, place)`` is a context manager held for a whole commit.
On PostgreSQL it is a session advisory lock on a connection of its own, so it spans machines
and the server drops it by itself when its holder dies (kill -9 included). On SQLite, whose
database lives on one machine, it is a file lock beside the database file (released by the kernel
when its holder dies). In both, threads of one process queue on a process lock first. A lock
not obtained within ``LOCK_TIMEOUT_SECONDS`` raises ``StoreError("store.locked")``.

Why a lock, when Iceberg commits are optimistic: each table commits on its own, and an import
that changes several tables must compute its changes against one state of all of them; a
second writer in between would have to redo its checks against a state no one validated. The
tables' own commits still retry on conflict (pyiceberg), for writers other than dashkit.
"""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from dashkit.errors import StoreError
from dashkit.store.log import reason

LOCK_TIMEOUT_SECONDS = 120.0
_POLL_SECONDS = 0.05
_ADVISORY_KEY = zlib.crc32(b"dashkit writers") & 0x7FFFFFFF
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


@contextlib.contextmanager
def writers_lock(engine: Engine, place: str) -> Iterator[None]:
    with _process_lock(str(engine.url)):
        if engine.dialect.name == "postgresql":
            with _advisory_lock(engine, place):
                yield
        else:
            database = Path(engine.url.database or "dashkit")
            with _file_lock(database.with_name(database.name + ".lock"), place):
                yield


def _process_lock(key: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(key, threading.Lock())


@contextlib.contextmanager
def _file_lock(lock_file: Path, place: str) -> Iterator[None]:
    lock = FileLock(str(lock_file), timeout=LOCK_TIMEOUT_SECONDS)
    try:
        lock.acquire()
    except Timeout as error:
        raise StoreError("store.locked", path=place) from error
    except OSError as error:
        raise StoreError("store.read_only", path=place) from error
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def _advisory_lock(engine: Engine, place: str) -> Iterator[None]:
    try:
        connection = engine.connect()
    except SQLAlchemyError as error:
        raise StoreError("store.unavailable", path=place, reason=reason(error)) from error
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        while not connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}
        ).scalar():
            connection.rollback()  # no transaction left open while waiting
            if time.monotonic() > deadline:
                raise StoreError("store.locked", path=place)
            time.sleep(_POLL_SECONDS)
        connection.commit()
        yield
    except SQLAlchemyError as error:
        raise StoreError("store.unavailable", path=place, reason=reason(error)) from error
    finally:
        # closing the session itself releases its lock: a pooled connection would keep it
        with contextlib.suppress(SQLAlchemyError):
            connection.invalidate()
            connection.close()
