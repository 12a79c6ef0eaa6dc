"""The HTML handout in Debian's Chromium (issue 15 item 5): axe finds no serious or critical
violation at desktop and phone widths, and a 360 px phone never scrolls sideways.

Reuses the browser fixtures of ``test_browser.py`` (Chromium, the server thread, the
axe helper) with a demo host that sets the clinic's phone and video links.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import pytest
from flask import Flask

pytest.importorskip("playwright", reason="the test extra installs playwright")
from playwright.sync_api import Page  # noqa: E402
from test_browser import (  # noqa: E402, F401 - fixtures are found by name
    ARTIFACTS,
    USER,
    base_url,
    browser_type_launch_args,
    serious,
    server,
)

from ankle_intake.demo import create_app  # noqa: E402

VIDEO = "https://videos.example-clinic.org/ankle/{exercise_id}"
ACHILLES = {
    "side": "left", "onset": "gradual", "pain_locations": ["back_of_ankle"], "pain_now": 2,
    "pain_running": 3, "pain_pattern": ["morning_stiffness", "eases_with_warmup_then_returns"],
    "training": ["mileage_increase"], "assessment_date": "2026-11-27", "weekly_distance": 35,
    "patient_name": "Zoë <b>O'Brien</b>",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The demo host with a clinic phone and video links, its data in a tmp folder."""
    instance = tmp_path_factory.mktemp("handout-browser")
    before = os.environ.get("ANKLE_INTAKE_DEMO_INSTANCE")
    os.environ["ANKLE_INTAKE_DEMO_INSTANCE"] = str(instance)
    try:
        return create_app({"ANKLE_INTAKE_CURRENT_USER": lambda: dict(USER),
                           "ANKLE_INTAKE_CLINIC_NAME": "Riverside Physio",
                           "ANKLE_INTAKE_CLINIC_PHONE": "020 7946 0018",
                           "ANKLE_INTAKE_EXERCISE_VIDEO_URL": VIDEO})
    finally:
        if before is None:
            os.environ.pop("ANKLE_INTAKE_DEMO_INSTANCE")
        else:
            os.environ["ANKLE_INTAKE_DEMO_INSTANCE"] = before


@pytest.fixture(scope="module")
def handout_url(server: str) -> str:  # noqa: F811 - the imported fixture, by name
    body = json.dumps(ACHILLES).encode()
    req = urllib.request.Request(f"{server}/ankle/api/assessments", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as response:
        record = json.loads(response.read())
    assert record["assessment"]["exercises"]
    return f"{server}/ankle/assessments/{record['id']}/handout"


def _open(page: Page, url: str, width: int, name: str) -> dict[str, Any]:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    page.wait_for_load_state()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"handout-{name}.png"), full_page=True)
    return page.evaluate("""() => ({
        scroll: document.documentElement.scrollWidth,
        pictures: document.querySelectorAll('svg.ai-h-picture-svg[role=img][aria-label]').length,
        qr: document.querySelectorAll('svg.ai-h-qr[role=img][aria-label]').length,
        links: [...document.querySelectorAll('.ai-h-link a')].map(a => a.href),
        cards: document.querySelectorAll('.ai-h-cols').length,
    })""")


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (360, "phone")])
def test_the_html_handout_passes_axe_and_fits_the_width(
    page: Page, handout_url: str, width: int, name: str
) -> None:
    found = _open(page, handout_url, width, name)
    assert serious(page) == [], name
    assert found["scroll"] <= width, found
    assert found["pictures"] >= 3 and found["qr"] == found["pictures"], found
    assert all(link.startswith("https://videos.example-clinic.org/ankle/")
               for link in found["links"]) and len(found["links"]) == found["qr"]


def test_the_width_check_can_fail(page: Page, handout_url: str) -> None:
    """A block wider than the phone makes the page scroll sideways, and the check sees it."""
    _open(page, handout_url, 360, "phone-broken")
    page.evaluate("() => { const d = document.createElement('div');"
                  " d.style.width = '500px'; d.textContent = 'x';"
                  " document.querySelector('.ai-handout').appendChild(d); }")
    assert page.evaluate("document.documentElement.scrollWidth") > 360
