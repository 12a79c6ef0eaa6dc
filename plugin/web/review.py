"""The review page: a draft's plan form, saving, signing, and amending a signed record.

GET shows a record (and writes its "view" audit row first: a view that cannot
be recorded is refused with 503). Every POST checks the CSRF token, goes
through :mod:`ankle_intake.store.review`, and answers with a redirect (303)
back to the page, or the page again with the entries kept and each error
beside its field: 400 for a refused entry, 403 when nobody is named to sign,
409 when the record's status forbids the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..auth import current_user
from ..forms import InvalidAnswers
from ..forms.plan import MAX_EXERCISES
from ..i18n import N_, gettext
from ..reports.note import clinician_note, finding_rows, ottawa_rows, special_test_rows
from ..store import review
from ..store.decisions import Locked, Unknown
from .plan_form import (
    CSRF_MESSAGE,
    ReviewForm,
    exercise_rows,
    form_to_plan,
    level_choices,
    library_choices,
    place_errors,
    plan_to_fields,
    plan_view,
)
from .worklist import when

#: Level -> (CSS modifier, the clinician's heading). The assessment's own
#: ``triage.clinician_label`` wins; these serve records stored before it had one.
#: ``see_clinician`` means "refer on": the clinician is never told to see a clinician.
#: The headings and messages are marked for the catalog and translated where shown.
TRIAGE_STYLE = {
    "continue": ("continue", N_("Continue running")),
    "caution": ("caution", N_("Modified running")),
    "stop": ("stop", N_("No running")),
    "see_clinician": ("see-clinician", N_("Refer on")),
}
#: What the page says after a save, a signature or an addendum (``?done=``).
DONE = {"saved": N_("Draft saved."), "signed": N_("Signed."),
        "amended": N_("Addendum signed.")}
NO_USER = N_("Signing needs a clinician, and nobody is signed in as one "
             "(ANKLE_INTAKE_CURRENT_USER names nobody). Nothing was signed.")


def record_or_404(assessment_id: str) -> dict[str, Any]:
    try:
        return review.get(assessment_id)
    except Unknown:
        abort(404)


def result(assessment_id: str) -> Any:
    """The clinician's review of one stored intake: the plan form, or the signed plan."""
    record = record_or_404(assessment_id)
    review.audited(record["id"], "view", record["version"])  # 503 if it fails (blueprint)
    done = DONE.get(request.args.get("done", ""))
    return _page(record, done=gettext(done) if done else None)


def save_plan(assessment_id: str) -> Any:
    """Save the posted plan on a draft; it stays a draft."""
    record, refused = _checked(assessment_id, "draft")
    if refused is not None:
        return refused
    raw, shown, origin = form_to_plan(request.form)
    try:
        review.save_plan(record["id"], raw)
    except InvalidAnswers as exc:
        return _refused(record, shown, exc.errors, origin)
    except Locked:
        return _locked(review.get(record["id"]))
    return _back(record, "saved")


def sign(assessment_id: str) -> Any:
    """Sign the draft: the posted plan (if the form sent one) is saved first, then locked."""
    record, refused = _checked(assessment_id, "draft")
    if refused is not None:
        return refused
    posted = "triage_level" in request.form or any(k.startswith("ex-") for k in request.form)
    raw, shown, origin = form_to_plan(request.form) if posted else (None, None, [])
    if current_user() is None:
        return _page(record, form=shown, summary=_no_user(), status=403)
    try:
        if raw is not None:
            review.save_plan(record["id"], raw)
        review.sign(record["id"])
    except InvalidAnswers as exc:
        return _refused(record, shown or plan_to_fields(review.plan_of(record)), exc.errors,
                        origin)
    except review.NoUser:
        return _page(record, form=shown, summary=_no_user(), status=403)
    except Locked:
        return _locked(review.get(record["id"]))
    return _back(record, "signed")


def amend(assessment_id: str) -> Any:
    """An addendum to a signed record: the reason and the new plan make version N+1."""
    record, refused = _checked(assessment_id, "signed")
    if refused is not None:
        return refused
    raw, shown, origin = form_to_plan(request.form)
    if current_user() is None:
        return _page(record, form=shown, summary=_no_user(), status=403)
    try:
        review.amend(record["id"], {"reason": shown["reason"], "plan": raw})
    except InvalidAnswers as exc:
        return _refused(record, shown, exc.errors, origin)
    except review.NoUser:
        return _page(record, form=shown, summary=_no_user(), status=403)
    except Locked:
        return _locked(review.get(record["id"]))
    return _back(record, "amended")


