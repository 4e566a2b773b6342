"""The pages timed as a person feels them: the served app in headless Chromium, beside a floor.

Contract: ``measure(servers, repetitions, import_files)`` drives each served app of ``servers``
(name → base URL; ``FLOOR`` is the minimal Streamlit app of ``ui/bench_floor.py``) in headless
Chromium and returns, per server, the median / min / max in ms of
- ``first_load``: a new browser (empty cache, new session) opening the Overview;
- ``page_switch``: a click on the sidebar's link to the next page, round the analysis pages
  (after a warm-up round of every page);
- ``filter_change``: the other of the two latest years chosen in the sidebar of the Overview;
- ``language_switch``: a click on the other language, on the Overview;
- ``import_check_1k`` / ``import_commit_1k``: a 1,000-row file (``import_files[name]``) chosen
  in the uploader until its preview shows, then the commit button until the result shows (the
  import is undone between repetitions, untimed, so each commit writes the same 1,000 rows).
The floor has only ``first_load`` and ``filter_change``. Every name is timed in rounds, one
sample of each server per round, so a busy moment weighs on all of them alike.

What "done" means: from the action (the event's own timestamp in the page) until the last
thing the action caused: the last message from the server or the last change of the page,
whichever is later, once the server has said the run finished (``script_finished`` in its
``ForwardMsg``), no run is going on and nothing has changed for ``QUIET_MS``. Plotly draws into
the page, so its drawing is counted; the quiet wait itself is not. Streamlit shows its running
indicator only after a delay, so it cannot mark a run's start or end by itself.
"""

from __future__ import annotations

import importlib.util
import statistics
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashkit.bench.timing import MIN_REPETITIONS, Timing
from dashkit.store import Store, history, undo

FLOOR = "floor"
QUIET_MS = 600
TIMEOUT_MS = 180_000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1440, "height": 1000}
PAGES = ("units", "events", "awards", "quality", "report", "")  # "" is the Overview
APP_NAMES = ("first_load", "page_switch", "filter_change", "language_switch")
IMPORT_NAMES = ("import_check_1k", "import_commit_1k")
FLOOR_NAMES = ("first_load", "filter_change")
LANGUAGE_KEY = "lang"
# Untimed rounds first: each page once (a page's first run in a server fills its caches), each
# of the two years or languages once.
WARMUP = {
    "page_switch": len(PAGES),
    "filter_change": 2,
    "language_switch": 2,
}  # the language switch's widget key (ui/language.py)

