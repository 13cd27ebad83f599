"""PDF building blocks: bilingual documents with Chinese text, from ReportLab alone.

Chinese text uses ReportLab's built-in CID font STSong-Light (Adobe's Asian font pack
metrics; PDF readers supply the glyphs), so no font file or system package is needed.

ReportLab reads markup in a paragraph's text (``<img src=...>`` embeds a file, ``<a
href=...>`` adds a link), so no text from a user, the database or a policy pack goes
into a paragraph unescaped: documents build every paragraph with ``paragraph()``, from a
template written in the code and values that are escaped into it. Plain strings in a
table's cells are drawn as they are, without markup.
"""

import html
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=15, leading=20, spaceAfter=4)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=10, textColor=colors.grey)


class Markup(str):
    """Paragraph markup built here from a template written in the code: put into
    another template as it is, where every other value is escaped."""


def escape(value) -> Markup:
    """``value`` as literal text in paragraph markup."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def markup(template: str, /, **values) -> Markup:
    """``template`` (markup written in the code) with each value escaped into its
    ``{name}`` field."""
    return Markup(template.format_map({name: escape(value) for name, value in values.items()}))


def paragraph(template: str, style: ParagraphStyle, /, **values) -> Paragraph:
    """The one way documents build a paragraph: any text that is not written in the code
    goes in ``values``, never into ``template``."""
    return Paragraph(markup(template, **values), style)


def table(rows, widths=None, *, numeric_from: int = 99):
    """A ruled table; columns from ``numeric_from`` on are right-aligned (amounts)."""
    styled = Table(rows, colWidths=widths, repeatRows=1)
    styled.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return styled


def render(title_zh: str, title_en: str, story: list, *, footer: str = "") -> bytes:
    """A4 document with a bilingual title, the story, and a footer line on every page.

    Keep to characters the CID font has: it lacks some Western punctuation (the middle
    dot, for one), which would print as an empty box."""
    buffer = io.BytesIO()

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 10 * mm, footer)
        canvas.drawRightString(195 * mm, 10 * mm, f"{document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"{title_zh} {title_en}",
        author="Shebao",
    )
    heading = [
        paragraph("{title}", TITLE, title=title_zh),
        paragraph("{title}", BODY, title=title_en),
        Spacer(1, 4 * mm),
    ]
    document.build(heading + story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
