"""Each outcome measure as an R4 (SDC) Questionnaire, and a measure's score as an Observation.

Built from :mod:`ankle_intake.forms.measures`, so the Questionnaire, the form and
the Python scorer share one table of items and printed scores:

- every item is a ``choice`` whose ``answerOption``\\s carry the printed score
  in R4's ``ordinalValue`` extension (``itemWeight`` is its R5 name); "not
  applicable" (FAAM) is an option without one;
- the root declares SDC ``variable``\\s: ``scores``, each answered item's
  printed score (so "not applicable" drops out), written in plain FHIRPath
  (``iif`` on the option code) rather than SDC's ``weight()``, which not every
  engine has; the readOnly total item's ``calculatedExpression`` is the
  published total: the sum once every item is answered (CAIT, LEFS), or for
  FAAM the percentage, rounded half up to one decimal, and only when at least
  ``min_answered`` items were answered (the 90% rule), else empty;
- an Observation is coded in this plugin's own CodeSystem
  ``<CANONICAL_BASE>/CodeSystem/measures`` (code = measure id): no LOINC code
  for these scores could be verified, so none is claimed.
"""

from __future__ import annotations

import copy
import functools
from html import escape
from typing import Any

from ..forms.measures import DATA, MEASURE_IDS, measure
from .questionnaire import CANONICAL_BASE, _package_version

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"
CALCULATED = ("http://hl7.org/fhir/uv/sdc/StructureDefinition/"
              "sdc-questionnaire-calculatedExpression")
#: The local CodeSystem of the measures' scores (Observation.code) and of their options.
MEASURE_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/measures"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
UCUM = "http://unitsofmeasure.org"
#: Changes whenever the package or the measures' data do.
MEASURES_VERSION = f"{_package_version()}+measures.{DATA.version}"
TOTAL_SUFFIX = ".total"


def resource_id(measure_id: str) -> str:
    """A measure id as a FHIR id (``faam_adl`` -> ``faam-adl``: ids take no underscore)."""
    return measure_id.replace("_", "-")


def measure_for(resource: str) -> str | None:
    """The measure id a FHIR id (or the measure id itself) names, or None."""
    found = resource.replace("-", "_")
    return found if found in MEASURE_IDS else None


def questionnaire_url(measure_id: str, base: str = CANONICAL_BASE) -> str:
    """The canonical URL of a measure's Questionnaire."""
    return f"{base}/Questionnaire/{resource_id(measure_id)}"


def option_system(measure_id: str, base: str = CANONICAL_BASE) -> str:
    """The system of a measure's option codes."""
    return f"{base}/CodeSystem/measures/{resource_id(measure_id)}"


def link_id(measure_id: str, n: int) -> str:
    """The linkId of item ``n`` (1-based), e.g. ``cait.4``."""
    return f"{measure_id}.{n}"


def _item_score(measure_id: str, item: dict) -> str:
    """FHIRPath: the printed score of the item's answer, empty if unanswered or N/A."""
    chain = "{}"
    for option in reversed(item["options"]):
        if option["score"] is not None:
            chain = f"iif(code = '{option['code']}', {option['score']}, {chain})"
    return (f"%resource.item.where(linkId = '{link_id(measure_id, item['n'])}')"
            f".answer.value.select({chain})")


def scores_expression(measure_id: str) -> str:
    """FHIRPath of the ``scores`` variable: every answered item's printed score."""
    parts = [_item_score(measure_id, item) for item in measure(measure_id)["items"]]
    return parts[0] + "".join(f".combine({p})" for p in parts[1:])


def total_expression(measure_id: str) -> str:
    """FHIRPath of the total, over ``%scores``: the published score, or empty."""
    spec = measure(measure_id)
    total = "%scores.aggregate($this + $total, 0)"
    if spec["scoring"] == "sum":
        return f"iif(%scores.count() = {len(spec['items'])}, {total}, {{}})"
    return (f"iif(%scores.count() >= {spec['min_answered']}, "
            f"(({total} * 1000 / (%scores.count() * 4)) + 0.5).floor() / 10, {{}})")


