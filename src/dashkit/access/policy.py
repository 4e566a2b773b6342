"""The access policy: two roles, the settings, and who gets which.

- With login configured (Streamlit's ``st.login``: an ``[auth]`` section in the app's secrets
  with at least one OpenID Connect provider), a logged-in visitor whose e-mail address, or its
  domain, is listed in ``[dashkit] editors`` is an editor; everyone else who logs in is a
  viewer; a visitor who is not logged in is a viewer when ``[dashkit] anonymous_view`` is true
  (the default) and sees nothing but the login prompt when it is false.
- With no login configured, editing is only for a server that listens on the loopback interface
  (``dashkit serve``'s default ``localhost``) and is reached directly, not through a proxy: it
  cannot be reached from other machines, so whoever uses it sits at the machine. A server
  reachable from other machines is read-only.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashkit.errors import UsageError

SECTION = "dashkit"
EDITORS = "editors"
ANONYMOUS_VIEW = "anonymous_view"
# A request that came through a reverse proxy did not come from this machine, whatever the
# socket says: a proxy on the same host connects from loopback.
FORWARDING_HEADERS = frozenset({"forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host"})
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


class Role(enum.Enum):
    VIEWER = "viewer"
    EDITOR = "editor"


class Reason(enum.Enum):
    """Why a visitor has the role they have (the UI explains each differently)."""

    LOCAL = "local"  # no login configured; the server is only reachable from this machine
    NO_LOGIN = "no_login"  # no login configured; the server is reachable from other machines
    ANONYMOUS = "anonymous"  # login configured; the visitor has not logged in
    LISTED = "listed"  # logged in, and the address or its domain is in the editors list
    NOT_LISTED = "not_listed"  # logged in, and neither the address nor its domain is listed
    UNVERIFIED = "unverified"  # logged in with a listed address the provider has not verified


@dataclass(frozen=True)
class Identity:
    """A logged-in visitor as the OpenID Connect provider describes them."""

    email: str | None
    email_verified: bool | None = None  # None: the provider does not say


@dataclass(frozen=True)
class AccessSettings:
    login_providers: tuple[str | None, ...] = ()  # None is ``[auth]``'s unnamed provider
    editors: tuple[str, ...] = ()  # normalised: "name@host" addresses and "@host" domains
    anonymous_view: bool = True

    @property
    def login_configured(self) -> bool:
        return bool(self.login_providers)


@dataclass(frozen=True)
class Access:
    role: Role | None  # None: nothing to see until the visitor logs in
    reason: Reason

    @property
    def can_edit(self) -> bool:
        return self.role is Role.EDITOR

    @property
    def can_view(self) -> bool:
        return self.role is not None


def access_for(
    identity: Identity | None, settings: AccessSettings, bound_to_loopback: bool
) -> Access:
    """The role and its reason for a visitor (``identity`` None: not logged in)."""
    if not settings.login_configured:
        if bound_to_loopback:
            return Access(Role.EDITOR, Reason.LOCAL)
        return Access(Role.VIEWER if settings.anonymous_view else None, Reason.NO_LOGIN)
    if identity is None:
        return Access(Role.VIEWER if settings.anonymous_view else None, Reason.ANONYMOUS)
    if not is_editor(identity.email, settings.editors):
        return Access(Role.VIEWER, Reason.NOT_LISTED)
    if identity.email_verified is False:
        return Access(Role.VIEWER, Reason.UNVERIFIED)
    return Access(Role.EDITOR, Reason.LISTED)


def role_for(
    identity: Identity | None, settings: AccessSettings, bound_to_loopback: bool
) -> Role | None:
    """The visitor's role; None when they must log in to see anything."""
    return access_for(identity, settings, bound_to_loopback).role


def is_editor(email: str | None, editors: Iterable[str]) -> bool:
    """Whether ``email`` is listed, or its domain is (entries normalised by the settings)."""
    if not email:
        return False
    address = email.strip().casefold()
    local, at, domain = address.rpartition("@")
    if not (local and at and domain):
        return False
    listed = set(editors)
    return address in listed or f"@{domain}" in listed


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable from this machine only.

    Unset or empty means every interface (Streamlit's default), as do ``0.0.0.0`` and ``::``.
    """
    if not address:
        return False
    host = address.strip().strip("[]").casefold()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_request(address: str | None, headers: Mapping[str, str]) -> bool:
    """A request to a loopback-bound server that did not come through a reverse proxy."""
    forwarded = {name.casefold() for name in headers} & FORWARDING_HEADERS
    return is_loopback(address) and not forwarded


def settings_from_secrets(secrets: Mapping[str, Any]) -> AccessSettings:
    """The access settings from the app's secrets (``.streamlit/secrets.toml`` as a mapping).

    Raises ``UsageError`` for a setting of the wrong kind, so a typo never grants more than the
    operator meant: the app shows the error and serves nothing until it is fixed.
    """
    section = secrets.get(SECTION) or {}
    if not isinstance(section, Mapping):
        raise UsageError("access.bad_section", section=SECTION)
    return AccessSettings(
        login_providers=_login_providers(secrets.get("auth")),
        editors=_editors(section.get(EDITORS, ())),
        anonymous_view=_flag(section.get(ANONYMOUS_VIEW, True), ANONYMOUS_VIEW),
    )


def _login_providers(auth: object) -> tuple[str | None, ...]:
    """The providers ``st.login`` can use: none unless the shared settings are there."""
    if not isinstance(auth, Mapping) or not {"redirect_uri", "cookie_secret"} <= set(auth):
        return ()
    providers: list[str | None] = []
    if "client_id" in auth and "server_metadata_url" in auth:
        providers.append(None)
    providers.extend(
        str(name)
        for name, value in auth.items()
        if isinstance(value, Mapping) and "client_id" in value and "server_metadata_url" in value
    )
    return tuple(providers)


def _editors(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise UsageError("access.bad_editors", value=repr(value)[:200])
    entries = []
    for item in value:
        entry = item.strip().casefold()
        if not entry:
            continue
        local, at, domain = entry.rpartition("@")
        if not domain or "@" in local or " " in entry:
            raise UsageError("access.bad_editor", entry=item)
        entries.append(entry if at and local else f"@{domain}")
    return tuple(dict.fromkeys(entries))


def _flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().casefold() in _TRUE | _FALSE:
        return value.strip().casefold() in _TRUE
    raise UsageError("access.bad_flag", setting=f"{SECTION}.{name}", value=repr(value)[:200])
