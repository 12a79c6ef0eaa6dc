"""The generated Questionnaire: valid R4 (R4B models), and faithful to the vocabulary.

``fhir.resources`` checks the shape; the checks it does not make (linkIds,
enableWhen targets, codes, ranges against the vocabulary) are made here.
"""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from ankle_intake.fhir import QUESTIONNAIRE_URL, QUESTIONNAIRE_VERSION, code_system, questionnaire
from ankle_intake.fhir.questionnaire import (
    COULD_NOT_RUN,
    EXAMINED_NO,
    FLYOVER_SUFFIX,
    GROUP_PREFIX,
    HELP_SUFFIX,
    ITEM_CONTROL,
    ITEM_CONTROL_SYSTEM,
    MAX_VALUE,
    MIN_VALUE,
    NOT_EXAMINED,
    NULL_ITEMS,
    OTTAWA_PREFIX,
    OTTAWA_SCOPE_LINK,
    TESTS_HELP,
    TESTS_PREFIX,
    VALUE_KEYS,
    VERSION_ALGORITHM,
    help_text,
    walk,
)
from ankle_intake.forms import FIELDS, OTTAWA_FINDINGS
from ankle_intake.forms.followup import LAST_WEEK_LABELS
from ankle_intake.forms.measures import measure_items
from ankle_intake.forms.schemas import KEEP_NULL
from ankle_intake.forms.vocabulary import (
    BY_KEY,
    EXAMINED_FINDINGS,
    GROUPS,
    SPECIAL_TESTS,
    TEST_KEYS,
    TEST_RESULTS,
)
from ankle_intake.guidance import RULES_VERSION
from ankle_intake.guidance.measures import MEASURES

#: Questionnaire.item.type codes of FHIR R4 (the models accept any code, so we check).
R4_ITEM_TYPES = {
    "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time",
    "string", "text", "url", "choice", "open-choice", "attachment", "reference", "quantity",
}


@pytest.fixture(scope="module")
def q() -> dict:
    return questionnaire()


@pytest.fixture(scope="module")
def items(q: dict) -> dict[str, tuple[dict, str | None]]:
    found: dict[str, tuple[dict, str | None]] = {}
    for item, parent in walk(q["item"]):
        assert item["linkId"] not in found, f"duplicate linkId {item['linkId']}"
        found[item["linkId"]] = (item, parent)
    return found


def test_the_questionnaire_validates_as_fhir(q: dict) -> None:
    model = Questionnaire.model_validate(q)
    assert model.url == QUESTIONNAIRE_URL
    assert json.loads(json.dumps(q)) == q


def test_canonical_identity(q: dict) -> None:
    assert q["resourceType"] == "Questionnaire"
    assert q["url"] == "https://ankle-intake.example.org/fhir/Questionnaire/ankle-intake"
    assert q["version"] == QUESTIONNAIRE_VERSION
    assert q["version"].endswith("+rules." + RULES_VERSION)
    assert q["status"] == "active"
    assert q["name"].isidentifier() and q["title"]


def test_each_call_gives_a_fresh_copy() -> None:
    first = questionnaire()
    first["item"].clear()
    assert questionnaire()["item"]


def test_item_types_are_r4_codes(items: dict) -> None:
    assert {item["type"] for item, _ in items.values()} <= R4_ITEM_TYPES


def test_sections_follow_groups(q: dict) -> None:
    """The vocabulary's sections in order, then a follow-up's last week (contract 6)."""
    assert [(s["linkId"], s["text"].split(" (")[0]) for s in q["item"]] == [
        (GROUP_PREFIX + g, title) for g, title in GROUPS
    ] + [(GROUP_PREFIX + "last_week", "Last week"), (GROUP_PREFIX + "measures",
                                                      "Outcome measures")]
    for section in q["item"]:
        assert section["type"] == "group"


def test_every_contract_key_is_a_linkid_in_its_section(items: dict) -> None:
    for spec in FIELDS:
        assert spec.key in items, spec.key
        item, parent = items[spec.key]
        assert parent == GROUP_PREFIX + spec.group
        assert item["text"] == spec.label


def test_ottawa_findings_are_booleans_in_the_ottawa_group(items: dict) -> None:
    group, _ = items["ottawa"]
    assert group["type"] == "group"
    for finding in OTTAWA_FINDINGS:
        item, parent = items[OTTAWA_PREFIX + finding.key]
        assert (parent, item["type"], item["text"]) == ("ottawa", "boolean", finding.label)
        assert item.get("required") is not True


def test_special_tests_are_choices_in_the_special_tests_group(items: dict) -> None:
    group, parent = items["special_tests"]
    assert (group["type"], parent) == ("group", GROUP_PREFIX + "tests")
    tests = [link for link, (_, p) in items.items() if p == "special_tests"
             and not link.endswith((HELP_SUFFIX, FLYOVER_SUFFIX))]
    assert tests == [TESTS_PREFIX + t.key for t in SPECIAL_TESTS]
    results = [{"valueCoding": {"system": code_system("special_tests"), "code": c.value,
                                "display": c.label}} for c in TEST_RESULTS]
    for test in SPECIAL_TESTS:
        item, _ = items[TESTS_PREFIX + test.key]
        assert (item["type"], item["text"]) == ("choice", test.label)
        assert item["answerOption"] == results
        assert item.get("required") is not True and "repeats" not in item
        assert "enableWhen" not in item


