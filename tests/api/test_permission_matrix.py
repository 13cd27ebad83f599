"""Every role against every endpoint, on its own records and on someone else's.

The expected answer is derived from the role table (``accounts.domain.PERMISSIONS``) and
the object rules (a person sees only their own records; a unit only its own and its
employees'), so a change to either that the API does not follow fails here. Every
operation in the OpenAPI document must be listed below: a new endpoint cannot slip in
without a decision about who may call it.
"""

import datetime
import itertools

import pytest
from django.db import transaction

from shebao.accounts.domain import PERMISSIONS
from shebao.api.main import api
from shebao.core import clock
from shebao.ledger import arrears
from shebao.ledger import declarations as ledger_declarations
from shebao.ledger import services as ledger
from shebao.registry import services as registry
from tests.clearance.matrix import CLEARANCE_ENDPOINTS, build_clearance_records
from tests.factories import credit_code, id_number

ROLES = [None, "person", "unit_rep", "clerk", "auditor", "finance", "supervisor", "admin"]
serial = itertools.count(500)


def new_citizen_id():
    return id_number(f"198805{next(serial) % 28 + 1:02d}", "110105", f"{next(serial) % 1000:03d}")


def new_uscc():
    return credit_code(next(serial))


# (method, path, action or None for public, the kind of record the path is about, body)
ENDPOINTS = [
    (
        "post",
        "/auth/token",
        None,
        None,
        lambda w: {"username": "matrix-setup", "password": "demo-password-1"},
    ),
    ("post", "/auth/logout", "", None, None),
    ("get", "/auth/me", "", None, None),
    ("get", "/regions", None, None, None),
    ("get", "/regions/cn-bj", None, None, None),
    ("get", "/obligations?event=unit_established&date=2025-09-05", None, None, None),
    ("get", "/guide/clearance?subject=person&reason=death", None, None, None),
    ("get", "/certificates/{certificate}", None, None, None),
    (
        "post",
        "/units",
        "unit.create",
        None,
        lambda w: {
            "uscc": new_uscc(),
            "name": "New Co",
            "established_on": "2025-10-01",
            "region": "cn-bj",
        },
    ),
    ("get", "/units", "unit.list", None, None),
    ("get", "/units/{unit}", "unit.view", "unit", None),
    ("get", "/units/{unit}/registration-record.pdf", "unit.view", "unit", None),
    ("post", "/units/{unit}/registration/approve", "unit.approve_registration", "unit", None),
    (
        "post",
        "/units/{unit}/registration/reject",
        "unit.reject_registration",
        "unit",
        lambda w: {"reason": "incomplete"},
    ),
    ("get", "/units/{unit}/history", "history.view", "unit", None),
    (
        "post",
        "/persons",
        "person.create",
        None,
        lambda w: {"citizen_id": new_citizen_id(), "name": "New Person"},
    ),
    ("get", "/persons", "person.list", None, None),
    ("get", "/persons/{person}", "person.view", "person", None),
    # The record is found first (404 if not yours), then the full number is asked for.
    (
        "get",
        "/persons/{person}?reveal_id=true",
        ("person.view", "person.reveal_id"),
        "person",
        None,
    ),
    ("get", "/persons/{person}/employments", "employment.view", "person", None),
    ("get", "/persons/{person}/history", "history.view", "person", None),
    (
        "post",
        "/units/{unit}/employments",
        "employment.create",
        "unit",
        lambda w: {
            "citizen_id": new_citizen_id(),
            "name": "New Employee",
            "started_on": "2025-10-08",
            "monthly_wage": "6000.00",
        },
    ),
    ("get", "/units/{unit}/employments", "employment.view", "unit", None),
    ("get", "/employments/{employment}", "employment.view", "employment", None),
    (
        "post",
        "/employments/{employment}/end",
        "employment.end",
        "employment",
        lambda w: {"ended_on": "2025-11-01", "reason": "resignation"},
    ),
    ("get", "/employments/{employment}/history", "history.view", "employment", None),
    # The agency's confirmation of an employment a unit registered for a person employed
    # elsewhere (the matrix's employments are open: the answer is 409, after the checks).
    ("get", "/employments", "employment.list", None, None),
    ("post", "/employments/{employment}/confirm", "employment.confirm", "employment", None),
    (
        "post",
        "/employments/{employment}/refuse",
        "employment.confirm",
        "employment",
        lambda w: {"reason": "not employed there"},
    ),
    (
        "post",
        "/persons/{person}/facts",
        "person.record_facts",
        "person",
        lambda w: {"hukou_province": "11"},
    ),
    (
        "post",
        "/employments/{employment}/coverage-certificate",
        "employment.record_coverage",
        "employment",
        lambda w: {"certificate_no": "C-1", "valid_from": "2025-01-01", "valid_to": "2025-12-31"},
    ),
    ("get", "/compliance", "compliance.view", None, None),
    (
        "post",
        "/units/{unit}/declarations",
        "declaration.create",
        "unit",
        lambda w: {"period": "2025-09", "lines": [{"citizen_id": w["citizen_id"], "wage": "7000"}]},
    ),
    ("get", "/units/{unit}/declarations", "declaration.view", "unit", None),
    ("post", "/units/{unit}/declarations/upload", "declaration.create", "unit", "upload"),
    ("get", "/declarations/{declaration}", "declaration.view", "declaration", None),
    (
        "post",
        "/declaration-assessments",
        "declaration.assess",
        None,
        lambda w: {"period": "2025-09"},
    ),
    (
        "post",
        "/units/{unit}/payments",
        "payment.create",
        "unit",
        lambda w: {"amount": "100.00", "paid_on": "2025-10-31", "reference": f"R{next(serial)}"},
    ),
    ("get", "/units/{unit}/payments", "payment.view", "unit", None),
    ("get", "/units/{unit}/arrears?as_of=2025-11-01", "payment.view", "unit", None),
    ("post", "/interest-crediting", "interest.credit", None, lambda w: {"year": 2024}),
    ("get", "/persons/{person}/account", "account.view", "person", None),
    ("get", "/persons/{person}/contributions", "contributions.view", "person", None),
    ("get", "/persons/{person}/statement", "account.view", "person", None),
    ("get", "/persons/{person}/statement.pdf", "account.view", "person", None),
    ("get", "/units/{unit}/statement", "payment.view", "unit", None),
    # Pension rights: retirement age and the lump sum check; periods from elsewhere.
    ("get", "/persons/{person}/retirement", "account.view", "person", None),
    (
        "post",
        "/persons/{person}/retirement-category",
        "person.retirement_category",
        "person",
        lambda w: {"retirement_category": None},
    ),
    (
        "post",
        "/persons/{person}/deemed-periods",
        "contribution_period.record",
        "person",
        lambda w: {"from_month": "1990-01", "to_month": "1990-12", "basis": "Personnel file"},
    ),
    (
        "post",
        "/persons/{person}/transfers-in",
        "contribution_period.record",
        "person",
        lambda w: {
            "sending_region": "Tianjin",
            "reference": f"T{next(serial)}",
            "received_on": "2025-10-10",
            "month_count": 12,
            "account_amount": "100.00",
        },
    ),
    ("get", "/units/{unit}/statement.pdf", "payment.view", "unit", None),
    ("get", "/audit-events", "audit.view", None, None),
    (
        "post",
        "/units/{unit}/work-injury-rate",
        "unit.set_work_injury_rate",
        "unit",
        lambda w: {"industry_class": 1, "work_injury_float_percent": 120},
    ),
    ("post", "/units/{unit}/arrears-notices", "arrears.notice_issue", "unit", lambda w: {}),
    ("get", "/units/{unit}/arrears-notices", "arrears.notice_view", "unit", None),
    ("get", "/units/{unit}/arrears-notices/{notice}", "arrears.notice_view", "unit", None),
    ("get", "/units/{unit}/arrears-notices/{notice}.pdf", "arrears.notice_view", "unit", None),
    (
        "post",
        "/arrears-notices/{notice}/fine-proposal",
        "arrears.fine_propose",
        None,
        lambda w: {},
    ),
    ("get", "/arrears-fines", "arrears.fine_view", None, None),
    (
        "post",
        "/arrears-fines/{fine}/decision",
        "arrears.fine_decide",
        None,
        lambda w: {"decision": "dismiss", "reasons": "paid meanwhile"},
    ),
    *CLEARANCE_ENDPOINTS,
]


