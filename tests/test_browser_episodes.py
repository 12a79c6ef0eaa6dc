"""An episode of care in Chromium, as a physiotherapist meets it (issue 14's "Done when").

An intake with a CAIT, by keyboard; a follow-up after a good week (advance); a
follow-up after a bad week (back off); the episode page's charts and tables,
checked by axe at desktop and phone widths; the handout with the runner's
progress. Uses the demo host and the helpers of ``test_browser``.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright", reason="the test extra installs playwright")
from playwright.sync_api import Page, expect  # noqa: E402
from test_browser import (  # noqa: E402, F401 - fixtures are used by name
    UUID,
    _shot,
    base_url,
    browser_type_launch_args,
    choose_option,
    choose_radio,
    demo,
    serious,
    server,
    tab_to,
    type_into,
)


@pytest.fixture
def site(request: pytest.FixtureRequest) -> str:
    """The demo host's base URL (``test_browser``'s module-scoped ``server``)."""
    return str(request.getfixturevalue("server"))


#: The CAIT answered item by item: the score picked for each of its nine items.
CAIT = [3, 2, 2, 1, 1, 2, 1, 1, 2]


def _intake_with_cait(page: Page, site: str) -> str:
    page.goto(f"{site}/ankle/intake")
    type_into(page, "#patient_name", "Episode Runner")
    choose_radio(page, "side", "left")
    choose_radio(page, "onset", "sudden")
    tab_to(page, "#pain_locations-0")
    page.keyboard.press("Space")
    choose_option(page, "#pain_now", "1")
    tab_to(page, "#section-return > summary")
    page.keyboard.press("Enter")
    choose_option(page, "#pain_running", "1")
    type_into(page, "#weekly_distance", "30")
    tab_to(page, "#section-measures > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#measure-cait > summary")
    if page.get_attribute("#measure-cait", "open") is None:
        page.keyboard.press("Enter")
    for n, value in enumerate(CAIT, start=1):
        choose_option(page, f"#measures-cait-item_{n}", str(value))
    _shot(page, "episode-intake-cait")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/ankle/assessments/{UUID}$"))
    expect(page.locator("#episode-title")).to_contain_text("Visit 1")
    return page.url


def _follow_up(page: Page, *, runs: str, distance: str, pain: str, morning: str) -> None:
    tab_to(page, "a.ai-button[href$='/visits/new']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/visits/new$"))
    expect(page.locator("h1")).to_have_text("Follow-up visit")
    expect(page.locator("#patient_name")).to_have_value("Episode Runner")  # pre-filled
    type_into(page, "#last_week-runs", runs)
    type_into(page, "#last_week-distance", distance)
    choose_option(page, "#last_week-pain_during_max", pain)
    choose_radio(page, "last_week-worse_next_morning", morning)
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/ankle/assessments/{UUID}$"))


def test_an_episode_with_a_cait_and_two_follow_ups(page: Page, site: str) -> None:
    _intake_with_cait(page, site)
    expect(page.locator(".ai-progression")).to_have_count(0)  # a first visit: nothing to move

    _follow_up(page, runs="3", distance="15", pain="1", morning="no")
    expect(page.locator("#episode-title")).to_contain_text("Visit 2")
    expect(page.locator(".ai-progression")).to_contain_text("Advance")
    _shot(page, "episode-visit-2")

    _follow_up(page, runs="2", distance="8", pain="5", morning="yes")
    expect(page.locator("#episode-title")).to_contain_text("Visit 3")
    expect(page.locator(".ai-progression")).to_contain_text("Back off")
    expect(page.locator(".ai-progression__reasons")).to_contain_text("5/10")
    assert serious(page) == [], "result page of a follow-up"
    third = page.url

    tab_to(page, "a[href*='/episodes/']:not([href$='/new'])")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/ankle/episodes/{UUID}$"))
    figures = page.locator("figure svg[role=img]")
    assert figures.count() >= 3  # pain, the CAIT, planned against completed running
    expect(page.locator("table").first).to_be_attached()
    body = page.locator("main, body").first.inner_text()
    assert "CAIT" in body and "Back off" in body.replace("back off", "Back off")
    _shot(page, "episode-page")
    assert serious(page) == [], "episode page, desktop"
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert serious(page) == [], "episode page, phone"
    _shot(page, "episode-page-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    record_id = third.rsplit("/", 1)[1]
    page.goto(f"{site}/ankle/assessments/{record_id}/handout")
    expect(page.locator("body")).to_contain_text("Your progress")
    assert serious(page) == [], "handout with progress"


def test_discharge_closes_the_episode(page: Page, site: str) -> None:
    _intake_with_cait(page, site)
    tab_to(page, "a[href*='/episodes/']:not([href$='/new'])")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/ankle/episodes/{UUID}$"))
    choose_option(page, "#discharge-reason", "goals_met")
    tab_to(page, "form[action$='/discharge'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("a.ai-button[href$='/visits/new']")).to_have_count(0)
    assert serious(page) == [], "episode page, discharged"
