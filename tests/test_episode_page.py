"""The episode page: visits, charts with their tables, the discharge form, axe in Chromium.

The page is rendered from a sample view model (the shape the episode route
passes) inside a request to the plugin, so the plugin's ``_`` is the one used.
The browser tests serve the same page from a test-only host route with the
plugin's stylesheet and security headers.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from conftest import make_host
from flask import Flask, redirect, render_template, request
from flask_wtf.csrf import generate_csrf, validate_csrf

from ankle_intake.i18n import template_callables
from ankle_intake.security import security_headers
from ankle_intake.web.episode_view import chart_set

PAGE = "ankle_intake/episode.html"
PLUGIN_PAGE = "/ankle/assessments"  # any plugin URL: the request is then the plugin's
NAME = "<script>alert('x')</script>"


def cait(score: float | None, change: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": "Cumberland Ankle Instability Tool", "short": "CAIT", "score": score,
            "max": 30, "unit": "points", "mcid": 3.0, "higher_is_better": True,
            "change": change}


def visit(number: int, date: str, **values: Any) -> dict[str, Any]:
    base = {"id": f"rec-{number}", "number": number, "date": date, "status": "signed",
            "triage_level": "caution", "likely": ["Ankle sprain (grade II)"],
            "pain_now": None, "pain_during_run": None, "progression": None,
            "progression_reasons": [], "planned_distance": None, "completed_distance": None,
            "measures": {}}
    base.update(values)
    return base


EPISODE: dict[str, Any] = {
    "id": "ep-7f3a", "status": "open", "patient_name": NAME, "patient_ref": "MRN-<1>",
    "opened_at": "2026-11-02", "discharged_at": None, "discharge_reason": None,
    "offered_measures": ["cait"],
    "visits": [
        visit(1, "2026-11-02", triage_level="stop", pain_now=6, pain_during_run=None,
              measures={"cait": cait(14.0)}),
        visit(2, "2026-11-16", status="draft", pain_now=3, pain_during_run=4,
              likely=["Ankle sprain (grade II)", "Possible <b>peroneal</b> tendinopathy"],
              progression="advance",
              progression_reasons=["Pain during running was 2/10 <img src=x>."],
              planned_distance=60.0, completed_distance=45.0,
              measures={"cait": cait(18.0, {"points": 4.0, "meaningful": True,
                                            "text": "CAIT +4 since 2 November & more"})}),
        visit(3, "2026-11-30", pain_now=None, pain_during_run=2, progression="hold",
              planned_distance=90.0, completed_distance=0.0, measures={"cait": cait(None)}),
    ],
}
LINKS = {"visit": {f"rec-{n}": f"/ankle/assessments/rec-{n}" for n in (1, 2, 3)},
         "follow_up": "/ankle/episodes/ep-7f3a/visits/new",
         "discharge": "/ankle/episodes/ep-7f3a/discharge", "worklist": "/ankle/assessments"}
REASONS = ["goals_met", "referred_on", "did_not_return", "patient_choice", "other"]


def episode(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EPISODE)
    data.update(changes)
    return data


def render(app: Flask, ep: dict[str, Any] | None = None, **context: Any) -> str:
    ep = ep or episode()
    with app.test_request_context(PLUGIN_PAGE):
        assert request.blueprint == "ankle_intake"
        context.setdefault("csrf_token", generate_csrf())
        return render_template(PAGE, episode=ep, links=LINKS, charts=chart_set(ep), **context)


class Page(HTMLParser):
    """The parts of the page the tests read: headings, tables, forms, elements by tag."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.tables: list[dict[str, Any]] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self._heading: list[str] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._row: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
        elif tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((tag, " ".join("".join(self._heading).split())))
            self._heading = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption).strip()
            self._caption = None
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(tuple(self._row))
            self._row = None

    def handle_data(self, data: str) -> None:
        for part in (self._heading, self._cell, self._caption):
            if part is not None:
                part.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements
                if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]


