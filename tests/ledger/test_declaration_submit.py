"""One way to declare a month: ``services.declarations_submit`` takes the lines as given
(a request's JSON, a file read into lines) and checks, posts and records them. The API's
declaration, the upload and the import command all go through it; a page will too."""

import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from shebao.audit.models import AuditEvent
from shebao.core.errors import InvalidInput
from shebao.ledger import services
from shebao.ledger.models import Declaration
from shebao.ledger.services import DeclaredLine, declarations_submit
from tests.factories import citizen_id

pytestmark = pytest.mark.django_db

WAGES = {11: "8000.00", 13: "5000.00", 15: "9000.00"}


def _lines(serials=(11, 13, 15)):
    return lambda: [
        DeclaredLine(line=n, citizen_id=citizen_id(s), wage=WAGES[s])
        for n, s in enumerate(serials, start=1)
    ]


@pytest.fixture
def clerk(api_as, staff):
    return api_as("clerk", user=staff)


def test_a_month_submitted_as_lines_is_checked_posted_and_recorded(staff, unit_with_staff):
    unit, _people = unit_with_staff
    report = declarations_submit(actor=staff, unit=unit, period="2025-03", lines=_lines())
    assert report.posted and report.errors == [] and report.omitted == []
    assert report.declaration == Declaration.objects.get()
    assert (report.declarations, report.posted_lines, report.declaration.line_count) == (1, 3, 3)
    event = AuditEvent.objects.get(action="ledger.declarations_posted")
    assert event.actor_id == staff.pk and event.data["source"] == "api"


def test_bad_lines_post_nothing_unless_the_good_ones_are_asked_for(staff, unit_with_staff):
    unit, _people = unit_with_staff

    def lines():
        return [*_lines()(), DeclaredLine(line=4, citizen_id="not a number", wage="1.00")]

    report = declarations_submit(actor=staff, unit=unit, period="2025-03", lines=lines)
    assert not report.posted and [(e.line, e.field) for e in report.errors] == [(4, "citizen_id")]
    assert not Declaration.objects.exists()
    report = declarations_submit(
        actor=staff, unit=unit, period="2025-03", lines=lines, good_rows_only=True
    )
    assert report.posted and report.declaration.line_count == 3
    assert [e.line for e in report.errors] == [4]


def test_an_employee_left_out_is_posted_only_once_acknowledged_by_id(staff, unit_with_staff):
    unit, _people = unit_with_staff
    report = declarations_submit(actor=staff, unit=unit, period="2025-03", lines=_lines((11, 13)))
    assert report.omissions_not_acknowledged and not report.posted
    [left_out] = report.unacknowledged
    assert not Declaration.objects.exists()
    report = declarations_submit(
        actor=staff,
        unit=unit,
        period="2025-03",
        lines=_lines((11, 13)),
        acknowledge_warnings=[left_out.id],
    )
    assert report.posted and report.declaration.line_count == 2
    event = AuditEvent.objects.get(action="ledger.declarations_posted")
    assert [w["id"] for w in event.data["acknowledged_warnings"]] == [left_out.id]


def test_a_named_month_with_no_line_or_a_bad_month_is_refused(staff, unit_with_staff):
    unit, _people = unit_with_staff
    with pytest.raises(InvalidInput) as empty:
        declarations_submit(actor=staff, unit=unit, period="2025-03", lines=lambda: [])
    assert list(empty.value.fields) == ["lines"]
    with pytest.raises(InvalidInput) as bad:
        declarations_submit(actor=staff, unit=unit, period="2025-13", lines=_lines())
    assert list(bad.value.fields) == ["period"]


def test_every_way_of_declaring_goes_through_the_one_service(
    clerk, staff, unit_with_staff, tmp_path
):
    unit, _people = unit_with_staff
    body = {
        "period": "2025-03",
        "lines": [{"citizen_id": citizen_id(s), "wage": WAGES[s]} for s in (11, 13, 15)],
    }
    csv = "citizen_id,wage\n" + "".join(f"{citizen_id(s)},{WAGES[s]}\n" for s in (11, 13, 15))
    path = tmp_path / "wages.csv"
    path.write_text(
        "uscc,period,citizen_id,wage\n"
        + "".join(f"{unit.uscc},2025-05,{citizen_id(s)},{WAGES[s]}\n" for s in (11, 13, 15))
    )
    with mock.patch.object(
        services, "declarations_submit", wraps=services.declarations_submit
    ) as submit:
        assert clerk.post(f"units/{unit.pk}/declarations", body).status_code == 201
        upload = clerk.client.post(
            f"/api/v1/units/{unit.pk}/declarations/upload",
            {"period": "2025-04", "file": SimpleUploadedFile("wages.csv", csv.encode())},
            headers=clerk.headers,
        )
        assert upload.status_code == 201, upload.json()
        call_command(
            "import_declarations",
            str(path),
            "--no-progress",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert [c.kwargs["source"] for c in submit.call_args_list] == ["api", "upload", "import"]
    assert sorted(Declaration.objects.values_list("period", flat=True)) == [
        "2025-03",
        "2025-04",
        "2025-05",
    ]


def test_an_upload_with_a_header_and_no_row_names_the_missing_lines(clerk, unit_with_staff):
    """Regression: the answer was a 422 "0 line(s) have errors" naming no field."""
    unit, _people = unit_with_staff
    response = clerk.client.post(
        f"/api/v1/units/{unit.pk}/declarations/upload",
        {"period": "2025-04", "file": SimpleUploadedFile("wages.csv", b"citizen_id,wage\n")},
        headers=clerk.headers,
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["lines"]
