"""The clearance endpoints for the permission matrix (``tests/api/test_permission_matrix``),
and the records they are called on.

Each entry is ``(method, path, action, kind, body)`` as the matrix lists them: ``kind``
"case" is a person's clearance case (the person sees their own; a unit representative
does not see a case opened by the agency for an employee), and the finance-only records
(orders, payment files, fines) need no object rule, since no public role may reach them.
"""

import datetime

from tests.factories import card

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _person_name(person_id) -> str:
    from shebao.registry.models import Person

    return Person.objects.get(pk=person_id).name


def _case_body(w):
    # The insured person is paid in their own name only.
    return {
        "subject_type": "person",
        "subject_id": w["person"],
        "reason": "lost_nationality",
        "event_date": "2025-10-01",
        "acknowledged": True,
        "payee": {
            "name": _person_name(w["person"]),
            "bank_account": card(w["person"], prefix="621700"),
            "bank_name": "CCB",
        },
    }


CLEARANCE_ENDPOINTS = [
    # A person's case: opened by the agency or by the person, never by a unit
    # representative, even for its own employee (``clearance.create_person_case``).
    (
        "post",
        "/clearance-cases",
        ("clearance.create", "clearance.create_person_case"),
        None,
        lambda w: _case_body(w),
    ),
    ("get", "/clearance-cases", "clearance.view", None, None),
    ("get", "/clearance-cases/{case_id}", "clearance.view", "case", None),
    (
        "post",
        "/clearance-cases/{case_id}/payees",
        "clearance.edit",
        "case",
        lambda w: {
            "payee": {
                "name": _person_name(w["person"]),
                "bank_account": card(9, prefix="621700"),
                "bank_name": "B",
            }
        },
    ),
    ("post", "/clearance-cases/{case_id}/acknowledge", "clearance.edit", "case", None),
    ("post", "/clearance-cases/{case_id}/materials", "clearance.edit", "case", None),
    ("get", "/clearance-cases/{case_id}/materials", "clearance.view", "case", None),
    (
        "get",
        "/clearance-cases/{case_id}/materials/{material_id}",
        "clearance.view",
        "case",
        None,
    ),
    (
        "post",
        "/clearance-cases/{case_id}/materials/{code}/verify",
        "clearance.verify_material",
        "case",
        lambda w: {"note": "checked"},
    ),
    ("post", "/clearance-cases/{case_id}/submit", "clearance.submit", "case", None),
    (
        "post",
        "/clearance-cases/{case_id}/return",
        "clearance.return",
        "case",
        lambda w: {"reasons": "x"},
    ),
    ("post", "/clearance-cases/{case_id}/accept", "clearance.accept", "case", None),
    ("post", "/clearance-cases/{case_id}/approve", "clearance.approve", "case", lambda w: {}),
    (
        "post",
        "/clearance-cases/{case_id}/reject",
        "clearance.reject",
        "case",
        lambda w: {"reasons": "x"},
    ),
    ("post", "/clearance-cases/{case_id}/liquidate", "clearance.liquidate", "case", None),
    ("post", "/clearance-cases/{case_id}/disburse", "clearance.disburse", "case", None),
    ("post", "/clearance-cases/{case_id}/close", "clearance.close", "case", None),
    (
        "post",
        "/clearance-cases/{case_id}/bankruptcy-claim",
        "clearance.liquidate",
        "case",
        lambda w: {"petition_accepted_on": "2025-10-01"},
    ),
    (
        "post",
        "/clearance-cases/{case_id}/bankruptcy-distribution",
        "clearance.disburse",
        "case",
        lambda w: {"received_amount": "0.00", "ruling_no": "R-1", "ruling_on": "2025-10-02"},
    ),
    (
        "post",
        "/clearance-cases/{case_id}/termination-ruling",
        "clearance.close",
        "case",
        lambda w: {"ruling_no": "R-2", "ruling_on": "2025-10-03"},
    ),
    ("get", "/clearance-cases/{case_id}/statement.pdf", "clearance.view", "case", None),
    ("get", "/clearance-cases/{case_id}/certificate.pdf", "clearance.view", "case", None),
    ("get", "/disbursement-orders", "clearance.order_manage", None, None),
    ("post", "/disbursement-orders/{order_id}/approve", "clearance.order_manage", None, None),
    (
        "post",
        "/disbursement-orders/{order_id}/paid",
        "clearance.order_manage",
        None,
        lambda w: {"bank_reference": "R"},
    ),
    (
        "post",
        "/disbursement-orders/{order_id}/failed",
        "clearance.order_manage",
        None,
        lambda w: {"reason": "closed account"},
    ),
    (
        "post",
        "/disbursement-orders/{order_id}/reissue",
        "clearance.order_manage",
        None,
        lambda w: {},
    ),
    ("post", "/payment-files", "clearance.order_manage", None, None),
    ("get", "/payment-files/{batch_id}", "clearance.order_manage", None, None),
    (
        "post",
        "/benefit-debts",
        "clearance.debt_record",
        None,
        lambda w: {"person_id": w["person"], "amount": "10.00", "description": "overpaid"},
    ),
    ("get", "/persons/{person}/benefit-debts", "clearance.debt_view", "person", None),
    (
        "post",
        "/unit-fines",
        "clearance.debt_record",
        None,
        lambda w: {
            "unit_id": w["unit"],
            "amount": "10.00",
            "decision_no": "D-1",
            "decided_on": "2025-10-01",
        },
    ),
    (
        "post",
        "/unit-fines/{fine_id}/paid",
        "clearance.debt_record",
        None,
        lambda w: {"reference": "F-1"},
    ),
    ("get", "/units/{unit}/fines", "clearance.debt_view", "unit", None),
    ("get", "/clearance-deadlines", "clearance.deadlines", None, None),
]


def build_clearance_records(*, side: dict, clerk, auditor, finance, tag: str) -> dict:
    """A person's case of ``side`` taken to disbursed (one order, sent in a payment
    file), and a fine of its unit; returns the ids the paths above need.

    ``side`` holds the ids of the matrix's world (``person``, ``unit``); ``clerk``,
    ``auditor`` and ``finance`` are three different staff users.
    """
    from shebao.clearance import selectors, services

    from .conftest import accept_case

    case = services.case_create(actor=clerk, **{**_case_body(side), "event_date": "2025-10-01"})
    for item in selectors.materials_required(case):
        if item["required"]:
            material = services.material_add(
                actor=clerk, case_id=case.pk, kind=item["code"], file_name="a.pdf", data=PDF
            )
    for code in selectors.unverified_materials(case):
        services.material_verify(actor=clerk, case_id=case.pk, kind=code, note="checked")
    services.case_submit(actor=clerk, case_id=case.pk)
    accept_case(clerk, case.pk)
    services.case_approve(actor=auditor, case_id=case.pk)
    services.case_liquidate(actor=finance, case_id=case.pk)
    services.case_disburse(actor=finance, case_id=case.pk)
    order = case.orders.get()
    batch = services.payment_file_create(actor=finance)
    fine = services.unit_fine_record(
        actor=auditor,
        unit_id=side["unit"],
        amount="50.00",
        decision_no=f"FINE-{tag}",
        decided_on=datetime.date(2025, 10, 1),
    )
    return {
        "case_id": case.pk,
        "material_id": material.pk,
        "code": "contribution_certificate",
        "order_id": order.pk,
        "batch_id": batch.pk,
        "fine_id": fine.pk,
    }
