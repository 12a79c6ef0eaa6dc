"""The Flask extension a host registers: ``AnkleIntake(app)`` or ``init_app(app)``."""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from . import config as cfg
from .i18n import init_babel
from .state import EXTENSION_KEY, State, state
from .store import Storage, sqlite_url

log = logging.getLogger("ankle_intake")

class AnkleIntake:
    """Ankle-pain intake for runners inside a host Flask app.

    The extension never holds the app; per-app state lives in
    ``app.extensions["ankle_intake"]`` so one instance can serve many apps.
    """

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Register the plugin on ``app``.

        Settings (``app.config``; defaults in :data:`ankle_intake.config.DEFAULTS`):

        - ``ANKLE_INTAKE_URL_PREFIX`` (``"/ankle"``): where the pages and API live.
        - ``ANKLE_INTAKE_DATABASE_URL`` (None): any SQLAlchemy URL; None stores in
          an SQLite file in ``app.instance_path``.
        - ``ANKLE_INTAKE_AUTHORIZE`` (None): a plain callable with no arguments, called
          on every plugin request; only ``True`` lets the request in, anything else
          (False, None, "no", 1, a response, a user object) is 403. An ``async def``
          hook is refused here (TypeError). None = every plugin route is 403.
        - ``ANKLE_INTAKE_PAGE_SIZE`` (``"A4"``): ``"A4"`` or ``"letter"`` for the handout.
        - ``ANKLE_INTAKE_BASE_TEMPLATE`` (``"ankle_intake/base.html"``): the layout
          every page extends; it must provide ``title`` and ``content`` blocks.
        - ``ANKLE_INTAKE_MAX_BODY_BYTES`` (65536): largest JSON body the API reads.
        - ``ANKLE_INTAKE_CLINIC_NAME``, ``ANKLE_INTAKE_CLINIC_PHONE``,
          ``ANKLE_INTAKE_CLINIC_ADDRESS`` (``""``): printed on the handout; text, or a
          callable with no arguments returning text per request (many sites).
        - ``ANKLE_INTAKE_EXERCISE_VIDEO_URL`` (``""``): the clinic's exercise videos, a
          URL template whose only placeholder is ``{exercise_id}`` (http or https,
          checked here); each handout exercise gets a QR code of it. "" = none.
        - ``ANKLE_INTAKE_CURRENT_USER`` (None): a callable with no arguments returning
          ``{"id": ..., "name": ...}`` for the clinician, or None; recorded with every
          change. None = nobody can sign. An ``async def`` hook is refused here.
        - ``ANKLE_INTAKE_DATABASE_TIMEOUT`` (5): seconds a request waits for the store
          (a lock, a pooled connection, connecting) before it answers 503 with
          ``Retry-After``; PostgreSQL statements are cancelled after twice this.
        - ``ANKLE_INTAKE_SQLITE_FILENAME`` (``"ankle_intake.sqlite3"``): the default file.
        - ``ANKLE_INTAKE_FRAME_ANCESTORS`` (``"'self'"``): CSP ``frame-ancestors`` sources,
          the pages that may show the plugin in a frame (an intranet portal, say).

        Unknown ``ANKLE_INTAKE_*`` keys are logged as a warning naming them.
        """
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError(
                "ankle-intake is already registered on this app. Create AnkleIntake once "
                "and call init_app(app) once per app; to change settings, set "
                "ANKLE_INTAKE_* keys in app.config before registering."
            )
        cfg.apply_defaults(app.config)
        cfg.check(app.config)
        unknown = cfg.unknown_keys(app.config)
        if unknown:
            log.warning(
                "ankle-intake ignores unknown settings %s; known settings: %s",
                ", ".join(unknown),
                ", ".join(cfg.PREFIX + name for name in cfg.DEFAULTS),
            )
        if app.config["ANKLE_INTAKE_AUTHORIZE"] is None:
            log.warning(
                "ANKLE_INTAKE_AUTHORIZE is not set: every ankle-intake route answers 403 "
                "until the host sets it to a callable that says who may see patient data."
            )

        url = app.config["ANKLE_INTAKE_DATABASE_URL"]
        make_dirs = None
        if not url:
            url = sqlite_url(app.instance_path, app.config["ANKLE_INTAKE_SQLITE_FILENAME"])
            make_dirs = app.instance_path
        storage = Storage(url, make_dirs=make_dirs,
                          timeout=float(app.config["ANKLE_INTAKE_DATABASE_TIMEOUT"]))
        app.extensions[EXTENSION_KEY] = State(extension=self, storage=storage)
        init_babel(app)

        from .blueprint import create_blueprint

        blueprint = create_blueprint()
        app.register_blueprint(blueprint, url_prefix=app.config["ANKLE_INTAKE_URL_PREFIX"])
        app.after_request(_headers_under_the_prefix)
        _exempt_api_from_host_csrf(app)

    @staticmethod
    def storage(app: Flask | None = None) -> Storage:
        """The intake store of ``app`` (default: the current app)."""
        return state(app).storage


API_BLUEPRINT = "ankle_intake.api"


def _headers_under_the_prefix(response: Response) -> Response:
    """The plugin's headers on a path under its prefix that no route matched (a 404).

    Such a request reaches no blueprint, so the blueprint's own hooks never run;
    a host's own routes (outside the prefix) are left exactly as they are.
    """
    if request.blueprint is not None:
        return response
    prefix = cfg.setting("URL_PREFIX").rstrip("/")
    if request.path == prefix or request.path.startswith(prefix + "/"):
        from .blueprint import _no_store
        from .security import security_headers

        response = security_headers(_no_store(response))
    return response


def _exempt_api_from_host_csrf(app: Flask) -> None:
    """Exempt the JSON API from a host's ``CSRFProtect``, whichever registered first.

    A host CSRFProtect made before us is told now; one made later is told by a
    request hook registered before CSRFProtect's own (app hooks run in order),
    which does nothing for any request outside the plugin's API.
    """

    def exempt() -> None:
        csrf = app.extensions.get("csrf")
        blueprint = app.blueprints.get(API_BLUEPRINT)
        if csrf is not None and blueprint is not None:
            csrf.exempt(blueprint)

    exempt()

    def exempt_before_csrf() -> None:
        if request.blueprint == API_BLUEPRINT:
            exempt()

    app.before_request(exempt_before_csrf)

