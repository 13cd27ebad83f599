"""The guide with dates (inquiry.selectors.clearance_guide_on) and the questions that
lead a person to a reason (inquiry.domain.reason_for_answers)."""

import datetime

import pytest

from shebao.core.errors import InvalidInput
from shebao.inquiry import domain, selectors
from shebao.policy.clearance import clearance_policy

D = datetime.date


def test_every_answer_leads_to_a_reason_or_refusal_of_the_policy():
    policy = clearance_policy()
    for situation in domain.SITUATIONS:
        for nationality in (None, *domain.NATIONALITIES):
            code = domain.reason_for_answers(situation, nationality)
            assert policy.lookup("person", code).code == code


def test_leaving_the_country_depends_on_the_nationality():
    leaving = {n: domain.reason_for_answers("leaving_country", n) for n in domain.NATIONALITIES}
    assert leaving == {
        "prc_citizen": "settled_abroad_keeping_nationality",
        "former_prc_citizen": "lost_nationality",
        "foreign_national": "foreigner_departure",
        "hmt_resident": "hmt_resident_departure",
    }
    with pytest.raises(InvalidInput):
        selectors.reason_for_answers(situation="emigrated", nationality=None)


def test_limits_count_from_the_event_or_from_the_application():
    """A unit merged on 2025-09-20: it applies to cancel within 30 days, by Monday
    2025-10-20 (SIL Art. 57 para 2); an application received on 2025-10-10 is handled
    within 10 working days: 10-11 (Saturday, worked), 10-13 to 10-17, 10-20 to 10-23."""
    answer = selectors.clearance_guide_on(
        subject="unit", reason="merged", event_on=D(2025, 9, 20), applied_on=D(2025, 10, 10)
    )
    due = {limit.obligation.code: limit for limit in answer.time_limits}
    assert due["unit_change_or_cancellation"].due_on == D(2025, 10, 20)
    assert not due["unit_change_or_cancellation"].from_application
    assert due["cancellation_handling"].due_on == D(2025, 10, 23)
    assert due["cancellation_handling"].from_application
    assert [limit.due_on for limit in answer.time_limits] == sorted(
        limit.due_on for limit in answer.time_limits
    )
    assert not answer.calendar_fallback


def test_the_application_defaults_to_the_later_of_the_event_and_today():
    answer = selectors.clearance_guide_on(
        subject="person", reason="lost_nationality", event_on=D(2025, 1, 6)
    )
    assert answer.applied_on == D(2025, 11, 14)  # the test clock's today
    future = selectors.clearance_guide_on(
        subject="person", reason="lost_nationality", event_on=D(2025, 12, 1)
    )
    assert future.applied_on == D(2025, 12, 1)


def test_a_refusal_has_no_time_limits_and_a_date_out_of_range_is_refused():
    refusal = selectors.clearance_guide_on(
        subject="person", reason="job_change_same_region", event_on=D(2025, 10, 1)
    )
    assert refusal.guide.refused and refusal.time_limits == []
    with pytest.raises(InvalidInput):
        selectors.clearance_guide_on(subject="person", reason="death", event_on=D(1800, 1, 1))
