"""The outcome measures' Questionnaires in a real renderer: NLM's LHC-Forms in Debian's Chromium.

Issue 13 item 14 tried the intake Questionnaire in LHC-Forms (``test_lforms.py``); this
tries each measure's own Questionnaire (CAIT, FAAM ADL, FAAM Sports, LEFS), whose total is
an SDC ``variable`` and ``calculatedExpression``. Every item is answered by clicking in the
renderer; the total LHC-Forms computes must be the Python scorer's for the same answers,
and one answer fewer than the measure needs (FAAM's 90% rule; every item for CAIT and
LEFS) must leave it empty. A measure's own QuestionnaireResponse has no way back into the
plugin (only the intake's response is accepted), so the same answers are also given in
the intake's measures section, posted, and the score read back as an Observation.

The page, the served files and the skip rule (failure under ``CI``) are ``test_lforms.py``'s.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("playwright", reason="the test extra installs playwright")
from playwright.sync_api import Page, expect  # noqa: E402
from test_lforms import (  # noqa: E402, F401 - the fixtures are found by name
    ANSWERS,
    EXTRACT,
    OPEN,
    base_url,
    browser_type_launch_args,
    lforms,
)

from ankle_intake import load_answers  # noqa: E402
from ankle_intake.fhir import FHIR_JSON, answers_from_response, response_from_answers  # noqa: E402
from ankle_intake.fhir.measures import (  # noqa: E402
    TOTAL_SUFFIX,
    link_id,
    measure_questionnaire,
    observation_id,
)
from ankle_intake.fhir.questionnaire import MEASURES_PREFIX  # noqa: E402
from ankle_intake.forms.measures import MEASURE_IDS, measure  # noqa: E402
from ankle_intake.guidance.measures import score  # noqa: E402

#: Whether the form's data (not only the field: that is set first) holds ``code`` for ``link``.
CHOSEN = """([link, code]) => {
    const el = document.getElementById('form');
    const has = (items) => (items || []).some((i) => i.linkId === link
        ? (i.answer || []).some((a) => a.valueCoding && a.valueCoding.code === code)
        : has(i.item));
    return has(LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', el).item);
}"""


@pytest.fixture
def renderer(lforms: Page) -> Iterator[Page]:  # noqa: F811 - the imported fixture, by name
    """``test_lforms``'s page (no page errors), and no console errors either."""
    errors: list[str] = []
    lforms.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield lforms
    assert errors == []


def _codes(measure_id: str) -> list[str]:
    """An answer code per item: a spread of printed scores; for FAAM, as many items as
    the 90% rule allows are "not applicable", so the total stands on ``min_answered`` items."""
    spec = measure(measure_id)
    spare = len(spec["items"]) - spec["min_answered"]
    codes = []
    for k, item in enumerate(spec["items"]):
        scored = [o["code"] for o in item["options"] if o["score"] is not None]
        codes.append("na" if k >= len(spec["items"]) - spare else scored[(3 * k + 1) % len(scored)])
    return codes


def _scores(measure_id: str, codes: list[str]) -> list[int | None]:
    """The answers as the scorer takes them: each option's printed score (None: N/A)."""
    return [{o["code"]: o["score"] for o in item["options"]}[code]
            for item, code in zip(measure(measure_id)["items"], codes, strict=True)]


def _shown(value: float) -> str:
    """A number as LHC-Forms shows it (JavaScript's ``String()``: 75, not 75.0)."""
    return str(int(value)) if value == int(value) else repr(value)


def _answer(page: Page, measure_id: str, codes: list[str], *, intake: bool = False) -> None:
    """Pick each item's option in its autocomplete list, and wait until the form has it.

    ``intake``: in the intake's measures section (``group.measures`` > ``measures.<id>``).
    """
    questionnaire = measure_questionnaire(measure_id)
    for n, code in enumerate(codes, 1):
        options = [o["valueCoding"]["code"] for o in questionnaire["item"][n - 1]["answerOption"]]
        link = (MEASURES_PREFIX if intake else "") + link_id(measure_id, n)
        page.locator(f"[id='{link}{'/1/1/1' if intake else '/1'}']").click()
        page.locator(f"#completionOptions li[autocomprawlistindex='{options.index(code)}']").click()
        page.wait_for_function(CHOSEN, arg=[link, code])


@pytest.mark.parametrize("measure_id", MEASURE_IDS)
def test_lhc_forms_totals_each_measure_as_the_python_scorer(renderer: Page,
                                                            measure_id: str) -> None:
    questionnaire = measure_questionnaire(measure_id)
    renderer.evaluate(OPEN, [questionnaire, None])
    codes = _codes(measure_id)
    _answer(renderer, measure_id, codes)
    expected = score(measure_id, _scores(measure_id, codes))["score"]
    assert expected is not None
    total = renderer.locator(f"[id='{measure_id}{TOTAL_SUFFIX}/1']")
    expect(total).to_have_value(_shown(expected))  # expressions run after the click returns

    out = renderer.evaluate(EXTRACT)
    assert out["invalid"] is None  # checkValidity() passes on a complete form
    qr = out["qr"]
    assert qr["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
    found = {item["linkId"]: item["answer"] for item in qr["item"]}
    assert found.pop(measure_id + TOTAL_SUFFIX) == [{"valueDecimal": expected}]
    assert [found[link_id(measure_id, n)][0]["valueCoding"]["code"]
            for n in range(1, len(codes) + 1)] == codes
    assert len(found) == len(codes)

    # One answer fewer than the measure needs: not scored, in Python and in the renderer.
    spec = measure(measure_id)
    assert sum(code != "na" for code in codes) - 1 < spec["min_answered"]
    if spec["scoring"] != "sum":  # a summed measure's scorer refuses a gap outright
        assert score(measure_id, [None, *_scores(measure_id, codes)[1:]])["score"] is None
    renderer.locator(f"[id='{link_id(measure_id, 1)}/1']").fill("")
    renderer.keyboard.press("Tab")
    expect(total).to_have_value("")
    left = {item["linkId"] for item in renderer.evaluate(EXTRACT)["qr"]["item"]}
    assert left == {link_id(measure_id, n) for n in range(2, len(codes) + 1)}


@pytest.mark.parametrize("measure_id", MEASURE_IDS)
def test_the_same_answers_in_the_intake_come_back_as_the_same_score(renderer: Page, client,
                                                                    measure_id: str) -> None:
    intake = renderer.evaluate("() => window.questionnaire")
    renderer.evaluate(OPEN, [intake, response_from_answers(load_answers(ANSWERS))])
    codes = _codes(measure_id)
    _answer(renderer, measure_id, codes, intake=True)
    out = renderer.evaluate(EXTRACT)
    assert out["invalid"] is None
    saved = {**out["qr"], "status": "completed"}
    scores = _scores(measure_id, codes)
    assert answers_from_response(saved)["measures"] == {measure_id: scores}

    posted = client.post("/ankle/fhir/QuestionnaireResponse", json=saved, content_type=FHIR_JSON)
    assert posted.status_code == 201, posted.get_data(as_text=True)
    record_id = posted.get_json(force=True)["id"]
    read = client.get(f"/ankle/fhir/Observation/{observation_id(record_id, measure_id)}")
    assert read.status_code == 200, read.get_data(as_text=True)
    assert read.get_json(force=True)["valueQuantity"]["value"] == score(measure_id, scores)["score"]
