"""Every PDF the agency prints carries its CJK font (a subset of Noto Sans SC, SIL OFL
1.1), so a document looks the same in every reader; a character outside the subset is
never dropped without a trace.

Regression: the PDFs named ReportLab's CID font STSong-Light without embedding it, so
their look depended on the reader (and a reader without the Adobe Asian font pack showed
nothing)."""

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from shebao.documents import pdf
from tests.clearance.conftest import (  # noqa: F401 (fixtures)
    _english,
    _media,
    api,
    drive,
    ok,
    open_self_case,
    staff,
    worker,
    world,
)

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "src/shebao/documents/fonts"
MIB = 1024 * 1024
# The PDF standard's 14 fonts: every reader carries them (ISO 32000-1, 9.6.2.2).
STANDARD_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}


def fonts_of(data: bytes) -> dict[str, bool]:
    """Each font the PDF's pages use, by base name (subset tag removed), and whether
    its program is embedded (FontFile, FontFile2 or FontFile3 in its descriptor)."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = page.get("/Resources") or {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
            descriptor = font.get("/FontDescriptor")
            if font.get("/Subtype") == "/Type0":
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[name] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return found


def assert_fonts_embedded(data: bytes, kind: str) -> None:
    fonts = fonts_of(data)
    assert any(name.startswith("NotoSansSC") for name in fonts), (kind, fonts)
    loose = [name for name, embedded in fonts.items() if not embedded and name not in STANDARD_14]
    assert loose == [], f"{kind}: fonts not embedded: {loose}"


def all_pdfs(api, staff, world, worker) -> dict[str, bytes]:  # noqa: F811
    """One PDF of every kind the agency prints, about records with Chinese names."""
    case = drive(staff, open_self_case(staff, worker.person).pk)
    owing = world.unit(name="北京青禾餐饮管理有限公司")
    person = world.employ(owing, serial=21)
    world.declare(owing, "2025-03", [(person, "8000.00")])
    notice = ok(
        api.clerk.post(f"units/{owing.pk}/arrears-notices", {"found_on": "2025-11-10"}), 201
    )
    answers = {
        "certificate of cancellation": api.clerk.get(f"clearance-cases/{case.pk}/certificate.pdf"),
        "liquidation statement": api.finance.get(f"clearance-cases/{case.pk}/statement.pdf"),
        "registration record": api.clerk.get(f"units/{owing.pk}/registration-record.pdf"),
        "arrears notice": api.clerk.get(f"units/{owing.pk}/arrears-notices/{notice['id']}.pdf"),
        "rights statement": api.clerk.get(f"persons/{worker.person.pk}/statement.pdf"),
        "unit statement": api.clerk.get(f"units/{worker.unit.pk}/statement.pdf"),
    }
    for kind, response in answers.items():
        assert response.status_code == 200, (kind, response.content[:200])
        assert response["Content-Type"] == "application/pdf", kind
    return {kind: response.content for kind, response in answers.items()}


def test_every_kind_of_pdf_embeds_its_fonts(api, staff, world, worker):  # noqa: F811
    for kind, data in all_pdfs(api, staff, world, worker).items():
        assert_fonts_embedded(data, kind)
        # No document of the project's own texts needs the fallback font.
        assert "STSong-Light" not in fonts_of(data), kind


def test_the_chinese_text_is_real_text_in_the_embedded_font(api, staff, world, worker):  # noqa: F811
    pdfs = all_pdfs(api, staff, world, worker)
    text = PdfReader(io.BytesIO(pdfs["registration record"])).pages[0].extract_text()
    assert "社会保险登记记录" in text and "北京青禾餐饮管理有限公司" in text


def test_every_character_of_the_sources_is_in_the_font():
    """What the templates, the policy packs and the translations can print is in the
    subset: rebuild it (scripts/build_cjk_font.py) after adding Chinese text."""
    missing = set()
    for path in (ROOT / "src").rglob("*"):
        if path.is_file() and path.suffix in {".py", ".html", ".yaml", ".po", ".txt"}:
            text = path.read_text(encoding="utf-8")
            missing |= {ch for ch in pdf.missing_characters(text) if ch.isprintable()}
    assert not missing, "".join(sorted(missing))


def test_the_frequent_characters_of_names_are_in_the_font():
    level1 = [
        bytes([row, cell]).decode("gb2312")
        for row in range(0xB0, 0xD8)
        for cell in range(0xA1, 0xFF)
        if (row, cell) not in {(0xD7, c) for c in range(0xFA, 0xFF)}
    ]
    assert len(level1) == 3755
    assert pdf.missing_characters("".join(level1)) == ""
    assert pdf.missing_characters("张伟王芳李娜刘洋陈静杨磊赵敏黄鑫周昊吴婧欧阳诸葛") == ""


def test_a_character_outside_the_subset_falls_back_or_shows_its_code():
    # U+4DAE is a CJK Extension A character (not in the subset): the fallback font has it.
    assert pdf.missing_characters("陈䶮") == "䶮"
    assert pdf.escape("陈䶮") == '陈<font face="STSong-Light">䶮</font>'
    # U+20BB7 (𠮷, of the name 吉) is outside the BMP: no fallback, so its code point.
    assert pdf.escape("王𠮷") == "王[U+20BB7]"
    assert pdf.plain("王𠮷 䶮") == "王[U+20BB7] [U+4DAE]"
    story = [
        pdf.paragraph("姓名 Name: {name}", pdf.BODY, name="王𠮷 陈䶮"),
        pdf.table([["姓名 Name", "备注"], ["王𠮷", "—"]]),
    ]
    data = pdf.render("测试", "Test", story, footer="Shebao | 王𠮷")
    fonts = fonts_of(data)
    assert fonts["STSong-Light"] is False  # the fallback, named for the one rare character
    assert fonts["NotoSansSCShebao-Regular"] is True
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert text.count("[U+20BB7]") == 3  # paragraph, table cell and footer


def tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and ".git" not in p.parts]
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_exceeds_one_mebibyte():
    big = [
        str(p.relative_to(ROOT)) for p in tracked_files() if p.exists() and p.stat().st_size > MIB
    ]
    assert big == []
    font = FONTS / "NotoSansSC-Shebao.ttf"
    assert 0 < font.stat().st_size <= MIB
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS / "OFL.txt").read_text()


@pytest.mark.parametrize("size", [7.5, 9, 15])
def test_the_font_is_registered_as_truetype(size):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = pdfmetrics.getFont(pdf.FONT)
    assert isinstance(font, TTFont)
    assert font.stringWidth("社会保险", size) == pytest.approx(4 * size, rel=0.01)
