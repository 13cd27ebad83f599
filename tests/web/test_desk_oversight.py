"""The desk's oversight pages: the supervisors' dashboard, the audit trail and the
administrators' user accounts; who may open each, what they show in both languages, and
the writes they make through the services."""

import datetime
import re
import types

import pytest
from django.test import Client

from shebao.accounts.models import User
from shebao.accounts.services import user_create, user_deactivate
from shebao.audit import names
from shebao.audit.models import AuditEvent
from shebao.core import clock
from shebao.registry import services as registry
from shebao.registry.models import UnitRepresentative
from tests.clearance.conftest import drive, open_self_case
from tests.factories import World, insured_id

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-1"
D = datetime.date
ROLES = ("clerk", "auditor", "finance", "supervisor", "admin")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_kept_verification():
    """The audit page keeps its last verification a while: each test starts without one."""
    from django.core.cache import cache

    from shebao.web.desk.oversight.audit import VERIFICATION_KEY

    cache.delete(VERIFICATION_KEY)
    yield
    cache.delete(VERIFICATION_KEY)


@pytest.fixture
def people(make_user):
    made = {role: make_user(role, role) for role in ROLES}
    made["finance2"] = make_user("finance2", "finance")
    made["auditor2"] = make_user("auditor2", "auditor")
    return types.SimpleNamespace(**made)


def client_for(username, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def text_of(response) -> str:
    return response.content.decode()


def table_of(page: str, table_id: str) -> str:
    """The table of this id in the page (codes may appear in form values, not in it)."""
    return re.search(rf'<table class="data" id="{table_id}">.*?</table>', page, re.S).group(0)


@pytest.fixture
def overdue_case(people):
    """A lost-nationality case accepted on 2025-09-26, whose handling time limit (ten
    working days, due 2025-10-16) is overdue on the test day, 2025-11-14."""
    world = World(people.clerk)
    with clock.frozen(D(2025, 9, 26)):
        unit = world.unit(name="Overdue Unit")
        person = world.employ(unit, serial=41, name="李晓明")
        case = open_self_case(people, person, event_date=D(2025, 9, 20), serial=41)
        drive(people, case.pk, until="accepted")
    return case


# Who may open each page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/desk/dashboard/", {"supervisor", "admin"}),
        ("/desk/audit/", {"supervisor", "admin", "auditor"}),
        ("/desk/users/", {"admin"}),
        ("/desk/users/new/person", {"admin"}),
    ],
)
def test_each_page_opens_for_its_roles_only(people, path, allowed):
    for role in ROLES:
        response = client_for(role).get(path)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (role, path)
    assert Client().get(path)["Location"] == f"/login?next={path}"


def test_a_public_user_gets_403_on_the_desk_pages(make_user):
    make_user("someone", "person")
    client = client_for("someone")
    for path in ("/desk/dashboard/", "/desk/audit/", "/desk/users/"):
        assert client.get(path).status_code == 403


# Dashboard -----------------------------------------------------------------------------


def test_the_dashboard_lists_the_overdue_case_with_its_link(people, overdue_case):
    page = text_of(client_for("supervisor").get("/desk/dashboard/"))
    assert f'href="/desk/cases/{overdue_case.pk}/"' in page
    assert "李晓明" in page
    assert "29 days overdue" in page
    # Each chart has its data and the table drawn from it.
    for chart in ("cases", "overdue", "late", "contributions", "arrears"):
        assert f'data-chart="chart-{chart}"' in page or chart in ("late", "arrears")
    assert 'id="chart-cases" type="application/json"' in page
    assert 'id="table-cases"' in page and 'id="table-overdue"' in page
    # The accepted case is counted among the open cases of up to 90 days.
    cases = re.search(r'<table class="data" id="table-cases">.*?</table>', page, re.S).group(0)
    accepted = re.search(r"<th scope=\"row\">Accepted</th>(.*?)</tr>", cases, re.S).group(1)
    assert re.findall(r">(\d+)<", accepted) == ["0", "0", "1", "0", "1"]
    assert "vendor/chart-4.5.1.umd.min.js" in page and "desk-dashboard.js" in page
    assert "<script>" not in page and 'style="' not in page


def test_the_dashboard_shows_declared_and_paid_months_and_arrears(people):
    world = World(people.clerk)
    with clock.frozen(D(2025, 8, 1)):
        unit = world.unit(name="Arrears Unit")
        person = world.employ(unit, serial=42, started=D(2025, 6, 1))
        world.declare(unit, "2025-06", [(person, "8000.00")])
        world.declare(unit, "2025-07", [(person, "8000.00")])
    page = text_of(client_for("admin").get("/desk/dashboard/"))
    months = re.search(r'id="table-contributions">.*?</table>', page, re.S).group(0)
    assert '<th scope="row">2025-06</th>' in months and "2024-12" in months
    assert "2024-11" not in months  # twelve months: 2024-12 to 2025-11
    arrears = re.search(r'id="table-arrears">.*?</table>', page, re.S).group(0)
    assert "Arrears Unit" in arrears and f'href="/desk/units/{unit.pk}/"' in arrears