@pytest.fixture
def csrf_app(make_app: Any) -> Flask:
    return make_app(csrf=True)


def test_headings_name_the_patient_and_the_parts(app: Flask) -> None:
    page = Page(render(app))
    assert page.headings[0] == ("h1", f"Episode of care: {NAME}")
    h2 = [text for tag, text in page.headings if tag == "h2"]
    assert h2 == ["Visits", "Outcome measures", "Progress", "Discharge"]
    h3 = [text for tag, text in page.headings if tag == "h3"]
    assert h3 == ["Visit 1, 2026-11-02 Signed", "Visit 2, 2026-11-16 Draft",
                  "Visit 3, 2026-11-30 Signed"]


def test_patient_data_is_escaped(app: Flask) -> None:
    html = render(app)
    assert NAME not in html and "&lt;script&gt;" in html
    assert "<b>peroneal" not in html and "&lt;b&gt;peroneal&lt;/b&gt;" in html
    assert "<img src=x>" not in html and "&lt;img src=x&gt;" in html
    assert "MRN-<1>" not in html and "MRN-&lt;1&gt;" in html
    assert "November &amp; more" in html
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and "script" not in title[1] and "MRN" not in title[1]  # not in history


def test_no_inline_script_or_style_that_the_policy_would_block(app: Flask) -> None:
    page = Page(render(app))
    tags = {tag for tag, _ in page.elements}
    assert "svg" in tags and not tags & {"script", "style"}
    for tag, attrs in page.elements:
        assert "style" not in attrs, tag
        assert not [a for a in attrs if a.startswith("on")], tag


def test_the_visit_list(app: Flask) -> None:
    html = render(app)
    page = Page(html)
    hrefs = [a["href"] for a in page.find("a")]
    for url in LINKS["visit"].values():
        assert url in hrefs
    assert "No running" in html and "Modified running" in html  # the levels in words
    assert "Advance the running" in html and "Hold the running where it is" in html
    assert "Pain during running was 2/10" in html


def test_each_chart_is_a_figure_with_its_table(app: Flask) -> None:
    ep = episode()
    charts = chart_set(ep)
    html = render(app, ep)
    page = Page(html)
    assert [c.id for c in charts] == ["ai-chart-pain", "ai-chart-measure-cait",
                                      "ai-chart-running"]
    assert len(page.find("figure")) == len(charts) == len(page.find("svg", role="img"))
    assert len(page.find("figcaption")) == len(charts)
    tables = {t["caption"]: t["rows"] for t in page.tables}
    for chart in charts:
        assert chart.id + "-title" in html
        rows = tables[chart.table.caption]
        assert rows[0] == chart.table.headers
        assert tuple(rows[1:]) == chart.table.rows
    details = page.find("details")
    assert len(details) == len(charts) and all("open" in d for d in details)


def test_the_charts_show_the_episode(app: Flask) -> None:
    pain, measure, running = (c.table for c in chart_set(episode()))
    assert pain.headers == ("Visit", "Pain now", "Pain during running")
    assert pain.rows == (("1 (2026-11-02)", "6", "Not recorded"),
                         ("2 (2026-11-16)", "3", "4"),
                         ("3 (2026-11-30)", "Not recorded", "2"))
    assert [r[1] for r in measure.rows] == ["14", "18", "Not recorded"]
    assert [r[1:] for r in running.rows] == [("Not recorded", "Not recorded"),
                                             ("60", "45"), ("90", "0")]
    svg = chart_set(episode())[1].svg
    assert 'data-low="11" data-high="17"' in svg  # the MCID (3) either side of the first 14
    assert "Within 3 points of the first score" in svg


def test_a_measure_offered_but_never_scored_has_no_chart(app: Flask) -> None:
    ep = episode(offered_measures=["cait", "faam_adl"])
    assert [c.id for c in chart_set(ep)] == ["ai-chart-pain", "ai-chart-measure-cait",
                                             "ai-chart-running"]
    assert "FAAM ADL: Not scored yet." in " ".join(re.sub(r"<[^>]+>", "", render(app, ep)).split())


