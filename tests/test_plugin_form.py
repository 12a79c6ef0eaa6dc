"""The HTML intake form: built from the vocabulary, CSRF on, errors beside their fields."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask

from ankle_intake.extension import state
from ankle_intake.forms.intake_form import rank_tests
from ankle_intake.forms.vocabulary import (
    EXAMINED_FINDINGS,
    FIELDS,
    GROUPS,
    OTTAWA_FINDINGS,
    SPECIAL_TESTS,
    TEST_KEYS,
)
from ankle_intake.web.pages import FOLDED_GROUPS

GOOD_FORM = {
    "side": "left",
    "onset": "sudden",
    "pain_locations": ["outer_ankle", "heel"],
    "pain_now": "4",
    "pain_running": "could_not_run",
    "ottawa-tender_lateral_malleolus": "yes",
    "ottawa-unable_to_bear_weight": "no",
    "ottawa-tender_navicular": "",
    "sprain_grade": "II",
    "swelling": "",
    "heard_pop": "yes",
    "weekly_distance": "32,5",
    "distance_unit": "mi",
    "patient_name": "Zoë Testpatient",
    "injury_date": "2026-11-20",
    "assessment_date": "2026-11-27",
}


def _tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id (fails the test if there is none)."""
    match = re.search(rf'<[a-z]+[^>]*\sid="{re.escape(element_id)}"[^>]*>', html)
    assert match, f"no element with id {element_id!r}"
    return match.group(0)


def test_form_is_built_from_the_vocabulary(client) -> None:
    response = client.get("/ankle/intake")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    for key, legend in GROUPS:
        if key in FOLDED_GROUPS:
            assert re.search(rf'<details[^>]*id="section-{key}"[^>]*>\s*<summary[^>]*>{legend}',
                             html), key
        else:
            assert f'<legend class="ai-section__title">{legend}</legend>' in html
    for spec in FIELDS:
        for choice in spec.choices:
            assert choice.label.replace("'", "&#39;") in html, (spec.key, choice.value)
    for finding in OTTAWA_FINDINGS:
        assert finding.meaning in html
        assert f'id="ottawa-{finding.key}-0"' in html
    assert "For a sudden onset" in html
    assert "within 10 days of a sudden injury (Stiell 1993)" in html
    for test in SPECIAL_TESTS:
        assert test.meaning in html
        assert f'id="special_tests-{test.key}-0"' in html
    for key in ("age", "heel_raise_count", "previous_sprains"):
        control = _tag(html, key)
        assert control.startswith("<input") and 'inputmode="numeric"' in control
    assert _tag(html, "pain_now").startswith("<select")
    assert "Could not run" in html and "Not recorded" in html
    for label in re.findall(r'<label[^>]*for="([^"]+)"', html):
        _tag(html, label)  # every label points at a real control
    assert '<label class="ai-label" for="pain_now">' in html
    assert 'aria-required="true"' in _tag(html, "pain_now")


def test_good_submission_stores_and_redirects_to_the_result(client, app: Flask) -> None:
    response = client.post("/ankle/intake", data=GOOD_FORM)
    assert response.status_code == 303
    match = re.fullmatch(r"/ankle/assessments/([0-9a-f-]{36})", response.headers["Location"])
    assert match and uuid.UUID(match.group(1)).version == 4
    record = state(app).storage.get(match.group(1))
    answers = record["answers"]
    assert answers["pain_running"] is None
    assert answers["pain_locations"] == ["outer_ankle", "heel"]
    assert answers["ottawa"]["tender_lateral_malleolus"] is True
    assert answers["ottawa"]["unable_to_bear_weight"] is False
    assert answers["ottawa"]["tender_navicular"] is None
    assert answers["weekly_distance"] == 32.5 and answers["distance_unit"] == "mi"
    assert answers["heard_pop"] is True and "swelling" not in answers
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Zoë Testpatient" in page.get_data(as_text=True)


