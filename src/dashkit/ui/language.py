"""The language switch: Vietnamese by default, English one click away, kept in the URL as
``?lang=en``.

Synced with ``st.query_params`` by hand rather than with a bound widget: a bound widget writes
the option's *label* ("English") into the URL, and links should carry the code.
"""

from __future__ import annotations

import streamlit as st

from dashkit.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, translator

KEY = "lang"
BAD_LINK = "_bad_lang_in_link"


def current() -> Translator:
    """The translator for the language of this session: the switch's value, else the URL's.

    Safe to call before the switch is drawn (the navigation's page titles need it first).
    """
    if KEY not in st.session_state:
        from_url = st.query_params.get(KEY)
        st.session_state[KEY] = from_url if from_url in LANGUAGES else DEFAULT_LANGUAGE
        if from_url is not None and from_url not in LANGUAGES:
            st.session_state[BAD_LINK] = from_url
    return translator(st.session_state.get(KEY) or DEFAULT_LANGUAGE)


def switch() -> Translator:
    """Show the switch in the sidebar, put the choice in the URL, return its translator.

    Call it after ``st.navigation``: the navigation rewrites the URL's query string with the
    one the browser sent, which would undo a change written before it.
    """
    current()
    neutral = translator(DEFAULT_LANGUAGE)
    with st.sidebar:
        chosen = st.segmented_control(
            neutral("language.label"),
            LANGUAGES,
            required=True,
            format_func=lambda code: neutral(f"language.{code}"),
            key=KEY,
        )
    language = chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
    if bad := st.session_state.pop(BAD_LINK, None):
        st.toast(
            translator(language)("filters.bad_link", params=f"lang={bad}"),
            icon=":material/link_off:",
        )
    if language == DEFAULT_LANGUAGE:
        st.query_params.pop(KEY, None)
    else:
        st.query_params[KEY] = language
    return translator(language)
