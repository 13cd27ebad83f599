"""Every kind of insured person at the end of the relationship (rules.md section 6):
residents of Hong Kong, Macao and Taiwan leaving the mainland (MOHRSS/NHSA Order 41
Art. 7), transfers within a province and the temporary account (TM2009 Arts. 4 and 5),
and the survivors' benefits of a death (SIL Arts. 17 and 49) with the death notification
that binds only for persons receiving benefits (HR2023 Art. 25)."""

import datetime
from decimal import Decimal

import pytest

from shebao.clearance import selectors
from shebao.clearance import services as clearance
from shebao.clearance.models import ClearanceCase, DisbursementOrder
from shebao.core.errors import InvalidInput
from shebao.registry import services as registry
from tests.clearance.conftest import drive, ok
from tests.factories import card, insured_id

pytestmark = pytest.mark.django_db
D = datetime.date


def _person_case(staff, person, reason, **extra):
    return clearance.case_create(
        actor=staff.clerk,
        subject_type="person",
        subject_id=person.pk,
        reason=reason,
        event_date=extra.pop("event_date", D(2025, 10, 1)),
        **extra,
    )


# Hong Kong, Macao and Taiwan residents ---------------------------------------------------


def test_a_hong_kong_resident_leaving_the_mainland_has_their_own_reason(staff, world):
    """O41 Art. 7: keep the account, or a lump sum on written application; the pack's
    clearance.yaml names the materials and the disposition."""
    unit = world.unit()
    person = world.employ(unit, serial=1, name="陳大文")
    hk = registry.person_register(
        actor=staff.clerk, name="陳小明", citizen_id=insured_id(3, area="810000")
    )
    assert hk.residency == "hk"
    registry.employment_register(
        actor=staff.clerk,
        unit_id=unit.pk,
        person_id=hk.pk,
        started_on=D(2024, 11, 1),
        monthly_wage=Decimal("8000.00"),
        registered_on=D(2024, 11, 1),
    )
    world.end(hk, unit, D(2025, 9, 30))
    case = _person_case(
        staff,
        hk,
        "hmt_resident_departure",
        payee={"name": "陳小明", "bank_account": card(3), "bank_name": "BOC"},
    )
    assert case.disposition == "lump_sum_or_keep_hmt" and case.payee_kind == "self"
    codes = {item.code for item in selectors.checklist(case)}
    assert {"hmt_identity_document", "termination_application", "own_bank_account"} <= codes
    assert "identity_document" not in codes

    # A mainland citizen is not a resident of Hong Kong, Macao or Taiwan.
    with pytest.raises(InvalidInput) as refused:
        _person_case(
            staff,
            person,
            "hmt_resident_departure",
            payee={"name": "陳大文", "bank_account": card(4), "bank_name": "BOC"},
        )
    assert "subject_id" in refused.value.fields


def test_a_foreign_permanent_resident_may_leave_as_a_foreigner(staff, world):
    """Regression: a foreign national identified by the 2023 permanent-residence ID was
    refused foreigner_departure as a 'PRC citizen'."""
    unit = world.unit()
    foreigner = registry.person_register(
        actor=staff.clerk,
        name="Anna Schmidt",
        citizen_id=insured_id(5, birth="19830806", area="911276"),
        nationality="DEU",
    )
    registry.employment_register(
        actor=staff.clerk,
        unit_id=unit.pk,
        person_id=foreigner.pk,
        started_on=D(2024, 11, 1),
        monthly_wage=Decimal("8000.00"),
        registered_on=D(2024, 11, 1),
    )
    world.end(foreigner, unit, D(2025, 9, 30))
    case = _person_case(
        staff,
        foreigner,
        "foreigner_departure",
        payee={"name": "Anna Schmidt", "bank_account": card(5), "bank_name": "BOC"},
    )
    assert case.disposition == "lump_sum_or_keep"
    with pytest.raises(InvalidInput):
        _person_case(staff, foreigner, "lost_nationality", acknowledged=True)


# Transfers -------------------------------------------------------------------------------


def _transfer(staff, person, destination, **extra):
    return _person_case(staff, person, "job_change", destination_region=destination, **extra)


