"""The ``dashkit`` command, run as a user runs it: a real process on a real data directory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashkit.store import Store

DASHKIT = str(Path(sys.executable).parent / "dashkit")


def dashkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DASHKIT, *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


@pytest.fixture(scope="module")
def cli_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "data"
    result = dashkit("demo", "--data-dir", str(root))
    assert result.returncode == 0, result.stderr
    assert "79" not in result.stderr
    return root


def test_kpis_json_has_the_stable_shape_and_the_seed_figures(cli_demo_dir: Path) -> None:
    result = dashkit("kpis", "--year", "2018", "--data-dir", str(cli_demo_dir), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"year", "participation", "units", "events", "awards"}
    assert payload["year"] == 2018
    for audience, rounded in (("party_member", 0.97), ("worker", 0.86)):
        figures = payload["participation"][audience]
        assert set(figures) == {"eligible", "completed", "rate", "delta_pp"}
        assert round(figures["rate"], 2) == rounded
        assert figures["rate"] == pytest.approx(figures["completed"] / figures["eligible"])
        assert isinstance(figures["delta_pp"], float) and figures["delta_pp"] > 0
    assert payload["units"] == {"expected": 79, "reported": 79}
    assert payload["awards"]["by_recipient_type"] == {"collective": 14, "individual": 19}
    assert set(payload["events"]) == {"by_type"}
    assert set(payload["awards"]) == {"by_recipient_type", "by_body"}


def test_class_counts_of_the_three_years_add_up_to_four(cli_demo_dir: Path) -> None:
    total = 0
    for year in (2016, 2017, 2018):
        result = dashkit("kpis", "--year", str(year), "--data-dir", str(cli_demo_dir), "--json")
        total += json.loads(result.stdout)["events"]["by_type"].get("class", 0)
    assert total == 4


def test_first_year_has_no_delta(cli_demo_dir: Path) -> None:
    payload = json.loads(
        dashkit("kpis", "--year", "2016", "--data-dir", str(cli_demo_dir), "--json").stdout
    )
    assert payload["participation"]["worker"]["delta_pp"] is None


def test_a_year_without_data_exits_zero(cli_demo_dir: Path) -> None:
    result = dashkit("kpis", "--year", "2030", "--data-dir", str(cli_demo_dir), "--json")
    assert result.returncode == 0
    payload = json.loads(result.stdout)
    assert payload["participation"] == {}
    assert payload["units"]["reported"] == 0


def test_kpis_text_is_vietnamese_by_default_and_english_on_request(cli_demo_dir: Path) -> None:
    vietnamese = dashkit("kpis", "--year", "2018", "--data-dir", str(cli_demo_dir))
    assert "97,0 %" in vietnamese.stdout and "Đơn vị đã báo cáo: 79/79" in vietnamese.stdout
    english = dashkit("--lang", "en", "kpis", "--year", "2018", "--data-dir", str(cli_demo_dir))
    assert "97.0%" in english.stdout and "Units reported: 79/79" in english.stdout


def test_demo_refuses_to_overwrite_data_without_force(cli_demo_dir: Path) -> None:
    result = dashkit("demo", "--data-dir", str(cli_demo_dir))
    assert result.returncode == 1
    assert "--force" in result.stdout
    assert Store(cli_demo_dir).version() == 1


def test_demo_force_on_identical_data_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "data"
    assert dashkit("demo", "--data-dir", str(root)).returncode == 0
    result = dashkit("demo", "--data-dir", str(root), "--force")
    assert result.returncode == 0
    assert Store(root).version() == 1


def test_data_dir_from_the_environment(cli_demo_dir: Path) -> None:
    import os

    env = {**os.environ, "DASHKIT_DATA_DIR": str(cli_demo_dir)}
    payload = json.loads(dashkit("kpis", "--year", "2018", "--json", env=env).stdout)
    assert payload["units"]["reported"] == 79


def test_usage_error_exits_two() -> None:
    assert dashkit("kpis").returncode == 2
    assert dashkit("no-such-command").returncode == 2
