"""QuestionnaireResponses: answers survive the trip, and bad responses are named by linkId."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankle_intake import InvalidAnswers, assess, load_answers
from ankle_intake.fhir import (
    COULD_NOT_RUN,
    QUESTIONNAIRE_URL,
    answers_from_response,
    code_system,
    response_from_answers,
)
from ankle_intake.fhir import response as fhir_response_module
from ankle_intake.fhir.response import link_errors
from ankle_intake.forms import FIELDS, OTTAWA_KEYS
from ankle_intake.forms.vocabulary import (
    EXAMINED_FINDINGS,
    TEST_KEYS,
    TEST_RESULTS,
    AnswerField,
)
from ankle_intake.guidance import evaluate

from casebook import SHARED, VIGNETTE_DATE, intake, vignette_answers, vignette_cases

CASES = vignette_cases()
GOOD = [c for c in CASES if "error_field" not in c["expect"]]
BAD = [c for c in CASES if "error_field" in c["expect"]]
EXAMINATION_FILE = SHARED / "vignettes" / "examination.json"
EXAMINATION = (json.loads(EXAMINATION_FILE.read_text(encoding="utf-8"))
               if EXAMINATION_FILE.exists() else [])
EXAM_GOOD = [c for c in EXAMINATION if "error_field" not in c["expect"]]
EXAM_BAD = [c for c in EXAMINATION if "error_field" in c["expect"]]
SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def value_strategy(spec: AnswerField) -> st.SearchStrategy[Any]:
    """Any value the schema accepts for ``spec``, from the vocabulary; a new kind fails here."""
    if spec.kind == "choice":
        return st.sampled_from(spec.values)
    if spec.kind == "choices":
        return st.lists(st.sampled_from(spec.values), min_size=1 if spec.required else 0,
                        max_size=len(spec.values))
    if spec.kind == "integer":
        values = st.integers(int(spec.minimum), int(spec.maximum))
        return values if spec.required else st.none() | values
    if spec.kind == "number":
        return st.floats(spec.minimum, spec.maximum, allow_nan=False)
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "date":
        return st.integers(0, 400).map(
            lambda d: (VIGNETTE_DATE - dt.timedelta(days=d)).isoformat())
    if spec.kind == "text":
        return st.text(max_size=spec.max_length)
    if spec.kind == "ottawa":
        return st.dictionaries(st.sampled_from(OTTAWA_KEYS), st.none() | st.booleans())
    if spec.kind == "tests":
        results = st.none() | st.sampled_from([c.value for c in TEST_RESULTS])
        return st.dictionaries(st.sampled_from(TEST_KEYS), results)
    raise AssertionError(f"no strategy for kind {spec.kind!r} ({spec.key})")


#: Every field of the vocabulary, the new examination fields included.
answers_strategy = st.fixed_dictionaries(
    {f.key: value_strategy(f) for f in FIELDS if f.required},
    optional={f.key: value_strategy(f) for f in FIELDS
              if not f.required and f.key != "assessment_date"},
).map(lambda a: {**a, "assessment_date": VIGNETTE_DATE.isoformat()})


def trip(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers -> QuestionnaireResponse (as JSON text) -> answers."""
    qr = response_from_answers(answers)
    QuestionnaireResponse.model_validate(qr)
    return answers_from_response(json.loads(json.dumps(qr)))


def find(items: list[dict], link: str) -> dict:
    for item in items:
        if item["linkId"] == link:
            return item
        try:
            return find(item.get("item", []), link)
        except KeyError:
            pass
    raise KeyError(link)


def errors_of(qr: Any) -> dict[str, list[str]]:
    with pytest.raises(InvalidAnswers) as caught:
        answers_from_response(qr)
    return caught.value.errors


@pytest.fixture
def qr() -> dict:
    return response_from_answers(load_answers(intake(
        onset="sudden", pain_locations=["outer_ankle", "heel"], pain_now=3, pain_running=4,
        ottawa={"tender_navicular": False}, weekly_distance=30.0,
    )))


@pytest.mark.skipif(not CASES, reason="no shared vignettes")
@pytest.mark.parametrize("case", GOOD, ids=[c["name"] for c in GOOD])
def test_every_vignette_round_trips_to_the_same_assessment(case: dict) -> None:
    answers = load_answers(vignette_answers(case))
    back = trip(answers)
    assert back == answers
    assert evaluate(back) == assess(vignette_answers(case))


