"""Closed by default: every plugin request asks the host's authorize hook."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from flask import abort, current_app

log = logging.getLogger("ankle_intake")


def _ask(name: str, hook: Callable[[], Any]) -> Any:
    """Call a host hook; an awaitable it returns is closed and counts as no answer.

    ``init_app`` refuses ``async def`` hooks, but the hook is read per request,
    so one swapped in later (or a sync function returning a coroutine) ends here.
    Only the answer's type is logged: a user object may carry a name.
    """
    found = hook()
    if inspect.isawaitable(found):
        close = getattr(found, "close", None)
        if callable(close):
            close()  # never awaited: close it so Python does not warn
        log.error("ankle-intake: ANKLE_INTAKE_%s returned an awaitable (%s), which the "
                  "plugin cannot await; it counts as no. Use a plain def function.",
                  name, type(found).__name__)
        return None
    return found


def require_authorized() -> None:
    """``before_request`` of the plugin's blueprint: 403 unless the host's hook says ``True``.

    Only ``True`` itself is yes: a hook that returns a response (a redirect to a
    login page), a user object, a string such as "no", 1, or a coroutine is a
    mistake, and a mistake must never open patient data, so it is a 403 and a
    logged error. The hook is read per request so a host may swap it (tests,
    feature flags); with no hook set, nothing is served.
    """
    authorize = current_app.config.get("ANKLE_INTAKE_AUTHORIZE")
    if authorize is None:
        abort(403)
    answer = _ask("AUTHORIZE", authorize)
    if answer is True:
        return
    if answer is not False and answer is not None:
        log.error("ankle-intake: ANKLE_INTAKE_AUTHORIZE returned a %s, not True or False; "
                  "the request is refused (403).", type(answer).__name__)
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
    found = _ask("CURRENT_USER", hook)
    if not isinstance(found, Mapping):
        return None
    user_id, name = found.get("id"), found.get("name")
    if not isinstance(user_id, str) or not user_id.strip() or not isinstance(name, str):
        return None
    return User(user_id.strip()[:128], " ".join(name.split())[:120] or user_id.strip()[:120])
