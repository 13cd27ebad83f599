"""The pack cites each rule to the text that sets it (corrected citations).

Sources: Labour Contract Law Art. 50 para 1 (the unit reports the end of employment and
transfers the file and the insurance relationship within 15 days); HR2023 Art. 10
(cancellation handled within 10 working days of receiving the application); HR2023
Arts. 36-37 (internal control: maker-checker, second approval); 人社厅发〔2017〕71号
(the 2016 bookkeeping rate, 8.31%); O16 Art. 5 (a foreign national may apply to end the
relationship, also after leaving China).
"""

from django.utils import translation

from shebao.policy import clearance, interest, packs


def _obligation(code):
    pack = packs.get_pack("cn-national")
    return pack.obligation_versions[code][-1]


def test_employment_end_report_is_labour_contract_law_art_50():
    """Regression: the employment-end report was cited to SIL Art. 50 (unemployment
    benefits), not to the Labour Contract Law."""
    basis = _obligation("employment_end_report").basis
    assert basis.code == "lcl_50_1"
    assert basis.text.en == "Labour Contract Law of the PRC, Art. 50 para 1"
    assert "劳动合同法" in basis.text.zh
    refusal = clearance.clearance_policy().refusals["job_change_same_region"]
    assert "sil_50" not in [c.code for c in refusal.basis]


def test_cancellation_handling_runs_from_receipt_of_the_application():
    """Regression: the agency's 10 working days ran from acceptance; HR2023 Art. 10 counts
    them from receipt of the application."""
    obligation = _obligation("cancellation_handling")
    assert obligation.basis.code == "hr2023_10"
    pack = packs.get_pack("cn-national")
    event = pack.events[obligation.from_event]
    assert event.names.en == "Cancellation application received"


def test_refunds_are_not_cited_to_the_whole_handling_regulations():
    """Regression: every refund case cited HR2023 as a whole."""
    for rule in clearance.clearance_policy().refund_cases:
        assert rule.basis.code != "hr2023", rule.code


def test_2016_rate_published_by_renshetingfa_2017_71():
    """Regression: the 2016 rate (8.31%) was cited to the 2017 unification measures."""
    rate = interest.interest_policy().rates[2016]
    assert str(rate.rate) == "0.0831"
    assert rate.basis.code == "rstf_2017_71"
    assert "人社厅发〔2017〕71号" in rate.basis.text.zh


def test_foreign_national_may_apply_after_leaving():
    """Regression: the pack said a foreign national applies before leaving China; O16
    Art. 5 sets no such condition."""
    policy = clearance.clearance_policy()
    reason = policy.reasons["foreigner_departure"]
    assert [c.code for c in reason.basis][0] == "o16_5"
    with translation.override("en"):
        for text in (str(reason.conditions), str(reason.disposition.text)):
            assert "before leaving" not in text.lower() or "also after" in text.lower()
            assert "after leaving" in text.lower()


def test_maker_checker_and_second_approval_cite_hr2023_arts_36_37():
    """Regression: the second approval was cited to an unnamed internal control."""
    basis = clearance.clearance_policy().disbursement.basis
    assert basis.code == "hr2023_36_37"
    assert basis.text.en.endswith("Arts. 36-37")


def test_a_case_counts_cancellation_handling_from_its_submission(db, make_user, settings, tmp_path):
    """Regression: a unit's cancellation handling started when the clerk accepted the
    application; HR2023 Art. 10 counts 10 working days from its receipt. Submitted on
    Friday 2025-09-26, accepted 2025-09-30: due on 2025-10-16 (10 working days across
    the National Day holiday), not later."""
    import datetime

    from shebao.clearance import selectors
    from shebao.clearance import services as clearance
    from shebao.core import clock
    from tests.clearance.conftest import PDF
    from tests.factories import World

    settings.MEDIA_ROOT = tmp_path / "media"
    clerk = make_user("cit-clerk", "clerk")
    with clock.frozen(datetime.date(2025, 9, 26)):
        unit = World(clerk).unit(established=datetime.date(2024, 1, 2))
        case = clearance.case_create(
            actor=clerk,
            subject_type="unit",
            subject_id=unit.pk,
            reason="dissolved",
            event_date="2025-09-20",
        )
        for item in selectors.materials_required(case):
            if item["required"] and not item.get("checked_by_agency"):
                clearance.material_add(
                    actor=clerk, case_id=case.pk, kind=item["code"], file_name="a.pdf", data=PDF
                )
        clearance.case_submit(actor=clerk, case_id=case.pk)
    with clock.frozen(datetime.date(2025, 9, 30)):
        clearance.case_accept(actor=clerk, case_id=case.pk)
    row = case.deadlines.get(code="cancellation_handling")
    assert row.start == datetime.date(2025, 9, 26)
    assert row.due_on == datetime.date(2025, 10, 16)
