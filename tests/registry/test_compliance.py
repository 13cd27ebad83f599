"""The compliance monitor (SIL Arts. 58, 84): findings, the command, the task, the API."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from shebao.core import clock
from shebao.policy.packs import find_region
from shebao.registry import selectors, services
from shebao.registry.models import ComplianceRun
from shebao.registry.tasks import compliance_scan
from tests.factories import id_number

D = datetime.date


@pytest.fixture
def scene(make_unit, clerk):
    """Four units and three employments, each showing one case (today is 2025-11-14)."""
    # Applied on 2025-10-20, after the due date 2025-10-09; registered since.
    late = make_unit(name="Late Co", established_on=D(2025, 9, 5), received_on=D(2025, 10, 20))
    with clock.frozen(D(2025, 10, 25)):
        services.unit_registration_approve(actor=clerk, unit_id=late.pk)
    # Applied on time, rejected, never registered: still unregistered past 2025-07-01.
    rejected = make_unit(
        name="Rejected Co", established_on=D(2025, 6, 1), received_on=D(2025, 6, 10)
    )
    with clock.frozen(D(2025, 6, 20)):
        services.unit_registration_reject(actor=clerk, unit_id=rejected.pk, reason="No licence")
    # Applied on time on 2025-10-20; the agency's decision was due 2025-11-04.
    waiting = make_unit(
        name="Waiting Co", established_on=D(2025, 10, 1), received_on=D(2025, 10, 20)
    )
    # On time and registered: nothing to report.
    good = make_unit(
        name="Good Co",
        established_on=D(2024, 12, 20),
        received_on=D(2025, 1, 2),
        industry_class=1,
    )
    with clock.frozen(D(2025, 1, 6)):
        services.unit_registration_approve(actor=clerk, unit_id=good.pk)

    def employ(number, wage, registered_on):
        return services.employment_register(
            actor=clerk,
            unit_id=good.pk,
            citizen_id=number,
            name=f"Worker {number[-4:]}",
            started_on=D(2025, 1, 2),
            monthly_wage=wage,
            registered_on=registered_on,
        )

    high = employ(id_number(sequence="201"), "50000.00", D(2025, 3, 10))
    normal = employ(id_number(sequence="203"), "9000.00", D(2025, 4, 2))
    on_time = employ(id_number(sequence="205"), "9000.00", D(2025, 1, 20))
    return {
        "late": late,
        "rejected": rejected,
        "waiting": waiting,
        "good": good,
        "high": high,
        "normal": normal,
        "on_time": on_time,
    }


def by_kind(items):
    return {(item["kind"], item.get("unit_id")): item for item in items}


@pytest.mark.django_db
def test_unit_findings(scene):
    findings = selectors.compliance_findings(D(2025, 11, 14))
    units = by_kind(findings["units"])
    assert set(units) == {
        ("unit_registration_late", scene["late"].pk),
        ("unit_registration_missing", scene["rejected"].pk),
        ("registration_decision_overdue", scene["waiting"].pk),
    }
    late = units[("unit_registration_late", scene["late"].pk)]
    assert late["days_late"] == 11
    assert late["status"] == "registered"
    assert late["consequence"]["code"] == "unit_unregistered"
    assert "Art. 84" in late["consequence"]["basis"]["en"]
    missing = units[("unit_registration_missing", scene["rejected"].pk)]
    assert missing["status"] == "rejected"
    assert missing["registration_due_on"] == "2025-07-01"
    waiting = units[("registration_decision_overdue", scene["waiting"].pk)]
    assert waiting["decision_due_on"] == "2025-11-04"
    assert waiting["days_overdue"] == 10
    assert waiting["consequence"] is None
    assert "Art. 57" in waiting["basis"]["en"]
    assert findings["counts"] == {"units": 3, "employments": 2}


@pytest.mark.django_db
def test_employment_findings_with_months_and_bases(scene):
    findings = selectors.compliance_findings(D(2025, 11, 14))
    found = {item["employment_id"]: item for item in findings["employments"]}
    assert set(found) == {scene["high"].pk, scene["normal"].pk}
    high = found[scene["high"].pk]
    assert high["registration_due_on"] == "2025-02-05"
    assert high["days_late"] == 33
    assert high["months"] == ["2025-01", "2025-02"]
    assert high["consequence"]["code"] == "employee_unregistered"
    assert "Art. 58" in high["consequence"]["basis"]["en"]
    assert high["person_identifier"].count("*") == 8
    # A wage above the cap is assessed on the cap in force in those months.
    cap = find_region("cn-bj").base_limits(2025, 1).cap
    assert high["base_rule"] == "clamped"
    assert [group["base"] for group in high["bases"]] == [f"{cap:.2f}"]
    assert Decimal(high["bases"][0]["base"]) < Decimal("50000.00")
    normal = found[scene["normal"].pk]
    assert normal["months"] == ["2025-01", "2025-02", "2025-03"]
    assert [group["base"] for group in normal["bases"]] == ["9000.00"]
    # The premium is what three declarations of 9,000.00 would have been (SIL Art. 58).
    from shebao.policy.contributions import rates_on

    rates = rates_on(D(2025, 1, 1), "cn-bj", work_injury_class=1)
    # Beijing adds 3.00 a month to the personal medical part (large-expense fund).
    month = Decimal("3.00") + sum(
        (Decimal("9000") * u).quantize(Decimal("0.01"))
        + (Decimal("9000") * p).quantize(Decimal("0.01"))
        for u, p in rates.values()
    )
    assert normal["assessed_premium"]["total"] == f"{3 * month:.2f}"
    assert [m["month"] for m in normal["assessed_premium"]["by_month"]] == normal["months"]


@pytest.mark.django_db
def test_findings_respect_the_as_of_date(scene):
    early = selectors.compliance_findings(D(2025, 3, 20))
    assert [item["employment_id"] for item in early["employments"]] == [scene["high"].pk]
    kinds = by_kind(early["units"])
    # The rejected unit was still pending before 2025-06-10 and unknown before it applied.
    assert ("unit_registration_missing", scene["rejected"].pk) not in kinds
    assert ("unit_registration_late", scene["late"].pk) not in kinds
    midyear = selectors.compliance_findings(D(2025, 6, 25))
    assert ("unit_registration_missing", scene["rejected"].pk) not in by_kind(midyear["units"])
    july = selectors.compliance_findings(D(2025, 7, 2))
    assert ("unit_registration_missing", scene["rejected"].pk) in by_kind(july["units"])


@pytest.mark.django_db
def test_late_unit_still_pending_is_reported_as_late_and_undecided(make_unit):
    unit = make_unit(established_on=D(2025, 9, 5), received_on=D(2025, 10, 20))
    kinds = {item["kind"] for item in selectors.compliance_findings(D(2025, 11, 14))["units"]}
    assert kinds == {"unit_registration_late", "registration_decision_overdue"}
    assert unit.registration_late


class FakeRegion:
    def __init__(self, limits):
        self.limits = limits

    def base_limits(self, year, month):
        if year not in self.limits:
            raise LookupError(year)
        return self.limits[year]


def test_assessed_bases_by_year_and_rule():
    region = FakeRegion({2025: (Decimal("5000.00"), Decimal("20000.00"))})
    bases, rule = selectors.assessed_bases(region, Decimal("30000.00"), ["2025-11", "2025-12"])
    assert rule == "clamped"
    assert bases == [
        {
            "rule": "clamped",
            "months": ["2025-11", "2025-12"],
            "base_year": 2025,
            "limits_from_earlier_year": False,
            "floor": "5000.00",
            "cap": "20000.00",
            "base": "20000.00",
        }
    ]
    bases, rule = selectors.assessed_bases(region, Decimal("3000.00"), ["2024-12", "2025-01"])
    assert rule == "declared_wage_no_limits_for_year"
    assert [(b["months"], b["base"]) for b in bases] == [
        (["2024-12"], "3000.00"),
        (["2025-01"], "5000.00"),
    ]


def test_assessed_bases_without_any_limits_use_the_declared_wage():
    bases, rule = selectors.assessed_bases(object(), Decimal("3000.00"), ["2025-01"])
    assert rule == "declared_wage_no_limits"
    assert bases[0]["base"] == "3000.00"
    assert bases[0]["floor"] is None


@pytest.mark.django_db
def test_localised_findings_carry_texts(scene):
    shown = selectors.localise_findings(selectors.compliance_findings(D(2025, 11, 14)))
    employment = shown["employments"][0]
    assert employment["consequence"]["basis"] == "Social Insurance Law of the PRC, Art. 58 para 1"
    assert employment["kind_name"] == "Employee registered late"
    assert "floor and cap" in employment["base_rule_text"]


@pytest.mark.django_db
def test_command_prints_a_table(scene):
    out = io.StringIO()
    call_command("compliance", "--as-of", "2025-11-14", stdout=out)
    text = out.getvalue()
    assert "Late Co" in text and "Rejected Co" in text and "Waiting Co" in text
    assert "Good Co" in text  # as the employer of the late registrations
    assert "2025-01..2025-03 (3)" in text
    assert "Art. 84" in text
    assert not ComplianceRun.objects.exists()


@pytest.mark.django_db
def test_command_json_and_record(scene):
    out = io.StringIO()
    call_command("compliance", "--as-of", "2025-11-14", "--json", "--record", stdout=out)
    data = json.loads(out.getvalue())
    assert data["counts"] == {"units": 3, "employments": 2}
    run = ComplianceRun.objects.get()
    assert (run.as_of, run.unit_findings, run.employment_findings) == (D(2025, 11, 14), 3, 2)


@pytest.mark.django_db
def test_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--as-of"):
        call_command("compliance", "--as-of", "2025-02-30", stdout=io.StringIO())


@pytest.mark.django_db
def test_command_with_nothing_to_report():
    out = io.StringIO()
    call_command("compliance", stdout=out)
    assert "Nothing found." in out.getvalue()


@pytest.mark.django_db
def test_task_records_a_run(scene):
    result = compliance_scan.call(as_of="2025-11-14")
    run = ComplianceRun.objects.get(pk=result["run_id"])
    assert (result["unit_findings"], result["employment_findings"]) == (3, 2)
    assert run.findings["counts"] == {"units": 3, "employments": 2}
    assert len(run.findings["employments"]) == 2


# The worker closes and reopens database connections as a real one does, which only a
# test outside a wrapping transaction survives.
@pytest.mark.django_db(transaction=True)
def test_task_runs_from_the_queue(scene):
    compliance_scan.enqueue()
    assert not ComplianceRun.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    run = ComplianceRun.objects.get()
    assert run.as_of == D(2025, 11, 14)
    assert run.employment_findings == 2


@pytest.mark.django_db
def test_api_returns_the_latest_run_or_computes_one(api_as, scene):
    clerk_api = api_as("clerk")
    live = clerk_api.get("compliance").json()
    assert live["run"] is None
    assert live["counts"] == {"units": 3, "employments": 2}
    run = services.compliance_run_record(as_of=D(2025, 3, 20))
    latest = clerk_api.get("compliance").json()
    assert latest["run"]["id"] == run.pk
    assert latest["as_of"] == "2025-03-20"
    assert latest["counts"]["employments"] == 1
    assert latest["employments"][0]["consequence"]["code"] == "employee_unregistered"
    dated = clerk_api.get("compliance", {"as_of": "2025-11-14"}).json()
    assert dated["run"] is None and dated["counts"]["units"] == 3
    assert clerk_api.get("compliance", {"as_of": "2025-02-30"}).status_code == 422


@pytest.mark.django_db
def test_api_is_for_compliance_staff_only(api_as):
    for role in ("finance", "person", "unit_rep"):
        assert api_as(role).get("compliance").status_code == 403, role
    assert api_as("auditor").get("compliance").status_code == 200