def test_not_examined_is_said_wherever_it_applies(items: dict) -> None:
    """Unanswered is "not examined", never "no": the help says so, as the form does."""
    helps = {parent: item["text"] for item, parent in items.values() if item["type"] == "display"}
    assert helps["special_tests"] == TESTS_HELP
    for test in SPECIAL_TESTS:
        assert helps[TESTS_PREFIX + test.key] == f"{test.meaning} {NOT_EXAMINED}"
    for key in EXAMINED_FINDINGS:
        assert items[key][0]["type"] == "boolean", key
        assert helps[key].endswith(EXAMINED_NO), key
    assert "not examined" in helps["ottawa"]


def test_test_keys_never_collide_with_answer_keys() -> None:
    """The schema names a refused test by its bare key; FHIR maps it to its linkId."""
    assert not set(TEST_KEYS) & set(BY_KEY)


def test_no_section_is_conditional_and_the_ottawa_one_says_its_scope(q: dict, items) -> None:
    """Issue 13 item 11: an enableWhen on onset hid Ottawa findings the API accepts."""
    for section in q["item"]:
        assert "enableWhen" not in section, section["linkId"]
    ottawa = items[GROUP_PREFIX + "ottawa"][0]
    assert "10 days of a sudden injury" in ottawa["text"]
    scope = ottawa["item"][0]
    assert scope["linkId"] == OTTAWA_SCOPE_LINK and scope["type"] == "display"
    assert "10 days of a sudden injury" in scope["text"] and "Stiell 1993" in scope["text"]
    assert "extension" not in scope  # shown as it is, by every renderer


def test_pain_running_and_could_not_run_exclude_each_other(items: dict) -> None:
    """Issue 13 item 12: at most one of the two is ever enabled once the other is answered."""
    assert items["pain_running"][0]["enableWhen"] == [
        {"question": COULD_NOT_RUN, "operator": "!=", "answerBoolean": True}]
    assert items[COULD_NOT_RUN][0]["enableWhen"] == [
        {"question": "pain_running", "operator": "exists", "answerBoolean": False}]


def test_every_linkid_is_accounted_for(items: dict) -> None:
    known = (
        {f.key for f in FIELDS}
        | {GROUP_PREFIX + g for g, _ in GROUPS}
        | {OTTAWA_PREFIX + f.key for f in OTTAWA_FINDINGS}
        | {TESTS_PREFIX + t.key for t in SPECIAL_TESTS}
        | {link for link, _ in NULL_ITEMS.values()}
        # A follow-up's last week (contract 6): its section, its group, its five parts.
        | {GROUP_PREFIX + "last_week", "last_week"}
        | {"last_week." + part for part in LAST_WEEK_LABELS}
        # The outcome measures: a section, a group per measure, its items.
        | {GROUP_PREFIX + "measures"} | {"measures." + m for m in MEASURES}
        | {f"measures.{m}.{n}" for m in MEASURES for n in range(1, len(measure_items(m)) + 1)}
    )
    for link, (item, parent) in items.items():
        if link == OTTAWA_SCOPE_LINK:
            assert parent == GROUP_PREFIX + "ottawa"
        elif item["type"] == "display":
            assert link in (parent + HELP_SUFFIX, parent + FLYOVER_SUFFIX)
        else:
            assert link in known, link


def test_every_enable_when_points_at_a_question_with_an_answer_of_its_type(items) -> None:
    conditions = [(link, cond) for link, (item, _) in items.items()
                  for cond in item.get("enableWhen", [])]
    assert {link for link, _ in conditions} == {"pain_running", COULD_NOT_RUN}
    for link, cond in conditions:
        target, _ = items[cond["question"]]
        assert target["type"] not in ("group", "display") and cond["question"] != link
        answer = [k for k in cond if k.startswith("answer")]
        if cond["operator"] == "exists":
            assert answer == ["answerBoolean"]
        else:
            assert answer == ["answer" + VALUE_KEYS[target["type"]][len("value"):]]


def test_answer_options_are_exactly_the_vocabulary(items: dict) -> None:
    for link, (item, _) in items.items():
        if item["type"] != "choice":
            assert "answerOption" not in item, link
            continue
        if link.startswith(TESTS_PREFIX):
            continue  # test_special_tests_are_choices_in_the_special_tests_group
        if link.startswith("measures."):
            continue  # the measures' own Questionnaires' items: tests/test_measures_fhir.py
        spec = BY_KEY[link]
        codings = [opt["valueCoding"] for opt in item["answerOption"]]
        assert [c["code"] for c in codings] == list(spec.values)
        assert [c["display"] for c in codings] == [c.label for c in spec.choices]
        assert {c["system"] for c in codings} == {code_system(link)}
        assert item.get("repeats", False) is (spec.kind == "choices")


