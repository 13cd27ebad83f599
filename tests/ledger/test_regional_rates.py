"""Regional rates and due dates, with figures computed by hand from their sources.

Regression: every region was charged the pre-merger medical 6% + 2%, every unit's
work-injury rate was its class's base rate (class 1 when none was recorded), and every
month fell due at month end whatever the region said.
"""

import datetime
from decimal import Decimal as D

import pytest

from shebao.audit.models import AuditEvent
from shebao.ledger import declarations, selectors, services
from shebao.ledger.models import Declaration
from shebao.policy import contributions
from shebao.registry import services as registry
from tests.factories import citizen_id, registered_unit


def post(staff, unit, period, lines):
    checked = declarations.check_lines(unit, period, lines, today=datetime.date(2025, 11, 14))
    assert checked.errors == []
    return services.declarations_post(actor=staff, declarations=[checked])[0]


def make_unit(staff, serial, region, *, industry_class=1, wage="10000.00", person=21):
    unit = registered_unit(
        staff, serial=serial, name=f"Works {serial}", region=region, industry_class=industry_class
    )
    registry.employment_register(
        actor=staff,
        unit_id=unit.pk,
        citizen_id=citizen_id(person),
        name=f"P{person}",
        started_on=datetime.date(2025, 1, 2),
        monthly_wage=D(wage),
        registered_on=datetime.date(2025, 1, 10),
    )
    unit.refresh_from_db()
    return unit


# Item: medical rates include maternity since the merger (Guobanfa [2019] No. 10) ------


def test_beijing_2025_premiums_include_maternity_and_the_3_yuan_large_expense_fund(staff, db):
    """Beijing from 2020: medical unit 9.8%, personal 2% + 3 yuan a month; pension 16% + 8%
    (Guobanfa [2019] No. 13, Guofa [2005] No. 38); unemployment 0.5% + 0.5%
    (Renshebufa [2017] No. 14); work injury class 1 at 0.2% (Renshebufa [2015] No. 71).
    Base 10,000.00 (within 7,162.00-35,811.00): unit 1,600 + 980 + 50 + 20 = 2,650.00;
    personal 800 + (200 + 3) + 50 = 1,053.00."""
    unit = make_unit(staff, 31, "cn-bj")
    declaration = post(staff, unit, "2025-03", [(1, citizen_id(21), "10000.00")])
    assert declaration.totals_by_type == {
        "pension": ["1600.00", "800.00"],
        "medical": ["980.00", "203.00"],
        "unemployment": ["50.00", "50.00"],
        "work_injury": ["20.00", "0.00"],
    }
    assert (declaration.unit_total, declaration.personal_total) == (D("2650.00"), D("1053.00"))
    assert declaration.total_due == D("3703.00")
    # Only the pension personal part goes to the individual account.
    assert declaration.lines.get().account_credit == D("800.00")


def test_the_3_yuan_is_a_fixed_amount_not_scaled_by_the_base(staff, db):
    """A wage of 3,000.00 is raised to Beijing's 2024 floor of 7,162.00: medical personal
    = round(7,162.00 x 2%) + 3.00 = 143.24 + 3.00 = 146.24."""
    unit = make_unit(staff, 32, "cn-bj", wage="3000.00", person=22)
    declaration = post(staff, unit, "2025-03", [(1, citizen_id(22), "3000.00")])
    assert declaration.totals_by_type["medical"] == ["701.88", "146.24"]


def test_other_regions_use_the_labelled_pre_merger_fallback():
    details = contributions.rate_details_on(datetime.date(2025, 3, 1), "cn-sh", work_injury_class=1)
    medical = details["medical"]
    assert (medical.unit_rate, medical.personal_rate) == (D("0.06"), D("0.02"))
    assert medical.fallback is True and medical.verified is False
    assert medical.basis.code == "gf_1998_44"
    beijing = contributions.rate_details_on(
        datetime.date(2025, 3, 1), "cn-bj", work_injury_class=1
    )["medical"]
    assert beijing.fallback is False and beijing.personal_fixed_monthly == D("3.00")
    # Before 2020 Beijing's own merged figure is not in force: the fallback applies.
    before = contributions.rates_on(datetime.date(2019, 12, 31), "cn-bj", work_injury_class=1)
    assert before["medical"] == (D("0.06"), D("0.02"))


