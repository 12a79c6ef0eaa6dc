"""The handout's sections, in the order issue 4 gives them.

Each function takes a writer (:class:`~.writer.BaseWriter`: PDF or HTML), the
validated answers and the assessment, and returns blocks (empty when the
section does not apply). All words come from the assessment or the handout
content; nothing here is prose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .exercise_card import exercise_card
from .planned import Page1
from .writer import BULLET, TICK_BOX, WARNING, BaseWriter

Answers = Mapping[str, Any]
Assessment = Mapping[str, Any]

LOG_DAYS = 14
#: Room left on a page, in body sizes, from which a long table starts there and breaks
#: (header repeated) instead of leaving the page half blank: a heading, its lead-in
#: and a few rows.
SPLIT_BELOW = 16
NO_PAGE1 = Page1()


def _details(w: BaseWriter, answers: Answers, names: tuple[str, ...],
             page1: Page1 = NO_PAGE1) -> Any:
    """Label and value rows; a row with no value (say, no clinic phone) is left out."""
    values = {
        "name": answers.get("patient_name") or w.label("blank"),
        "date": w.date(answers["assessment_date"]),
        "side": w.content.choice("side", answers["side"]),
        "clinician": page1.clinician or answers.get("clinician_name") or w.label("blank"),
        "injury_date": w.date(answers["injury_date"]) if answers.get("injury_date") else "",
        "pain_now": str(answers["pain_now"]),
        "next_appointment": w.date(page1.review_date) if page1.review_date else "",
        "clinic_phone": page1.phone,
        "clinic_address": page1.address,
    }
    rows = [(w.label(n), values[n]) for n in names if values[n]]
    return w.grid(None, rows, [0.36 * w.width, 0.64 * w.width], bold_first_column=True)


def header(w: BaseWriter, answers: Answers, clinic_name: str | None,
           page1: Page1 = NO_PAGE1) -> list[Any]:
    """Clinic, title, a draft's notice, then who, when, the next appointment and the clinic."""
    flows: list[Any] = []
    if clinic_name:
        flows += w.para(clinic_name, "clinic", explain=False)
    flows += w.para(w.text("title"), "title")
    if page1.draft:
        flows.append(w.box(w.para(w.text("draft_notice"), "box", explain=False), strong=True))
    flows.append(_details(w, answers, ("name", "date", "side", "clinician", "next_appointment",
                                       "clinic_phone", "clinic_address"), page1))
    return flows


def patient_note(w: BaseWriter, page1: Page1) -> list[Any]:
    """The physiotherapist's own words to the patient, one paragraph a line, as typed.

    Typed by a person: escaped like every string (``para``), and never scanned
    for terms to explain, whose notes would land in the middle of their words.
    """
    lines = [line.strip() for line in page1.patient_note.splitlines() if line.strip()]
    if not lines:
        return []
    body = [b for line in lines for b in w.para(line, explain=False)]
    return w.section(w.para(w.text("heading_patient_note"), "h1", explain=False), body)


def what_to_do_now(w: BaseWriter, assessment: Assessment) -> list[Any]:
    inner = w.para(w.text("heading_now"), "box_heading")
    inner += w.para(assessment["triage"]["summary"], "box", key=assessment["triage"]["level"])
    return [w.box(inner, strong=True)]


def red_flags(w: BaseWriter, assessment: Assessment, page1: Page1 = NO_PAGE1) -> list[Any]:
    """What the physiotherapist has arranged (only under a referral), then when to get help.

    The patient has just been seen: nothing here sends them to "a clinician"
    unless a referral was made, and then it says where and how soon, in the
    referral's own patient sentences.
    """
    flows: list[Any] = []
    referral = assessment.get("referral")
    if referral:
        inner = w.para(w.text("heading_arranged"), "box_heading")
        inner += w.para(w.text(f"arranged_{referral['urgency']}"), "box")
        ids = [flag["id"] for flag in assessment["red_flags"]]
        for number, text in enumerate(referral["patient_text"]):
            key = ids[number] if number < len(ids) else None
            inner += w.para(text, "bullet", key=key, bullet=WARNING)
        flows.append(w.box(inner, strong=True))
    ids = ("get_help_worse", "get_help_limp", "get_help_swelling", "get_help_walk",
           "get_help_nerve", "get_help_weight")
    inner = w.para(w.text("heading_get_help"), "box_heading")
    inner += w.bullets(w.text(i) for i in ids)
    if page1.phone:
        inner += w.para(w.text("call_us", phone=page1.phone), "box", explain=False)
    flows.append(w.box(inner))
    return flows


