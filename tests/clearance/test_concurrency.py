"""Two staff members acting on the same case at the same moment (PostgreSQL only: the row
locks are what is tested; SQLite serialises every writer anyway)."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections

from shebao.clearance import services
from shebao.clearance.models import CaseEvent, DisbursementOrder
from shebao.clearance.services import audit, disbursement
from shebao.core.errors import ShebaoError
from shebao.ledger.models import JournalEntry

from .conftest import drive, open_self_case

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL (DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]


def slow(monkeypatch, module, name, seconds=0.3):
    """Make a step inside the locked section take a while, so that without the lock the
    other thread would read the same state meanwhile. ``module`` is the one whose code
    looks the name up."""
    original = getattr(module, name)

    def slowed(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slowed)


def race(*calls):
    """Run the calls at the same moment in threads, each on its own connection; return
    what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            # The frozen clock is process-wide: the threads see the test's "today".
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test, which checks it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_approvals_make_one_transition(staff, worker, monkeypatch):
    case = drive(staff, open_self_case(staff, worker.person).pk, until="accepted")
    slow(monkeypatch, audit, "_check_checker")
    results = race(
        lambda: services.case_approve(actor=staff.auditor, case_id=case.pk),
        lambda: services.case_approve(actor=staff.auditor2, case_id=case.pk),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ShebaoError)
    assert errors[0].code == "wrong_state"
    assert CaseEvent.objects.filter(case=case, action="approve").count() == 1
    case.refresh_from_db()
    assert case.status == "approved"
    assert connection.vendor == "postgresql"


def test_two_disbursements_make_one_payment(staff, worker, monkeypatch):
    case = drive(staff, open_self_case(staff, worker.person).pk, until="liquidated")
    slow(monkeypatch, disbursement, "_statement_is_current")
    slow(monkeypatch, disbursement, "_post_order")
    results = race(
        lambda: services.case_disburse(actor=staff.finance, case_id=case.pk, idempotency_key="a"),
        lambda: services.case_disburse(actor=staff.finance2, case_id=case.pk, idempotency_key="b"),
    )
    assert [isinstance(r, ShebaoError) for r in results].count(True) == 1
    assert not any(isinstance(r, Exception) and not isinstance(r, ShebaoError) for r in results)
    [order] = DisbursementOrder.objects.filter(case=case)
    results = race(
        lambda: services.order_mark_paid(
            actor=staff.finance, order_id=order.pk, bank_reference="X"
        ),
        lambda: services.order_mark_paid(
            actor=staff.finance2, order_id=order.pk, bank_reference="Y"
        ),
    )
    assert [isinstance(r, ShebaoError) for r in results].count(True) == 1
    assert JournalEntry.objects.filter(kind="disbursement").count() == 1
    assert CaseEvent.objects.filter(case=case, action="disburse").count() == 1


def test_the_same_key_twice_at_once_pays_once(staff, worker, monkeypatch):
    case = drive(staff, open_self_case(staff, worker.person).pk, until="liquidated")
    slow(monkeypatch, disbursement, "_statement_is_current")
    results = race(
        lambda: services.case_disburse(actor=staff.finance, case_id=case.pk, idempotency_key="k"),
        lambda: services.case_disburse(actor=staff.finance, case_id=case.pk, idempotency_key="k"),
    )
    # The second waits for the first's lock, then finds its key: both answer the case.
    assert [type(r).__name__ for r in results] == ["ClearanceCase", "ClearanceCase"]
    assert DisbursementOrder.objects.filter(case=case).count() == 1
