"""The importer's round trip: the files an office sends for a dataset give back that dataset.

A random valid dataset (``tests.support.office_files.datasets``) and the files an office would
send for it, in randomly drawn shapes (``uploads``), are imported into an empty store, and the
store must then hold exactly that dataset (NFC, trimmed text; codes; derived ids). The imports
run one file at a time in the order an office works (units first), and all at once in one
upload (in any order); each time the preview's counts must be what the commit did, the same
files again must change nothing, and undoing the last import must restore the tables as they
were before it (``tests.property.roundtrip``). A third property imports the same figures in a
shape that takes the checker's clean-file road and in one that takes the row-by-row road, and
both must store the same rows.

Example counts: few under the default profile (the suite stays within minutes on 2 cores),
the profile's own count under any other (``pytest --hypothesis-profile=long``).

A failing example, once shrunk, is written to ``tests/fixtures/regression/<name>/`` (the files
as imported and a ``case.json`` of the steps and expected rows) and replayed from there by
``test_regression_corpus.py``. ``DASHKIT_REGRESSION_DIR`` writes them elsewhere instead;
``DASHKIT_REGRESSION_DIR=off`` writes none. ``DASHKIT_ROUNDTRIP_WITHOUT=a,b`` leaves shapes
out (see ``office_files.WITHOUT``), for a run hunting other bugs while one is known.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import current_build_context

from tests.property.roundtrip import describe_steps, round_trip
from tests.support.office_files import (
    FORMATS_ALL,
    Dataset,
    OfficeFile,
    Step,
    Upload,
    dataset_records,
    datasets,
    expected_rows,
    forced,
    long_participation_file,
    save_case,
    units_files,
    uploads,
    write_upload,
)

REGRESSIONS = Path(__file__).resolve().parents[1] / "fixtures" / "regression"
DEFAULT_PROFILES = (None, "default", "dashkit")


def examples(few: int) -> int:
    """``few`` under the default profile; the loaded profile's count under any other (an
    explicit ``max_examples`` would override the profile's)."""
    if getattr(settings, "_current_profile", None) in DEFAULT_PROFILES:
        return few
    loaded = settings.default
    return loaded.max_examples if loaded is not None else few


def property_settings(few: int) -> settings:
    return settings(
        max_examples=examples(few),
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


# -- running an example, keeping a failure --------------------------------------------------


def _is_final() -> bool:
    try:
        return bool(current_build_context().is_final)
    except Exception:  # outside a test run by hypothesis
        return False


def _regression_dir() -> Path | None:
    chosen = os.environ.get("DASHKIT_REGRESSION_DIR")
    if chosen == "off":
        return None
    return Path(chosen) if chosen else REGRESSIONS


def _keep_failure(
    prefix: str,
    error: BaseException,
    description: str,
    steps: Sequence[Step],
    directory: Path,
    expected: dict[str, list[Any]],
) -> None:
    """The shrunk example, as a regression case (once per distinct set of files)."""
    target = _regression_dir()
    if target is None:
        return
    names = sorted({name for step in steps for name in step.files})
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + (directory / name).read_bytes())
    digest.update(describe_steps(steps).encode())
    case = target / f"{prefix}-{digest.hexdigest()[:10]}"
    if case.exists():
        return
    message = str(error).strip() or repr(error)
    saved = save_case(
        case,
        description=f"{message[:4000]}\n\n{description}",
        steps=steps,
        files=[(name, directory / name) for name in names],
        expected=expected,
    )
    note(f"the shrunk example is kept as a regression case: {saved}")


def check_example(
    prefix: str,
    files: Sequence[OfficeFile],
    steps: Sequence[Step],
    expected: dict[str, list[Any]],
    description: str,
) -> None:
    note(description)
    note(describe_steps(steps))
    for file in files:  # what the run covered (``--hypothesis-show-statistics``)
        shape = dict(file.shape)
        event(f"{file.table} as {file.fmt}")
        if file.fmt == "csv":
            event(f"csv {file.encoding} {file.delimiter!r} {file.newline!r}")
        event(f"{file.table} units by {file.unit_ref}")
        for flag in ("totals", "titles", "blank_before", "wrapped_titles", "trailing", "stt"):
            if shape.get(flag):
                event(f"with {flag}")
        if shape.get("layout") == "report":
            event(f"report layout, year from {shape['year_source']}")
        if "ids" in shape:
            event(f"{file.table} {'with' if shape['ids'] else 'without'} ids")
        event(f"{'clean-file' if file.expects_fast else 'row-by-row'} road")
    with tempfile.TemporaryDirectory(prefix="dashkit-roundtrip-") as work:
        directory = Path(work) / "files"
        write_upload(files, directory)
        try:
            round_trip(Path(work) / "data", directory, steps, expected)
        except Exception as error:
            if _is_final():
                _keep_failure(prefix, error, description, steps, directory, expected)
            raise