def _expression(name: str | None, text: str, description: str) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "language": "text/fhirpath",
                           "expression": text}
    if name:
        out["name"] = name
    return out


def _options(measure_id: str, item: dict, base: str) -> list[dict[str, Any]]:
    out = []
    for option in item["options"]:
        entry: dict[str, Any] = {"valueCoding": {"system": option_system(measure_id, base),
                                                 "code": option["code"],
                                                 "display": option["label"]}}
        if option["score"] is not None:
            entry["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option["score"]}]
        out.append(entry)
    return out


def _rule(spec: dict) -> str:
    if spec["scoring"] == "sum":
        return (f"The sum of the printed scores ({spec['min']}-{spec['max']}), once every item "
                "is answered.")
    return (f"The printed scores' sum over 4 per answered item, as a percentage rounded half "
            f"up to one decimal; not scored unless at least {spec['min_answered']} of "
            f"{len(spec['items'])} items are answered (not applicable counts as unanswered).")


@functools.cache
def _built(measure_id: str, base: str) -> dict[str, Any]:
    spec = measure(measure_id)
    items = [{"linkId": link_id(measure_id, item["n"]), "prefix": f"{item['n']}.",
              "text": item["text"], "type": "choice",
              "answerOption": _options(measure_id, item, base)}
             for item in spec["items"]]
    unit = "%" if spec["unit"] == "%" else "points"
    items.append({
        "linkId": measure_id + TOTAL_SUFFIX, "text": f"{spec['name']} score ({unit})",
        "type": "decimal", "readOnly": True,
        "extension": [{"url": CALCULATED, "valueExpression": _expression(
            None, total_expression(measure_id), _rule(spec))}],
    })
    citation = spec["source"]["citation"]
    description = (f"{spec['title']} ({spec['name']}), {len(spec['items'])} items, scored as "
                   f"published: {_rule(spec)} {DATA.wording}")
    return {
        "resourceType": "Questionnaire",
        "id": resource_id(measure_id),
        "text": {"status": "generated",
                 "div": (f'<div xmlns="http://www.w3.org/1999/xhtml"><h1>'
                         f"{escape(spec['title'])}</h1><p>{escape(description)}</p>"
                         f"<p>{escape(citation)}</p></div>")},
        "extension": [{"url": VARIABLE, "valueExpression": _expression(
            "scores", scores_expression(measure_id),
            "Each answered item's printed score; not applicable drops out.")}],
        "url": questionnaire_url(measure_id, base),
        "version": MEASURES_VERSION,
        "name": "AnkleIntake" + "".join(p.capitalize() for p in measure_id.split("_")),
        "title": spec["title"],
        "status": "active",
        "subjectType": ["Patient"],
        "description": description,
        "copyright": spec["licence"]["terms"],
        "item": items,
    }


def measure_questionnaire(measure_id: str, base: str = CANONICAL_BASE) -> dict[str, Any]:
    """The R4 Questionnaire of one offered measure; ``KeyError`` for another id.

    ``base`` is the canonical base of its URL and codes (not the serving address).
    """
    return copy.deepcopy(_built(measure_id, base))


def measure_questionnaires(base: str = CANONICAL_BASE) -> list[dict[str, Any]]:
    """Every offered measure's Questionnaire, in data order."""
    return [measure_questionnaire(m, base) for m in MEASURE_IDS]


def observation_id(record_id: str, measure_id: str) -> str:
    """``<record id>-<measure id as a FHIR id>``: at most 48 characters for a UUID record."""
    return f"{record_id}-{resource_id(measure_id)}"


def split_observation_id(observation: str) -> tuple[str, str] | None:
    """``(record id, measure id)`` from an Observation id, or None if it names no measure."""
    for measure_id in MEASURE_IDS:
        suffix = "-" + resource_id(measure_id)
        if observation.endswith(suffix) and len(observation) > len(suffix):
            return observation[: -len(suffix)], measure_id
    return None


def _reference(kind: str, value: str | None) -> dict[str, Any] | None:
    return {"type": kind, "identifier": {"value": value}} if value else None


def measure_observation(
    record_id: str,
    measure_id: str,
    scored: dict[str, Any],
    *,
    subject: str | None = None,
    encounter: str | None = None,
    effective: str | None = None,
    issued: str | None = None,
) -> dict[str, Any]:
    """An R4 Observation (category ``survey``) of one scored measure.

    ``scored`` is a ``score()``/``assess_measures()`` entry; ``subject`` and
    ``encounter`` are the host's references (``patient_ref``, ``encounter_ref``),
    sent as logical references exactly as the QuestionnaireResponse sends them;
    ``effective`` is the visit's date and ``issued`` when it was stored. A score
    of None becomes ``dataAbsentReason`` with the reason as its text.
    """
    spec = measure(measure_id)
    out: dict[str, Any] = {
        "resourceType": "Observation",
        "id": observation_id(record_id, measure_id),
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey",
                                  "display": "Survey"}]}],
        "code": {"coding": [{"system": MEASURE_SYSTEM, "code": measure_id,
                             "display": spec["title"]}],
                 "text": spec["name"]},
    }
    for key, kind, value in (("subject", "Patient", subject),
                             ("encounter", "Encounter", encounter)):
        ref = _reference(kind, value)
        if ref:
            out[key] = ref
    if effective:
        out["effectiveDateTime"] = effective
    if issued:
        out["issued"] = issued
    value = scored.get("score")
    if value is None:
        out["dataAbsentReason"] = {
            "coding": [{"system": DATA_ABSENT, "code": "unknown", "display": "Unknown"}],
            "text": scored.get("reason") or "Not scored.",
        }
    else:
        unit = ("%", "%") if spec["unit"] == "%" else ("points", "{score}")
        out["valueQuantity"] = {"value": value, "unit": unit[0], "system": UCUM,
                                "code": unit[1]}
        interpretation = scored.get("interpretation")
        if interpretation:
            out["interpretation"] = [{"text": interpretation["clinician"]}]
    note = (scored.get("change") or {}).get("text")
    if note:
        out["note"] = [{"text": note}]
    return out


