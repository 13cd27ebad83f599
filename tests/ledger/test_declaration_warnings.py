"""A declaration that leaves out an employee of the unit for the month is a warning the
declarant acknowledges by its id (a file import: with ``acknowledge_omissions``); one that
names a person whose employment ended before the month is refused.

Regression: a unit could leave an employee out of a month's declaration and nothing
said so; the employee's account then missed the month without anyone having looked."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shebao.audit.models import AuditEvent
from shebao.core import clock
from shebao.ledger import declarations
from shebao.ledger.imports import import_declarations
from shebao.ledger.models import Declaration
from shebao.registry import services as registry
from tests.factories import citizen_id

pytestmark = pytest.mark.django_db

TWO_OF_THREE = [
    {"citizen_id": citizen_id(11), "wage": "8000.00"},
    {"citizen_id": citizen_id(13), "wage": "5000.00"},
]


@pytest.fixture
def clerk(api_as, staff):
    return api_as("clerk", user=staff)


def _posted_event():
    return AuditEvent.objects.filter(action="ledger.declarations_posted").order_by("-pk").first()


def test_leaving_out_an_employee_needs_the_acknowledgement(clerk, api_as, staff, unit_with_staff):
    unit, people = unit_with_staff
    body = {"period": "2025-03", "lines": TWO_OF_THREE}
    refused = clerk.post(f"units/{unit.pk}/declarations", body)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "warnings_not_acknowledged"
    warning_id = error["fields"]["acknowledge_warnings"]
    assert warning_id.startswith("undeclared_employee-")
    # P15 is the one left out, named with the ID number masked.
    assert "P15" in error["fields"][f"warnings.{warning_id}"]
    assert "P15" in error["message"] and citizen_id(15) not in error["message"]
    assert not Declaration.objects.exists()

    chinese = api_as("clerk", user=staff, language="zh-hans").post(
        f"units/{unit.pk}/declarations", body
    )
    message = chinese.json()["error"]["message"]
    assert "未申报" in message and "undeclared_employee" not in message

    posted = clerk.post(
        f"units/{unit.pk}/declarations", {**body, "acknowledge_warnings": [warning_id]}
    )
    assert posted.status_code == 201, posted.json()
    assert posted.json()["line_count"] == 2
    event = _posted_event()
    assert [w["id"] for w in event.data["acknowledged_warnings"]] == [warning_id]
    assert event.actor_id == staff.pk


def test_declaring_every_employee_needs_no_acknowledgement(clerk, unit_with_staff):
    unit, _people = unit_with_staff
    lines = [*TWO_OF_THREE, {"citizen_id": citizen_id(15), "wage": "9000.00"}]
    posted = clerk.post(f"units/{unit.pk}/declarations", {"period": "2025-03", "lines": lines})
    assert posted.status_code == 201, posted.json()
    assert "acknowledged_warnings" not in _posted_event().data


def test_an_employee_who_left_before_the_month_is_neither_missed_nor_declarable(
    clerk, staff, unit_with_staff
):
    """The decision: a line naming a person whose employment ended before the month is
    refused (not a warning); and such a person is not an omission."""
    unit, people = unit_with_staff
    employment = people[2].employments.get(unit=unit)
    registry.employment_end(
        actor=staff,
        employment_id=employment.pk,
        ended_on=datetime.date(2025, 2, 28),
        reason="resignation",
    )
    lines = [*TWO_OF_THREE, {"citizen_id": citizen_id(15), "wage": "9000.00"}]
    refused = clerk.post(f"units/{unit.pk}/declarations", {"period": "2025-03", "lines": lines})
    assert refused.status_code == 422
    assert "lines.2.citizen_id" in refused.json()["error"]["fields"]
    assert not Declaration.objects.exists()
    posted = clerk.post(
        f"units/{unit.pk}/declarations", {"period": "2025-03", "lines": TWO_OF_THREE}
    )
    assert posted.status_code == 201, posted.json()


def test_the_omission_check_is_one_query_per_unit_month(unit_with_staff):
    unit, _people = unit_with_staff
    checked = declarations.check_lines(
        unit,
        "2025-03",
        [(1, citizen_id(11), "8000.00")],
        today=clock.today(),
    )
    with CaptureQueriesContext(connection) as queries:
        found = declarations.omission_warnings(checked)
    assert len(queries) == 1
    assert len(found) == 2


def _upload(client, unit, **extra):
    data = f"citizen_id,wage\n{citizen_id(11)},8000\n{citizen_id(13)},5000\n".encode()
    return client.client.post(
        f"/api/v1/units/{unit.pk}/declarations/upload",
        {"period": "2025-04", "file": SimpleUploadedFile("wages.csv", data), **extra},
        headers=client.headers,
    )


def test_an_upload_leaving_out_an_employee_posts_only_when_acknowledged(
    clerk, staff, unit_with_staff
):
    unit, _people = unit_with_staff
    refused = _upload(clerk, unit)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "warnings_not_acknowledged"
    assert not Declaration.objects.exists()
    posted = _upload(clerk, unit, acknowledge_omissions=True)
    assert posted.status_code == 201, posted.json()
    event = _posted_event()
    assert len(event.data["acknowledged_warnings"]) == 1 and event.actor_id == staff.pk


def test_the_import_command_posts_omissions_only_with_the_option(tmp_path, unit_with_staff):
    unit, _people = unit_with_staff
    path = tmp_path / "wages.csv"
    path.write_text(
        "uscc,period,citizen_id,wage\n"
        f"{unit.uscc},2025-03,{citizen_id(11)},8000\n"
        f"{unit.uscc},2025-03,{citizen_id(13)},5000\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="--acknowledge-omissions"):
        call_command("import_declarations", str(path), "--no-progress", stderr=err)
    assert "P15" in err.getvalue()
    assert not Declaration.objects.exists()
    call_command(
        "import_declarations",
        str(path),
        "--no-progress",
        "--acknowledge-omissions",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    declaration = Declaration.objects.get()
    assert declaration.total_due > Decimal(0)
    assert len(_posted_event().data["acknowledged_warnings"]) == 1


def test_the_import_function_reports_the_omissions(staff, unit_with_staff):
    unit, _people = unit_with_staff
    text = f"citizen_id,wage\n{citizen_id(11)},8000\n"
    report = import_declarations(
        lambda: io.BytesIO(text.encode()), actor=staff, unit=unit, period="2025-03"
    )
    assert not report.posted and not report.errors
    assert sorted(str(w.message).split(",")[0] for w in report.omitted) == [
        "P13 (110105********0133)",
        "P15 (110105********015X)",
    ]


def test_good_rows_only_counts_a_refused_line_as_left_out(clerk, unit_with_staff):
    """A person whose line was refused is not declared: with good_rows_only, the upload
    asks for the omission to be acknowledged before posting the other lines."""
    unit, _people = unit_with_staff
    data = f"citizen_id,wage\n{citizen_id(11)},8000\n{citizen_id(13)},abc\n".encode()

    def upload(**extra):
        return clerk.client.post(
            f"/api/v1/units/{unit.pk}/declarations/upload",
            {
                "period": "2025-04",
                "file": SimpleUploadedFile("wages.csv", data),
                "good_rows_only": True,
                **extra,
            },
            headers=clerk.headers,
        )

    refused = upload()
    assert refused.status_code == 409
    assert len(refused.json()["error"]["fields"]["acknowledge_warnings"].split(", ")) == 2
    assert not Declaration.objects.exists()
    posted = upload(acknowledge_omissions=True)
    assert posted.status_code == 201, posted.json()
    assert posted.json()["line_count"] == 1
    assert [e["line"] for e in posted.json()["errors"]] == [3]
