"""The clinician's note: plain text to paste into the record, laid out as SOAP.

S, the runner's story (what was recorded of the history, training and risk
factors); O, the examination, the special tests (positives with their
published accuracy) and the Ottawa findings with the rules' scope; A, the
likely and possible conditions (never a diagnosis), the Ottawa result, red
flags with their urgency and action, and the engine's suggested level; P, the
plan. With the clinician's plan (contract 5) P is the plan: the clinician's
level (and, when it differs from the suggestion, both and the reason), the
referral only at ``see_clinician``, the exercises with the plan's doses, the
notes and the review date; without one, P is the engine's suggestion. A
signature line closes the note: who signed, when, which version, or that it
is a draft; an addendum gives its reason.

It speaks the clinician's words: ``clinician_label``, ``clinician_summary``,
``clinician_text``, ``clinician_advice``; the patient's sentences are for the
handout. Findings are worded with the vocabulary's labels, and a finding that
was not examined says so: absent is never "no".

The note is plain text, never markup: names are printed exactly as entered, and
the host's identifiers (``patient_ref``, ``encounter_ref``) are never printed.
:func:`finding_rows`, :func:`special_test_rows` and :func:`ottawa_rows` are
shared with the result page, so the page and the note cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..forms.vocabulary import (
    BY_KEY,
    EXAMINED_FINDINGS,
    FIELDS,
    GROUPS,
    OTTAWA_FINDINGS,
    AnswerField,
)
from ..guidance import CONTENT
from .planned import planned_assessment

TITLE = "Ankle pain intake (runner)"
SUBJECTIVE = "S: Subjective"
OBJECTIVE = "O: Objective"
ASSESSMENT = "A: Assessment"
PLAN = "P: Plan"
EXAMINATION = "Examination:"
SPECIAL_TESTS = "Special tests:"
OTTAWA_FINDINGS_HEAD = "Ottawa findings:"
OTTAWA_NOT_APPLIED = "Ottawa findings: not applied."
REFERRAL = "Referral:"
SUGGESTED = "Suggested:"
LEVEL = "Level:"
CHOSEN = "Suggested: {suggested}; chosen: {chosen}; reason: {reason}"
NO_REASON = "none given"
RECORD_NOTE = "Note for the record:"
PATIENT_NOTE = "Note for the patient (on the handout):"
REVIEW = "Review: {date}"
NO_REVIEW = "Review: not set"
SIGNED = "Signed by {name} at {at} (version {version})"
UNSIGNED = "DRAFT: not signed"
ADDENDUM = "Addendum (version {version}): {reason}"
UNKNOWN_SIGNER = "unknown clinician"
#: History answers that are the clinician's examination, printed under O.
OBJECTIVE_HISTORY_KEYS = ("sprain_grade",)
#: Stored for the host's records, never printed.
PRIVATE_KEYS = frozenset({"patient_ref", "encounter_ref"})
#: Printed in the header rather than among the findings.
HEADER_KEYS = ("patient_name", "clinician_name", "assessment_date")
#: Printed with another answer or in a section of their own.
NOT_FINDINGS = frozenset({"ottawa", "distance_unit", "special_tests"})
#: What the clinician examines: printed "not examined" when absent, never left out.
EXAM_KEYS: tuple[str, ...] = (
    "weight_bearing", *EXAMINED_FINDINGS, "swelling", "heel_raise_count",
)
YES_NO = {True: "yes", False: "no"}
COULD_NOT_RUN = "could not run"
NOT_EXAMINED = "not examined"
TEST_RESULT_WORDS = {"positive": "positive", "negative": "negative",
                     "not_examined": NOT_EXAMINED}
OTTAWA_RESULTS = {"positive": "positive", "negative": "negative",
                  "not_assessed": "not fully examined", "not_applicable": "not applicable"}
CONFIDENCE = {"likely": "Likely", "possible": "Possible"}
URGENCY_WORDS = {"emergency": "emergency", "same_day": "same day",
                 "within_1_working_day": "within one working day", "routine": "routine"}
CHECK_STATUS = {"met": "met", "not_met": "not met", "not_examined": NOT_EXAMINED}
NO_CONDITION = "Conditions: none of the known patterns fits."
EXERCISES_ON_HOLD = "Exercises: programme on hold pending the referral."
EXERCISES_HELD = "Exercise kinds held: {kinds}."
NO_EXERCISES = "Exercises: none prescribed."
NO_RETURN_DATE = "not set"
NO_RETURN_DATE_REFERRAL = "not set (referral pending)"
HANDOUT_GIVEN = "Handout given."
RUNNING = {True: "Running: no running.", False: "Running: may continue, within the pain rule."}


def _value(spec: AnswerField, value: Any, answers: Mapping[str, Any]) -> str:
    if value is None:
        return COULD_NOT_RUN if spec.key == "pain_running" else ""
    if spec.kind == "choice":
        return spec.label_for(value)
    if spec.kind == "choices":
        return "; ".join(spec.label_for(v) for v in value)
    if spec.kind == "boolean":
        return YES_NO[bool(value)]
    if spec.kind == "integer" and spec.maximum is not None and spec.maximum <= 10:
        return f"{value} out of {spec.maximum:g}"
    if spec.kind == "number":
        unit = answers.get("distance_unit", "") if spec.key == "weekly_distance" else ""
        return f"{value:g} {unit}".rstrip()
    return str(value)


def finding_rows(answers: Mapping[str, Any]) -> tuple[list[tuple[str, str]],
                                                      list[tuple[str, str]]]:
    """(history, examination) as (label, words) pairs, in vocabulary order.

    History lists only what was recorded; the examination lists every finding,
    "not examined" where nothing was recorded.
    """
    skip = PRIVATE_KEYS | NOT_FINDINGS | set(HEADER_KEYS)
    history: list[tuple[str, str]] = []
    for spec in FIELDS:
        if spec.key in skip or spec.key in EXAM_KEYS or spec.key not in answers:
            continue
        text = _value(spec, answers[spec.key], answers)
        if text:
            history.append((spec.label, text))
    exam = []
    for key in EXAM_KEYS:
        spec = BY_KEY[key]
        value = answers.get(key)
        exam.append((spec.label, NOT_EXAMINED if value is None else _value(spec, value, answers)))
    return history, exam


def special_test_rows(assessment: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each special test with its result in words; positives carry accuracy and source."""
    rows = []
    for test in assessment.get("examination", {}).get("special_tests", []):
        positive = test["result"] == "positive"
        rows.append({
            "name": test["name"],
            "result": test["result"],
            "words": TEST_RESULT_WORDS.get(test["result"], test["result"]),
            "accuracy": test.get("accuracy") if positive else None,
            "source": _citation(test.get("source")) if positive else None,
        })
    return rows


