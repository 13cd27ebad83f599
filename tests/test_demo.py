"""The demo agency that ``make run`` builds, and ``shebao serve`` that builds and serves it."""

import datetime
import io
import socket

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from stdnum.cn import ric, uscc

from shebao.accounts.models import User
from shebao.core import clock
from shebao.demo import agency as demo
from shebao.registry.models import Employment, Person, Unit, UnitRepresentative
from tests.factories import free_port

STAFF = {"admin", "clerk", "clerk2", "auditor", "finance", "finance2", "supervisor"}


def days_ago(n):
    return clock.today() - datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; nine demo users per build add up to seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def built(db):
    return demo.build()


def test_every_demo_login_works_with_its_role(built):
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {
        "admin": "admin",
        "clerk": "clerk",
        "clerk2": "clerk",
        "auditor": "auditor",
        "finance": "finance",
        "finance2": "finance",
        "supervisor": "supervisor",
        "zhangwei": "person",
        "hr": "unit_rep",
    }
    for username in roles:
        user = authenticate(username=username, password="demo")
        assert user is not None, username
        # Staff may open the admin site; the two public users may not.
        assert user.is_staff == (username in STAFF)
    assert User.objects.get(username="admin").is_superuser
    assert sorted(built.users) == sorted(roles)


# The registry part of the demo; the clearance cases bring units and persons of their own.
DEMO_UNITS = [name for name, _area, _org in demo.UNITS.values()]
DEMO_PERSONS = [v[0] for v in demo.CITIZENS.values()] + [v[0] for v in demo.FOREIGNERS.values()]


def test_units_in_every_registration_state(built):
    units = {u.name: u for u in Unit.objects.filter(name__in=DEMO_UNITS)}
    assert len(units) == 6 and built.units == Unit.objects.count() > 6
    statuses = sorted(u.status for u in units.values())
    assert statuses == ["pending", "pending", "registered", "registered", "registered", "rejected"]
    assert all(uscc.is_valid(u.uscc) for u in units.values())
    assert {u.region for u in units.values()} == {built.region}

    late = [u for u in units.values() if u.registration_late]
    assert [u.name for u in late] == ["北京青禾餐饮管理有限公司"]
    assert late[0].status == "registered"
    assert late[0].registration_received_on > late[0].registration_due_on

    rejected = units["北京星辰文化传媒有限公司"]
    assert rejected.status == "rejected" and "营业执照" in rejected.rejection_reason

    registered = [u for u in units.values() if u.status == "registered"]
    assert all(u.certificate_no and u.registered_on <= clock.today() for u in registered)
    # Dates follow the clock: one pending decision is overdue, the other still running.
    pending = sorted(
        (u for u in units.values() if u.status == "pending"), key=lambda u: u.decision_due_on
    )
    assert pending[0].decision_due_on < clock.today() < pending[1].decision_due_on


def test_persons_have_valid_identifiers_and_one_foreign_national(built):
    persons = list(Person.objects.filter(name__in=DEMO_PERSONS))
    assert len(persons) == 20 and built.persons == Person.objects.count() > 20
    citizens = [p for p in persons if p.citizen_id]
    assert len(citizens) == 19
    for person in citizens:
        assert ric.is_valid(person.citizen_id), person.citizen_id
        assert person.birth_date == ric.get_birth_date(person.citizen_id)
    (foreigner,) = [p for p in persons if not p.citizen_id]
    assert (foreigner.passport_no, foreigner.nationality) == ("C4HJ2KL71", "DEU")

    zhangwei = Person.objects.get(user__username="zhangwei")
    assert zhangwei.name == "张伟" and zhangwei.sex == "M"
    representation = UnitRepresentative.objects.get(user__username="hr")
    assert representation.unit.status == "registered"
    assert zhangwei.employments.get().unit == representation.unit


def test_employments_open_ended_and_registered_late(built):
    employments = list(
        Employment.objects.filter(unit__name__in=DEMO_UNITS).select_related("person", "unit")
    )
    assert len(employments) == 20 and built.employments == Employment.objects.count() > 20
    assert all(e.unit.status == "registered" for e in employments)

    ended = sorted((e for e in employments if e.status == "ended"), key=lambda e: e.ended_on)
    assert [(e.person.name, e.end_reason, e.ended_on) for e in ended] == [
        ("刘洋", "resignation", days_ago(60)),
        ("杨磊", "contract_expiry", days_ago(30)),
    ]
    # The second end was reported after its 15 days (SIL Art. 50).
    assert ended[1].end_reported_on > ended[1].end_report_due_on

    late = sorted(e.person.name for e in employments if e.late)
    assert late == ["朱婷", "胡斌"]
    assert all(e.registered_on > e.registration_due_on for e in employments if e.late)
    # The job change: 刘洋 left one unit and is now open at another.
    liu = [e for e in employments if e.person.name == "刘洋"]
    assert sorted(e.status for e in liu) == ["ended", "open"]
    assert len({e.unit_id for e in liu}) == 2


def test_the_demo_is_built_against_todays_clock(db):
    day = datetime.date(2026, 3, 2)
    with clock.frozen(day):
        demo.build()
    huaxin = Unit.objects.get(name="北京华信科技有限公司")
    assert huaxin.established_on == day - datetime.timedelta(days=420)


def test_the_demo_leaves_an_intact_audit_trail(built):
    from shebao.audit.models import AuditEvent

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"user.created", "unit.registration_approved", "employment.ended"} <= actions
    # The chain holds whatever order the demo's timelines were replayed in.
    from shebao.audit.selectors import audit_chain_verify

    assert audit_chain_verify().ok