def conditions(w: BaseWriter, answers: Answers, assessment: Assessment) -> list[Any]:
    head = w.para(w.text("heading_conditions"), "h1")
    if not assessment["conditions"]:
        return head + w.para(w.text("no_condition"))
    flows: list[Any] = []
    for number, cond in enumerate(assessment["conditions"]):
        # The heading goes inside the first block: a heading's keepWithNext does not
        # reach into a KeepTogether, and it would be left at the foot of a page.
        block = head if number == 0 else []
        block += w.para(cond["name"], "h2", key=cond["id"],
                        label=w.label(cond["confidence"]) + ":")
        block += w.para(cond["summary"], key=cond["id"])
        block += w.para(cond["healing"]["note"], key=cond["id"])
        flows.append(w.keep(block))
    earliest = assessment["return_to_run"]["earliest_date"]
    # Under a red flag that stops exercise, a date to run again would mislead.
    if earliest and earliest > answers["assessment_date"] and not assessment["exercises_on_hold"]:
        flows += w.para(w.text("earliest_return", date=w.date(earliest)), "box")
    return flows


def rice(w: BaseWriter, assessment: Assessment) -> list[Any]:
    plan = assessment["rice"]
    if not plan:
        return []
    block = w.para(w.text("heading_rice"), "h1")
    block += w.para(w.text("rice_intro"))
    block += w.para(plan["when"])
    for step in plan["steps"]:
        block += w.lead_bullet(step)
    return [w.keep(block)]


def advice(w: BaseWriter, assessment: Assessment) -> list[Any]:
    """Advice, less the "call the clinic" items that the get-help box already covers.

    While the programme is on hold for a referral, keeping fit waits too: the
    checks decide what exercise is safe.
    """
    skip = {"call", "cross_training"} if assessment["exercises_on_hold"] else {"call"}
    items = [a for a in assessment["advice"] if a["topic"] not in skip]
    if not items:
        return []
    body: list[Any] = []
    for item in items:
        body += w.para(item["text"], "bullet", key=item["id"], bullet=BULLET)
    return w.section(w.para(w.text("heading_advice"), "h1"), body)


def exercises(w: BaseWriter, assessment: Assessment, video_url: str | None = None) -> list[Any]:
    """The programme; under a referral that holds it, a short box pointing to what was arranged.

    Exercises of a kind held back (by a red flag or the acute phase) are
    already left out of ``exercises``: they simply do not appear. Each prints as
    a card (:mod:`.exercise_card`): picture, dose grid, stop-if line, and a QR
    code of the clinic's video when ``video_url`` is set.
    """
    if assessment["exercises_on_hold"]:
        inner = w.para(w.text("heading_on_hold"), "box_heading")
        inner += w.para(w.text("on_hold_text"), "box")
        return [w.space(), w.box(inner, strong=True)]
    if not assessment["exercises"]:
        return []
    intro = w.para(w.text("heading_exercises"), "h1") + w.para(w.text("exercises_intro"))
    flows: list[Any] = []
    for number, ex in enumerate(assessment["exercises"], start=1):
        flows += exercise_card(w, number, ex, video_url, intro if number == 1 else None)
    return flows