def test_region_policy_shows_the_fixed_amount_and_the_fallback(anon, db):
    answer = anon.get("regions/cn-bj", {"date": "2025-03-01"}).json()
    medical = next(r for r in answer["rates"] if r["insurance_type"] == "medical")
    assert (medical["unit_rate"], medical["personal_rate"]) == ("0.098", "0.02")
    assert medical["personal_fixed_monthly"] == "3.00" and medical["fallback"] is False
    shanghai = anon.get("regions/cn-sh", {"date": "2025-03-01"}).json()
    medical = next(r for r in shanghai["rates"] if r["insurance_type"] == "medical")
    assert medical["fallback"] is True


# Item: pension and unemployment history --------------------------------------------


def test_pension_unit_rate_history_with_its_sources():
    """20% before 2016-05 (Guofa [1997] No. 26); 19% allowed from 2016-05-01
    (Renshebufa [2016] No. 36; Beijing took it); 16% a ceiling from 2019-05-01
    (Guobanfa [2019] No. 13); personal 8% (Guofa [2005] No. 38)."""

    def pension(day, region):
        return contributions.rate_details_on(day, region, work_injury_class=1)["pension"]

    april_2016 = pension(datetime.date(2016, 4, 30), "cn-bj")
    assert april_2016.unit_rate == D("0.20") and april_2016.basis.code == "gf_1997_26"
    assert april_2016.personal_rate == D("0.08")
    assert april_2016.personal_basis.code == "gf_2005_38"
    assert pension(datetime.date(2016, 5, 1), "cn-bj").unit_rate == D("0.19")
    assert pension(datetime.date(2016, 5, 1), "cn-sh").unit_rate == D("0.20")
    for region in ("cn-bj", "cn-sh"):
        assert pension(datetime.date(2019, 5, 1), region).unit_rate == D("0.16")
        assert pension(datetime.date(2019, 5, 1), region).basis.code == "gbf_2019_13"


def test_unemployment_rate_history():
    """3% under the 1999 Regulations; 2% from 2015-03-01 (Renshebufa [2015] No. 24);
    1.5% from 2016-05-01 (the top of 1-1.5%, Renshebufa [2016] No. 36); 1% from
    2017-01-01 (Renshebufa [2017] No. 14)."""
    versions = [
        v
        for v in contributions.contribution_policy().rates
        if v.insurance_type == "unemployment" and not v.regions
    ]
    assert [(v.effective_from, v.unit_rate + v.personal_rate, v.basis.code) for v in versions] == [
        (datetime.date(1999, 1, 22), D("0.03"), "uir_1999_6"),
        (datetime.date(2015, 3, 1), D("0.020"), "rsbf_2015_24"),
        (datetime.date(2016, 5, 1), D("0.015"), "rsbf_2016_36"),
        (datetime.date(2017, 1, 1), D("0.010"), "rsbf_2017_14"),
    ]
    # The splits between unit and employee are provincial: flagged.
    assert all(not v.verified for v in versions[1:])
    day = datetime.date(2017, 1, 1)
    assert contributions.rates_on(day, work_injury_class=1)["unemployment"] == (
        D("0.005"),
        D("0.005"),
    )


# Item: work-injury floating grades, set per unit by the agency ------------------------


def test_staff_set_a_units_class_and_floating_grade_and_the_declaration_follows(api_as, staff, db):
    """Class 8 base rate 1.9% floated to 150% = 2.85% (SIL Art. 34; Renshebufa [2015]
    No. 71): on a base of 10,000.00 the unit pays 285.00."""
    unit = make_unit(staff, 33, "cn-bj", person=23)
    clerk = api_as("clerk")
    answer = clerk.post(
        f"units/{unit.pk}/work-injury-rate",
        {"industry_class": 8, "work_injury_float_percent": 150, "reason": "annual grading"},
    )
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["industry_class"], answer.json()["work_injury_float_percent"]) == (8, 150)
    event = AuditEvent.objects.filter(action="unit.work_injury_rate_set").get()
    assert event.data["changes"]["work_injury_float_percent"] == {"before": 100, "after": 150}
    declared = clerk.post(
        f"units/{unit.pk}/declarations",
        {"period": "2025-03", "lines": [{"citizen_id": citizen_id(23), "wage": "10000.00"}]},
    )
    assert declared.status_code == 201, declared.json()
    assert declared.json()["totals_by_type"]["work_injury"] == {
        "unit": "285.00",
        "personal": "0.00",
    }