@pytest.mark.skipif(not CASES, reason="no shared vignettes")
@pytest.mark.parametrize("case", BAD, ids=[c["name"] for c in BAD])
def test_refused_vignettes_are_refused_through_fhir_too(case: dict) -> None:
    qr = response_from_answers(vignette_answers(case))
    assert case["expect"]["error_field"] in errors_of(qr)


def empty_as_absent(answers: dict[str, Any]) -> dict[str, Any]:
    """FHIR has no empty answer: an empty list, an unexamined Ottawa and no test done are absent."""
    return {k: v for k, v in answers.items()
            if v != [] and v != {}
            and not (k == "ottawa" and all(x is None for x in v.values()))}


@SETTINGS
@given(answers_strategy)
def test_generated_answers_round_trip(raw: dict) -> None:
    answers = load_answers(raw)
    back = trip(answers)
    assert back == empty_as_absent(answers)
    assert evaluate(back) == evaluate(answers)


@pytest.mark.skipif(not EXAM_GOOD, reason="no shared examination vignettes")
@pytest.mark.parametrize("case", EXAM_GOOD, ids=[c["name"] for c in EXAM_GOOD])
def test_every_examination_vignette_round_trips(case: dict) -> None:
    answers = load_answers(vignette_answers(case))
    back = trip(answers)
    assert back == answers
    assert evaluate(back) == evaluate(answers)


@pytest.mark.skipif(not EXAM_BAD, reason="no shared examination vignettes")
@pytest.mark.parametrize("case", EXAM_BAD, ids=[c["name"] for c in EXAM_BAD])
def test_refused_examination_vignettes_are_refused_through_fhir_too(case: dict) -> None:
    qr = response_from_answers(vignette_answers(case))
    assert case["expect"]["error_field"] in errors_of(qr)


def test_every_examination_field_survives_the_trip() -> None:
    answers = load_answers(intake(
        onset="sudden", age=34, mechanism="inversion", weight_bearing="partial",
        heel_raise_count=0, previous_sprains=2, warning_signs=["night_pain", "fever_or_unwell"],
        medications=["fluoroquinolone"],
        special_tests={"anterior_drawer": "positive", "talar_tilt": "negative",
                       "thompson_test": None},
        **{key: False for key in EXAMINED_FINDINGS},
    ))
    qr = response_from_answers(answers)
    assert find(qr["item"], "heel_raise_count")["answer"] == [{"valueInteger": 0}]
    drawer = find(qr["item"], "special_tests.anterior_drawer")["answer"]
    assert drawer == [{"valueCoding": {"system": code_system("special_tests"),
                                       "code": "positive", "display": "Positive"}}]
    assert trip(answers) == answers


def test_examined_and_negative_stays_false_and_not_examined_stays_absent() -> None:
    for key in EXAMINED_FINDINGS:
        negative = load_answers(intake(**{key: False}))
        assert find(response_from_answers(negative)["item"], key)["answer"] == [
            {"valueBoolean": False}]
        assert trip(negative)[key] is False
        not_examined = load_answers(intake())
        with pytest.raises(KeyError):
            find(response_from_answers(not_examined)["item"], key)
        assert key not in trip(not_examined)


def test_special_tests_left_out_were_not_examined() -> None:
    answers = load_answers(intake(special_tests={"hop_test": "negative", "squeeze_test": None}))
    qr = response_from_answers(answers)
    assert [i["linkId"] for i in find(qr["item"], "special_tests")["item"]] == [
        "special_tests.hop_test"]
    assert answers_from_response(qr)["special_tests"] == {"hop_test": "negative"}
    nothing_done = load_answers(intake(special_tests={}))
    with pytest.raises(KeyError):
        find(response_from_answers(nothing_done)["item"], "special_tests")


def test_a_refused_special_test_is_named_by_its_linkid(qr: dict) -> None:
    """The decision: ``special_tests.<test>``, whichever layer refuses the answer."""
    qr = response_from_answers({**answers_from_response(qr),
                                "special_tests": {"thompson_test": "maybe"}})
    errors = errors_of(qr)
    assert list(errors) == ["special_tests.thompson_test"]
    assert "positive, negative" in errors["special_tests.thompson_test"][0]


def test_the_schemas_test_keys_become_linkids(qr: dict, monkeypatch) -> None:
    assert link_errors({"thompson_test": ["a"], "pain_now": ["b"], "ottawa": ["c"]}) == {
        "special_tests.thompson_test": ["a"], "pain_now": ["b"], "ottawa": ["c"]}

    def refuse(raw: Any) -> dict:
        raise InvalidAnswers({"hop_test": ["Hop test must be positive, negative or null."]})

    monkeypatch.setattr(fhir_response_module, "load_answers", refuse)
    assert list(errors_of(qr)) == ["special_tests.hop_test"]


