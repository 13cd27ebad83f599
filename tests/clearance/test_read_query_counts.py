"""A case's detail reads its materials, their checks and its payees once for the answer."""

import pytest

from tests.clearance.conftest import drive, ok, open_self_case

pytestmark = pytest.mark.django_db


def test_case_detail_in_a_fixed_number_of_queries(
    api, staff, worker, django_assert_max_num_queries
):
    case = drive(staff, open_self_case(staff, worker.person).pk, until="paid")
    ok(api.auditor.get("auth/me"))  # the token's first use is written
    with django_assert_max_num_queries(13):
        body = ok(api.auditor.get(f"clearance-cases/{case.pk}"))
    assert body["payees"] and body["materials"] and body["disbursements"]
    assert "warnings" in body
