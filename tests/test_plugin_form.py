"""The HTML intake form: built from the vocabulary, CSRF on, errors beside their fields."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask

from ankle_intake.extension import state
from ankle_intake.forms.vocabulary import FIELDS, GROUPS, OTTAWA_FINDINGS

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
    "heard_pop": "y",
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
    for _, legend in GROUPS:
        assert f'<legend class="ai-section__title">{legend}</legend>' in html
    for spec in FIELDS:
        for choice in spec.choices:
            assert choice.label.replace("'", "&#39;") in html, (spec.key, choice.value)
    for finding in OTTAWA_FINDINGS:
        assert finding.meaning in html
        assert f'id="ottawa-{finding.key}-0"' in html
    assert "For a sudden onset" in html
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
    assert "checked" in _tag(html, "ottawa-tender_lateral_malleolus-1")
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
