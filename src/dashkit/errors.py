"""One exception family for dashkit, a subclass per kind of failure.

Every error carries a catalogue key and the values to fill it with, never an English sentence:
the UI and the CLI translate it into the user's language (``dashkit.i18n``). ``str(error)`` is
the key and values, for logs and tests.
"""

from __future__ import annotations


class DashkitError(Exception):
    """Base of every error dashkit raises on purpose."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return f"{self.key}({values})"


class StoreError(DashkitError):
    """The data directory cannot be read or written as asked (locked, read-only, full, corrupt)."""


class DataError(DashkitError):
    """Rows that break the data contract (a missing key, a value out of range, a duplicate)."""


class UsageError(DashkitError):
    """A command or parameter the caller got wrong (an unknown table, a bad year)."""
