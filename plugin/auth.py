"""Closed by default: every plugin request asks the host's authorize hook."""

from __future__ import annotations

from flask import abort, current_app


def require_authorized() -> None:
    """``before_request`` of the plugin's blueprint: 403 unless the host's hook says yes.

    The hook is read per request so a host may swap it (tests, feature flags);
    with no hook set, nothing is served: patient data is never public by default.
    """
    authorize = current_app.config.get("ANKLE_INTAKE_AUTHORIZE")
    if authorize is None or not authorize():
        abort(403)
