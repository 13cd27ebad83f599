"""Who may open a case for which reason, without a database: the facts are passed in,
the policy is the national pack's (or a stand-in without the refusal)."""

import datetime
from types import SimpleNamespace

import pytest

from shebao.clearance.domain import eligibility
from shebao.core.errors import Conflict, InvalidInput
from shebao.pension import domain as pension_domain
from shebao.policy.clearance import clearance_policy
from shebao.policy.retirement import RetirementAge

D = datetime.date


def person(**facts):
    base = {
        "reason": "settle_abroad",
        "event_date": D(2025, 3, 1),
        "status": "active",
        "birth_date": D(1980, 5, 1),
        "died_on": None,
        "foreign": False,
        "hmt_resident": False,
    }
    return {**base, **facts}


def refused(call, *args, **kwargs):
    with pytest.raises((InvalidInput, Conflict)) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture(scope="module")
def policy():
    return clearance_policy()


# A policy whose pack lists none of the refusals: the field is named instead.
NO_REFUSALS = SimpleNamespace(refusals={})


def reason(*refused_when):
    return SimpleNamespace(refused_when=refused_when)


def test_subject_type_is_person_or_unit():
    eligibility.check_subject_type("person")
    eligibility.check_subject_type("unit")
    error = refused(eligibility.check_subject_type, "household")
    assert error.fields == {"subject_type": "must be person or unit"}


def test_an_ordinary_person_passes():
    eligibility.check_person(**person())


def test_a_cleared_person_is_a_conflict():
    error = refused(eligibility.check_person, **person(status="cleared"))
    assert isinstance(error, Conflict)
    assert error.code == "subject_cleared"


def test_a_deceased_person_only_for_a_death():
    error = refused(eligibility.check_person, **person(status="deceased"))
    assert error.code == "person_deceased"
    assert error.fields == {"reason": "must be death"}
    eligibility.check_person(**person(status="deceased", reason="death", died_on=D(2025, 3, 1)))


def test_the_event_is_not_before_birth_nor_off_the_recorded_death():
    error = refused(eligibility.check_person, **person(event_date=D(1979, 1, 1)))
    assert error.fields == {"event_date": "is before the person's birth date"}
    error = refused(eligibility.check_person, **person(reason="death", died_on=D(2025, 2, 1)))
    assert "2025-02-01" in error.fields["event_date"]


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        ({"reason": "lost_nationality", "foreign": True}, "no PRC nationality to lose"),
        ({"reason": "foreigner_departure", "foreign": False}, "not a foreign national"),
        ({"reason": eligibility.HMT_DEPARTURE, "hmt_resident": False}, "Hong Kong, Macao"),
    ],
)
def test_nationality_and_residency_as_the_reason_needs(facts, words):
    error = refused(eligibility.check_person, **person(**facts))
    assert words in error.fields["subject_id"]


def test_the_matching_nationality_passes():
    eligibility.check_person(**person(reason="lost_nationality", foreign=False))
    eligibility.check_person(**person(reason="foreigner_departure", foreign=True))
    eligibility.check_person(**person(reason=eligibility.HMT_DEPARTURE, hmt_resident=True))


def test_only_a_registered_unit_from_its_establishment():
    unit = {"event_date": D(2025, 3, 1), "established_on": D(2010, 1, 1)}
    eligibility.check_unit(status="registered", status_name="registered", **unit)
    error = refused(eligibility.check_unit, status="cancelled", status_name="Cancelled", **unit)
    assert error.code == "unit_not_registered"
    assert "Cancelled" in error.message
    error = refused(
        eligibility.check_unit,
        status="registered",
        status_name="registered",
        event_date=D(2009, 12, 31),
        established_on=D(2010, 1, 1),
    )
    assert error.fields == {"event_date": "is before the unit was established"}


REACHED = D(2024, 6, 1)


def lump_sum(outcome, *, reaches_on=REACHED, months=100, minimum=180):
    return SimpleNamespace(
        outcome=outcome,
        reaches_on=reaches_on,
        minimum_months=minimum,
        months=SimpleNamespace(total=months),
        age=RetirementAge(years=60, months=0, added_months=0),
        category_recorded=True,
    )


def test_lump_sum_at_retirement_age_with_too_few_months(policy):
    check = lump_sum(pension_domain.LUMP_SUM_ALLOWED)
    eligibility.check_lump_sum(policy, check, D(2025, 1, 1), retirement=None, citations={})


def test_lump_sum_refused_below_retirement_age(policy):
    check = lump_sum(pension_domain.BELOW_RETIREMENT_AGE, reaches_on=D(2030, 6, 1))
    error = refused(
        eligibility.check_lump_sum, policy, check, D(2025, 1, 1), retirement=None, citations={}
    )
    assert error.code == pension_domain.BELOW_RETIREMENT_AGE
    assert "2030-06-01" in error.fields["reason"]


