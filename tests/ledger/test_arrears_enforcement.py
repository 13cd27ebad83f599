"""Arrears enforcement, with figures computed by hand from their sources.

Regression: arrears were only ever shown. The agency now issues a notice to pay within
5 working days of finding them and the unit pays within 5 working days of receiving it
(MOHRSS Order 20 Art. 16); past that, a fine of one to three times the arrears (SIL
Art. 86) is proposed to a supervisor. A unit that never declared had nothing assessed;
the agency now assesses it from its staff and their wages (CR Art. 10 para 2).
"""

import datetime
from decimal import Decimal as D

import pytest

from shebao.audit.models import AuditEvent
from shebao.core import clock
from shebao.ledger import declarations, services
from shebao.ledger.models import ArrearsFineProposal, ArrearsNotice, Declaration
from shebao.registry import services as registry
from tests.factories import citizen_id, registered_unit

TODAY = datetime.date(2025, 11, 14)  # a Friday


def post(staff, unit, period, lines):
    checked = declarations.check_lines(unit, period, lines, today=TODAY)
    assert checked.errors == []
    return services.declarations_post(actor=staff, declarations=[checked])[0]


@pytest.fixture
def unit_owing(staff, unit_with_staff):
    """Beijing 2025-03 declared for one person at 10,000.00: 3,703.00 (see
    test_regional_rates), due 2025-03-31 and never paid."""
    unit, _people = unit_with_staff
    declaration = post(staff, unit, "2025-03", [(1, citizen_id(11), "10000.00")])
    assert declaration.total_due == D("3703.00")
    return unit


# Obligations ----------------------------------------------------------------------------


def test_both_periods_are_obligations_of_5_working_days(anon, db):
    """Found on Friday 2025-11-14: the notice is due on Friday 2025-11-21. A notice
    received on Friday 2025-09-26 is paid by 2025-10-10: Sunday 09-28 is a working day,
    10-01 to 10-08 are the National Day holidays, so 09-28, 09-29, 09-30, 10-09, 10-10."""
    found = anon.get("obligations", {"event": "arrears_found", "date": "2025-11-14"}).json()
    [notice] = found["obligations"]
    assert (notice["code"], notice["who"], notice["days"], notice["day_kind"]) == (
        "arrears_notice",
        "agency",
        5,
        "working",
    )
    assert notice["due_on"] == "2025-11-21"
    received = anon.get(
        "obligations", {"event": "arrears_notice_received", "date": "2025-09-26"}
    ).json()
    [payment] = received["obligations"]
    assert (payment["code"], payment["who"], payment["due_on"]) == (
        "arrears_payment",
        "unit",
        "2025-10-10",
    )


# Notices ---------------------------------------------------------------------------------


