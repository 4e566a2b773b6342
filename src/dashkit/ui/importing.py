"""The Import page's state: uploaded files on disk, the current plan, commit and undo.

A plan is kept in the session while its inputs (the files' bytes, the chosen table and year,
the manual mappings and the data version) stay the same, so widgets can rerun the page
without checking the files again; a new plan closes the old one (its staging files).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from dashkit.ingest import ImportOptions, ImportPlan, InputFile, plan_import
from dashkit.store import Store, read_mappings

PLAN_KEY = "import_plan"


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def current_plan(
    store: Store,
    uploads: Sequence[Upload],
    table: str | None,
    year: int | None,
    progress: Callable[[str, dict[str, Any]], None],
) -> ImportPlan:
    mappings = read_mappings(store)
    signature = (
        tuple((upload.name, upload.digest) for upload in uploads),
        table,
        year,
        repr(sorted(mappings.items())),
        store.version(),
    )
    held = st.session_state.get(PLAN_KEY)
    if held is not None and held[0] == signature:
        plan: ImportPlan = held[1]
        return plan
    forget_plan()
    folder = Path(tempfile.mkdtemp(prefix="dashkit-upload-"))
    files = []
    for number, upload in enumerate(uploads):
        path = folder / f"{number:02d}{Path(upload.name).suffix.lower()[:8]}"
        path.write_bytes(upload.data)
        files.append(InputFile(upload.name, path))
    plan = plan_import(
        store, files, ImportOptions(table=table, year=year, mappings=mappings), progress
    )
    st.session_state[PLAN_KEY] = (signature, plan, folder)
    return plan


def forget_plan() -> None:
    held = st.session_state.pop(PLAN_KEY, None)
    if held is not None:
        held[1].close()
        shutil.rmtree(held[2], ignore_errors=True)
