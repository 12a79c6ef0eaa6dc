"""Security headers on the plugin's own responses (never on the host's pages).

Registered as an ``after_request`` hook of the plugin's blueprint, so it runs
for the plugin's pages, API, static files and their error responses, and for
nothing else the host serves. The policy allows no inline script or style: the
templates load ``ankle_intake.js`` and ``ankle_intake.css`` from the plugin's
own static folder. A host whose layout (``ANKLE_INTAKE_BASE_TEMPLATE``) needs
more can rewrite the header in its own ``app.after_request``, which Flask runs
after the blueprint's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Response

from .config import setting

#: The policy for the plugin's documents, before ``frame-ancestors`` is added.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
)

_KEYWORDS = {"'self'", "'none'"}
_SOURCE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*:"  # a scheme: https:
    r"|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*"  # host
    r"(?::(?:[0-9]{1,5}|\*))?(?:/[^\s;,']*)?)$",  # port and path
    re.IGNORECASE,
)


def check_frame_ancestors(value: object) -> None:
    """Refuse a ``frame-ancestors`` value that would break or widen the policy.

    A ``;`` or a newline would let a setting inject other directives, so only
    the CSP source grammar is accepted: ``'self'``, ``'none'`` (alone), schemes
    and host sources such as ``https://intranet.example.org``.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            "ANKLE_INTAKE_FRAME_ANCESTORS must be a non-empty string of CSP sources, "
            f"such as \"'self'\" or \"'self' https://intranet.example.org\" (got {value!r})."
        )
    if any(char in value for char in ";,\r\n\t\f\v"):
        raise ValueError(
            "ANKLE_INTAKE_FRAME_ANCESTORS: sources are separated by single spaces; "
            f"a ';', ',' or line break would change the policy (got {value!r})."
        )
    sources = value.split()
    for source in sources:
        if source.lower() in ("self", "none"):
            raise ValueError(
                f"ANKLE_INTAKE_FRAME_ANCESTORS: write '{source}' with its single quotes "
                "(unquoted it would name a host); in an environment file: "
                "ANKLE_INTAKE_FRAME_ANCESTORS=\"'self'\"."
            )
        if source.lower() not in _KEYWORDS and not _SOURCE.match(source):
            raise ValueError(
                f"ANKLE_INTAKE_FRAME_ANCESTORS: {source!r} is not a CSP source; use 'self', "
                "'none', a scheme (https:) or a host (https://intranet.example.org)."
            )
    if "'none'" in (s.lower() for s in sources) and len(sources) > 1:
        raise ValueError("ANKLE_INTAKE_FRAME_ANCESTORS: 'none' must stand alone.")


def content_security_policy(frame_ancestors: str, mimetype: str | None) -> str:
    """The policy for one response.

    PDFs get only ``frame-ancestors``: a browser's built-in PDF viewer runs its
    own script inside the document, which a ``default-src 'none'`` may block.
    """
    ancestors = "frame-ancestors " + " ".join(frame_ancestors.split())
    if mimetype == "application/pdf":
        return ancestors
    return "; ".join((*CONTENT_SECURITY_POLICY, ancestors))


@lru_cache(maxsize=32)
def _headers(frame_ancestors: str, pdf: bool) -> tuple[tuple[str, str], ...]:
    """The security headers for one ``FRAME_ANCESTORS`` value, built once per value.

    Keyed by the setting's value rather than kept per app, so a host that changes
    ``ANKLE_INTAKE_FRAME_ANCESTORS`` after ``init_app`` (tests do) still gets its
    own policy; the per-request work is one dictionary look-up.
    """
    headers = [
        ("Content-Security-Policy",
         content_security_policy(frame_ancestors, "application/pdf" if pdf else None)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ]
    # X-Frame-Options for browsers without frame-ancestors; it can say only these two.
    legacy = {"'self'": "SAMEORIGIN", "'none'": "DENY"}.get(frame_ancestors.strip().lower())
    if legacy:
        headers.append(("X-Frame-Options", legacy))
    return tuple(headers)


def security_headers(response: Response) -> Response:
    """``after_request`` of the plugin's blueprint: CSP, nosniff, referrer only to ourselves.

    ``same-origin``: a link or form to another site gets no Referer (a record's
    URL never leaves the intranet), while the plugin's own form posts keep
    theirs, which Flask-WTF's CSRF check over HTTPS requires
    (``WTF_CSRF_SSL_STRICT``); ``no-referrer`` made every such post a 400.
    """
    headers = response.headers
    values = _headers(setting("FRAME_ANCESTORS"), response.mimetype == "application/pdf")
    for name, value in values:
        headers[name] = value
    if len(values) == 3:  # no X-Frame-Options can say this policy: drop any other's
        headers.pop("X-Frame-Options", None)
    return response
