"""The pages: the intake form, the result page and the handout pages."""

from __future__ import annotations

from flask import Blueprint

from . import handout, pages


def register(bp: Blueprint, api: Blueprint) -> None:
    """Add every page to ``bp``, and the handout's API route to ``api``."""
    pages.register(bp)
    handout.register(bp, api)


__all__ = ["register"]
