"""The benchmark harness runs at demo scale in the suite, so it cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DASHKIT = str(Path(sys.executable).parent / "dashkit")


def test_bench_demo_json_has_the_stable_shape() -> None:
    result = subprocess.run(
        [DASHKIT, "bench", "--scale", "demo", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
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
    assert set(payload["ratios"]) == {"kpis_vs_floor", "kpis_vs_pandas", "import_vs_floor"}
