"""The language switch: Vietnamese by default, English one click away, kept in the URL (``?lang=en``)."""

from __future__ import annotations

import streamlit as st

from dashkit.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, translator

KEY = "lang"


def current() -> Translator:
    """The translator for the language chosen in this session (or the URL)."""
    return translator(st.session_state.get(KEY) or DEFAULT_LANGUAGE)


def switch() -> Translator:
    """Show the switch in the sidebar and return the chosen language's translator."""
    neutral = translator(DEFAULT_LANGUAGE)
    with st.sidebar:
        chosen = st.segmented_control(
            neutral("language.label"),
            LANGUAGES,
            default=DEFAULT_LANGUAGE,
            required=True,
            format_func=lambda code: neutral(f"language.{code}"),
            key=KEY,
            bind="query-params",
        )
    return translator(chosen or DEFAULT_LANGUAGE)