def _statement_lines(staff, case, until="liquidated"):
    case = drive(staff, case.pk, until=until)
    return {line.code: line for line in selectors.statement_lines(selectors.latest_statement(case))}


def test_no_pooled_funds_move_within_a_province(staff, world):
    """TM2009 Art. 4: the 12% pooled part moves only between provinces. Guangzhou and
    Shenzhen are both in Guangdong (44): the province's rule (pack default, unverified)
    moves the account and the months, no pooled funds. Regression: 12% of 40,000.00 =
    4,800.00 was transferred."""
    unit = world.unit(region="cn-gd-gz")
    person = world.employ(unit, serial=21)
    for period in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05"):
        world.declare(unit, period, [(person, "8000.00")])
    world.end(person, unit, D(2025, 9, 30))
    case = _transfer(staff, person, "cn-gd-sz")
    lines = _statement_lines(staff, case)
    pooled = lines["pooled_fund_transfer"]
    assert pooled.amount == Decimal("0.00")
    assert pooled.basis == ("provincial_transfer_rule",)


def test_the_pooled_part_moves_between_provinces(staff, world):
    """TM2009 Art. 4, by hand: 5 months x 8,000.00 = 40,000.00 of 2025 wages x 12% =
    4,800.00 from Beijing (11) to Shanghai (31); the months are paid (the pooled part
    counts paid bases only, O20 Art. 13)."""
    unit = world.unit()
    person = world.employ(unit, serial=23)
    for period in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05"):
        world.declare(unit, period, [(person, "8000.00")])
    world.pay_all(unit, "POOLED-PAID")
    world.end(person, unit, D(2025, 9, 30))
    lines = _statement_lines(staff, _transfer(staff, person, "cn-sh"))
    assert lines["pooled_fund_transfer"].amount == Decimal("4800.00")


def _older_worker(world, unit, *, serial, birth):
    person = world.employ(unit, serial=serial)
    person.refresh_from_db()
    return person


def test_an_older_person_moving_province_gets_a_temporary_account(staff, world):
    """TM2009 Art. 5: a man of 50 or more (born 1970-01-01: 55 on 2025-10-01) moving to
    Shanghai, his household registration being in Beijing (11), gets a temporary account
    there; the relationship stays. The transfer is refused with that procedure."""
    unit = world.unit()
    employment = registry.employment_register(
        actor=staff.clerk,
        unit_id=unit.pk,
        citizen_id=insured_id(31, birth="19700101"),
        name="老王",
        started_on=D(2024, 11, 1),
        monthly_wage=Decimal("8000.00"),
        registered_on=D(2024, 11, 1),
    )
    person = employment.person
    world.end(person, unit, D(2025, 9, 30))

    with pytest.raises(InvalidInput) as unknown:
        _transfer(staff, person, "cn-sh")
    assert unknown.value.code == "hukou_province_unknown"

    registry.person_facts_record(actor=staff.clerk, person_id=person.pk, hukou_province="11")
    with pytest.raises(InvalidInput) as refused:
        _transfer(staff, person, "cn-sh")
    assert refused.value.code == "not_a_clearance"
    assert "temporary" in str(refused.value.message)
    assert not ClearanceCase.objects.filter(person=person).exists()

    # Moving to the province of his household registration, the relationship moves.
    registry.person_facts_record(actor=staff.clerk, person_id=person.pk, hukou_province="31")
    case = _transfer(staff, person, "cn-sh")
    assert case.disposition == "transfer_to_destination"


def test_a_woman_under_forty_moves_her_relationship(staff, world):
    """TM2009 Art. 5 counts from 40 for women: born 1986-01-02, she is 39 on 2025-10-01."""
    unit = world.unit()
    employment = registry.employment_register(
        actor=staff.clerk,
        unit_id=unit.pk,
        citizen_id=insured_id(32, birth="19860102"),
        name="小李",
        started_on=D(2024, 11, 1),
        monthly_wage=Decimal("8000.00"),
        registered_on=D(2024, 11, 1),
    )
    world.end(employment.person, unit, D(2025, 9, 30))
    case = _transfer(staff, employment.person, "cn-sh")
    assert case.disposition == "transfer_to_destination"


# Death -----------------------------------------------------------------------------------