def test_a_mistake_reshows_the_form_with_entries_and_errors(client, count) -> None:
    data = dict(GOOD_FORM, pain_now="", weekly_distance="ten", injury_date="2027-01-01")
    data["pain_running"] = "7"
    response = client.post("/ankle/intake", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert count() == 0
    # every entry is kept
    assert 'value="Zoë Testpatient"' in _tag(html, "patient_name")
    assert "checked" in _tag(html, "pain_locations-3")  # heel
    assert 'value="ten"' in _tag(html, "weekly_distance")
    assert re.search(r'<option selected value="7">|<option value="7" selected>', html)
    assert "checked" in _tag(html, "ottawa-tender_lateral_malleolus-0")  # Yes
    # each error sits beside its field and describes it
    for key in ("pain_now", "weekly_distance", "injury_date"):
        control = _tag(html, key)
        assert 'aria-invalid="true"' in control
        assert f"{key}-error" in control
        assert _tag(html, f"{key}-error")
    assert "Pain now: an answer is required." in html
    # the summary links to each field
    start = html.index("ai-error-summary")
    summary = html[start:html.index("</ul>", start)]
    for key in ("pain_now", "weekly_distance", "injury_date"):
        assert f'href="#{key}"' in summary
    assert html.index('href="#pain_now"') < html.index('<form')
    assert "<title>Error: " in html


def test_group_errors_link_to_the_first_option(client) -> None:
    response = client.post("/ankle/intake", data={"pain_now": "2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for key in ("side", "onset", "pain_locations"):
        assert f'href="#{key}-0"' in html
        _tag(html, f"{key}-0")
        assert f'aria-describedby="{key}-error"' in html or f'{key}-help {key}-error' in html


def test_csrf_token_is_required(make_app) -> None:
    host = make_app(csrf=True)
    client = host.test_client()
    refused = client.post("/ankle/intake", data=GOOD_FORM)
    assert refused.status_code == 400
    assert "nothing was saved" in refused.get_data(as_text=True)
    assert state(host).storage.count() == 0
    page = client.get("/ankle/intake").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/ankle/intake", data=dict(GOOD_FORM, csrf_token=token))
    assert accepted.status_code == 303
    assert state(host).storage.count() == 1


@pytest.mark.parametrize(
    "path", ["/ankle/assessments/" + str(uuid.uuid4()), "/ankle/assessments/not-a-uuid",
             "/ankle/assessments/" + "9" * 200]
)
def test_unknown_result_is_404(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def _posted(client, app: Flask, **fields: str) -> dict:
    """The answers stored for GOOD_FORM with these fields changed."""
    response = client.post("/ankle/intake", data=dict(GOOD_FORM, **fields))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    record_id = response.headers["Location"].rsplit("/", 1)[-1]
    return state(app).storage.get(record_id)["answers"]


@pytest.mark.parametrize("key", EXAMINED_FINDINGS)
def test_an_examined_finding_keeps_no_apart_from_not_examined(client, app: Flask, key) -> None:
    page = client.get("/ankle/intake").get_data(as_text=True)
    labels = re.findall(rf'<input[^>]*name="{key}"[^>]*value="([^"]*)"', page)
    assert labels == ["yes", "no", ""]  # Yes / No / Not examined
    assert "checked" in _tag(page, f"{key}-2")  # Not examined is the default
    assert _posted(client, app, **{key: "yes"})[key] is True
    assert _posted(client, app, **{key: "no"})[key] is False
    assert key not in _posted(client, app, **{key: ""})
    form = {k: v for k, v in GOOD_FORM.items() if k != key}
    response = client.post("/ankle/intake", data=form)
    record_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert key not in state(app).storage.get(record_id)["answers"]


@pytest.mark.parametrize("key", TEST_KEYS)
def test_a_special_test_keeps_negative_apart_from_not_examined(client, app: Flask, key) -> None:
    name = f"special_tests-{key}"
    page = client.get("/ankle/intake").get_data(as_text=True)
    assert "checked" in _tag(page, f"{name}-2")  # Not examined is the default
    assert _posted(client, app, **{name: "positive"})["special_tests"] == {key: "positive"}
    assert _posted(client, app, **{name: "negative"})["special_tests"] == {key: "negative"}
    assert not _posted(client, app, **{name: ""}).get("special_tests")


def test_a_refused_special_test_is_named_and_linked(client) -> None:
    response = client.post("/ankle/intake",
                           data=dict(GOOD_FORM, **{"special_tests-hop_test": "maybe"}))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'href="#special_tests-hop_test-0"' in html
    assert "Hop test must be" in html
    assert 'aria-invalid="true"' in _tag(html, "special_tests-hop_test-0")
    assert "special_tests-hop_test-error" in html


@pytest.mark.parametrize("key", ["age", "heel_raise_count", "previous_sprains"])
@pytest.mark.parametrize("text", ["²", "³4", "--5", "٣", "4.5", "1e3", "12a", "-1", "999",
                                  "9" * 5000, "0x10", "+-3"])
def test_a_bad_whole_number_is_refused_with_its_field_named(client, count, key, text) -> None:
    response = client.post("/ankle/intake", data=dict(GOOD_FORM, **{key: text}))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'href="#{key}"' in html
    assert 'aria-invalid="true"' in _tag(html, key)
    assert count() == 0


@pytest.mark.parametrize(("key", "text", "value"), [
    ("age", "34", 34), ("age", " 0 ", 0), ("heel_raise_count", "100", 100),
    ("previous_sprains", "+2", 2),
])
def test_a_whole_number_is_typed(client, app: Flask, key, text, value) -> None:
    assert _posted(client, app, **{key: text})[key] == value


def _test_order(html: str) -> tuple[list[str], list[str]]:
    """The special tests drawn first, and those in the folded "Other tests" part."""
    first = html[html.index("data-ai-tests-first"):html.index("data-ai-tests-other")]
    other = html[html.index("data-ai-tests-other"):html.index("</details>",
                                                             html.index("data-ai-tests-other"))]
    pick = re.compile(r'data-ai-test="(\w+)"')
    return pick.findall(first), pick.findall(other)


def test_the_tests_that_fit_the_answers_come_first(client) -> None:
    page = client.get("/ankle/intake").get_data(as_text=True)
    assert _test_order(page) == (list(TEST_KEYS), [])  # nothing to go by yet
    assert re.search(r"<details[^>]*data-ai-tests-other[^>]*hidden", page)
    data = dict(GOOD_FORM, onset="sudden", pain_locations=["back_of_ankle", "heel"],
                pain_now="")  # the mistake re-shows the form
    html = client.post("/ankle/intake", data=data).get_data(as_text=True)
    first, other = _test_order(html)
    assert first == ["thompson_test"]
    assert other[0] == "tinel_tarsal_tunnel"  # fits a location, not the onset
    assert set(other) == set(TEST_KEYS) - {"thompson_test"}
    assert not re.search(r"<details[^>]*data-ai-tests-other[^>]*\sopen", html)
    data = dict(data, onset="gradual", pain_locations=["inner_ankle", "arch"])
    first, _ = _test_order(client.post("/ankle/intake", data=data).get_data(as_text=True))
    assert first == ["hop_test", "tinel_tarsal_tunnel"]


def test_rank_tests_matches_locations_and_onset() -> None:
    fitting, others = rank_tests("sudden", ["lower_shin"])
    assert [t.key for t in fitting] == ["squeeze_test", "external_rotation_test", "hop_test"]
    assert [t.key for t in others][-1] == "tinel_tarsal_tunnel"  # fits neither
    fitting, _ = rank_tests(None, ["heel"])
    assert [t.key for t in fitting] == ["thompson_test", "tinel_tarsal_tunnel"]


def _open_parts(html: str) -> set[str]:
    opened = set()
    for tag in re.findall(r"<details[^>]*>", html):
        if re.search(r"\sopen(\s|>|$)", tag):
            found = re.search(r'id="section-(\w+)"', tag)
            opened.add(found.group(1) if found else
                       "other-tests" if "data-ai-tests-other" in tag else "pain_pattern")
    return opened


def test_folded_parts_open_when_they_hold_an_answer_or_an_error(client) -> None:
    page = client.get("/ankle/intake").get_data(as_text=True)
    assert len(re.findall(r"<details[^>]*data-ai-fold[\s>]", page)) == len(FOLDED_GROUPS)
    assert _open_parts(page) == set()
    data = dict(GOOD_FORM, pain_now="", warning_signs=["night_pain"], weekly_distance="",
                distance_unit="km", pain_locations=["back_of_ankle"],
                **{"special_tests-anterior_drawer": "negative"})
    html = client.post("/ankle/intake", data=data).get_data(as_text=True)
    assert _open_parts(html) == {"warning", "other-tests"}
    assert "(1 recorded)" in html
    data = dict(data, warning_signs=[], weekly_distance="ten", onset="gradual",
                **{"special_tests-anterior_drawer": ""})
    html = client.post("/ankle/intake", data=data).get_data(as_text=True)
    # an error; what a gradual onset needs
    assert _open_parts(html) == {"return", "pain_pattern", "training"}
    assert 'href="#weekly_distance"' in html
