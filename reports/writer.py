"""Writers turn guidance sentences into a handout: escaped, styled, terms explained once.

:class:`BaseWriter` holds what both outputs share: the handout's words, dates
in plain English, and the memory of which medical terms the reader has met, so
a term is explained right after the first paragraph that uses it, and only
there. :class:`PdfWriter` makes ReportLab flowables; ``html.HtmlWriter`` makes
HTML. The sections (``sections.py``) speak only to this interface, so the PDF
and the web page cannot drift apart.

Every string reaches the output through :meth:`BaseWriter.para`, which escapes
it first: ``Paragraph`` parses markup, and a patient called ``<b>&amp;</b>``
must print as typed. The only markup is what the writers add.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..guidance.handout_content import HandoutContent
from ..guidance.i18n import format_date, format_number
from .styles import LEADING, Styles

BULLET = "\u2022"
TICK_BOX = "\u2610"
WARNING = "!"


class BaseWriter:
    """Builds one handout in reading order; one instance per handout."""

    def __init__(self, styles: Styles, content: HandoutContent, width: float) -> None:
        self.styles = styles
        self.content = content
        self.width = width
        self.explained: set[str] = set()
        self.months = content.label("months").split()

    # -- words --------------------------------------------------------------

    def text(self, item_id: str, **values: object) -> str:
        return self.content.text(item_id, **values)

    def label(self, name: str, **values: object) -> str:
        return self.content.label(name, **values)

    def date(self, value: str | dt.date) -> str:
        return format_date(value, self.content.language)

    def number(self, value: float) -> str:
        """A distance as the handout's language writes it ("2.5", "2,5")."""
        return format_number(value, self.content.language)

    def day_month(self, value: str | dt.date) -> str:
        """A date without its year, where the year is plain (the 14-day log)."""
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return self.label("day_month", day=day.day, month=self.months[day.month - 1])

    # -- measures -------------------------------------------------------------

    def text_width(self, text: str, *, bold: bool = False, size: str = "table") -> float:
        """Printed width of ``text`` in points: column widths are measured, never guessed,
        so a longer date or word in another language still fits its cell."""
        font = self.styles.bold if bold else self.styles.regular
        return stringWidth(text, font, self.styles.sizes[size])

    def column_width(self, header: str | None, cells: Iterable[str], *,
                     bold: bool = False) -> float:
        """The narrowest column that holds every cell on one line and the header's
        widest word (headers wrap), with the grid's padding."""
        widths = [self.text_width(c, bold=bold) for c in cells]
        if header:
            widths += [self.text_width(word, bold=True) for word in header.split()]
        return max(widths, default=0) + self.cell_padding() + 1

    def cell_padding(self) -> float:
        """Left plus right padding of a grid cell (see :meth:`PdfWriter.grid`)."""
        return 2 * 0.45 * self.styles.sizes["table"]

    # -- paragraphs ---------------------------------------------------------

    def para(
        self,
        text: str,
        style: str = "body",
        *,
        key: str | None = None,
        bullet: str | None = None,
        label: str | None = None,
        explain: bool = True,
    ) -> list[Any]:
        """A paragraph of plain ``text``, then explanations of terms it is first to use.

        ``label`` is printed in bold before the text; ``key`` is the id of the
        guidance item the text comes from, so a term that item itself defines
        is not explained twice.
        """
        blocks = [self.paragraph(text, style, bullet=bullet, label=label)]
        if explain:
            blocks += self.explanations(text, key)
        return blocks

    def lead_bullet(self, text: str, *, key: str | None = None) -> list[Any]:
        """A bullet whose short lead-in before a colon ("Ice: ...") is set in bold."""
        head, sep, rest = text.partition(": ")
        if sep and len(head.split()) <= 2:
            return self.para(rest, "bullet", key=key, bullet=BULLET, label=head + ":")
        return self.para(text, "bullet", key=key, bullet=BULLET)

    def bullets(self, texts: Iterable[str], *, mark: str = BULLET) -> list[Any]:
        return [b for text in texts for b in self.para(text, "bullet", bullet=mark)]

    def explanations(self, text: str, key: str | None) -> list[Any]:
        out: list[Any] = []
        for term in self.content.terms:
            if term.id in self.explained or not term.pattern.search(text):
                continue
            self.explained.add(term.id)
            if key is not None and key in term.defined_by:
                continue
            out += self.para(term.text, "explain", key=term.id,
                             label=self.label("word_help"))
        return out

    def section(self, head: Sequence[Any], body: Sequence[Any], keep: int = 2) -> list[Any]:
        """A heading kept with the first ``keep`` blocks of its body, the last two kept too.

        Keeping a whole section together leaves half-empty pages; keeping
        nothing orphans a heading at the foot of a page or strands one line
        at the top of the next.
        """
        if len(body) <= keep + 2:
            return [self.keep([*head, *body])]
        return [self.keep([*head, *body[:keep]]), *body[keep:-2], self.keep(body[-2:])]

    # -- what each output does its own way -----------------------------------

    def paragraph(self, text: str, style: str, *, bullet: str | None, label: str | None) -> Any:
        raise NotImplementedError

    def box(self, blocks: Sequence[Any], *, strong: bool = False) -> Any:
        """A ruled box; ``strong`` for the thicker rule of what matters most."""
        raise NotImplementedError

    def grid(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        bold_first_column: bool = False,
        wrap: Iterable[int] | None = None,
    ) -> Any:
        raise NotImplementedError

    def keep(self, blocks: Sequence[Any]) -> Any:
        """Blocks that stay on one page together."""
        raise NotImplementedError

    def page_break(self) -> Any:
        raise NotImplementedError

    def space(self) -> Any:
        raise NotImplementedError

    def columns(self, cells: Sequence[Sequence[Any]], widths: Sequence[float]) -> Any:
        """Blocks side by side (picture beside its dose); on a phone they stack."""
        raise NotImplementedError

    def picture(self, exercise_id: str, width: float) -> Any | None:
        """The exercise's drawing with its alt text, or None when it has none."""
        raise NotImplementedError

    def qr(self, url: str, size: float) -> Any:
        """A QR code of ``url`` (which never holds patient data)."""
        raise NotImplementedError

    def chart(self, drawing: Any, alt: str) -> Any:
        """A ReportLab graphics ``Drawing``: as drawn in the PDF, inline SVG on the web."""
        raise NotImplementedError

    def link(self, url: str, text: str, style: str = "small_link") -> Any:
        """``text`` standing for ``url``: printed as is in the PDF, a link on the web."""
        raise NotImplementedError


