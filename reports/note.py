"""The clinician's note: plain text to paste into the record.

Ordered as clinicians write it: findings (history, then the examination, the
special tests and the Ottawa rules), the assessment (likely and possible
conditions, red flags), the referral, then the plan (running, RICE, exercises
with doses, return-to-run checks, healing time, earliest return, handout). It
speaks the clinician's words: ``clinician_label``, ``clinician_summary``,
``clinician_text``, ``clinician_advice``; the patient's sentences are for the
handout. Findings are worded with the vocabulary's labels, and a finding that
was not examined says so: absent is never "no".

The note is plain text, never markup: names are printed exactly as entered, and
the host's identifiers (``patient_ref``, ``encounter_ref``) are never printed.
:func:`finding_rows`, :func:`special_test_rows` and :func:`ottawa_rows` are
shared with the result page, so the page and the note cannot disagree.
"""

from __future__ import annotations

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

TITLE = "Ankle pain intake (runner)"
FINDINGS = "Findings:"
EXAMINATION = "Examination:"
SPECIAL_TESTS = "Special tests:"
ASSESSMENT = "Assessment:"
REFERRAL = "Referral:"
PLAN = "Plan:"
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


def _findings(answers: Mapping[str, Any], assessment: Mapping[str, Any]) -> list[str]:
    history, exam = finding_rows(answers)
    lines = [FINDINGS, *(f"- {label}: {text}" for label, text in history)]
    lines += ["", EXAMINATION, *(f"- {label}: {text}" for label, text in exam)]
    tests = special_test_rows(assessment)
    if tests:
        lines += ["", SPECIAL_TESTS]
        for row in tests:
            line = f"- {row['name']}: {row['words']}"
            if row["accuracy"]:
                line += f" ({row['accuracy']} Source: {row['source']})"
            lines.append(line)
    return lines


def _ottawa(answers: Mapping[str, Any], assessment: Mapping[str, Any]) -> list[str]:
    imaging = assessment["imaging"]
    title = dict(GROUPS)["ottawa"]
    result = imaging["ottawa"]
    lines = [f"{title}: {OTTAWA_RESULTS.get(result, result)}"]
    if result == "not_applicable":
        if imaging.get("scope_reason"):
            lines.append(imaging["scope_reason"])
    else:
        lines.extend(f"- {label}: {words}" for label, words in ottawa_rows(answers))
        if imaging.get("scope_reason"):
            lines.append(imaging["scope_reason"])
    lines.append(imaging.get("clinician_advice") or imaging["advice"])
    return lines


def _assessment(assessment: Mapping[str, Any]) -> list[str]:
    lines = [ASSESSMENT]
    for condition in assessment["conditions"]:
        summary = condition.get("clinician_summary") or ""
        lines.append(f"- {CONFIDENCE[condition['confidence']]}: {condition['name']}. {summary}"
                     .rstrip())
        lines.extend(f"  - {reason}" for reason in condition["reasons"])
    if not assessment["conditions"]:
        lines.append(f"- {NO_CONDITION}")
    for flag in assessment["red_flags"]:
        found = ", ".join(flag.get("findings") or [])
        line = f"- Red flag: {flag['name']}" + (f" ({found})" if found else "")
        lines.append(f"{line}; urgency: {_urgency(flag)}")
        if flag.get("source"):
            lines.append(f"  - Source: {_citation(flag['source'])}")
    return lines


def _urgency(flag: Mapping[str, Any]) -> str:
    return URGENCY_WORDS.get(flag.get("urgency", ""), flag.get("urgency", "urgency not set"))



def _referral(assessment: Mapping[str, Any]) -> list[str]:
    referral = assessment.get("referral")
    if not referral:
        return []
    lines = [f"{REFERRAL} {referral['urgency_label']}, to {referral['to']}"]
    for flag in assessment["red_flags"]:
        line = f"- {flag.get('clinician_text') or flag['name']}"
        if flag.get("refer_to") and flag["refer_to"] != referral["to"]:
            line += f"; to {flag['refer_to']}"
        lines.append(line)
    return lines


def _plan(assessment: Mapping[str, Any]) -> list[str]:
    triage = assessment["triage"]
    label = triage.get("clinician_label") or triage["label"]
    summary = triage.get("clinician_summary") or triage["summary"]
    lines = [PLAN, f"- {label}: {summary}" if not summary.startswith(label) else f"- {summary}"]
    if triage["reasons"] and not assessment.get("referral"):
        lines.append(f"  - {' '.join(triage['reasons'])}")
    lines.append(f"- {RUNNING[bool(assessment['stop_running'])]}")
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
    if held and not assessment.get("exercises_on_hold"):
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
    lines.append(f"- {HANDOUT_GIVEN}")
    return lines


def clinician_note(answers: Mapping[str, Any], assessment: Mapping[str, Any]) -> str:
    """The note for validated ``answers`` and their ``assessment``, as plain text.

    Meant for pasting into an EHR: no markup and no escaping, one item a line.
    """
    blocks = [
        _header(answers, assessment),
        _findings(answers, assessment),
        _ottawa(answers, assessment),
        _assessment(assessment),
        _referral(assessment),
        _plan(assessment),
    ]
    return "\n\n".join("\n".join(block) for block in blocks if block) + "\n"


__all__ = ["clinician_note", "finding_rows", "ottawa_rows", "special_test_rows"]