# Installed before the page's own scripts: records when the server last sent a message, when
# the page last changed, how many runs finished, and when the next user action happened.
WATCH = r"""
(() => {
  const watch = {mark: null, armed: false, finished: 0, finishedAtArm: 0, running: false,
                 lastMessage: 0, lastChange: 0};
  window.__dkWatch = watch;
  const readVarint = (bytes, at) => {
    let value = 0, shift = 1, byte;
    do { byte = bytes[at.i++]; value += (byte & 0x7f) * shift; shift *= 128; } while (byte & 0x80);
    return value;
  };
  // A run's end is ForwardMsg field 6 (script_finished, an enum; 2 is "stopped early for
  // another run") or field 9 (session_status_changed) whose field 2, script_is_running, is
  // false; a page switch sends only the latter.
  const fields = (bytes, from, to, visit) => {
    const at = {i: from};
    while (at.i < to) {
      const key = readVarint(bytes, at), field = Math.floor(key / 8), wire = key & 7;
      if (wire === 0) { visit(field, readVarint(bytes, at), null); }
      else if (wire === 2) {
        const length = readVarint(bytes, at);
        visit(field, null, [at.i, at.i + length]);
        at.i += length;
      } else if (wire === 1) { at.i += 8; } else if (wire === 5) { at.i += 4; } else { return; }
    }
  };
  const read = (buffer) => {
    const bytes = new Uint8Array(buffer);
    fields(bytes, 0, bytes.length, (field, value, span) => {
      if (field === 6 && value !== 2) watch.finished += 1;
      if (field === 9 && span) {
        let running = false;
        fields(bytes, span[0], span[1], (inner, flag) => { if (inner === 2) running = flag === 1; });
        watch.running = running;
        if (!running) watch.finished += 1;
      }
    });
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        watch.lastMessage = performance.now();
        if (event.data instanceof ArrayBuffer) read(event.data);
      });
    }
  };
  // A change inside a <canvas> is its fallback content (the data grid's table for screen
  // readers, refreshed a few hundred ms later): never painted, so not waited for.
  const painted = (record) => {
    const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    return !(node && node.closest('canvas'));
  };
  new MutationObserver((records) => {
    if (records.some(painted)) watch.lastChange = performance.now();
  })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const act = (event) => {
    if (watch.armed && watch.mark === null) { watch.mark = event.timeStamp; watch.armed = false; }
  };
  for (const kind of ['pointerdown', 'keydown', 'change', 'input']) {
    document.addEventListener(kind, act, true);
  }
  watch.arm = () => {
    watch.mark = null; watch.armed = true; watch.finishedAtArm = watch.finished;
  };
})();
"""
SETTLED = """(quiet) => {
  const watch = window.__dkWatch;
  if (!watch || watch.mark === null || watch.running) return false;
  if (watch.finished <= watch.finishedAtArm) return false;
  if (document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]'))
    return false;
  return performance.now() - Math.max(watch.lastMessage, watch.lastChange) >= quiet;
}"""
ELAPSED = "() => Math.max(window.__dkWatch.lastMessage, window.__dkWatch.lastChange) - window.__dkWatch.mark"
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .every((chart) => chart.querySelector('.main-svg') !== null)"""


def browser_missing() -> str | None:
    """What the browser part lacks here (Playwright, the system Chromium), or None."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright (pip install 'dashkit[bench]')"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} (apt-get install chromium)"
    return None


@dataclass
class _Target:
    name: str
    base_url: str
    page: Any = None
    context: Any = None
    page_choice: int = 0
    language_choice: int = 0


def _settle(page: Any) -> float:
    page.wait_for_function(SETTLED, arg=QUIET_MS, polling=50, timeout=TIMEOUT_MS)
    if not page.evaluate(CHARTS_DRAWN):
        raise RuntimeError(f"a chart was not drawn on {page.url}")
    return float(page.evaluate(ELAPSED))


def _open(browser: Any, url: str) -> tuple[Any, Any, float]:
    """A new browser context (empty cache, new session) showing ``url``, settled; and the ms
    from the navigation's start until it settled."""
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.add_init_script("window.__dkWatch && (window.__dkWatch.mark = 0)")
    page.goto(url, timeout=TIMEOUT_MS)
    page.evaluate("window.__dkWatch.mark = 0")  # the navigation's start is performance.now() 0
    return context, page, _settle(page)


def _acted(page: Any, action: Callable[[], None]) -> float:
    page.evaluate("window.__dkWatch.arm()")
    action()
    return _settle(page)


def _first_load(browser: Any, target: _Target) -> float:
    context, _, elapsed = _open(browser, f"{target.base_url}/")
    context.close()
    return elapsed


def _ensure_page(browser: Any, target: _Target, path: str | None = "") -> Any:
    """The target's page, showing ``path`` (the Overview by default, None: any page); getting
    there untimed."""
    if target.page is None:
        target.context, target.page, _ = _open(browser, f"{target.base_url}/{path or ''}")
    elif (
        path is not None
        and target.name != FLOOR
        and target.page.url.split("?")[0] != f"{target.base_url}/{path}"
    ):
        _acted(target.page, _nav_link(target.page, path).click)
    return target.page


def _nav_link(page: Any, path: str) -> Any:
    if path == "":
        return page.get_by_test_id("stSidebarNav").locator("a").first
    return page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]')


