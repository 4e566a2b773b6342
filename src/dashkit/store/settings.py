"""Small settings kept beside the data: the column mappings people chose by hand.

A mapping is remembered per header signature (the file's headers, folded), so the next file
with the same headers is read the same way without asking again. Kept in the catalog's
database (``store.log``), so every server of a shared catalog remembers the same; written
under the writers' lock, so two servers remembering at once lose neither mapping. A missing or
unreadable setting reads as "nothing remembered".
"""

from __future__ import annotations

import json

from dashkit.store.store import Store

MAPPINGS = "mappings"


def read_mappings(store: Store) -> dict[str, dict[str, str]]:
    try:
        raw = json.loads(store.setting(MAPPINGS) or "{}")
    except ValueError:
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
        store.set_setting(MAPPINGS, json.dumps(mappings, ensure_ascii=False, indent=1))
