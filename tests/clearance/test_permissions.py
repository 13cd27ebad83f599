"""Every role against every clearance endpoint, on its own records and on someone else's:
the answer follows the role table (``accounts.domain.PERMISSIONS``) and the case's
visibility (a person sees their own case; anything else is "not found")."""

import datetime

import pytest
from django.db import transaction

from shebao.accounts.domain import PERMISSIONS
from shebao.api.main import api
from shebao.core import clock
from shebao.registry import services as registry

from .matrix import CLEARANCE_ENDPOINTS, build_clearance_records

ROLES = [None, "person", "unit_rep", "clerk", "auditor", "finance", "supervisor", "admin"]
CLEARANCE_PATHS = (
    "/clearance-",
    "/disbursement-orders",
    "/payment-files",
    "/benefit-debts",
    "/unit-fines",
    "/fines",
)


def test_every_clearance_operation_is_listed():
    listed = {
        (m, p.replace("{person}", "{person_id}").replace("{unit}", "{unit_id}"))
        for m, p, *_ in CLEARANCE_ENDPOINTS
    }
    operations = {
        (method, path.removeprefix("/api/v1"))
        for path, ops in api.get_openapi_schema()["paths"].items()
        for method in ops
        if any(part in path for part in CLEARANCE_PATHS)
    }
    assert operations == listed


@pytest.fixture
def world(staff, world):
    builder = world
    built = {}
    with clock.frozen(datetime.date(2025, 10, 20)):
        for index, side in enumerate(("own", "other")):
            unit = builder.unit(established=datetime.date(2025, 1, 6))
            person = builder.employ(unit, serial=900 + index, started=datetime.date(2025, 2, 3))
            builder.declare(unit, "2025-08", [(person, "8000.00")])
            builder.pay_all(unit, f"PAID-{side}")
            ids = {"person": person.pk, "unit": unit.pk}
            ids.update(
                build_clearance_records(
                    side=ids,
                    clerk=staff.clerk,
                    auditor=staff.auditor,
                    finance=staff.finance,
                    tag=side,
                )
            )
            built[side] = ids
    built["users"] = {}
    return built


def visible(role, kind, side):
    if role not in ("person", "unit_rep") or kind is None:
        return True
    if side == "other":
        return False
    return role == "person" and kind in ("case", "person")


def expected(role, action, kind, side):
    if role is None:
        return 401
    actions = action if isinstance(action, tuple) else (action,)
    if any(role not in PERMISSIONS[a] for a in actions):
        return 403
    if not visible(role, kind, side):
        return 404
    return "allowed"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_role_against_every_clearance_endpoint(role, world, api_as, anon, staff):
    client = anon
    if role is not None:
        client = api_as(role)
        if role == "person":
            registry.person_link_user(
                actor=staff.clerk, person_id=world["own"]["person"], user=client.user
            )
        if role == "unit_rep":
            registry.unit_representative_add(
                actor=staff.clerk, unit_id=world["own"]["unit"], user=client.user
            )
    wrong = []
    for method, path, action, kind, body in CLEARANCE_ENDPOINTS:
        for side in ("own", "other") if kind else ("own",):
            url = path.format(**world[side])
            want = expected(role, action, kind, side)
            payload = body(world[side]) if callable(body) else None
            with transaction.atomic():
                response = getattr(client, method)(f"/api/v1{url}", payload)
                transaction.set_rollback(True)
            got = response.status_code
            good = got not in (401, 403, 404) and got < 500 if want == "allowed" else got == want
            if not good:
                wrong.append(f"{method.upper()} {url} ({side}): expected {want}, got {got}")
    assert wrong == []
