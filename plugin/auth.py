"""Closed by default: every plugin request asks the host's authorize hook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from flask import abort, current_app


def require_authorized() -> None:
    """``before_request`` of the plugin's blueprint: 403 unless the host's hook says yes.

    The hook is read per request so a host may swap it (tests, feature flags);
    with no hook set, nothing is served: patient data is never public by default.
    """
    authorize = current_app.config.get("ANKLE_INTAKE_AUTHORIZE")
    if authorize is None or not authorize():
        abort(403)


class User(NamedTuple):
    """The clinician ``ANKLE_INTAKE_CURRENT_USER`` names: an id for the audit, a name to print."""

    id: str
    name: str


def current_user() -> User | None:
    """The current clinician, or None (no hook, nobody logged in, or an unusable answer).

    Only an id and a name of text are taken; anything else counts as nobody,
    so a hook returning a user object by mistake can never sign as someone.
    """
    hook = current_app.config.get("ANKLE_INTAKE_CURRENT_USER")
    if hook is None:
        return None
    found = hook()
    if not isinstance(found, Mapping):
        return None
    user_id, name = found.get("id"), found.get("name")
    if not isinstance(user_id, str) or not user_id.strip() or not isinstance(name, str):
        return None
    return User(user_id.strip()[:128], " ".join(name.split())[:120] or user_id.strip()[:120])