def test_the_dashboard_lists_late_registrations(people):
    world = World(people.clerk)
    unit = world.unit(name="Late Unit")
    registry.employment_register(
        actor=people.clerk,
        unit_id=unit.pk,
        citizen_id=insured_id(43),
        name="王芳",
        started_on=D(2025, 8, 1),
        monthly_wage="6000.00",
        registered_on=D(2025, 10, 20),
    )
    page = text_of(client_for("supervisor").get("/desk/dashboard/"))
    employees = re.search(r'id="table-late-employees">.*?</table>', page, re.S).group(0)
    assert "王芳" in employees and "Late Unit" in employees


def test_the_dashboard_in_chinese_shows_names_not_codes(people, overdue_case):
    page = text_of(client_for("supervisor", "zh-hans").get("/desk/dashboard/"))
    assert "统计看板" in page and "已受理" in page
    for code in ("accepted", "cancellation_handling", "lost_nationality"):
        assert f">{code}<" not in page


# Audit trail ----------------------------------------------------------------------------


def test_the_audit_trail_names_actions_and_shows_the_chain_intact(people):
    user_create(actor=people.admin, username="newclerk", password=PASSWORD, role="clerk")
    page = text_of(client_for("auditor").get("/desk/audit/"))
    events = table_of(page, "audit-events")
    assert "User account created" in events and "user.created" not in events
    assert "The chain is intact." in page and "Checked at" in page
    assert f'href="/desk/users/{people.admin.pk}/"' not in page  # the auditor has no users page


def test_the_audit_trail_filters_by_actor_action_target_and_date(people):
    with clock.frozen(D(2025, 11, 1)):
        first = user_create(actor=people.admin, username="early", password=PASSWORD, role="clerk")
    late = user_create(actor=people.admin, username="late", password=PASSWORD, role="clerk")
    user_deactivate(actor=people.admin, user=late)
    client = client_for("supervisor")

    by_action = text_of(client.get("/desk/audit/", {"action": "user.deactivated"}))
    assert "User account deactivated" in by_action and "1 event found" in by_action

    by_date = text_of(
        client.get(
            "/desk/audit/",
            {"action": "user.created", "occurred_from": "2025-11-01", "occurred_to": "2025-11-02"},
        )
    )
    assert "1 event found" in by_date

    by_target = text_of(
        client.get("/desk/audit/", {"target_type": "accounts.user", "target_id": str(first.pk)})
    )
    assert "1 event found" in by_target

    by_actor = table_of(
        text_of(client.get("/desk/audit/", {"actor": "supervisor"})), "audit-events"
    )
    assert "Logged in" in by_actor and "User account created" not in by_actor

    bad = client.get("/desk/audit/", {"occurred_from": "2025-11-10", "occurred_to": "2025-11-01"})
    assert "must not be before the first day" in text_of(bad)
    assert "No event matches." in text_of(bad)


def test_the_audit_trail_pages(people):
    for n in range(55):
        user_create(actor=people.admin, username=f"u{n}", password=PASSWORD, role="clerk")
    client = client_for("admin")
    first = text_of(client.get("/desk/audit/", {"action": "user.created"}))
    assert "Page 1 of 2" in first and "action=user.created&amp;page=2" in first
    second = text_of(client.get("/desk/audit/", {"action": "user.created", "page": "2"}))
    assert "Page 2 of 2" in second


def test_the_audit_trail_in_chinese_shows_no_action_code(people, overdue_case):
    page = text_of(client_for("supervisor", "zh-hans").get("/desk/audit/"))
    assert "审计记录" in page and "链条完整" in page
    table = table_of(page, "audit-events")
    for code in set(AuditEvent.objects.values_list("action", flat=True)):
        assert code not in table, code
    assert "受理案件" in table  # clearance.accept
    # Nothing in the table is a code: no word of Latin letters with a dot or underscore.
    assert not re.search(r">[^<]*\b[a-z]+[._][a-z_]+\b[^<]*<", table)


def test_a_broken_chain_is_shown(people, monkeypatch):
    from shebao.audit import selectors
    from shebao.audit.domain import ChainReport

    monkeypatch.setattr(
        selectors,
        "audit_chain_verify",
        lambda **kw: ChainReport(ok=False, checked=3, first_broken_sequence=4, problem="x"),
    )
    client = client_for("admin")
    response = client.post("/desk/audit/verify")
    assert response.status_code == 302
    page = text_of(client.get("/desk/audit/"))
    assert "The chain is broken at event 4" in page and "NOT intact" in page


