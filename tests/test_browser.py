"""The intake in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

The demo host runs in a thread (werkzeug ``make_server`` on 127.0.0.1, port 0)
with its data in a tmp folder. The journey uses the keyboard alone: no click, no
``fill``. Screenshots go to ``test-artifacts/`` (gitignored; override with
``ANKLE_TEST_ARTIFACTS``), named by step, never by patient. Chromium is
``ANKLE_TEST_CHROMIUM``, else ``chromium`` on the PATH. Without Chromium
the module is skipped, unless ``CI`` is set: then it fails, since ``.ci/run``
installs Chromium.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

pytest.importorskip("playwright", reason="the test extra installs playwright")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from ankle_intake.demo import create_app  # noqa: E402

CHROMIUM = (os.environ.get("ANKLE_TEST_CHROMIUM") or shutil.which("chromium")
            or "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("ANKLE_TEST_ARTIFACTS")
                 or Path(__file__).resolve().parents[1] / "test-artifacts")
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
USER = {"id": "physio-7", "name": "Sam Physio"}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at Debian's Chromium."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def base_url() -> str | None:
    """Replaces pytest-playwright's fallback, a method fixture that pytest 9 warns about."""
    return None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The demo host app, its data in a tmp folder."""
    instance = tmp_path_factory.mktemp("browser-instance")
    before = os.environ.get("ANKLE_INTAKE_DEMO_INSTANCE")
    os.environ["ANKLE_INTAKE_DEMO_INSTANCE"] = str(instance)
    try:
        app = create_app({"ANKLE_INTAKE_CURRENT_USER": lambda: dict(USER)})
    finally:
        if before is None:
            os.environ.pop("ANKLE_INTAKE_DEMO_INSTANCE")
        else:
            os.environ["ANKLE_INTAKE_DEMO_INSTANCE"] = before
    return app


@pytest.fixture(scope="module")
def server(demo: Flask) -> Iterator[str]:
    """The demo host on 127.0.0.1 in a thread; its base URL."""
    app = demo
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
        from ankle_intake.extension import state

        state(app).storage.dispose()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)


def _focused(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? (e.id || e.tagName.toLowerCase() + ':' + (e.textContent || '').trim()) : '' }"
    )


def tab_to(page: Page, selector: str, limit: int = 250) -> None:
    """Press Tab until ``selector`` has the focus: it must be reachable by keyboard."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reached with Tab (focus on {_focused(page)!r})")


def choose_radio(page: Page, group: str, value: str) -> None:
    """Tab into a radio group and move to ``value`` with the arrow keys (or Space)."""
    tab_to(page, f'input[name="{group}"]')
    for _ in range(10):
        if page.evaluate("() => document.activeElement.value") == value:
            page.keyboard.press("Space")  # checks it if the arrows have not already
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{group}={value} not reached with the arrow keys")


def choose_option(page: Page, selector: str, value: str) -> None:
    """Tab to a select and move to ``value`` with the arrow keys."""
    tab_to(page, selector)
    for _ in range(20):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{selector}={value} not reached with the arrow keys")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def type_date(page: Page, selector: str, iso: str) -> None:
    """Type a date into Chromium's date field, whose parts are month, day, year (en-US)."""
    tab_to(page, selector)
    year, month, day = iso.split("-")
    page.keyboard.type(month + day + year)
    expect(page.locator(selector)).to_have_value(iso)


def drawn_tests(page: Page) -> tuple[list[str], list[str]]:
    """The special tests in the open part and in the folded "Other tests", in DOM order."""
    first, other = page.evaluate(
        "() => ['[data-ai-tests-first]', '[data-ai-tests-other-list]'].map(s =>"
        " Array.from(document.querySelectorAll(s + ' [data-ai-test]'), e => e.dataset.aiTest))"
    )
    return first, other


def open_every_fold(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => {"
                  " d.hidden = false; d.open = true; })")
    show = page.locator(".ai-ottawa__show")
    if show.is_visible():
        show.click()


def serious(page: Page) -> list[str]:
    """axe-core violations of WCAG 2.1 A/AA rules with serious or critical impact."""
    response = Axe().run(page, options=WCAG_AA).response
    assert "violations" in response and response.get("testEngine", {}).get("name") == "axe-core"
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in response["violations"] if v.get("impact") in ("serious", "critical")
    ]


