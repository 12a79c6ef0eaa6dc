"""A minimal demo host: ``flask --app ankle_intake.demo run``, then open /ankle/intake.

Development only. Its authorize hook lets everyone in and says so with a
warning in the log (at start-up and on the first request it lets through),
so it cannot pass unnoticed as a real deployment.
"""

from __future__ import annotations

import logging
import os
import secrets
from typing import Any

from flask import Flask, redirect, url_for

from .extension import AnkleIntake

log = logging.getLogger("ankle_intake.demo")


WARNING = "ankle-intake demo: DEVELOPMENT-ONLY authorize hook lets everyone see patient data"
_warned = False


def allow_everyone() -> bool:
    """The demo's authorize hook: development only, never in production."""
    global _warned
    if not _warned:
        _warned = True
        log.warning(WARNING)
    return True


def demo_user() -> dict[str, str]:
    """The demo's clinician, so that plans can be signed: development only."""
    return {"id": "demo-physio", "name": "Demo Physiotherapist"}


def weak_secret_key(secret: str) -> bool:
    """True for a key anyone could guess: under 32 characters once trimmed, or of few characters.

    "x" * 64 or 40 spaces pass a length check and sign nothing; ``secrets.token_hex(32)``
    has 64 characters drawn from 16.
    """
    return len(secret.strip()) < 32 or len(set(secret)) < 8


def _secret_key(given: str | None) -> str:
    if not given:
        return secrets.token_hex(32)
    if weak_secret_key(given):
        raise RuntimeError(
            "ANKLE_INTAKE_DEMO_SECRET_KEY is too weak (under 32 characters, or one character "
            "repeated); leave it unset for a random key, or use the output of: "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return given


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The demo host app: embedded SQLite in its instance folder, plugin at /ankle."""
    app = Flask(__name__, instance_path=os.environ.get("ANKLE_INTAKE_DEMO_INSTANCE"))
    app.config["SECRET_KEY"] = _secret_key(os.environ.get("ANKLE_INTAKE_DEMO_SECRET_KEY"))
    app.config["ANKLE_INTAKE_AUTHORIZE"] = allow_everyone
    app.config["ANKLE_INTAKE_CURRENT_USER"] = demo_user
    app.config.update(config or {})
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO)
    log.warning(WARNING)
    AnkleIntake(app)

    @app.get("/")
    def index() -> Any:
        return redirect(url_for("ankle_intake.intake"))

    return app