def ottawa_rows(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The Ottawa findings as (label, yes / no / not examined); empty when none was recorded."""
    findings = answers.get("ottawa") or {}
    if not any(v is not None for v in findings.values()):
        return []
    return [(f.label, NOT_EXAMINED if findings.get(f.key) is None else YES_NO[findings[f.key]])
            for f in OTTAWA_FINDINGS]


def _citation(source: Mapping[str, str] | None) -> str:
    if not source:
        return ""
    return source.get("citation") or f"article: {source.get('article', '')}"


def _header(answers: Mapping[str, Any], assessment: Mapping[str, Any]) -> list[str]:
    lines = [TITLE]
    for key in HEADER_KEYS:
        if answers.get(key):
            lines.append(f"{BY_KEY[key].label}: {answers[key]}")
    lines.append(f"Rules version: {assessment['rules_version']}")
    return lines


def _subjective(answers: Mapping[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    """S: the runner's story; also the history rows that belong under O."""
    history, _ = finding_rows(answers)
    moved = {BY_KEY[key].label for key in OBJECTIVE_HISTORY_KEYS}
    story = [(label, text) for label, text in history if label not in moved]
    lines = [SUBJECTIVE, *(f"- {label}: {text}" for label, text in story)]
    lines += _last_week(answers)
    return lines, [(label, text) for label, text in history if label in moved]


def _last_week(answers: Mapping[str, Any]) -> list[str]:
    """A follow-up's account of the week since the last visit (contract 6)."""
    if "last_week" not in answers:
        return []
    week = answers["last_week"] or {}
    unit = answers.get("distance_unit", "km")
    parts = [
        f"{week['runs']} run(s)" if "runs" in week else "runs not recorded",
        f"{week['minutes']:g} min" if "minutes" in week else "minutes not recorded",
        f"{week['distance']:g} {unit}" if "distance" in week else "distance not recorded",
        (f"worst pain during a run {week['pain_during_max']}/10"
         if "pain_during_max" in week else "worst pain during a run not recorded"),
        ({True: "worse the next morning", False: "not worse the next morning"}
         [week["worse_next_morning"]] if "worse_next_morning" in week
         else "next morning not recorded"),
    ]
    return [f"- Last week: {'; '.join(parts)}."]


def _measures(assessment: Mapping[str, Any]) -> list[str]:
    """Each outcome measure's score, its reading and its change since last scored."""
    lines = []
    for scored in (assessment.get("measures") or {}).values():
        if scored.get("score") is None:
            why = scored.get("reason") or "too few items answered"
            lines.append(f"- {scored['name']}: no score ({why}).")
            continue
        reading = (scored.get("interpretation") or {}).get("clinician") or ""
        line = f"- {scored['name']}: {scored['score']:g}/{scored['max']:g} {scored['unit']}."
        lines.append(f"{line} {reading}".rstrip())
        if scored.get("change"):
            lines.append(f"  - {scored['change']['text']}")
    return ["Outcome measures:", *lines] if lines else []


def _objective(answers: Mapping[str, Any], assessment: Mapping[str, Any],
               graded: list[tuple[str, str]]) -> list[str]:
    _, exam = finding_rows(answers)
    lines = [OBJECTIVE, EXAMINATION, *(f"- {label}: {text}" for label, text in exam + graded)]
    tests = special_test_rows(assessment)
    if tests:
        lines.append(SPECIAL_TESTS)
        for row in tests:
            line = f"- {row['name']}: {row['words']}"
            if row["accuracy"]:
                line += f" ({row['accuracy']} Source: {row['source']})"
            lines.append(line)
    return lines + _ottawa_findings(answers, assessment) + _measures(assessment)


def _ottawa_findings(answers: Mapping[str, Any], assessment: Mapping[str, Any]) -> list[str]:
    """The Ottawa findings within the rules' scope; outside it, why they are not applied."""
    imaging = assessment["imaging"]
    if imaging["ottawa"] == "not_applicable":
        lines = [OTTAWA_NOT_APPLIED]
    else:
        rows = ottawa_rows(answers)
        lines = [OTTAWA_FINDINGS_HEAD if rows else f"{OTTAWA_FINDINGS_HEAD} {NOT_EXAMINED}"]
        lines.extend(f"- {label}: {words}" for label, words in rows)
    if imaging.get("scope_reason"):
        lines.append(imaging["scope_reason"])
    return lines


def _level_line(triage: Mapping[str, Any]) -> str:
    label = triage.get("clinician_label") or triage["label"]
    summary = triage.get("clinician_summary") or triage["summary"]
    return summary if summary.startswith(label) else f"{label}: {summary}"


def _assessment(assessment: Mapping[str, Any]) -> list[str]:
    lines = [ASSESSMENT]
    for condition in assessment["conditions"]:
        summary = condition.get("clinician_summary") or ""
        lines.append(f"- {CONFIDENCE[condition['confidence']]}: {condition['name']}. {summary}"
                     .rstrip())
        lines.extend(f"  - {reason}" for reason in condition["reasons"])
    if not assessment["conditions"]:
        lines.append(f"- {NO_CONDITION}")
    imaging = assessment["imaging"]
    title = dict(GROUPS)["ottawa"]
    result = OTTAWA_RESULTS.get(imaging["ottawa"], imaging["ottawa"])
    lines.append(f"- {title}: {result}. {imaging.get('clinician_advice') or imaging['advice']}")
    for flag in assessment["red_flags"]:
        found = ", ".join(flag.get("findings") or [])
        line = f"- Red flag: {flag['name']}" + (f" ({found})" if found else "")
        lines.append(f"{line}; urgency: {_urgency(flag)}")
        if flag.get("clinician_text"):
            lines.append(f"  - Action: {flag['clinician_text']}")
        if flag.get("source"):
            lines.append(f"  - Source: {_citation(flag['source'])}")
    triage = assessment["triage"]
    lines.append(f"- {SUGGESTED} {_level_line(triage)}")
    if triage["reasons"] and not assessment.get("referral"):
        lines.append(f"  - {' '.join(triage['reasons'])}")
    return lines


def _urgency(flag: Mapping[str, Any]) -> str:
    return URGENCY_WORDS.get(flag.get("urgency", ""), flag.get("urgency", "urgency not set"))


def _referral(assessment: Mapping[str, Any]) -> list[str]:
    referral = assessment.get("referral")
    if not referral:
        return []
    lines = [f"- {REFERRAL} {referral['urgency_label']}, to {referral['to']}"]
    for flag in assessment["red_flags"]:
        if flag.get("refer_to") and flag["refer_to"] != referral["to"]:
            lines.append(f"  - {flag.get('clinician_text') or flag['name']}; "
                         f"to {flag['refer_to']}")
    return lines


def _typed(text: str) -> list[str]:
    """A person's text as note lines: control characters dropped, one item a line."""
    clean = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text or "")
    return [line.rstrip() for line in clean.splitlines() if line.strip()]