def test_keyboard_journey_with_one_mistake(page: Page, server: str) -> None:
    page.goto(f"{server}/ankle/intake")
    expect(page.locator("h1")).to_have_text("Ankle intake for a runner")
    _shot(page, "form")
    type_into(page, "#patient_name", "Test Runner")
    choose_radio(page, "side", "right")
    choose_radio(page, "onset", "sudden")
    tab_to(page, "#pain_locations-0")
    page.keyboard.press("Space")
    choose_option(page, "#pain_now", "4")
    choose_radio(page, "sprain_grade", "II")
    choose_radio(page, "ottawa-tender_lateral_malleolus", "no")
    choose_radio(page, "ottawa-unable_to_bear_weight", "no")
    tab_to(page, "#section-return > summary")  # return to running is folded
    page.keyboard.press("Enter")
    type_into(page, "#weekly_distance", "4O")  # the mistake: a letter O for a zero
    page.keyboard.press("Enter")  # submits the form from the text field

    page.wait_for_load_state()
    expect(page).to_have_title(re.compile("^Error: "))
    error = page.locator("#weekly_distance-error")
    expect(error).to_be_visible()
    expect(page.locator("#weekly_distance")).to_have_attribute("aria-invalid", "true")
    assert "weekly_distance-error" in page.get_attribute("#weekly_distance", "aria-describedby")
    summary = page.locator("#ai-error-summary")
    expect(summary).to_be_focused()  # the script moves the focus to the summary
    expect(summary.locator("li")).to_have_count(1)
    # Everything else is kept.
    expect(page.locator("#patient_name")).to_have_value("Test Runner")
    expect(page.locator("#side-1")).to_be_checked()
    expect(page.locator("#onset-0")).to_be_checked()
    expect(page.locator("#pain_locations-0")).to_be_checked()
    expect(page.locator("#pain_now")).to_have_value("4")
    expect(page.locator("#sprain_grade-2")).to_be_checked()
    expect(page.locator("#ottawa-tender_lateral_malleolus-1")).to_be_checked()  # No
    expect(page.locator("#ottawa-unable_to_bear_weight-1")).to_be_checked()
    expect(page.locator("#section-return")).to_have_attribute("open", "")  # holds the error
    expect(page.locator("#weekly_distance")).to_have_value("4O")
    _shot(page, "form-error")

    # From the summary, its link leads to the field; correct it and submit.
    page.keyboard.press("Tab")
    expect(summary.locator("a")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#weekly_distance")).to_be_focused()
    type_into(page, "#weekly_distance", "40")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"/ankle/assessments/{UUID}$"))
    expect(page.locator("h1")).to_have_text("Assessment")
    expect(page.locator(".ai-meta")).to_contain_text("Test Runner")
    expect(page.locator(".ai-triage")).to_be_visible()
    expect(page.locator("#conditions-title")).to_be_visible()
    expect(page.locator("table.ai-table").filter(has_text="km")).to_have_count(1)
    _shot(page, "result")


def test_keyboard_fill_of_an_examination_case(page: Page, server: str) -> None:
    """The Thompson case of shared/vignettes/examination.json, by keyboard alone.

    The test that fits (back of the ankle, sudden) comes straight after the
    sprain group; the others wait in the folded "Other tests", one tab stop.
    """
    page.goto(f"{server}/ankle/intake")
    type_date(page, "#assessment_date", "2026-03-02")
    choose_radio(page, "side", "right")
    choose_radio(page, "onset", "sudden")
    type_date(page, "#injury_date", "2026-02-27")
    for location in ("back_of_ankle", "heel"):
        tab_to(page, f'input[name="pain_locations"][value="{location}"]')
        page.keyboard.press("Space")
    assert drawn_tests(page) == (
        ["thompson_test"],
        ["tinel_tarsal_tunnel", "anterior_drawer", "talar_tilt", "squeeze_test",
         "external_rotation_test", "hop_test"],
    )
    choose_option(page, "#pain_now", "2")
    choose_radio(page, "limping", "no")
    choose_radio(page, "mechanism", "push_off_or_landing")
    choose_radio(page, "instability", "")  # leaves "Not examined" as it is
    page.keyboard.press("Tab")
    expect(page.locator("#special_tests-thompson_test-2")).to_be_focused()  # Not examined
    page.keyboard.press("ArrowDown")  # wraps round to Positive
    expect(page.locator("#special_tests-thompson_test-0")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("[data-ai-tests-other] > summary")).to_be_focused()
    expect(page.locator("#special_tests-hop_test-0")).to_be_hidden()
    _shot(page, "form-examination")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"/ankle/assessments/{UUID}$"))
    record_id = page.url.rsplit("/", 1)[-1]
    answers = page.request.get(f"{server}/ankle/api/assessments/{record_id}").json()["answers"]
    assert answers["special_tests"] == {"thompson_test": "positive"}
    assert answers["mechanism"] == "push_off_or_landing"
    assert answers["limping"] is False  # "no", recorded
    assert "instability" not in answers and "heard_pop" not in answers  # not examined
    assert answers["injury_date"] == "2026-02-27"


