"""The person's account and rights statement are answered in a fixed number of queries:
the months declared for the person are read once per answer, however many there are."""

import pytest

from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(make_user):
    world = World(make_user("q-clerk", "clerk"))
    unit = world.unit()
    person = world.employ(unit, serial=21)
    for period in ("2024-11", "2024-12", "2025-01", "2025-02"):
        world.declare(unit, period, [(person, "8000.00")])
    world.pay_all(unit, "Q-PAID")
    return person


def _read(api_as, path, queries, most):
    clerk = api_as("clerk")
    assert clerk.get("auth/me").status_code == 200  # the token's first use is written
    with queries(most):
        response = clerk.get(path)
    assert response.status_code == 200, response.json()
    return response.json()


def test_account_reads_the_months_once(api_as, person, django_assert_max_num_queries):
    # Token, person, the audit event (begin, chain head, insert, head update, commit),
    # account, postings, transfers and deemed periods, the lines, and the unit's months.
    body = _read(api_as, f"persons/{person.pk}/account", django_assert_max_num_queries, 14)
    assert body["contribution_months"] == 4
    assert body["contribution_months_by_source"] == {
        "local": 4,
        "transferred": 0,
        "deemed": 0,
        "total": 4,
    }


def test_statement_reads_the_months_once(api_as, person, django_assert_max_num_queries):
    body = _read(api_as, f"persons/{person.pk}/statement", django_assert_max_num_queries, 14)
    assert body["contribution_months"] == 4
    assert len(body["months"]) == 4
