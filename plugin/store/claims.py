"""An idempotency claim: the key a request came with and the fingerprint of what it sent.

It lives with the store because the key is written in the same transaction as
the record it made; reading keys off a request is the API's job.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    """A key, the fingerprint of the request that used it, and (once stored) its record."""

    key: str
    fingerprint: str
    record_id: str | None = None