def test_special_tests_follow_the_answers(page: Page, server: str) -> None:
    page.goto(f"{server}/ankle/intake")
    assert drawn_tests(page) == (
        ["anterior_drawer", "talar_tilt", "squeeze_test", "external_rotation_test",
         "thompson_test", "hop_test", "tinel_tarsal_tunnel"], [])
    other = page.locator("[data-ai-tests-other]")
    expect(other).to_be_hidden()
    choose_radio(page, "onset", "gradual")
    tab_to(page, 'input[name="pain_locations"][value="inner_ankle"]')
    page.keyboard.press("Space")
    assert drawn_tests(page)[0] == ["hop_test", "tinel_tarsal_tunnel"]
    expect(other).to_be_visible()
    expect(other).not_to_have_attribute("open", "")
    for fold in page.locator("[data-ai-fold-gradual]").all():  # pain pattern, training
        expect(fold).to_have_attribute("open", "")
    page.keyboard.press("Space")  # inner ankle off again: onset alone
    assert drawn_tests(page)[0] == ["hop_test", "tinel_tarsal_tunnel"]
    page.eval_on_selector("#special_tests-anterior_drawer-1",  # a result in a folded test
                          "e => { e.checked = true; }")
    tab_to(page, 'input[name="pain_locations"][value="heel"]')
    page.keyboard.press("Space")
    assert drawn_tests(page)[0] == ["tinel_tarsal_tunnel"]
    expect(other).to_have_attribute("open", "")  # a recorded result is never folded away


def test_reload_after_a_lost_answer_lands_on_the_intake_already_stored(
    page: Page, server: str, demo: Flask
) -> None:
    """The intake was stored but the answer never came back (a worker killed, a
    proxy timeout); the physiotherapist presses Reload, Chromium posts the page
    again, and lands on that record instead of storing a second one."""
    from ankle_intake.extension import state

    storage = state(demo).storage
    page.goto(f"{server}/ankle/intake")
    page.check("#side-0")
    page.check("#onset-0")
    page.check("#pain_locations-0")
    page.select_option("#pain_now", "3")
    posted: list[int] = []

    def lose_the_answer(route: Any) -> None:
        if route.request.method == "POST" and not posted:
            posted.append(route.fetch(max_redirects=0).status)  # the server stores it
            route.abort("connectionreset")  # and the browser never hears back
        else:
            route.continue_()

    page.route("**/ankle/intake", lose_the_answer)
    before = storage.count()
    with contextlib.suppress(Exception):  # the click's navigation fails, as it should
        page.click("button[type=submit]")
    page.wait_for_url("chrome-error://**")  # Chromium's "This site can't be reached"
    assert posted == [303] and storage.count() == before + 1
    page.reload()  # Chromium sends the same form again
    page.wait_for_url(re.compile(rf"/ankle/assessments/{UUID}$"))
    expect(page.locator("h1")).to_have_text("Assessment")
    assert storage.count() == before + 1
    _shot(page, "result-after-reload")


def test_ottawa_findings_follow_the_onset(page: Page, server: str) -> None:
    page.goto(f"{server}/ankle/intake")
    findings = page.locator("[data-ai-ottawa-findings]")
    show = page.get_by_role("button", name="Record Ottawa findings anyway")
    expect(findings).to_be_visible()  # no onset chosen yet
    choose_radio(page, "onset", "gradual")
    expect(findings).to_be_hidden()
    expect(show).to_be_visible()
    page.keyboard.press("ArrowUp")  # back to "sudden"
    expect(page.locator("#onset-0")).to_be_checked()
    expect(findings).to_be_visible()
    expect(show).to_be_hidden()
    page.keyboard.press("ArrowDown")  # "gradual" again
    expect(findings).to_be_hidden()
    tab_to(page, ".ai-ottawa__show")
    page.keyboard.press("Enter")
    expect(findings).to_be_visible()
    expect(page.locator("#onset-1")).to_be_checked()
    expect(page.locator("#ottawa-scope")).to_contain_text("within 10 days")


