"""The intake vocabulary: every answer key, choice and range, defined once.

The HTML form, the marshmallow schemas, the OpenAPI document and the FHIR
Questionnaire are all built from these tables, so they cannot drift apart.
Keys and values are fixed by ``shared/intake-contract.md`` section 3; labels
are the plain words a physiotherapist and a patient read. They stay English
here (errors, OpenAPI and FHIR use them as they are); each is marked with
:func:`N_` for the plugin's gettext catalog, and the pages translate them where
they are drawn (``ankle_intake.web.pages``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


def N_(string: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a label for the plugin's catalog (``pybabel extract -k N_``); it is returned as is.

    A plain function, so the vocabulary needs no Flask: the pages call gettext on it.
    """
    return string


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
    ("outer_ankle", N_("Outer ankle (below or around the outer ankle bone)")),
    ("inner_ankle", N_("Inner ankle")),
    ("back_of_ankle", N_("Back of the ankle (Achilles tendon)")),
    ("heel", N_("Heel")),
    ("arch", N_("Arch of the foot")),
    ("toes", N_("Toes")),
    ("top_of_foot", N_("Top of the foot")),
    ("lower_shin", N_("Lower shin, just above the ankle")),
    ("deep_ankle", N_("Deep inside the ankle")),
)

PAIN_PATTERNS = _choices(
    ("ache_after_long_run", N_("Dull ache after a long run")),
    ("sharpens_during_run", N_("Pain sharpens or worsens during a run")),
    ("eases_with_warmup_then_returns", N_("Eases as they warm up, then comes back after the run")),
    ("worse_next_morning", N_("Worse the next morning")),
    ("morning_stiffness", N_("Stiff in the morning")),
    ("worse_with_impact", N_("Worse with impact (running, hopping)")),
    ("at_rest_or_night", N_("Hurts at rest or at night")),
)

NERVE_SYMPTOMS = _choices(
    ("burning", N_("Burning")),
    ("tingling", N_("Tingling")),
    ("numbness", N_("Numbness")),
    ("electric", N_("Electric or 'pins and needles' feeling")),
)

TRAINING = _choices(
    ("mileage_increase", N_("Recent jump in weekly distance")),
    ("hills_or_speedwork", N_("More hills or speedwork")),
    ("worn_shoes", N_("Worn-out shoes")),
    ("hard_surfaces", N_("Mostly hard surfaces")),
    ("cambered_route", N_("Same sloped (cambered) route")),
)

RISK_FACTORS = _choices(
    ("under_fueling", N_("Eating too little (low calories, calcium or vitamin D)")),
    ("menstrual_irregularity", N_("Irregular or missed periods")),
    ("flat_feet_or_overpronation", N_("Flat feet or overpronation")),
    ("high_arches", N_("High, stiff arches")),
    ("diabetes", N_("Diabetes")),
    ("previous_sprain", N_("Sprained this ankle before")),
    ("previous_stress_fracture", N_("Had a stress fracture before")),
    ("tight_calves", N_("Tight calves")),
)

TREND = _choices(("improving", N_("Improving")), ("same", N_("About the same")),
                 ("worse", N_("Getting worse")))


@dataclass(frozen=True)
class OttawaFinding:
    key: str
    label: str
    meaning: str
    rule: Literal["ankle", "foot", "both"]


