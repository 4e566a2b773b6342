"""Small settings kept beside the data: the column mappings people chose by hand.

A mapping is remembered per header signature (the file's headers, folded), so the next file
with the same headers is read the same way without asking again. Written atomically under the
writers' lock; a missing or unreadable settings file reads as "nothing remembered".
"""

from __future__ import annotations

import json

from dashkit.store.fsio import write_atomic
from dashkit.store.store import Store

MAPPINGS_FILE = "mappings.json"


def read_mappings(store: Store) -> dict[str, dict[str, str]]:
    try:
        raw = json.loads((store.root / MAPPINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {
        str(signature): {str(k): str(v) for k, v in mapping.items()}
        for signature, mapping in raw.items()
        if isinstance(mapping, dict)
    }


def remember_mapping(store: Store, signature: str, mapping: dict[str, str]) -> None:
    with store.locked():
        mappings = read_mappings(store)
        mappings[signature] = dict(mapping)
        write_atomic(store.root / MAPPINGS_FILE, json.dumps(mappings, ensure_ascii=False, indent=1))
