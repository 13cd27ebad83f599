"""Idempotency-Key on writes that move money: one key, one user, one operation, one
request.

Regression (finding 6 of the security review): the same key sent again with a payment
of 99,999.00 answered 201 with the earlier payment of 500.00, and nothing recorded the
second; the caller believed it had been paid.
"""

import threading

import pytest
from django.conf import settings
from django.db import connections

from shebao.core.errors import ShebaoError
from shebao.core.models import IdempotencyKey
from shebao.ledger import services
from shebao.ledger.models import Account, Payment
from tests.factories import registered_unit


def pay(client, unit, amount="500.00", reference="B-1", key="k-1"):
    headers = {"Idempotency-Key": key}
    body = {"amount": amount, "paid_on": "2025-04-30", "reference": reference}
    return client.post(f"units/{unit.pk}/payments", body, headers=headers)


def bank_balance():
    return Account.objects.get(kind="bank").balance


def test_the_same_key_with_another_payment_is_refused_and_records_nothing(api_as, unit_with_staff):
    """Regression: a reused key with a different body was answered with the first
    payment; now 422 ``idempotency_key_reused``, and nothing more is recorded."""
    unit, _people = unit_with_staff
    finance = api_as("finance")
    first = pay(finance, unit)
    assert first.status_code == 201, first.json()
    balance = bank_balance()
    second = pay(finance, unit, amount="99999.00", reference="B-2")
    assert second.status_code == 422
    error = second.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert Payment.objects.filter(unit=unit).count() == 1
    assert bank_balance() == balance
    # Only the amount differs: still another request.
    assert pay(finance, unit, amount="99999.00").status_code == 422
    assert Payment.objects.filter(unit=unit).count() == 1


def test_the_refusal_is_in_the_users_language(api_as, unit_with_staff):
    unit, _people = unit_with_staff
    finance = api_as("finance", language="zh-hans")
    pay(finance, unit)
    refused = pay(finance, unit, amount="99999.00")
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "幂等" in message and "idempotency" not in message.lower()


def test_the_same_key_with_the_same_payment_answers_the_first(api_as, unit_with_staff):
    unit, _people = unit_with_staff
    finance = api_as("finance")
    first = pay(finance, unit)
    # The same amount written differently is the same request.
    again = pay(finance, unit, amount="500.0")
    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json()
    assert Payment.objects.filter(unit=unit).count() == 1


def test_the_same_key_of_another_user_or_unit_is_independent(api_as, unit_with_staff, staff):

    unit, _people = unit_with_staff
    finance, finance2 = api_as("finance"), api_as("finance")
    assert pay(finance, unit).status_code == 201
    other = pay(finance2, unit, reference="B-2")
    assert other.status_code == 201, other.json()
    assert Payment.objects.filter(unit=unit).count() == 2
    # The first user's key is spent on the first payment: another unit is another request.
    unit2 = registered_unit(staff, serial=2, name="Other Works")
    assert pay(finance, unit2).json()["error"]["code"] == "idempotency_key_reused"


def test_a_failed_request_does_not_spend_its_key(api_as, unit_with_staff):
    unit, _people = unit_with_staff
    finance = api_as("finance")
    assert pay(finance, unit, amount="-5.00").status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert pay(finance, unit, amount="500.00").status_code == 201


@pytest.mark.postgres
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL (DATABASE_URL)",
)
@pytest.mark.django_db(transaction=True)
def test_the_same_key_at_once_pays_once(unit_with_staff, make_user):
    """Eight threads send the same payment with the same key at the same moment: one
    payment, and every thread answers it."""
    import datetime
    from decimal import Decimal

    unit, _people = unit_with_staff
    finance = make_user("race-finance", "finance")
    barrier = threading.Barrier(8)
    results = [None] * 8

    def run(index):
        try:
            barrier.wait()
            results[index] = services.payment_record(
                actor=finance,
                unit_id=unit.pk,
                amount=Decimal("500.00"),
                paid_on=datetime.date(2025, 4, 30),
                reference="RACE-1",
                idempotency_key="race",
            )
        except Exception as exc:  # noqa: BLE001 - reported to the test, which checks it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r.pk for r in results} == {Payment.objects.get(unit=unit).pk}
    assert IdempotencyKey.objects.count() == 1
    assert not isinstance(results[0], ShebaoError)
