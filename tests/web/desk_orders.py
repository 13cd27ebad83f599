"""A disbursement order built through the services, as tests/clearance builds them: an
insured person's case (lost nationality) taken to its disbursement by finance."""

import types

from shebao.clearance.models import DisbursementOrder
from tests.clearance.conftest import drive, open_self_case
from tests.factories import World


def staff_of(make_user) -> types.SimpleNamespace:
    """One member of staff per role, two finance officers (``finance`` and ``finance2``)."""
    return types.SimpleNamespace(
        clerk=make_user("clerk", "clerk"),
        auditor=make_user("auditor", "auditor"),
        finance=make_user("finance", "finance"),
        finance2=make_user("finance2", "finance"),
        supervisor=make_user("supervisor", "supervisor"),
    )


def ordered_payment(staff, *, balance="60000.00", serial=11) -> DisbursementOrder:
    """A bank payment ordered by ``staff.finance``: the person's account holds the months
    2024-11 to 2025-03 paid plus ``balance`` transferred in; above 50,000.00 (the national
    pack's threshold) the order waits for a second approval."""
    world = World(staff.clerk)
    unit = world.unit(name="青禾餐饮")
    person = world.employ(unit, serial=serial, name="王芳")
    for period in ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03"):
        world.declare(unit, period, [(person, "8000.00")])
    world.pay_all(unit, f"PAID-{serial}")
    world.transfer_in(person, balance)
    case = open_self_case(staff, person, serial=serial)
    drive(staff, case.pk, until="disbursed")
    return DisbursementOrder.objects.get(case=case)