def test_required_items_are_the_required_fields(items: dict) -> None:
    required = {link for link, (item, _) in items.items() if item.get("required")}
    assert required == {f.key for f in FIELDS if f.required}


def test_no_group_is_required(items: dict) -> None:
    """Issue 13 item 12: a required group kept LHC-Forms' checkValidity() from ever passing."""
    assert not [link for link, (item, _) in items.items()
                if item["type"] == "group" and "required" in item]


def test_ranges_use_the_min_and_max_extensions(items: dict) -> None:
    for spec in FIELDS:
        item, _ = items[spec.key]
        bounds = {e["url"]: e for e in item.get("extension", [])}
        for url, limit in ((MIN_VALUE, spec.minimum), (MAX_VALUE, spec.maximum)):
            if limit is None:
                assert url not in bounds
                continue
            (key,) = (k for k in bounds[url] if k.startswith("value"))
            assert key == VALUE_KEYS[item["type"]]
            assert bounds[url][key] == limit
            assert type(bounds[url][key]) is (int if item["type"] == "integer" else float)
        assert item.get("maxLength") == spec.max_length


def _control(item: dict) -> tuple[str, str]:
    (ext,) = (e for e in item.get("extension", []) if e["url"] == ITEM_CONTROL)
    (coding,) = ext["valueCodeableConcept"]["coding"]
    assert coding["system"] == ITEM_CONTROL_SYSTEM
    return coding["code"], coding["display"]


def test_help_texts_are_a_help_button_and_a_flyover(items: dict) -> None:
    """Issue 13 item 12: Smart Forms shows only the flyover, LHC-Forms the help button."""
    helps = {parent: item for link, (item, parent) in items.items()
             if link.endswith(HELP_SUFFIX)}
    flyovers = {parent: item for link, (item, parent) in items.items()
                if link.endswith(FLYOVER_SUFFIX)}
    assert set(helps) == set(flyovers) and helps
    for parent, item in helps.items():
        assert item["type"] == flyovers[parent]["type"] == "display"
        assert flyovers[parent]["text"] == item["text"]
        assert _control(item) == ("help", "Help-Button")
        assert _control(flyovers[parent]) == ("flyover", "Fly-over")
        assert items[parent][0]["item"][:2] == [item, flyovers[parent]]


def test_help_texts_are_help_display_items(items: dict) -> None:
    helps = {parent: item for link, (item, parent) in items.items()
             if link.endswith(HELP_SUFFIX)}
    for spec in FIELDS:
        if spec.kind == "tests":
            assert helps[spec.key]["text"] == TESTS_HELP  # the form's help names its own widget
        elif help_text(spec):
            assert helps[spec.key]["text"] == help_text(spec)
            assert helps[spec.key]["text"].startswith(spec.help)
        else:
            assert spec.key not in helps, spec.key
    for finding in OTTAWA_FINDINGS:
        assert helps[OTTAWA_PREFIX + finding.key]["text"] == finding.meaning
    for item in helps.values():
        assert _control(item)[0] == "help"


def test_repeating_choices_are_check_boxes(items: dict) -> None:
    for link, (item, _) in items.items():
        if item.get("repeats"):
            assert _control(item) == ("check-box", "Check-box"), link
        elif item["type"] != "display":
            assert ITEM_CONTROL not in [e["url"] for e in item.get("extension", [])], link


def test_version_algorithm_rides_beside_version_as_the_r5_extension(q: dict) -> None:
    """R4 has no versionAlgorithm element; the cross-version extension carries it."""
    (ext,) = (e for e in q["extension"] if e["url"] == VERSION_ALGORITHM)
    assert ext["valueCoding"]["system"] == "http://hl7.org/fhir/version-algorithm"
    assert ext["valueCoding"]["code"] == "natural"  # semver would ignore "+rules.N"
    assert q["version"]


def test_the_questionnaire_has_a_narrative(q: dict) -> None:
    assert q["text"]["status"] == "generated"
    div = q["text"]["div"]
    assert div.startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
    assert q["title"] in div and all(title in div for _, title in GROUPS)


def test_every_meaningful_null_has_its_own_item(items: dict) -> None:
    assert set(NULL_ITEMS) == KEEP_NULL
    order = list(items)
    for key, (link, _) in NULL_ITEMS.items():
        item, parent = items[link]
        assert item["type"] == "boolean" and parent == items[key][1]
        assert order.index(link) > order.index(key)


def test_r4_item_invariants_the_models_do_not_check(items: dict) -> None:
    """que-1, que-6 and que-10 of the R4 Questionnaire, which fhir.resources leaves alone."""
    for link, (item, _) in items.items():
        if item["type"] == "group":
            assert item.get("item"), f"{link}: a group needs items (que-1)"
        if item["type"] == "display":
            assert "item" not in item, f"{link}: display items have no items (que-1)"
            assert "required" not in item and "repeats" not in item, link  # que-6
        if "maxLength" in item:
            assert item["type"] in {"boolean", "decimal", "integer", "string", "text", "url",
                                    "open-choice"}, link  # que-10
