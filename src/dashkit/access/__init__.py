"""Who may change the data: the viewer and editor roles, the settings that grant them, and the
policy that gives a visitor their role. Pure: no Streamlit, no store; the UI feeds it the
visitor's identity, the app's secrets and where the server listens."""

from __future__ import annotations

from dashkit.access.policy import (
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

__all__ = [
    "Access",
    "AccessSettings",
    "Identity",
    "Reason",
    "Role",
    "access_for",
    "is_editor",
    "is_loopback",
    "local_request",
    "role_for",
    "settings_from_secrets",
]
