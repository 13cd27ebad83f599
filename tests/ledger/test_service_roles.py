"""The ledger's writes check the acting user's role themselves, as the API does: the
role table (``accounts.domain.PERMISSIONS``) holds whoever calls them. A missing actor is
the system (the import and assessment commands, a scheduled task) and may."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from shebao.core import clock
from shebao.core.errors import PermissionDenied
from shebao.ledger import declarations, services
from shebao.ledger.models import Declaration, Payment
from tests.factories import check_role_refusal, citizen_id, role_cases

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 14)

# service -> (the action it checks, arguments that name nothing: a role allowed past the
# check is refused for another reason, never for its role)
SERVICES = {
    "declarations_post": ("declaration.create", {"declarations": []}),
    "declarations_assess": ("declaration.assess", {"period": "not a month"}),
    "interest_credit_year": ("interest.credit", {"year": 9999}),
    "payment_record": (
        "payment.create",
        {"unit_id": 0, "amount": "1.00", "paid_on": TODAY, "reference": "R"},
    ),
    "payment_record_allocated": (
        "payment.create",
        {
            "unit_id": 0,
            "amount": "1.00",
            "paid_on": TODAY,
            "reference": "R",
            "allocations": [("2025-01", "1.00", "0")],
        },
    ),
}

CASES = role_cases(SERVICES)


@pytest.mark.parametrize(("name", "role", "allowed"), CASES)
def test_each_write_checks_the_role_itself(make_user, name, role, allowed):
    _action, kwargs = SERVICES[name]
    actor = make_user(f"acting-{role}", role)
    check_role_refusal(getattr(services, name), actor, kwargs, allowed=allowed)


def _checked(unit, period):
    checked = declarations.check_lines(unit, period, [(1, citizen_id(11), "8000.00")], today=TODAY)
    assert checked.errors == []
    return checked


def test_a_payment_by_a_clerk_is_refused_and_by_finance_recorded(
    staff, finance_officer, unit_with_staff
):
    unit, _people = unit_with_staff
    with clock.frozen(TODAY):
        [declaration] = services.declarations_post(
            actor=staff, declarations=[_checked(unit, "2025-03")]
        )
        with translation.override("en"), pytest.raises(PermissionDenied) as refused:
            services.payment_record(
                actor=staff,
                unit_id=unit.pk,
                amount=declaration.total_due,
                paid_on=TODAY,
                reference="B-1",
            )
        assert "(record a payment)" in str(refused.value.message)
        assert not Payment.objects.exists()
        payment = services.payment_record(
            actor=finance_officer,
            unit_id=unit.pk,
            amount=declaration.total_due,
            paid_on=TODAY,
            reference="B-1",
        )
    assert payment.amount == declaration.total_due


def test_a_unit_representative_declares_but_may_not_assess(make_user, staff, unit_with_staff):
    unit, _people = unit_with_staff
    rep = make_user("ledger-rep", "unit_rep")
    with clock.frozen(TODAY):
        [declaration] = services.declarations_post(
            actor=rep, declarations=[_checked(unit, "2025-03")]
        )
        assert declaration.kind == Declaration.Kind.DECLARED
        with pytest.raises(PermissionDenied):
            services.declarations_assess(actor=rep, period="2025-04")
    assert not Declaration.objects.filter(kind=Declaration.Kind.ASSESSED).exists()


def test_the_system_may_run_what_commands_run(unit_with_staff):
    """No actor: ``shebao import_declarations``, ``assess_undeclared``, ``credit_interest``."""
    unit, _people = unit_with_staff
    with clock.frozen(TODAY):
        [declaration] = services.declarations_post(
            actor=None, declarations=[_checked(unit, "2025-03")]
        )
        services.payment_record(
            actor=None,
            unit_id=unit.pk,
            amount=declaration.total_due,
            paid_on=TODAY,
            reference="B-SYSTEM",
        )
        assessed = services.declarations_assess(actor=None, period="2025-04")
    assert [d.unit_id for d in assessed] == [unit.pk]
    assert Payment.objects.get().amount == Decimal(declaration.total_due)
