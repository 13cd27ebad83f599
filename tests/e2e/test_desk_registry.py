"""The registry desk in a real browser: a clerk registers a unit and an employee and
approves the unit's registration, all by clicking; the person's page with the account's
chart on a phone, in Chinese. Every page passes axe-core without a CSP violation."""

import datetime
from decimal import Decimal

import pytest

from shebao.accounts.services import user_create
from tests.e2e.conftest import PHONE
from tests.factories import World, credit_code, insured_id

pytestmark = pytest.mark.browser


def checked(page):
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []


def test_clerk_registers_a_unit_and_an_employee_and_approves_the_registration(new_page):
    user_create(actor=None, username="clerk", password="demo-password-1", role="clerk")
    page = new_page(locale="en-US")
    page.login("clerk")
    tab = page.tab

    with tab.expect_navigation():
        tab.get_by_role("navigation", name="Desk").get_by_role("link", name="Units").click()
    checked(page)
    with tab.expect_navigation():
        tab.get_by_role("link", name="Register a unit").click()
    checked(page)
    tab.get_by_label("Unit name").fill("Qinghe Catering Ltd")
    tab.get_by_label("Unified social credit code").fill(credit_code(31))
    tab.get_by_label("Region").select_option(label="Beijing")
    tab.get_by_label("Established on").fill("2025-11-03")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Receive the application").click()
    assert "The unit's registration application is received." in tab.content()
    assert "Registration pending" in tab.locator("dl.record").inner_text()
    checked(page)

    with tab.expect_navigation():
        tab.get_by_role("link", name="Register an employee").click()
    assert "within 30 days" in tab.locator(".deadline-note").inner_text()
    checked(page)
    tab.get_by_label("Citizen ID number").fill(insured_id(31))
    tab.locator("#id_name").fill("Li Hua")
    tab.get_by_label("Employment started on").fill("2025-11-10")
    tab.get_by_label("Monthly wage (yuan)").fill("9000.00")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Register the employment").click()
    assert "The employee is registered." in tab.content()
    assert "Li Hua" in tab.locator("table.employees").inner_text()

    tab.get_by_text("Approve the registration").click()
    checked(page)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Confirm the approval").click()
    assert "The registration is approved" in tab.content()
    assert "Registered" in tab.locator("dl.record").inner_text()
    assert tab.get_by_role("link", name="Print the registration record (PDF)").is_visible()
    checked(page)

    with tab.expect_navigation():
        tab.locator("table.employees").get_by_role("link", name="Li Hua").click()
    assert insured_id(31) not in tab.locator("dl.record").inner_text()
    with tab.expect_navigation():
        tab.get_by_role("button", name="Show full ID").click()
    assert insured_id(31) in tab.locator("dl.record").inner_text()
    checked(page)

    with tab.expect_navigation():
        tab.get_by_role("link", name="Insured persons").first.click()
    tab.get_by_role("searchbox", name="Find by name").fill("Li")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Search").click()
    assert "Li Hua" in tab.locator("table.persons").inner_text()
    checked(page)


def test_person_page_with_its_chart_on_a_phone_in_chinese(new_page):
    clerk = user_create(actor=None, username="clerk", password="demo-password-1", role="clerk")
    world = World(clerk)
    unit = world.unit(name="青禾餐饮管理有限公司")
    person = world.employ(unit, serial=41, name="王小明", started=datetime.date(2024, 11, 1))
    world.declare(unit, "2024-12", [(person, Decimal("9000.00"))])
    world.pay_all(unit, "BANK-2024", paid_on=datetime.date(2025, 1, 10))
    world.declare(unit, "2025-09", [(person, Decimal("9000.00"))])
    page = new_page(locale="zh-CN", viewport=PHONE)
    page.login("clerk")
    tab = page.tab

    page.open(f"/desk/persons/{person.pk}/")
    assert "王小明" in tab.locator("h1").inner_text()
    assert "欠缴" in tab.locator("table.contributions").inner_text() or "已申报" in tab.content()
    canvas = tab.locator("#account-chart")
    canvas.scroll_into_view_if_needed()
    assert canvas.is_visible()
    tab.wait_for_function("() => window.Chart && window.Chart.getChart('account-chart')")
    assert tab.locator("table.account-years tbody tr").count() >= 1
    # Nothing runs off a 360-pixel screen but the tables' own scrolling boxes.
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    checked(page)


@pytest.mark.parametrize(("locale", "viewport"), [("zh-CN", PHONE), ("en-US", None)])
def test_every_registry_page_passes_axe(new_page, locale, viewport):
    from shebao.registry import services as registry

    clerk = user_create(actor=None, username="clerk", password="demo-password-1", role="clerk")
    world = World(clerk)
    unit = world.unit(name="青禾餐饮管理有限公司")
    person = world.employ(unit, serial=51, name="王小明")
    employment = person.employments.get()
    pending = registry.unit_register(
        actor=clerk,
        uscc=credit_code(52),
        name="待审单位",
        region="cn-bj",
        established_on=datetime.date(2025, 11, 1),
    )
    page = new_page(locale=locale, viewport=viewport)
    page.login("clerk")
    for path in [
        "/desk/persons/",
        "/desk/persons/?q=王",
        "/desk/persons/new/",
        f"/desk/persons/{person.pk}/",
        f"/desk/persons/{person.pk}/employments/new/",
        f"/desk/persons/{person.pk}/employments/{employment.pk}/end/",
        "/desk/units/",
        "/desk/units/new/",
        f"/desk/units/{unit.pk}/",
        f"/desk/units/{pending.pk}/",
        f"/desk/units/{pending.pk}/employees/new/",
    ]:
        page.open(path)
        for summary in page.tab.locator("details.action summary").all():
            summary.click()
        checked(page)
    # The units' list filters as one types (htmx), the same search as the button's.
    page.open("/desk/units/")
    assert page.tab.locator("table.units tbody tr").count() == 2
    page.tab.locator("#unit-q").fill("待审")
    page.tab.wait_for_function(
        "() => document.querySelectorAll('table.units tbody tr').length === 1"
    )
    assert "待审单位" in page.tab.locator("table.units").inner_text()
    assert "q=" in page.tab.url
    checked(page)
    # A refusal on the form: the errors are tied to their fields and still pass.
    page.open("/desk/units/new/")
    with page.tab.expect_navigation():
        page.tab.locator("form.narrow button[type=submit]").click()
    assert page.tab.locator(".field-error").count() >= 1
    checked(page)
    # A warning to acknowledge: a person registered from an ID number without a name.
    page.open(f"/desk/units/{unit.pk}/employees/new/")
    page.tab.locator("#id_citizen_id").fill(insured_id(53))
    page.tab.locator("#id_started_on").fill("2025-11-10")
    page.tab.locator("#id_monthly_wage").fill("8000")
    with page.tab.expect_navigation():
        page.tab.locator("form.narrow button[type=submit]").click()
    page.tab.locator("input[name=acknowledge_warnings]").first.check()
    checked(page)
    with page.tab.expect_navigation():
        page.tab.locator("form.narrow button[type=submit]").click()
    assert page.tab.url.endswith(f"/desk/units/{unit.pk}/")
