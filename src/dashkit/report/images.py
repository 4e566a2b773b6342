"""Plotly figures to PNG with Kaleido, driving a Chromium that is already installed.

Contract: ``render_png(figures)`` returns one PNG per figure, or no images and the reason when
the export cannot run (no browser, a browser that will not start, a timeout): the caller
writes its report without images and says so; this never raises for a failed export.

Kaleido 1.x renders in a headless Chrome/Chromium through ``choreographer``. It is pointed at
the browser with ``Kaleido(path=…)``: ``DASHKIT_BROWSER`` or choreographer's own
``BROWSER_PATH`` when set, else the first of the usual executables on ``PATH``
(``chromium``, ``chromium-browser``, ``google-chrome`` …), else choreographer's own search.
Nothing is downloaded: MathJax (fetched from a CDN by default) is switched off and plotly.js
comes from the installed Plotly package. choreographer starts the browser with
``--no-sandbox`` unless asked otherwise, so it also runs as root in a container. All figures
go through one browser in a worker thread (so a caller with its own event loop is fine) with a
deadline; a browser that hangs is abandoned, not waited for.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

BROWSER_ENV = ("DASHKIT_BROWSER", "BROWSER_PATH")
BROWSER_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "msedge",
)
SCALE = 2  # device pixels per CSS pixel: sharp when printed
PER_IMAGE_SECONDS = 60.0
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Rendered:
    images: tuple[bytes, ...]
    error: str | None = None  # why there are no images

    @property
    def ok(self) -> bool:
        return self.error is None


def find_browser() -> str | None:
    """The browser executable to use; None to let choreographer search for its own."""
    for name in BROWSER_ENV:
        value = os.environ.get(name)
        if value:
            return value
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def render_png(figures: Sequence[go.Figure]) -> Rendered:
    if not figures:
        return Rendered(images=())
    outcome: list[Rendered] = []

    def work() -> None:
        try:
            outcome.append(Rendered(images=asyncio.run(_render(figures))))
        except Exception as error:  # any failure of the export leaves the report imageless
            outcome.append(Rendered(images=(), error=_describe(error)))

    worker = threading.Thread(target=work, name="dashkit-kaleido", daemon=True)
    worker.start()
    worker.join(STARTUP_SECONDS + PER_IMAGE_SECONDS * len(figures))
    if not outcome:
        return Rendered(images=(), error="timed out")
    return outcome[0]


async def _render(figures: Sequence[go.Figure]) -> tuple[bytes, ...]:
    import kaleido  # heavy, and only needed here

    options: dict[str, object] = {"n": 1, "timeout": PER_IMAGE_SECONDS, "mathjax": False}
    browser = find_browser()
    if browser is not None:
        options["path"] = browser
    images: list[bytes] = []
    async with kaleido.Kaleido(**options) as renderer:
        for figure in figures:
            layout = figure.layout
            image = await renderer.calc_fig(
                figure,
                opts={
                    "format": "png",
                    "width": int(layout.width or 900),
                    "height": int(layout.height or 450),
                    "scale": SCALE,
                },
            )
            images.append(bytes(image))
    return tuple(images)


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())
    name = type(error).__name__
    return f"{name}: {text[:200]}" if text else name
