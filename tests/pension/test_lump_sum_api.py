"""The lump sum for too few years only at statutory retirement age (issue 8 item 1), and
contribution periods from elsewhere (issue 8 item 9), through the API.

Regression: a man born 1980-01-01 (45 in 2025) opened ``insufficient_years_at_retirement``
and was paid 3,200.00 out of his account; the account may not be drawn before retirement
age (SIL Art. 14; SIL Art. 16; O13 Art. 3; ages of RA2024)."""

import datetime
from decimal import Decimal

from shebao.audit.models import AuditEvent
from shebao.clearance.models import CaseEvent, ClearanceCase
from shebao.ledger.models import Account
from shebao.registry import services as registry
from tests.clearance.conftest import ok
from tests.factories import card, insured_id

D = datetime.date


def lump_sum(person, event_date="2025-10-01"):
    return {
        "subject_type": "person",
        "subject_id": person.pk,
        "reason": "insufficient_years_at_retirement",
        "event_date": event_date,
        "acknowledged": True,
        "payee": {"name": person.name, "bank_account": card(9), "bank_name": "CCB"},
    }


def counts():
    return (ClearanceCase.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count())


def retiree(world, unit, *, serial, birth, months=("2025-01", "2025-02", "2025-03")):
    """An employee born on ``birth`` (YYYYMMDD) with a few months declared at 8,000.00
    and paid (only paid months count, SIL Art. 16)."""
    employment = registry.employment_register(
        actor=world.clerk,
        unit_id=unit.pk,
        citizen_id=insured_id(serial, birth=birth),
        name=f"Retiree {serial}",
        started_on=D(2024, 11, 1),
        monthly_wage="8000.00",
        registered_on=D(2024, 11, 1),
    )
    for period in months:
        world.declare(unit, period, [(employment.person, "8000.00")])
    if months:
        world.pay_all(unit, f"PAID-{serial}")
    return employment.person


def test_a_man_of_45_is_refused_the_lump_sum(api, worker):
    """The reported case. RA2024: born 1980-01 -> 63, reached 2043-01-01; the refusal
    names the date, that the account is kept (SIL Art. 14), and O13 Art. 2's extended
    contributions or the residents' scheme; nothing is recorded."""
    before = counts()
    response = api.clerk.post("clearance-cases", lump_sum(worker.person))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "below_retirement_age"
    assert "2043-01-01" in error["message"] and "63 years and 0 months" in error["message"]
    assert "Art. 14" in error["message"] and "Order 13 (2011), Art. 2" in error["message"]
    assert "residents' pension scheme" in error["message"]
    assert "2043-01-01" in error["fields"]["reason"]
    assert counts() == before


def test_the_refusal_in_chinese(api_as, staff, worker):
    """The same refusal in the user's language (zh-hans): the date and the sources."""
    client = api_as("clerk", user=staff.clerk, language="zh-hans")
    error = client.post("clearance-cases", lump_sum(worker.person)).json()["error"]
    assert error["code"] == "below_retirement_age"
    assert "尚未达到法定退休年龄" in error["message"] and "2043-01-01" in error["message"]
    assert "第十四条" in error["message"] and "第二条" in error["message"]
    assert "below_retirement_age" not in error["message"]


def test_a_woman_past_her_default_age_opens_a_case(api, world):
    """A woman born 1965-06-01 (default: worker, 50; Guofa [1978] No. 104) reached
    retirement age on 2015-06-01; 3 months < 180 (SIL Art. 16): the case opens."""
    unit = world.unit()
    person = retiree(world, unit, serial=102, birth="19650601")
    assert person.sex == "F"
    body = ok(api.clerk.post("clearance-cases", lump_sum(person)), 201)
    assert "alternatives_acknowledgement" in [m["code"] for m in body["materials_required"]]


def test_a_recorded_cadre_is_still_below_age(api, world):
    """A woman born 1970-12-02, recorded as a cadre (55 -> RA2024 table 2: born 1970-09..12
    -> 55y3m) reaches retirement age on 2026-03-02: refused until then; as a worker
    (default) she reached 50 in 2020."""
    unit = world.unit()
    person = retiree(world, unit, serial=122, birth="19701202")
    body = api.clerk.post(
        f"persons/{person.pk}/retirement-category", {"retirement_category": "female_cadre"}
    )
    assert body.status_code == 200, body.json()
    assert body.json()["reaches_retirement_age_on"] == "2026-03-02"
    response = api.clerk.post("clearance-cases", lump_sum(person))
    assert response.status_code == 409 and "2026-03-02" in response.json()["error"]["message"]
    # The audit trail holds the change of category.
    assert AuditEvent.objects.filter(action="person.retirement_category_set").count() == 1


