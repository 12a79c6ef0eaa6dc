"""The plugin's per-app state: what ``init_app`` keeps in ``app.extensions``.

A leaf module: every surface (pages, API, FHIR, store) reads the state through
:func:`state` without importing the extension that made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from .store import Storage

EXTENSION_KEY = "ankle_intake"


@dataclass
class State:
    """What the plugin keeps per app, in ``app.extensions["ankle_intake"]``."""

    extension: Any
    storage: Storage
    openapi: dict[str, Any] | None = field(default=None, repr=False)


def state(app: Flask | None = None) -> State:
    """The plugin's state on ``app`` (default: the current app)."""
    target = app if app is not None else current_app
    try:
        return target.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError(
            "ankle-intake is not registered on this app; call AnkleIntake(app) first."
        ) from None