def test_ottawa_findings_fold_after_ten_days(page: Page, server: str) -> None:
    page.goto(f"{server}/ankle/intake")
    findings = page.locator("[data-ai-ottawa-findings]")
    type_date(page, "#assessment_date", "2026-03-02")
    choose_radio(page, "onset", "sudden")
    type_date(page, "#injury_date", "2026-02-20")  # 10 days: the rules apply
    expect(findings).to_be_visible()
    page.keyboard.press("Shift+Tab")  # from the year back to the day,
    page.keyboard.press("Shift+Tab")  # and to the month
    type_date(page, "#injury_date", "2026-02-09")  # 21 days: not applicable
    expect(findings).to_be_hidden()
    expect(page.locator("#ottawa-scope")).to_be_visible()


def test_the_form_works_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/ankle/intake")
        expect(page.locator("[data-ai-ottawa-findings]")).to_be_visible()
        expect(page.locator(".ai-ottawa__show")).to_have_count(0)
    finally:
        context.close()


def _stored_result(server: str) -> str:
    body = json.dumps({
        "side": "left", "onset": "sudden", "pain_locations": ["outer_ankle", "top_of_foot"],
        "pain_now": 6, "pain_running": None, "injury_date": "2026-11-20",
        "assessment_date": "2026-11-27", "sprain_grade": "II", "swelling": "moderate",
        "weekly_distance": 35, "ottawa": {"tender_lateral_malleolus": True},
        "nerve_symptoms": ["tingling"], "patient_name": "Axe Check",
    }).encode()
    req = urllib.request.Request(f"{server}/ankle/api/assessments", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())["id"]


def test_axe_finds_no_serious_violation(page: Page, server: str) -> None:
    page.goto(f"{server}/ankle/intake")
    assert serious(page) == [], "form, folded"
    open_every_fold(page)
    assert serious(page) == [], "form, every part open"
    page.goto(f"{server}/ankle/intake")
    page.keyboard.press("Tab")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")  # nothing filled in: every required field in error
    page.wait_for_load_state()
    expect(page.locator("#ai-error-summary")).to_be_visible()
    assert serious(page) == [], "form with errors"
    page.goto(f"{server}/ankle/assessments/{_stored_result(server)}")
    expect(page.locator(".ai-red-flags, .ai-triage").first).to_be_visible()
    assert serious(page) == [], "result page"


def test_axe_check_can_fail(page: Page, server: str) -> None:
    """The same check on a page with a known serious fault reports it."""
    page.goto(f"{server}/ankle/intake")
    page.evaluate("() => document.querySelector('label[for=patient_name]').remove()")
    assert any(v.startswith("label") for v in serious(page))


def test_the_handout_opens_from_the_result_page(page: Page, server: str, demo: Flask) -> None:
    if not any(r.rule.endswith("/handout.pdf") for r in demo.url_map.iter_rules()):
        pytest.skip("GET <prefix>/assessments/<id>/handout.pdf is not on this branch yet")
    record_id = _stored_result(server)
    page.goto(f"{server}/ankle/assessments/{record_id}")
    expect(page.locator('a[href$="handout.pdf"]')).to_have_count(2)  # the actions, the section
    tab_to(page, 'a[href$="handout.pdf"]')
    with page.expect_response(lambda r: r.url.endswith("/handout.pdf")) as info:
        page.keyboard.press("Enter")  # opens in the browser's PDF viewer (inline)
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers.get("content-disposition", "")
    assert "filename=" in disposition and "Axe" not in disposition  # no patient name
    pdf = page.request.get(response.url)
    assert pdf.body().startswith(b"%PDF")


def test_the_handout_downloads_as_a_file_by_keyboard(
    page: Page, server: str, tmp_path: Path
) -> None:
    """The physiotherapist saves the PDF (to e-mail it, say): a real download, kept on disk."""
    record_id = _stored_result(server)
    page.goto(f"{server}/ankle/assessments/{record_id}")
    link = 'a[href$="handout.pdf?download=1"]'
    expect(page.locator(link)).to_have_text("Download handout (PDF)")
    tab_to(page, link)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"ankle-handout-{record_id}.pdf"  # no patient name
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert data == page.request.get(f"{server}/ankle/assessments/{record_id}/handout.pdf").body()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(saved, ARTIFACTS / "downloaded-handout.pdf")