def _recorded_action_codes() -> set[str]:
    """Every action code the services can record: the literal ones (``action="..."``),
    the clearance case events (``clearance.<event>``, from the calls of ``_event`` and
    ``_transition``), the journal entries (``ledger.<kind>_posted``), the decisions on a
    proposed fine and the staff reads of personal data."""
    import ast
    from pathlib import Path

    import shebao
    from shebao.audit.services import PERSONAL_DATA_VIEWS
    from shebao.clearance import domain as clearance_domain
    from shebao.ledger.models import ArrearsFineProposal, JournalEntry

    source = Path(shebao.__file__).parent
    found = set(PERSONAL_DATA_VIEWS.values())
    found |= {f"ledger.{kind}_posted" for kind in JournalEntry.Kind.values}
    found |= {
        f"ledger.arrears_fine_{status}"
        for status in ArrearsFineProposal.Status.values
        if status != ArrearsFineProposal.Status.PENDING
    }
    found |= {f"clearance.{action}" for action in clearance_domain.ACTIONS}
    for path in source.rglob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        if "clearance/services" not in path.as_posix():
            continue
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            called = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if called not in ("_event", "_transition", "_liquidate"):
                continue
            for keyword in node.keywords:
                if keyword.arg not in ("action", "event_action"):
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.add(f"clearance.{value.value}")
                elif isinstance(value, ast.Attribute) and value.attr.isupper():
                    module = clearance_domain
                    if getattr(value.value, "id", "") == "selectors":
                        from shebao.clearance import selectors as module  # type: ignore
                    found.add(f"clearance.{getattr(module, value.attr)}")
    return found


def test_every_recorded_action_has_a_name():
    found = _recorded_action_codes()
    assert {"clearance.accept", "clearance.payees_changed", "user.created"} <= found
    missing = sorted(code for code in found if code not in names.ACTION_NAMES)
    assert missing == []
    from django.utils import translation

    with translation.override("en"):
        assert names.action_name("clearance.something_new") == "Other action (Clearance cases)"
        assert names.action_name("nothing") == "Other action"
    with translation.override("zh-hans"):
        assert names.action_name("clearance.something_new") == "其他操作（清算案件）"


# Users ----------------------------------------------------------------------------------


def test_the_users_page_lists_staff_and_public_accounts_by_role_name(people):
    page = text_of(client_for("admin", "zh-hans").get("/desk/users/"))
    assert "经办员" in page or "Clerk" not in page
    for role in ("clerk", "auditor", "finance", "supervisor"):
        assert f">{role}<" not in page.replace(f">{role}</a>", "")


def test_an_administrator_creates_a_staff_user(people):
    client = client_for("admin")
    response = client.post(
        "/desk/users/new/staff",
        {
            "username": "newauditor",
            "role": "auditor",
            "email": "",
            "password": "Another-pass-2025",
            "password_again": "Another-pass-2025",
        },
    )
    user = User.objects.get(username="newauditor")
    assert response["Location"] == f"/desk/users/{user.pk}/"
    assert user.role == "auditor" and user.is_staff and user.check_password("Another-pass-2025")
    taken = client.post(
        "/desk/users/new/staff",
        {"username": "newauditor", "role": "clerk", "password": "x1", "password_again": "x1"},
    )
    assert taken.status_code == 422 and "That user name is taken." in text_of(taken)


def person_in_registry(people, serial=51, name="张伟"):
    world = World(people.clerk)
    unit = world.unit(name=f"Employer {serial}")
    return world.employ(unit, serial=serial, name=name), unit


def test_an_administrator_creates_a_login_for_a_person(people):
    person, _unit = person_in_registry(people)
    client = client_for("admin")
    response = client.post(
        "/desk/users/new/person",
        {
            "citizen_id": person.citizen_id.lower(),
            "username": "zhangwei",
            "password": "Person-pass-2025",
            "password_again": "Person-pass-2025",
        },
    )
    user = User.objects.get(username="zhangwei")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user_id == user.pk and user.role == "person" and not user.is_staff
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions[-2:] == ["user.created", "person.user_linked"]

    page = text_of(client.get("/desk/users/"))
    assert "张伟" in page and person.citizen_id not in page  # the ID number masked

    again = client.post(
        "/desk/users/new/person",
        {
            "citizen_id": person.citizen_id,
            "username": "zhangwei2",
            "password": "Person-pass-2025",
            "password_again": "Person-pass-2025",
        },
    )
    assert again.status_code == 422
    assert "This person already has a login" in text_of(again)
    assert not User.objects.filter(username="zhangwei2").exists()

    signed_in = Client()
    landed = signed_in.post("/login", {"username": "zhangwei", "password": "Person-pass-2025"})
    assert landed["Location"] == "/me/"


