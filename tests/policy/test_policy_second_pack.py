"""A second pack (tests/policy/packs/zz-test) with other periods, rates and regions:
behaviour follows the data, through the accessors and through the API."""

import datetime
from decimal import Decimal

import pytest

from shebao.policy import clearance, contributions, employment, interest, packs

D = Decimal


def test_its_regions_are_listed_with_their_pack(test_pack, anon):
    listed = {r["code"]: r for r in anon.get("regions").json()}
    assert listed["zz-north"] == {
        "code": "zz-north",
        "name": "North Test Region",
        "pack": "zz-test",
    }
    assert listed["cn-bj"]["pack"] == "cn-national"


def test_a_different_period_gives_a_different_due_date_through_the_api(test_pack, anon):
    national = anon.get("obligations", {"event": "unit_established", "date": "2025-09-05"})
    regional = anon.get(
        "obligations", {"event": "unit_established", "date": "2025-09-05", "region": "zz-north"}
    )
    assert national.status_code == regional.status_code == 200
    [nat] = national.json()["obligations"]
    [reg] = regional.json()["obligations"]
    assert (nat["days"], nat["due_on"]) == (30, "2025-10-09")
    # 45 days: 2025-10-20, a Monday.
    assert (reg["days"], reg["due_on"]) == (45, "2025-10-20")
    assert reg["basis"] == "Test Regulation, Art. 1"
    assert regional.json()["pack"] == "zz-test"
    assert [c["code"] for c in reg["consequences"]] == ["late"]


def test_the_period_in_force_on_the_event_date_applies(test_pack, anon):
    answer = anon.get(
        "obligations", {"event": "unit_established", "date": "2025-06-02", "region": "zz-north"}
    ).json()
    [item] = answer["obligations"]
    # The old 20-day period: 2025-06-22 is a Sunday, so the period ends on Monday.
    assert (item["days"], item["due_on"], item["name"]) == (
        20,
        "2025-06-23",
        "Unit registration (old period)",
    )


def test_working_day_period_of_the_pack(test_pack, anon):
    answer = anon.get(
        "obligations", {"event": "employment_started", "date": "2025-01-02", "region": "zz-south"}
    ).json()
    [item] = answer["obligations"]
    assert (item["code"], item["day_kind"], item["due_on"]) == (
        "employee_registration",
        "working",
        "2025-01-16",
    )


def test_an_event_the_pack_does_not_know_is_refused_with_its_events(test_pack, anon):
    response = anon.get(
        "obligations", {"event": "death", "date": "2025-01-02", "region": "zz-north"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unknown_event"
    assert "employment_started" in error["fields"]["event"]
    assert "transfer_step_received" not in error["fields"]["event"]


def test_rates_follow_the_pack_and_the_region(test_pack):
    north = contributions.rates_on(datetime.date(2025, 3, 1), "zz-north", work_injury_class=2)
    assert north == {
        "pension": (D("0.15"), D("0.07")),
        "medical": (D("0.05"), D("0.01")),
        "work_injury": (D("0.003"), D("0")),
    }
    south = contributions.rates_on(datetime.date(2025, 3, 1), "zz-south", work_injury_class=2)
    assert south["medical"] == (D("0.08"), D("0.02"))
    assert contributions.rates_on(datetime.date(2023, 6, 1), "zz-south", work_injury_class=2)[
        "medical"
    ] == (
        D("0.05"),
        D("0.01"),
    )
    assert contributions.rates_on(datetime.date(2024, 6, 1), "zz-north", work_injury_class=2)[
        "pension"
    ] == (
        D("0.14"),
        D("0.07"),
    )


def test_base_limits_follow_the_region_data(test_pack):
    north = packs.find_region("zz-north")
    # 50% and 250% of 6001.01, each rounded half up: 3000.505 -> 3000.51, 15002.525 -> 15002.53
    assert north.base_limits(2025) == (D("3000.51"), D("15002.53"))
    fallback = north.base_limits(2024)
    assert fallback == (D("2500.00"), D("12500.00"))
    assert (fallback.year, fallback.fallback) == (2023, True)

    south = packs.find_region("zz-south")  # base year starts in April
    assert south.base_limits(2025, 3) == (D("3000.00"), D("21000.00"))
    assert south.base_limits(2025, 3).year == 2024
    assert south.base_limits(2025, 4) == (D("4800.00"), D("24000.00"))


def test_due_date_late_fee_and_non_declaration_follow_the_pack(test_pack):
    assert contributions.due_date(2025, 1, "zz-north") == datetime.date(2025, 2, 15)
    assert contributions.due_date(2024, 12, "zz-north") == datetime.date(2025, 1, 15)
    assert contributions.late_fee_rule(datetime.date(2025, 1, 1), "zz-north").daily_rate == D(
        "0.001"
    )
    assert contributions.non_declaration_rule(datetime.date(2025, 1, 1), "zz-north").factor == D(
        "1.20"
    )


def test_interest_follows_the_pack(test_pack):
    policy = interest.interest_policy("zz-north")
    assert policy.method == interest.MONTH_PRODUCT
    assert policy.leaving_year == interest.PRO_RATA_LATEST_RATE
    assert interest.rate_for(2024, "zz-north").rate == D("0.0250")
    assert interest.rate_for(2024, "cn-bj").rate == D("0.0262")


def test_sections_the_pack_leaves_out_come_from_the_default_pack(test_pack):
    assert clearance.clearance_policy("zz-north").pack_code == "cn-national"
    assert employment.end_reason_codes("zz-north") == employment.end_reason_codes("cn-bj")
    assert test_pack.sections["clearance"] is None


def test_guide_counts_time_limits_with_the_region_pack(test_pack, anon):
    answer = anon.get(
        "guide/clearance", {"subject": "unit", "reason": "deregistered", "region": "zz-north"}
    ).json()
    limits = {t["code"]: (t["days"], t["day_kind"]) for t in answer["time_limits"]}
    assert limits == {
        "unit_change_or_cancellation": (60, "calendar"),  # the test pack's period
        "employment_end_report": (15, "calendar"),  # not in the test pack: national
        "cancellation_handling": (5, "working"),  # the test pack's period
    }


@pytest.mark.parametrize("region", ["zz-north", "cn-bj"])
def test_obligation_versions_are_kept(test_pack, region):
    pack = packs.pack_of(region)
    versions = pack.obligation_versions["unit_registration"]
    assert versions[-1] is pack.obligations["unit_registration"]
    assert len(versions) == (2 if region == "zz-north" else 1)
