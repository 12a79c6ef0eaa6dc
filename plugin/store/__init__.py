"""The store: the tables, the one transaction per intake, and the write path.

:class:`Storage` owns the tables; :func:`~.intake.submit` is the path every
intake takes (assess, store, announce), shared by the form, the API and FHIR.
"""

from __future__ import annotations

from .claims import Claim
from .records import (
    KeyTaken,
    Storage,
    Stored,
    assessments,
    idempotency_keys,
    parse_id,
    sqlite_url,
    to_json,
)

__all__ = [
    "Claim",
    "KeyTaken",
    "Storage",
    "Stored",
    "assessments",
    "idempotency_keys",
    "parse_id",
    "sqlite_url",
    "to_json",
]
