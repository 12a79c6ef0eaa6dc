"""The pages: the intake form, the review, the worklist, episodes and the handout pages."""

from __future__ import annotations

from flask import Blueprint

from . import episodes, handout, pages, review, worklist


def register(bp: Blueprint, api: Blueprint) -> None:
    """Add every page to ``bp``, and the handout's API route to ``api``."""
    pages.register(bp)
    review.register(bp)
    worklist.register(bp)
    episodes.register(bp)
    handout.register(bp, api)


__all__ = ["register"]
