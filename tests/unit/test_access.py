"""The access policy: settings from the secrets, who is an editor, where the server listens."""

from __future__ import annotations

from typing import Any

import pytest

from dashkit.access import (
    Access,
    AccessSettings,
    Identity,
    Reason,
    Role,
    access_for,
    is_editor,
    is_loopback,
    local_request,
    role_for,
    settings_from_secrets,
)
from dashkit.errors import UsageError
from dashkit.i18n import LANGUAGES, translator

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "s3cret",
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://id.example.vn/.well-known/openid-configuration",
}
LOGIN = AccessSettings(login_providers=(None,), editors=("chanh.vp@example.vn", "@vp.example.vn"))
NO_LOGIN = AccessSettings()


def test_no_secrets_means_no_login_no_editors_and_anonymous_view() -> None:
    settings = settings_from_secrets({})
    assert settings == AccessSettings(login_providers=(), editors=(), anonymous_view=True)
    assert not settings.login_configured


def test_the_dashkit_section_is_read_and_normalised() -> None:
    settings = settings_from_secrets(
        {
            "auth": AUTH,
            "dashkit": {
                "editors": [" Chanh.VP@Example.vn ", "@VP.example.vn", "so.example.vn", ""],
                "anonymous_view": False,
            },
        }
    )
    assert settings.login_providers == (None,)
    assert settings.editors == ("chanh.vp@example.vn", "@vp.example.vn", "@so.example.vn")
    assert settings.anonymous_view is False


def test_editors_may_be_one_string_and_flags_may_be_words() -> None:
    settings = settings_from_secrets(
        {"dashkit": {"editors": "a@x.vn, @y.vn", "anonymous_view": "no"}}
    )
    assert settings.editors == ("a@x.vn", "@y.vn")
    assert settings.anonymous_view is False


@pytest.mark.parametrize(
    ("auth", "providers"),
    [
        (AUTH, (None,)),
        ({"redirect_uri": "u", "cookie_secret": "c", "google": AUTH}, ("google",)),
        ({**AUTH, "microsoft": AUTH, "other": {"x": 1}}, (None, "microsoft")),
        ({k: v for k, v in AUTH.items() if k != "cookie_secret"}, ()),  # Streamlit refuses it
        ({"redirect_uri": "u", "cookie_secret": "c"}, ()),  # no provider
        ("not a table", ()),
    ],
)
def test_login_is_configured_only_with_a_usable_provider(
    auth: Any, providers: tuple[str | None, ...]
) -> None:
    assert settings_from_secrets({"auth": auth}).login_providers == providers


@pytest.mark.parametrize(
    ("dashkit", "key"),
    [
        ("editors", "access.bad_section"),
        ({"editors": 5}, "access.bad_editors"),
        ({"editors": ["a@x.vn", 3]}, "access.bad_editors"),
        ({"editors": ["a@"]}, "access.bad_editor"),
        ({"editors": ["a@b@x.vn"]}, "access.bad_editor"),
        ({"editors": ["ten can bo"]}, "access.bad_editor"),
        ({"anonymous_view": "perhaps"}, "access.bad_flag"),
        ({"anonymous_view": 1}, "access.bad_flag"),
    ],
)
def test_a_malformed_setting_is_refused_with_a_catalogue_message(dashkit: Any, key: str) -> None:
    with pytest.raises(UsageError) as raised:
        settings_from_secrets({"dashkit": dashkit})
    assert raised.value.key == key
    for language in LANGUAGES:
        assert translator(language).has(f"error.{key}")


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("chanh.vp@example.vn", True),
        ("CHANH.VP@EXAMPLE.VN", True),
        ("ai.do@vp.example.vn", True),
        ("ai.do@example.vn", False),  # the domain is not listed, only one address in it
        ("ai.do@sub.vp.example.vn", False),  # a domain does not list its subdomains
        ("ai.do@evilvp.example.vn", False),
        ("vp.example.vn", False),
        ("@vp.example.vn", False),
        ("", False),
        (None, False),
    ],
)
def test_is_editor(email: str | None, expected: bool) -> None:
    assert is_editor(email, LOGIN.editors) is expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        (None, False),  # Streamlit's default: every interface
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("dashboard.example.vn", False),
    ],
)
def test_is_loopback(address: str | None, expected: bool) -> None:
    assert is_loopback(address) is expected


def test_a_request_through_a_proxy_is_not_local() -> None:
    assert local_request("localhost", {"Host": "localhost:8501"})
    assert not local_request("localhost", {"X-Forwarded-For": "203.0.113.5"})
    assert not local_request("127.0.0.1", {"forwarded": "for=203.0.113.5"})
    assert not local_request("0.0.0.0", {})


@pytest.mark.parametrize(
    ("identity", "settings", "loopback", "expected"),
    [
        # No login configured: the machine decides.
        (None, NO_LOGIN, True, Access(Role.EDITOR, Reason.LOCAL)),
        (None, NO_LOGIN, False, Access(Role.VIEWER, Reason.NO_LOGIN)),
        (
            None,
            AccessSettings(anonymous_view=False),
            False,
            Access(None, Reason.NO_LOGIN),
        ),
        # Login configured: the identity decides, wherever the server listens.
        (None, LOGIN, True, Access(Role.VIEWER, Reason.ANONYMOUS)),
        (None, LOGIN, False, Access(Role.VIEWER, Reason.ANONYMOUS)),
        (
            None,
            AccessSettings(login_providers=(None,), anonymous_view=False),
            True,
            Access(None, Reason.ANONYMOUS),
        ),
        (Identity("chanh.vp@example.vn"), LOGIN, False, Access(Role.EDITOR, Reason.LISTED)),
        (Identity("ke.toan@vp.example.vn", True), LOGIN, False, Access(Role.EDITOR, Reason.LISTED)),
        (Identity("dan@example.vn"), LOGIN, True, Access(Role.VIEWER, Reason.NOT_LISTED)),
        (Identity(None), LOGIN, True, Access(Role.VIEWER, Reason.NOT_LISTED)),
        (
            Identity("chanh.vp@example.vn", email_verified=False),
            LOGIN,
            False,
            Access(Role.VIEWER, Reason.UNVERIFIED),
        ),
    ],
)
def test_access_for(
    identity: Identity | None, settings: AccessSettings, loopback: bool, expected: Access
) -> None:
    assert access_for(identity, settings, loopback) == expected
    assert role_for(identity, settings, loopback) is expected.role
    assert expected.can_edit is (expected.role is Role.EDITOR)
    assert expected.can_view is (expected.role is not None)