def test_a_login_for_an_unknown_person_is_refused_in_chinese(people):
    client = client_for("admin", "zh-hans")
    response = client.post(
        "/desk/users/new/person",
        {
            "citizen_id": insured_id(99),
            "username": "nobody",
            "password": "Person-pass-2025",
            "password_again": "Person-pass-2025",
        },
    )
    assert response.status_code == 422
    assert "没有参保人员使用此身份证号码" in text_of(response)
    assert not User.objects.filter(username="nobody").exists()


def test_an_administrator_creates_a_login_for_a_units_representative(people):
    _person, unit = person_in_registry(people, serial=52)
    client = client_for("admin")
    form = {
        "uscc": unit.uscc,
        "username": "hr52",
        "password": "Unit-pass-2025",
        "password_again": "Unit-pass-2025",
    }
    assert client.post("/desk/users/new/unit", form).status_code == 302
    user = User.objects.get(username="hr52")
    assert UnitRepresentative.objects.get(user=user).unit_id == unit.pk
    again = client.post("/desk/users/new/unit", {**form, "username": "hr52b"})
    assert again.status_code == 422 and "already has a representative" in text_of(again)


def test_the_forms_check_the_passwords_match(people):
    person, _unit = person_in_registry(people, serial=53)
    response = client_for("admin").post(
        "/desk/users/new/person",
        {
            "citizen_id": person.citizen_id,
            "username": "p53",
            "password": "Person-pass-2025",
            "password_again": "Person-pass-2026",
        },
    )
    assert response.status_code == 422 and "The two passwords differ." in text_of(response)


def test_password_reset_deactivation_and_reactivation(people):
    target = user_create(actor=None, username="target", password=PASSWORD, role="clerk")
    client = client_for("admin")
    page = client.get(f"/desk/users/{target.pk}/")
    assert page.status_code == 200 and "Deactivate the account" in text_of(page)
    history = f"/desk/audit/?target_type=accounts.user&amp;target_id={target.pk}"
    assert history in text_of(page)
    assert "User account created" in table_of(
        text_of(client.get(history.replace("&amp;", "&"))), "audit-events"
    )

    reset = client.post(
        f"/desk/users/{target.pk}/password",
        {"password": "Fresh-pass-2025", "password_again": "Fresh-pass-2025"},
    )
    assert reset.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Fresh-pass-2025")
    assert AuditEvent.objects.filter(action="user.password_set", target_id=str(target.pk)).exists()

    assert client.post(f"/desk/users/{target.pk}/deactivate").status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    page = text_of(client.get(f"/desk/users/{target.pk}/"))
    assert "was deactivated" in page and "Reactivate the account" in page
    refused = Client().post("/login", {"username": "target", "password": "Fresh-pass-2025"})
    assert refused.status_code == 200  # no login

    # Deactivating it again is refused with the service's message.
    client.post(f"/desk/users/{target.pk}/deactivate")
    assert "The account is already inactive." in text_of(client.get(f"/desk/users/{target.pk}/"))

    assert client.post(f"/desk/users/{target.pk}/activate").status_code == 302
    target.refresh_from_db()
    assert target.is_active


def test_an_administrator_cannot_deactivate_themselves(people):
    client = client_for("admin")
    page = text_of(client.get(f"/desk/users/{people.admin.pk}/"))
    assert "Deactivate the account" not in page
    client.post(f"/desk/users/{people.admin.pk}/deactivate")
    people.admin.refresh_from_db()
    assert people.admin.is_active
    assert "You cannot deactivate your own account." in text_of(
        client.get(f"/desk/users/{people.admin.pk}/")
    )


def test_the_users_writes_are_for_administrators_only(people):
    target = user_create(actor=None, username="target", password=PASSWORD, role="clerk")
    client = client_for("supervisor")
    assert client.post(f"/desk/users/{target.pk}/deactivate").status_code == 403
    assert (
        client.post(
            f"/desk/users/{target.pk}/password", {"password": "x", "password_again": "x"}
        ).status_code
        == 403
    )
    target.refresh_from_db()
    assert target.is_active and target.check_password(PASSWORD)
    assert client_for("admin").get("/desk/users/999999/").status_code == 404


def test_the_users_pages_in_chinese(people):
    client = client_for("admin", "zh-hans")
    for path in (
        "/desk/users/",
        "/desk/users/new/staff",
        "/desk/users/new/unit",
        f"/desk/users/{people.clerk.pk}/",
    ):
        page = text_of(client.get(path))
        assert "用户" in page
        for english in ("Reset the password", "New staff user", "User name", "Deactivate"):
            assert english not in page, (path, english)
