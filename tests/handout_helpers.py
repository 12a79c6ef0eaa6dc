"""Shared helpers of the handout tests: render, extract text, read a grey PNG."""

from __future__ import annotations

import io
import re
import struct
import zlib
from typing import Any

from pypdf import PdfReader

from ankle_intake import render_handout


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces made single spaces, for phrase checks."""
    return re.sub(r"\s+", " ", text)


def render_text(answers: dict[str, Any], **options: Any) -> str:
    return flat(pdf_text(render_handout(answers, **options)))


def prose(text: str) -> str:
    """Extracted PDF text as sentences, for readability scores.

    A PDF has no paragraphs, only lines. A line that starts in lower case
    continues the line before it (a wrapped sentence); other lines are whole
    units (headings, bullets, table cells) and get a full stop if they lack
    one. Lines with no word (page numbers, table numbers) are dropped.
    """
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not re.search(r"[A-Za-z]{2}", line):
            continue
        if lines and line[:1].islower() and not lines[-1].endswith((".", ":", "!", "?")):
            lines[-1] += " " + line
        else:
            lines.append(line)
    return " ".join(x if x.endswith((".", "!", "?", ":")) else x + "." for x in lines)


def png_gray_pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and grey levels of an 8-bit grey or RGB PNG, as ``pdftoppm`` writes.

    A few lines of zlib instead of a Pillow dependency for one test.
    """
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width, height = 8, b"", 0, 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, chunk = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (0, 2), "expected 8-bit grey or RGB"
            bpp = 1 if colour == 0 else 3
        elif kind == b"IDAT":
            data += chunk
        pos += 12 + length
    stride = width * bpp
    raw, out, prev = zlib.decompress(data), bytearray(), bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        out += line if bpp == 1 else bytes(sum(line[i:i + 3]) // 3 for i in range(0, stride, 3))
        prev = line
    return width, height, bytes(out)


# -- the clinician's plan (contract 5) ----------------------------------------

CLINIC = {"name": "Riverside Physio", "phone": "020 7946 0018",
          "address": "12 River Road, London SE1 7PB"}
SIGNED = {"status": "signed", "version": 1, "clinician": {"id": "u-7", "name": "Dr Ada Ode"},
          "signed_at": "2026-03-02T10:15:00+00:00", "addendum_reason": None}
DRAFT = {"status": "draft", "version": 1, "clinician": None, "signed_at": None,
         "addendum_reason": None}


def dose(exercise_id: str, sets: int, reps: int, hold: int | None = None,
         times: int | None = None, per: str | None = None) -> dict[str, Any]:
    return {"id": exercise_id, "sets": sets, "reps": reps, "hold_seconds": hold,
            "times": times, "per": per}


def make_plan(level: str, *exercises: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A plan as the store passes it; ``fields`` override the notes, reason and date."""
    plan: dict[str, Any] = {"triage_level": level, "override_reason": None,
                            "exercises": list(exercises), "patient_note": "",
                            "record_note": "", "review_date": None}
    plan.update(fields)
    return plan


def engine_plan(assessment: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The plan a clinician gets by accepting the suggestion as it stands."""
    exercises = [{"id": ex["id"], **ex["default_dose"]} for ex in assessment["exercises"]]
    return make_plan(assessment["triage"]["level"], *exercises, **fields)


#: Three visits as the episode passes them to "Your progress" (plugin/store/progress.py).
PROGRESS = [
    {"date": "2026-02-16", "pain_now": 5, "pain_during_run": 7, "planned_distance": 0,
     "completed_distance": 0, "unit": "km", "measures": {}},
    {"date": "2026-02-23", "pain_now": 3, "pain_during_run": 5, "planned_distance": 40,
     "completed_distance": 30, "unit": "km", "measures": {}},
    {"date": "2026-03-02", "pain_now": 2, "pain_during_run": 2, "planned_distance": 60,
     "completed_distance": 60, "unit": "km", "measures": {}},
]


def patient_sentences(assessment: dict[str, Any]) -> list[str]:
    """The guidance sentences from the assessment that the handout prints for the patient."""
    out = [assessment["triage"]["summary"]]
    out += [flag["text"] for flag in assessment["red_flags"]]
    for cond in assessment["conditions"]:
        out += [cond["summary"], cond["healing"]["note"]]
    if assessment["rice"]:
        out += [assessment["rice"]["when"], *assessment["rice"]["steps"]]
    out += [a["text"] for a in assessment["advice"] if a["topic"] != "call"]
    for ex in assessment["exercises"]:
        out += [ex["name"] + ".", ex["dose"] + ".", *ex["steps"], ex["stop_if"]]
    plan = assessment["return_to_run"]
    out += plan["criteria"] + plan["run_walk"] + plan["pain_rule"] + [plan["weekly_rule"]]
    return out