def test_lump_sum_event_not_before_the_age_is_reached(policy):
    check = lump_sum(pension_domain.LUMP_SUM_ALLOWED, reaches_on=D(2025, 6, 1))
    error = refused(
        eligibility.check_lump_sum, policy, check, D(2025, 1, 1), retirement=None, citations={}
    )
    assert "2025-06-01" in error.fields["event_date"]


def test_enough_months_is_a_pension_claim(policy):
    check = lump_sum(pension_domain.PENSION_CLAIM, months=200)
    error = refused(
        eligibility.check_lump_sum, policy, check, D(2025, 1, 1), retirement=None, citations={}
    )
    assert error.code == "not_a_clearance"
    error = refused(
        eligibility.check_lump_sum,
        NO_REFUSALS,
        check,
        D(2025, 1, 1),
        retirement=None,
        citations={},
    )
    assert error.fields == {
        "reason": "the person has 200 months of contributions, the minimum is 180"
    }


def test_a_transfer_names_a_known_destination_elsewhere(policy):
    assert eligibility.destination_code("  310000 ") == "310000"
    error = refused(eligibility.destination_code, " ")
    assert error.fields == {"destination_region": "name the region the person moves to"}
    target = SimpleNamespace(province_code="31")
    error = refused(
        eligibility.check_transfer,
        policy,
        reason(),
        destination="999999",
        target=None,
        region="110000",
    )
    assert error.code == "unknown_region"
    error = refused(
        eligibility.check_transfer, policy, reason(), destination="310000", target=target, region=""
    )
    assert "region they leave is unknown" in error.fields["subject_id"]
    eligibility.check_transfer(
        policy, reason(), destination="310000", target=target, region="110000"
    )


def test_a_transfer_within_the_region_is_a_job_change(policy):
    target = SimpleNamespace(province_code="11")
    args = {"destination": "110000", "target": target, "region": "110000"}
    error = refused(
        eligibility.check_transfer, policy, reason(eligibility.SAME_REGION_REFUSAL), **args
    )
    assert error.code == "not_a_clearance"
    error = refused(eligibility.check_transfer, policy, reason(), **args)
    assert error.fields == {"destination_region": "is the region the person is insured in now"}


def temporary(**facts):
    base = {
        "age": 52,
        "sex": "male",
        "hukou_province": "11",
        "origin_province": "11",
        "target_province": "31",
        "temporary_from_age": {"male": 50, "female": 40},
    }
    return {**base, **facts}


def test_a_temporary_account_applies_away_from_the_household_province(policy):
    why = reason(eligibility.TEMPORARY_ACCOUNT_REFUSAL)
    error = refused(eligibility.check_temporary_account, policy, why, **temporary())
    assert error.code == "not_a_clearance"
    error = refused(eligibility.check_temporary_account, NO_REFUSALS, why, **temporary())
    assert "the person is 52" in error.fields["destination_region"]


def test_a_temporary_account_needs_the_household_province(policy):
    why = reason(eligibility.TEMPORARY_ACCOUNT_REFUSAL)
    error = refused(
        eligibility.check_temporary_account, policy, why, **temporary(hukou_province="")
    )
    assert error.code == "hukou_province_unknown"


@pytest.mark.parametrize(
    "facts",
    [
        {"age": 49},
        {"sex": "female", "age": 39},
        {"hukou_province": "31"},
        {"origin_province": "31"},
        {"origin_province": None},
        {"temporary_from_age": None},
        {"sex": "unknown"},
    ],
)
def test_no_temporary_account(policy, facts):
    why = reason(eligibility.TEMPORARY_ACCOUNT_REFUSAL)
    eligibility.check_temporary_account(policy, why, **temporary(**facts))


def test_no_temporary_account_where_the_reason_knows_none(policy):
    eligibility.check_temporary_account(policy, reason(), **temporary())


def test_a_merger_names_another_registered_unit():
    assert eligibility.successor_pk("12") == 12
    assert refused(eligibility.successor_pk, "").fields == {
        "successor_unit_id": "name the registered successor unit"
    }
    assert refused(eligibility.successor_pk, "x").fields == {
        "successor_unit_id": "must be a unit id"
    }
    ok = {"found": True, "is_subject": False, "status": "registered", "status_name": "r"}
    eligibility.check_successor(**ok)
    assert refused(eligibility.check_successor, **{**ok, "found": False}).fields == {
        "successor_unit_id": "no such unit"
    }
    assert refused(eligibility.check_successor, **{**ok, "is_subject": True}).fields == {
        "successor_unit_id": "is the unit being cancelled"
    }
    error = refused(
        eligibility.check_successor, **{**ok, "status": "cancelled", "status_name": "Cancelled"}
    )
    assert "Cancelled" in error.fields["successor_unit_id"]


def test_destination_and_successor_only_where_they_apply():
    eligibility.check_no_destination(None)
    eligibility.check_no_destination("")
    eligibility.check_no_successor(None)
    assert refused(eligibility.check_no_destination, "310000").fields == {
        "destination_region": "is used only for a transfer"
    }
    assert refused(eligibility.check_no_successor, 3).fields == {
        "successor_unit_id": "is used only for a merger"
    }