def test_a_notice_records_the_arrears_and_its_deadlines_and_prints(api_as, unit_owing, anon):
    """On 2025-11-14 the March premiums are 228 days late (from 2025-04-01):
    3,703.00 x 0.05% x 228 = 422.142, so 422.14 (SIL Art. 86). Found on Monday
    2025-11-10, the notice was due 2025-11-17; issued on 2025-11-14, it is on time; the
    unit pays by Friday 2025-11-21."""
    clerk = api_as("clerk")
    answer = clerk.post(f"units/{unit_owing.pk}/arrears-notices", {"found_on": "2025-11-10"})
    assert answer.status_code == 201, answer.json()
    notice = answer.json()
    assert (notice["principal"], notice["late_fee"]) == ("3703.00", "422.14")
    assert notice["items"] == [
        {"period": "2025-03", "due_on": "2025-03-31", "principal": "3703.00", "late_fee": "422.14"}
    ]
    assert (notice["found_on"], notice["notice_due_on"], notice["issued_on"]) == (
        "2025-11-10",
        "2025-11-17",
        "2025-11-14",
    )
    assert notice["issued_late"] is False and notice["payment_due_on"] == "2025-11-21"
    assert AuditEvent.objects.filter(action="ledger.arrears_notice_issued").count() == 1

    pdf = clerk.get(f"units/{unit_owing.pk}/arrears-notices/{notice['id']}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    code = notice["verification_code"].replace("-", "")
    checked = anon.get(f"certificates/{code}").json()
    assert checked["valid"] is True and checked["kind"] == "arrears_notice"


def test_a_notice_issued_more_than_5_working_days_after_finding_is_marked_late(api_as, unit_owing):
    answer = api_as("clerk").post(
        f"units/{unit_owing.pk}/arrears-notices", {"found_on": "2025-11-04"}
    )
    assert answer.json()["notice_due_on"] == "2025-11-11"
    assert answer.json()["issued_late"] is True


def test_no_second_notice_while_the_first_ones_period_runs(api_as, unit_owing):
    clerk = api_as("clerk")
    assert clerk.post(f"units/{unit_owing.pk}/arrears-notices", {}).status_code == 201
    again = clerk.post(f"units/{unit_owing.pk}/arrears-notices", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "notice_running"
    assert ArrearsNotice.objects.count() == 1


def test_no_notice_without_overdue_arrears(api_as, unit_with_staff):
    unit, _people = unit_with_staff
    answer = api_as("clerk").post(f"units/{unit.pk}/arrears-notices", {})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "no_arrears"
    assert not ArrearsNotice.objects.exists()


def test_a_found_date_in_the_future_is_refused(api_as, unit_owing):
    answer = api_as("clerk").post(
        f"units/{unit_owing.pk}/arrears-notices", {"found_on": "2025-11-20"}
    )
    assert answer.status_code == 422 and "found_on" in answer.json()["error"]["fields"]
    assert not ArrearsNotice.objects.exists()


# Fines -----------------------------------------------------------------------------------


def issue(api_as, unit):
    answer = api_as("clerk").post(f"units/{unit.pk}/arrears-notices", {})
    assert answer.status_code == 201
    return answer.json()


def test_a_fine_is_proposed_only_after_the_payment_period(api_as, unit_owing):
    notice = issue(api_as, unit_owing)
    early = api_as("finance").post(f"arrears-notices/{notice['id']}/fine-proposal", {})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "payment_period_running"
    assert not ArrearsFineProposal.objects.exists()


def test_past_the_deadline_a_fine_of_1_to_3_times_is_proposed_and_a_supervisor_decides(
    api_as, unit_owing
):
    """Unpaid 3,703.00 after 2025-11-21: the fine lies between 3,703.00 and 11,109.00."""
    notice = issue(api_as, unit_owing)
    with clock.frozen(datetime.date(2025, 11, 24)):
        finance = api_as("finance")
        proposed = finance.post(
            f"arrears-notices/{notice['id']}/fine-proposal", {"reason": "no payment"}
        )
        assert proposed.status_code == 201, proposed.json()
        fine = proposed.json()
        assert (fine["arrears"], fine["minimum"], fine["maximum"], fine["status"]) == (
            "3703.00",
            "3703.00",
            "11109.00",
            "pending",
        )
        # Finance may not decide; the supervisor must stay within the range and say why.
        assert (
            finance.post(
                f"arrears-fines/{fine['id']}/decision",
                {"decision": "approve", "amount": "5000.00", "reasons": "r"},
            ).status_code
            == 403
        )
        supervisor = api_as("supervisor")
        too_much = supervisor.post(
            f"arrears-fines/{fine['id']}/decision",
            {"decision": "approve", "amount": "11109.01", "reasons": "repeated"},
        )
        assert too_much.status_code == 422 and "amount" in too_much.json()["error"]["fields"]
        no_reasons = supervisor.post(
            f"arrears-fines/{fine['id']}/decision",
            {"decision": "approve", "amount": "7406.00", "reasons": ""},
        )
        assert no_reasons.status_code == 422
        assert ArrearsFineProposal.objects.get().status == "pending"
        approved = supervisor.post(
            f"arrears-fines/{fine['id']}/decision",
            {"decision": "approve", "amount": "7406.00", "reasons": "twice the arrears"},
        )
        assert approved.status_code == 200, approved.json()
        assert (approved.json()["status"], approved.json()["amount"]) == ("approved", "7406.00")
        again = supervisor.post(
            f"arrears-fines/{fine['id']}/decision", {"decision": "dismiss", "reasons": "x"}
        )
        assert again.status_code == 409
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"ledger.arrears_fine_proposed", "ledger.arrears_fine_approved"} <= actions
    listed = api_as("supervisor").get(f"units/{unit_owing.pk}/arrears-notices").json()
    assert listed["items"][0]["fine"]["status"] == "approved"


def test_a_supervisor_may_dismiss_but_never_decide_their_own_proposal(api_as, unit_owing):
    notice = issue(api_as, unit_owing)
    with clock.frozen(datetime.date(2025, 11, 24)):
        proposer = api_as("supervisor")
        fine = proposer.post(f"arrears-notices/{notice['id']}/fine-proposal", {}).json()
        own = proposer.post(
            f"arrears-fines/{fine['id']}/decision", {"decision": "dismiss", "reasons": "x"}
        )
        assert own.status_code == 403
        other = api_as("supervisor")
        with_amount = other.post(
            f"arrears-fines/{fine['id']}/decision",
            {"decision": "dismiss", "amount": "3703.00", "reasons": "paid by instalments"},
        )
        assert with_amount.status_code == 422
        dismissed = other.post(
            f"arrears-fines/{fine['id']}/decision",
            {"decision": "dismiss", "reasons": "paid by instalments"},
        )
        assert dismissed.status_code == 200
        assert (dismissed.json()["status"], dismissed.json()["amount"]) == ("dismissed", None)


def test_no_fine_once_the_arrears_are_paid(api_as, staff, unit_owing, finance_officer):
    notice = issue(api_as, unit_owing)
    with clock.frozen(datetime.date(2025, 11, 20)):
        services.payment_record(
            actor=finance_officer,
            unit_id=unit_owing.pk,
            amount=D("3703.00"),
            paid_on=datetime.date(2025, 11, 20),
            reference="B-PAID",
        )
    with clock.frozen(datetime.date(2025, 11, 24)):
        answer = api_as("finance").post(f"arrears-notices/{notice['id']}/fine-proposal", {})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "arrears_paid"


def test_a_unit_representative_sees_only_their_own_units_notices(
    api_as, make_user, staff, unit_owing
):
    notice = issue(api_as, unit_owing)
    other = registered_unit(staff, serial=41, name="Other Works")
    rep = make_user("otherrep", "unit_rep")
    registry.unit_representative_add(actor=staff, unit_id=other.pk, user=rep)
    client = api_as("unit_rep", user=rep)
    assert client.get(f"units/{unit_owing.pk}/arrears-notices/{notice['id']}.pdf").status_code in (
        403,
        404,
    )
    assert client.get(f"units/{other.pk}/arrears-notices/{notice['id']}").status_code == 404


# Assessment without a previous month -----------------------------------------------------


def test_a_unit_that_never_declared_is_assessed_from_its_staff_and_wages(
    staff, unit_with_staff, finance_officer
):
    """CR Art. 10 para 2. 2025-04 in Beijing (2024 limits 7,162.00-35,811.00): wages
    8,000.00, 3,000.00 and 60,000.00 give bases 8,000.00, 7,162.00 and 35,811.00.
    Unit parts (16% + 9.8% + 0.5% + 0.2%): 2,120.00 + 1,897.93 + 9,489.92 = 13,507.85.
    Personal parts (8% + 2% + 3.00 + 0.5%): 843.00 + 755.01 + 3,763.16 = 5,361.17.
    Total 18,869.02."""
    unit, _people = unit_with_staff
    [assessed] = services.declarations_assess(actor=finance_officer, period="2025-04")
    assert assessed.kind == Declaration.Kind.ASSESSED and assessed.unit_id == unit.pk
    assert assessed.line_count == 3
    assert (assessed.unit_total, assessed.personal_total) == (D("13507.85"), D("5361.17"))
    assert assessed.total_due == D("18869.02")
    assert "staff and wages" in assessed.entry.memo
    # The month after is 110% of this one (SIL Art. 62), not assessed from staff again.
    [may] = services.declarations_assess(actor=finance_officer, period="2025-05")
    assert "1.10 x 2025-04" in may.entry.memo


def test_a_unit_without_staff_or_without_a_class_is_not_assessed_from_staff(
    staff, db, finance_officer
):
    registered_unit(staff, serial=42, name="Empty Works")
    unclassed = registered_unit(staff, serial=43, name="Unclassed Works", industry_class=None)
    registry.employment_register(
        actor=staff,
        unit_id=unclassed.pk,
        citizen_id=citizen_id(44),
        name="P44",
        started_on=datetime.date(2025, 1, 2),
        monthly_wage=D("9000.00"),
        registered_on=datetime.date(2025, 1, 10),
    )
    assert services.declarations_assess(actor=finance_officer, period="2025-04") == []
    event = AuditEvent.objects.filter(action="ledger.undeclared_assessed").get()
    assert event.data["not_assessed"] == [
        {"unit_id": unclassed.pk, "code": "industry_class_missing"}
    ]


def test_an_approved_fine_is_posted_as_the_units_fine_once(api_as, staff, unit_owing):
    """Regression: an approved fine proposal posted no fine, so nothing stood in the way
    of the unit's cancellation. The approval of 7,406.00 (twice the 3,703.00 unpaid, SIL
    Art. 86) now posts the unit's fine, as ``POST /unit-fines`` does, linked to the
    proposal, exactly once."""
    from shebao.clearance import selectors as clearance_selectors
    from shebao.clearance.models import UnitFine
    from shebao.clearance.services import arrears_fine_post

    notice = issue(api_as, unit_owing)
    with clock.frozen(datetime.date(2025, 11, 24)):
        fine = api_as("finance").post(f"arrears-notices/{notice['id']}/fine-proposal", {}).json()
        assert fine["fine_id"] is None
        supervisor = api_as("supervisor")
        approved = supervisor.post(
            f"arrears-fines/{fine['id']}/decision",
            {"decision": "approve", "amount": "7406.00", "reasons": "twice the arrears"},
        )
        assert approved.status_code == 200, approved.json()
        posted = UnitFine.objects.get()
        assert approved.json()["fine_id"] == posted.pk
        assert (posted.unit_id, posted.amount, posted.status) == (
            unit_owing.pk,
            D("7406.00"),
            "outstanding",
        )
        assert posted.proposal_id == fine["id"]
        assert posted.decided_on == datetime.date(2025, 11, 24)
        assert clearance_selectors.outstanding_fines(unit_owing) == [posted]
        # Posting again (a repeated signal) gives back the same fine.
        proposal = ArrearsFineProposal.objects.get()
        assert arrears_fine_post(actor=proposal.decided_by, proposal=proposal) == posted
        again = supervisor.post(
            f"arrears-fines/{fine['id']}/decision",
            {"decision": "approve", "amount": "7406.00", "reasons": "twice the arrears"},
        )
        assert again.status_code == 409
    assert UnitFine.objects.count() == 1
    assert AuditEvent.objects.filter(action="clearance.fine_recorded").count() == 1
    listed = api_as("supervisor").get("arrears-fines").json()
    assert listed["items"][0]["fine_id"] == posted.pk


def test_a_dismissed_fine_posts_nothing(api_as, unit_owing):
    from shebao.clearance.models import UnitFine

    notice = issue(api_as, unit_owing)
    with clock.frozen(datetime.date(2025, 11, 24)):
        fine = api_as("finance").post(f"arrears-notices/{notice['id']}/fine-proposal", {}).json()
        dismissed = api_as("supervisor").post(
            f"arrears-fines/{fine['id']}/decision", {"decision": "dismiss", "reasons": "paid"}
        )
        assert dismissed.status_code == 200 and dismissed.json()["fine_id"] is None
    assert not UnitFine.objects.exists()
