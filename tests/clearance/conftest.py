"""Clearance test data: staff of every role, the ``world`` of registered units and persons
with posted declarations (``tests.factories.World``), small files of each accepted type,
and the steps of a case through the API and the services."""

import datetime
import types

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.factories import World, card

D = datetime.date

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff(make_user):
    return types.SimpleNamespace(
        clerk=make_user("c-clerk", "clerk"),
        clerk2=make_user("c-clerk2", "clerk"),
        auditor=make_user("c-auditor", "auditor"),
        auditor2=make_user("c-auditor2", "auditor"),
        finance=make_user("c-finance", "finance"),
        finance2=make_user("c-finance2", "finance"),
        supervisor=make_user("c-supervisor", "supervisor"),
        admin=make_user("c-admin", "admin"),
    )


@pytest.fixture
def api(api_as, staff):
    """API clients logged in as each staff member: ``api.clerk``, ``api.auditor``..."""
    return types.SimpleNamespace(
        **{name: api_as(user.role, user=user) for name, user in vars(staff).items()}
    )


@pytest.fixture
def world(staff):
    return World(staff.clerk)


@pytest.fixture
def worker(world):
    """A Beijing employee since 2024-11 at 8,000.00 a month, declared and paid for
    2024-11 to 2025-03: 5 months x 8% x 8,000.00 = 3,200.00 in the individual account
    (credited from premiums paid, O20 Art. 13)."""
    unit = world.unit()
    person = world.employ(unit, serial=11)
    for period in ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03"):
        world.declare(unit, period, [(person, "8000.00")])
    world.pay_all(unit, "WORKER-PAID")
    return types.SimpleNamespace(unit=unit, person=person)


def upload(client, case_id, kind, data=PDF, name="scan.pdf"):
    return client.post(
        f"clearance-cases/{case_id}/materials",
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
        multipart=True,
    )


def verify_checked(case_id, note="checked in the agency's own records"):
    """Record a clerk's check of each material the agency checks itself (HR2023 Art. 31)."""
    from shebao.accounts.models import User
    from shebao.clearance import selectors
    from shebao.clearance import services as clearance
    from shebao.clearance.models import ClearanceCase

    clerk = User.objects.filter(role="clerk").order_by("pk").first()
    case = ClearanceCase.objects.get(pk=case_id)
    for code in selectors.unverified_materials(case):
        clearance.material_verify(actor=clerk, case_id=case_id, kind=code, note=note)


def upload_required(client, case_body):
    """Upload every required material the applicant brings, and record the clerk's check
    of those the agency checks itself."""
    for item in case_body["materials_required"]:
        if item["required"] and not item.get("checked_by_agency"):
            response = upload(client, case_body["id"], item["code"])
            assert response.status_code == 201, response.json()
    verify_checked(case_body["id"])


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def drive(staff, case_id, *, until="closed", materials=True):
    """Take a case from draft through the services, as far as ``until``."""
    from shebao.clearance import selectors
    from shebao.clearance import services as clearance
    from shebao.clearance.models import ClearanceCase, DisbursementOrder

    case = ClearanceCase.objects.get(pk=case_id)
    if materials:
        verify_checked(case_id)
        for item in selectors.materials_required(case):
            if item["required"] and not item["present"] and not item["checked_by_agency"]:
                clearance.material_add(
                    actor=staff.clerk,
                    case_id=case_id,
                    kind=item["code"],
                    file_name="a.pdf",
                    data=PDF,
                )
    steps = [
        ("submitted", lambda: clearance.case_submit(actor=staff.clerk, case_id=case_id)),
        ("accepted", lambda: accept_case(staff.clerk, case_id)),
        ("approved", lambda: clearance.case_approve(actor=staff.auditor, case_id=case_id)),
        ("liquidated", lambda: clearance.case_liquidate(actor=staff.finance, case_id=case_id)),
        ("disbursed", lambda: clearance.case_disburse(actor=staff.finance, case_id=case_id)),
    ]
    for status, step in steps:
        step()
        if status == until:
            return ClearanceCase.objects.get(pk=case_id)
    for order in DisbursementOrder.objects.filter(case_id=case_id).order_by("pk"):
        if order.status == "awaiting_approval":
            clearance.order_approve(actor=staff.finance2, order_id=order.pk)
        clearance.order_mark_paid(
            actor=staff.finance, order_id=order.pk, bank_reference=f"T-{order.pk}"
        )
    if until == "paid":
        return ClearanceCase.objects.get(pk=case_id)
    clearance.case_close(actor=staff.clerk, case_id=case_id)
    return ClearanceCase.objects.get(pk=case_id)


def open_self_case(staff, person, *, reason="lost_nationality", serial=9, event_date=None):
    from shebao.clearance import services as clearance

    return clearance.case_create(
        actor=staff.clerk,
        subject_type="person",
        subject_id=person.pk,
        reason=reason,
        event_date=event_date or D(2025, 10, 1),
        acknowledged=True,
        payee={"name": person.name, "bank_account": card(serial), "bank_name": "CCB"},
    )


def accept(client, case_id):
    """Accept the case through the API as a clerk who checked what the acceptance warns
    of (the person's employment still open): the warnings' ids are acknowledged."""
    response = client.post(f"clearance-cases/{case_id}/accept")
    error = response.json().get("error", {}) if response.status_code == 409 else {}
    if error.get("code") == "warnings_not_acknowledged":
        checked = error["fields"]["acknowledge_warnings"].split(", ")
        response = client.post(
            f"clearance-cases/{case_id}/accept", {"acknowledge_warnings": checked}
        )
    return response


def accept_case(actor, case_id):
    """``case_accept`` by a clerk who checked what the acceptance warns of."""
    from shebao.clearance import selectors
    from shebao.clearance import services as clearance
    from shebao.clearance.models import ClearanceCase

    case = ClearanceCase.objects.get(pk=case_id)
    checked = [w.id for w in selectors.acceptance_warnings(case)]
    return clearance.case_accept(actor=actor, case_id=case_id, acknowledge_warnings=checked)