def test_a_measure_without_a_range_or_mcid_spans_its_scores() -> None:
    plain = {"name": "Some score", "short": "SS", "score": 42.0, "max": None, "unit": None,
             "mcid": None, "change": None}
    ep = episode(visits=[visit(1, "2026-11-02", measures={"ss": plain})])
    chart = chart_set(ep)[1]
    assert "SS score<" in chart.svg and "0 to" not in chart.svg
    assert "ai-chart__band" not in chart.svg
    top = max(float(v) for v in re.findall(r'class="ai-chart__grid" data-value="([\d.]+)"',
                                           chart.svg))
    assert top >= 42


def test_the_latest_score_and_its_change(app: Flask) -> None:
    html = render(app)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert ("Cumberland Ankle Instability Tool (CAIT): 18 of 30 points at visit 2, "
            "2026-11-16. CAIT +4 since 2 November &amp; more Change that matters") in text


def test_the_discharge_form_posts_with_a_valid_csrf_token(csrf_app: Flask) -> None:
    with csrf_app.test_request_context(PLUGIN_PAGE):
        token = generate_csrf()
        html = render_template(PAGE, episode=episode(), links=LINKS,
                               charts=chart_set(episode()), csrf_token=token)
        page = Page(html)
        (form,) = page.find("form", method="post")
        assert form["action"] == LINKS["discharge"]
        (hidden,) = page.find("input", name="csrf_token")
        assert hidden["type"] == "hidden" and hidden["value"] == token
        validate_csrf(hidden["value"])  # raises if it is not this session's token
    (select,) = page.find("select", name="reason")
    assert "required" in select
    (label,) = page.find("label", for_=select["id"] or "")
    values = [o["value"] for o in page.find("option")]
    assert values == ["", *REASONS]
    assert 'href="/ankle/episodes/ep-7f3a/visits/new"' in html and "Follow-up visit" in html


def test_every_discharge_reason_the_store_takes_has_words(app: Flask) -> None:
    from ankle_intake.store.tables import DISCHARGE_REASONS

    page = Page(render(app, reasons=DISCHARGE_REASONS))
    assert [o["value"] for o in page.find("option")] == ["", *DISCHARGE_REASONS]
    html = render(app, reasons=DISCHARGE_REASONS)
    for reason in DISCHARGE_REASONS:
        words = re.search(rf'<option value="{reason}">([^<]*)</option>', html)
        assert words and words[1] != reason and "_" not in words[1]


def test_running_bars_in_the_visits_distance_unit() -> None:
    visits = [visit(1, "2026-11-02"),
              visit(2, "2026-11-09", planned_distance=10.0, completed_distance=8.0, unit="mi"),
              visit(3, "2026-11-16", planned_distance=20.0, completed_distance=15.0, unit="km")]
    running = chart_set(episode(visits=visits))[-1]
    assert "Distance in the week before the visit (km)" in running.svg
    assert running.table.rows[1][1:] == ("16.1", "12.9")  # miles shown in the last unit
    assert running.table.rows[2][1:] == ("20", "15")
    unknown = chart_set(episode())[-1]  # visits from a host that gave no unit
    assert "Distance in the week before the visit</" in unknown.svg
    assert "Minutes" not in unknown.svg


def test_a_refused_discharge_names_the_field(app: Flask) -> None:
    html = render(app, errors={"reason": "Choose a reason for the discharge."},
                  form={"reason": "other"})
    page = Page(html)
    (select,) = page.find("select", name="reason")
    assert select["aria-invalid"] == "true"
    error_id = select["aria-describedby"]
    assert error_id and f'id="{error_id}"' in html
    assert "Choose a reason for the discharge." in html
    assert page.find("option", value="other", selected="") or 'value="other" selected' in html
    assert re.search(r"<title>Error:", html)


