"""The intake vocabulary: every answer key, choice and range, defined once.

The HTML form, the marshmallow schemas, the OpenAPI document and the FHIR
Questionnaire are all built from these tables, so they cannot drift apart.
Keys and values are fixed by ``shared/intake-contract.md`` section 3; labels
are the plain words a physiotherapist and a patient read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "choice", "choices", "integer", "number", "boolean", "date", "text", "ottawa", "tests"
]


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

@dataclass(frozen=True)
class SpecialTest:
    """One special test of the examination (contract 3b); its accuracy lives in the guidance."""

    key: str
    label: str
    meaning: str
    #: Pain locations and onsets the test fits: it is offered first when either matches.
    locations: tuple[str, ...]
    onsets: tuple[str, ...]


SPECIAL_TESTS: tuple[SpecialTest, ...] = (
    SpecialTest("anterior_drawer", "Anterior drawer",
                "Positive: the talus slides forward more than on the other side (ATFL).",
                ("outer_ankle",), ("sudden",)),
    SpecialTest("talar_tilt", "Talar tilt",
                "Positive: the talus tilts into inversion more than on the other side (CFL).",
                ("outer_ankle",), ("sudden",)),
    SpecialTest("squeeze_test", "Squeeze test",
                "Positive: squeezing tibia and fibula at mid-calf hurts at the ankle "
                "(syndesmosis).",
                ("lower_shin", "outer_ankle"), ("sudden",)),
    SpecialTest("external_rotation_test", "External rotation test",
                "Positive: turning the foot outwards with the knee bent hurts over the "
                "syndesmosis.",
                ("lower_shin", "outer_ankle"), ("sudden",)),
    SpecialTest("thompson_test", "Thompson test",
                "Positive: no plantarflexion when the calf is squeezed (Achilles rupture).",
                ("back_of_ankle", "heel"), ("sudden",)),
    SpecialTest("hop_test", "Hop test",
                "Positive: cannot hop on the sore foot without pain.",
                ("outer_ankle", "inner_ankle", "lower_shin", "deep_ankle", "top_of_foot"),
                ("sudden", "gradual")),
    SpecialTest("tinel_tarsal_tunnel", "Tinel at the tarsal tunnel",
                "Positive: tapping behind the inner ankle bone brings on tingling in the "
                "heel, arch or toes.",
                ("inner_ankle", "arch", "heel", "toes"), ("gradual",)),
)
TEST_RESULTS = _choices(("positive", "Positive"), ("negative", "Negative"))

WARNING_SIGNS = _choices(
    ("night_pain", "Night pain: wakes them and is not eased by rest or position"),
    ("fever_or_unwell", "Fever or feeling unwell"),
    ("hot_red_swollen_joint", "Hot, red, swollen joint"),
    ("calf_pain_or_swelling", "Calf pain or swelling"),
    ("recent_immobilisation_or_surgery", "Recent immobilisation (cast, boot, long travel) "
                                         "or surgery"),
    ("warm_swollen_foot", "Warm, swollen foot without an injury"),
    ("unexplained_weight_loss", "Unexplained weight loss"),
)

MEDICATIONS = _choices(
    ("fluoroquinolone", "Fluoroquinolone antibiotic (e.g. ciprofloxacin, levofloxacin)"),
    ("oral_steroid", "Oral corticosteroid (e.g. prednisolone)"),
)

MECHANISMS = _choices(
    ("inversion", "Inversion: the foot rolled inwards"),
    ("eversion_or_external_rotation", "Eversion or external rotation: the foot turned outwards"),
    ("push_off_or_landing", "Push-off or landing: a pop or kick felt at the back of the ankle"),
    ("direct_blow", "Direct blow"),
    ("no_single_event", "No single event"),
)

GROUPS: tuple[tuple[str, str], ...] = (
    ("runner", "The runner"),
    ("pain", "Where and how it hurts"),
    ("exam", "Examination"),
    ("sprain", "Sprain grade and swelling"),
    ("tests", "Special tests"),
    ("nerves", "Nerve signs"),
    ("warning", "Warning signs and medicines"),
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
    AnswerField("age", "Age", "integer", minimum=0, maximum=120, group="runner",
                help="In years."),
    AnswerField("handout_language", "Handout language", "choice", group="runner",
                nullable=False, choices=_choices(("en", "English"), ("es", "Español")),
                help="The language of the printed handout; English if left empty."),
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
    AnswerField("mechanism", "Mechanism", "choice", choices=MECHANISMS, group="exam",
                help="How it happened."),
    AnswerField("weight_bearing", "Weight-bearing today", "choice", group="exam",
                choices=_choices(("full", "Full"), ("partial", "Partial"), ("none", "None"))),
    AnswerField("heel_raise_count", "Single-leg heel raises", "integer", minimum=0,
                maximum=100, group="exam", help="How many on the sore side."),
    AnswerField("previous_sprains", "Earlier sprains", "integer", minimum=0, maximum=50,
                group="exam", help="Earlier sprains of this ankle."),
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
    AnswerField("special_tests", "Special tests", "tests", group="tests",
                help="Leave a test on 'Not examined' if it was not done."),
    AnswerField("nerve_symptoms", "Nerve symptoms", "choices", choices=NERVE_SYMPTOMS,
                max_items=len(NERVE_SYMPTOMS), group="nerves"),
    AnswerField("warning_signs", "Warning signs", "choices", choices=WARNING_SIGNS,
                max_items=len(WARNING_SIGNS), group="warning"),
    AnswerField("medications", "Medicines", "choices", choices=MEDICATIONS,
                max_items=len(MEDICATIONS), group="warning", help="Taken in the last months."),
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
TEST_KEYS: tuple[str, ...] = tuple(t.key for t in SPECIAL_TESTS)
#: Yes/no findings a clinician examines: the form offers Yes / No / Not examined.
EXAMINED_FINDINGS: tuple[str, ...] = (
    "pain_walking", "point_tenderness", "limping", "heard_pop", "bruising", "instability",
)
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
    "EXAMINED_FINDINGS",
    "SEVERITY",
    "SPECIAL_TESTS",
    "SpecialTest",
    "TEST_KEYS",
    "spec",
    "fields_in",
]
