"""The plugin's one blueprint, assembled from its surfaces, behind the host's hook.

Each surface (``web``, ``api``, ``fhir``) adds its own routes and its own part
of the OpenAPI document; this module, at the top, is the only one that knows
them all, so no surface imports another's views or back up into the face.
"""

from __future__ import annotations

from flask import Blueprint, Response

from . import cli, fhir, web
from .api import create_api_blueprint
from .auth import require_authorized
from .fhir.openapi import add_fhir_paths
from .security import security_headers
from .web.handout import add_handout_paths


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