def test_could_not_run_is_kept_apart_from_not_recorded() -> None:
    could_not = load_answers(intake(pain_running=None))
    qr = response_from_answers(could_not)
    assert find(qr["item"], COULD_NOT_RUN)["answer"] == [{"valueBoolean": True}]
    with pytest.raises(KeyError):
        find(qr["item"], "pain_running")
    assert trip(could_not) == could_not and could_not["pain_running"] is None

    not_recorded = load_answers(intake())
    qr = response_from_answers(not_recorded)
    for link in ("pain_running", COULD_NOT_RUN):
        with pytest.raises(KeyError):
            find(qr["item"], link)
    assert "pain_running" not in trip(not_recorded)


def test_a_score_and_could_not_run_together_are_refused(qr: dict) -> None:
    find(qr["item"], "group.pain")["item"].append(
        {"linkId": COULD_NOT_RUN, "answer": [{"valueBoolean": True}]})
    assert list(errors_of(qr)) == [COULD_NOT_RUN]


def test_could_not_run_false_means_not_recorded_or_a_score(qr: dict) -> None:
    find(qr["item"], "group.pain")["item"].append(
        {"linkId": COULD_NOT_RUN, "answer": [{"valueBoolean": False}]})
    assert answers_from_response(qr)["pain_running"] == 4


def test_ottawa_findings_left_out_are_not_examined(qr: dict) -> None:
    answers = answers_from_response(qr)
    assert answers["ottawa"]["tender_navicular"] is False
    assert answers["ottawa"]["tender_lateral_malleolus"] is None


def test_ottawa_after_a_gradual_onset_is_accepted_like_the_json_path() -> None:
    answers = load_answers(intake(onset="gradual", ottawa={"tender_navicular": True}))
    assert trip(answers) == answers


def test_the_canonical_may_carry_any_version_or_none(qr: dict) -> None:
    for canonical in (QUESTIONNAIRE_URL, QUESTIONNAIRE_URL + "|0.0.1"):
        qr["questionnaire"] = canonical
        assert answers_from_response(qr)["pain_now"] == 3


def test_identity_fields_are_set_when_given() -> None:
    when = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.timezone.utc)
    qr = response_from_answers(load_answers(intake()), id="a-17", authored=when)
    assert (qr["id"], qr["authored"], qr["status"]) == ("a-17", when.isoformat(), "completed")
    QuestionnaireResponse.model_validate(qr)
    with pytest.raises(ValueError, match="timezone"):
        response_from_answers({}, authored=dt.datetime(2026, 3, 2, 10, 30))


@pytest.mark.parametrize("body", [None, [], "text", {"resourceType": "Questionnaire"}])
def test_anything_but_a_questionnaire_response_is_refused(body: Any) -> None:
    assert list(errors_of(body)) == ["resourceType"]


@pytest.mark.parametrize("canonical", [
    None, "https://example.com/Questionnaire/other", QUESTIONNAIRE_URL + "-2|1", 17,
])
def test_a_response_to_another_questionnaire_is_refused(qr: dict, canonical: Any) -> None:
    qr["questionnaire"] = canonical
    assert list(errors_of(qr)) == ["questionnaire"]


def test_an_unfinished_response_is_refused(qr: dict) -> None:
    qr["status"] = "in-progress"
    assert list(errors_of(qr)) == ["status"]


def test_an_unknown_linkid_is_named(qr: dict) -> None:
    find(qr["item"], "group.pain")["item"].append(
        {"linkId": "pain_yesterday", "answer": [{"valueInteger": 2}]})
    errors = errors_of(qr)
    assert list(errors) == ["pain_yesterday"]
    assert "not an item" in errors["pain_yesterday"][0]


def test_a_missing_required_item_is_named(qr: dict) -> None:
    pain = find(qr["item"], "group.pain")
    pain["item"] = [i for i in pain["item"] if i["linkId"] != "side"]
    assert errors_of(qr) == {"side": ["Side: an answer is required."]}


def test_a_whole_missing_section_names_each_required_item(qr: dict) -> None:
    qr["item"] = [i for i in qr["item"] if i["linkId"] != "group.pain"]
    assert set(errors_of(qr)) == {"side", "onset", "pain_locations", "pain_now"}


