"""The store a command works on: ``--catalog NAME`` (else ``$DASHKIT_CATALOG``, else the
embedded catalog) with ``--data-dir`` as its local folder."""

from __future__ import annotations

import argparse

from dashkit.store import Store, resolve_data_dir


def open_store(args: argparse.Namespace) -> Store:
    return Store(resolve_data_dir(args.data_dir), catalog=getattr(args, "catalog", None))
