"""Tab presses and keystrokes a keyboard user needs to fill the intake form, case by case.

Serves a checkout's demo app (``flask --app ankle_intake.demo run`` from that
checkout's own venv) on 127.0.0.1, drives headless Chromium with Playwright and
fills each shared vignette (``shared/vignettes/cases.json`` and
``examination.json``, answers only) with the keyboard alone: Tab, arrows,
Space, Enter and typed text; never a click or ``fill``. Counted from page load
to the submitting Enter. A select is set by arrows or by typing its label,
whichever takes fewer keys. ``injury_days_ago`` becomes ``injury_date`` before
an ``assessment_date`` of 2026-03-02, and both are typed. Cases that expect a
refusal (``expect.status``) are API inputs the form cannot hold, and are left
out. Answers the page has no control for, or cannot record (a ``false`` where
the form offers only a checkbox), are listed per case; after submitting, the
stored answers are read back from the JSON API and compared with the case.

Run (the driver needs playwright; the served checkout needs only its venv):
    .venv/bin/python benchmarks/form_keystrokes.py                 # this checkout
    .venv/bin/python benchmarks/form_keystrokes.py --checkout /tmp/before
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parents[1]
VIGNETTES = HERE.parent / "shared" / "vignettes"
ASSESSMENT_DATE = dt.date(2026, 3, 2)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MAX_STEPS = 400

#: What the page's focused element is, and what the driver needs to know about it.
FOCUS_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {tag: 'body'};
  const out = {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '',
               value: e.value, checked: !!e.checked, id: e.id,
               submit: e.matches('button[type=submit], input[type=submit]'),
               summary: e.tagName === 'SUMMARY', button: e.tagName === 'BUTTON'};
  if (out.tag === 'select') {
    out.options = Array.from(e.options).map(o => [o.value, o.text.trim()]);
    out.index = e.selectedIndex;
  }
  if (out.type === 'radio') {
    const group = Array.from(document.querySelectorAll('input[type=radio]'))
      .filter(r => r.name === e.name && r.form === e.form);
    out.group = group.map(r => r.value);
    out.position = group.indexOf(e);
    out.checked_index = group.findIndex(r => r.checked);
  }
  return out;
}"""

#: Names of the controls inside the focused summary's <details>, or inside the
#: hidden part a focused button shows (the Ottawa findings).
INSIDE_JS = """() => {
  const e = document.activeElement;
  let box = null;
  if (e.tagName === 'SUMMARY') box = e.parentElement;
  else if (e.tagName === 'BUTTON' && e.type === 'button') box = e.parentElement;
  if (!box) return [];
  if (e.tagName === 'SUMMARY' && box.open) return [];
  return Array.from(box.querySelectorAll('input, select, textarea')).map(i => i.name);
}"""


def case_targets(answers: dict[str, Any], tristate: bool) -> dict[str, Any]:
    """The form's control names and what each must hold for these answers.

    A value is a string (a radio's value, a select's value, typed text) or a
    set of checkbox values; ``True``/``False`` for a boolean shown as one checkbox.
    """
    out: dict[str, Any] = {}
    answers = dict(answers)
    days = answers.pop("injury_days_ago", None)
    if days is not None:
        out["injury_date"] = (ASSESSMENT_DATE - dt.timedelta(days=days)).isoformat()
        out["assessment_date"] = ASSESSMENT_DATE.isoformat()
    for key, value in answers.items():
        if key == "ottawa":
            for finding, result in value.items():
                if result is not None:
                    out[f"ottawa-{finding}"] = "yes" if result else "no"
        elif key == "special_tests":
            for test, result in value.items():
                if result is not None:
                    out[f"special_tests-{test}"] = result
        elif isinstance(value, list):
            out[key] = set(value)
        elif isinstance(value, bool):
            out[key] = ("yes" if value else "no") if tristate else value
        elif value is None and key == "pain_running":
            out[key] = "could_not_run"
        else:
            out[key] = str(value)
    return out