def _typed_item(head: str, text: str) -> list[str]:
    lines = _typed(text)
    if not lines:
        return []
    return [f"- {head} {lines[0]}", *(f"  {line}" for line in lines[1:])]


def _choice(suggested: Mapping[str, Any], plan: Mapping[str, Any]) -> list[str]:
    """The clinician's level, and the suggestion beside it when they differ."""
    chosen = CONTENT.levels[plan["triage_level"]]
    if plan["triage_level"] == suggested["level"]:
        return []
    reason = " ".join(_typed(plan.get("override_reason") or "")) or NO_REASON
    return ["- " + CHOSEN.format(suggested=suggested["clinician_label"],
                                 chosen=chosen["clinician_label"], reason=reason)]


def _plan(assessment: Mapping[str, Any], plan: Mapping[str, Any] | None) -> list[str]:
    triage = assessment["triage"]
    lines = [PLAN, f"- {LEVEL} {_level_line(triage)}" if plan else f"- {_level_line(triage)}"]
    if plan:
        lines += _choice(assessment["suggested_triage"], plan)
    elif triage["reasons"] and not assessment.get("referral"):
        lines.append(f"  - {' '.join(triage['reasons'])}")
    lines += _referral(assessment)
    lines.append(f"- {RUNNING[bool(assessment['stop_running'])]}")
    lines += _progression(assessment["return_to_run"], plan)
    rice = assessment.get("rice")
    if rice:
        lines.append(f"- RICE: {rice['when']}")
        lines.extend(f"  - {step}" for step in rice["steps"])
    if assessment.get("exercises_on_hold"):
        lines.append(f"- {EXERCISES_ON_HOLD}")
    elif assessment["exercises"]:
        lines.append("- Exercises:")
        lines.extend(f"  - {ex['name']}: {ex['dose']}" for ex in assessment["exercises"])
    else:
        lines.append(f"- {NO_EXERCISES}")
    held = assessment.get("exercises_held")
    # Under a plan the exercises are the clinician's choice, whatever the engine held.
    if held and not plan and not assessment.get("exercises_on_hold"):
        lines.append(f"  - {EXERCISES_HELD.format(kinds=', '.join(held).replace('_', '-'))}")
    checks = assessment["return_to_run"].get("checks") or []
    if checks:
        lines.append("- Return-to-run checks:")
        lines.extend(f"  - {c['clinician_text']}: {CHECK_STATUS.get(c['status'], c['status'])}"
                     for c in checks)
    healing = assessment.get("healing")
    if healing and healing.get("min_days") is not None:
        lines.append(f"- Expected healing: {healing['min_days']} to {healing['max_days']} days. "
                     f"{healing['note']}".rstrip())
    earliest = assessment["return_to_run"]["earliest_date"] or (
        NO_RETURN_DATE_REFERRAL if assessment.get("referral") else NO_RETURN_DATE)
    lines.append(f"- Earliest return to running: {earliest}")
    if plan:
        lines += _typed_item(RECORD_NOTE, plan.get("record_note") or "")
        lines += _typed_item(PATIENT_NOTE, plan.get("patient_note") or "")
        review = plan.get("review_date")
        lines.append(f"- {REVIEW.format(date=review) if review else NO_REVIEW}")
    lines.append(f"- {HANDOUT_GIVEN}")
    return lines


