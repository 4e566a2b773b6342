"""The benchmark harness runs at demo scale in the suite, browser part included, so it cannot
rot. Its figures are not asserted against goals here (timed tests are not how speed is judged):
the shape, and that every figure is a real measurement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DASHKIT = str(Path(sys.executable).parent / "dashkit")


BROWSER_NAMES = {
    "first_load",
    "page_switch",
    "filter_change",
    "language_switch",
    "import_check_1k",
    "import_commit_1k",
}


@pytest.mark.browser
def test_bench_demo_json_has_the_stable_shape() -> None:
    result = subprocess.run(
        [DASHKIT, "bench", "--scale", "demo", "--json", "--browser"],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    payload = json.loads(result.stdout)
    assert payload["scale"] == "demo"
    assert payload["sizes"]["participation"] == 474 and payload["sizes"]["import_rows"] == 10_000
    names = {
        "first_render_demo",
        "overview_rerun_demo",
        "kpis_project_demo",
        "kpis_duckdb_demo",
        "kpis_pandas_demo",
        "import_project_10k",
        "import_duckdb_10k",
    }
    assert set(payload["timings_ms"]) == names
    for timing in payload["timings_ms"].values():
        assert set(timing) == {"median", "min", "max"}
        assert 0 < timing["min"] <= timing["median"] <= timing["max"]
    assert 50 < payload["peak_rss_mb_demo"] < 4096
    assert set(payload["browser_ms"]) == BROWSER_NAMES
    assert set(payload["browser_floor_ms"]) == {"first_load", "filter_change"}
    for timing in [*payload["browser_ms"].values(), *payload["browser_floor_ms"].values()]:
        assert set(timing) == {"median", "min", "max"}
        assert 0 < timing["min"] <= timing["median"] <= timing["max"] < 120_000
    assert set(payload["ratios"]) == {
        "kpis_vs_floor",
        "kpis_vs_pandas",
        "import_vs_floor",
        "browser_filter_change_vs_floor",
        "browser_page_switch_vs_floor",
        "browser_first_load_vs_floor",
        "browser_import_check_vs_filter",
        "browser_import_commit_vs_filter",
    }