def _checked(assessment_id: str, status: str) -> tuple[dict[str, Any], Any]:
    """The record, and the page to answer instead when the token or the status is wrong."""
    record = record_or_404(assessment_id)
    if not ReviewForm().validate():
        shown = form_to_plan(request.form)[1]
        return record, _page(record, form=shown,
                             summary=[{"text": gettext(CSRF_MESSAGE), "href": None}],
                             status=400)
    if record["status"] != status:
        return record, _locked(record)
    return record, None


def _locked(record: dict[str, Any]) -> tuple[str, int]:
    if record["status"] == "signed":
        text = gettext("This record is signed (version %(version)s): it changes only by "
                       "addendum, below. Nothing was saved.", version=record["version"])
    else:
        text = gettext("This record is a draft: change it by saving its plan. Nothing was saved.")
    return _page(record, summary=[{"text": text, "href": None}], status=409)


def _no_user() -> list[dict[str, Any]]:
    return [{"text": gettext(NO_USER), "href": None}]


def _refused(record: dict[str, Any], shown: dict[str, Any], errors: Mapping[str, list[str]],
             origin: list[str]) -> tuple[str, int]:
    placed, summary = place_errors(errors, origin, shown["rows"])
    return _page(record, form=shown, errors=placed, summary=summary, status=400)


def _back(record: dict[str, Any], done: str) -> Any:
    return redirect(url_for(".result", assessment_id=record["id"], done=done), code=303)


def _versions(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Every signed version, oldest first, with who signed it, when and why."""
    if record["status"] != "signed":
        return []
    first = {"version": 1, "reason": None, "signed_by": record["signed_by"],
             "signed_at": record["signed_at"]}
    return [{**v, "when": when(v["signed_at"])} for v in [first, *(record.get("addenda") or [])]]


def _page(record: dict[str, Any], *, form: dict[str, Any] | None = None,
          errors: dict[str, list[str]] | None = None, summary: list[dict] | None = None,
          done: str | None = None, status: int = 200) -> tuple[str, int]:
    assessment = record["assessment"]
    answers = record["answers"]
    triage = assessment.get("triage", {})
    level = triage.get("level", "caution")
    css, heading = TRIAGE_STYLE.get(level, ("caution", level))
    heading = gettext(heading) if level in TRIAGE_STYLE else heading
    history, examination = map(_labels, finding_rows(answers))
    plan = review.plan_of(record)
    signoff = review.signoff_of(record)
    signed = record["status"] == "signed"
    shown = form or plan_to_fields(plan)
    from .pages import label_of

    html = render_template(
        "ankle_intake/result.html",
        record=record,
        answers=answers,
        a=assessment,
        triage_css=css,
        triage_heading=triage.get("clinician_label") or heading,
        history=history,
        examination=examination,
        special_tests=special_test_rows(assessment),
        ottawa_findings=_labels(ottawa_rows(answers)),
        label_of=label_of,
        note=clinician_note(answers, assessment, plan=plan, signoff=signoff),
        signed=signed,
        signoff=signoff,
        signed_when=when(signoff.get("signed_at")),
        plan=plan_view(plan),
        versions=_versions(record),
        form=shown,
        rows=exercise_rows(shown),
        levels=level_choices(level),
        library=library_choices(),
        max_exercises=MAX_EXERCISES,
        red_flag=bool(assessment.get("red_flags")),
        errors=errors or {},
        summary=summary or [],
        amend_open=signed and form is not None,
        done=done,
        user=current_user(),
        csrf_form=ReviewForm(formdata=None),
    )
    return html, status


def _labels(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, words) rows with the vocabulary's label in the page's language.

    The words stay as the note writes them (compound, some from the guidance).
    """
    return [(gettext(label) if label else label, words) for label, words in rows]


def register(bp: Blueprint) -> None:
    """Add the review page and its three posts to the plugin's blueprint."""
    bp.add_url_rule("/assessments/<assessment_id>", "result", result)
    bp.add_url_rule("/assessments/<assessment_id>/plan", "save_plan", save_plan,
                    methods=["POST"])
    bp.add_url_rule("/assessments/<assessment_id>/sign", "sign", sign, methods=["POST"])
    bp.add_url_rule("/assessments/<assessment_id>/addenda", "amend", amend, methods=["POST"])
