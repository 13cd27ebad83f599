import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest

from shebao.ledger import declarations, services
from shebao.ledger.models import Account, Declaration, Posting
from shebao.ledger.selectors import ledger_check, money_sum, unit_arrears
from tests.factories import citizen_id

TODAY = datetime.date(2025, 11, 14)


def post(staff, unit, period, lines):
    checked = declarations.check_lines(unit, period, lines, today=TODAY)
    assert checked.errors == []
    return services.declarations_post(actor=staff, declarations=[checked])[0]


def pay(actor, unit, amount, reference):
    return services.payment_record(
        actor=actor, unit_id=unit.pk, amount=amount, paid_on=TODAY, reference=reference
    )


def individual_balance(person):
    account = Account.objects.filter(person=person, insurance_type="pension").first()
    return -account.balance if account else D(0)


def test_declaration_posts_balanced_premiums(staff, unit_with_staff, finance_officer):
    unit, people = unit_with_staff
    declaration = post(staff, unit, "2025-03", [(1, citizen_id(11), "8000.00")])
    assert money_sum(Posting.objects.filter(entry=declaration.entry)) == 0
    # pension 16% + 8%, the personal 8% to the individual account once paid (O20 Art. 13)
    assert declaration.totals_by_type["pension"] == ["1280.00", "640.00"]
    assert individual_balance(people[0]) == D("0.00")
    pay(finance_officer, unit, declaration.total_due, "B-1")
    assert individual_balance(people[0]) == D("640.00")
    assert declaration.total_due == declaration.unit_total + declaration.personal_total


def test_redeclaring_a_month_replaces_and_never_counts_twice(
    staff, unit_with_staff, finance_officer
):
    unit, people = unit_with_staff
    first = post(staff, unit, "2025-03", [(1, citizen_id(11), "8000.00")])
    pay(finance_officer, unit, first.total_due, "B-1")
    assert individual_balance(people[0]) == D("640.00")
    second = post(staff, unit, "2025-03", [(1, citizen_id(11), "9000.00")])
    first.refresh_from_db()
    assert first.status == Declaration.Status.REPLACED
    assert second.replaces_id == first.pk
    # The month owes the difference: its credit waits until it is paid again.
    assert individual_balance(people[0]) == D("0.00")
    receivable = Account.objects.get(code=f"U{unit.pk}:receivable")
    assert receivable.balance == second.total_due - first.total_due
    pay(finance_officer, unit, second.total_due - first.total_due, "B-2")
    assert individual_balance(people[0]) == D("720.00")
    assert money_sum(Posting.objects.all()) == 0


def test_bad_lines_are_reported_with_their_numbers(staff, unit_with_staff):
    unit, _people = unit_with_staff
    checked = declarations.check_lines(
        unit,
        "2025-03",
        [
            (1, citizen_id(11), "8000.00"),
            (2, "110105199001010110", "5000"),  # wrong check character
            (3, citizen_id(99), "5000"),  # nobody registered
            (4, citizen_id(13), "-5"),  # negative wage
            (5, citizen_id(11), "7000"),  # declared twice
        ],
        today=TODAY,
    )
    assert [(e.line, e.field) for e in checked.errors] == [
        (2, "citizen_id"),
        (3, "citizen_id"),
        (4, "wage"),
        (5, "citizen_id"),
    ]
    assert [line for line, _p, _w in checked.lines] == [1]


@pytest.mark.parametrize("wage,base", [("3000.00", None), ("60000.00", None)])
def test_base_is_clamped_to_the_regions_limits(staff, unit_with_staff, wage, base):
    unit, _people = unit_with_staff
    from shebao.policy import packs as policy_packs

    floor, cap = policy_packs.region("cn-bj").base_limits(2025, 3)
    declaration = post(
        staff, unit, "2025-03", [(1, citizen_id(13 if wage == "3000.00" else 15), wage)]
    )
    line = declaration.lines.get()
    assert line.base == (floor if wage == "3000.00" else cap)


