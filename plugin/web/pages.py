"""The intake form: the page a physiotherapist records an intake in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    redirect,
    render_template,
    request,
    url_for,
)
from wtforms import Field, FormField

from ..api.idempotency import form_claim
from ..forms import OTTAWA_FINDINGS, InvalidAnswers, load_answers
from ..forms.followup_form import IntakePageForm, page_to_raw
from ..forms.intake_form import (
    SUBMISSION_KEY,
    IntakeForm,
    first_input_id,
    has_answer,
    rank_tests,
    special_test_input_id,
    widget_kind,
)
from ..forms.measures_form import measure_sections
from ..forms.vocabulary import (
    BY_KEY,
    FIELDS,
    GROUPS,
    TEST_KEYS,
    AnswerField,
    OttawaFinding,
    SpecialTest,
    fields_in,
)
from ..i18n import gettext
from ..store import Claim, KeyTaken
from ..store.intake import log_refused, submit, submit_once
from .plan_form import CSRF_MESSAGE

#: Groups a physiotherapist may skip: drawn folded (``<details>``), one tab stop,
#: and drawn open when they hold a recorded answer or an error.
FOLDED_GROUPS = frozenset({"nerves", "warning", "training", "return"})
#: Fields folded on their own, open for a gradual onset (``ankle_intake.js``
#: opens and folds them as the onset changes): seven patterns of overuse pain
#: a sprain does not need.
GRADUAL_FIELDS = frozenset({"pain_pattern"})
#: Folded groups that open the same way: the training behind an overuse injury.
GRADUAL_GROUPS = frozenset({"training"})


def say(text: str) -> str:
    """A vocabulary text (marked with ``N_``) in the page's language.

    ``""`` stays ``""``: gettext of the empty string is the catalog's header.
    """
    return gettext(text) if text else text


def _shown_spec(spec: AnswerField) -> AnswerField:
    return replace(spec, label=say(spec.label), help=say(spec.help))


def _shown_test(test: SpecialTest) -> SpecialTest:
    return replace(test, label=say(test.label), meaning=say(test.meaning))


def _shown_finding(finding: OttawaFinding) -> OttawaFinding:
    return replace(finding, label=say(finding.label), meaning=say(finding.meaning))


def translate_fields(fields: Iterable[Field]) -> None:
    """The bound fields' labels and choice labels in the page's language, in place.

    WTForms draws the labels (escaping them), so the vocabulary's English is
    swapped for the catalog's words on this request's form only.
    """
    for field in fields:
        field.label.text = say(field.label.text)
        if isinstance(field, FormField):
            translate_fields(field.form)
        choices = getattr(field, "choices", None)
        if choices and not callable(choices):
            field.choices = [_shown_choice(choice) for choice in choices]


def _shown_choice(choice: Any) -> Any:
    if isinstance(choice, tuple):
        return (choice[0], say(choice[1]), *choice[2:])
    return replace(choice, label=say(choice.label))


def _item(form: IntakeForm, spec: AnswerField, errors: dict[str, list[str]]) -> dict[str, Any]:
    """What the template needs to draw one field with its hint and its error."""
    errs = errors.get(spec.key, [])
    if spec.kind == "tests":
        return _tests_item(form, spec, errors)
    ids = [f"{spec.key}-help"] if spec.help else []
    if errs:
        ids.append(f"{spec.key}-error")
    attrs: dict[str, str] = {}
    kind = widget_kind(spec)
    if ids and kind not in ("radios", "checkboxes", "ottawa", "tests"):
        attrs["aria-describedby"] = " ".join(ids)  # groups are described on the fieldset
    if errs:
        attrs["aria-invalid"] = "true"
    if spec.required and kind in ("input", "select"):
        attrs["aria-required"] = "true"
    return {
        "spec": _shown_spec(spec),
        "field": form[spec.key],
        "kind": kind,
        "errors": errs,
        "attrs": attrs,
        "described_by": " ".join(ids),
        "inline": kind == "radios" and len(spec.choices) <= 4,
        "fold": spec.key in GRADUAL_FIELDS,
        "open": bool(errs) or has_answer(form, spec) or form["onset"].data == "gradual",
    }


def _tests_item(
    form: IntakeForm, spec: AnswerField, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """The special tests, those that fit the posted onset and pain locations first.

    The others sit in a folded "Other tests" part, drawn open when one of them
    holds a result or an error, so nothing recorded is ever hidden.
    """
    field = form[spec.key]
    fitting, others = rank_tests(form["onset"].data, list(form["pain_locations"].data or []))

    def test(t: SpecialTest) -> dict[str, Any]:
        sub = field[t.key]
        errs = errors.get(t.key, [])
        ids = [f"{sub.id}-meaning"] + ([f"{sub.id}-error"] if errs else [])
        return {"test": _shown_test(t), "field": sub, "errors": errs, "described_by": " ".join(ids),
                "order": TEST_KEYS.index(t.key),
                "attrs": {"aria-invalid": "true"} if errs else {}}

    other_items = [test(t) for t in others]
    return {
        "spec": _shown_spec(spec),
        "field": field,
        "kind": "tests",
        "errors": errors.get(spec.key, []),
        "attrs": {},
        "described_by": " ".join([f"{spec.key}-help"] if spec.help else []),
        "inline": True,
        "first": [test(t) for t in fitting],
        "others": other_items,
        "others_open": any(i["errors"] or i["field"].data for i in other_items),
    }


def _groups(form: IntakeForm, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    groups = []
    for key, label in GROUPS:
        specs = fields_in(key)
        recorded = sum(has_answer(form, spec) for spec in specs)
        failed = any(errors.get(spec.key) for spec in specs)
        groups.append({
            "key": key,
            "label": say(label),
            "fields": [_item(form, spec, errors) for spec in specs],
            "fold": key in FOLDED_GROUPS,
            "open": key not in FOLDED_GROUPS or failed or recorded > 0
            or (key in GRADUAL_GROUPS and form["onset"].data == "gradual"),
            "gradual": key in GRADUAL_GROUPS,
            "recorded": recorded,
        })
    return groups


def _summary(form: IntakeForm, errors: dict[str, list[str]]) -> list[dict[str, str | None]]:
    """The error summary: one line per message, linked to its field when it has one."""
    lines = []
    for key, messages in errors.items():
        if key.startswith(("last_week", "measures")):
            continue  # see _other_errors
        if key in BY_KEY:
            anchor: str | None = first_input_id(form, BY_KEY[key])
        elif key in TEST_KEYS:
            anchor = special_test_input_id(form, key)
        else:
            anchor = None
        lines.extend({"text": message, "href": anchor} for message in messages)
    return lines


def intake() -> Any:
    """GET shows the form; POST validates with the schema, stores, and redirects (303)."""
    form = IntakePageForm()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not form.validate():  # the form has no validators of its own: CSRF only
            errors = {"_csrf": [gettext(CSRF_MESSAGE)]}
        else:
            raw = page_to_raw(form)
            try:
                answers = load_answers(raw)
            except InvalidAnswers as exc:
                errors = exc.errors
                log_refused("form", errors)
            else:
                record_id = store_once(answers, form_claim(request.form.get(SUBMISSION_KEY), raw))
                return redirect(url_for(".result", assessment_id=record_id), code=303)
    return intake_page(form, errors)


def intake_page(form: IntakeForm, errors: dict[str, list[str]], **extra: Any) -> Any:
    """The intake form drawn with its errors; a follow-up adds its ``extra`` (last week).

    The vocabulary's labels and choices are drawn in the page's language; the
    outcome measures keep their published English wording.
    """
    translate_fields(form[key] for key in (*(spec.key for spec in FIELDS), "last_week")
                     if key in form)
    html = render_template(
        "ankle_intake/intake.html",
        form=form,
        groups=_groups(form, errors),
        errors=errors,
        summary=_summary(form, errors) + _other_errors(errors),
        measures=measure_sections(form, extra.pop("offered", None)),
        measures_failed=any(key.startswith("measures") for key in errors),
        ottawa_findings=[_shown_finding(f) for f in OTTAWA_FINDINGS],
        action=extra.pop("action", None) or url_for(".intake"),
        **extra,
    )
    return html, 400 if errors else 200


def _other_errors(errors: dict[str, list[str]]) -> list[dict[str, str | None]]:
    """Summary lines for the follow-up's and the measures' errors, linked to their part."""
    lines: list[dict[str, str | None]] = []
    for key, messages in errors.items():
        if key.startswith("last_week"):
            anchor: str | None = "section-last_week"
        elif key.startswith("measures"):
            anchor = "section-measures"
        else:
            continue
        lines.extend({"text": message, "href": anchor} for message in messages)
    return lines


def store_once(answers: dict[str, Any], claim: Claim | None,
               store: Callable[..., Any] | None = None) -> str:
    """The id of the record for this page's answers: stored now, or by an earlier post.

    Anything odd about the page's token (taken by another request, its record
    gone) must not cost the clinician their intake: it is stored without one.
    """
    try:
        outcome = submit_once(answers, claim, store)
    except KeyTaken:
        outcome = None
    if outcome is not None and outcome.earlier is not None:
        return str(outcome.earlier["id"])
    if outcome is not None and outcome.stored is not None:
        return str(outcome.stored.record["id"])
    return str((store or submit)(answers).record["id"])


def label_of(key: str, value: Any) -> str:
    """The vocabulary's words for a stored answer value, in the page's language."""
    spec = BY_KEY.get(key)
    if spec is None or not spec.choices:
        return str(value)
    try:
        return say(spec.label_for(value))
    except KeyError:
        return str(value)


def register(bp: Blueprint) -> None:
    """Add the intake form to the plugin's blueprint."""
    bp.add_url_rule("/intake", "intake", intake, methods=["GET", "POST"])
