"""``dashkit bench [--scale demo|city|national] [--json] [--repetitions N] [--browser]``: the
benchmark harness.

Builds the demo data and the chosen scale's synthetic data in a temporary directory, then
measures (each the median, min and max of at least five runs after a warm-up): the Overview's
first render and rerun (in a process of their own), the peak memory of a process that serves
every page once, the key figures by the project against a hand-written DuckDB query and against
pandas, and an import of a big CSV against DuckDB's own read. The ratios the goals are stated
in come out of the same run; what is compared is timed in turns (a run of each per round).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from dashkit.bench import imports, kpis, writers
from dashkit.bench.browser import FLOOR, browser_missing
from dashkit.bench.synthetic import SCALES, build
from dashkit.bench.timing import MIN_REPETITIONS, measure_together
from dashkit.cli.bench_browser_cmd import browser_part
from dashkit.i18n import Translator
from dashkit.store import Store

IMPORT_ROWS = {"demo": 10_000, "city": 100_000, "national": 1_000_000}
GOALS = {
    "overview_rerun": 1.5,  # national / demo
    "first_render": 1.5,  # national / demo
    "kpis_vs_floor": 1.5,  # project / DuckDB
    "kpis_vs_pandas": 1 / 5,  # project / pandas: at least 5x faster
    "import_vs_floor": 3.0,  # project / DuckDB
    "peak_rss_mb": 1024.0,
    # --browser: the served pages in headless Chromium, against the floor app in the same run
    "browser_filter_change_vs_floor": 1.5,  # filter_change / the floor's filter_change
    "browser_page_switch_vs_floor": 1.5,  # page_switch / the floor's filter_change
    "browser_first_load_vs_floor": 1.5,  # first_load / the floor's first_load
    "browser_import_check_vs_filter": 2.0,  # import_check_1k / filter_change
    "browser_import_commit_vs_filter": 2.0,  # import_commit_1k / filter_change
    "browser_first_load_vs_demo": 1.2,  # national / demo
    "browser_page_switch_vs_demo": 1.2,
    "browser_filter_change_vs_demo": 1.2,
}


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("bench", parents=[common], help=t("cli.bench_help"))
    parser.add_argument(
        "--scale", choices=("demo", *SCALES), default="demo", help=t("cli.bench_scale_help")
    )
    parser.add_argument("--json", action="store_true", help=t("cli.json_help"))
    parser.add_argument(
        "--repetitions", type=int, default=MIN_REPETITIONS, help=t("cli.bench_reps_help")
    )
    parser.add_argument("--browser", action="store_true", help=t("cli.bench_browser_help"))
    parser.add_argument(
        "--writers", type=int, default=0, metavar="N", help=t("cli.bench_writers_help")
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, t: Translator) -> int:
    if args.writers:
        return _run_writers(args, t)
    with tempfile.TemporaryDirectory(prefix="dashkit-bench-") as folder:
        if args.browser and (missing := browser_missing()):
            print(t("cli.bench_no_browser", missing=missing), file=sys.stderr)
            return 2
        result = bench(
            args.scale,
            Path(folder),
            max(args.repetitions, MIN_REPETITIONS),
            t,
            quiet=args.json,
            in_browser=args.browser,
        )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(render_table(result, t))
    return 0


def _run_writers(args: argparse.Namespace, t: Translator) -> int:
    """``--writers N``: commits per second from N processes at once, on the store ``--catalog``
    names (the bench writes its own units and rows there), else on a fresh embedded one."""
    with tempfile.TemporaryDirectory(prefix="dashkit-bench-") as folder:
        root = Path(args.data_dir) if args.data_dir and args.catalog else Path(folder) / "data"
        result = writers.concurrent_commits(
            root, args.catalog, writers=args.writers, commits_each=max(args.repetitions, 10)
        )
    if args.json:
        print(json.dumps({"concurrent_writers": result}))
    else:
        print(
            t(
                "cli.bench_writers_result",
                writers=result["writers"],
                commits=result["commits"],
                rate=t.decimal(result["commits_per_second"], 1),
                lost=t("cli.bench_none_lost") if result["none_lost"] else t("cli.bench_lost"),
            )
        )
    return 0 if result["none_lost"] else 1


def _say(t: Translator, quiet: bool, key: str, **params: object) -> None:
    if not quiet:
        print(t(key, **params), file=sys.stderr, flush=True)


def bench(
    scale: str,
    folder: Path,
    repetitions: int,
    t: Translator,
    *,
    quiet: bool = False,
    in_browser: bool = False,
) -> dict[str, Any]:
    _say(t, quiet, "cli.bench_building", scale=scale)
    demo = build("demo", folder / "demo")
    store = demo if scale == "demo" else build(scale, folder / scale)
    timings: dict[str, dict[str, float]] = {}
    stores = {"demo": demo} if scale == "demo" else {"demo": demo, scale: store}
    _say(t, quiet, "cli.bench_ui", scale=", ".join(stores))
    ui = _ui_process("timings", str(repetitions), *(str(each.root) for each in stores.values()))
    for position, name in enumerate(stores):
        timings[f"first_render_{name}"] = ui[str(position)]["first_render"]
        timings[f"overview_rerun_{name}"] = ui[str(position)]["overview_rerun"]
    peak = float(_ui_process("memory", str(store.root))["peak_rss_mb"])
    _say(t, quiet, "cli.bench_kpis", scale=scale)
    year = max(
        int(row[0]) for row in store.snapshot().rows("SELECT DISTINCT year FROM participation")
    )
    files = {name: paths for name, paths in store.snapshot().files.items() if paths}
    expected = kpis.project(store, year)
    for label, figures in (
        ("duckdb", kpis.duckdb_floor(files, year)),
        ("pandas", kpis.pandas_naive(files, year)),
    ):
        if not _same(figures, expected):
            raise RuntimeError(f"the {label} figures differ from the project's")
    key_figures = measure_together(
        {
            f"kpis_project_{scale}": lambda: kpis.project(store, year),
            f"kpis_duckdb_{scale}": lambda: kpis.duckdb_floor(files, year),
            f"kpis_pandas_{scale}": lambda: kpis.pandas_naive(files, year),
        },
        repetitions,
    )
    timings.update({name: timing.as_dict() for name, timing in key_figures.items()})
    rows = IMPORT_ROWS[scale]
    label = "1m" if rows == 1_000_000 else f"{rows // 1000}k"
    _say(t, quiet, "cli.bench_import", rows=t.integer(rows))
    csv = folder / f"participation-{label}.csv"
    written = imports.write_csv(store, csv, rows)
    scratch = folder / "import-scratch"
    project, floor = f"import_project_{label}", f"import_duckdb_{label}"
    import_timings = measure_together(
        {
            project: lambda: imports.project(scratch, csv),
            floor: lambda: imports.duckdb_floor(csv, folder / "floor.parquet"),
        },
        repetitions,
        before={project: lambda: imports.fresh_copy(store.root, scratch)},
    )
    timings.update({name: timing.as_dict() for name, timing in import_timings.items()})
    result: dict[str, Any] = {
        "scale": scale,
        "sizes": {**_sizes(store), "import_rows": written},
        "timings_ms": timings,
        f"peak_rss_mb_{scale}": peak,
    }
    result["ratios"] = _ratios(result, scale, label)
    if in_browser:
        _say(t, quiet, "cli.bench_browser", scale=", ".join(stores))
        figures = browser_part(stores, folder / "browser", repetitions)
        result["browser_ms"] = figures[scale]
        result["browser_floor_ms"] = figures[FLOOR]
        if scale != "demo":
            result["browser_demo_ms"] = figures["demo"]
        result["ratios"].update(_browser_ratios(figures, scale))
    return result


def _browser_ratios(
    figures: dict[str, dict[str, dict[str, float]]], scale: str
) -> dict[str, float]:
    def median(server: str, name: str) -> float:
        return float(figures[server][name]["median"])

    ratios = {
        "browser_filter_change_vs_floor": median(scale, "filter_change")
        / median(FLOOR, "filter_change"),
        "browser_page_switch_vs_floor": median(scale, "page_switch")
        / median(FLOOR, "filter_change"),
        "browser_first_load_vs_floor": median(scale, "first_load") / median(FLOOR, "first_load"),
        "browser_import_check_vs_filter": median(scale, "import_check_1k")
        / median(scale, "filter_change"),
        "browser_import_commit_vs_filter": median(scale, "import_commit_1k")
        / median(scale, "filter_change"),
    }
    if scale != "demo":
        for name in ("first_load", "page_switch", "filter_change"):
            ratios[f"browser_{name}_vs_demo"] = median(scale, name) / median("demo", name)
    return {name: round(value, 3) for name, value in ratios.items()}


def _ui_process(*arguments: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "dashkit.ui.benchmark", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the UI benchmark failed:\n{completed.stderr[-2000:]}")
    parsed: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return parsed


def _sizes(store: Store) -> dict[str, int]:
    snapshot = store.snapshot()
    return {name: int(snapshot.scalar(f"SELECT count(*) FROM {name}")) for name in snapshot.files}


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    return bool(left == right)


def _ratios(result: dict[str, Any], scale: str, label: str) -> dict[str, float]:
    timings = result["timings_ms"]

    def median(name: str) -> float:
        return float(timings[name]["median"])

    ratios = {
        "kpis_vs_floor": median(f"kpis_project_{scale}") / median(f"kpis_duckdb_{scale}"),
        "kpis_vs_pandas": median(f"kpis_project_{scale}") / median(f"kpis_pandas_{scale}"),
        "import_vs_floor": median(f"import_project_{label}") / median(f"import_duckdb_{label}"),
    }
    if scale != "demo":
        ratios["first_render"] = median(f"first_render_{scale}") / median("first_render_demo")
        ratios["overview_rerun"] = median(f"overview_rerun_{scale}") / median("overview_rerun_demo")
    return {name: round(value, 3) for name, value in ratios.items()}


def render_table(result: dict[str, Any], t: Translator) -> str:
    lines = [t("cli.bench_heading", scale=result["scale"])]
    lines.append("  " + ", ".join(f"{name}={rows:,}" for name, rows in result["sizes"].items()))
    lines.append(f"  {'':32} {'median':>10} {'min':>10} {'max':>10}  (ms)")
    timings = dict(result["timings_ms"])
    for key, prefix in (
        ("browser_ms", "browser "),
        ("browser_demo_ms", "browser demo "),
        ("browser_floor_ms", "browser floor "),
    ):
        timings.update({prefix + name: value for name, value in result.get(key, {}).items()})
    for name, timing in timings.items():
        lines.append(
            f"  {name:32} {timing['median']:>10,.1f} {timing['min']:>10,.1f} {timing['max']:>10,.1f}"
        )
    for key, value in result.items():
        if key.startswith("peak_rss_mb"):
            lines.append(f"  {key}: {value:,.0f} MB (≤ {GOALS['peak_rss_mb']:,.0f})")
    for name, ratio in result["ratios"].items():
        goal = GOALS[name]
        met = ratio <= goal
        lines.append(f"  {name}: {ratio:.2f} (≤ {goal:.2f}) {'✓' if met else '✗'}")
    return "\n".join(lines)