def test_every_operation_is_in_the_matrix():
    listed = {(method, path.split("?")[0]) for method, path, *_ in ENDPOINTS}
    listed = {
        (
            m,
            p.replace("{unit}", "{unit_id}")
            .replace("{person}", "{person_id}")
            .replace("{employment}", "{employment_id}")
            .replace("{declaration}", "{declaration_id}")
            .replace("{certificate}", "{verification_code}")
            .replace("{notice}", "{notice_id}")
            .replace("{fine}", "{proposal_id}")
            .replace("/regions/cn-bj", "/regions/{code}"),
        )
        for m, p in listed
    }
    operations = {
        (method, path.removeprefix("/api/v1"))
        for path, ops in api.get_openapi_schema()["paths"].items()
        for method in ops
    }
    assert operations - listed == set(), "endpoints missing from the permission matrix"


@pytest.fixture
def world(db, make_user, settings, tmp_path):
    """Two units, each with an employee and a declared month; a person user for the first
    employee and a representative for the first unit."""
    clerk = make_user("matrix-setup", "clerk")
    finance = make_user("matrix-finance", "finance")
    with clock.frozen(datetime.date(2025, 10, 20)):
        built = {}
        for side in ("own", "other"):
            unit = registry.unit_register(
                actor=clerk,
                uscc=new_uscc(),
                name=f"{side} unit",
                established_on=datetime.date(2025, 1, 6),
                region="cn-bj",
                industry_class=1,
            )
            certificate = registry.unit_registration_approve(actor=clerk, unit_id=unit.pk)
            citizen_id = new_citizen_id()
            employment = registry.employment_register(
                actor=clerk,
                unit_id=unit.pk,
                citizen_id=citizen_id,
                name=f"{side} person",
                started_on=datetime.date(2025, 2, 3),
                monthly_wage="8000.00",
            )
            checked = ledger_declarations.check_lines(
                unit, "2025-08", [(1, citizen_id, "8000")], today=datetime.date(2025, 10, 20)
            )
            declaration = ledger.declarations_post(actor=clerk, declarations=[checked])[0]
            # Paid on time, so the account holds the month's credit (O20 Art. 13).
            ledger.payment_record(
                actor=finance,
                unit_id=unit.pk,
                amount=declaration.total_due,
                paid_on=datetime.date(2025, 8, 31),
                reference=f"PAID-{side}",
            )
            # September unpaid, so the unit is in arrears and gets a notice to pay.
            september = ledger_declarations.check_lines(
                unit, "2025-09", [(1, citizen_id, "8000")], today=datetime.date(2025, 10, 20)
            )
            ledger.declarations_post(actor=clerk, declarations=[september])
            notice = arrears.arrears_notice_issue(actor=clerk, unit_id=unit.pk)
            built[side] = {
                "notice": notice.pk,
                "unit": unit.pk,
                "person": employment.person_id,
                "employment": employment.pk,
                "declaration": declaration.pk,
                "certificate": certificate.verification_code,
                "citizen_id": citizen_id,
            }
    settings.MEDIA_ROOT = tmp_path
    auditor = make_user("matrix-auditor", "auditor")
    with clock.frozen(datetime.date(2025, 10, 20)):
        for side in ("own", "other"):
            built[side].update(
                build_clearance_records(
                    side=built[side], clerk=clerk, auditor=auditor, finance=finance, tag=side
                )
            )
    for side in ("own", "other"):
        built[side]["fine"] = arrears.arrears_fine_propose(
            actor=finance, notice_id=built[side]["notice"]
        ).pk
    person_user = make_user("matrix-person", "person")
    registry.person_link_user(actor=clerk, person_id=built["own"]["person"], user=person_user)
    rep_user = make_user("matrix-rep", "unit_rep")
    registry.unit_representative_add(actor=clerk, unit_id=built["own"]["unit"], user=rep_user)
    built["users"] = {"person": person_user, "unit_rep": rep_user}
    return built


