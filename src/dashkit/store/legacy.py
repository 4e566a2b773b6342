"""The layout of a data directory written before the Iceberg store (read by ``dashkit migrate``).

<root>/CURRENT               the current version number, one line, swapped atomically
<root>/versions/v00000042/   one immutable version: each table's segments + manifest.json
<root>/versions/v00000042/participation.parquet, participation.3.parquet, ...
                             a table is the union of its segment files (keys never repeat
                             across them); segments an import did not touch are hard links
<root>/versions/.tmp-*       a version being written (removed if its writer died)
<root>/versions/v00000042/originals/   the files that commit imported, as they were
<root>/.lock                 the cross-process writers' lock
"""

from __future__ import annotations

from pathlib import Path

TMP_PREFIX = ".tmp-"
ORIGINALS = "originals"  # inside a version: the files its commit imported, as they were


class Layout:
    """The paths of one data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.current = root / "CURRENT"
        self.versions = root / "versions"
        self.lock = root / ".lock"

    def version_dir(self, version: int) -> Path:
        return self.versions / f"v{version:08d}"

    def table_files(self, version: int, table: str) -> tuple[Path, ...]:
        """The segment files of ``table`` in ``version``, in segment order (none: empty)."""
        if version <= 0:
            return ()
        return segment_files(self.version_dir(version), table)

    def manifest_file(self, version: int) -> Path:
        return self.version_dir(version) / "manifest.json"

    @staticmethod
    def version_of(directory_name: str) -> int | None:
        """The version a ``vNNNNNNNN`` directory holds; None for anything else."""
        if directory_name.startswith("v") and directory_name[1:].isdigit():
            return int(directory_name[1:])
        return None


def segment_file(directory: Path, table: str, number: int) -> Path:
    """Segment ``number`` of ``table`` in a version directory (0 is ``<table>.parquet``)."""
    return directory / (f"{table}.parquet" if number == 0 else f"{table}.{number}.parquet")


def segment_number(path: Path) -> int:
    middle = path.name.split(".")[1:-1]
    return int(middle[0]) if middle and middle[0].isdigit() else 0


def segment_files(directory: Path, table: str) -> tuple[Path, ...]:
    found = [*directory.glob(f"{table}.parquet"), *directory.glob(f"{table}.*.parquet")]
    return tuple(sorted(found, key=segment_number))