def return_to_run(w: BaseWriter, answers: Answers, assessment: Assessment) -> list[Any]:
    plan = assessment["return_to_run"]
    if assessment.get("referral"):
        lead = "return_lead_referral"
    else:
        lead = "return_lead_wait" if assessment["stop_running"] else "return_lead_check"
    block = w.para(w.text("heading_return"), "h1") + w.para(w.text(lead))
    block += w.bullets(plan["criteria"], mark=TICK_BOX)
    flows: list[Any] = [w.keep(block)]
    since = since_last_visit(w, plan)
    if since:
        flows.append(w.keep(since))
    if not assessment["exercises_on_hold"]:  # running is not near yet: the checklist is enough
        flows += w.section(w.para(w.text("heading_run_walk"), "h2"), w.bullets(plan["run_walk"]))
        if plan["weeks"]:
            block = w.para(w.text("heading_weeks"), "h2") + w.para(plan["weekly_rule"])
            if plan["weeks"][0]["starts"] is None:
                block += w.para(w.text("weeks_after_run_walk"))
            flows.append(w.keep(block + [_weeks_table(w, answers, plan["weeks"])],
                                split_below=SPLIT_BELOW * w.styles.sizes["body"]))
        block = w.para(w.text("heading_pain_rule"), "h2") + w.para(w.text("pain_rule_intro"))
        block += w.bullets(plan["pain_rule"])
        flows.append(w.keep(block))
    return flows


def since_last_visit(w: BaseWriter, plan: Mapping[str, Any]) -> list[Any]:
    """A follow-up's step, and why: after the checks, before the steps and weeks it explains.

    The suggested progression prints its own reasons (worst first, then the
    next step); one the clinician chose instead prints their decision alone,
    as the suggestion's reasons would argue for another step.
    """
    if not plan.get("progression"):
        return []
    chosen = plan.get("chosen_progression")
    if chosen:
        lines = [w.text(f"progression_chosen_{chosen}")]
    else:
        lines = [reason["patient"] for reason in plan.get("progression_reasons") or ()]
    if not lines:
        return []
    return w.para(w.text("heading_since_last_visit"), "h2") + w.bullets(lines)


def _weeks_table(w: BaseWriter, answers: Answers, weeks: list[dict]) -> Any:
    """Distances per week, dated when the assessment could date them.

    Undated weeks start after the run-walk steps, whose pace the runner's next
    days set, and the week column says so. Every column but the last is as wide
    as its widest entry, measured in the print font: no date runs into its
    neighbour in any language or page size; the last column wraps.
    """
    dated = weeks[0]["starts"] is not None
    header = [w.label("week") if dated else w.label("week_after_run_walk")]
    header += [w.label("starts")] if dated else []
    header += [w.label("distance"), w.label("sessions")]
    rows = []
    for week in weeks:
        low, high = w.number(week["distance"]), w.number(week["distance_max"])
        distance = (w.label("distance_one", low=low, unit=week["unit"]) if low == high
                    else w.label("distance_range", low=low, high=high, unit=week["unit"]))
        row = [str(week["week"])]
        if dated:
            row.append(w.date(dt.date.fromisoformat(week["starts"])))
        rows.append(row + [distance, week["sessions"]])
    fixed = [w.column_width(header[i], [row[i] for row in rows]) for i in range(len(header) - 1)]
    return w.grid(header, rows, fixed + [w.width - sum(fixed)], wrap=[len(header) - 1])


def prevention(w: BaseWriter, assessment: Assessment) -> list[Any]:
    """Stay-injury-free tips, less any that repeat a programme exercise or ask for held load.

    An exercise appears once, with one dose: the programme's. While the
    programme is on hold for a referral, so are the tips: the checks come first.
    """
    if assessment["exercises_on_hold"]:
        return []
    prescribed = {ex["id"] for ex in assessment["exercises"]}
    held = set(assessment.get("exercises_held") or ())
    body: list[Any] = []
    for tip in w.content.prevention:
        if tip.covers & prescribed or tip.loads & held:
            continue
        body += w.lead_bullet(w.text(tip.id), key=tip.id)
    if not body:
        return []
    return w.section(w.para(w.text("heading_prevention"), "h1"), body)


