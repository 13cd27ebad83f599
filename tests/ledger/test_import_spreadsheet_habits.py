"""What spreadsheet programs do to a declaration file: Chinese Excel saves CSV in GBK, and
an ID number column formatted as numbers loses its last digits or its final X. A GBK file
is read as it is; a lost ID number is refused on its line with the fix named."""

import io

import openpyxl
import pytest
from django.utils import translation

from shebao.core.errors import InvalidInput
from shebao.ledger import imports
from shebao.ledger.imports import id_stored_as_number, import_declarations
from shebao.ledger.models import DeclarationLine
from tests.factories import citizen_id


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_fix_is_named_in_chinese_too():
    with translation.override("zh-hans"):
        assert "文本" in str(id_stored_as_number("1.10105E+17"))
        assert "X" in str(id_stored_as_number(lost_x_id()[:17]))


def opener(data: bytes):
    return lambda: io.BytesIO(data)


def test_a_gbk_csv_from_chinese_excel_is_read(staff, unit_with_staff):
    unit, _people = unit_with_staff
    text = f"公民身份号码,工资\r\n{citizen_id(11)},8000\r\n{citizen_id(13)},5000\r\n"
    text += f"{citizen_id(15)},9000\r\n"
    report = import_declarations(
        opener(text.encode("gbk")), actor=staff, unit=unit, period="2025-05"
    )
    assert report.errors == [] and report.posted and report.posted_lines == 3
    assert DeclarationLine.objects.count() == 3


def test_a_file_in_neither_encoding_is_refused_with_the_fix(staff, unit_with_staff):
    unit, _people = unit_with_staff
    data = b"citizen_id,wage\r\n\x81\x20\xff\xfe,1\r\n"
    with pytest.raises(InvalidInput) as refused:
        import_declarations(opener(data), actor=staff, unit=unit, period="2025-05")
    assert refused.value.code == "bad_file"
    assert "CSV UTF-8" in str(refused.value.fields["file"])


def test_a_utf8_file_with_gbk_far_down_is_refused_with_the_fix(staff, unit_with_staff):
    unit, _people = unit_with_staff
    lines = [f"{citizen_id(11)},8000"] * (imports.ENCODING_SNIFF_BYTES // 20)
    data = ("citizen_id,wage\n" + "\n".join(lines) + "\n").encode() + "张三,1\n".encode("gbk")
    with pytest.raises(InvalidInput) as refused:
        import_declarations(opener(data), actor=staff, unit=unit, period="2025-05")
    assert "CSV UTF-8" in str(refused.value.fields["file"])


@pytest.mark.parametrize(
    ("cell", "fix"),
    [
        ("1.10105E+17", "format the ID number column as Text"),
        ("110105199001011234.0", "format the ID number column as Text"),
        (1.10105199001011e17, "format the ID number column as Text"),
        (110105199001011000, "format the ID number column as Text"),
    ],
)
def test_an_id_stored_as_a_number_is_named(cell, fix):
    assert fix in str(id_stored_as_number(cell))


def test_a_real_id_is_not_taken_for_a_number():
    assert id_stored_as_number(citizen_id(11)) == ""
    assert id_stored_as_number(int(citizen_id(11))) == ""  # a program wrote it exactly
    assert id_stored_as_number("") == "" and id_stored_as_number(None) == ""


def lost_x_id() -> str:
    for serial in range(1, 200):
        number = citizen_id(serial)
        if number.endswith("X"):
            return number
    raise AssertionError("no ID ending in X")


def test_numbers_in_a_csv_are_refused_on_their_lines_with_the_fix(staff, unit_with_staff):
    unit, _people = unit_with_staff
    rounded = citizen_id(13)[:15] + "000"
    text = (
        "citizen_id,wage\n"
        f"{citizen_id(11)},8000\n"
        "1.10105E+17,5000\n"
        f"{lost_x_id()[:17]},5000\n"
        f"{rounded},5000\n"
    )
    report = import_declarations(opener(text.encode()), actor=staff, unit=unit, period="2025-05")
    assert not report.posted
    by_line = {e.line: str(e.reason) for e in report.errors}
    assert sorted(by_line) == [3, 4, 5]
    assert "stored as a number (1.10105E+17)" in by_line[3]
    assert "last character X was lost" in by_line[4]
    assert "rounded" in by_line[5]
    assert all("format the ID number column as Text" in why for why in by_line.values())


def test_a_number_cell_in_a_workbook_is_refused_with_the_fix(staff, unit_with_staff):
    unit, _people = unit_with_staff
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["公民身份号码", "工资"])
    sheet.append([citizen_id(11), 8000])
    sheet.append([float(citizen_id(13)), 5000])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_declarations(
        opener(buffer.getvalue()), actor=staff, unit=unit, period="2025-05"
    )
    assert [(e.line, e.field) for e in report.errors] == [(3, "citizen_id")]
    assert "format the ID number column as Text" in str(report.errors[0].reason)
