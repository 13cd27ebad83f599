"""Rebuild the CJK font the PDFs embed: src/shebao/documents/fonts/NotoSansSC-Shebao.ttf.

The font is a subset of Noto Sans CJK SC Regular (SIL Open Font License 1.1; the licence
is src/shebao/documents/fonts/OFL.txt) holding:

- every character of GB 2312 level 1 (3,755 hanzi: the frequent characters, which hold
  nearly all of the 3,500 of level 1 of the Table of General Standard Chinese Characters,
  通用规范汉字表, and the characters of most person and unit names) and the CJK
  characters of `--extra` (by default scripts/cjk_extra.txt);
- every non-ASCII character that appears in src/ (templates, policy packs, the
  translations, the code), so that everything the PDFs print from the project is there;
- printable ASCII, Latin-1, general punctuation, CJK symbols and full-width forms.

ReportLab embeds TrueType outlines only, so the font's CFF (cubic) outlines are
converted to quadratic TrueType outlines. No tracked file may exceed 1 MiB: the build
fails if the result does. A character a PDF needs that is not in the font is not
dropped: shebao.documents.fonts draws it with a fallback or refuses (see there).

Run it where fontTools (a development dependency) is installed, with the source font of
Debian's fonts-noto-cjk package or the NotoSansCJK-Regular.ttc / NotoSansCJKsc-Regular.otf
of the noto-cjk release:

    python scripts/build_cjk_font.py \
        [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

Only the build needs the source font; the project runs and tests with the committed subset.
"""

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = ROOT / "src/shebao/documents/fonts/NotoSansSC-Shebao.ttf"
EXTRA = ROOT / "scripts/cjk_extra.txt"
FAMILY = "Noto Sans SC Shebao"
MAX_BYTES = 1024 * 1024
# The largest distance (font units, 1,000 to the em) a converted curve may stray from
# the original: invisible at print sizes (0.014 mm at 10 pt), and it keeps the file small.
MAX_ERR = 4.0
SCANNED = {".py", ".html", ".yaml", ".yml", ".po", ".txt", ".md", ".js", ".css"}


def gb2312_level1() -> set[str]:
    found = set()
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def characters_in(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in SCANNED:
            found.update(ch for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x7E)
    return found


def ranges(*spans: tuple[int, int]) -> set[str]:
    return {chr(code) for first, last in spans for code in range(first, last + 1)}


def wanted(extra: Path | None) -> set[str]:
    chars = gb2312_level1() | characters_in(ROOT / "src")
    if extra and extra.exists():
        for line in extra.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                chars |= {ch for ch in line if not ch.isspace()}
    chars |= ranges(
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1
        (0x2010, 0x2027),  # dashes, quotes, ellipsis, middle dots
        (0x2030, 0x203B),
        (0x2103, 0x2103),  # ℃
        (0x2116, 0x2116),  # №
        (0x2160, 0x216B),  # Roman numerals Ⅰ to Ⅻ
        (0x2190, 0x2199),  # arrows
        (0x2212, 0x2212),  # minus sign
        (0x2260, 0x2265),  # ≠ ≤ ≥
        (0x2460, 0x2473),  # circled numbers ① to ⑳
        (0x25A0, 0x25CF),  # squares, triangles and circles
        (0x2610, 0x2612),  # ballot boxes
        (0x2713, 0x2714),  # check marks
        (0x3000, 0x301F),  # CJK symbols and punctuation
        (0xFF01, 0xFF5E),  # full-width forms
    )
    return {ch for ch in chars if ch.isprintable() or ch == "\u3000"}


def open_source(path: Path) -> TTFont:
    if path.suffix.lower() == ".ttc":
        for font in TTCollection(str(path)).fonts:
            if font["name"].getDebugName(4) == "Noto Sans CJK SC":
                return font
        raise SystemExit(f"{path} has no Noto Sans CJK SC face")
    return TTFont(str(path))


def to_truetype(font: TTFont) -> None:
    """Replace the CFF table by quadratic glyf/loca outlines (as fontTools' otf2ttf)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    maxp.compile(font)
    # No glyph names (post format 3): nothing reads them, and they would cost 45 kB.
    font["post"].formatType = 3.0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\0\1\0\0"


def rename(font: TTFont) -> None:
    """A modified version carries a name of its own (OFL condition 3)."""
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            name.removeNames(nameID=record.nameID)
    name.setName(FAMILY, 1, 3, 1, 0x409)
    name.setName("Regular", 2, 3, 1, 0x409)
    name.setName(f"{FAMILY}: a subset of Noto Sans CJK SC", 3, 3, 1, 0x409)
    name.setName(FAMILY, 4, 3, 1, 0x409)
    name.setName(FAMILY.replace(" ", "") + "-Regular", 6, 3, 1, 0x409)


def build(source: Path, target: Path, extra: Path | None) -> int:
    font = open_source(source)
    chars = wanted(extra)
    options = subset.Options()
    # ReportLab reads cmap, hmtx and glyf only: no layout tables, no vertical metrics.
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE", "GPOS", "GSUB", "GDEF"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    to_truetype(font)
    rename(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The same source gives the same bytes: the source's own timestamp is kept.
    font.recalcTimestamp = False
    font.save(str(target))
    cmap = font.getBestCmap()
    missing = sorted(ch for ch in chars if ord(ch) not in cmap)
    size = target.stat().st_size
    print(f"{target.relative_to(ROOT)}: {len(cmap)} characters, {size:,} bytes")
    if missing:
        print(f"not in the source font ({len(missing)}): {''.join(missing)[:200]}")
    if size > MAX_BYTES:
        print(f"too large: over {MAX_BYTES:,} bytes", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--target", type=Path, default=TARGET)
    parser.add_argument("--extra", type=Path, default=EXTRA)
    args = parser.parse_args()
    return build(args.source, args.target, args.extra)


if __name__ == "__main__":
    sys.exit(main())
