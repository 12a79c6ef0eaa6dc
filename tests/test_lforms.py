"""The Questionnaire in a real renderer: NLM's LHC-Forms (npm ``lforms``) in Debian's Chromium.

Issue 13 items 11, 12 and 14. The renderer's files are served from
``node_modules/lforms/dist/lforms`` through Playwright's routing, so the page
never touches the network. A stored intake is reopened in LHC-Forms (the
response merged into the form), one answer is changed by typing, the response
is extracted and posted: nothing the clinician recorded may be lost on the way
(the Ottawa findings after a gradual onset were), ``checkValidity()`` must pass
(required groups made it fail), and the assessment must be the one the JSON
answers give. Without the package the module is skipped, unless ``CI`` is set
and package.json lists it: then the install step is missing and it fails.
"""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the test extra installs playwright")
from playwright.sync_api import Page, Route  # noqa: E402

from ankle_intake import load_answers  # noqa: E402
from ankle_intake.fhir import FHIR_JSON, answers_from_response, response_from_answers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LFORMS = Path(os.environ.get("ANKLE_TEST_LFORMS") or ROOT / "node_modules/lforms/dist/lforms")
CHROMIUM = (os.environ.get("ANKLE_TEST_CHROMIUM") or shutil.which("chromium")
            or "/usr/bin/chromium")
ORIGIN = "http://lforms.invalid"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LHC-Forms</title>
<link rel="stylesheet" href="/webcomponent/styles.css"></head><body><div id="form"></div>
<script src="/webcomponent/assets/lib/zone.min.js"></script>
<script src="/webcomponent/runtime.js"></script>
<script src="/webcomponent/polyfills.js"></script>
<script src="/webcomponent/main.js"></script>
<script src="/fhir/R4/lformsFHIR.min.js"></script>
</body></html>"""
#: Reopen ``qr`` in the form, wait until it is drawn; or show the empty form.
OPEN = """async ([q, qr]) => {
    let form = LForms.Util.convertFHIRQuestionnaireToLForms(q, 'R4');
    if (qr) form = LForms.Util.mergeFHIRDataIntoLForms(qr, form, 'R4');
    await LForms.Util.addFormToPage(form, 'form', {});
}"""
EXTRACT = """() => {
    const el = document.getElementById('form');
    return {qr: LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', el),
            invalid: LForms.Util.checkValidity(el)};
}"""
#: An intake with every kind of answer, the Ottawa findings after a gradual onset among them.
ANSWERS: dict[str, Any] = {
    "side": "left", "onset": "gradual", "pain_locations": ["heel", "arch"], "pain_now": 3,
    "pain_running": None, "patient_ref": "MRN-1", "encounter_ref": "E-2",
    "assessment_date": "2026-03-02", "injury_date": "2026-02-20", "age": 41,
    "ottawa": {"tender_navicular": True, "unable_to_bear_weight": False},
    "special_tests": {"thompson_test": "negative", "anterior_drawer": "positive"},
    "pain_pattern": ["worse_next_morning"], "weekly_distance": 30.5, "distance_unit": "km",
    "instability": False, "swelling": "mild", "patient_name": "Zoë O'Brien",
}


def _listed() -> bool:
    manifest = ROOT / "package.json"
    return manifest.exists() and "lforms" in json.loads(manifest.read_text())["devDependencies"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not (LFORMS / "webcomponent/main.js").exists():
        if os.environ.get("CI") and _listed():
            pytest.fail(f"CI is set but {LFORMS} is missing: .ci/run must run npm ci")
        pytest.skip("the lforms npm package is not installed (npm ci)")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]}


@pytest.fixture(scope="session")
def base_url() -> str | None:
    return None


def _serve(route: Route) -> None:
    """The test page and the package's files; anything else is refused (no network)."""
    url = route.request.url
    if not url.startswith(ORIGIN + "/"):
        route.abort()
        return
    path = url[len(ORIGIN) + 1:].split("?", 1)[0]
    if path == "":
        route.fulfill(status=200, body=PAGE, content_type="text/html")
        return
    found = (LFORMS / path).resolve()
    if not found.is_relative_to(LFORMS.resolve()) or not found.is_file():
        route.fulfill(status=404, body="")
        return
    kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    route.fulfill(status=200, body=found.read_bytes(), content_type=kind)


@pytest.fixture
def lforms(page: Page, client) -> Page:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", _serve)
    page.goto(ORIGIN + "/")
    page.wait_for_function("() => !!(window.LForms && LForms.Util && LForms.FHIR)")
    questionnaire = client.get("/ankle/fhir/Questionnaire/ankle-intake").get_json(force=True)
    page.evaluate("q => { window.questionnaire = q; }", questionnaire)
    yield page
    assert errors == []


def _open(page: Page, qr: dict | None) -> None:
    page.evaluate("async (qr) => (" + OPEN + ")([window.questionnaire, qr])", qr)


def _post(client, qr: dict) -> dict:
    response = client.post("/ankle/fhir/QuestionnaireResponse", data=json.dumps(qr),
                           content_type=FHIR_JSON)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json(force=True)


def test_a_reopened_intake_keeps_every_answer_and_assesses_the_same(lforms: Page, client) -> None:
    answers = load_answers(ANSWERS)
    _open(lforms, response_from_answers(answers))
    lforms.locator("[id='pain_now/1/1']").fill("6")
    lforms.keyboard.press("Tab")
    out = lforms.evaluate(EXTRACT)
    assert out["invalid"] is None  # checkValidity() passes on a complete form
    saved = {**out["qr"], "status": "completed"}
    expected = {**answers, "pain_now": 6}
    assert answers_from_response(saved) == expected
    record_id = _post(client, saved)["id"]
    stored = client.get(f"/ankle/api/assessments/{record_id}").get_json()
    by_json = client.post("/ankle/api/assessments", json=expected).get_json()
    assert stored["answers"] == by_json["answers"]
    assert stored["assessment"] == by_json["assessment"]


def test_an_empty_form_names_the_required_questions_only(lforms: Page) -> None:
    """No group is required: checkValidity() names the four required questions, nothing else."""
    _open(lforms, None)
    invalid = lforms.evaluate(EXTRACT)["invalid"]
    assert len(invalid) == 4
    for label in ("Side", "Onset", "Pain locations", "Pain now"):
        assert any(message.startswith(label) for message in invalid), invalid


def test_could_not_run_and_a_score_exclude_each_other_in_the_renderer(lforms: Page) -> None:
    _open(lforms, None)
    assert lforms.locator("[id='pain_running/1/1']").count() == 1
    lforms.locator("[id='pain_running/1/1']").fill("4")
    lforms.keyboard.press("Tab")
    assert lforms.locator("[id='pain_running.could_not_run/1/1']").count() == 0
