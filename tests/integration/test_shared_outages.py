"""A shared catalog when things go wrong: the S3 server stopped in the middle of an import and
started again, and a writer killed with SIGKILL mid-import. Real PostgreSQL, real SeaweedFS;
each test has an S3 server of its own, since it stops it."""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashkit.errors import StoreError
from dashkit.i18n import translator
from dashkit.store import Store, history
from tests.support.services import (
    Postgres,
    SeaweedS3,
    SharedCatalog,
    catalog_environment,
    seaweed_s3,
)
from tests.support.writers import (
    ParticipationFile,
    big_participation_csv,
    dashkit_command,
    fingerprint,
    import_json,
    kill9,
    leftovers,
    run_dashkit,
    seed,
    stop,
    unit_ids,
    units_csv,
)

KILLED = (-9, 128 + 9)


@pytest.fixture
def own_s3() -> Iterator[SeaweedS3]:
    folder = Path(tempfile.mkdtemp(prefix="dashkit-s3-own-"))
    try:
        with seaweed_s3(folder) as server:
            yield server
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def shared_env(
    shared_services: tuple[Postgres, SeaweedS3], own_s3: SeaweedS3
) -> Iterator[SharedCatalog]:
    postgres, _ = shared_services
    catalog = SharedCatalog.fresh(postgres, own_s3)
    with catalog_environment(catalog):
        yield catalog


def test_s3_stopped_mid_import_refuses_clearly_then_works_once_it_is_back(
    shared_env: SharedCatalog, own_s3: SeaweedS3, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    seed(root, units_csv(tmp_path / "units.csv", unit_ids(1, 40)))
    before, ids = fingerprint(root), [entry.commit_id for entry in history(Store(root))]
    new = ParticipationFile(tmp_path / "new.csv", 2021, "worker", tuple(unit_ids(1, 40)), 10, 9)
    new.write()

    own_s3.stop()
    done = run_dashkit("import", "--data-dir", root, new.path, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    unavailable = translator("en").error(
        "store.unavailable", {"path": shared_env.name, "reason": "x"}
    )
    assert unavailable.split("(")[0] in done.stderr, done.stderr
    # the pages read the catalog's database, and the data files they already hold locally
    assert Store(root).version() == len(ids)
    assert fingerprint(root) == before

    own_s3.start()
    assert fingerprint(root) == before
    assert [entry.commit_id for entry in history(Store(root))] == ids
    payload = import_json(root, new.path)
    assert payload["files"][0]["inserted"] == 40
    assert leftovers(root) == []


def test_a_reader_without_local_copies_says_the_data_is_unavailable(
    shared_env: SharedCatalog, own_s3: SeaweedS3, tmp_path: Path
) -> None:
    seed(tmp_path / "writer", units_csv(tmp_path / "units.csv", unit_ids(1, 5)))
    own_s3.stop()
    reader = Store(tmp_path / "another-server")  # a second server: nothing cached yet
    assert reader.version() == 1
    with pytest.raises(StoreError) as caught:
        reader.snapshot()
    assert caught.value.key == "store.unavailable"
    own_s3.start()
    assert reader.snapshot().scalar("SELECT count(*) FROM units") == 5


@pytest.mark.parametrize("attempt", range(3))
def test_a_writer_killed_mid_import_leaves_before_or_all(
    shared_env: SharedCatalog, tmp_path: Path, attempt: int
) -> None:
    root = tmp_path / "data"
    seed(root, units_csv(tmp_path / "units.csv", unit_ids(1, 400, width=4)))
    big = tmp_path / "big.csv"
    rows = big_participation_csv(big, 400, 2051, 2070)
    before = fingerprint(root)
    versions_before = Store(root).version()

    process = subprocess.Popen(
        dashkit_command("import", "--data-dir", root, big),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(random.Random(attempt).uniform(1.0, 4.0))
        if process.poll() is None:
            kill9(process.pid)
        process.wait(timeout=60)
    finally:
        stop([process])

    store = Store(root)
    landed = store.version() == versions_before + 1
    if landed:
        assert store.snapshot().scalar("SELECT count(*) FROM participation") == rows
    else:
        assert store.version() == versions_before
        assert fingerprint(root) == before
    follow = ParticipationFile(tmp_path / "next.csv", 2021, "worker", ("U0001",), 5, 4).write()
    import_json(root, follow.path)
    assert leftovers(root) == []
    expected = rows if landed else 0
    assert (
        Store(root).snapshot().scalar("SELECT count(*) FROM participation WHERE year > 2050")
        == expected
    )
