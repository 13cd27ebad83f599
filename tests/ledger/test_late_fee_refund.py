"""Regression: a late fee paid on a month later declared again lower was kept whole.

The late fee is 0.05% a day of the unpaid premium (SIL Art. 86), so a lower premium owes
a lower fee; what was paid beyond it is refunded as the excess premium is: it becomes
the unit's credit (the pack's ``overpayment`` rule), with an audit event.

Hand computation (Beijing, figures of test_overpayment_credit): 2025-09 declared at
21,536.62 and paid 30 days after its due date with the fee, round(21,536.62 x 0.0005 x
30, 2) = 323.05, so 21,859.67 in all. Declared again at 2,760.23: the fee on it is
round(2,760.23 x 0.0005 x 30, 2) = 41.40, so 323.05 - 41.40 = 281.65 of fee comes back
with the 18,776.39 of premium: the unit's credit is 19,058.04.
"""

import datetime
import io

import pytest
from django.core.management import call_command

from shebao.audit.models import AuditEvent
from shebao.core import clock

from .test_overpayment_credit import FULL, LOWER, declare


@pytest.fixture
def clerk(api_as):
    return api_as("clerk")


@pytest.fixture
def finance(api_as):
    return api_as("finance")


def test_a_late_fee_paid_on_a_month_declared_again_lower_is_refunded_to_the_credit(
    clerk, finance, unit_with_staff
):
    unit, _people = unit_with_staff
    first = declare(clerk, unit, "2025-09", FULL)
    paid_on = datetime.date.fromisoformat(first["due_on"]) + datetime.timedelta(days=30)
    assert paid_on <= clock.today()
    arrears = finance.get(f"units/{unit.pk}/arrears?as_of={paid_on.isoformat()}").json()
    assert (arrears["principal"], arrears["late_fee"]) == ("21536.62", "323.05")
    payment = finance.post(
        f"units/{unit.pk}/payments",
        {"amount": "21859.67", "paid_on": paid_on.isoformat(), "reference": "LATE-0930"},
    )
    assert payment.status_code == 201, payment.json()
    assert payment.json()["overpaid"] == "0.00"

    lowered = declare(clerk, unit, "2025-09", LOWER)
    assert lowered["total_due"] == "2760.23"
    arrears = finance.get(f"units/{unit.pk}/arrears").json()
    assert arrears["principal"] == "0.00" and arrears["late_fee"] == "0.00"
    assert arrears["refundable"] == "19058.04"  # 18,776.39 + 281.65
    statement = finance.get(f"units/{unit.pk}/statement").json()
    september = next(m for m in statement["months"] if m["period"] == "2025-09")
    assert september["paid_late_fee"] == "41.40"
    event = AuditEvent.objects.get(action="ledger.late_fees_refunded")
    assert event.data["total"] == "281.65" and event.data["periods"] == {"2025-09": "281.65"}
    assert event.data["basis"] == ["sil_86"]

    # Declaring the same month again changes nothing more: the fee is refunded once.
    declare(clerk, unit, "2025-09", LOWER)
    assert finance.get(f"units/{unit.pk}/arrears").json()["refundable"] == "19058.04"
    assert AuditEvent.objects.filter(action="ledger.late_fees_refunded").count() == 1
    out = io.StringIO()
    call_command("verify", "--check", "ledger_balances", stdout=out)
    assert "ledger: every entry balances" in out.getvalue()