class Driver:
    """Fills one page by keyboard, counting every key it presses."""

    def __init__(self, page: Page, targets: dict[str, Any]) -> None:
        self.page = page
        self.pending = dict(targets)
        self.tabs = 0
        self.keys = 0
        self.unrecordable: list[str] = []
        #: Where each Tab landed, and what was pressed there.
        self.trace: list[str] = []

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.keys += 1
            if key == "Tab":
                self.tabs += 1
            elif self.trace:
                self.trace[-1] += f" {key}"

    def type(self, text: str) -> None:
        for char in text:
            self.page.keyboard.type(char)
            self.keys += 1
        if self.trace:
            self.trace[-1] += f" '{text}'"

    def focus(self) -> dict[str, Any]:
        return self.page.evaluate(FOCUS_JS)

    def run(self) -> None:
        seen_radio_groups: set[str] = set()
        for _ in range(MAX_STEPS):
            self.press("Tab")
            el = self.focus()
            name = el.get("name", "")
            self.trace.append(name or el.get("id") or el["tag"])
            if el.get("submit"):
                with self.page.expect_navigation():
                    self.press("Enter")
                return
            if el.get("summary") or (el.get("button") and not el.get("submit")):
                inside = set(self.page.evaluate(INSIDE_JS))
                if inside & set(self.pending):
                    self.press("Enter")
                continue
            if name not in self.pending:
                continue
            want = self.pending[name]
            if el["type"] == "radio":
                if name in seen_radio_groups:
                    continue
                seen_radio_groups.add(name)
                self.radio(el, want)
                self.pending.pop(name)
            elif el["type"] == "checkbox":
                if isinstance(want, bool):  # one checkbox for a boolean
                    if want:
                        self.press("Space")
                    else:
                        self.unrecordable.append(f"{name}=false")
                    self.pending.pop(name)
                    continue
                if el["value"] in want and not el["checked"]:
                    self.press("Space")
                want.discard(el["value"])
                if not want:
                    self.pending.pop(name)
            elif el["tag"] == "select":
                self.select(el, want)
                self.pending.pop(name)
            else:
                self.text(el, want)
                self.pending.pop(name)
        raise RuntimeError("the submit button was never reached")

    def radio(self, el: dict[str, Any], want: str) -> None:
        group, here = el["group"], el["position"]
        if want not in group:
            self.unrecordable.append(f"{el['name']}={want}")
            return
        target, size = group.index(want), len(group)
        if target == here:
            if el["checked_index"] != here:
                self.press("Space")
            return
        down, up = (target - here) % size, (here - target) % size
        self.press("ArrowDown" if down <= up else "ArrowUp", min(down, up))

    def select(self, el: dict[str, Any], want: str) -> None:
        values = [v for v, _ in el["options"]]
        if want not in values:
            self.unrecordable.append(f"{el['name']}={want}")
            return
        target = values.index(want)
        label = el["options"][target][1]
        arrows = abs(target - el["index"])
        if len(label) < arrows:
            self.type(label)  # type-ahead
            if self.focus()["value"] == want:
                return
            arrows = abs(target - self.focus()["index"])
        key = "ArrowDown" if target > self.focus()["index"] else "ArrowUp"
        self.press(key, arrows)

    def text(self, el: dict[str, Any], want: str) -> None:
        if el["type"] == "date":
            year, month, day = want.split("-")
            self.type(month + day + year)  # Chromium's en-US date field: mm dd yyyy
        else:
            self.type(want)
        got = self.focus()["value"]
        if got != want:
            raise RuntimeError(f"{el['name']} holds {got!r} after typing {want!r}")


def count_tab_stops(page: Page) -> int:
    """Tab presses that walk the freshly loaded page from its first stop to its last.

    Counted as presses, not elements: Chromium stops on each part of a date
    field (month, day, year), and a keyboard user pays for each.
    """
    first = None
    for stops in range(MAX_STEPS):
        page.keyboard.press("Tab")
        here = page.evaluate(
            "() => { const e = document.activeElement;"
            " if (!e || e === document.body) return '';"
            " if (!e.dataset.aiStop) e.dataset.aiStop = String(Math.random());"
            " return e.dataset.aiStop }"
        )
        if not here or (here == first and stops > 1):
            return stops
        first = first or here
    raise RuntimeError("more tab stops than MAX_STEPS")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(checkout: Path, instance: Path) -> tuple[subprocess.Popen, str, str]:
    """The checkout's demo app, run by its own venv; the process, base URL, package path."""
    python = checkout / ".venv" / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import ankle_intake; print(ankle_intake.__file__)"],
        cwd=instance, capture_output=True, text=True, check=True,
    ).stdout.strip()
    port = _free_port()
    env = dict(os.environ, ANKLE_INTAKE_DEMO_INSTANCE=str(instance))
    proc = subprocess.Popen(
        # -m puts the cwd, an empty instance folder, on sys.path: nothing to shadow.
        [str(python), "-m", "flask", "--app", "ankle_intake.demo", "run", "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=instance, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/ankle/intake", timeout=2):
                return proc, base, where
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"the demo app of {checkout} did not start")


