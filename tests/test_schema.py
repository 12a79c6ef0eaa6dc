"""The intake vocabulary and the answers load schema."""

from __future__ import annotations

import pytest

from ankle_intake.forms import FIELDS, InvalidAnswers, load_answers
from ankle_intake.forms.schemas import MAX_RAW_ITEMS
from ankle_intake.forms.vocabulary import BY_KEY, GROUPS, OTTAWA_FINDINGS

from casebook import intake

CONTRACT_KEYS = {
    "side", "onset", "pain_locations", "pain_now", "pain_running", "injury_date",
    "assessment_date", "sprain_grade", "heard_pop", "swelling", "swelling_trend", "bruising",
    "instability", "limping", "pain_walking", "pain_pattern", "point_tenderness",
    "nerve_symptoms", "ottawa", "training", "risk_factors", "weekly_distance", "distance_unit",
    "patient_name", "clinician_name", "patient_ref", "encounter_ref",
}


DATE_MESSAGE = "Injury date must be a real date from 1900 to 2100, written as YYYY-MM-DD."


def errors(**answers: object) -> dict[str, list[str]]:
    with pytest.raises(InvalidAnswers) as info:
        load_answers(intake(**answers))
    return info.value.errors


def test_the_vocabulary_covers_the_contract() -> None:
    assert CONTRACT_KEYS <= set(BY_KEY)
    assert {f.key for f in OTTAWA_FINDINGS} == {
        "tender_lateral_malleolus", "tender_medial_malleolus", "tender_fifth_metatarsal_base",
        "tender_navicular", "unable_to_bear_weight"}
    assert BY_KEY["pain_locations"].values == (
        "outer_ankle", "inner_ankle", "back_of_ankle", "heel", "arch", "toes", "top_of_foot",
        "lower_shin", "deep_ankle")
    group_ids = {g for g, _ in GROUPS}
    for spec in FIELDS:
        assert spec.group in group_ids, spec.key
        assert all(c.label for c in spec.choices)


def test_required_fields_are_named() -> None:
    with pytest.raises(InvalidAnswers) as info:
        load_answers({})
    assert set(info.value.errors) == {"side", "onset", "pain_locations", "pain_now"}
    assert info.value.errors["side"] == ["Side: an answer is required."]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("pain_now", 11, "Pain now must be a whole number from 0 to 10."),
        ("pain_now", -1, "Pain now must be a whole number from 0 to 10."),
        ("pain_now", 2.5, "Pain now must be a whole number from 0 to 10."),
        ("pain_now", "3", "Pain now must be a whole number from 0 to 10."),
        ("pain_now", True, "Pain now must be a whole number from 0 to 10."),
        ("side", "middle", "Side must be one of: left, right, both."),
        ("sprain_grade", "IV", "Sprain grade must be one of: I, II, III."),
        ("bruising", "yes", "Bruising must be true or false."),
        ("bruising", 1, "Bruising must be true or false."),
        ("injury_date", "2026-02-30", DATE_MESSAGE),
        ("injury_date", "01/03/2026", DATE_MESSAGE),
        ("injury_date", "1899-12-31", DATE_MESSAGE),
        ("assessment_date", "2101-01-01",
         "Assessment date must be a real date from 1900 to 2100, written as YYYY-MM-DD."),
        ("weekly_distance", -5, "Weekly distance must be a number from 0 to 500."),
        ("weekly_distance", float("nan"), "Weekly distance must be a number from 0 to 500."),
        ("weekly_distance", "40", "Weekly distance must be a number from 0 to 500."),
        ("patient_name", "x" * 121, "Patient name must be text of at most 120 characters."),
        ("patient_ref", "r" * 65, "Patient reference must be text of at most 64 characters."),
        ("pain_pattern", "worse_with_impact", None),
        ("pain_pattern", ["worse_with_impact", "sometimes"], None),
        ("ottawa", [True], "Ottawa findings must be an object of true, false or null findings."),
    ],
)
def test_bad_values_get_a_plain_message_naming_the_field(
    key: str, value: object, message: str | None
) -> None:
    found = errors(**{key: value})
    assert list(found) == [key]
    if message:
        assert found[key] == [message]
    else:
        assert found[key][0].startswith("Pain pattern must be a list of:")


def test_unknown_keys_are_refused_by_name() -> None:
    found = errors(shoe_size=42)
    assert found == {"shoe_size": ["Unknown field: it is not part of the intake."]}


def test_ottawa_findings_are_checked_by_name() -> None:
    found = errors(ottawa={"tender_heel": True, "tender_navicular": "yes"})["ottawa"]
    assert any("tender_heel is not a finding" in m for m in found)
    assert any("tender_navicular must be true, false or null" in m for m in found)


def test_ottawa_fills_unexamined_findings_with_null() -> None:
    loaded = load_answers(intake(ottawa={"tender_navicular": False}))
    assert loaded["ottawa"]["tender_navicular"] is False
    assert loaded["ottawa"]["unable_to_bear_weight"] is None


def test_injury_date_may_not_follow_the_assessment_date() -> None:
    found = errors(injury_date="2026-03-05", assessment_date="2026-03-02")
    assert found == {"injury_date": ["Injury date may not be after the assessment date."]}
    assert load_answers(intake(injury_date="2026-03-02"))["injury_date"] == "2026-03-02"


def test_the_date_check_still_runs_beside_other_errors() -> None:
    found = errors(injury_date="2026-03-05", pain_now=12)
    assert set(found) == {"injury_date", "pain_now"}


def test_lists_are_deduplicated_and_bounded() -> None:
    loaded = load_answers(intake(pain_locations=["heel", "arch", "heel"]))
    assert loaded["pain_locations"] == ["heel", "arch"]
    assert "pain_locations" in errors(pain_locations=["heel"] * (MAX_RAW_ITEMS + 1))
    assert "pain_locations" in errors(pain_locations=[])


def test_free_text_is_stripped_of_control_characters() -> None:
    loaded = load_answers(intake(patient_name="  Zoë\x00 O'Brien\u2028\t<b>  ", clinician_name=""))
    assert loaded["patient_name"] == "Zoë O'Brien <b>"
    assert "clinician_name" not in loaded


def test_nulls_mean_not_recorded_except_pain_running() -> None:
    loaded = load_answers(intake(bruising=None, sprain_grade=None, pain_running=None))
    assert "bruising" not in loaded and "sprain_grade" not in loaded
    assert loaded["pain_running"] is None


def test_defaults_fill_unit_and_assessment_date() -> None:
    answers = intake()
    del answers["assessment_date"]
    loaded = load_answers(answers)
    assert loaded["distance_unit"] == "km"
    assert len(loaded["assessment_date"]) == 10


@pytest.mark.parametrize("data", [[], "answers", 3, None])
def test_answers_that_are_not_an_object_are_refused(data: object) -> None:
    with pytest.raises(InvalidAnswers) as info:
        load_answers(data)
    assert list(info.value.errors) == ["_schema"]