def test_a_discharged_episode_offers_no_follow_up_or_discharge(app: Flask) -> None:
    html = render(app, episode(status="discharged", discharged_at="2026-12-01",
                               discharge_reason="goals_met"))
    page = Page(html)
    assert not page.find("form", method="post")
    assert "Follow-up visit" not in html and LINKS["follow_up"] not in html
    assert "Discharged 2026-12-01: Goals met" in " ".join(html.split())
    assert [t for tag, t in page.headings if tag == "h2"] == ["Visits", "Outcome measures",
                                                              "Progress"]


def test_an_episode_with_one_visit_and_nothing_measured(app: Flask) -> None:
    ep = episode(offered_measures=[], visits=[visit(1, "2026-11-02", pain_now=5)])
    html = render(app, ep)
    assert len(Page(html).find("svg", role="img")) == 2  # pain and running
    assert "Outcome measures" not in html


def stored_episode(client: Any) -> str:
    """An episode of three visits stored through the JSON API; its id."""
    from test_episodes_api import BAD_WEEK, GOOD_WEEK, RUNNING

    first = client.post("/ankle/api/assessments", json={**RUNNING, "patient_name": NAME})
    assert first.status_code == 201, first.get_json()
    episode_id = first.get_json()["episode_id"]
    for date, week in (("2026-11-09", GOOD_WEEK), ("2026-11-16", BAD_WEEK)):
        response = client.post(f"/ankle/api/episodes/{episode_id}/visits",
                               json={**RUNNING, "assessment_date": date, "last_week": week})
        assert response.status_code == 201, response.get_json()
    return episode_id