@pytest.mark.parametrize(
    "body,field",
    [
        ({"industry_class": 1, "work_injury_float_percent": 151}, "work_injury_float_percent"),
        ({"industry_class": 1, "work_injury_float_percent": 49}, "work_injury_float_percent"),
        ({"industry_class": 9}, "industry_class"),
    ],
)
def test_a_grade_outside_50_to_150_percent_or_an_unknown_class_is_refused(
    api_as, staff, db, body, field
):
    unit = make_unit(staff, 34, "cn-bj", person=24)
    answer = api_as("clerk").post(f"units/{unit.pk}/work-injury-rate", body)
    assert answer.status_code == 422
    assert field in answer.json()["error"]["fields"]
    unit.refresh_from_db()
    assert (unit.industry_class, unit.work_injury_float_percent) == (1, 100)
    assert not AuditEvent.objects.filter(action="unit.work_injury_rate_set").exists()


def test_only_front_desk_staff_set_the_rate(api_as, staff, db):
    unit = make_unit(staff, 35, "cn-bj", person=25)
    answer = api_as("finance").post(f"units/{unit.pk}/work-injury-rate", {"industry_class": 2})
    assert answer.status_code == 403


def test_a_unit_without_an_industry_class_is_refused_at_declaration_by_name(api_as, staff, db):
    """Regression: a unit without a class was charged class 1 silently."""
    unit = make_unit(staff, 36, "cn-bj", industry_class=None, person=26)
    clerk = api_as("clerk", language="zh-hans")
    answer = clerk.post(
        f"units/{unit.pk}/declarations",
        {"period": "2025-03", "lines": [{"citizen_id": citizen_id(26), "wage": "10000.00"}]},
    )
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "industry_class_missing"
    assert unit.name in error["message"] and "industry_class" not in error["message"]
    assert not Declaration.objects.filter(unit=unit).exists()
    # Once staff set the class, the same declaration goes through.
    assert (
        api_as("clerk").post(f"units/{unit.pk}/work-injury-rate", {"industry_class": 1}).status_code
        == 200
    )
    again = clerk.post(
        f"units/{unit.pk}/declarations",
        {"period": "2025-03", "lines": [{"citizen_id": citizen_id(26), "wage": "10000.00"}]},
    )
    assert again.status_code == 201


# Item: the due date is local -------------------------------------------------------------


def test_month_end_is_the_labelled_pack_default_and_not_moved_by_rest_days():
    """SIL Art. 60 sets no day. Beijing keeps the pack default: 2025-05 falls due on
    Saturday 2025-05-31, not moved."""
    assert contributions.due_date(2025, 5, "cn-bj") == datetime.date(2025, 5, 31)
    rule = contributions.due_rule(2025, 5, "cn-bj")
    assert rule.default is True and rule.rule == "month_end" and not rule.rest_day_moves


def test_a_region_sets_its_own_day_and_a_rest_day_moves_it():
    """Chengdu (sample rule): the 15th of the next month, moved to the next working day.
    2025-01: 2025-02-15 is a Saturday, so Monday 2025-02-17; 2025-03: Tuesday 2025-04-15."""
    assert contributions.due_date(2025, 1, "cn-sc-cd") == datetime.date(2025, 2, 17)
    assert contributions.due_date(2025, 3, "cn-sc-cd") == datetime.date(2025, 4, 15)
    rule = contributions.due_rule(2025, 1, "cn-sc-cd")
    assert rule.sample is True and rule.default is False


def test_late_fees_follow_the_regions_due_date(staff, db):
    """Chengdu 2025-02, base 5,000.00 (within 4,080.00-20,400.00): pension 800 + 400,
    medical (fallback) 300 + 100, unemployment 25 + 25, work injury 10 = 1,660.00. Due
    Monday 2025-03-17 (2025-03-15 is a Saturday); paid 2025-03-27: 10 days late,
    1,660.00 x 0.05% x 10 = 8.30 (SIL Art. 86). At month end it would have been 27 days."""
    unit = make_unit(staff, 37, "cn-sc-cd", wage="5000.00", person=27)
    declaration = post(staff, unit, "2025-02", [(1, citizen_id(27), "5000.00")])
    assert declaration.total_due == D("1660.00")
    assert declaration.due_on == datetime.date(2025, 3, 17)
    on_due_date = selectors.unit_arrears(unit, as_of=datetime.date(2025, 3, 17))
    assert on_due_date["items"] == [] and on_due_date["late_fee"] == D("0")
    later = selectors.unit_arrears(unit, as_of=datetime.date(2025, 3, 27))
    assert later["late_fee"] == D("8.30")
    assert later["items"][0]["days_late"] == 10


def test_region_policy_shows_the_regions_due_date(anon, db):
    answer = anon.get("regions/cn-sc-cd", {"date": "2025-01-10"}).json()
    assert answer["contribution_due_on"] == "2025-02-17"
    assert anon.get("regions/cn-bj", {"date": "2025-05-10"}).json()["contribution_due_on"] == (
        "2025-05-31"
    )