def _alone(files: Sequence[OfficeFile]) -> Callable[[OfficeFile], bool | None]:
    """The road a file's check must take in an upload of ``files``: known when it is the only
    file of its table, else only when it cannot take the clean-file road at all."""
    per_table = Counter(file.table for file in files)

    def road(file: OfficeFile) -> bool | None:
        if per_table[file.table] == 1:
            return file.expects_fast
        return False if not file.expects_fast else None

    return road


# -- the properties -------------------------------------------------------------------------


@st.composite
def dataset_and_upload(draw: st.DrawFn) -> tuple[Dataset, Upload]:
    dataset = draw(datasets())
    return dataset, draw(uploads(dataset, FORMATS_ALL))


@property_settings(few=15)
@given(example=dataset_and_upload())
def test_files_one_at_a_time_give_back_the_dataset(example: tuple[Dataset, Upload]) -> None:
    """Units first (the parents' file before the children's), then every other file on its
    own, as an office works; each check on the road its shape calls for."""
    dataset, upload = example
    steps = [
        Step((file.name,), upload.option_year, (file.table,), (file.expects_fast,))
        for file in upload.files
    ]
    check_example(
        "one-at-a-time",
        upload.files,
        steps,
        expected_rows(dataset_records(dataset)),
        upload.describe(),
    )


@property_settings(few=15)
@given(example=dataset_and_upload(), data=st.data())
def test_files_all_at_once_give_back_the_dataset(
    example: tuple[Dataset, Upload], data: st.DataObject
) -> None:
    """Every file in one upload, in any order (a file dialog's order is nobody's choice)."""
    dataset, upload = example
    files = list(data.draw(st.permutations(upload.files), label="upload order"))
    road = _alone(files)
    steps = [
        Step(
            tuple(file.name for file in files),
            upload.option_year,
            tuple(file.table for file in files),
            tuple(road(file) for file in files),
        )
    ]
    check_example(
        "all-at-once",
        files,
        steps,
        expected_rows(dataset_records(dataset)),
        upload.describe(),
    )


@st.composite
def two_roads(draw: st.DrawFn) -> tuple[Dataset, list[OfficeFile], OfficeFile, OfficeFile]:
    """A dataset's units file, and its figures twice: in a shape that takes the clean-file
    road and in one that surely does not."""
    dataset = draw(datasets(max_units=5))
    units = draw(units_files(dataset, FORMATS_ALL))
    option_year = None
    records = list(dataset.participation)
    fast = draw(
        long_participation_file(
            dataset, records, FORMATS_ALL, option_year, 8, force=draw(forced(dataset, True))
        )
    )
    slow = draw(
        long_participation_file(
            dataset, records, FORMATS_ALL, option_year, 9, force=draw(forced(dataset, False))
        )
    )
    return dataset, units, fast, slow


@property_settings(few=10)
@given(example=two_roads())
def test_clean_file_road_and_row_by_row_road_store_the_same(
    example: tuple[Dataset, list[OfficeFile], OfficeFile, OfficeFile],
) -> None:
    """The same figures through each road of the check (``Checked.store_checked`` says which
    was taken) give the same stored rows, counts, re-import and undo."""
    dataset, units, fast, slow = example
    expected = expected_rows([*dataset.units, *dataset.participation])
    for figures in (fast, slow):
        files = [*units, figures]
        steps = [Step((file.name,), None, (file.table,), (file.expects_fast,)) for file in files]
        assert figures.expects_fast is (figures is fast)
        check_example(
            "two-roads",
            files,
            steps,
            expected,
            Upload(tuple(files)).describe(),
        )
