"""Limits on declaration files: a small file must not take a worker's memory or time.

Regression (security review, finding 9): an XLSX of 300 KB whose shared strings held one
300 MB string took a worker to 3.4 GB at full CPU for over 12 minutes.
"""

import io
import random
import re
import string
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shebao.core.errors import InvalidInput
from shebao.ledger import imports
from shebao.ledger.models import Declaration
from shebao.registry import services as registry
from tests.factories import citizen_id

from .workbooks import MAIN, Repeat, replace_part, workbook


@pytest.fixture
def unit_rep(api_as, make_user, staff, unit_with_staff):
    unit, _people = unit_with_staff
    rep = make_user("hr", "unit_rep")
    registry.unit_representative_add(actor=staff, unit_id=unit.pk, user=rep)
    return api_as("unit_rep", user=rep)


def upload(client, unit, data: bytes, name="wages.xlsx", period="2025-04"):
    return client.client.post(
        f"/api/v1/units/{unit.pk}/declarations/upload",
        {"period": period, "file": SimpleUploadedFile(name, data), "acknowledge_omissions": True},
        headers=client.headers,
    )


def test_a_small_workbook_that_unpacks_hugely_is_refused_at_once(unit_rep, unit_with_staff):
    """A 50 MB shared string packed into a few KB: refused before any XML of it is
    parsed (before, this took seconds and answered "invalid_lines"; the reported 300 MB
    string took 12 minutes), with a 422 that names the limit, and nothing posted."""
    unit, _people = unit_with_staff
    data = workbook(["citizen_id", "wage", Repeat("1", 50_000_000), "8000"], [[0, 1], [2, 3]])
    assert len(data) < 100_000
    with mock.patch("openpyxl.load_workbook", wraps=openpyxl.load_workbook) as load:
        response = upload(unit_rep, unit, data)
    assert response.status_code == 422, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "file_too_compressed"
    assert "100" in error["fields"]["file"]
    assert not load.called
    assert Declaration.objects.count() == 0


def _csv(rows) -> bytes:
    return ("citizen_id,wage\n" + "".join(f"{cid},{wage}\n" for cid, wage in rows)).encode()


def test_an_upload_has_its_own_row_limit(settings, unit_rep, unit_with_staff, staff):
    """Past the upload's row limit the file is refused whole, the limit named; the
    operator's command has a larger limit that fits a province's month."""
    unit, _people = unit_with_staff
    settings.SHEBAO_UPLOAD_LIMITS = {"max_rows": 2}
    data = _csv([(citizen_id(11), "8000"), (citizen_id(13), "5000"), (citizen_id(15), "9000")])
    response = upload(unit_rep, unit, data, name="wages.csv")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "too_many_rows" and "2 rows" in error["fields"]["file"]
    assert Declaration.objects.count() == 0
    assert imports.file_limits().max_rows >= 1_000_000
    report = imports.import_declarations(
        lambda: io.BytesIO(data), actor=staff, unit=unit, period="2025-04"
    )
    assert report.posted and report.posted_lines == 3


@pytest.mark.parametrize(
    ("data", "code", "named"),
    [
        pytest.param(
            b"citizen_id,wage\n" + b"1," * 60 + b"1\n", "too_many_columns", "50", id="columns"
        ),
        pytest.param(
            b"citizen_id,wage\n" + b"1" * 30_000 + b",8000\n", "line_too_long", "20,000", id="line"
        ),
        pytest.param(
            b"citizen_id,wage\n" + b"1" * 2_000 + b",8000\n", "cell_too_long", "1,000", id="cell"
        ),
    ],
)
def test_csv_lines_fields_and_cells_are_bounded(unit_rep, unit_with_staff, data, code, named):
    unit, _people = unit_with_staff
    response = upload(unit_rep, unit, data, name="wages.csv")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code and named in error["fields"]["file"]
    assert named in error["message"]
    assert Declaration.objects.count() == 0


def test_a_long_cell_of_a_workbook_is_refused_with_its_row(unit_rep, unit_with_staff):
    unit, _people = unit_with_staff
    data = workbook(["citizen_id", "wage", "1" * 2_000, "8000"], [[0, 1], [2, 3]])
    response = upload(unit_rep, unit, data)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "cell_too_long" and "row 2" in error["fields"]["file"]