def test_the_category_must_fit_the_sex(api, worker):
    response = api.clerk.post(
        f"persons/{worker.person.pk}/retirement-category",
        {"retirement_category": "female_cadre"},
    )
    assert response.status_code == 422
    assert "retirement_category" in response.json()["error"]["fields"]


def test_event_date_before_retirement_age_is_refused(api, world):
    """Born 1965-06-01 (woman worker, 50): the event cannot be before 2015-06-01."""
    unit = world.unit()
    person = retiree(world, unit, serial=132, birth="19650601")
    response = api.clerk.post("clearance-cases", lump_sum(person, event_date="2015-05-31"))
    assert response.status_code == 422 and "event_date" in response.json()["error"]["fields"]


def test_retirement_with_enough_months_is_a_pension_claim(api, world):
    """Months from every source add up (SIL Arts. 13, 16, 19): a man born 1960-03-01
    (60 in 2020, minimum 180) with 3 local months and 177 deemed months claims a
    pension; with 176 deemed months he may take the lump sum."""
    unit = world.unit()
    person = retiree(world, unit, serial=142, birth="19600301")
    ok(
        api.clerk.post(
            f"persons/{person.pk}/deemed-periods",
            {"from_month": "1978-01", "to_month": "1992-08", "basis": "Personnel file, p. 3"},
        ),
        201,
    )  # 1978-01..1992-08: 14 x 12 + 8 = 176 months
    body = ok(api.clerk.get(f"persons/{person.pk}/retirement"))
    assert body["contribution_months"] == {
        "local": 3,
        "transferred": 0,
        "deemed": 176,
        "total": 179,
    }
    assert body["lump_sum"]["outcome"] == "lump_sum_allowed"
    ok(
        api.clerk.post(
            f"persons/{person.pk}/transfers-in",
            {
                "sending_region": "Tianjin",
                "reference": "TJ-2024-001",
                "received_on": "2025-10-10",
                "months": ["1993-01"],
                "account_amount": "640.00",
            },
        ),
        201,
    )
    response = api.clerk.post("clearance-cases", lump_sum(person))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_a_clearance"
    assert "Claim the basic pension" in error["fields"]["reason"]


def test_the_demo_like_refusal_is_visible_through_the_api(api, worker):
    """GET /persons/{id}/retirement shows why a lump sum is refused."""
    body = ok(api.clerk.get(f"persons/{worker.person.pk}/retirement"))
    assert body["lump_sum"] == {
        "outcome": "below_retirement_age",
        "allowed": False,
        "explanation": body["lump_sum"]["explanation"],
    }
    assert body["reaches_retirement_age_on"] == "2043-01-01"
    assert body["retirement_age"] == {"years": 63, "months": 0}
    assert body["minimum_contribution_months"] == 240
    assert body["retirement_category"] == "male" and not body["retirement_category_recorded"]


def test_registration_records_the_category(api):
    body = ok(
        api.clerk.post(
            "persons",
            {
                "citizen_id": insured_id(152, birth="19720305"),
                "name": "Cadre",
                "retirement_category": "female_cadre",
            },
        ),
        201,
    )
    assert body["sex"] == "F" and body["retirement_category"] == "female_cadre"
    wrong = api.clerk.post(
        "persons",
        {
            "citizen_id": insured_id(162, birth="19720305"),
            "name": "X",
            "retirement_category": "male",
        },
    )
    assert wrong.status_code == 422 and "retirement_category" in wrong.json()["error"]["fields"]


# Contribution periods from elsewhere (issue 8 item 9) ---------------------------------


def test_a_transfer_in_credits_the_account_and_counts_its_months(api, worker):
    """SIL Art. 19 (cumulative) and TM2009 Art. 4, as the sending agency reports them: 24
    months at 8,000.00 from Tianjin, the account 24 x 8% x 8,000.00 = 15,360.00 and the
    pooled part 12% x 24 x 8,000.00 = 23,040.00. The account: 5 x 640.00 = 3,200.00 +
    15,360.00 = 18,560.00; months 5 + 24 = 29 on the account and the rights statement."""
    pool_before = Account.objects.get(code="POOL:pension").balance
    months = [f"2022-{m:02d}" for m in range(1, 13)] + [f"2023-{m:02d}" for m in range(1, 13)]
    body = ok(
        api.clerk.post(
            f"persons/{worker.person.pk}/transfers-in",
            {
                "sending_region": "Tianjin",
                "sending_agency": "Tianjin Social Insurance Centre",
                "reference": "TJ-2024-118",
                "received_on": "2025-10-10",
                "months": months,
                "account_amount": "15360.00",
                "pooled_amount": "23040.00",
            },
        ),
        201,
    )
    assert body["months"] == 24 and body["account_amount"] == "15360.00"
    account = ok(api.clerk.get(f"persons/{worker.person.pk}/account"))
    assert account["balance"] == "18560.00"
    assert account["contribution_months"] == 29
    assert account["contribution_months_by_source"] == {
        "local": 5,
        "transferred": 24,
        "deemed": 0,
        "total": 29,
    }
    statement = ok(api.clerk.get(f"persons/{worker.person.pk}/statement"))
    assert statement["contribution_months"] == 29
    pool_after = Account.objects.get(code="POOL:pension").balance
    assert pool_after - pool_before == Decimal("-23040.00")  # credit-normal
    assert AuditEvent.objects.filter(action="pension.transfer_in_recorded").count() == 1