#: A follow-up's progression in the note's words.
PROGRESSION_WORDS = {"advance": "advance", "hold": "hold", "back_off": "back off"}


def _progression(rtr: Mapping[str, Any], plan: Mapping[str, Any] | None) -> list[str]:
    """A follow-up's progression: the suggestion with its reasons, and the clinician's choice."""
    suggested = rtr.get("progression")
    if not suggested:
        return []
    lines = [f"- Progression suggested: {PROGRESSION_WORDS[suggested]}."]
    lines.extend(f"  - {reason['clinician']}" for reason in rtr.get("progression_reasons", []))
    chosen = (plan or {}).get("progression")
    if chosen and chosen != suggested:
        lines.append(f"- Progression chosen: {PROGRESSION_WORDS[chosen]} "
                     f"(suggested {PROGRESSION_WORDS[suggested]}).")
    return lines


def _signature(signoff: Mapping[str, Any] | None) -> list[str]:
    """Who signed, when and which version; a draft says it is not signed."""
    if not signoff or signoff.get("status") != "signed":
        return [UNSIGNED]
    person = signoff.get("clinician") or {}
    lines = [SIGNED.format(name=person.get("name") or UNKNOWN_SIGNER,
                           at=signoff.get("signed_at") or "time not recorded",
                           version=signoff.get("version", 1))]
    reason = " ".join(_typed(signoff.get("addendum_reason") or ""))
    if reason:
        lines.append(ADDENDUM.format(version=signoff.get("version", 1), reason=reason))
    return lines


def clinician_note(
    answers: Mapping[str, Any],
    assessment: Mapping[str, Any],
    *,
    plan: Mapping[str, Any] | None = None,
    signoff: Mapping[str, Any] | None = None,
) -> str:
    """The SOAP note for validated ``answers``, their ``assessment`` and the clinician's plan.

    Meant for pasting into an EHR: no markup and no escaping, one item a line.
    ``plan`` and ``signoff`` as in contract 5; without a plan, P is the
    engine's suggestion; without a signed ``signoff`` the note says it is a
    draft. Raises ``ValueError`` for a plan's unknown level or exercise id.
    """
    planned = planned_assessment(assessment, plan) if plan else assessment
    subjective, graded = _subjective(answers)
    blocks = [
        _header(answers, assessment),
        subjective,
        _objective(answers, assessment, graded),
        _assessment(assessment),
        _plan(planned, plan),
        _signature(signoff),
    ]
    return "\n\n".join("\n".join(block) for block in blocks if block) + "\n"


__all__ = ["clinician_note", "finding_rows", "ottawa_rows", "special_test_rows"]
