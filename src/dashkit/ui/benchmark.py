"""The UI timings of ``dashkit bench``, run in a process of their own:
``python -m dashkit.ui.benchmark DATA_DIR REPETITIONS`` prints JSON with
- ``first_render``: a fresh AppTest run of the Overview with every cache cleared;
- ``overview_rerun``: an Overview rerun after a filter change (the year switched back and forth);
- ``peak_rss_mb``: this process's peak resident memory after serving every page once.
It lives in the UI layer because it drives Streamlit; the CLI starts it as a subprocess, so no
headless layer imports Streamlit and the memory figure is this process's alone.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from dashkit.bench.timing import measure
from dashkit.store.layout import DATA_DIR_ENV

APP = str(Path(__file__).resolve().parent / "app.py")
VIEWS = Path(__file__).resolve().parent / "views"
TIMEOUT = 600


def _fresh() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def _clear() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def main(data_dir: str, repetitions: int) -> dict[str, object]:
    os.environ[DATA_DIR_ENV] = data_dir
    first = measure(lambda: _fresh().run(), repetitions, before=_clear)
    app = _fresh().run()
    years = list(app.selectbox(key="year").options)
    flip = {"index": 0}

    def rerun() -> None:
        flip["index"] ^= 1
        app.selectbox(key="year").set_value(int(years[flip["index"] % len(years)])).run()

    rerun_timing = measure(rerun, repetitions)
    for view in sorted(VIEWS.glob("*.py")):
        if view.name != "__init__.py":
            app.switch_page(f"views/{view.name}").run()  # relative to the app script
            if app.exception:
                raise RuntimeError(f"{view.name}: {app.exception[0].value}")
    return {
        "first_render": first.as_dict(),
        "overview_rerun": rerun_timing.as_dict(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
