"""The clinician's review of a stored intake: plan, sign, amend, and what each version prints.

Shared by the review page, the JSON API and the command line, so the three
cannot disagree about what a signature locks or what a reprint shows. The
handout and the note print the clinician's plan; a draft's say "draft".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..auth import User, current_user
from ..config import clinic, setting
from ..forms import InvalidAnswers
from ..forms.plan import load_plan
from ..forms.schemas import NOT_TEXT, clean_text, unencodable
from ..guidance import CONTENT
from ..guidance.plan import suggested_plan
from ..state import state
from .claims import Claim
from .decisions import Locked, Unknown, now
from .progress import progress_of


class NoUser(Exception):
    """Nobody is named by ``ANKLE_INTAKE_CURRENT_USER``: a change needs a clinician."""


LIBRARY = {ex["id"]: ex for ex in CONTENT.exercises}


def user_id() -> str | None:
    user = current_user()
    return user.id if user else None


def _require_user() -> User:
    user = current_user()
    if user is None:
        raise NoUser("Signing needs a clinician: ANKLE_INTAKE_CURRENT_USER names nobody.")
    return user


def get(record_id: str) -> dict[str, Any]:
    record = state().storage.get(record_id)
    if record is None:
        raise Unknown(record_id)
    return record


def plan_of(record: dict[str, Any]) -> dict[str, Any]:
    """The record's plan: the clinician's once saved, else the suggestion to start from."""
    return record.get("plan") or suggested_plan(record["assessment"])


def save_plan(record_id: str, raw: Any) -> dict[str, Any]:
    """Check and keep a draft's plan (it stays a draft); the record as it now is."""
    record = get(record_id)
    if record["status"] != "draft":
        raise Locked("A signed record changes only by addendum.")
    plan = load_plan(raw, record["assessment"], LIBRARY)
    state().storage.save_plan(record["id"], plan, user_id())
    return get(record["id"])


def sign(record_id: str) -> dict[str, Any]:
    """Sign the draft's plan as version 1, keeping the PDF as printed."""
    user = _require_user()
    record = get(record_id)
    if record["status"] != "draft":
        raise Locked("This record is already signed.")
    plan = load_plan(plan_of(record), record["assessment"], LIBRARY)
    at = now()
    state().storage.sign(record["id"], plan, user, at,
                         lambda version: _render(record, plan, _signoff(version, user, at)))
    return get(record["id"])


def amend(record_id: str, raw: Any, claim: Claim | None = None) -> dict[str, Any]:
    """An addendum, ``{"reason", "plan"}``: a new signed version by the current clinician.

    ``claim`` (an idempotency key) is written with the version; ``KeyTaken`` if a
    twin request holds it already.
    """
    user = _require_user()
    record = get(record_id)
    if record["status"] != "signed":
        raise Locked("A draft is changed by saving its plan, not by an addendum.")
    if not isinstance(raw, dict):
        raise InvalidAnswers({"_body": ["An addendum is an object with reason and plan."]})
    if unencodable({k: v for k, v in raw.items() if k != "plan"}):
        bad_reason = isinstance(raw.get("reason"), str) and unencodable(raw["reason"])
        raise InvalidAnswers({"reason" if bad_reason else "_body": [f"Reason: {NOT_TEXT}"]})
    reason = raw.get("reason")
    reason = clean_text(reason) if isinstance(reason, str) else reason
    errors: dict[str, list[str]] = {}
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = ["Reason: say why the plan changes."]
    elif len(reason) > 500:
        errors["reason"] = ["Reason must be text of at most 500 characters."]
    unknown = sorted(k for k in raw if k not in ("reason", "plan"))
    for key in unknown[:5]:
        errors[str(key)[:64]] = ["Unknown field: an addendum has reason and plan."]
    try:
        plan = load_plan(raw.get("plan"), record["assessment"], LIBRARY)
    except InvalidAnswers as exc:
        errors.update({("plan" if k == "_body" else f"plan.{k}"): v
                       for k, v in exc.errors.items()})
        plan = None
    if errors or plan is None:
        raise InvalidAnswers(errors)
    reason = " ".join(reason.split())
    at = now()
    state().storage.amend(
        record["id"], reason, plan, user, at,
        lambda version: _render(record, plan, _signoff(version, user, at, reason)), claim)
    return get(record["id"])


def _signoff(version: int, user: Any, at: dt.datetime, reason: str | None = None) -> dict:
    return {"status": "signed", "version": version,
            "clinician": {"id": user.id, "name": user.name},
            "signed_at": at.isoformat(), "addendum_reason": reason}


def signoff_of(record: dict[str, Any], version: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the handout and the note say about who signed which version (or "draft")."""
    if record["status"] == "draft":
        user = current_user()
        return {"status": "draft", "version": 1,
                "clinician": {"id": user.id, "name": user.name} if user else None,
                "signed_at": None, "addendum_reason": None}
    version = version or state().storage.version(record["id"], record["version"]) or {}
    return {"status": "signed", "version": version.get("version", record["version"]),
            "clinician": version.get("signed_by"), "signed_at": version.get("signed_at"),
            "addendum_reason": version.get("reason")}


def _render(record: dict[str, Any], plan: dict[str, Any] | None, signoff: dict[str, Any] | None,
            large_print: bool = False) -> bytes:
    from ..reports.handout import render_assessment

    place = clinic()
    return render_assessment(
        record["answers"], record["assessment"], plan=plan, signoff=signoff, clinic=place,
        clinic_name=place["name"] or None, page_size=setting("PAGE_SIZE"),
        large_print=large_print, video_url=setting("EXERCISE_VIDEO_URL"),
        progress=progress(record))


def progress(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The runner's visits up to this one, for "Your progress"; None at a first visit."""
    if (record.get("visit") or 1) < 2 or not record.get("episode_id"):
        return None
    episode = state().storage.episode(record["episode_id"])
    return progress_of(episode, record["id"]) if episode else None


def handout(record: dict[str, Any], number: int | None = None,
            large_print: bool = False) -> bytes:
    """The PDF of a version as it was given (the stored bytes), or of the draft as it stands.

    A record signed before plans existed (migrated, no stored PDF) reprints from
    its stored assessment exactly as before. Large print is printed afresh from
    the version's own plan and signature.
    """
    if record["status"] == "draft":
        return _render(record, plan_of(record), signoff_of(record), large_print)
    version = state().storage.version(record["id"], number or record["version"])
    if version is None:
        raise Unknown(f"{record['id']} version {number}")
    if version["pdf"] is None:
        return _render(record, None, None, large_print)
    if not large_print:
        return bytes(version["pdf"])
    return _render(record, version["plan"], signoff_of(record, version), True)


def plan_for_version(record: dict[str, Any], number: int | None) -> tuple[dict, dict]:
    """The plan and the signature of one version (the current one by default)."""
    if record["status"] == "draft" or number in (None, record["version"]):
        return plan_of(record), signoff_of(record)
    version = state().storage.version(record["id"], number)
    if version is None:
        raise Unknown(f"{record['id']} version {number}")
    return version["plan"], signoff_of(record, version)


def audited(record_id: str, action: str, version: int | None = None) -> None:
    """Write the audit row of a view, print or export before serving it (raises on failure)."""
    state().storage.log_event(record_id, user_id(), action, version)