def test_axe_finds_no_serious_violation_on_the_html_handout(
    page: Page, server: str, demo: Flask
) -> None:
    if "ankle_intake.handout_page" not in {r.endpoint for r in demo.url_map.iter_rules()}:
        pytest.skip("the HTML handout is not on this branch yet")
    page.goto(f"{server}/ankle/assessments/{_stored_result(server)}")
    tab_to(page, 'a[href$="/handout"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/ankle/assessments/{UUID}/handout$"))
    _shot(page, "handout-page")
    assert serious(page) == [], "HTML handout"


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def test_a_physiotherapist_reviews_signs_prints_and_amends_by_keyboard(
    page: Page, server: str, demo: Flask
) -> None:
    """The journey of issue 12, by keyboard alone: intake, plan, sign, print, amend."""
    from ankle_intake.extension import state

    page.goto(f"{server}/ankle/intake")
    type_into(page, "#patient_name", "Journey Runner")
    type_into(page, "#patient_ref", "MRN-5501")
    choose_radio(page, "side", "right")
    choose_radio(page, "onset", "sudden")
    tab_to(page, "#pain_locations-0")
    page.keyboard.press("Space")
    choose_option(page, "#pain_now", "4")
    tab_to(page, "#section-nerves > summary")  # nerve signs are folded
    page.keyboard.press("Enter")
    tab_to(page, 'input[name="nerve_symptoms"][value="tingling"]')
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/ankle/assessments/{UUID}$"))
    record_id = page.url.rsplit("/", 1)[-1]
    review_url = page.url

    # The review opens on the suggestion; its actions come within a few tab stops.
    expect(page.locator(".ai-status")).to_have_text("Draft: not signed")
    expect(page.locator(".ai-triage__tag")).to_have_text("Refer on")
    expect(page.locator("#triage_level-3")).to_be_checked()
    stops = []
    for _ in range(3):
        page.keyboard.press("Tab")
        stops.append(_focused(page))
    assert stops == ["a:Worklist", "a:New intake", "ai-save-top"], stops
    page.keyboard.press("Tab")
    expect(page.locator("#ai-sign-top")).to_be_focused()
    override = page.locator("[data-ai-override]")
    expect(override).to_be_hidden()  # the level is the suggestion's
    _shot(page, "review-draft")

    # A lower level while a red flag stands: the reason appears and is given.
    choose_radio(page, "triage_level", "caution")
    expect(override).to_be_visible()
    type_into(page, "#override_reason", "Mild tingling only; GP letter sent today")
    # Swap clamshells for balance, and add a note for the patient.
    expect(page.locator('input[name="ex-2-id"]')).to_have_value("clamshells")
    tab_to(page, "#ex-2-remove")
    page.keyboard.press("Space")
    choose_option(page, "#add", "single_leg_balance")
    type_into(page, "#patient_note", "Ice after runs. Call us if the tingling spreads.")
    tab_to(page, "#plan-form .ai-actions button:not([formaction])")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?done=saved$"))
    expect(page.locator(".ai-done")).to_have_text("Draft saved.")
    expect(page.locator('input[name="ex-2-id"]')).to_have_value("single_leg_balance")
    # Its dose: 3 holds of 30 seconds, twice a day.
    type_into(page, "#ex-2-sets", "1")
    type_into(page, "#ex-2-reps", "3")
    type_into(page, "#ex-2-hold_seconds", "30")
    type_into(page, "#ex-2-times", "2")
    choose_option(page, "#ex-2-per", "day")

    # Sign (the form's edits are saved with the signature).
    tab_to(page, "#plan-form .ai-actions button[formaction]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?done=signed$"))
    expect(page.locator("#signed-title")).to_contain_text("Signed by Sam Physio at")
    expect(page.locator("#signed-title")).to_contain_text("(version 1)")
    _shot(page, "review-signed")
    plan = state(demo).storage.get(record_id)["plan"]
    assert plan["triage_level"] == "caution"
    assert [e["id"] for e in plan["exercises"]] == ["ankle_alphabet", "glute_bridges",
                                                  "single_leg_balance"]
    assert plan["exercises"][2] == {"id": "single_leg_balance", "sets": 1, "reps": 3,
                                    "hold_seconds": 30, "times": 2, "per": "day"}

    # Print: the handout is the clinician's plan.
    print_link = f'a[href$="/{record_id}/handout.pdf?version=1"]'
    tab_to(page, f".ai-actions--top {print_link}")
    with page.expect_response(lambda r: "handout.pdf" in r.url) as info:
        page.keyboard.press("Enter")
    assert info.value.status == 200
    version1 = page.request.get(info.value.url).body()
    text = _pdf_text(version1)
    for words in ("Balance on one foot", "Ice after runs. Call us if the tingling spreads.",
                  "Sam Physio"):
        assert words in text, words
    assert "Clamshells" not in text

    # Amend once: a new version with a reason.
    page.goto(review_url)
    tab_to(page, "#amend > summary")
    page.keyboard.press("Enter")
    type_into(page, "#reason", "Tingling settled at follow-up call")
    type_into(page, "#patient_note", "Tingling gone: keep going with the plan.")
    tab_to(page, '#amend button[type="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?done=amended$"))
    expect(page.locator("#signed-title")).to_contain_text("(version 2)")
    expect(page.locator(".ai-signed table tbody tr")).to_have_count(2)
    _shot(page, "review-amended")

    # Version 1 reprints byte for byte; version 2 carries the new note.
    again = page.request.get(f"{server}/ankle/assessments/{record_id}/handout.pdf?version=1")
    assert again.body() == version1
    second = page.request.get(f"{server}/ankle/assessments/{record_id}/handout.pdf?version=2")
    assert "Tingling gone: keep going with the plan." in _pdf_text(second.body())

    trail = state(demo).storage.audit_trail(record_id)
    actions = [row["action"] for row in trail]
    for step in ("create", "view", "plan", "sign", "print", "amend"):
        assert step in actions, (step, actions)
    assert actions.index("plan") < actions.index("sign") < actions.index("amend")
    assert {row["user"] for row in trail} == {"physio-7"}


def _sign_in_browser(page: Page, server: str, record_id: str) -> None:
    page.goto(f"{server}/ankle/assessments/{record_id}")
    page.click("#ai-sign-top")
    page.wait_for_url(re.compile(r"\?done=signed$"))


def test_axe_finds_no_serious_violation_on_the_review_and_the_worklist(
    page: Page, server: str
) -> None:
    record_id = _stored_result(server)
    page.goto(f"{server}/ankle/assessments/{record_id}")
    assert serious(page) == [], "review, draft"
    page.click('input[name="triage_level"][value="continue"]')
    page.click("#ai-save-top")  # refused: the red flag needs a reason
    page.wait_for_load_state()
    expect(page.locator("#ai-error-summary")).to_be_visible()
    assert serious(page) == [], "review, draft with an error"
    _sign_in_browser(page, server, record_id)
    assert serious(page) == [], "review, signed"
    page.keyboard.press("Tab")
    tab_to(page, "#amend > summary")
    page.keyboard.press("Enter")
    assert serious(page) == [], "review, signed, the addendum open"
    page.goto(f"{server}/ankle/assessments")
    expect(page.locator("table.ai-worklist__table")).to_be_visible()
    _shot(page, "worklist")
    assert serious(page) == [], "worklist"
    page.goto(f"{server}/ankle/assessments?from=2026-02-30")
    assert serious(page) == [], "worklist with a refused filter"


def test_the_worklist_by_keyboard(page: Page, server: str, monkeypatch: Any) -> None:
    from ankle_intake.web import worklist

    monkeypatch.setattr(worklist, "PAGE_SIZE", 1)
    first, second = _stored_result(server), _stored_result(server)
    page.goto(f"{server}/ankle/intake")
    tab_to(page, 'a[href="/ankle/assessments"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/ankle/assessments$"))
    expect(page.get_by_role("link", name="New intake")).to_be_visible()
    type_into(page, "#status", "")  # reaches the filter; Any is the default
    choose_option(page, "#status", "draft")
    tab_to(page, ".ai-filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#status")).to_have_value("draft")
    assert "status=" not in page.url  # posted: filters never go into the URL
    link = page.locator("table.ai-worklist__table tbody a")
    expect(link).to_have_count(1)
    # The date and the reference (none here), not only "open".
    expect(link).to_have_accessible_name(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC ?, "
                                                    r"no reference$"))
    before = link.get_attribute("href")
    tab_to(page, ".ai-pager form:last-child button")  # Next page
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(link).not_to_have_attribute("href", before or "")
    expect(page.locator("#status")).to_have_value("draft")
    tab_to(page, "table.ai-worklist__table tbody a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/ankle/assessments/{UUID}(\?.*)?$"))
    assert page.url.rsplit("/", 1)[-1] in (first, second)
    expect(page.locator(".ai-status")).to_have_text("Draft: not signed")
