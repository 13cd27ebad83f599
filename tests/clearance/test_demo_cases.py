"""The demo agency's clearance cases: one in every status, built through the services."""

import pytest

from shebao import demo
from shebao.accounts.models import User
from shebao.clearance import domain, selectors
from shebao.clearance.models import ClearanceCase
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
    assert closed_cases.get(subject_type="unit").unit.status == "cancelled"
    assert ledger_check()[1] == []
    overdue = selectors.case_list(user=users["supervisor"], overdue=True)
    accepted = ClearanceCase.objects.filter(status="accepted").values_list("pk", flat=True)
    assert set(accepted) & {c.pk for c in overdue}
    closed = selectors.case_detail(closed_cases.get(subject_type="person"))
    assert closed["certificate"]["verification_code"]
    assert closed["statement"]["total"] == closed["disbursements"][0]["amount"]
