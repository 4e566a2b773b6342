"""Shared fixtures: stores on ``tmp_path`` built from the real demo generator and store."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from dashkit.demo import write_demo
from dashkit.store import Store
from tests.support.services import (
    Postgres,
    SeaweedS3,
    SharedCatalog,
    catalog_environment,
    postgres_cluster,
    seaweed_s3,
)

# Speed is the benchmark harness's business, not the tests': no per-example deadline (a busy
# 2-core CI machine would make a timed property flaky without saying anything about correctness).
settings.register_profile("dashkit", deadline=None)
# ``pytest --hypothesis-profile=long``: hundreds of examples per property (the round-trip
# properties of tests/property take their example count from it).
settings.register_profile("long", deadline=None, max_examples=300)
settings.load_profile("dashkit")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the demo data. Read-only by convention: tests that write make
    their own store."""
    root = tmp_path_factory.mktemp("demo-data")
    write_demo(Store(root))
    return root


@pytest.fixture(scope="session")
def demo_store(demo_dir: Path) -> Store:
    return Store(demo_dir)


@pytest.fixture
def empty_store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


# -- the catalogs a suite runs on ------------------------------------------------------------
# A module that says ``pytestmark = pytest.mark.usefixtures("catalog_kind")`` runs each of its
# tests twice: on the embedded catalog (a SQLite file in the test's data directory) and on a
# shared one (a fresh database of a real PostgreSQL cluster, a fresh prefix of a real SeaweedFS
# S3 server, both started once per session on loopback). In the shared case the test's
# environment names that catalog (DASHKIT_CATALOG and pyiceberg's own PYICEBERG_CATALOG__…
# variables), so every ``Store`` the test opens, and every process it starts, uses it.

CATALOG_KINDS = ("embedded", "shared")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--catalogs",
        default=",".join(CATALOG_KINDS),
        help="the catalogs the catalog_kind suites run on (comma-separated: embedded,shared)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "catalog_kind" in metafunc.fixturenames:
        kinds = [kind for kind in metafunc.config.getoption("catalogs").split(",") if kind]
        unknown = set(kinds) - set(CATALOG_KINDS)
        if unknown:
            raise pytest.UsageError(f"--catalogs: unknown {sorted(unknown)}")
        metafunc.parametrize("catalog_kind", kinds, indirect=True)


@pytest.fixture(scope="session")
def shared_services() -> Iterator[tuple[Postgres, SeaweedS3]]:
    """PostgreSQL and SeaweedFS, started on first use and stopped at the end of the session."""
    with contextlib.ExitStack() as stack:
        postgres = stack.enter_context(postgres_cluster())
        folder = Path(tempfile.mkdtemp(prefix="dashkit-s3-"))
        stack.callback(shutil.rmtree, folder, True)
        s3 = stack.enter_context(seaweed_s3(folder))
        yield postgres, s3


@pytest.fixture
def catalog_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    kind = str(request.param)
    if kind == "embedded":
        yield kind
        return
    postgres, s3 = request.getfixturevalue("shared_services")
    with catalog_environment(SharedCatalog.fresh(postgres, s3)):
        yield kind