def test_a_transfer_reported_as_a_count(api, worker):
    body = ok(
        api.clerk.post(
            f"persons/{worker.person.pk}/transfers-in",
            {
                "sending_region": "Hebei",
                "reference": "HB-7",
                "received_on": "2025-10-10",
                "month_count": 36,
                "account_amount": "0.00",
            },
        ),
        201,
    )
    assert body["months"] == 36
    assert ok(api.clerk.get(f"persons/{worker.person.pk}/account"))["contribution_months"] == 41


def test_a_month_is_never_counted_twice(api, worker):
    """A transfer listing a month declared here, or a deemed period over a transferred
    month, is refused (409) and changes nothing."""
    before = (AuditEvent.objects.count(), Account.objects.count())
    response = api.clerk.post(
        f"persons/{worker.person.pk}/transfers-in",
        {
            "sending_region": "Tianjin",
            "reference": "TJ-1",
            "received_on": "2025-10-10",
            "months": ["2024-10", "2024-11"],
            "account_amount": "100.00",
        },
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "months_already_counted" and "2024-11" in error["message"]
    assert (AuditEvent.objects.count(), Account.objects.count()) == before
    ok(
        api.clerk.post(
            f"persons/{worker.person.pk}/deemed-periods",
            {"from_month": "1990-01", "to_month": "1990-12", "basis": "Archive"},
        ),
        201,
    )
    again = api.clerk.post(
        f"persons/{worker.person.pk}/deemed-periods",
        {"from_month": "1990-12", "to_month": "1991-03", "basis": "Archive"},
    )
    assert again.status_code == 409 and "1990-12" in again.json()["error"]["message"]


def test_the_same_transfer_document_twice_is_refused(api, worker):
    payload = {
        "sending_region": "Tianjin",
        "reference": "TJ-9",
        "received_on": "2025-10-10",
        "month_count": 2,
        "account_amount": "100.00",
    }
    ok(api.clerk.post(f"persons/{worker.person.pk}/transfers-in", payload), 201)
    again = api.clerk.post(f"persons/{worker.person.pk}/transfers-in", payload)
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_transfer_in"
    account = ok(api.clerk.get(f"persons/{worker.person.pk}/account"))
    assert account["balance"] == "3300.00"


def test_bad_periods_name_their_fields(api, worker):
    response = api.clerk.post(
        f"persons/{worker.person.pk}/deemed-periods",
        {"from_month": "1992-13", "to_month": "2030-01", "basis": ""},
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"from_month", "to_month", "basis"}
    both = api.clerk.post(
        f"persons/{worker.person.pk}/transfers-in",
        {
            "sending_region": "X",
            "reference": "Y",
            "received_on": "2025-10-10",
            "months": ["2020-01"],
            "month_count": 1,
            "account_amount": "1e3",
        },
    )
    assert both.status_code == 422
    assert set(both.json()["error"]["fields"]) == {"month_count", "account_amount"}


def test_only_staff_record_periods(api_as, worker):
    person_client = api_as("person")
    response = person_client.post(
        f"persons/{worker.person.pk}/deemed-periods",
        {"from_month": "1990-01", "to_month": "1990-12", "basis": "Archive"},
    )
    assert response.status_code == 403
    auditor = api_as("auditor")
    response = auditor.post(
        f"persons/{worker.person.pk}/deemed-periods",
        {"from_month": "1990-01", "to_month": "1990-12", "basis": "Archive"},
    )
    assert response.status_code == 403


def test_a_repeated_transfer_with_its_idempotency_key_credits_once(api, worker):
    """A money-moving write: the same Idempotency-Key answers the first result."""
    payload = {
        "sending_region": "Tianjin",
        "reference": "TJ-IDEM",
        "received_on": "2025-10-10",
        "month_count": 3,
        "account_amount": "1920.00",
    }
    url = f"persons/{worker.person.pk}/transfers-in"
    first = ok(api.clerk.post(url, payload, headers={"Idempotency-Key": "k-1"}), 201)
    again = ok(api.clerk.post(url, payload, headers={"Idempotency-Key": "k-1"}), 201)
    assert first["id"] == again["id"]
    account = ok(api.clerk.get(f"persons/{worker.person.pk}/account"))
    assert account["balance"] == "5120.00"  # 3,200.00 + 1,920.00, once
    assert account["contribution_months"] == 8
