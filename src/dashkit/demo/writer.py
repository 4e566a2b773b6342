"""Writing the demo into a store as one commit (so ``--force`` over real data can be undone)."""

from __future__ import annotations

from dashkit.demo.generator import DemoSpec, build_demo
from dashkit.store import CommitInfo, CommitResult, Store, TableWrite


def write_demo(store: Store, spec: DemoSpec | None = None, user: str | None = None) -> CommitResult:
    """Replace every table of ``store`` with the demo data, as a single undoable commit."""
    tables = build_demo(spec)
    writes = [TableWrite(name, frame, mode="replace") for name, frame in tables.items()]
    return store.commit(writes, CommitInfo(op="demo", source="demo", user=user))
