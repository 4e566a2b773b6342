"""The file uploader's own texts, in the user's language.

Contract: ``localize_uploader(key, t, formats)`` writes, just before ``st.file_uploader(...,
key=key)``, a style sheet scoped to that one widget that replaces the three texts Streamlit
draws in English (its "Upload" button, the "500MB per file • CSV, …" line, the "Drag and drop
files here" overlay) by the catalogue's ``uploader.*`` texts: the size limit is the server's
``server.maxUploadSize``, the formats are ``formats``.

Why CSS: Streamlit 1.67 has no parameter for these texts, and no maintained component replaces
its uploader's chunked upload, XSRF protection and size limit; a widget of our own would have
to redo all three. The texts are drawn with CSS ``content`` over Streamlit's stable
``data-testid`` hooks, and ``tests/browser/test_uploader_browser.py`` reads the visible texts,
so a Streamlit release that moves them fails the suite instead of showing English again.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashkit.i18n import Translator

_FONT = "0.875rem"  # the size Streamlit gives each of the three texts


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def uploader_css(key: str, t: Translator, formats: Sequence[str], limit_mb: int) -> str:
    scope = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    texts = {
        f"{scope} [data-testid='stBaseButton-secondary'] [data-testid='stMarkdownContainer'] p": (
            t("uploader.browse")
        ),
        f"{scope} > [data-testid='stFileUploaderDropzoneInstructions'] span": t(
            "uploader.limits",
            size=t.integer(limit_mb),
            formats=", ".join(extension.upper() for extension in formats),
        ),
        f"{scope} > div:not([data-testid]) > span": t("uploader.drop_here"),
    }
    rules = [
        f"{selector} {{font-size: 0;}}\n"
        f"{selector}::after {{content: {_css_string(text)}; font-size: {_FONT};}}"
        for selector, text in texts.items()
    ]
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def localize_uploader(key: str, t: Translator, formats: Sequence[str]) -> None:
    limit_mb = int(st.get_option("server.maxUploadSize"))
    st.html(uploader_css(key, t, formats, limit_mb))