def visible(role, kind, side):
    """Whether a public user sees a record of ``kind`` on ``side`` (staff see everything)."""
    if role not in ("person", "unit_rep") or kind is None:
        return True
    if side == "other":
        return False
    if kind == "case":  # the person applied for their own case; units apply at the counter
        return role == "person"
    return not (role == "person" and kind in ("unit", "declaration"))


def expected(role, action, kind, side):
    if action is None:
        return "public"
    if role is None:
        return 401
    first, then = action if isinstance(action, tuple) else (action, None)
    if first and role not in PERMISSIONS[first]:
        return 403
    if not visible(role, kind, side):
        return 404
    if then and role not in PERMISSIONS[then]:
        return 403
    return "allowed"


def call(client, method, url, body, world, side):
    if body == "upload":
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = f"citizen_id,wage\n{world[side]['citizen_id']},7000\n".encode()
        return client.client.post(
            f"/api/v1{url}",
            {"period": "2025-09", "file": SimpleUploadedFile("w.csv", data)},
            headers=client.headers,
        )
    payload = body(world[side]) if callable(body) else None
    return getattr(client, method)(f"/api/v1{url}", payload)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_role_against_every_endpoint(role, world, api_as, anon):
    client = anon if role is None else api_as(role, user=world["users"].get(role))
    wrong = []
    for method, path, action, kind, body in ENDPOINTS:
        for side in ("own", "other") if kind else ("own",):
            url = path.format(**world[side])
            want = expected(role, action, kind, side)
            with transaction.atomic():
                response = call(client, method, url, body, world, side)
                transaction.set_rollback(True)
            got = response.status_code
            ok = (
                got not in (401, 403) and got < 500
                if want == "public"
                else got not in (401, 403, 404) and got < 500
                if want == "allowed"
                else got == want
            )
            if not ok:
                wrong.append(f"{method.upper()} {url} ({side}): expected {want}, got {got}")
            if action == "" and method == "post" and role is not None:
                # logout revoked the token: log in again
                client = api_as(role, user=world["users"].get(role) or client.user)
    assert wrong == []
