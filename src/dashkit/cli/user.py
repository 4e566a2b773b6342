"""Who runs a command, for the history: the login name when the system knows one."""

from __future__ import annotations

import getpass


def current_user() -> str | None:
    """The login name, or None where there is none (a container without a passwd entry)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None
