"""The built-in cn-national pack: what it holds and what its accessors answer."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from shebao.policy import clearance, contributions, employment, interest, packs
from shebao.policy.errors import NoPolicyValue

D = Decimal


@pytest.fixture
def pack():
    return packs.get_pack("cn-national")


def test_every_section_is_loaded(pack):
    assert set(pack.sections) == {
        "contributions",
        "interest",
        "clearance",
        "employment",
        "money",
        "agreements",
        "survivors",
        "transfers",
        "retirement",
        "collection",
    }
    assert all(value is not None for value in pack.sections.values())


# Regions and base limits ---------------------------------------------------------------


def test_at_least_four_regions_each_with_figures_for_2022_to_2026(pack):
    assert len(pack.regions) >= 4
    for region in pack.regions.values():
        years = {w.year for w in region.average_wages}
        assert set(range(2022, 2027)) <= years, region.code
        for wage in region.average_wages:
            assert wage.source.strip()
            if wage.sample:
                assert "sample" in wage.source.lower(), (region.code, wage.year)


def test_region_names_follow_the_language(pack):
    with translation.override("zh-hans"):
        assert str(pack.regions["cn-bj"].names) == "北京市"
    with translation.override("en"):
        assert str(pack.regions["cn-bj"].names) == "Beijing"


def test_beijing_uses_its_published_floor_and_cap():
    beijing = packs.find_region("cn-bj")
    limits = beijing.base_limits(2023)
    assert limits == (D("6821.00"), D("35283.00"))
    assert limits.year == 2023 and not limits.fallback and not limits.sample


def test_base_year_starting_in_july_uses_the_previous_figure_until_june():
    beijing = packs.find_region("cn-bj")
    assert beijing.base_limits(2024, 6) == (D("6821.00"), D("35283.00"))
    assert beijing.base_limits(2024, 6).year == 2023
    assert beijing.base_limits(2024, 7) == (D("7162.00"), D("35811.00"))
    assert beijing.base_limits(2024, 7).year == 2024


def test_limits_computed_as_60_and_300_percent_when_no_own_figure():
    guangzhou = packs.find_region("cn-gd-gz")
    floor, cap = guangzhou.base_limits(2024)
    assert floor == D("5509.80")  # 60% of 9183.00
    assert cap == D("27549.00")  # 300% of 9183.00
    assert guangzhou.base_limits(2024).sample is True


def test_region_own_floor_wins_over_the_percentage():
    shenzhen = packs.find_region("cn-gd-sz")
    floor, cap = shenzhen.base_limits(2023)
    assert floor == D("2360.00")
    assert cap == D("26421.00")


def test_year_without_a_figure_uses_the_latest_earlier_year_and_says_so():
    chengdu = packs.find_region("cn-sc-cd")
    limits = chengdu.base_limits(2031)
    assert limits.fallback is True
    assert limits.year == 2026
    assert limits.requested_year == 2031
    assert limits == chengdu.base_limits(2026)


def test_year_before_every_figure_is_refused():
    with pytest.raises(NoPolicyValue) as caught:
        packs.find_region("cn-gd-gz").base_limits(2019)
    assert caught.value.code == "no_base_figure"
    assert isinstance(caught.value, LookupError)


def test_floor_never_above_cap_in_any_region_or_year():
    for region in packs.all_regions():
        for wage in region.average_wages:
            floor, cap = region.base_limits(wage.year)
            assert D("0") < floor <= cap, (region.code, wage.year)
            assert floor == floor.quantize(D("0.01")) and cap == cap.quantize(D("0.01"))


# Rates ---------------------------------------------------------------------------------


def test_pension_unit_rate_drops_to_16_percent_on_2019_05_01():
    before = contributions.rates_on(datetime.date(2019, 4, 30), "cn-sh", work_injury_class=1)
    after = contributions.rates_on(datetime.date(2019, 5, 1), "cn-sh", work_injury_class=1)
    assert before["pension"] == (D("0.20"), D("0.08"))
    assert after["pension"] == (D("0.16"), D("0.08"))


def test_default_rates_of_2025():
    rates = contributions.rates_on(datetime.date(2025, 11, 14), "cn-sh", work_injury_class=1)
    assert rates == {
        "pension": (D("0.16"), D("0.08")),
        # The pre-merger national fallback: Shanghai's own figure is not in the pack yet.
        "medical": (D("0.06"), D("0.02")),
        "unemployment": (D("0.005"), D("0.005")),
        "work_injury": (D("0.002"), D("0")),
    }


def test_unemployment_rate_before_2017():
    rates = contributions.rates_on(datetime.date(2016, 4, 30), work_injury_class=1)
    assert rates["unemployment"] == (D("0.015"), D("0.005"))


def test_rates_carry_their_sources():
    details = contributions.rate_details_on(datetime.date(2025, 1, 1), "cn-bj", work_injury_class=1)
    assert details["pension"].basis.code == "gbf_2019_13"
    assert details["work_injury"].basis.code == "rsbf_2015_71"
    assert details["unemployment"].verified is False
    assert str(details["medical"].insurance_type.names)


def test_work_injury_classes_run_from_0_2_to_1_9_percent_unit_only():
    day = datetime.date(2025, 1, 1)
    rates = [contributions.work_injury_class(n, day).rate for n in range(1, 9)]
    assert rates == [
        D(r) for r in ("0.002", "0.004", "0.007", "0.009", "0.011", "0.013", "0.016", "0.019")
    ]
    assert contributions.rates_on(day, work_injury_class=8)["work_injury"] == (D("0.019"), D("0"))


def test_unknown_work_injury_class_is_refused_naming_the_field():
    with pytest.raises(NoPolicyValue) as caught:
        contributions.rates_on(datetime.date(2025, 1, 1), work_injury_class=9)
    assert "work_injury_class" in caught.value.fields


def test_date_before_any_rate_is_refused():
    with pytest.raises(NoPolicyValue):
        contributions.rates_on(datetime.date(1990, 1, 1))


def test_unknown_region_is_refused_naming_region():
    with pytest.raises(NoPolicyValue) as caught:
        contributions.rates_on(datetime.date(2025, 1, 1), "cn-xx")
    assert caught.value.code == "unknown_region"
    assert "region" in caught.value.fields


def test_late_fee_is_half_a_permille_a_day_from_the_law():
    rule = contributions.late_fee_rule(datetime.date(2025, 1, 1))
    assert rule.daily_rate == D("0.0005")
    assert rule.basis.code == "sil_86"
    # rules.md: paid 30 days late on 10,000.00 -> 150.00
    assert D("10000.00") * rule.daily_rate * 30 == D("150.00")


def test_non_declaration_is_110_percent_of_last_month():
    rule = contributions.non_declaration_rule(datetime.date(2025, 1, 1))
    assert rule.factor == D("1.10")
    assert rule.basis.code == "sil_62"


def test_premiums_are_due_on_the_last_day_of_the_month():
    assert contributions.due_date(2025, 2) == datetime.date(2025, 2, 28)
    assert contributions.due_date(2024, 2) == datetime.date(2024, 2, 29)
    assert contributions.due_date(2025, 12) == datetime.date(2025, 12, 31)


def test_pension_personal_part_goes_to_the_individual_account():
    types = contributions.contribution_policy().insurance_types
    assert [code for code, t in types.items() if t.personal_part_to_account] == ["pension"]


# Interest ------------------------------------------------------------------------------


def test_bookkeeping_rates_2016_to_2025():
    policy = interest.interest_policy()
    expected = {
        2016: "0.0831",
        2017: "0.0712",
        2018: "0.0829",
        2019: "0.0761",
        2020: "0.0604",
        2021: "0.0669",
        2022: "0.0612",
        2023: "0.0397",
        2024: "0.0262",
        2025: "0.0150",
    }
    assert {year: str(rate.rate) for year, rate in policy.rates.items()} == expected
    assert [y for y, rate in policy.rates.items() if not rate.verified] == [2025]
    assert all(rate.source for rate in policy.rates.values())


def test_interest_defaults():
    policy = interest.interest_policy("cn-bj")
    assert policy.method == interest.ANNUAL
    # The year of leaving earns the months held (local practice, flagged unverified).
    assert policy.leaving_year == interest.MONTHS_HELD_LATEST_RATE
    assert policy.leaving_year_verified is False
    assert policy.annual_factor == D("1.083")
    assert policy.latest_rate(2024).year == 2024
    # 2025's rate is not published yet: the latest published one is 2024's.
    assert not policy.rates[2025].published
    assert policy.latest_rate().year == 2024


def test_year_without_a_rate_is_refused_naming_year():
    with pytest.raises(NoPolicyValue) as caught:
        interest.rate_for(2010)
    assert "year" in caught.value.fields


# Clearance -----------------------------------------------------------------------------


def test_five_steps_in_both_languages():
    steps = clearance.clearance_policy().steps
    assert [s.code for s in steps] == [
        "prepare_materials",
        "apply",
        "audit_and_liquidate",
        "return_balance",
        "cancel_account",
    ]
    assert all(s.names.zh and s.names.en and s.text.zh and s.text.en for s in steps)


@pytest.mark.parametrize(
    ("subject", "reason", "disposition", "citations"),
    [
        ("person", "death", "lump_sum_to_heirs", {"sil_14", "o13_6"}),
        ("person", "lost_nationality", "lump_sum_on_application", {"o13_6"}),
        (
            "person",
            "insufficient_years_at_retirement",
            "lump_sum_on_application",
            {"sil_14", "sil_16", "o13_2", "o13_3", "ra2024_1", "ra2024_2"},
        ),
        ("person", "foreigner_departure", "lump_sum_or_keep", {"o16_5"}),
        ("person", "job_change", "transfer_to_destination", {"sil_19", "tm2009"}),
        ("person", "hukou_migration", "transfer_to_destination", {"sil_19", "tm2009"}),
        ("unit", "deregistered", "unit_account_closed", {"sil_57_2", "hr2023_10"}),
        ("unit", "dissolved", "unit_account_closed", {"sil_57_2", "hr2023_10"}),
        (
            "unit",
            "bankrupt",
            "claim_in_bankruptcy",
            {"sil_57_2", "ebl_113", "ebl_46", "ebl_121"},
        ),
        ("unit", "licence_revoked", "unit_account_closed", {"sil_57_2", "hr2023_10"}),
        ("unit", "merged", "employees_to_successor", {"sil_57_2", "cc_67", "cl2023_221"}),
    ],
)
def test_dispositions_by_reason(subject, reason, disposition, citations):
    found = clearance.clearance_policy().reason(subject, reason)
    assert found.disposition.code == disposition
    assert {c.code for c in found.basis} == citations


@pytest.mark.parametrize(
    ("subject", "reason", "materials"),
    [
        (
            "person",
            "death",
            [
                "identity_document",
                "social_security_card",
                "contribution_certificate",
                "death_certificate",
                "hukou_cancellation_proof",
                "heir_identity_documents",
                "kinship_proof",
                "heir_bank_accounts",
            ],
        ),
        (
            "person",
            "insufficient_years_at_retirement",
            [
                "identity_document",
                "social_security_card",
                "contribution_certificate",
                "termination_application",
                "alternatives_acknowledgement",
                "own_bank_account",
            ],
        ),
        (
            "person",
            "foreigner_departure",
            [
                "social_security_card",
                "contribution_certificate",
                "passport",
                "termination_application",
                "own_bank_account",
                "departure_proof",
                "power_of_attorney",
            ],
        ),
        (
            "unit",
            "bankrupt",
            [
                "cancellation_application_form",
                "business_licence",
                "staff_placement_plan",
                "bankruptcy_ruling",
            ],
        ),
        (
            "unit",
            "merged",
            [
                "cancellation_application_form",
                "business_licence",
                "staff_placement_plan",
                "merger_agreement",
                "successor_registration",
            ],
        ),
    ],
)
def test_materials_by_subject_and_reason(subject, reason, materials):
    items = clearance.materials_required(subject, reason)
    assert [i.code for i in items] == materials
    assert all(i.names.zh and i.names.en for i in items)


def test_power_of_attorney_is_needed_only_when_an_agent_applies():
    items = {i.code: i for i in clearance.materials_required("person", "foreigner_departure")}
    assert items["power_of_attorney"].optional is True
    assert "agent" in items["power_of_attorney"].when.en
    assert items["passport"].optional is False


def test_which_reasons_need_a_signed_acknowledgement():
    policy = clearance.clearance_policy()
    needing = {r.code for r in policy.reasons.values() if r.needs_acknowledgement}
    assert needing == {"insufficient_years_at_retirement", "lost_nationality"}
    assert clearance.needs_acknowledgement("person", "insufficient_years_at_retirement")
    assert not clearance.needs_acknowledgement("person", "death")


def test_time_limits_per_reason_are_obligations_of_the_pack(pack):
    policy = clearance.clearance_policy()
    assert policy.reason("person", "death").time_limits == (
        "death_notification",
        "cancellation_handling",
    )
    for reason in policy.reasons.values():
        assert reason.time_limits, reason.code
        assert set(reason.time_limits) <= set(pack.obligations)


def test_refusals_explain_the_procedure_that_applies():
    policy = clearance.clearance_policy()
    expected = {
        "job_change_same_region": "employment_change",
        "retirement_with_pension": "pension_claim",
        "settled_abroad_keeping_nationality": "keep_account",
        "temporary_account_elsewhere": "temporary_account",
    }
    assert {code: r.procedure.code for code, r in policy.refusals.items()} == expected
    for refusal in policy.refusals.values():
        assert refusal.explanation.zh and refusal.explanation.en
        assert refusal.basis


def test_a_refused_reason_cannot_open_a_case():
    with pytest.raises(NoPolicyValue) as caught:
        clearance.materials_required("person", "retirement_with_pension")
    assert caught.value.code == "not_a_clearance"
    assert "reason" in caught.value.fields


def test_control_figures():
    assert clearance.second_approval_above() == D("50000.00")
    rule = clearance.transfer_rule()
    assert rule.pooled_share == D("0.12")
    assert rule.pooled_since_year == 1998
    assert rule.pooled_interest is False


def test_unit_preconditions_and_refund_cases():
    policy = clearance.clearance_policy()
    assert [p.code for p in policy.unit_preconditions] == ["no_open_employments", "arrears_settled"]
    assert [r.code for r in policy.refund_cases] == [
        "late_removal",
        "after_retirement",
        "duplicate_enrolment",
        "no_real_employment",
    ]
    assert policy.offsets[0].basis.code == "hr2023_46"


# Employment end reasons ----------------------------------------------------------------


def test_employment_end_reasons():
    reasons = employment.end_reasons("cn-bj")
    assert {
        "resignation",
        "dismissal",
        "contract_expiry",
        "retirement",
        "death",
        "unit_terminated",
        "other",
    } <= set(reasons)
    assert reasons["death"].events == ("employment_ended", "death")
    assert reasons["resignation"].events == ("employment_ended",)
    assert all(r.names.zh and r.names.en for r in reasons.values())


def test_unknown_end_reason_is_refused_naming_reason():
    with pytest.raises(NoPolicyValue) as caught:
        employment.employment_policy().end_reason("fired_for_fun")
    assert "reason" in caught.value.fields


def test_former_employees_are_seen_for_24_months_with_the_reason():
    access = employment.employment_policy("cn-bj").former_employee_access
    assert access.months == 24
    assert access.basis.code == "lcl_50"
    assert "二年" in access.reason.zh and "two years" in access.reason.en
    assert employment.former_employee_months("cn-bj") == 24