def _heirs():
    return [
        {
            "name": "Heir One",
            "citizen_id": insured_id(501),
            "share_percent": "60",
            "bank_account": card(61),
            "bank_name": "ICBC",
        },
        {
            "name": "Heir Two",
            "citizen_id": insured_id(502),
            "share_percent": "40",
            "bank_account": card(62),
            "bank_name": "BOC",
        },
    ]


def test_a_death_pays_the_survivors_benefits_from_the_pooled_fund(staff, worker):
    """SIL Art. 17: besides the inherited balance, the funeral grant (Beijing 5,000.00,
    unverified) and the survivors' pension (Beijing sample 24,366.00) from the pooled
    fund, one funeral grant only (SIL Art. 49). By hand: 29,366.00 split 60/40 =
    17,619.60 and 11,746.40 from the pooled fund."""
    case = _person_case(staff, worker.person, "death", heirs=_heirs())
    lines = _statement_lines(staff, case, until="disbursed")
    grant, pension = lines["funeral_grant"], lines["survivors_pension"]
    assert grant.amount == Decimal("5000.00")
    assert {"sil_17", "sil_49"} <= set(grant.basis)
    assert "unverified" in grant.rule_en
    assert pension.amount == Decimal("24366.00") and "sample" in pension.rule_en
    assert [code for code in lines if code == "funeral_grant"] == ["funeral_grant"]

    orders = DisbursementOrder.objects.filter(case_id=case.pk).order_by("slot")
    assert [o.parts.get("pooled") for o in orders] == ["17619.60", "11746.40"]


def test_only_one_funeral_grant_where_several_schemes_qualify():
    """SIL Art. 49: pension 5,000.00 and work injury 8,000.00 both qualify: one line, the
    higher one, naming the other as not paid."""
    from shebao.clearance import domain

    lines = domain.survivors_lines(
        funeral_grants={
            "pension": (Decimal("5000.00"), "s", False, True),
            "work_injury": (Decimal("8000.00"), "s", True, True),
        },
        survivors_pension=None,
        basis=["sil_17"],
        one_grant_basis=["sil_49"],
    )
    [grant] = lines
    assert grant.amount == Decimal("8000.00")
    assert grant.detail["scheme"] == "work_injury" and grant.detail["not_paid"] == ["pension"]
    assert grant.basis == ("sil_17", "sil_49")


def test_the_death_notification_binds_only_for_benefit_recipients(api, staff, world):
    """HR2023 Art. 25: the 20 working days to report a death apply to persons receiving
    benefits. Regression: every death case showed the limit, overdue for a worker who
    received none. A pensioner's death (benefits since 2015) keeps it: died Monday
    2025-09-01, due 2025-09-28 (an adjusted working Sunday)."""
    unit = world.unit()
    worker = world.employ(unit, serial=41)
    pensioner = world.employ(unit, serial=43)
    registry.person_facts_record(
        actor=staff.clerk, person_id=pensioner.pk, benefits_since="2015-01-01"
    )
    bodies = {}
    for person in (worker, pensioner):
        created = api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "person",
                "subject_id": person.pk,
                "reason": "death",
                "event_date": "2025-09-01",
                "heirs": [{**_heirs()[0], "share_percent": "100"}],
            },
        )
        bodies[person.pk] = ok(created, 201)
    worker_codes = [d["code"] for d in bodies[worker.pk]["deadlines"]]
    assert "death_notification" not in worker_codes
    assert "cancellation_handling" in worker_codes
    notification = next(
        d for d in bodies[pensioner.pk]["deadlines"] if d["code"] == "death_notification"
    )
    assert notification["due_on"] == "2025-09-28"
    overdue = ok(api.supervisor.get("clearance-deadlines"))["items"]
    assert [(r["case_id"], r["code"]) for r in overdue] == [
        (bodies[pensioner.pk]["id"], "death_notification")
    ]


def test_the_public_time_limit_says_whom_it_binds(anon):
    answer = anon.get("obligations", {"event": "death", "date": "2025-09-01"}).json()
    [item] = answer["obligations"]
    assert item["code"] == "death_notification"
    assert item["applies_to"] == "Only persons receiving social insurance benefits"
