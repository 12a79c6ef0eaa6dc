"""The handout as HTML: the same sections and words as the PDF, for screen readers
and for clinics that print from the browser.

:func:`render_handout_html` returns an HTML fragment (no ``<html>`` shell) that
the plugin's template wraps with its print stylesheet. Every string is escaped
here with :func:`html.escape`, so the template may insert the fragment as is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..forms import load_answers
from ..guidance import evaluate
from ..guidance.i18n import handout_content
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
    "small_link": ("p", "ai-h-note"),
}
#: The width the HTML handout is laid out for, in points: an A4 page's text width, so a
#: chart drawn for the web is the PDF's, scaled to the screen.
HTML_WIDTH = 480
MARK_CLASS = {BULLET: "ai-h-mark", TICK_BOX: "ai-h-tick", WARNING: "ai-h-warn"}


_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')


def _presentation(match: re.Match[str]) -> str:
    """An SVG ``style`` attribute as presentation attributes, which the plugin's CSP
    (``style-src 'self'``) lets through; ReportLab's font names become the page's font."""
    out = []
    for part in match.group(1).split(";"):
        name, sep, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            continue
        if name == "font-family":
            if "bold" in value.lower():
                out.append(' font-weight="bold"')
            value = "DejaVu Sans, Verdana, sans-serif"
        out.append(f' {name}="{html.escape(value, quote=True)}"')
    return "".join(out)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class HtmlWriter(BaseWriter):
    """HTML strings, escaped; structure from tags, never from colour."""

    charts = 0

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
        table = f'<table class="ai-h-table">{head}<tbody>{"".join(body)}</tbody></table>'
        if len(widths) <= 2:
            return table
        # A wide table scrolls inside its own box on a phone, never the page; the box
        # takes the keyboard focus so it can be scrolled without a mouse.
        name = _e(self.label("table_scroll", first=header[0] if header else ""))
        return (f'<div class="ai-h-table-wrap" role="region" tabindex="0" aria-label="{name}">'
                f"{table}</div>")

    def keep(self, blocks: Sequence[Any], *, split_below: float | None = None) -> str:
        css = "ai-h-keep" if split_below is None else "ai-h-keep ai-h-keep--splits"
        return f'<div class="{css}">{"".join(blocks)}</div>'

    def page_break(self) -> str:
        return '<hr class="ai-h-page-break">'

    def space(self) -> str:
        return ""

    def columns(self, cells: Sequence[Sequence[Any]], widths: Sequence[float]) -> str:
        parts = [f'<div class="ai-h-col">{"".join(c)}</div>' for c in cells]
        return f'<div class="ai-h-cols">{"".join(parts)}</div>'

    def picture(self, exercise_id: str, width: float) -> str | None:
        from .pictures import inline_svg

        svg = inline_svg(exercise_id, self.content.language)
        return f'<figure class="ai-h-picture">{svg}</figure>' if svg else None

    def qr(self, url: str, size: float) -> str:
        from .qr import qr_svg

        return qr_svg(url, _e(self.label("video_qr_alt")))

    def chart(self, drawing: Any, alt: str) -> str:
        """The drawing as inline SVG that scales to its box; ids made unique per chart."""
        from reportlab.graphics import renderSVG

        self.charts += 1
        svg = renderSVG.drawToString(drawing)
        svg = svg[svg.index("<svg"):]
        svg = re.sub(r"<title>.*?</title>\s*<desc>.*?</desc>", "", svg, count=1, flags=re.DOTALL)
        svg = re.sub(r'\bid="([^"]+)"', rf'id="\1-chart{self.charts}"', svg)
        svg = re.sub(r"url\(#([^)]+)\)", rf"url(#\1-chart{self.charts})", svg)
        svg = _STYLE_ATTR.sub(_presentation, svg)
        head, rest = svg.split(">", 1)
        head = re.sub(r'\s(width|height)="[^"]*"', "", head)
        head += f' class="ai-h-chart-svg" role="img" aria-label="{_e(alt)}"'
        return f'<figure class="ai-h-chart">{head}>{rest}</figure>'

    def link(self, url: str, text: str, style: str = "small_link") -> str:
        return f'<p class="ai-h-link"><a href="{_e(url)}">{_e(text)}</a></p>'


def render_assessment_html(
    answers: Mapping[str, Any],
    assessment: Mapping[str, Any],
    *,
    plan: Mapping[str, Any] | None = None,
    signoff: Mapping[str, Any] | None = None,
    clinic: Mapping[str, Any] | None = None,
    clinic_name: str | None = None,
    large_print: bool = False,
    video_url: str | None = None,
    progress: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """The handout fragment for validated answers and their (stored) assessment.

    ``plan``, ``signoff``, ``clinic``, ``video_url`` and ``progress`` as for the PDF
    (:func:`.handout.render_assessment`); a draft carries a "DRAFT" band at
    the top, which the print stylesheet may repeat on every printed page.
    """
    language = answers.get("handout_language", "en")
    content = handout_content(language)
    writer = HtmlWriter(get_styles(large_print), content, HTML_WIDTH)
    assessment, page1 = prepare(assessment, plan=plan, signoff=signoff, clinic=clinic,
                                clinic_name=clinic_name, language=language)
    blocks = story_blocks(writer, answers, assessment, page1.clinic_name, page1,
                          video_url=video_url, progress=progress)
    if page1.draft:
        blocks.insert(0, f'<p class="ai-h-draft-mark">{_e(content.label("draft_mark"))}</p>')
    footer = (
        f'<footer class="ai-h-footer"><p><strong>{_e(content.text("disclaimer"))}</strong></p>'
        f'<p>{_e(content.label("version", version=assessment["rules_version"]))}</p></footer>'
    )
    css = "ai-handout ai-handout--large" if large_print else "ai-handout"
    css += " ai-handout--draft" if page1.draft else ""
    return f'<article class="{css}" lang="{language}">{"".join(blocks)}{footer}</article>'


def render_handout_html(
    answers: Any, *, clinic_name: str | None = None, large_print: bool = False
) -> str:
    """The handout as an HTML fragment for raw ``answers``, validated first."""
    validated = load_answers(answers)
    return render_assessment_html(validated, evaluate(validated), clinic_name=clinic_name,
                                  large_print=large_print)


__all__ = ["HtmlWriter", "render_assessment_html", "render_handout_html"]
