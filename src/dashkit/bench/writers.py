"""Concurrent small writers: commits per second from several processes at once on one store.

Contract: ``concurrent_commits(root, catalog, writers, commits_each)`` seeds the store with one
unit per writer, starts ``writers`` processes that wait at one start line and then each commit
``commits_each`` one-row imports (a year each) to the store, and returns the wall time from
the start line to the last commit, the commits per second, and whether every commit is in the
history and every row in the data (none lost). ``catalog`` None: the embedded catalog in
``root``; a name: that catalog (which the bench writes to: give it one of its own).
"""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import pandas as pd

from dashkit.schema import YEAR_MAX
from dashkit.store import CommitInfo, Store, TableWrite

MAX_COMMITS_EACH = 20  # one year each, the last ones the contract allows (far from real data)
FIRST_YEAR = YEAR_MAX - MAX_COMMITS_EACH + 1


def _writer(root: str, catalog: str | None, unit: str, commits: int, go: Event) -> None:
    store = Store(Path(root), catalog=catalog)
    store.version()  # connect before the start line
    go.wait(timeout=120)
    for number in range(commits):
        rows = pd.DataFrame(
            {
                "year": [FIRST_YEAR + number],
                "unit_id": [unit],
                "audience": ["worker"],
                "eligible": [10],
                "completed": [number % 10],
            }
        )
        store.commit([TableWrite("participation", rows)], CommitInfo(op="import", source=unit))


def concurrent_commits(
    root: Path, catalog: str | None, writers: int = 8, commits_each: int = 10
) -> dict[str, Any]:
    commits_each = min(commits_each, MAX_COMMITS_EACH)
    store = Store(root, catalog=catalog)
    units = [f"BENCH{number:02d}" for number in range(writers)]
    store.commit(
        [TableWrite("units", pd.DataFrame({"unit_id": units, "unit_name": units}))],
        CommitInfo(op="import", source="bench writers"),
    )
    before = store.version()
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    processes = [
        context.Process(target=_writer, args=(str(root), catalog, unit, commits_each, go))
        for unit in units
    ]
    for process in processes:
        process.start()
    time.sleep(3.0)  # every writer started and connected (spawn imports the whole package)
    started = time.perf_counter()
    go.set()
    for process in processes:
        process.join(timeout=600)
    elapsed = time.perf_counter() - started
    failed = sum(1 for process in processes if process.exitcode != 0)
    total = writers * commits_each
    landed = store.version() - before
    rows = store.snapshot().scalar(f"SELECT count(*) FROM participation WHERE year >= {FIRST_YEAR}")
    return {
        "writers": writers,
        "commits": total,
        "seconds": round(elapsed, 3),
        "commits_per_second": round(total / elapsed, 2),
        "none_lost": failed == 0 and landed == total and rows == total,
    }
