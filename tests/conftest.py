"""Shared fixtures: stores on ``tmp_path`` built from the real demo generator and store."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from dashkit.demo import write_demo
from dashkit.store import Store

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
