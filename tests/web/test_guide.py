"""The public clearance guide (/guide/, no login): whether clearance applies, what happens
to the balance, the materials, the five steps, every time limit as a date counted on the
official calendar, where to apply; and a unit's registration deadlines.

Dates counted by hand (Civil Code Arts. 201 and 203; the 2025 schedule: 10-01 to 10-08
off, Sunday 09-28 and Saturday 10-11 worked). The test clock stands at Friday 2025-11-14.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from shebao.policy.clearance import clearance_policy

pytestmark = pytest.mark.django_db


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, no attribute values (where codes may stand)."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "option"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "option"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def get(params=None, language="en", **headers):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/guide/", params or {}, **headers)
    assert response.status_code == 200
    return response


def test_the_guide_needs_no_login_and_offers_every_reason_by_name():
    page = visible(get())
    assert "Clearance guide" in page
    assert "Answer three questions" in page
    html = get().content.decode()
    for reason in ("Death of the insured person", "Loss of PRC nationality", "Job change"):
        assert reason in html
    unit = get({"subject": "unit"}).content.decode()
    assert "Unit deregistered" in unit and "Unit declared bankrupt" in unit
    assert "Death of the insured person" not in unit


def test_a_death_gives_the_heirs_lump_sum_and_each_time_limit_as_a_date():
    """Death on Monday 2025-11-03: the death is reported within 20 working days, by
    Monday 2025-12-01 (HR2023 Art. 25, for benefit recipients); an application received
    today (2025-11-14) is handled within 10 working days, by Friday 2025-11-28."""
    response = get({"reason": "death", "subject": "person", "event_date": "2025-11-03"})
    page = visible(response)
    assert "Clearance applies." in page
    assert "Balance paid to the heirs as a lump sum" in page
    assert "Social Insurance Law" in page  # the legal basis, by name
    assert "2025-12-01" in page and "2025-11-28" in page
    assert "Only persons receiving social insurance benefits" in page
    assert "counted from the application received on 2025-11-14" in page
    for step in ("Prepare the materials", "Apply at the agency", "Audit and liquidation"):
        assert step in page
    assert "Death certificate" in page and "The heirs' bank accounts" in page


def test_an_application_date_moves_the_agency_time_limit():
    response = get(
        {
            "reason": "lost_nationality",
            "event_date": "2025-09-01",
            "applied_on": "2025-09-26",
        }
    )
    # 10 working days from Friday 09-26: 09-28 (Sunday, worked), 09-29, 09-30, 10-09,
    # 10-10, 10-11 (Saturday, worked), 10-13, 10-14, 10-15, 10-16.
    assert "2025-10-16" in visible(response)


def test_a_units_dissolution_counts_past_the_national_day_holidays():
    """Dissolved on 2025-09-20: the cancellation within 30 days, by Monday 2025-10-20
    (SIL Art. 57 para 2); the end of each employment reported within 15 days: 10-05 is a
    holiday, so by 2025-10-09."""
    page = visible(get({"subject": "unit", "reason": "dissolved", "event_date": "2025-09-20"}))
    assert "Unit account closed once arrears are paid" in page
    assert "2025-10-20" in page and "2025-10-09" in page
    assert "Approval of the dissolution" in page and "Business licence" in page


@pytest.mark.parametrize(
    ("subject", "reason"),
    [
        (subject, reason.code)
        for subject in ("person", "unit")
        for reason in clearance_policy().reasons_for(subject)
    ],
)
def test_each_reason_lists_its_materials_and_marks_what_the_agency_checks(subject, reason):
    policy = clearance_policy()
    page = visible(get({"subject": subject, "reason": reason, "event_date": "2025-10-01"}))
    items = policy.materials_for(subject, reason)
    assert items
    for item in items:
        assert item.names.en in page
    checked = [item for item in items if item.checked_by_agency]
    assert page.count("checked by the agency: you need not bring it") == len(checked)


def test_a_job_change_is_a_transfer_and_one_in_the_same_region_is_not_a_clearance():
    page = visible(get({"reason": "job_change", "event_date": "2025-10-01"}))
    assert "Transferred to the destination agency" in page
    assert "Job change within the same region" in page  # the cases that are not a clearance
    same = visible(get({"situation": "job_same_region", "event_date": "2025-10-01"}))
    assert "This is not a clearance." in same
    assert "Report the end of the old job and register with the new employer" in same


@pytest.mark.parametrize(
    ("situation", "nationality", "expected"),
    [
        ("leaving_country", "prc_citizen", "Settling abroad while keeping PRC nationality"),
        ("leaving_country", "former_prc_citizen", "Loss of PRC nationality"),
        ("leaving_country", "foreign_national", "Foreign national leaving China"),
        ("leaving_country", "hmt_resident", "Hong Kong, Macao or Taiwan"),
        ("retired_with_minimum", "prc_citizen", "Claim the basic pension"),
        ("retired_short_of_minimum", "", "Too few contribution years"),
        ("died", "", "Balance paid to the heirs"),
        ("hukou_moved", "", "Transferred to the destination agency"),
    ],
)
def test_the_three_questions_lead_to_the_right_answer(situation, nationality, expected):
    params = {"situation": situation, "event_date": "2025-10-01"}
    if nationality:
        params["nationality"] = nationality
    assert expected in visible(get(params))


def test_settling_abroad_keeps_the_account():
    page = visible(get({"situation": "leaving_country", "nationality": "prc_citizen"}))
    assert "This is not a clearance." in page and "Keep the account" in page
    # No date entered: counted from today, and said so (a refusal has no time limits).
    page = visible(get({"reason": "foreigner_departure"}))
    assert "counted from today, 2025-11-14" in page


def test_leaving_the_country_needs_the_nationality():
    page = visible(get({"situation": "leaving_country", "event_date": "2025-10-01"}))
    assert "Say which nationality you hold" in page
    assert "Clearance applies." not in page and "This is not a clearance." not in page


def test_where_to_apply_names_the_region():
    page = visible(get({"reason": "death", "event_date": "2025-11-03", "region": "cn-bj"}))
    assert "At the social insurance agency of Beijing" in page


def test_bad_input_is_refused_on_the_form():
    response = get({"reason": "no_such_reason", "event_date": "2025-13-01"})
    page = visible(response)
    assert "Please correct the following" in page
    assert "Choose one of the listed options." in page and "Enter a valid date." in page
    assert "no_such_reason" not in page
    assert "Clearance applies." not in page
    # A unit's reason asked as a person's is not offered.
    assert "Please correct" in visible(get({"subject": "person", "reason": "dissolved"}))


def test_registration_duties_give_the_deadlines_and_the_consequences():
    """Established on Saturday 2025-11-01: registered within 30 days, by Monday
    2025-12-01 (SIL Art. 57); an employee hired on 2025-09-01 is registered within 30
    days: 10-01 is a holiday, so by 2025-10-09 (SIL Art. 58)."""
    page = visible(get({"established_on": "2025-11-01", "hired_on": "2025-09-01"}))
    assert "2025-12-01" in page and "2025-10-09" in page
    assert "Unit social insurance registration" in page
    assert "Register the employee for social insurance" in page
    assert "fined one to three times the premiums payable" in page  # SIL Art. 84
    assert "The agency assesses the premiums the unit should pay." in page


def test_htmx_gets_the_answer_alone():
    response = get(
        {"reason": "death", "event_date": "2025-11-03"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="answer",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="answer"')
    assert "2025-12-01" in html and "<html" not in html


def test_htmx_gets_the_registration_deadlines_alone():
    response = get({"hired_on": "2025-09-01"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="duties")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="duties"')
    assert "2025-10-09" in html and "<html" not in html


def test_the_chinese_page_shows_names_and_no_code():
    response = get(
        {"reason": "death", "event_date": "2025-11-03", "region": "cn-bj"}, language="zh-hans"
    )
    page = visible(response)
    assert "注销清算办事指南" in page or "办事指南" in page
    assert "个人账户余额由继承人一次性领取" in page
    assert "死亡证明" in page and "经办机构核查" in page
    assert "2025-12-01" in page and "北京市" in page
    for code in ("death", "lump_sum", "heirs", "checked_by_agency", "cn-bj", "unit_or_family"):
        assert code not in page, code
    for english in ("Clearance applies", "Time limits", "Materials", "If missed", "By "):
        assert english not in page, english
    duties = visible(get({"established_on": "2025-11-01"}, language="zh-hans"))
    assert "单位社会保险登记" in duties and "2025-12-01" in duties
    assert "unit_established" not in duties and "If missed" not in duties


def test_both_languages_link_the_guide_from_home_and_the_header():
    for language, label in (("en", "Clearance guide"), ("zh-hans", "办事指南")):
        home = Client(HTTP_ACCEPT_LANGUAGE=language).get("/").content.decode()
        assert home.count('href="/guide/"') == 2, language  # the header and the button
        assert label in home


@pytest.mark.parametrize("subject", ["person", "unit"])
def test_no_chinese_answer_shows_an_identifier(subject):
    policy = clearance_policy()
    reasons = [*policy.reasons_for(subject), *policy.refusals_for(subject)]
    for reason in reasons:
        params = {"subject": subject, "reason": reason.code, "event_date": "2025-10-01"}
        page = visible(get(params, language="zh-hans"))
        assert str(reason.names.zh) in page
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", page), (reason.code, page)
        assert reason.code not in page