def _filter_change(browser: Any, target: _Target) -> float:
    page = _ensure_page(browser, target)
    where = page if target.name == FLOOR else page.get_by_test_id("stSidebar")
    selectbox = where.get_by_test_id("stSelectbox").first  # the year comes first
    selectbox.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    # Between the two latest years, back and forth: both are warmed up, at every scale (a
    # year seen for the first time would be a cold cache at national, with ten years).
    years = [options.nth(index).inner_text().strip() for index in range(options.count())]
    latest = sorted(years, key=int, reverse=True)[:2]
    chosen = page.locator("[role='option'][aria-selected='true']")
    current = chosen.first.inner_text().strip() if chosen.count() else ""
    other = next(year for year in latest if year != current)
    return _acted(page, options.nth(years.index(other)).click)


def _page_switch(browser: Any, target: _Target) -> float:
    page = _ensure_page(browser, target, None)
    target.page_choice += 1
    path = PAGES[target.page_choice % len(PAGES)]
    return _acted(page, _nav_link(page, path).click)


def _language_switch(browser: Any, target: _Target) -> float:
    page = _ensure_page(browser, target)
    buttons = page.locator(f".st-key-{LANGUAGE_KEY} button")
    target.language_choice += 1
    return _acted(page, buttons.nth(target.language_choice % 2).click)


@dataclass
class _ImportRun:
    store: Store
    file: Path
    page: Any = None
    context: Any = None
    committed: bool = False


def _import_check(browser: Any, target: _Target, run: _ImportRun) -> float:
    if run.context is not None:
        run.context.close()
    run.context, run.page, _ = _open(browser, f"{target.base_url}/import")
    uploader = run.page.get_by_test_id("stFileUploaderDropzoneInput").first
    elapsed = _acted(run.page, lambda: uploader.set_input_files(str(run.file)))
    run.page.locator(".st-key-import_commit button").wait_for(timeout=TIMEOUT_MS)
    return elapsed


def _import_commit(run: _ImportRun) -> float:
    button = run.page.locator(".st-key-import_commit button")
    elapsed = _acted(run.page, button.click)
    _undo_last(run.store, run.file)
    return elapsed


def _undo_last(store: Store, file: Path) -> None:
    newest = history(store)[0]
    if file.name not in (newest.file or ""):  # the click did not commit: undo nothing else
        raise RuntimeError(f"the bench's import of {file.name} is not the newest commit")
    undo(store, newest.commit_id, user="dashkit bench")


@contextmanager
def _chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # the bench extra: only this part needs it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def measure(
    servers: Mapping[str, str],
    repetitions: int,
    imports: Mapping[str, tuple[Store, Path]],
) -> dict[str, dict[str, dict[str, float]]]:
    """Per server name, per measurement, the median / min / max in ms (see the contract)."""
    repetitions = max(repetitions, MIN_REPETITIONS)
    targets = {name: _Target(name, url) for name, url in servers.items()}
    runs = {name: _ImportRun(store, path) for name, (store, path) in imports.items()}
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in servers}

    def record(server: str, name: str, value: float, round_number: int) -> None:
        if round_number >= WARMUP.get(name, 1):
            samples[server].setdefault(name, []).append(value)

    with _chromium() as browser:
        steps: dict[str, Callable[[Any, _Target], float]] = {
            "first_load": _first_load,
            "page_switch": _page_switch,
            "filter_change": _filter_change,
            "language_switch": _language_switch,
        }
        for name, step in steps.items():
            for round_number in range(WARMUP.get(name, 1) + repetitions):
                for server, target in targets.items():
                    if server == FLOOR and name not in FLOOR_NAMES:
                        continue
                    record(server, name, step(browser, target), round_number)
        for target in targets.values():
            if target.context is not None:
                target.context.close()
        for round_number in range(1 + repetitions):
            for server, run in runs.items():
                target = targets[server]
                record(server, "import_check_1k", _import_check(browser, target, run), round_number)
                record(server, "import_commit_1k", _import_commit(run), round_number)
        for run in runs.values():
            if run.context is not None:
                run.context.close()
    return {
        server: {
            name: Timing(statistics.median(values), min(values), max(values)).as_dict()
            for name, values in by_name.items()
        }
        for server, by_name in samples.items()
    }
