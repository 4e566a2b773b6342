"""Where the data directory is: ``--data-dir``, else ``$DASHKIT_DATA_DIR``, else ``./data``.

The data directory holds the embedded catalog (``catalog.db``, ``warehouse/``) and, for any
catalog, the local copies of remote data files and the staging folder of commits.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "DASHKIT_DATA_DIR"
DEFAULT_DATA_DIR = Path("data")


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` if given, else ``$DASHKIT_DATA_DIR``, else ``./data``."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    return DEFAULT_DATA_DIR.resolve()