@pytest.mark.parametrize(("link", "answer"), [
    ("pain_now", {"valueString": "3"}),
    ("pain_now", {"valueDecimal": 3.5}),
    ("pain_now", {"valueInteger": True}),
    ("pain_now", {"valueInteger": 3, "valueString": "3"}),
    ("weekly_distance", {"valueDecimal": "30"}),
    ("side", {"valueString": "left"}),
    ("side", {"valueCoding": "left"}),
    ("assessment_date", {"valueDate": 20260302}),
    ("ottawa.tender_navicular", {"valueBoolean": "no"}),
    ("pain_now", "3"),
])
def test_a_value_of_the_wrong_type_is_named(qr: dict, link: str, answer: Any) -> None:
    find(qr["item"], link)["answer"] = [answer]
    assert list(errors_of(qr)) == [link]


@pytest.mark.parametrize("coding", [
    {"system": code_system("side"), "code": "middle"},
    {"system": code_system("onset"), "code": "left"},
    {"code": "left"},
    {"system": code_system("side"), "code": "left ", "display": "Left"},
])
def test_a_code_outside_the_options_is_named(qr: dict, coding: dict) -> None:
    find(qr["item"], "side")["answer"] = [{"valueCoding": coding}]
    errors = errors_of(qr)
    assert list(errors) == ["side"]
    assert "left, right, both" in errors["side"][0]


BIG = 10**400  # what json.loads gives for a 401-digit literal; 1e400 gives inf


@pytest.mark.parametrize(("link", "answer"), [
    ("side", {"valueCoding": {"system": [code_system("side")], "code": "left"}}),
    ("side", {"valueCoding": {"system": code_system("side"), "code": ["left"]}}),
    ("side", {"valueCoding": {"system": {"a": 1}, "code": {"b": 2}}}),
    ("side", {"valueCoding": {"system": code_system("side"), "code": None}}),
    ("special_tests.thompson_test",
     {"valueCoding": {"system": code_system("special_tests"), "code": ["positive"]}}),
    ("pain_now", {"valueInteger": BIG}),
    ("pain_now", {"valueInteger": -BIG}),
    ("pain_now", {"valueInteger": 2**31}),
    ("pain_now", {"valueInteger": float("inf")}),
    ("age", {"valueInteger": 1e300}),
    ("weekly_distance", {"valueDecimal": BIG}),
    ("weekly_distance", {"valueDecimal": -BIG}),
    ("weekly_distance", {"valueDecimal": float("inf")}),
    ("weekly_distance", {"valueDecimal": float("nan")}),
])
def test_hostile_values_are_named_never_raised(qr: dict, link: str, answer: Any) -> None:
    qr = response_from_answers({**answers_from_response(qr), "age": 40,
                                "special_tests": {"thompson_test": "negative"}})
    find(qr["item"], link)["answer"] = [answer]
    errors = errors_of(qr)
    assert list(errors) == [link]


def test_an_out_of_range_value_is_named_as_on_the_json_path(qr: dict) -> None:
    find(qr["item"], "pain_now")["answer"] = [{"valueInteger": 11}]
    with pytest.raises(InvalidAnswers) as json_path:
        load_answers(intake(pain_now=11))
    assert errors_of(qr) == json_path.value.errors


def test_two_answers_to_a_single_question_are_refused(qr: dict) -> None:
    find(qr["item"], "pain_now")["answer"] *= 2
    assert list(errors_of(qr)) == ["pain_now"]


def test_repeating_questions_take_several_answers(qr: dict) -> None:
    assert answers_from_response(qr)["pain_locations"] == ["outer_ankle", "heel"]


def test_an_item_in_the_wrong_place_is_named(qr: dict) -> None:
    moved = copy.deepcopy(find(qr["item"], "weekly_distance"))
    qr["item"].append(moved)
    assert list(errors_of(qr)) == ["weekly_distance"]


def test_an_item_given_twice_is_named(qr: dict) -> None:
    pain = find(qr["item"], "group.pain")
    pain["item"].append(copy.deepcopy(find(pain["item"], "pain_now")))
    assert list(errors_of(qr)) == ["pain_now"]


def test_help_text_takes_no_answer(qr: dict) -> None:
    find(qr["item"], "pain_now")["item"] = [
        {"linkId": "pain_now.help", "answer": [{"valueString": "x"}]}]
    assert "pain_now" in errors_of(qr)
    find(qr["item"], "pain_now").pop("item")
    find(qr["item"], "group.pain")["item"].append({"linkId": "pain_now.help"})
    assert list(errors_of(qr)) == ["pain_now.help"]


