"""WSGI entry for a clinic server: the plugin in a small host app configured by environment.

gunicorn loads it through ``deploy/gunicorn.conf.py`` (``wsgi_app = "wsgi:create_app()"``).
Everything comes from environment variables (systemd ``EnvironmentFile``, compose
``environment``), so the code is the same on every server:

- ``SECRET_KEY`` (required, 32+ characters): signs the session and CSRF tokens.
- ``ANKLE_INTAKE_*``: the plugin's settings (README, "Settings"), e.g.
  ``ANKLE_INTAKE_DATABASE_URL``; numbers are read as numbers.
  ``ANKLE_INTAKE_AUTHORIZE`` cannot come from the environment: the hook below is used.
- ``ANKLE_INSTANCE_PATH`` (default ``/var/lib/ankle-intake``): the SQLite file's
  folder when ``ANKLE_INTAKE_DATABASE_URL`` is unset.
- ``ANKLE_COOKIE_SECURE`` (default ``1``): session cookie only over HTTPS.
- ``ANKLE_SSO_*``: the authorize hook, below.

The authorize hook trusts an intranet single-sign-on proxy (nginx with
``auth_request``, Apache ``mod_auth_*``, oauth2-proxy) that has already logged
the clinician in and passes the user name in a header, by default
``X-Remote-User``. RISK: a header is only as trustworthy as the path it came
by. Anyone who can reach gunicorn without passing through the proxy can send
``X-Remote-User: anyone`` and read patient data. So the hook believes the
header only when the request comes from an address in ``ANKLE_SSO_TRUSTED_PROXIES``
(default ``127.0.0.1,::1``: gunicorn bound to loopback with the proxy on the
same server), and the proxy must overwrite the header on every request
(``proxy_set_header``), never pass on one the browser sent. Who may use the
plugin: ``ANKLE_SSO_ALLOWED_USERS`` (comma-separated user names) and/or
``ANKLE_SSO_ALLOWED_GROUPS`` matched against ``ANKLE_SSO_GROUPS_HEADER``
(default ``X-Remote-Groups``, comma-separated); ``ANKLE_SSO_ALLOW_ANY_USER=1``
lets in every user the proxy logged in. With none of these, everyone is refused.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app, request

from ankle_intake import AnkleIntake
from ankle_intake import config as plugin_config
from ankle_intake.extension import state

log = logging.getLogger("ankle_intake.deploy")

PLUGIN_PREFIX = plugin_config.PREFIX  # ANKLE_INTAKE_


def _csv(value: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (value or "").split(",") if part.strip())


def _flag(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def sso_authorize(env: Mapping[str, str]) -> Callable[[], bool]:
    """The authorize hook for a trusted SSO proxy, configured from ``env`` (see above)."""
    user_header = env.get("ANKLE_SSO_USER_HEADER", "X-Remote-User")
    groups_header = env.get("ANKLE_SSO_GROUPS_HEADER", "X-Remote-Groups")
    # "unix": gunicorn on its Unix socket (the default) reports no peer address.
    proxies = _csv(env.get("ANKLE_SSO_TRUSTED_PROXIES", "unix,127.0.0.1,::1"))
    users = _csv(env.get("ANKLE_SSO_ALLOWED_USERS"))
    groups = _csv(env.get("ANKLE_SSO_ALLOWED_GROUPS"))
    anyone = _flag(env.get("ANKLE_SSO_ALLOW_ANY_USER"), False)
    if not (users or groups or anyone):
        log.warning(
            "ankle-intake: no ANKLE_SSO_ALLOWED_USERS, ANKLE_SSO_ALLOWED_GROUPS or "
            "ANKLE_SSO_ALLOW_ANY_USER set: every clinician is refused (403)."
        )

    def authorize() -> bool:
        if (request.remote_addr or "unix") not in proxies:
            return False  # the header could have come from anyone
        user = request.headers.get(user_header, "").strip()
        if not user:
            return False
        if anyone or user in users:
            return True
        return bool(groups & _csv(request.headers.get(groups_header)))

    return authorize


def sso_user(env: Mapping[str, str], authorize: Callable[[], bool]) -> Callable[[], Any]:
    """``ANKLE_INTAKE_CURRENT_USER`` from the same trusted proxy headers as the login.

    The id is the login (``X-Remote-User``), the name the proxy's display-name
    header (``ANKLE_SSO_NAME_HEADER``, default ``X-Remote-Name``) or else the login;
    nobody unless :func:`sso_authorize`'s hook lets the request in.
    """
    user_header = env.get("ANKLE_SSO_USER_HEADER", "X-Remote-User")
    name_header = env.get("ANKLE_SSO_NAME_HEADER", "X-Remote-Name")

    def current_user() -> dict[str, str] | None:
        if authorize() is not True:
            return None
        user = request.headers.get(user_header, "").strip()
        name = request.headers.get(name_header, "").strip() or user
        return {"id": user, "name": name}

    return current_user


def plugin_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """``ANKLE_INTAKE_*`` environment variables as config values of the defaults' types.

    Unknown names are passed on too, so the plugin's start-up warning names the typo.
    """
    settings: dict[str, Any] = {}
    for key, raw in env.items():
        if not key.startswith(PLUGIN_PREFIX):
            continue
        name = key[len(PLUGIN_PREFIX):]
        if name in ("AUTHORIZE", "CURRENT_USER"):
            raise RuntimeError(
                f"ANKLE_INTAKE_{name} cannot be set from the environment; "
                "deploy/wsgi.py uses the ANKLE_SSO_* hooks."
            )
        default = plugin_config.DEFAULTS.get(name)
        if isinstance(default, int) and not isinstance(default, bool):
            settings[key] = int(raw)
        elif name == "DATABASE_URL":
            settings[key] = raw or None
        else:
            settings[key] = raw
    return settings


def prepare_database(env: Mapping[str, str] | None = None) -> str:
    """Create the table if missing and close the connections; returns the URL, password hidden.

    Called by gunicorn's master before it forks, so no connection is shared with a worker.
    """
    app = create_app(env)
    storage = state(app).storage
    storage.create_tables()
    url = storage.engine.url.render_as_string(hide_password=True)
    storage.dispose()
    log.info("ankle-intake: database ready at %s", url)
    return url


def create_app(env: Mapping[str, str] | None = None) -> Flask:
    """The clinic's app: the plugin at ``ANKLE_INTAKE_URL_PREFIX`` and a ``/healthz`` check."""
    env = os.environ if env is None else env
    secret = env.get("SECRET_KEY", "")
    if len(secret.strip()) < 32 or len(set(secret)) < 8:
        raise RuntimeError(
            "Set SECRET_KEY to a random string of at least 32 characters (not blanks, not "
            "one character repeated), e.g. the output of: "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    logging.basicConfig(level=env.get("ANKLE_LOG_LEVEL", "INFO").upper())
    app = Flask(
        "ankle_intake_clinic",
        instance_path=env.get("ANKLE_INSTANCE_PATH", "/var/lib/ankle-intake"),
    )
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_SECURE=_flag(env.get("ANKLE_COOKIE_SECURE"), True),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    authorize = sso_authorize(env)
    app.config.update(ANKLE_INTAKE_AUTHORIZE=authorize,
                      ANKLE_INTAKE_CURRENT_USER=sso_user(env, authorize))
    app.config.update(plugin_settings(env))
    AnkleIntake(app)

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, str], int]:
        """For the proxy, systemd and compose: the app runs and its store can be read.

        A real read, as a request makes it: the schema revision and a row of the
        intake table, so a corrupt SQLite file or a dropped table fails (503),
        not only a database that refuses connections. Bounded by
        ``ANKLE_INTAKE_DATABASE_TIMEOUT``.
        """
        try:
            state(current_app).storage.health()
        except Exception:  # the reason goes to the log, not to the caller
            log.exception("healthz: the store cannot be read")
            return {"status": "database unavailable"}, 503
        return {"status": "ok"}, 200

    return app
