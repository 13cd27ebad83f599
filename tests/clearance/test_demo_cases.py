"""The demo agency's clearance cases: one in every status, built through the services."""

import pytest

from shebao.accounts.models import User
from shebao.api.clearance import render
from shebao.clearance import domain, selectors
from shebao.clearance.models import ClearanceCase
from shebao.demo import agency as demo
from shebao.ledger.selectors import ledger_check


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_cases_in_every_status(db):
    demo.build()  # the demo agency builds its clearance cases with build_demo_cases
    users = {u.username: u for u in User.objects.all()}
    statuses = set(ClearanceCase.objects.values_list("status", flat=True))
    assert statuses == set(domain.STATUSES)
    closed_cases = ClearanceCase.objects.filter(status="closed")
    assert closed_cases.get(subject_type="unit", reason="dissolved").unit.status == "cancelled"
    assert ledger_check()[1] == []
    overdue = selectors.case_list(user=users["supervisor"], overdue=True)
    accepted = ClearanceCase.objects.filter(status="accepted").values_list("pk", flat=True)
    assert set(accepted) & {c.pk for c in overdue}
    closed = render.case_detail(closed_cases.get(subject_type="person"))
    assert closed["certificate"]["verification_code"]
    assert closed["statement"]["total"] == closed["disbursements"][0]["amount"]


def test_demo_shows_a_bankrupt_unit_and_a_merger_with_arrears_assumed(db):
    """The demo agency shows a bankrupt unit closed through its claim, distribution and
    rulings (Enterprise Bankruptcy Law Arts. 46, 113, 121), and a merger whose successor
    assumed the arrears (Civil Code Art. 67; Company Law Art. 221)."""
    from shebao.ledger.models import DebtAdjustment, JournalEntry

    demo.build()
    bankrupt = ClearanceCase.objects.get(reason="bankrupt", status="closed")
    detail = render.case_detail(bankrupt)
    assert [c["rank"] for c in detail["bankruptcy"]["claim"]] == [1, 2, 3, 4]
    assert detail["bankruptcy"]["distribution"]["received"] == "3000.00"
    assert detail["bankruptcy"]["termination"]["ruling_no"]
    assert JournalEntry.objects.filter(kind="write_off", unit=bankrupt.unit).exists()
    assert bankrupt.unit.status == "cancelled"

    merged = ClearanceCase.objects.get(reason="merged", status="closed")
    assumed = DebtAdjustment.objects.filter(unit=merged.successor_unit, kind="assumed_in")
    assert assumed.count() == 3
    assert merged.unit.status == "cancelled"
    assert merged.successor_unit.employments.filter(status="open").exists()
    assert ledger_check()[1] == []
