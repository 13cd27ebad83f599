"""The registry's writes check the acting user's role themselves, as the API does: a
command, a task or a future page that calls them without the API's check is held to the
same role table (``accounts.domain.PERMISSIONS``). A missing actor is the system (a
command, a scheduled task) and may."""

import datetime

import pytest

from shebao.accounts.domain import PERMISSIONS
from shebao.core.errors import PermissionDenied
from shebao.registry import services
from shebao.registry.models import ComplianceRun, Person, Unit
from tests.factories import check_role_refusal, citizen_id, role_cases, uscc

pytestmark = pytest.mark.django_db

# service -> (the action it checks, arguments that name nothing: a role allowed past the
# check is refused for another reason, never for its role)
SERVICES = {
    "unit_register": (
        "unit.create",
        {"uscc": "", "name": "", "established_on": "", "region": ""},
    ),
    "unit_registration_approve": ("unit.approve_registration", {"unit_id": 0}),
    "unit_registration_reject": ("unit.reject_registration", {"unit_id": 0, "reason": "x"}),
    "unit_work_injury_set": ("unit.set_work_injury_rate", {"unit_id": 0, "industry_class": 1}),
    "unit_representative_add": ("user.link", {"unit_id": 0, "user": None}),
    "person_register": ("person.create", {"name": ""}),
    "person_link_user": ("user.link", {"person_id": 0, "user": None}),
    "person_id_reveal": ("person.reveal_id", {"person_id": 0}),
    "person_facts_record": ("person.record_facts", {"person_id": 0}),
    "person_retirement_category_set": (
        "person.retirement_category",
        {"person_id": 0, "retirement_category": ""},
    ),
    "employment_register": (
        "employment.create",
        {"unit_id": 0, "started_on": "", "monthly_wage": ""},
    ),
    "employment_confirm": ("employment.confirm", {"employment_id": 0}),
    "employment_refuse": ("employment.confirm", {"employment_id": 0, "reason": "x"}),
    "employment_end": ("employment.end", {"employment_id": 0, "ended_on": "", "reason": ""}),
    "employment_coverage_record": (
        "employment.record_coverage",
        {"employment_id": 0, "certificate_no": "", "valid_from": "", "valid_to": ""},
    ),
    "compliance_run_record": ("compliance.run", {"as_of": "2025-01-10"}),
}

CASES = role_cases(SERVICES)


@pytest.mark.parametrize(("name", "role", "allowed"), CASES)
def test_each_write_checks_the_role_itself(make_user, name, role, allowed):
    _action, kwargs = SERVICES[name]
    actor = make_user(f"acting-{role}", role)
    check_role_refusal(getattr(services, name), actor, kwargs, allowed=allowed)


def test_the_actions_checked_exist_in_the_role_table():
    assert {action for action, _kwargs in SERVICES.values()} <= set(PERMISSIONS)


def test_a_unit_registered_by_a_wrong_role_is_not_registered(make_user):
    auditor = make_user("an-auditor", "auditor")
    with pytest.raises(PermissionDenied) as refused:
        services.unit_register(
            actor=auditor,
            uscc=uscc(71),
            name="Refused Works",
            established_on=datetime.date(2025, 1, 1),
            region="cn-bj",
        )
    assert "register a unit" in str(refused.value.message)
    assert not Unit.objects.exists()


def test_the_right_roles_register_approve_and_employ(make_user):
    clerk = make_user("a-clerk", "clerk")
    supervisor = make_user("a-supervisor", "supervisor")
    finance = make_user("a-finance", "finance")
    unit = services.unit_register(
        actor=clerk,
        uscc=uscc(72),
        name="Allowed Works",
        established_on=datetime.date(2025, 1, 1),
        region="cn-bj",
        received_on=datetime.date(2025, 1, 10),
    )
    with pytest.raises(PermissionDenied):
        services.unit_registration_approve(actor=finance, unit_id=unit.pk)
    unit.refresh_from_db()
    assert unit.status == "pending"
    services.unit_registration_approve(actor=supervisor, unit_id=unit.pk)
    unit.refresh_from_db()
    assert unit.status == "registered"
    employment = services.employment_register(
        actor=clerk,
        unit_id=unit.pk,
        citizen_id=citizen_id(73),
        name="P73",
        started_on=datetime.date(2025, 2, 3),
        monthly_wage="8000.00",
        registered_on=datetime.date(2025, 2, 10),
    )
    with pytest.raises(PermissionDenied):
        services.employment_end(
            actor=finance, employment_id=employment.pk, ended_on="2025-06-30", reason="resignation"
        )
    employment.refresh_from_db()
    assert employment.status == "open"


def test_the_system_may_run_what_commands_and_tasks_run(make_user):
    """No actor: the compliance command and its scheduled task, the demo's set-up."""
    run = services.compliance_run_record(actor=None, as_of="2025-01-10")
    assert ComplianceRun.objects.filter(pk=run.pk).exists()
    person = services.person_register(actor=None, name="P74", citizen_id=citizen_id(74))
    assert Person.objects.filter(pk=person.pk).exists()
