"""The visitor's role in the app: login and logout, the account in the sidebar, and the check
every write makes (``require_editor``) before it touches the data.

The policy itself is ``dashkit.access`` (pure); this module feeds it what only Streamlit knows:
the secrets, the logged-in user (``st.user``, from Streamlit's own OpenID Connect login), the
address the server listens on, and the request's headers. It is asked afresh on every run and
on every write, so a role is never remembered past the moment it is checked.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashkit.access import (
    Access,
    AccessSettings,
    Identity,
    Reason,
    access_for,
    local_request,
    settings_from_secrets,
)
from dashkit.errors import DashkitError
from dashkit.i18n import Translator
from dashkit.ui import language


def settings() -> AccessSettings:
    """The access settings from the app's secrets (``UsageError`` when one is malformed)."""
    try:
        secrets: dict[str, Any] = st.secrets.to_dict()
    except FileNotFoundError:  # no secrets file at all: no login, the defaults
        secrets = {}
    return settings_from_secrets(secrets)


def identity() -> Identity | None:
    """The logged-in visitor, or None."""
    user = st.user
    if not user.get("is_logged_in", False):
        return None
    email = user.get("email")
    verified = user.get("email_verified")
    return Identity(
        email=str(email) if email else None,
        email_verified=verified if isinstance(verified, bool) else None,
    )


def local() -> bool:
    """The server listens on loopback only and this request did not come through a proxy."""
    address = st.get_option("server.address")
    return local_request(str(address) if address else None, dict(st.context.headers or {}))


def current(access_settings: AccessSettings | None = None) -> Access:
    """This visitor's access, now."""
    chosen = access_settings if access_settings is not None else settings()
    who = identity() if chosen.login_configured else None
    return access_for(who, chosen, local())


def require_editor(t: Translator) -> bool:
    """Checked by every write at the moment it runs: False (after saying so) unless an editor."""
    try:
        allowed = current().can_edit
    except DashkitError:  # malformed settings: refuse, never guess
        allowed = False
    if not allowed:
        st.error(t("access.refused"), icon=":material/block:")
    return allowed


def user_name() -> str | None:
    """Who to record in the history: the logged-in e-mail address; nobody without login (the
    server's own login name, "root" say, would name the server, not the person at the page:
    the history then reads "this computer, no login")."""
    if not settings().login_configured:
        return None
    who = identity()
    return who.email if who is not None else None


def sidebar(access: Access, access_settings: AccessSettings, t: Translator) -> None:
    """Who is logged in and a log-out button; a log-in button for a visitor who is not."""
    if not access_settings.login_configured:
        return
    with st.sidebar:
        who = identity()
        if who is not None:
            st.caption(
                t(
                    "access.logged_in_as",
                    name=_plain(who.email) if who.email else t("access.no_email"),
                    role=t(f"access.role_{access.role.value if access.role else 'none'}"),
                )
            )
            st.button(
                t("access.logout"), on_click=st.logout, icon=":material/logout:", key="logout"
            )
        else:
            login_buttons(access_settings, t, key="sidebar")


def login_buttons(access_settings: AccessSettings, t: Translator, *, key: str) -> None:
    providers = access_settings.login_providers
    for number, provider in enumerate(providers):
        label = (
            t("access.login")
            if len(providers) == 1
            else t("access.login_with", provider=provider or t("access.default_provider"))
        )
        st.button(
            label,
            on_click=st.login,
            args=(provider,) if provider else (),
            icon=":material/login:",
            key=f"login_{key}_{number}",
            type="primary",
        )


def login_page() -> None:
    """All a visitor who may not view sees: why, and how to log in."""
    t = language.current()
    access_settings = settings()
    st.title(t("access.login_title"))
    if access_settings.login_configured:
        st.info(t("access.login_required"), icon=":material/lock:")
        login_buttons(access_settings, t, key="page")
    else:
        st.warning(t("access.login_required_unconfigured"), icon=":material/lock:")


def refusal(access: Access, access_settings: AccessSettings, t: Translator) -> None:
    """What a visitor who may not edit sees instead of the Import page."""
    if access.reason is Reason.NO_LOGIN:
        st.warning(t("access.read_only_no_login"), icon=":material/lock:")
        st.markdown(t("access.how_to_enable"))
        return
    if access.reason is Reason.ANONYMOUS:
        st.info(t("access.anonymous_import"), icon=":material/lock:")
        login_buttons(access_settings, t, key="import")
        return
    who = identity()
    email = _plain(who.email) if who is not None and who.email else t("access.no_email")
    if access.reason is Reason.UNVERIFIED:
        st.warning(t("access.unverified", email=email), icon=":material/lock:")
    else:
        st.warning(t("access.viewer_only", email=email), icon=":material/lock:")


def _plain(text: str) -> str:
    """Text from the identity provider shown in Markdown as it is, never as markup."""
    return "".join(f"\\{char}" if char in "\\`*_{}[]()#+-.!|<>~$" else char for char in text)
