"""The plugin's one blueprint, assembled from its surfaces, behind the host's hook.

Each surface (``web``, ``api``, ``fhir``) adds its own routes and its own part
of the OpenAPI document; this module, at the top, is the only one that knows
them all, so no surface imports another's views or back up into the face.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import ServiceUnavailable

from . import cli, fhir, web
from .api import create_api_blueprint
from .auth import require_authorized
from .fhir.openapi import add_fhir_paths
from .i18n import N_, gettext, template_callables
from .security import security_headers
from .store.decisions import AuditFailed
from .store.records import RETRY_AFTER, STORE_ERRORS, describe, is_outage
from .web.handout import add_handout_paths

log = logging.getLogger("ankle_intake")

#: What a page says when the store did not answer.
STORE_UNAVAILABLE = N_("The intake store is not answering (busy or unavailable), so nothing "
                       "was saved or shown. Try again in a minute; if it keeps happening, "
                       "tell whoever runs this service.")
#: What a page says when its view, print or export could not be put in the audit trail.
AUDIT_UNAVAILABLE = N_("This could not be recorded in the audit trail, so it is not shown. "
                       "Try again in a moment.")


def create_blueprint() -> Blueprint:
    """A fresh blueprint per app, so per-app registration never shares hook lists."""
    bp = Blueprint(
        "ankle_intake",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
        cli_group="ankle-intake",
    )
    bp.before_request(require_authorized)
    bp.after_request(_no_store)
    bp.after_request(security_headers)
    bp.context_processor(template_callables)
    for error in STORE_ERRORS:
        bp.register_error_handler(error, store_unavailable)
    # Every page that writes an audit row first (review, handout, note) answers through
    # here; the API and the FHIR base have JSON and OperationOutcome handlers of their own.
    bp.register_error_handler(AuditFailed, audit_unavailable)
    api = create_api_blueprint(parts=(add_fhir_paths, add_handout_paths))
    web.register(bp, api)
    fhir.register(bp, api)
    cli.register(bp)
    bp.register_blueprint(api)
    return bp


def _no_store(response: Response) -> Response:
    # Every plugin response may carry patient data; no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


def store_unavailable(exc: Exception) -> Any:
    """A page's answer when the store fails (locked, full, read-only, corrupt, down): 503.

    Scoped to the plugin's blueprint, never the host's pages. The page is the
    host's own 503 page if it has one (its handler for 503 is asked), else
    Werkzeug's; either way with ``Retry-After``. Any other database error (an
    integrity or data error: a bug, not an outage) is raised on to Flask as a
    500. The log names the error, never the statement's values.
    """
    if not is_outage(exc):
        raise exc
    log.error("ankle-intake: the store did not answer, 503: %s", describe(exc), exc_info=exc)
    return _page_503(gettext(STORE_UNAVAILABLE))


def audit_unavailable(exc: AuditFailed) -> Any:
    """A page's answer when its audit row could not be written: 503, nothing served."""
    log.error("ankle-intake: an audit row could not be written (%s); request refused", exc)
    return _page_503(gettext(AUDIT_UNAVAILABLE))


def _page_503(message: str) -> Any:
    """503 with ``Retry-After`` as the host's own 503 page, if it has one, else Werkzeug's."""
    unavailable = ServiceUnavailable(message, retry_after=RETRY_AFTER)
    response = current_app.make_response(current_app.handle_http_exception(unavailable))
    response.status_code = 503
    response.headers.setdefault("Retry-After", str(RETRY_AFTER))
    return response