__all__ = [
    "MEASURES_VERSION",
    "MEASURE_SYSTEM",
    "measure_for",
    "measure_observation",
    "measure_questionnaire",
    "measure_questionnaires",
    "observation_id",
    "questionnaire_url",
    "scores_expression",
    "split_observation_id",
    "total_expression",
]


def measure_code_system(resource: str) -> dict[str, Any] | None:
    """The CodeSystem of a measure's option codes, served at :func:`option_system`'s URL.

    A code is the printed score (``na``: not applicable); its words differ from
    item to item (CAIT), so a concept's display is the score, and the item's own
    words stay in the Questionnaire's ``answerOption``.
    """
    measure_id = measure_for(resource)
    if measure_id is None:
        return None
    codes: dict[str, str] = {}
    for item in measure_questionnaire(measure_id)["item"]:
        for option in item.get("answerOption", []):
            code = option["valueCoding"]["code"]
            codes[code] = "Not applicable" if code == "na" else f"Score {code}"
    ordered = sorted(codes, key=lambda c: (c == "na", int(c) if c.isdigit() else 0))
    name = measure(measure_id)["name"]
    rows = "".join(f"<tr><td>{escape(c)}</td><td>{escape(codes[c])}</td></tr>" for c in ordered)
    return {
        "resourceType": "CodeSystem",
        "id": "measures-" + resource_id(measure_id),
        "text": {"status": "generated",
                 "div": (f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escape(name)}: the '
                         f"printed scores of its answers.</p><table><tr><th>Code</th>"
                         f"<th>Display</th></tr>{rows}</table></div>")},
        "url": option_system(measure_id),
        "version": MEASURES_VERSION,
        "name": "AnkleIntakeMeasure" + "".join(p.capitalize() for p in measure_id.split("_")),
        "title": f"{name}: printed scores",
        "status": "active",
        "description": f"The score printed beside each answer of the {name}, as a code.",
        "caseSensitive": True,
        "content": "complete",
        "count": len(ordered),
        "concept": [{"code": c, "display": codes[c]} for c in ordered],
    }
