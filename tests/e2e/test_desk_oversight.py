"""The oversight pages in a real browser: a supervisor finds an overdue case on the
dashboard and opens it; an administrator makes a login for an insured person by clicking,
and the person signs in with it. Every page passes axe-core at a desktop and on a phone,
in both languages, with nothing blocked by the Content-Security-Policy."""

import datetime

import pytest

from shebao.accounts.services import user_create
from shebao.core import clock
from tests.clearance.conftest import drive, open_self_case
from tests.e2e.conftest import PHONE
from tests.factories import World

pytestmark = pytest.mark.browser

PASSWORD = "demo-password-1"
D = datetime.date

VARIANTS = [("en-US", None), ("zh-CN", PHONE)]


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
def staff(make_user):
    import types

    return types.SimpleNamespace(
        clerk=make_user("clerk", "clerk"),
        auditor=make_user("auditor", "auditor"),
        finance=make_user("finance", "finance"),
        finance2=make_user("finance2", "finance"),
        supervisor=make_user("supervisor", "supervisor"),
        admin=make_user("admin", "admin"),
    )


@pytest.fixture
def overdue_case(staff):
    """Accepted on 2025-09-26: its handling time limit ran out on 2025-10-16."""
    world = World(staff.clerk)
    with clock.frozen(D(2025, 9, 26)):
        unit = world.unit(name="北京青禾餐饮管理有限公司")
        person = world.employ(unit, serial=31, name="李晓明")
        case = open_self_case(staff, person, event_date=D(2025, 9, 20), serial=31)
        drive(staff, case.pk, until="accepted")
    return case


def clean(page):
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []


@pytest.mark.parametrize(("locale", "viewport"), VARIANTS)
def test_the_supervisor_finds_an_overdue_case_on_the_dashboard(
    new_page, staff, overdue_case, locale, viewport
):
    page = new_page(locale=locale, viewport=viewport)
    page.login("supervisor")
    tab = page.tab
    tab.get_by_role("navigation").get_by_role(
        "link", name="Dashboard" if locale == "en-US" else "统计看板"
    ).click()
    tab.wait_for_url("**/desk/dashboard/")
    # The charts are drawn (Chart.js sizes each canvas) and the tables hold their figures.
    tab.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => window.Chart && window.Chart.getChart(c))"
    )
    overdue = tab.locator("#table-overdue tbody tr", has_text="李晓明")
    assert overdue.count() == 1
    assert ("29 days overdue" if locale == "en-US" else "逾期 29 天") in overdue.inner_text()
    clean(page)

    link = overdue.get_by_role("link")
    assert link.get_attribute("href") == f"/desk/cases/{overdue_case.pk}/"
    link.click()
    tab.wait_for_url(f"**/desk/cases/{overdue_case.pk}/")


@pytest.mark.parametrize(("locale", "viewport"), VARIANTS)
def test_the_audit_trail_page(new_page, staff, locale, viewport):
    user_create(actor=staff.admin, username="newclerk", password=PASSWORD, role="clerk")
    page = new_page(locale=locale, viewport=viewport)
    page.login("auditor")
    page.open("/desk/audit/")
    tab = page.tab
    assert (
        tab.locator(".chain-status")
        .inner_text()
        .count("The chain is intact." if locale == "en-US" else "链条完整。")
    )
    tab.get_by_label("User name" if locale == "en-US" else "用户名").fill("admin")
    with tab.expect_navigation():
        tab.locator("form.filters button[type=submit]").click()
    rows = tab.locator("#audit-events tbody tr")
    assert rows.count() == 1
    assert ("User account created" if locale == "en-US" else "创建用户账号") in rows.inner_text()
    clean(page)


@pytest.mark.parametrize(("locale", "viewport"), VARIANTS)
def test_an_administrator_creates_a_login_for_a_person_who_then_signs_in(
    new_page, staff, locale, viewport
):
    world = World(staff.clerk)
    unit = world.unit(name="北京青禾餐饮管理有限公司")
    person = world.employ(unit, serial=32, name="张伟")
    english = locale == "en-US"

    admin = new_page(locale=locale, viewport=viewport)
    admin.login("admin")
    tab = admin.tab
    tab.get_by_role("navigation").get_by_role("link", name="Users" if english else "用户").click()
    tab.wait_for_url("**/desk/users/")
    clean(admin)
    tab.get_by_role(
        "link", name="Login for an insured person" if english else "为参保人员创建登录账号"
    ).click()
    tab.wait_for_url("**/desk/users/new/person")
    clean(admin)
    tab.get_by_label("Citizen ID number" if english else "公民身份号码").fill(person.citizen_id)
    tab.get_by_label("User name" if english else "用户名").fill("zhangwei")
    tab.locator("#id_password").fill("Person-pass-2025")
    tab.get_by_label("Password again" if english else "再次输入密码").fill("Person-pass-2025")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Create the account" if english else "创建账号").click()
    assert "/desk/users/" in tab.url
    assert "zhangwei" in tab.locator(".messages").inner_text()
    assert "张伟" in tab.locator("main").inner_text()
    clean(admin)

    # The reset and deactivation are behind their confirmations.
    tab.get_by_text("Deactivate the account" if english else "停用账号").click()
    assert tab.get_by_role(
        "button", name="Confirm the deactivation" if english else "确认停用"
    ).is_visible()
    clean(admin)

    person_page = new_page(locale=locale, viewport=viewport)
    person_page.login("zhangwei", "Person-pass-2025")
    assert person_page.tab.url.endswith("/me/")
    assert "张伟" in person_page.tab.locator("main").inner_text()
