"""The episode pages: the episode with its charts, a follow-up visit's form, discharge.

The follow-up form is the intake form pre-filled from the last visit (the
examination is recorded again) with "Last week" added; it takes the same one
path as every intake, with the episode's last visit as the assessment's
``previous``. Every POST checks the CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from ..api.idempotency import form_claim
from ..forms import InvalidAnswers, load_answers
from ..forms.followup_form import FollowUpForm, answers_to_formdata, followup_to_raw
from ..forms.intake_form import SUBMISSION_KEY
from ..i18n import N_, gettext
from ..state import state
from ..store import review
from ..store.episodes import EpisodeClosed
from ..store.followup import EpisodeNotFound, prefill, submit_visit
from ..store.intake import log_refused
from ..store.progress import view_model
from ..store.records import parse_id
from ..store.tables import DISCHARGE_REASONS
from .episode_view import chart_set
from .pages import intake_page, store_once
from .plan_form import CSRF_MESSAGE

#: The 409 page's words (marked; translated when the page is drawn).
CLOSED = N_("This episode is discharged: it takes no more visits.")


#: The 403 page's words: a discharge is signed off by a clinician, like a plan.
NO_USER = N_("Discharging needs a clinician, and nobody is signed in as one "
             "(ANKLE_INTAKE_CURRENT_USER names nobody). The episode is still open.")


class _Csrf(FlaskForm):
    """Only the CSRF token: the discharge form's one check beyond its reason."""


def episode_or_404(episode_id: str) -> dict[str, Any]:
    canonical = parse_id(episode_id)
    episode = state().storage.episode(canonical) if canonical else None
    if episode is None:
        abort(404)
    return episode


def _links(episode: dict[str, Any]) -> dict[str, Any]:
    open_ = episode["status"] == "open"
    return {
        "visit": {v["id"]: url_for(".result", assessment_id=v["id"])
                  for v in episode["visits"]},
        "follow_up": url_for(".new_visit", episode_id=episode["id"]) if open_ else None,
        "discharge": url_for(".discharge", episode_id=episode["id"]) if open_ else None,
        "worklist": url_for(".worklist"),
    }


def _page(episode: dict[str, Any], errors: dict[str, str] | None = None,
          status: int = 200, reason: str = "") -> Any:
    model = view_model(episode)
    form = _Csrf()
    token = form.csrf_token.current_token if hasattr(form, "csrf_token") else ""
    html = render_template("ankle_intake/episode.html", episode=model, links=_links(episode),
                           charts=chart_set(model, gettext=gettext), csrf_token=token,
                           errors=errors or {}, reasons=DISCHARGE_REASONS,
                           form={"reason": reason})
    return html, status


def episode_page(episode_id: str) -> Any:
    """The episode: visits, progression, the charts; each visit's view is audited."""
    episode = episode_or_404(episode_id)
    for visit in episode["visits"]:
        review.audited(visit["id"], "view")
    return _page(episode)


def discharge(episode_id: str) -> Any:
    """Close the episode with a reason, then back to its page (303)."""
    episode = episode_or_404(episode_id)
    if not _Csrf().validate():
        return _page(episode, {"reason": gettext(CSRF_MESSAGE)}, 400,
                     request.form.get("reason", ""))
    reason = request.form.get("reason", "")
    if reason not in DISCHARGE_REASONS:
        return _page(episode, {"reason": gettext("Choose why the episode ends.")}, 400)
    if episode["status"] != "open":
        return _page(episode, {"reason": gettext("This episode is already discharged.")}, 409)
    try:
        user = review._require_user()
    except review.NoUser:
        return _page(episode, {"reason": gettext(NO_USER)}, 403, reason)
    state().storage.discharge(episode["id"], reason, user.id)
    return redirect(url_for(".episode", episode_id=episode["id"]), code=303)


def new_visit(episode_id: str) -> Any:
    """GET: the follow-up form, pre-filled from the last visit; POST: store the visit."""
    episode = episode_or_404(episode_id)
    if episode["status"] != "open":
        abort(409, gettext(CLOSED))
    last = episode["visits"][-1]
    followup = {"number": last["visit"] + 1, "last_date": last["answers"].get("assessment_date")}
    action = url_for(".new_visit", episode_id=episode["id"])
    if request.method == "GET":
        form = FollowUpForm(formdata=answers_to_formdata(prefill(episode)))
        offered = last["assessment"].get("measures_offered")
        return intake_page(form, {}, action=action, followup=followup, offered=offered)
    form = FollowUpForm()
    if not form.validate():
        return intake_page(form, {"_csrf": [gettext(CSRF_MESSAGE)]}, action=action,
                           followup=followup)
    raw = followup_to_raw(form)
    store = _visit_store(episode["id"])
    try:
        answers = load_answers(raw)
        record_id = store_once(answers, form_claim(request.form.get(SUBMISSION_KEY), raw),
                               store)
    except InvalidAnswers as exc:
        log_refused("follow-up form", exc.errors)
        return intake_page(form, exc.errors, action=action, followup=followup)
    except (EpisodeClosed, EpisodeNotFound):
        abort(409, gettext(CLOSED))
    return redirect(url_for(".result", assessment_id=record_id), code=303)


def _visit_store(episode_id: str) -> Any:
    def store(answers: dict[str, Any], claim: Any = None) -> Any:
        return submit_visit(episode_id, answers, claim)
    return store


def register(bp: Blueprint) -> None:
    """Add the episode pages to the plugin's blueprint."""
    bp.add_url_rule("/episodes/<episode_id>", "episode", episode_page)
    bp.add_url_rule("/episodes/<episode_id>/visits/new", "new_visit", new_visit,
                    methods=["GET", "POST"])
    bp.add_url_rule("/episodes/<episode_id>/discharge", "discharge", discharge,
                    methods=["POST"])
