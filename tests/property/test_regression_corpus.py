"""The regression corpus: every shrunk failing example of the round-trip properties, replayed.

Each folder of ``tests/fixtures/regression`` holds the files of one example as they were
imported and a ``case.json`` (the import steps, the rows the store must then hold, and what
failed when it was kept). Each case is imported into an empty store and held to everything the
properties hold an example to (``tests.property.roundtrip.round_trip``): no problem, the road
of each file's check when the case says, the preview's counts equal to the commit's, exactly the
expected rows, nothing changed by importing the files again, and undo restoring the tables.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.property.roundtrip import round_trip
from tests.support.office_files import CASE_FILE, load_case

REGRESSIONS = Path(__file__).resolve().parents[1] / "fixtures" / "regression"
CASES = sorted(
    path for path in REGRESSIONS.glob("*") if path.is_dir() and (path / CASE_FILE).is_file()
)


@pytest.mark.parametrize("directory", CASES, ids=[path.name for path in CASES])
def test_regression_case_imports_into_an_empty_store_as_expected(
    directory: Path, tmp_path: Path
) -> None:
    case = load_case(directory)
    round_trip(tmp_path / "data", case.directory, case.steps, case.expected)


def test_every_case_names_its_files() -> None:
    """A case's steps import only files that are beside it (a kept case is self-contained)."""
    for directory in CASES:
        case = load_case(directory)
        for step in case.steps:
            for path in case.paths(step):
                assert path.is_file(), f"{directory.name}: {path.name} is missing"
