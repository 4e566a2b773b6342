"""One DuckDB database per process for the work of writing: checking imports, building versions.

Contract: ``work_cursor()`` returns a new cursor (a connection of its own) on a process-wide
in-memory database whose memory is bounded by ``WORK_MEMORY_LIMIT``; past it, DuckDB spills to
a folder of the process's own, removed at exit. Whoever takes a cursor closes it: its temporary
tables are its own and go with it. A cursor is never shared across threads.

Why one database: connecting costs about 15 ms and closing a few more, a cursor nothing; and
the imports and commits of one server share one bounded working set instead of each having
its own.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

import duckdb

WORK_MEMORY_LIMIT = "256MB"  # a big file's rows spill rather than fill the server's memory

_database: duckdb.DuckDBPyConnection | None = None
_guard = threading.Lock()


def work_cursor() -> duckdb.DuckDBPyConnection:
    """A new cursor on the process's work database (made on first use)."""
    global _database  # noqa: PLW0603 - one database per process, made on first use
    with _guard:
        if _database is None:
            spill = Path(tempfile.mkdtemp(prefix="dashkit-spill-"))
            atexit.register(shutil.rmtree, spill, True)
            _database = duckdb.connect(
                ":memory:",
                config={"memory_limit": WORK_MEMORY_LIMIT, "temp_directory": str(spill)},
            )
        return _database.cursor()
