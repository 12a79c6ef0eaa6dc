"""The intake vocabulary: every answer key, choice and range, defined once.

The HTML form, the marshmallow schemas, the OpenAPI document and the FHIR
Questionnaire are all built from these tables, so they cannot drift apart.
Keys and values are fixed by ``shared/intake-contract.md`` section 3; labels
are the plain words a physiotherapist and a patient read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["choice", "choices", "integer", "number", "boolean", "date", "text", "ottawa"]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class AnswerField:
    """One answer the intake records.

    ``label`` starts every error message about the field, so it must read well
    as the subject of a sentence ("Pain now must be ...").
    """

    key: str
    label: str
    kind: Kind
    required: bool = False
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    max_items: int | None = None
    nullable: bool = True
    help: str = ""
    group: str = ""

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def label_for(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        raise KeyError(f"{self.key} has no choice {value!r}")


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in pairs)


PAIN_LOCATIONS = _choices(
    ("outer_ankle", "Outer ankle (below or around the outer ankle bone)"),
    ("inner_ankle", "Inner ankle"),
    ("back_of_ankle", "Back of the ankle (Achilles tendon)"),
    ("heel", "Heel"),
    ("arch", "Arch of the foot"),
    ("toes", "Toes"),
    ("top_of_foot", "Top of the foot"),
    ("lower_shin", "Lower shin, just above the ankle"),
    ("deep_ankle", "Deep inside the ankle"),
)

PAIN_PATTERNS = _choices(
    ("ache_after_long_run", "Dull ache after a long run"),
    ("sharpens_during_run", "Pain sharpens or worsens during a run"),
    ("eases_with_warmup_then_returns", "Eases as they warm up, then comes back after the run"),
    ("worse_next_morning", "Worse the next morning"),
    ("morning_stiffness", "Stiff in the morning"),
    ("worse_with_impact", "Worse with impact (running, hopping)"),
    ("at_rest_or_night", "Hurts at rest or at night"),
)

NERVE_SYMPTOMS = _choices(
    ("burning", "Burning"),
    ("tingling", "Tingling"),
    ("numbness", "Numbness"),
    ("electric", "Electric or 'pins and needles' feeling"),
)

TRAINING = _choices(
    ("mileage_increase", "Recent jump in weekly distance"),
    ("hills_or_speedwork", "More hills or speedwork"),
    ("worn_shoes", "Worn-out shoes"),
    ("hard_surfaces", "Mostly hard surfaces"),
    ("cambered_route", "Same sloped (cambered) route"),
)

RISK_FACTORS = _choices(
    ("under_fueling", "Eating too little (low calories, calcium or vitamin D)"),
    ("menstrual_irregularity", "Irregular or missed periods"),
    ("flat_feet_or_overpronation", "Flat feet or overpronation"),
    ("high_arches", "High, stiff arches"),
    ("diabetes", "Diabetes"),
    ("previous_sprain", "Sprained this ankle before"),
    ("previous_stress_fracture", "Had a stress fracture before"),
    ("tight_calves", "Tight calves"),
)

TREND = _choices(("improving", "Improving"), ("same", "About the same"), ("worse", "Getting worse"))


@dataclass(frozen=True)
class OttawaFinding:
    key: str
    label: str
    meaning: str
    rule: Literal["ankle", "foot", "both"]


OTTAWA_FINDINGS: tuple[OttawaFinding, ...] = (
    OttawaFinding(
        "tender_lateral_malleolus",
        "Tender at the outer ankle bone",
        "Bone tenderness at the back edge or tip of the lateral malleolus (lower 6 cm).",
        "ankle",
    ),
    OttawaFinding(
        "tender_medial_malleolus",
        "Tender at the inner ankle bone",
        "Bone tenderness at the back edge or tip of the medial malleolus (lower 6 cm).",
        "ankle",
    ),
    OttawaFinding(
        "tender_fifth_metatarsal_base",
        "Tender at the base of the fifth metatarsal",
        "Bone tenderness at the base of the fifth metatarsal, on the outer edge of the midfoot.",
        "foot",
    ),
    OttawaFinding(
        "tender_navicular",
        "Tender at the navicular",
        "Bone tenderness over the navicular, on the inner side of the midfoot.",
        "foot",
    ),
    OttawaFinding(
        "unable_to_bear_weight",
        "Unable to bear weight",
        "Could not take four steps, both right after the injury and when examined.",
        "both",
    ),
)

GROUPS: tuple[tuple[str, str], ...] = (
    ("runner", "The runner"),
    ("pain", "Where and how it hurts"),
    ("sprain", "Sprain grade and swelling"),
    ("nerves", "Nerve signs"),
    ("ottawa", "Ottawa ankle and foot rules"),
    ("training", "Training and risk factors"),
    ("return", "Return to running"),
)

TEXT_MAX = 120
REF_MAX = 64
WEEKLY_DISTANCE_MAX = 500.0

FIELDS: tuple[AnswerField, ...] = (
    AnswerField("patient_name", "Patient name", "text", max_length=TEXT_MAX, group="runner",
                help="Printed on the handout."),
    AnswerField("clinician_name", "Clinician name", "text", max_length=TEXT_MAX, group="runner",
                help="Printed on the handout."),
    AnswerField("patient_ref", "Patient reference", "text", max_length=REF_MAX, group="runner",
                help="Your system's identifier; stored, never printed."),
    AnswerField("encounter_ref", "Encounter reference", "text", max_length=REF_MAX, group="runner",
                help="Your system's identifier; stored, never printed."),
    AnswerField("assessment_date", "Assessment date", "date", group="runner",
                help="Defaults to today."),
    AnswerField("side", "Side", "choice", required=True, nullable=False, group="pain",
                choices=_choices(("left", "Left"), ("right", "Right"), ("both", "Both"))),
    AnswerField("onset", "Onset", "choice", required=True, nullable=False, group="pain",
                choices=_choices(
                    ("sudden", "Sudden: rolled, twisted or landed badly"),
                    ("gradual", "Gradual: built up over runs"),
                )),
    AnswerField("injury_date", "Injury date", "date", group="pain",
                help="Date of the injury or of the first symptoms."),
    AnswerField("pain_locations", "Pain locations", "choices", required=True, nullable=False,
                choices=PAIN_LOCATIONS, max_items=len(PAIN_LOCATIONS), group="pain"),
    AnswerField("pain_now", "Pain now", "integer", required=True, nullable=False,
                minimum=0, maximum=10, group="pain", help="At rest today, 0 (none) to 10 (worst)."),
    AnswerField("pain_running", "Pain while running", "integer", minimum=0, maximum=10,
                group="pain",
                help="0 to 10; leave empty if not known, or choose 'could not run'."),
    AnswerField("pain_pattern", "Pain pattern", "choices", choices=PAIN_PATTERNS,
                max_items=len(PAIN_PATTERNS), group="pain"),
    AnswerField("pain_walking", "Pain walking", "boolean", group="pain",
                help="Pain when walking or in daily activities."),
    AnswerField("point_tenderness", "Point tenderness", "boolean", group="pain",
                help="Tender on the bone at a spot the runner can point to."),
    AnswerField("limping", "Limping", "boolean", group="pain",
                help="Limping, stride changed or avoiding load."),
    AnswerField("symptom_trend", "Symptom trend", "choice", choices=TREND, group="pain",
                help="How the pain has changed since it started."),
    AnswerField("sprain_grade", "Sprain grade", "choice", group="sprain",
                choices=_choices(
                    ("I", "Grade I (mild)"),
                    ("II", "Grade II (moderate)"),
                    ("III", "Grade III (full tear)"),
                )),
    AnswerField("heard_pop", "Heard a pop", "boolean", group="sprain"),
    AnswerField("swelling", "Swelling", "choice", group="sprain",
                choices=_choices(("none", "None"), ("mild", "Mild"), ("moderate", "Moderate"),
                                 ("severe", "Severe"))),
    AnswerField("swelling_trend", "Swelling trend", "choice", choices=TREND, group="sprain"),
    AnswerField("bruising", "Bruising", "boolean", group="sprain"),
    AnswerField("instability", "Instability", "boolean", group="sprain",
                help="The ankle gives way or feels unstable."),
    AnswerField("nerve_symptoms", "Nerve symptoms", "choices", choices=NERVE_SYMPTOMS,
                max_items=len(NERVE_SYMPTOMS), group="nerves"),
    AnswerField("ottawa", "Ottawa findings", "ottawa", group="ottawa",
                help="Leave a finding empty if it was not examined."),
    AnswerField("training", "Training", "choices", choices=TRAINING, max_items=len(TRAINING),
                group="training"),
    AnswerField("risk_factors", "Risk factors", "choices", choices=RISK_FACTORS,
                max_items=len(RISK_FACTORS), group="training"),
    AnswerField("weekly_distance", "Weekly distance", "number", minimum=0,
                maximum=WEEKLY_DISTANCE_MAX, group="return",
                help="Usual weekly running distance before the injury."),
    AnswerField("distance_unit", "Distance unit", "choice", group="return", nullable=False,
                choices=_choices(("km", "Kilometres"), ("mi", "Miles"))),
)

BY_KEY: dict[str, AnswerField] = {f.key: f for f in FIELDS}
OTTAWA_KEYS: tuple[str, ...] = tuple(f.key for f in OTTAWA_FINDINGS)
SEVERITY = {"none": 0, "mild": 1, "moderate": 2, "severe": 3}


def spec(key: str) -> AnswerField:
    """The vocabulary entry for ``key``; a KeyError names a key the contract lacks."""
    return BY_KEY[key]


def fields_in(group: str) -> list[AnswerField]:
    return [f for f in FIELDS if f.group == group]


__all__ = [
    "AnswerField",
    "BY_KEY",
    "Choice",
    "FIELDS",
    "GROUPS",
    "OTTAWA_FINDINGS",
    "OTTAWA_KEYS",
    "OttawaFinding",
    "SEVERITY",
    "spec",
    "fields_in",
]
