"""``render_handout(answers) -> bytes``: the patient's personalised PDF handout.

Built with ReportLab platypus into memory. ``invariant=1`` makes the bytes a
function of the inputs alone, so a reprint is exactly the handout the patient
was given. The footer (page N of M, guidance version, disclaimer) is drawn on
every page, and on a draft a light diagonal "DRAFT" too; the page total is
only known at the end, so a canvas that holds pages back until ``save``
writes it.

With the clinician's ``plan`` (contract 5) the handout prints the plan, not the
engine's suggestion: see :mod:`.planned`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from ..forms import load_answers
from ..guidance import evaluate
from ..guidance.handout_content import HandoutContent
from ..guidance.i18n import handout_content, localized
from . import sections
from .planned import Page1, planned_assessment
from .progress import progress as progress_section
from .styles import Styles, get_styles
from .writer import BaseWriter, PdfWriter

PAGE_SIZES = {"a4": A4, "letter": LETTER}
MARGIN = 18 * mm
#: The diagonal draft mark: light enough to read the text through it.
DRAFT_GREY = 0.88


class _Footer:
    """What every page carries at top and bottom; drawn by ``onPage`` and the canvas."""

    def __init__(self, styles: Styles, content: HandoutContent, version: str,
                 running_head: str, draft: bool = False) -> None:
        self.draft_mark = content.label("draft_mark") if draft else ""
        self.font = styles.regular
        self.bold = styles.bold
        self.size = styles.sizes["small"]
        self.disclaimer = content.text("disclaimer")
        self.version = content.label("version", version=version)
        self.page_label = content.labels["page"]
        self.running_head = running_head

    def height(self) -> float:
        return 3 * self.size * 1.3 + 4 * mm

    def draw_static(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """Header line (from page 2) and the footer text, between save and restore."""
        canvas.saveState()
        width, _ = doc.pagesize
        line_y = MARGIN + 2 * self.size * 1.3 + 2 * mm
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, line_y, width - MARGIN, line_y)
        canvas.setFont(self.bold, self.size)
        canvas.drawString(MARGIN, MARGIN + self.size * 1.3, self.disclaimer)
        canvas.setFont(self.font, self.size)
        canvas.drawString(MARGIN, MARGIN, self.version)
        if doc.page > 1 and self.running_head:
            top = doc.pagesize[1] - MARGIN + 2 * mm
            canvas.drawString(MARGIN, top, self.running_head)
            canvas.line(MARGIN, top - 1.5 * mm, width - MARGIN, top - 1.5 * mm)
        canvas.restoreState()
        if self.draft_mark:
            self.draw_draft(canvas, doc)

    def draw_draft(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """A large light word across the page, under the text drawn after it, and a
        small black one at the top right, which a grey-scale copy keeps."""
        canvas.saveState()
        width, height = doc.pagesize
        canvas.setFont(self.bold, self.size * 1.4)
        canvas.drawRightString(width - MARGIN, height - MARGIN + 2 * mm, self.draft_mark)
        canvas.setFillColor(colors.Color(DRAFT_GREY, DRAFT_GREY, DRAFT_GREY))
        canvas.setFont(self.bold, width / 5)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -width / 15, self.draft_mark)
        canvas.restoreState()

    def draw_page_number(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFont(self.bold, self.size)
        text = self.page_label.format(page=page, pages=pages)
        canvas.drawRightString(canvas._pagesize[0] - MARGIN, MARGIN, text)
        canvas.restoreState()


class _NumberedCanvas(Canvas):
    """Holds finished pages until ``save`` so each can say "Page N of M"."""

    def __init__(self, *args: Any, footer: _Footer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._footer.draw_page_number(self, number, pages)
            Canvas.showPage(self)
        self._held = []
        super().save()


def resolve_page_size(name: str) -> tuple[float, float]:
    """``"A4"`` or ``"letter"`` (any case) as a ReportLab page size."""
    try:
        return PAGE_SIZES[name.lower()]
    except KeyError:
        raise ValueError(f"page_size must be 'A4' or 'letter', not {name!r}") from None


def story_blocks(
    writer: BaseWriter, answers: Mapping[str, Any], assessment: Mapping[str, Any],
    clinic_name: str | None, page1: Page1 | None = None, *,
    video_url: str | None = None, progress: Sequence[Mapping[str, Any]] | None = None,
) -> list[Any]:
    """The blocks (flowables or HTML) in the order issue 4 gives, for validated answers.

    ``assessment`` is the engine's, or the clinician's plan laid over it
    (:func:`.planned.planned_assessment`); ``page1`` what the first page adds;
    ``video_url`` the clinic's video link template; ``progress`` the visits so far.
    """
    w, a, p1 = writer, assessment, page1 or Page1()
    return [
        *sections.header(w, answers, clinic_name, p1),
        *sections.what_to_do_now(w, a),
        *sections.red_flags(w, a, p1),
        *sections.patient_note(w, p1),
        *progress_section(w, progress),
        *sections.conditions(w, answers, a),
        *sections.rice(w, a),
        *sections.advice(w, a),
        *sections.exercises(w, a, video_url),
        *sections.return_to_run(w, answers, a),
        *sections.prevention(w, a),
        *sections.exercise_log(w, answers, a),
        *sections.referral(w, answers, a, p1),
    ]


def render_handout(
    answers: Any,
    *,
    clinic_name: str | None = None,
    page_size: str = "A4",
    large_print: bool = False,
) -> bytes:
    """The handout PDF for raw ``answers``, validated and assessed first.

    Raises :class:`ankle_intake.InvalidAnswers` for bad answers and
    ``ValueError`` for an unknown page size. ``patient_ref`` and
    ``encounter_ref`` are never printed. Same arguments, same bytes.
    """
    resolve_page_size(page_size)  # refuse a bad size before any work
    validated = load_answers(answers)
    return render_assessment(validated, evaluate(validated), clinic_name=clinic_name,
                             page_size=page_size, large_print=large_print)


def prepare(
    assessment: Mapping[str, Any],
    *,
    plan: Mapping[str, Any] | None,
    signoff: Mapping[str, Any] | None,
    clinic: Mapping[str, Any] | None,
    clinic_name: str | None,
    language: str = "en",
) -> tuple[Mapping[str, Any], Page1]:
    """What to print (the plan over the assessment, if any) and what page 1 adds.

    Shared by the PDF and the HTML handout, so they cannot print different plans;
    the words are then put in the handout's ``language`` (``handout_language``).
    """
    page1 = Page1.build(plan=plan, signoff=signoff, clinic=clinic, clinic_name=clinic_name)
    shown = planned_assessment(assessment, plan) if plan else assessment
    return localized(shown, language), page1


def render_assessment(
    answers: Mapping[str, Any],
    assessment: Mapping[str, Any],
    *,
    plan: Mapping[str, Any] | None = None,
    signoff: Mapping[str, Any] | None = None,
    clinic: Mapping[str, Any] | None = None,
    clinic_name: str | None = None,
    page_size: str = "A4",
    large_print: bool = False,
    video_url: str | None = None,
    progress: Sequence[Mapping[str, Any]] | None = None,
) -> bytes:
    """The handout for answers already validated and an assessment already made.

    For a stored record: the reprint shows the assessment the patient was
    given, under the guidance version it was made with, even after the rules
    have changed. With the clinician's ``plan`` it prints the plan: its
    level, its exercises and doses, its note for the patient and review
    date, and the referral only at level ``see_clinician``. ``signoff``
    (contract 5) names the clinician; a ``"draft"`` one marks every page.
    ``clinic`` (``name``, ``phone``, ``address``, any may be empty) puts the
    clinic's contact details on page 1; its name wins over ``clinic_name``.
    ``video_url`` (``ANKLE_INTAKE_EXERCISE_VIDEO_URL``, ``{exercise_id}`` its only
    placeholder) gives each exercise a QR code and its link; ``progress`` (one
    mapping per visit, see :mod:`.progress`) adds "Your progress" from two visits.
    Raises ``ValueError`` for an unknown page size, level or exercise id.
    """
    size = resolve_page_size(page_size)
    styles = get_styles(large_print)
    language = answers.get("handout_language", "en")
    content = handout_content(language)
    assessment, page1 = prepare(assessment, plan=plan, signoff=signoff, clinic=clinic,
                                clinic_name=clinic_name, language=language)
    clinic_title = page1.clinic_name

    head = [clinic_title or "", answers.get("patient_name") or "",
            PdfWriter(styles, content, 0).date(answers["assessment_date"])]
    footer = _Footer(styles, content, assessment["rules_version"],
                     "  \u00b7  ".join(part for part in head if part), draft=page1.draft)
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=size, invariant=1, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN + footer.height(),
        title=content.label("pdf_title"), author=clinic_title or "", creator="ankle-intake",
        subject="", keywords="", lang=language, initialFontName=styles.regular,
        initialFontSize=styles.sizes["body"],
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer.draw_static)])
    writer = PdfWriter(styles, content, doc.width)
    story = story_blocks(writer, answers, assessment, clinic_title, page1,
                         video_url=video_url, progress=progress)
    doc.build(story, canvasmaker=functools.partial(_NumberedCanvas, footer=footer))
    return buffer.getvalue()
