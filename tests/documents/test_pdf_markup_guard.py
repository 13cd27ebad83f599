"""Every paragraph of every document is built so that no text can become markup.

Regression (security review, finding 10): names were put into ReportLab paragraphs with
f-strings, so markup in a name embedded server files and added links. Documents now
build paragraphs only through ``documents.pdf.paragraph`` (or ``markup``), from a
template written in the code and values that are escaped; this test keeps it so.
"""

import ast
from pathlib import Path

import shebao
from shebao.documents.pdf import escape, markup

SHEBAO = Path(shebao.__file__).parent
# The documents package, and the PDFs other packages build with it (clearance/pdfs.py).
SOURCES = sorted({*(SHEBAO / "documents").glob("*.py"), *SHEBAO.glob("*/pdfs.py")})


def _calls(tree, name):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name:
                yield node


def test_paragraphs_are_built_only_from_templates_written_in_the_code():
    assert SHEBAO / "clearance" / "pdfs.py" in SOURCES
    for source in SOURCES:
        tree = ast.parse(source.read_text(), filename=str(source))
        raw = list(_calls(tree, "Paragraph"))
        if source.name == "pdf.py":
            assert len(raw) == 1, "pdf.py builds paragraphs in paragraph() only"
        else:
            assert not raw, f"{source.name} builds a Paragraph itself: use pdf.paragraph()"
        for name in ("paragraph", "markup"):
            for call in _calls(tree, name):
                template = call.args[0] if call.args else None
                if source.name == "pdf.py" and getattr(template, "id", None) == "template":
                    continue  # paragraph() passing its own template on
                assert isinstance(template, ast.Constant) and isinstance(template.value, str), (
                    f"{source.name}:{call.lineno}: the template of {name}() must be a "
                    "string written in the code; put the text in its values"
                )


def test_values_are_escaped_and_markup_is_kept():
    name = '<img src="/etc/hostname"/> & <a href="javascript:x()">A</a>'
    built = markup("<b>{name}</b>", name=name)
    assert "<img" not in built and "<a " not in built
    assert built == (
        "<b>&lt;img src=&quot;/etc/hostname&quot;/&gt; &amp; "
        "&lt;a href=&quot;javascript:x()&quot;&gt;A&lt;/a&gt;</b>"
    )
    assert markup("{inner}!", inner=built) == built + "!"
    assert escape(built) is built
