"""The clinician's note: plain text to paste into the record.

Ordered as clinicians write it: findings, the Ottawa result, the assessment
(likely and possible conditions, red flags), then the plan (triage, RICE,
exercises with doses, healing time, earliest return, handout). Findings are
worded with the vocabulary's labels; every guidance sentence comes from the
assessment, hence from the guidance content. The labels below only frame them.

The note is plain text, never markup: names are printed exactly as entered, and
the host's identifiers (``patient_ref``, ``encounter_ref``) are never printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..forms.vocabulary import BY_KEY, FIELDS, GROUPS, OTTAWA_FINDINGS, AnswerField

TITLE = "Ankle pain intake (runner)"
FINDINGS = "Findings:"
ASSESSMENT = "Assessment:"
PLAN = "Plan:"
#: Stored for the host's records, never printed.
PRIVATE_KEYS = frozenset({"patient_ref", "encounter_ref"})
#: Printed in the header rather than among the findings.
HEADER_KEYS = ("patient_name", "clinician_name", "assessment_date")
#: Printed with another answer or in a section of their own.
NOT_FINDINGS = frozenset({"ottawa", "distance_unit"})
YES_NO = {True: "yes", False: "no"}
COULD_NOT_RUN = "could not run"
NOT_EXAMINED = "not examined"
OTTAWA_RESULTS = {"positive": "positive", "negative": "negative",
                  "not_assessed": "not fully assessed"}
CONFIDENCE = {"likely": "Likely", "possible": "Possible"}
NO_CONDITION = "Conditions: none of the known patterns fits."
EXERCISES_ON_HOLD = "Exercises: on hold until the red flags are cleared."
NO_RETURN_DATE = "not set (no injury date or healing time)"
HANDOUT_GIVEN = "Handout given."


def _value(spec: AnswerField, value: Any, answers: Mapping[str, Any]) -> str:
    if value is None:
        return COULD_NOT_RUN if spec.key == "pain_running" else ""
    if spec.kind == "choice":
        return spec.label_for(value)
    if spec.kind == "choices":
        return "; ".join(spec.label_for(v) for v in value)
    if spec.kind == "boolean":
        return YES_NO[bool(value)]
    if spec.kind == "integer" and spec.maximum is not None:
        return f"{value} out of {spec.maximum:g}"
    if spec.kind == "number":
        unit = answers.get("distance_unit", "") if spec.key == "weekly_distance" else ""
        return f"{value:g} {unit}".rstrip()
    return str(value)


def _header(answers: Mapping[str, Any], assessment: Mapping[str, Any]) -> list[str]:
    lines = [TITLE]
    for key in HEADER_KEYS:
        if answers.get(key):
            lines.append(f"{BY_KEY[key].label}: {answers[key]}")
    lines.append(f"Rules version: {assessment['rules_version']}")
    return lines


def _findings(answers: Mapping[str, Any]) -> list[str]:
    lines = [FINDINGS]
    skip = PRIVATE_KEYS | NOT_FINDINGS | set(HEADER_KEYS)
    for spec in FIELDS:
        if spec.key in skip or spec.key not in answers:
            continue
        text = _value(spec, answers[spec.key], answers)
        if text:
            lines.append(f"- {spec.label}: {text}")
    return lines


def _ottawa(answers: Mapping[str, Any], assessment: Mapping[str, Any]) -> list[str]:
    imaging = assessment["imaging"]
    title = dict(GROUPS)["ottawa"]
    lines = [f"{title}: {OTTAWA_RESULTS[imaging['ottawa']]}"]
    findings = answers.get("ottawa") or {}
    if any(v is not None for v in findings.values()):
        for finding in OTTAWA_FINDINGS:
            value = findings.get(finding.key)
            lines.append(f"- {finding.label}: {NOT_EXAMINED if value is None else YES_NO[value]}")
    lines.append(imaging["advice"])
    return lines


def _assessment(assessment: Mapping[str, Any]) -> list[str]:
    lines = [ASSESSMENT]
    for condition in assessment["conditions"]:
        reasons = " ".join(condition["reasons"])
        lines.append(f"- {CONFIDENCE[condition['confidence']]}: {condition['name']}. {reasons}"
                     .rstrip())
    if not assessment["conditions"]:
        lines.append(f"- {NO_CONDITION}")
    for flag in assessment["red_flags"]:
        lines.append(f"- Red flag: {flag['name']}. {flag['text']}")
    return lines


def _plan(assessment: Mapping[str, Any]) -> list[str]:
    triage = assessment["triage"]
    lines = [PLAN, f"- Triage: {triage['label']}. {' '.join(triage['reasons'])}".rstrip()]
    rice = assessment.get("rice")
    if rice:
        lines.append(f"- RICE: {rice['when']}")
        lines.extend(f"  - {step}" for step in rice["steps"])
    if assessment.get("exercises_on_hold"):
        lines.append(f"- {EXERCISES_ON_HOLD}")
    elif assessment["exercises"]:
        lines.append("- Exercises:")
        lines.extend(f"  - {ex['name']}: {ex['dose']}" for ex in assessment["exercises"])
    healing = assessment.get("healing")
    if healing and healing.get("min_days") is not None:
        lines.append(f"- Expected healing: {healing['min_days']} to {healing['max_days']} days. "
                     f"{healing['note']}".rstrip())
    earliest = assessment["return_to_run"]["earliest_date"] or NO_RETURN_DATE
    lines.append(f"- Earliest return to running: {earliest}")
    lines.append(f"- {HANDOUT_GIVEN}")
    return lines


def clinician_note(answers: Mapping[str, Any], assessment: Mapping[str, Any]) -> str:
    """The note for validated ``answers`` and their ``assessment``, as plain text.

    Meant for pasting into an EHR: no markup and no escaping, one item a line.
    """
    blocks = [
        _header(answers, assessment),
        _findings(answers),
        _ottawa(answers, assessment),
        _assessment(assessment),
        _plan(assessment),
    ]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


__all__ = ["clinician_note"]