def test_a_long_text_that_packs_poorly_is_refused_before_parsing(unit_rep, unit_with_staff):
    """Random letters pack about 2 to 1: the packing ratio lets them pass, the scan of the
    workbook's XML refuses the text before it is parsed."""
    unit, _people = unit_with_staff
    letters = "".join(random.Random(7).choices(string.ascii_letters, k=300_000))
    data = workbook(["citizen_id", "wage", letters, "8000"], [[0, 1], [2, 3]])
    with mock.patch("openpyxl.load_workbook") as load:
        response = upload(unit_rep, unit, data)
    assert not load.called
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "cell_too_long"


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(settings, unit_rep, unit_with_staff):
    unit, _people = unit_with_staff
    settings.SHEBAO_UPLOAD_LIMITS = {"max_unpacked_bytes": 1024 * 1024}
    rows = [[0, 1]] + [[2, 3]] * 20_000  # about 1.5 MB of sheet XML, packed well under 100:1
    data = workbook(["citizen_id", "wage", citizen_id(11), "8000"], rows)
    response = upload(unit_rep, unit, data)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "file_too_large" and "1 MB" in error["fields"]["file"]


def test_a_workbook_of_too_many_parts_is_refused(settings, unit_rep, unit_with_staff):
    unit, _people = unit_with_staff
    settings.SHEBAO_UPLOAD_LIMITS = {"max_parts": 5}
    data = workbook(["citizen_id", "wage", citizen_id(11), "8000"], [[0, 1], [2, 3]])
    response = upload(unit_rep, unit, data)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "file_too_large"


def test_a_sheet_claiming_a_huge_size_is_read_as_it_is(unit_rep, unit_with_staff):
    """A sheet's own dimension is not trusted: it would pad every row to 16,384 columns
    and add a million empty rows."""
    unit, _people = unit_with_staff
    data = workbook(
        ["citizen_id", "wage", citizen_id(11), "8000"],
        [[0, 1], [2, 3]],
        dimension="A1:XFD1048576",
    )
    response = upload(unit_rep, unit, data)
    assert response.status_code == 201, response.json()
    assert response.json()["line_count"] == 1


def test_xml_entities_are_refused(unit_rep, unit_with_staff):
    """A "billion laughs" entity in the shared strings: refused, never expanded."""
    assert openpyxl.DEFUSEDXML, "openpyxl must read workbooks through defusedxml"
    unit, _people = unit_with_staff
    data = workbook(["citizen_id", "wage", citizen_id(11), "8000"], [[0, 1], [2, 3]])
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "hahahahaha">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<sst xmlns="{MAIN}"><si><t>citizen_id</t></si><si><t>wage</t></si>'
        "<si><t>&b;</t></si><si><t>8000</t></si></sst>"
    )
    response = upload(unit_rep, unit, replace_part(data, "xl/sharedStrings.xml", laughs))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_file"
    # Past the scan, defusedxml itself refuses the entity.
    entities = replace_part(data, "xl/sharedStrings.xml", laughs)
    with (
        mock.patch.object(imports, "_FORBIDDEN_XML", re.compile(rb"(?!)")),
        pytest.raises(InvalidInput) as refused,
    ):
        list(imports.read_rows(lambda: io.BytesIO(entities), unit=unit, period="2025-04"))
    assert refused.value.code == "bad_file"


def test_the_refusal_is_in_the_users_language(settings, api_as, unit_rep, unit_with_staff):
    unit, _people = unit_with_staff
    settings.SHEBAO_UPLOAD_LIMITS = {"max_rows": 1}
    chinese = api_as("unit_rep", user=unit_rep.user, language="zh-hans")
    data = _csv([(citizen_id(11), "8000"), (citizen_id(13), "5000")])
    error = upload(chinese, unit, data, name="wages.csv").json()["error"]
    assert error["code"] == "too_many_rows"
    assert error["message"] == "文件被拒绝：数据行超过 1 行（单个文件的上限）。"


@pytest.mark.parametrize(
    "part",
    [
        pytest.param(
            ("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row>"), id="broken-sheet"
        ),
        pytest.param(("xl/sharedStrings.xml", "<sst><si><t>unclosed</sst>"), id="broken-strings"),
        pytest.param(("[Content_Types].xml", "not xml at all"), id="broken-types"),
    ],
)
def test_a_malformed_workbook_is_a_422_not_a_500(unit_rep, unit_with_staff, part):
    unit, _people = unit_with_staff
    data = workbook(["citizen_id", "wage", citizen_id(11), "8000"], [[0, 1], [2, 3]])
    response = upload(unit_rep, unit, replace_part(data, *part))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_file"


def test_a_zip_that_is_no_workbook_is_a_422(unit_rep, unit_with_staff):
    unit, _people = unit_with_staff
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    response = upload(unit_rep, unit, buffer.getvalue())
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_file"