def test_payment_allocation_and_arrears(staff, unit_with_staff, finance_officer):
    from shebao.core import clock
    from shebao.ledger import selectors

    unit, _people = unit_with_staff
    march = post(staff, unit, "2025-03", [(1, citizen_id(11), "8000.00")])
    april = post(staff, unit, "2025-04", [(1, citizen_id(11), "8000.00")])
    # March is due 2025-03-31; on 2025-04-30 it is 30 days late.
    arrears = selectors.unit_arrears(unit, as_of=datetime.date(2025, 4, 30))
    assert arrears["principal"] == march.total_due
    assert arrears["late_fee"] == (march.total_due * D("0.0005") * 30).quantize(
        D("0.01"), rounding=ROUND_HALF_UP
    )
    fee = arrears["late_fee"]
    payment = services.payment_record(
        actor=finance_officer,
        unit_id=unit.pk,
        amount=march.total_due + fee + D("100.00"),
        paid_on=datetime.date(2025, 4, 30),
        reference="BANK-1",
    )
    allocations = list(payment.allocations.values_list("period", "principal", "late_fee"))
    assert allocations == [("2025-03", march.total_due, fee), ("2025-04", D("100.00"), D("0.00"))]
    with clock.frozen(datetime.date(2025, 6, 1)):
        later = selectors.unit_arrears(unit, as_of=datetime.date(2025, 5, 31))
    assert later["principal"] == april.total_due - D("100.00")
    # A repeat with the same key returns the first payment and posts nothing more.
    again = services.payment_record(
        actor=finance_officer,
        unit_id=unit.pk,
        amount=D("1.00"),
        paid_on=datetime.date(2025, 4, 30),
        reference="BANK-2",
        idempotency_key="k1",
    )
    same = services.payment_record(
        actor=finance_officer,
        unit_id=unit.pk,
        amount=D("1.00"),
        paid_on=datetime.date(2025, 4, 30),
        reference="BANK-2",
        idempotency_key="k1",
    )
    assert again.pk == same.pk
    assert money_sum(Posting.objects.all()) == 0


def test_ledger_check_finds_a_tampered_balance(staff, unit_with_staff):
    unit, _people = unit_with_staff
    post(staff, unit, "2025-03", [(1, citizen_id(11), "8000.00")])
    checked, problems = ledger_check()
    assert checked > 0 and problems == []
    Account.objects.filter(code=f"U{unit.pk}:receivable").update(balance=D("1.00"))
    _checked, problems = ledger_check()
    assert len(problems) == 1 and f"U{unit.pk}:receivable" in problems[0]


def test_work_injury_rate_follows_the_units_industry_class(staff, unit_with_staff):
    from shebao.policy import contributions
    from shebao.registry.models import Unit

    unit, _people = unit_with_staff
    Unit.objects.filter(pk=unit.pk).update(industry_class=8)
    unit.refresh_from_db()
    rate = contributions.work_injury_class(8, datetime.date(2025, 3, 1), "cn-bj").rate
    declaration = post(staff, unit, "2025-03", [(1, citizen_id(11), "8000.00")])
    assert (
        declaration.totals_by_type["work_injury"][0] == f"{(D('8000') * rate).quantize(D('0.01'))}"
    )


def test_an_undeclared_month_is_assessed_at_110_percent_and_replaced_on_declaring(
    staff, unit_with_staff, finance_officer
):
    unit, people = unit_with_staff
    march = post(staff, unit, "2025-03", [(1, citizen_id(11), "8000.00")])
    assessed = services.declarations_assess(actor=finance_officer, period="2025-04")
    assert len(assessed) == 1
    expected = sum(
        (D(u) * D("1.1")).quantize(D("0.01")) + (D(p) * D("1.1")).quantize(D("0.01"))
        for u, p in march.totals_by_type.values()
    )
    assert assessed[0].total_due == expected and assessed[0].kind == "assessed"
    # Assessing again finds nothing new; declaring the month replaces the assessment.
    assert services.declarations_assess(actor=finance_officer, period="2025-04") == []
    april = post(staff, unit, "2025-04", [(1, citizen_id(11), "8000.00")])
    assert april.replaces_id == assessed[0].pk
    receivable = Account.objects.get(code=f"U{unit.pk}:receivable")
    assert receivable.balance == march.total_due + april.total_due
    assert individual_balance(people[0]) == D("0.00")
    pay(finance_officer, unit, unit_arrears(unit, as_of=TODAY)["total"], "B-1")  # with late fees
    assert individual_balance(people[0]) == D("1280.00")
    assert ledger_check()[1] == []
