"""``Idempotency-Key`` on the create endpoints: a retried POST stores one intake, not two.

A client whose connection broke after it sent an intake cannot tell whether the
intake was stored (a worker killed mid-request, a proxy timeout). With a key,
it sends the same request again: if the first one was stored, the answer is
that record again (201, ``Idempotent-Replayed: true``) and nothing new is
written or announced. The key is stored with the record in one transaction,
so two retries racing each other still store one record. Reusing a key for
different answers is refused (422), as the IETF draft
``draft-ietf-httpapi-idempotency-key-header`` describes.

The key is optional; without it every POST stores a new intake. The HTML
form gets the same protection from a hidden token, new with each page it
draws (:func:`form_claim`): a double click, or Reload after a dropped
connection, posts the page again and lands on the record already stored.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from flask import request

from ..state import state
from ..store import Claim

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_LENGTH = 255
#: Visible ASCII only: a key is an opaque token (a UUID, typically), never patient data.
_KEY = re.compile(rf"^[\x21-\x7e]{{1,{MAX_LENGTH}}}$")


class BadKey(ValueError):
    """The header is present but is not a usable key; the message says why."""


def read_key() -> str | None:
    """The request's key, None without the header; :class:`BadKey` when malformed."""
    values = request.headers.getlist(HEADER)
    if not values:
        return None
    if len(values) > 1:
        raise BadKey(f"Send one {HEADER} header, not {len(values)}.")
    key = values[0].strip()
    if not _KEY.match(key):
        raise BadKey(
            f"{HEADER} must be 1 to {MAX_LENGTH} visible ASCII characters without spaces, "
            "such as a UUID."
        )
    return key


def claim(key: str, source: str, document: Any) -> Claim:
    """Bind ``key`` to this request: the endpoint and the body, whatever its spacing."""
    canonical = json.dumps([source, document], sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return Claim(key, hashlib.sha256(canonical.encode()).hexdigest())


def reused_message() -> str:
    return (f"This {HEADER} was already used for a different request. Send a new key "
            "for new answers; send the same body again only to retry.")


def form_claim(token: str | None, document: Any) -> Claim | None:
    """The claim of a posted form: its page token bound to the answers posted.

    The answers' fingerprint is part of the key, so the same page posted again
    with an answer changed (the clinician went Back) is a new intake with a key
    of its own, and is itself stored once however often it is posted. A missing
    or malformed token (a page drawn by an older version) means no claim.
    """
    try:
        token = str(uuid.UUID(token or ""))
    except ValueError:
        return None
    base = claim(token, "form", document)
    return Claim(f"form:{base.fingerprint[:32]}:{token}", base.fingerprint)


# --- Addenda -------------------------------------------------------------------------
#
# An addendum is not a new record, so its key cannot ride in the record's insert as a
# create's does: it rides in the addendum's own transaction instead (the key table's
# row points at the record), the fingerprint holding the request's digest and the
# version it made, ``<digest>:v<version>``. Two retries racing each other make one
# addendum: the second one's key insert fails, its version is rolled back with it,
# and it answers as a replay. Erasing the record erases its keys, as for creates.

ADDENDUM_PREFIX = "addendum:"
_DIGEST = 48


@dataclass(frozen=True)
class Replay:
    """What an addendum key says about a request: a replay of ``version``, or refused."""

    version: int | None = None
    conflict: bool = False  # the key was used for another body or record


def addendum_claim(key: str, record_id: str, document: Any) -> Claim:
    """The claim of ``POST .../addenda``: the key bound to the record and the body."""
    digest = claim(key, f"addendum {record_id}", document).fingerprint[:_DIGEST]
    name = ADDENDUM_PREFIX + hashlib.sha256(key.encode()).hexdigest()
    return Claim(name, digest, record_id)


def earlier_addendum(mine: Claim) -> Replay | None:
    """What an earlier request with this key made, or None when the key is new."""
    found = state().storage.find_claim(mine.key)
    if found is None:
        return None
    digest, _, outcome = found.fingerprint.partition(":")
    if digest != mine.fingerprint or found.record_id != mine.record_id:
        return Replay(conflict=True)
    return Replay(version=int(outcome[1:]) if outcome.startswith("v") else None,
                  conflict=not outcome.startswith("v"))