def stored_mismatches(page: Page, base: str, answers: dict[str, Any]) -> list[str]:
    """Answers of the case that the stored intake does not hold as given."""
    record_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    stored = page.request.get(f"{base}/ankle/api/assessments/{record_id}").json()["answers"]
    wrong = []
    for key, value in answers.items():
        if key == "injury_days_ago":
            key, value = "injury_date", (ASSESSMENT_DATE - dt.timedelta(days=value)).isoformat()
        got = stored.get(key)
        if isinstance(value, dict):
            got = {k: v for k, v in (got or {}).items() if v is not None}
            value = {k: v for k, v in value.items() if v is not None}
        if isinstance(value, list):
            got = sorted(got or [])
            value = sorted(value)
        if got != value:
            wrong.append(f"{key}: {got!r}")
    return wrong


def measure(checkout: Path) -> dict[str, Any]:
    cases = []
    for name in ("cases.json", "examination.json"):
        cases += [c for c in json.loads((VIGNETTES / name).read_text())
                  if "status" not in c["expect"]]
    with tempfile.TemporaryDirectory() as instance:
        proc, base, where = serve(checkout, Path(instance))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(locale="en-US")
                page = context.new_page()
                page.goto(f"{base}/ankle/intake")
                tristate = page.locator('input[type=radio][name="heard_pop"]').count() > 0
                stops = count_tab_stops(page)
                rows = []
                for case in cases:
                    page.goto(f"{base}/ankle/intake")
                    driver = Driver(page, case_targets(case["answers"], tristate))
                    driver.run()
                    page.wait_for_load_state()
                    ok = "/assessments/" in page.url
                    rows.append({
                        "case": case["name"],
                        "tabs": driver.tabs,
                        "keys": driver.keys,
                        "submitted": ok,
                        "no_control": sorted(driver.pending),
                        "trace": driver.trace,
                        "unrecordable": driver.unrecordable,
                        "stored_differs": stored_mismatches(page, base, case["answers"])
                        if ok else ["refused: " + page.title()],
                    })
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return {"checkout": str(checkout), "package": where, "tab_stops": stops, "rows": rows}


def report(result: dict[str, Any]) -> str:
    lines = [f"checkout {result['checkout']} (ankle_intake from {result['package']})",
             f"tab stops on the fresh page: {result['tab_stops']}", "",
             f"| {'case':<52} | tabs | keys | not recorded |",
             f"|{'-' * 54}|------|------|--------------|"]
    for row in result["rows"]:
        missing = row["no_control"] + row["unrecordable"]
        if not row["submitted"]:
            missing.append("NOT SUBMITTED")
        lines.append(f"| {row['case'][:52]:<52} | {row['tabs']:>4} | {row['keys']:>4} | "
                     f"{', '.join(missing) or '-'} |")
    tabs = sum(r["tabs"] for r in result["rows"])
    keys = sum(r["keys"] for r in result["rows"])
    lines.append(f"| {'total':<52} | {tabs:>4} | {keys:>4} | |")
    differs = [(r["case"], r["stored_differs"]) for r in result["rows"] if r["stored_differs"]]
    if differs:
        lines += ["", "stored answers that differ from the case:"]
        lines += [f"  {case}: {'; '.join(d)}" for case, d in differs]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=HERE,
                        help="a checkout with its own .venv (default: this one)")
    parser.add_argument("--json", action="store_true",
                        help="print the raw figures as JSON, with each case's focus trace")
    args = parser.parse_args()
    result = measure(args.checkout.resolve())
    print(json.dumps(result, indent=2) if args.json else report(result))


if __name__ == "__main__":
    sys.exit(main())