OTTAWA_FINDINGS: tuple[OttawaFinding, ...] = (
    OttawaFinding(
        "tender_lateral_malleolus",
        N_("Tender at the outer ankle bone"),
        N_("Bone tenderness at the back edge or tip of the lateral malleolus (lower 6 cm)."),
        "ankle",
    ),
    OttawaFinding(
        "tender_medial_malleolus",
        N_("Tender at the inner ankle bone"),
        N_("Bone tenderness at the back edge or tip of the medial malleolus (lower 6 cm)."),
        "ankle",
    ),
    OttawaFinding(
        "tender_fifth_metatarsal_base",
        N_("Tender at the base of the fifth metatarsal"),
        N_("Bone tenderness at the base of the fifth metatarsal, on the outer edge of the "
           "midfoot."),
        "foot",
    ),
    OttawaFinding(
        "tender_navicular",
        N_("Tender at the navicular"),
        N_("Bone tenderness over the navicular, on the inner side of the midfoot."),
        "foot",
    ),
    OttawaFinding(
        "unable_to_bear_weight",
        N_("Unable to bear weight"),
        N_("Could not take four steps, both right after the injury and when examined."),
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
    SpecialTest("anterior_drawer", N_("Anterior drawer"),
                N_("Positive: the talus slides forward more than on the other side (ATFL)."),
                ("outer_ankle",), ("sudden",)),
    SpecialTest("talar_tilt", N_("Talar tilt"),
                N_("Positive: the talus tilts into inversion more than on the other side (CFL)."),
                ("outer_ankle",), ("sudden",)),
    SpecialTest("squeeze_test", N_("Squeeze test"),
                N_("Positive: squeezing tibia and fibula at mid-calf hurts at the ankle "
                "(syndesmosis)."),
                ("lower_shin", "outer_ankle"), ("sudden",)),
    SpecialTest("external_rotation_test", N_("External rotation test"),
                N_("Positive: turning the foot outwards with the knee bent hurts over the "
                "syndesmosis."),
                ("lower_shin", "outer_ankle"), ("sudden",)),
    SpecialTest("thompson_test", N_("Thompson test"),
                N_("Positive: no plantarflexion when the calf is squeezed (Achilles rupture)."),
                ("back_of_ankle", "heel"), ("sudden",)),
    SpecialTest("hop_test", N_("Hop test"),
                N_("Positive: cannot hop on the sore foot without pain."),
                ("outer_ankle", "inner_ankle", "lower_shin", "deep_ankle", "top_of_foot"),
                ("sudden", "gradual")),
    SpecialTest("tinel_tarsal_tunnel", N_("Tinel at the tarsal tunnel"),
                N_("Positive: tapping behind the inner ankle bone brings on tingling in the "
                "heel, arch or toes."),
                ("inner_ankle", "arch", "heel", "toes"), ("gradual",)),
)
TEST_RESULTS = _choices(("positive", N_("Positive")), ("negative", N_("Negative")))

WARNING_SIGNS = _choices(
    ("night_pain", N_("Night pain: wakes them and is not eased by rest or position")),
    ("fever_or_unwell", N_("Fever or feeling unwell")),
    ("hot_red_swollen_joint", N_("Hot, red, swollen joint")),
    ("calf_pain_or_swelling", N_("Calf pain or swelling")),
    ("recent_immobilisation_or_surgery", N_("Recent immobilisation (cast, boot, long travel) "
                                         "or surgery")),
    ("warm_swollen_foot", N_("Warm, swollen foot without an injury")),
    ("unexplained_weight_loss", N_("Unexplained weight loss")),
)

MEDICATIONS = _choices(
    ("fluoroquinolone", N_("Fluoroquinolone antibiotic (e.g. ciprofloxacin, levofloxacin)")),
    ("oral_steroid", N_("Oral corticosteroid (e.g. prednisolone)")),
)

MECHANISMS = _choices(
    ("inversion", N_("Inversion: the foot rolled inwards")),
    ("eversion_or_external_rotation",
     N_("Eversion or external rotation: the foot turned outwards")),
    ("push_off_or_landing", N_("Push-off or landing: a pop or kick felt at the back of the ankle")),
    ("direct_blow", N_("Direct blow")),
    ("no_single_event", N_("No single event")),
)

GROUPS: tuple[tuple[str, str], ...] = (
    ("runner", N_("The runner")),
    ("pain", N_("Where and how it hurts")),
    ("exam", N_("Examination")),
    ("sprain", N_("Sprain grade and swelling")),
    ("tests", N_("Special tests")),
    ("nerves", N_("Nerve signs")),
    ("warning", N_("Warning signs and medicines")),
    ("ottawa", N_("Ottawa ankle and foot rules")),
    ("training", N_("Training and risk factors")),
    ("return", N_("Return to running")),
)

TEXT_MAX = 120
REF_MAX = 64
WEEKLY_DISTANCE_MAX = 500.0

FIELDS: tuple[AnswerField, ...] = (
    AnswerField("patient_name", N_("Patient name"), "text", max_length=TEXT_MAX, group="runner",
                help=N_("Printed on the handout.")),
    AnswerField("clinician_name", N_("Clinician name"), "text", max_length=TEXT_MAX, group="runner",
                help=N_("Printed on the handout.")),
    AnswerField("patient_ref", N_("Patient reference"), "text", max_length=REF_MAX, group="runner",
                help=N_("Your system's identifier; stored, never printed.")),
    AnswerField("encounter_ref", N_("Encounter reference"), "text", max_length=REF_MAX,
                group="runner",
                help=N_("Your system's identifier; stored, never printed.")),
    AnswerField("assessment_date", N_("Assessment date"), "date", group="runner",
                help=N_("Defaults to today.")),
    AnswerField("age", N_("Age"), "integer", minimum=0, maximum=120, group="runner",
                help=N_("In years.")),
    AnswerField("handout_language", N_("Handout language"), "choice", group="runner",
                nullable=False, # Each language by its own name: not for translation.
                choices=_choices(("en", "English"), ("es", "Español")),
                help=N_("The language of the printed handout; English if left empty.")),
    AnswerField("side", N_("Side"), "choice", required=True, nullable=False, group="pain",
                choices=_choices(("left", N_("Left")), ("right", N_("Right")),
                                 ("both", N_("Both")))),
    AnswerField("onset", N_("Onset"), "choice", required=True, nullable=False, group="pain",
                choices=_choices(
                    ("sudden", N_("Sudden: rolled, twisted or landed badly")),
                    ("gradual", N_("Gradual: built up over runs")),
                )),
    AnswerField("injury_date", N_("Injury date"), "date", group="pain",
                help=N_("Date of the injury or of the first symptoms.")),
    AnswerField("pain_locations", N_("Pain locations"), "choices", required=True, nullable=False,
                choices=PAIN_LOCATIONS, max_items=len(PAIN_LOCATIONS), group="pain"),
    AnswerField("pain_now", N_("Pain now"), "integer", required=True, nullable=False,
                minimum=0, maximum=10, group="pain",
                help=N_("At rest today, 0 (none) to 10 (worst).")),
    AnswerField("pain_running", N_("Pain while running"), "integer", minimum=0, maximum=10,
                group="pain",
                help=N_("0 to 10; leave empty if not known, or choose 'could not run'.")),
    AnswerField("pain_pattern", N_("Pain pattern"), "choices", choices=PAIN_PATTERNS,
                max_items=len(PAIN_PATTERNS), group="pain"),
    AnswerField("pain_walking", N_("Pain walking"), "boolean", group="pain",
                help=N_("Pain when walking or in daily activities.")),
    AnswerField("point_tenderness", N_("Point tenderness"), "boolean", group="pain",
                help=N_("Tender on the bone at a spot the runner can point to.")),
    AnswerField("limping", N_("Limping"), "boolean", group="pain",
                help=N_("Limping, stride changed or avoiding load.")),
    AnswerField("symptom_trend", N_("Symptom trend"), "choice", choices=TREND, group="pain",
                help=N_("How the pain has changed since it started.")),
    AnswerField("mechanism", N_("Mechanism"), "choice", choices=MECHANISMS, group="exam",
                help=N_("How it happened.")),
    AnswerField("weight_bearing", N_("Weight-bearing today"), "choice", group="exam",
                choices=_choices(("full", N_("Full")), ("partial", N_("Partial")),
                                 ("none", N_("None")))),
    AnswerField("heel_raise_count", N_("Single-leg heel raises"), "integer", minimum=0,
                maximum=100, group="exam", help=N_("How many on the sore side.")),
    AnswerField("previous_sprains", N_("Earlier sprains"), "integer", minimum=0, maximum=50,
                group="exam", help=N_("Earlier sprains of this ankle.")),
    AnswerField("sprain_grade", N_("Sprain grade"), "choice", group="sprain",
                choices=_choices(
                    ("I", N_("Grade I (mild)")),
                    ("II", N_("Grade II (moderate)")),
                    ("III", N_("Grade III (full tear)")),
                )),
    AnswerField("heard_pop", N_("Heard a pop"), "boolean", group="sprain"),
    AnswerField("swelling", N_("Swelling"), "choice", group="sprain",
                choices=_choices(("none", N_("None")), ("mild", N_("Mild")),
                                 ("moderate", N_("Moderate")),
                                 ("severe", N_("Severe")))),
    AnswerField("swelling_trend", N_("Swelling trend"), "choice", choices=TREND, group="sprain"),
    AnswerField("bruising", N_("Bruising"), "boolean", group="sprain"),
    AnswerField("instability", N_("Instability"), "boolean", group="sprain",
                help=N_("The ankle gives way or feels unstable.")),
    AnswerField("special_tests", N_("Special tests"), "tests", group="tests",
                help=N_("Leave a test on 'Not examined' if it was not done.")),
    AnswerField("nerve_symptoms", N_("Nerve symptoms"), "choices", choices=NERVE_SYMPTOMS,
                max_items=len(NERVE_SYMPTOMS), group="nerves"),
    AnswerField("warning_signs", N_("Warning signs"), "choices", choices=WARNING_SIGNS,
                max_items=len(WARNING_SIGNS), group="warning"),
    AnswerField("medications", N_("Medicines"), "choices", choices=MEDICATIONS,
                max_items=len(MEDICATIONS), group="warning", help=N_("Taken in the last months.")),
    AnswerField("ottawa", N_("Ottawa findings"), "ottawa", group="ottawa",
                help=N_("Leave a finding empty if it was not examined.")),
    AnswerField("training", N_("Training"), "choices", choices=TRAINING, max_items=len(TRAINING),
                group="training"),
    AnswerField("risk_factors", N_("Risk factors"), "choices", choices=RISK_FACTORS,
                max_items=len(RISK_FACTORS), group="training"),
    AnswerField("weekly_distance", N_("Weekly distance"), "number", minimum=0,
                maximum=WEEKLY_DISTANCE_MAX, group="return",
                help=N_("Usual weekly running distance before the injury.")),
    AnswerField("distance_unit", N_("Distance unit"), "choice", group="return", nullable=False,
                choices=_choices(("km", N_("Kilometres")), ("mi", N_("Miles")))),
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
    "N_",
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