def test_a_group_takes_no_answer_and_items_need_linkids(qr: dict) -> None:
    find(qr["item"], "group.pain")["answer"] = [{"valueString": "x"}]
    qr["item"].append({"text": "no linkId"})
    assert set(errors_of(qr)) == {"group.pain", "item"}


def test_every_problem_is_reported_at_once(qr: dict) -> None:
    find(qr["item"], "side")["answer"] = [{"valueString": "left"}]
    find(qr["item"], "pain_now")["answer"] = [{"valueString": "3"}]
    qr["status"] = "stopped"
    assert set(errors_of(qr)) == {"side", "pain_now", "status"}


# subject, encounter, authored (issue 13 item 10)

def test_subject_and_encounter_are_emitted_from_the_refs() -> None:
    qr = response_from_answers(load_answers(intake(patient_ref="MRN-7", encounter_ref="E-3")))
    QuestionnaireResponse.model_validate(qr)
    assert qr["subject"] == {"type": "Patient", "identifier": {"value": "MRN-7"}}
    assert qr["encounter"] == {"type": "Encounter", "identifier": {"value": "E-3"}}
    unknown = response_from_answers(load_answers(intake()))
    assert "subject" not in unknown and "encounter" not in unknown


def _without_refs(qr: dict) -> dict:
    for section in qr["item"]:
        section["item"] = [i for i in section.get("item", [])
                           if i["linkId"] not in ("patient_ref", "encounter_ref")]
    qr["item"] = [s for s in qr["item"] if s["item"]]
    return qr


@pytest.mark.parametrize("subject, encounter", [
    ({"identifier": {"value": "MRN-7"}}, {"identifier": {"value": "E-3"}}),
    ({"reference": "Patient/MRN-7"}, {"reference": "Encounter/E-3"}),
    ({"reference": "Patient/MRN-7", "identifier": {"system": "urn:x", "value": "MRN-7"}},
     {"type": "Encounter", "identifier": {"value": "E-3"}, "display": "Clinic visit"}),
])
def test_subject_and_encounter_come_in_as_the_refs(qr: dict, subject, encounter) -> None:
    qr = _without_refs(qr)
    qr["subject"], qr["encounter"] = subject, encounter
    answers = answers_from_response(qr)
    assert (answers["patient_ref"], answers["encounter_ref"]) == ("MRN-7", "E-3")


def test_the_refs_survive_a_trip_through_subject_alone(qr: dict) -> None:
    emitted = response_from_answers(load_answers(intake(patient_ref="MRN-7")))
    assert answers_from_response(_without_refs(emitted))["patient_ref"] == "MRN-7"


@pytest.mark.parametrize("subject", [
    "Patient/1", {"reference": "Group/1"}, {"reference": "Patient/"}, {"reference": 7},
    {"reference": "Patient/a/b"}, {"identifier": {"value": 7}}, {"identifier": "x"}, {},
    {"reference": "Patient/A", "identifier": {"value": "B"}}, {"display": "Ana"},
])
def test_a_subject_that_names_no_patient_is_refused(qr: dict, subject: Any) -> None:
    qr["subject"] = subject
    assert list(errors_of(qr)) == ["subject"]


def test_subject_and_the_item_must_agree(qr: dict) -> None:
    qr = response_from_answers(load_answers(intake(patient_ref="MRN-7")))
    qr["subject"] = {"identifier": {"value": "MRN-8"}}
    assert list(errors_of(qr)) == ["subject"]
    qr["subject"] = {"reference": "Patient/MRN-7"}
    assert answers_from_response(qr)["patient_ref"] == "MRN-7"


def test_a_ref_from_subject_is_checked_as_on_the_json_path(qr: dict) -> None:
    qr["subject"] = {"identifier": {"value": "x" * 65}}
    assert list(errors_of(qr)) == ["patient_ref"]


@pytest.mark.parametrize("authored", ["2026-03-02T10:30:00+01:00", "2026-03-02", "2026",
                                      "2026-03-02T10:30:00.25Z"])
def test_a_clients_authored_is_accepted_but_not_kept(qr: dict, authored: str) -> None:
    qr["authored"] = authored
    assert "authored" not in answers_from_response(qr)


@pytest.mark.parametrize("authored", [7, "yesterday", "2026-03-02T10:30", "2026-03-02T10:30:00",
                                      "２０２６-03-02"])
def test_a_malformed_authored_is_refused(qr: dict, authored: Any) -> None:
    qr["authored"] = authored
    assert list(errors_of(qr)) == ["authored"]
