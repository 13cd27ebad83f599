"""Test data of the desk's case pages, shared by the client tests and the browser tests
(and the payments pages' tests): staff of each role, an insured person with a balance,
a lost-nationality case at any step, and small files of each accepted type."""

import datetime
import types

from tests.factories import World, card

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PASSWORD = "demo-password-1"


def make_staff(make_user):
    """One user of each staff role, named after it ("clerk", "auditor", "finance",
    "finance2", "supervisor", "admin") plus a second clerk ("clerk2")."""
    return types.SimpleNamespace(
        clerk=make_user("clerk", "clerk"),
        clerk2=make_user("clerk2", "clerk"),
        auditor=make_user("auditor", "auditor"),
        finance=make_user("finance", "finance"),
        finance2=make_user("finance2", "finance"),
        supervisor=make_user("supervisor", "supervisor"),
        admin=make_user("admin", "admin"),
    )


def insured_worker(clerk, *, serial=11, name="张伟"):
    """A Beijing employee since 2024-11 at 8,000.00 a month, declared and paid for five
    months: 3,200.00 in the individual account."""
    world = World(clerk)
    unit = world.unit(name="北京青禾餐饮管理有限公司")
    person = world.employ(unit, serial=serial, name=name)
    for period in ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03"):
        world.declare(unit, period, [(person, "8000.00")])
    world.pay_all(unit, "WORKER-PAID")
    return types.SimpleNamespace(unit=unit, person=person, world=world)


def lost_nationality_case(clerk, person, *, event_date=datetime.date(2025, 10, 1)):
    from shebao.clearance import services

    return services.case_create(
        actor=clerk,
        subject_type="person",
        subject_id=person.pk,
        reason="lost_nationality",
        event_date=event_date,
        acknowledged=True,
        payee={"name": person.name, "bank_account": card(9), "bank_name": "CCB"},
    )


def complete_materials(clerk, case):
    """Upload every required material and record the agency's checks."""
    from shebao.clearance import selectors, services

    for item in selectors.materials_required(case):
        if item["checked_by_agency"]:
            services.material_verify(
                actor=clerk, case_id=case.pk, kind=item["code"], note="checked in our records"
            )
        elif item["required"] and not item["present"]:
            services.material_add(
                actor=clerk, case_id=case.pk, kind=item["code"], file_name="a.pdf", data=PDF
            )


def advance(staff, case, *, until):
    """Take a case through the services as far as the status ``until``."""
    from shebao.clearance import selectors, services
    from shebao.clearance.models import ClearanceCase

    order = ["submitted", "accepted", "approved", "liquidated", "disbursed"]
    steps = {
        "submitted": lambda: services.case_submit(actor=staff.clerk, case_id=case.pk),
        "accepted": lambda: services.case_accept(
            actor=staff.clerk,
            case_id=case.pk,
            acknowledge_warnings=[w.id for w in selectors.acceptance_warnings(case)],
        ),
        "approved": lambda: services.case_approve(actor=staff.auditor, case_id=case.pk),
        "liquidated": lambda: services.case_liquidate(actor=staff.finance, case_id=case.pk),
        "disbursed": lambda: services.case_disburse(actor=staff.finance, case_id=case.pk),
    }
    complete_materials(staff.clerk, case)
    for status in order:
        steps[status]()
        if status == until:
            break
    return ClearanceCase.objects.get(pk=case.pk)
