"""The one table of ``ANKLE_INTAKE_*`` settings and their defaults.

Every setting the plugin reads is listed here, so a host can see them all in
one place and a misspelt key is caught: :func:`unknown_keys` names config keys
with the prefix that are not in the table, and :func:`setting` refuses to read
a name the table lacks.
"""

from __future__ import annotations

import inspect
import string
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

PREFIX = "ANKLE_INTAKE_"

#: name (without the prefix) -> default. ``init_app`` applies these with setdefault.
DEFAULTS: dict[str, Any] = {
    # Where the blueprint is mounted.
    "URL_PREFIX": "/ankle",
    # Any SQLAlchemy URL; None = an SQLite file in the app's instance folder.
    "DATABASE_URL": None,
    # A plain (not async) callable taking no arguments; exactly True = the current user
    # may use the plugin, anything else (False, None, "no", a response, a user) = 403.
    # None = every route answers 403: patient data is never served by default.
    "AUTHORIZE": None,
    # Paper size of the printed handout: "A4" or "letter".
    "PAGE_SIZE": "A4",
    # The layout every plugin page extends; point it at the intranet's own layout.
    "BASE_TEMPLATE": "ankle_intake/base.html",
    # Largest JSON body the API reads, in bytes; the host's MAX_CONTENT_LENGTH is untouched.
    "MAX_BODY_BYTES": 64 * 1024,
    # The clinic's name, phone and address on the handout: text, or a callable with no
    # arguments returning text per request (a group with many sites).
    "CLINIC_NAME": "",
    "CLINIC_PHONE": "",
    "CLINIC_ADDRESS": "",
    # A callable with no arguments returning {"id": ..., "name": ...} for the clinician
    # using the plugin, or None; recorded with every change. None = nobody can sign.
    "CURRENT_USER": None,
    # Seconds a request waits for the store (a lock, a pooled connection, connecting)
    # before it answers 503 with Retry-After; PostgreSQL statements stop at twice this.
    "DATABASE_TIMEOUT": 5,
    # SQLite file name inside the instance folder when DATABASE_URL is None.
    "SQLITE_FILENAME": "ankle_intake.sqlite3",
    # Who may show the plugin's pages in a frame: the CSP frame-ancestors sources.
    # "'self'" = only pages of the same origin; add the intranet portal that embeds it.
    "FRAME_ANCESTORS": "'self'",
    # The clinic's own exercise videos: a URL template whose only placeholder is
    # {exercise_id}, http or https; each handout exercise gets a QR code and the URL
    # printed under it. "" = no video links.
    "EXERCISE_VIDEO_URL": "",
}

PAGE_SIZES = ("A4", "letter")


def unknown_keys(config: Mapping[str, Any]) -> list[str]:
    """Config keys that start with the prefix but name no setting (likely typos)."""
    return sorted(
        key for key in config if key.startswith(PREFIX) and key[len(PREFIX):] not in DEFAULTS
    )


def apply_defaults(config: dict[str, Any]) -> None:
    """Fill in every setting the host left out; never overwrite the host's value."""
    for name, value in DEFAULTS.items():
        config.setdefault(PREFIX + name, value)


def is_async(hook: Any) -> bool:
    """True for an ``async def`` hook, or an object whose ``__call__`` is one.

    Calling one only makes a coroutine, which the plugin cannot await: its
    answer would never be read.
    """
    return any(
        inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)
        for fn in (hook, getattr(hook, "__call__", None))  # noqa: B004 - the method itself
    )


def check_hook(name: str, hook: Any) -> None:
    """Refuse a hook that is neither None nor a plain callable (``async def`` included)."""
    if hook is None:
        return
    if not callable(hook):
        raise TypeError(
            f"ANKLE_INTAKE_{name} must be a callable taking no arguments "
            f"(got {type(hook).__name__})."
        )
    if is_async(hook):
        raise TypeError(
            f"ANKLE_INTAKE_{name} must be a plain function, not an async one: the plugin "
            "calls it without awaiting, so its answer would never be read. Use a def "
            "function (read the session or the login there)."
        )


def check(config: Mapping[str, Any]) -> None:
    """Refuse settings that would only fail later, at request time."""
    check_hook("AUTHORIZE", config[PREFIX + "AUTHORIZE"])
    check_hook("CURRENT_USER", config[PREFIX + "CURRENT_USER"])
    timeout = config[PREFIX + "DATABASE_TIMEOUT"]
    if (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
            or not 0 < timeout <= 300):
        raise ValueError(
            "ANKLE_INTAKE_DATABASE_TIMEOUT must be a number of seconds above 0 and at "
            f"most 300 (got {timeout!r})."
        )
    for name in ("CLINIC_NAME", "CLINIC_PHONE", "CLINIC_ADDRESS"):
        value = config[PREFIX + name]
        if not (isinstance(value, str) or callable(value)):
            raise TypeError(f"ANKLE_INTAKE_{name} must be text or a callable returning text.")
    if config[PREFIX + "PAGE_SIZE"] not in PAGE_SIZES:
        raise ValueError(
            f"ANKLE_INTAKE_PAGE_SIZE must be one of {', '.join(PAGE_SIZES)} "
            f"(got {config[PREFIX + 'PAGE_SIZE']!r})."
        )
    check_video_url(config[PREFIX + "EXERCISE_VIDEO_URL"])
    limit = config[PREFIX + "MAX_BODY_BYTES"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise ValueError(f"ANKLE_INTAKE_MAX_BODY_BYTES must be a positive integer (got {limit!r}).")
    from .security import check_frame_ancestors

    check_frame_ancestors(config[PREFIX + "FRAME_ANCESTORS"])
    prefix = config[PREFIX + "URL_PREFIX"]
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ValueError(f"ANKLE_INTAKE_URL_PREFIX must start with '/' (got {prefix!r}).")


def check_video_url(template: Any) -> None:
    """Refuse a video URL template that could not make a plain link per exercise.

    Only ``{exercise_id}`` may be filled in, so nothing about the patient can
    ever reach the URL; the scheme must be http or https.
    """
    if template == "":
        return
    where = "ANKLE_INTAKE_EXERCISE_VIDEO_URL"
    if not isinstance(template, str):
        raise TypeError(f"{where} must be text (got {type(template).__name__}).")
    try:
        fields = [(name, spec, conv) for _, name, spec, conv
                  in string.Formatter().parse(template) if name is not None]
    except ValueError:
        fields = None
    if fields != [("exercise_id", "", None)]:
        raise ValueError(f"{where} must hold {{exercise_id}} once and no other placeholder "
                         f"(got {template!r}).")
    parts = urlsplit(template.format(exercise_id="x"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{where} must be an http or https URL (got {template!r}).")


def setting(name: str) -> Any:
    """The current app's value of ``ANKLE_INTAKE_<name>``; a KeyError names a typo."""
    if name not in DEFAULTS:
        raise KeyError(f"ankle-intake has no setting {PREFIX + name}")
    return current_app.config[PREFIX + name]


def clinic() -> dict[str, str]:
    """The clinic's name, phone and address for this request (each may be a callable)."""
    out = {}
    for key in ("name", "phone", "address"):
        value = setting("CLINIC_" + key.upper())
        if callable(value):
            value = value()
        out[key] = " ".join(str(value or "").split())[:200]
    return out
