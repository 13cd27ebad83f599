import io

import openpyxl
import pytest

from shebao.ledger.imports import import_declarations
from shebao.ledger.models import Declaration, DeclarationLine
from tests.factories import citizen_id


def opener(data: bytes):
    return lambda: io.BytesIO(data)


def csv_file(unit, rows):
    text = "uscc,period,citizen_id,wage\n" + "".join(
        f"{unit.uscc},{period},{cid},{wage}\n" for period, cid, wage in rows
    )
    return opener(text.encode())


def test_a_file_with_errors_posts_nothing_and_names_each_line(staff, unit_with_staff):
    unit, _people = unit_with_staff
    source = csv_file(
        unit,
        [
            ("2025-03", citizen_id(11), "8000"),
            ("2025-03", "110105199001010119", "8000"),
            ("2025-04", citizen_id(13), "abc"),
        ],
    )
    report = import_declarations(source, actor=staff)
    assert not report.posted
    assert [(e.line, e.field) for e in report.errors] == [(3, "citizen_id"), (4, "wage")]
    assert Declaration.objects.count() == 0


def test_good_rows_only_posts_the_rest(staff, unit_with_staff):
    unit, _people = unit_with_staff
    source = csv_file(
        unit,
        [
            ("2025-03", citizen_id(11), "8000"),
            ("2025-03", citizen_id(99), "8000"),
            ("2025-04", citizen_id(13), "5000.50"),
        ],
    )
    report = import_declarations(
        source, actor=staff, good_rows_only=True, acknowledge_omissions=True
    )
    assert report.posted and report.posted_lines == 2 and report.declarations == 2
    assert [e.line for e in report.errors] == [3]
    assert DeclarationLine.objects.count() == 2


def test_xlsx_is_recognised_by_its_content(staff, unit_with_staff):
    unit, _people = unit_with_staff
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["公民身份号码", "工资"])
    sheet.append([citizen_id(11), 8000])
    sheet.append([citizen_id(13), "6000.00"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_declarations(
        opener(buffer.getvalue()),
        actor=staff,
        unit=unit,
        period="2025-05",
        acknowledge_omissions=True,
    )
    assert report.posted and report.posted_lines == 2


def test_split_unit_month_is_refused(staff, unit_with_staff):
    unit, _people = unit_with_staff
    source = csv_file(
        unit,
        [
            ("2025-03", citizen_id(11), "8000"),
            ("2025-04", citizen_id(11), "8000"),
            ("2025-03", citizen_id(13), "8000"),
        ],
    )
    report = import_declarations(source, actor=staff)
    assert [(e.line, e.field) for e in report.errors] == [(4, "period")]


def test_a_missing_column_is_a_clear_error(staff, unit_with_staff):
    from shebao.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        import_declarations(opener(b"citizen_id\n1\n"), actor=staff)
    assert "wage" in str(error.value.fields["file"])
