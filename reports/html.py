"""The handout as HTML: the same sections and words as the PDF, for screen readers
and for clinics that print from the browser.

:func:`render_handout_html` returns an HTML fragment (no ``<html>`` shell) that
the plugin's template wraps with its print stylesheet. Every string is escaped
here with :func:`html.escape`, so the template may insert the fragment as is.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..forms import load_answers
from ..guidance import evaluate
from ..guidance.handout_content import HANDOUT
from .handout import prepare, story_blocks
from .styles import get_styles
from .writer import BULLET, TICK_BOX, WARNING, BaseWriter

#: Paragraph style -> (tag, class). Box headings are section headings on the web.
TAGS: dict[str, tuple[str, str]] = {
    "title": ("h1", "ai-h-title"),
    "clinic": ("p", "ai-h-clinic"),
    "h1": ("h2", "ai-h-section"),
    "box_heading": ("h2", "ai-h-boxhead"),
    "h2": ("h3", "ai-h-sub"),
    "body": ("p", "ai-h-body"),
    "strong": ("p", "ai-h-strong"),
    "box": ("p", "ai-h-key"),
    "bullet": ("p", "ai-h-bullet"),
    "explain": ("p", "ai-h-explain"),
}
MARK_CLASS = {BULLET: "ai-h-mark", TICK_BOX: "ai-h-tick", WARNING: "ai-h-warn"}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class HtmlWriter(BaseWriter):
    """HTML strings, escaped; structure from tags, never from colour."""

    def paragraph(self, text: str, style: str, *, bullet: str | None, label: str | None) -> str:
        tag, css = TAGS[style]
        inner = _e(text)
        if label:
            inner = f"<strong>{_e(label)}</strong> {inner}"
        if bullet:
            mark = f'<span class="{MARK_CLASS.get(bullet, "ai-h-mark")}" aria-hidden="true">'
            inner = f"{mark}{_e(bullet)}</span> {inner}"
        return f'<{tag} class="{css}">{inner}</{tag}>'

    def box(self, blocks: Sequence[Any], *, strong: bool = False) -> str:
        css = "ai-h-box ai-h-box--strong" if strong else "ai-h-box"
        return f'<section class="{css}">{"".join(blocks)}</section>'

    def grid(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        bold_first_column: bool = False,
        wrap: Iterable[int] | None = None,
    ) -> str:
        head = ""
        if header:
            head = "<thead><tr>" + "".join(
                f'<th scope="col">{_e(h)}</th>' for h in header) + "</tr></thead>"
        body = []
        for row in rows:
            cells = [
                f'<th scope="row">{_e(v)}</th>' if bold_first_column and i == 0
                else f"<td>{_e(v)}</td>"
                for i, v in enumerate(row)
            ]
            body.append("<tr>" + "".join(cells) + "</tr>")
        return f'<table class="ai-h-table">{head}<tbody>{"".join(body)}</tbody></table>'

    def keep(self, blocks: Sequence[Any]) -> str:
        return f'<div class="ai-h-keep">{"".join(blocks)}</div>'

    def page_break(self) -> str:
        return '<hr class="ai-h-page-break">'

    def space(self) -> str:
        return ""


def render_assessment_html(
    answers: Mapping[str, Any],
    assessment: Mapping[str, Any],
    *,
    plan: Mapping[str, Any] | None = None,
    signoff: Mapping[str, Any] | None = None,
    clinic: Mapping[str, Any] | None = None,
    clinic_name: str | None = None,
    large_print: bool = False,
) -> str:
    """The handout fragment for validated answers and their (stored) assessment.

    ``plan``, ``signoff`` and ``clinic`` as for the PDF
    (:func:`.handout.render_assessment`); a draft carries a "DRAFT" band at
    the top, which the print stylesheet may repeat on every printed page.
    """
    writer = HtmlWriter(get_styles(large_print), HANDOUT, 1000)
    assessment, page1 = prepare(assessment, plan=plan, signoff=signoff, clinic=clinic,
                                clinic_name=clinic_name)
    blocks = story_blocks(writer, answers, assessment, page1.clinic_name, page1)
    if page1.draft:
        blocks.insert(0, f'<p class="ai-h-draft-mark">{_e(HANDOUT.label("draft_mark"))}</p>')
    footer = (
        f'<footer class="ai-h-footer"><p><strong>{_e(HANDOUT.text("disclaimer"))}</strong></p>'
        f'<p>{_e(HANDOUT.label("version", version=assessment["rules_version"]))}</p></footer>'
    )
    css = "ai-handout ai-handout--large" if large_print else "ai-handout"
    css += " ai-handout--draft" if page1.draft else ""
    return f'<article class="{css}" lang="en">{"".join(blocks)}{footer}</article>'


def render_handout_html(
    answers: Any, *, clinic_name: str | None = None, large_print: bool = False
) -> str:
    """The handout as an HTML fragment for raw ``answers``, validated first."""
    validated = load_answers(answers)
    return render_assessment_html(validated, evaluate(validated), clinic_name=clinic_name,
                                  large_print=large_print)


__all__ = ["HtmlWriter", "render_assessment_html", "render_handout_html"]
