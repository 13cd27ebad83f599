"""PDF building blocks: bilingual documents with Chinese text, from ReportLab alone.

Chinese text is set in Noto Sans SC (SIL Open Font License 1.1), a subset carried in
``fonts/`` and embedded in every PDF (only the glyphs a document uses), so that a
document looks the same in every reader; no system package is needed. The subset holds
every character the project's own texts use and the frequent characters of names
(scripts/build_cjk_font.py rebuilds it). A character of a name or an address outside
it never vanishes: a CJK character falls back to ReportLab's CID font STSong-Light
(whose glyphs the reader supplies), anything else is printed as its code point, ``[U+20BB7]``.

ReportLab reads markup in a paragraph's text (``<img src=...>`` embeds a file, ``<a
href=...>`` adds a link), so no text from a user, the database or a policy pack goes
into a paragraph unescaped: documents build every paragraph with ``paragraph()``, from a
template written in the code and values that are escaped into it. Plain strings in a
table's cells are drawn as they are, without markup.
"""

import html
import io
import re
from pathlib import Path

import qrcode
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shebao.documents.domain import format_verification_code

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Shebao.ttf"
FONT = "NotoSansSC-Shebao"
_EMBEDDED = TTFont(FONT, str(FONT_FILE))
pdfmetrics.registerFont(_EMBEDDED)
# For the CJK characters the subset lacks (a rare character of a name): not embedded.
FALLBACK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))

_COVERED = frozenset(_EMBEDDED.face.charToGlyph)


def in_font(char: str) -> bool:
    """Whether the embedded font has a glyph for ``char``."""
    return ord(char) in _COVERED or char in "\n\r\t"


def _fallback_covers(char: str) -> bool:
    # Adobe-GB1 (STSong-Light) holds the unified ideographs of GB 18030's BMP part.
    return "\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fa5"


def missing_characters(text: str) -> str:
    """The characters of ``text`` the embedded font lacks, each once, in order."""
    return "".join(dict.fromkeys(ch for ch in text if not in_font(ch)))


def _code_point(char: str) -> str:
    return f"[U+{ord(char):04X}]"


def plain(text: str) -> str:
    """``text`` for a place without markup (a table cell, a page footer): a character the
    font lacks is written as its code point rather than dropped."""
    if not missing_characters(text):
        return text
    return "".join(ch if in_font(ch) else _code_point(ch) for ch in text)


_MISSING_RUN = re.compile(r"[^\x00-\x7f]+")


def _with_fallback(escaped: str) -> str:
    """Escaped text with every character the font lacks set in the fallback font, or
    written as its code point where no fallback has it."""

    def run(match: re.Match) -> str:
        out = []
        for ch in match.group(0):
            if in_font(ch):
                out.append(ch)
            elif _fallback_covers(ch):
                out.append(f'<font face="{FALLBACK_FONT}">{ch}</font>')
            else:
                out.append(_code_point(ch))
        return "".join(out)

    return _MISSING_RUN.sub(run, escaped) if missing_characters(escaped) else escaped


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
    return Markup(_with_fallback(html.escape(str(value), quote=True)))


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
    rows = [[plain(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]
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
    """A4 document with a bilingual title, the story, and a footer line on every page."""
    footer = plain(footer)
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


# Verification codes: what every certificate the agency issues carries.

CODE_FONT = "Courier-Bold"
LATIN = "Helvetica"


def latin(text: str) -> Markup:
    """Numbers, codes and addresses set in a Latin font: crisp, and searchable as text."""
    return markup('<font face="{face}">{text}</font>', face=LATIN, text=text)


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's modules (True = dark), without the quiet zone."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def qr_drawing(text: str, size: float = 32 * mm) -> Drawing:
    """The QR code as vector squares: sharp at any zoom, and no image library needed."""
    matrix = qr_matrix(text)
    count = len(matrix)
    quiet = 2  # modules of white margin drawn around the code
    module = size / (count + 2 * quiet)
    drawing = Drawing(size, size)
    drawing.add(_square(0, 0, size, colors.white))
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                drawing.add(
                    _square(
                        (column + quiet) * module,
                        size - (row + quiet + 1) * module,
                        module,
                        colors.black,
                    )
                )
    return drawing


def _square(x: float, y: float, size: float, color) -> Rect:
    """A filled square without an outline."""
    square = Rect(x, y, size, size)
    square.fillColor = color
    square.strokeColor = None
    return square


def verification_block(
    certificate, verify_url: str, *, instruction: Paragraph | None = None
) -> Table:
    """The QR code of the public check beside the printed verification code: what every
    document the agency issues with a verification code carries. ``instruction``, built
    with ``paragraph()``, says how to check it (by default, a certificate)."""
    if instruction is None:
        instruction = paragraph(
            "扫描二维码或在社会保险经办机构网站输入验证码核验本证书。"
            "Scan the code, or enter the verification code on the agency's site, "
            "to check this certificate.",
            SMALL,
        )
    printed = format_verification_code(certificate.verification_code)
    code_style = BODY.clone("code", fontName=CODE_FONT, fontSize=13, leading=17)
    verify = Table(
        [
            [
                qr_drawing(verify_url),
                [
                    paragraph("验证码 Verification code", BODY),
                    paragraph("{code}", code_style, code=printed),
                    Spacer(1, 2 * mm),
                    instruction,
                    paragraph("{url}", SMALL, url=latin(verify_url)),
                ],
            ]
        ],
        colWidths=[38 * mm, 140 * mm],
    )
    verify.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
            ]
        )
    )
    return verify