def test_the_episode_route_serves_this_page(make_app: Any) -> None:
    host = make_app(ANKLE_INTAKE_CURRENT_USER=lambda: {"id": "u-1", "name": "Ana Silva"})
    if "ankle_intake.episode" not in {r.endpoint for r in host.url_map.iter_rules()}:
        pytest.skip("GET <prefix>/episodes/<id> is not on this branch yet")
    client = host.test_client()
    response = client.get(f"/ankle/episodes/{stored_episode(client)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.headings[0] == ("h1", f"Episode of care: {NAME}") and NAME not in html
    assert len(page.find("svg", role="img")) == len(page.tables) >= 2
    assert "Distance in the week before the visit (km)" in html
    assert [o["value"] for o in page.find("option")][1:] == REASONS


# -- in Chromium --------------------------------------------------------------------------

pytest.importorskip("playwright", reason="the test extra installs playwright")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Page as BrowserPage  # noqa: E402
from test_browser import (  # noqa: E402, F401 - the browser fixtures, shared
    ARTIFACTS,
    WCAG_AA,
    base_url,
    browser_type_launch_args,
)
from werkzeug.serving import make_server  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A host with the plugin and one test-only route serving the episode page."""
    host = make_host(tmp_path_factory.mktemp("episode-page") / "host",
                     ANKLE_INTAKE_CURRENT_USER=lambda: {"id": "u-1", "name": "Ana Silva"})
    stored: list[str] = []  # filled once the route is registered: no setup after a request
    variants = {
        "open": episode(),
        "error": episode(),
        "discharged": episode(status="discharged", discharged_at="2026-12-01",
                              discharge_reason="referred_on"),
        "long": episode(offered_measures=["cait", "faam_adl"], visits=[
            visit(n, str(dt.date(2026, 11, 2) + dt.timedelta(weeks=n - 1)), pain_now=(9 - n) % 11,
                  pain_during_run=None if n % 4 == 0 else 8 - n // 2,
                  planned_distance=30.0 * n, completed_distance=25.0 * n,
                  measures={"cait": cait(10.0 + n)}) for n in range(1, 15)]),
    }

    @host.get("/test-episode/<variant>")
    def show(variant: str) -> Any:
        if variant == "stored":  # the plugin's own route, with a stored episode
            return redirect(f"/ankle/episodes/{stored[0]}")
        ep = variants[variant]
        errors = {"reason": "Choose a reason for the discharge."} if variant == "error" else {}
        html = render_template(PAGE, episode=ep, links=LINKS, charts=chart_set(ep),
                               csrf_token=generate_csrf(), errors=errors,
                               **template_callables())
        return security_headers(host.make_response(html))

    stored.append(stored_episode(host.test_client()))
    httpd = make_server("127.0.0.1", 0, host, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
        from ankle_intake.extension import state

        state(host).storage.dispose()


def serious(page: BrowserPage) -> list[str]:
    response = Axe().run(page, options=WCAG_AA).response
    assert response.get("testEngine", {}).get("name") == "axe-core"
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
            for v in response["violations"] if v.get("impact") in ("serious", "critical")]


def open_page(page: BrowserPage, server: str, variant: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Refused" in m.text else None)
    response = page.goto(f"{server}/test-episode/{variant}")
    assert response is not None and response.status == 200
    assert "style-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    # The stylesheet applied (it sizes the charts); the policy refused nothing.
    assert page.evaluate("() => getComputedStyle(document.querySelector('svg.ai-chart'))"
                         ".display") == "block"
    assert problems == []


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("variant", ["open", "error", "discharged", "long", "stored"])
def test_axe_finds_no_serious_violation(page: BrowserPage, server: str, variant: str,
                                        width: int) -> None:
    open_page(page, server, variant, width)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"episode-{variant}-{width}.png"), full_page=True)
    assert serious(page) == []


@pytest.mark.parametrize("width", [360, 320])
@pytest.mark.parametrize("variant", ["open", "long", "error", "stored"])
def test_no_sideways_scroll_on_a_phone(page: BrowserPage, server: str, variant: str,
                                       width: int) -> None:
    open_page(page, server, variant, width)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    widths = page.evaluate("() => Array.from(document.querySelectorAll('svg.ai-chart'),"
                           " s => s.getBoundingClientRect().width)")
    assert widths and all(width - 80 <= w <= width for w in widths)


def test_the_tables_are_in_the_accessibility_tree(page: BrowserPage, server: str) -> None:
    open_page(page, server, "open", 1280)
    for caption in ("Pain at each visit", "Weekly running: planned against completed"):
        table = page.get_by_role("table", name=caption)
        assert table.count() == 1 and table.is_visible()
    assert page.get_by_role("img", name="Pain at each visit").count() == 1
    assert page.get_by_role("combobox", name=re.compile("Reason for discharge")).count() == 1


def test_the_axe_check_can_fail(page: BrowserPage, server: str) -> None:
    """The same check on the page with a chart's name removed reports it."""
    open_page(page, server, "open", 1280)
    page.evaluate("() => { const s = document.querySelector('svg.ai-chart');"
                  " s.removeAttribute('aria-labelledby'); s.querySelector('title').remove(); }")
    assert any(v.startswith("svg-img-alt") for v in serious(page))


@pytest.mark.parametrize("width", [320, 1280])
def test_chart_text_stays_inside_its_chart_and_is_readable(page: BrowserPage, server: str,
                                                           width: int) -> None:
    open_page(page, server, "long", width)
    report = page.evaluate("""() => Array.from(document.querySelectorAll('svg.ai-chart'), svg => {
        const box = svg.getBoundingClientRect();
        const texts = Array.from(svg.querySelectorAll('text'), t => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent, left: r.left - box.left, right: box.right - r.right,
                    height: r.height};
        });
        return {id: svg.id || svg.getAttribute('aria-labelledby'), width: box.width, texts};
    })""")
    assert len(report) == 3  # pain, CAIT, running (FAAM ADL offered, never scored)
    for chart in report:
        for text in chart["texts"]:
            assert text["left"] >= -0.5 and text["right"] >= -0.5, (chart["id"], text)
            assert text["height"] >= 12, (chart["id"], text)  # about 10 px type at least