def _log_parts(need: list[float], free_first: float, free_rest: float) -> list[list[int]]:
    """Exercise indexes per log table: as many columns as fit with each name's widest
    word unbroken (``need``); a programme too wide for one table continues in a second."""
    names = need
    count = 1
    while True:  # the fewest tables, the exercises shared out evenly between them
        size = -(-len(names) // count)
        parts = [list(range(len(names)))[i:i + size] for i in range(0, len(names), size)]
        if all(sum(need[i] for i in part) <= (free_first if n == 0 else free_rest)
               for n, part in enumerate(parts)) or size == 1:
            return parts
        count += 1


def exercise_log(w: BaseWriter, answers: Answers, assessment: Assessment) -> list[Any]:
    """A tick per exercise a day, each column named by its exercise; pain; minutes run.

    The run column comes with the return phase: once the runner may run (the
    assessment or the clinician's level lets them), the log records it too.
    """
    exercises = assessment["exercises"]
    if not exercises:
        return []
    start = dt.date.fromisoformat(answers["assessment_date"])
    days = [str(day) for day in range(1, LOG_DAYS + 1)]
    dates = [w.day_month(start + dt.timedelta(days=day)) for day in range(LOG_DAYS)]
    lead = [(w.label("day"), days), (w.label("date"), dates)]
    tail = [w.label("pain")] + ([w.label("run")] if not assessment["stop_running"] else [])
    lead_widths = [w.column_width(head, cells) for head, cells in lead]
    tail_widths = [w.column_width(head, ["10"]) for head in tail]
    names = [ex["name"] for ex in exercises]
    free_rest = w.width - sum(lead_widths)
    need = [w.column_width(name, []) for name in names]
    parts = _log_parts(need, free_rest - sum(tail_widths), free_rest)
    tables = []
    for number, part in enumerate(parts):
        extra, extra_widths = (tail, tail_widths) if number == 0 else ([], [])
        spare = (free_rest - sum(extra_widths) - sum(need[i] for i in part)) / len(part)
        header = [head for head, _ in lead] + [names[i] for i in part] + extra
        rows = [[days[d], dates[d]] + [""] * (len(part) + len(extra)) for d in range(LOG_DAYS)]
        widths = lead_widths + [need[i] + spare for i in part] + extra_widths
        tables.append(w.grid(header, rows, widths, wrap=()))
    block = w.para(w.text("heading_log"), "h1") + w.para(w.text("log_intro"))
    split = SPLIT_BELOW * w.styles.sizes["body"]
    return [w.keep([*block, tables[0]], split_below=split),
            *(w.keep([table], split_below=split) for table in tables[1:])]


def referral(w: BaseWriter, answers: Answers, assessment: Assessment,
             page1: Page1 = NO_PAGE1) -> list[Any]:
    """A page to hand to the clinician, in place of exercises, under a blocking red flag.

    Only while a referral stands: a clinician's plan at a level below
    ``see_clinician`` has none (see :func:`.planned.planned_assessment`).
    """
    if not assessment.get("referral") or not any(
        flag["blocks_exercise"] for flag in assessment["red_flags"]
    ):
        return []
    flows: list[Any] = [w.page_break()]
    flows += w.para(w.text("referral_title"), "title", explain=False)
    flows += w.para(w.text("referral_intro"), "box", explain=False)
    flows.append(_details(w, answers, ("name", "date", "side", "clinician", "clinic_phone",
                                       "injury_date", "pain_now"), page1))
    flows += w.para(w.text("referral_flags"), "h2", explain=False)
    for flag in assessment["red_flags"]:
        name = flag["name"][:1].upper() + flag["name"][1:]
        flows += w.para(flag["text"], "bullet", bullet=WARNING, label=name + ".", explain=False)
    if assessment["conditions"]:
        flows += w.para(w.text("referral_conditions"), "h2", explain=False)
        for cond in assessment["conditions"]:
            flows += w.para(cond["name"] + ".", "bullet", bullet=BULLET,
                            label=w.label(cond["confidence"]) + ":", explain=False)
            flows += [f for reason in cond["reasons"]
                      for f in w.para(reason, "explain", explain=False)]
    # The closing request stays with the bone check: never alone on a last page.
    flows.append(w.keep(
        w.para(w.text("referral_imaging"), "h2", explain=False)
        + w.para(assessment["imaging"]["advice"], explain=False)
        + w.para(w.text("referral_ask"), "box", explain=False)
    ))
    return flows
