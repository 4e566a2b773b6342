"""The UI measurements of ``dashkit bench``, run in processes of their own.

``python -m dashkit.ui.benchmark timings REPETITIONS DATA_DIR [DATA_DIR ...]`` prints JSON with,
per data directory (keyed by its position), the median / min / max of
- ``first_render``: a fresh AppTest run of the Overview with every cache cleared;
- ``overview_rerun``: an Overview rerun after a filter change (the year switched back and forth).
The directories are measured in turns (a run of each per round), so that a busy moment of a
shared machine weighs on the demo and the national data alike: their ratio is the goal.

``python -m dashkit.ui.benchmark memory DATA_DIR`` prints ``peak_rss_mb``: the peak resident
memory of a process that serves the Overview and every other page once on that data, and
nothing else.

It lives in the UI layer because it drives Streamlit; the CLI starts it as a subprocess, so no
headless layer imports Streamlit and the memory figure is that process's alone.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import sys
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from dashkit.bench.timing import measure_together
from dashkit.store.location import DATA_DIR_ENV

APP = str(Path(__file__).resolve().parent / "app.py")
VIEWS = Path(__file__).resolve().parent / "views"
TIMEOUT = 600


def _fresh() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def _clear() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def _on(data_dir: str) -> None:
    os.environ[DATA_DIR_ENV] = data_dir


def timings(data_dirs: list[str], repetitions: int) -> dict[str, dict[str, object]]:
    def first_render(data_dir: str) -> None:
        _clear()
        _on(data_dir)
        _fresh().run()

    first = measure_together(
        {str(i): functools.partial(first_render, d) for i, d in enumerate(data_dirs)}, repetitions
    )
    apps: dict[str, AppTest] = {}
    years: dict[str, list[int]] = {}
    for i, data_dir in enumerate(data_dirs):
        _on(data_dir)
        apps[str(i)] = _fresh().run()
        years[str(i)] = [int(year) for year in apps[str(i)].selectbox(key="year").options]
    flips = dict.fromkeys(apps, 0)

    def rerun(key: str, data_dir: str) -> None:
        flips[key] ^= 1
        _on(data_dir)
        choices = years[key]
        apps[key].selectbox(key="year").set_value(choices[flips[key] % len(choices)]).run()

    reruns = measure_together(
        {str(i): functools.partial(rerun, str(i), d) for i, d in enumerate(data_dirs)},
        repetitions,
    )
    return {
        key: {"first_render": first[key].as_dict(), "overview_rerun": reruns[key].as_dict()}
        for key in first
    }


def memory(data_dir: str) -> dict[str, float]:
    _on(data_dir)
    app = _fresh().run()
    for view in sorted(VIEWS.glob("*.py")):
        if view.name != "__init__.py":
            app.switch_page(f"views/{view.name}").run()  # relative to the app script
            if app.exception:
                raise RuntimeError(f"{view.name}: {app.exception[0].value}")
    return {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    if sys.argv[1] == "timings":
        print(json.dumps(timings(sys.argv[3:], int(sys.argv[2]))))
    else:
        print(json.dumps(memory(sys.argv[2])))