class KeepOrStart(KeepTogether):
    """Kept together when it fits; else started here if ``room`` is left, else on the next page.

    ReportLab's ``KeepTogether`` moves a block that does not fit to the next page
    whole, however much room is left: a long table leaves a mostly blank page
    before it. Started here, the heading still keeps with the text after it
    (its style's ``keepWithNext``) and the table breaks with its header repeated.
    """

    def __init__(self, flowables: list[Any], room: float) -> None:
        super().__init__(flowables)
        self.room = room

    def split(self, aW: float, aH: float) -> list[Any]:  # noqa: N803 - ReportLab's names
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        if self._H > aH >= self.room:
            if len(self._content) > 1:
                return list(self._content)
            parts = self._content[0].split(aW, aH)
            if parts:
                return parts
        return super().split(aW, aH)


class PdfWriter(BaseWriter):
    """ReportLab flowables."""

    def paragraph(
        self, text: str, style: str, *, bullet: str | None, label: str | None
    ) -> Flowable:
        markup = escape(text)
        if label:
            markup = f"<b>{escape(label)}</b> {markup}"
        return Paragraph(markup, self.styles[style], bulletText=bullet)

    def box(self, blocks: Sequence[Any], *, strong: bool = False) -> Table:
        body = self.styles.sizes["body"]
        table = Table([[list(blocks)]], colWidths=[self.width])
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.styles.regular),
            ("BOX", (0, 0), (-1, -1), 2.5 if strong else 1.5, colors.black),
            ("LEFTPADDING", (0, 0), (-1, -1), 0.8 * body),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0.8 * body),
            ("TOPPADDING", (0, 0), (-1, -1), 0.6 * body),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0.4 * body),
        ]))
        table.hAlign = "LEFT"
        table.spaceAfter = 0.8 * body
        return table

    def cell(self, text: str, *, bold: bool = False) -> Paragraph:
        return Paragraph(escape(text), self.styles["cell_bold" if bold else "cell"])

    def grid(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        bold_first_column: bool = False,
        wrap: Iterable[int] | None = None,
    ) -> Table:
        """A ruled table whose header row (if any) repeats when it breaks across pages.

        Cells in the ``wrap`` columns (all by default) are paragraphs that wrap;
        the others are plain strings, which ReportLab draws as typed (no markup
        to escape) and lays out far faster: the 14-day log has a hundred cells.
        """
        columns = set(range(len(widths)) if wrap is None else wrap)
        data: list[list[Any]] = [[self.cell(h, bold=True) for h in header]] if header else []
        data += [[self.cell(value, bold=bold_first_column and i == 0) if i in columns else value
                  for i, value in enumerate(row)] for row in rows]
        table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
        size = self.styles.sizes["table"]
        pad = 0.3 * size
        rules = [] if not header else [("LINEBELOW", (0, 0), (-1, 0), 1.6, colors.black)]
        table.setStyle(TableStyle(rules + [
            ("FONTNAME", (0, 0), (-1, -1), self.styles.regular),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("LEADING", (0, 0), (-1, -1), size * LEADING),
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad * 1.5),
        ]))
        table.hAlign = "LEFT"
        table.spaceAfter = 0.8 * self.styles.sizes["body"]
        return table

    def keep(self, blocks: Sequence[Any], *, split_below: float | None = None) -> Flowable:
        """``split_below``: when at least this height is left on the page, start here and
        let a long table break (repeating its header) rather than leave the space blank."""
        if split_below is None:
            return KeepTogether(list(blocks))
        return KeepOrStart(list(blocks), split_below)

    def page_break(self) -> Flowable:
        return PageBreak()

    def space(self) -> Flowable:
        return Spacer(0, self.styles.sizes["body"])

    def columns(self, cells: Sequence[Sequence[Any]], widths: Sequence[float]) -> Table:
        table = Table([[list(cell) for cell in cells]], colWidths=list(widths))
        gap = 0.5 * self.styles.sizes["body"]
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.styles.regular),  # else Helvetica is set
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-2, -1), gap),
            ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]))
        table.hAlign = "LEFT"
        table.spaceAfter = 0.4 * self.styles.sizes["body"]
        return table

    def picture(self, exercise_id: str, width: float) -> Flowable | None:
        from .pictures import pdf_picture

        return pdf_picture(exercise_id, width)

    def qr(self, url: str, size: float) -> Flowable:
        from .qr import qr_flowable

        return qr_flowable(url, size)

    def chart(self, drawing: Any, alt: str) -> Flowable:
        drawing.hAlign = "LEFT"
        return drawing

    def link(self, url: str, text: str, style: str = "small_link") -> Flowable:
        return Paragraph(escape(text), self.styles[style])