def test_the_demo_has_contributions_and_clearance_cases(built):
    from shebao.clearance.models import ClearanceCase
    from shebao.ledger.models import Declaration, Payment
    from shebao.ledger.selectors import ledger_check, unit_arrears

    statuses = set(ClearanceCase.objects.values_list("status", flat=True))
    assert statuses == {
        "draft",
        "submitted",
        "returned",
        "accepted",
        "approved",
        "rejected",
        "liquidated",
        "disbursed",
        "closed",
    }
    assert Declaration.objects.filter(unit__name__in=DEMO_UNITS).count() > 20
    assert Payment.objects.exists()
    qinghe = Unit.objects.get(name="北京青禾餐饮管理有限公司")
    owed = unit_arrears(qinghe, as_of=clock.today())
    assert owed["principal"] > 0 and owed["late_fee"] > 0
    assert ledger_check()[1] == []


def test_the_unit_in_arrears_has_a_notice_to_pay(built):
    from shebao.ledger.models import ArrearsNotice

    notice = ArrearsNotice.objects.get(unit__name="北京青禾餐饮管理有限公司")
    assert notice.principal > 0 and notice.issued_on == clock.today()
    assert notice.payment_due_on > notice.issued_on and notice.certificate.verification_code


def test_the_demo_shows_a_persons_months_in_arrears(built):
    """Qinghe paid only its first month: its employees' later months are in arrears and
    their accounts hold the first month's credit only (O20 Art. 13; SIL Art. 16)."""
    from shebao.ledger.selectors import paid_contribution_months, person_account, person_months

    qinghe = Unit.objects.get(name="北京青禾餐饮管理有限公司")
    employee = Employment.objects.filter(unit=qinghe).order_by("pk").first().person
    months = person_months(employee)
    assert months[0]["status"] == "paid"
    assert {m["status"] for m in months[1:]} == {"arrears"}
    assert paid_contribution_months(employee) == 1
    assert person_account(employee)["balance"] == months[0]["account_credit"]


def test_a_second_build_is_refused_and_if_empty_skips(built):
    with pytest.raises(demo.DemoRefused):
        demo.build()
    assert demo.build(if_empty=True) is None
    assert User.objects.count() == 9
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "already holds data" in out.getvalue()


@pytest.mark.django_db
def test_demo_is_refused_under_production_settings():
    with override_settings(SHEBAO_ENV="production"):
        with pytest.raises(demo.DemoRefused, match="SHEBAO_ENV=production"):
            demo.build()
        with pytest.raises(demo.DemoRefused):
            demo.build(if_empty=True)
        with pytest.raises(CommandError, match="SHEBAO_ENV=production"):
            call_command("demo")
    assert not User.objects.exists()
    assert not Unit.objects.exists()


# shebao serve -------------------------------------------------------------------------


def test_serve_builds_the_demo_collects_static_and_execs_gunicorn(db, tmp_path, exec_calls):
    port = free_port()
    out = io.StringIO()
    with override_settings(SHEBAO_ENV="demo", STATIC_ROOT=tmp_path / "static"):
        call_command("serve", "--port", str(port), stdout=out)

    printed = out.getvalue()
    assert f"http://127.0.0.1:{port}/" in printed
    assert f"http://127.0.0.1:{port}/api/v1/docs" in printed
    for username in ("admin", "clerk", "clerk2", "auditor", "finance", "supervisor", "zhangwei"):
        assert username in printed
    assert "password for every one: demo" in printed
    assert User.objects.filter(username="hr", role="unit_rep").exists()
    assert (tmp_path / "static" / "web" / "shebao.css").exists()

    ((argv, env),) = exec_calls
    assert argv[1:4] == ["-m", "gunicorn", "shebao.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == f"127.0.0.1:{port}"
    assert argv[argv.index("--workers") + 1] == "2"
    assert env["SHEBAO_ENV"] == "demo"


def test_serve_under_production_builds_no_demo_and_prints_no_logins(db, tmp_path, exec_calls):
    out = io.StringIO()
    with override_settings(SHEBAO_ENV="production", STATIC_ROOT=tmp_path / "static"):
        call_command("serve", "--port", str(free_port()), stdout=out)
    assert not User.objects.exists()
    printed = out.getvalue()
    assert "Demo logins" not in printed and "password" not in printed
    assert "Demo agency built" not in printed
    assert len(exec_calls) == 1


def test_serve_refuses_a_port_in_use_before_touching_anything(exec_calls):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"127.0.0.1:{port}"):
            call_command("serve", "--port", str(port))
    assert exec_calls == []


@pytest.mark.parametrize("port", ["0", "70000"])
def test_serve_refuses_an_impossible_port(port, exec_calls):
    with pytest.raises(CommandError, match="--port"):
        call_command("serve", "--port", port)


def test_the_foreign_employee_has_contributions(built):
    """Regression: the demo's foreign employee (declared by passport and nationality) had
    0.00 in the account: their months were never declared."""
    from shebao.ledger.models import DeclarationLine

    becker = Person.objects.get(passport_no="C4HJ2KL71", nationality="DEU")
    lines = DeclarationLine.objects.filter(person=becker, declaration__status="live")
    assert lines.exists()
    assert all("pension" in line.parts for line in lines)


def test_a_hong_kong_resident_is_insured_and_declared(built):
    """MOHRSS/NHSA Order 41: a resident of Hong Kong (permit 810000...) is registered as
    such, not as a mainland citizen, and declared like any employee."""
    from shebao.ledger.models import DeclarationLine

    resident = Person.objects.get(name=demo.HONG_KONG_RESIDENT[0])
    assert resident.residency == "hk" and resident.citizen_id.startswith("81")
    assert resident.nationality == ""
    assert DeclarationLine.objects.filter(person=resident, declaration__status="live").exists()
