"""The public guide and the document check in a real browser: on a phone in Chinese and
at a desktop in English, no login, axe-core clean, nothing blocked by the CSP.

The test clock stands at Friday 2025-11-14; the dates below are counted by hand in
tests/web/test_guide.py."""

import pytest

from tests.e2e.conftest import PHONE
from tests.factories import registered_unit

pytestmark = pytest.mark.browser


def assert_fits(tab, width):
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    assert tab.evaluate("document.documentElement.scrollWidth") <= width


def test_a_phone_in_chinese_gets_the_deadlines_and_materials_of_a_death(new_page):
    page = new_page(locale="zh-CN", viewport=PHONE)
    page.open("/")
    tab = page.tab
    tab.get_by_role("link", name="注销清算办事指南").first.click()
    tab.wait_for_url("**/guide/")
    assert_fits(tab, PHONE["width"])
    page.assert_accessible()

    form = tab.locator("#by-reason")
    form.get_by_label("发生的情况").select_option(label="参保人员死亡")
    form.get_by_label("发生日期").fill("2025-11-03")
    form.get_by_label("参保地").select_option(label="北京市")
    form.get_by_role("button", name="查看办事指南").click()

    answer = tab.locator("#answer")
    answer.get_by_text("属于注销清算。").wait_for()
    text = answer.inner_text()
    assert "个人账户余额由继承人一次性领取" in text
    assert "2025-12-01" in text  # the death reported within 20 working days
    assert "2025-11-28" in text  # the application handled within 10 working days
    assert "死亡证明" in text and "由经办机构核查，无须提交" in text
    assert "北京市社会保险经办机构" in text
    assert "death" not in text and "cn-bj" not in text
    assert "reason=death" in tab.url  # the answer can be linked and printed
    assert answer.get_by_role("button", name="打印本指南").is_visible()
    assert_fits(tab, PHONE["width"])
    page.assert_accessible()

    # A unit's registration duties.
    duties = tab.locator("#duties-form")
    duties.get_by_label("单位成立日期").fill("2025-11-01")
    duties.get_by_role("button", name="查看截止日期").click()
    tab.locator("#duties").get_by_text("单位社会保险登记").wait_for()
    assert "2025-12-01" in tab.locator("#duties").inner_text()
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []


def test_a_desktop_in_english_answers_the_three_questions(new_page):
    page = new_page(locale="en-US")
    page.open("/guide/")
    tab = page.tab
    form = tab.locator("#by-questions")
    form.get_by_label("I am leaving, or have left, China").check()
    form.get_by_label("2. When it happened").fill("2025-10-01")
    form.get_by_label("Former PRC citizen who has acquired another nationality").check()
    form.get_by_role("button", name="Show the guide").click()

    answer = tab.locator("#answer")
    answer.get_by_role("heading", name="Loss of PRC nationality").wait_for()
    text = answer.inner_text()
    assert "Clearance applies." in text
    assert "Lump sum to the person on written application" in text
    assert "Foreign passport or proof of nationality" in text
    assert "Signed acknowledgement of the explained alternatives" in text
    # Handled within 10 working days of an application received today, 2025-11-14.
    assert "2025-11-28" in text
    page.assert_accessible()

    # A citizen settling abroad keeps the account.
    form.get_by_label("Citizen of the People's Republic of China").check()
    form.get_by_role("button", name="Show the guide").click()
    answer.get_by_text("This is not a clearance.").wait_for()
    assert "Keep the account" in answer.inner_text()

    # A unit's reasons, by name; a hiring date gives the employee's registration deadline.
    tab.get_by_role("link", name="A unit (employer)").click()
    tab.wait_for_url("**subject=unit")
    unit_form = tab.locator("#by-reason")
    unit_form.get_by_label("What happened").select_option(label="Unit dissolved")
    unit_form.get_by_label("When it happened").fill("2025-09-20")
    unit_form.get_by_role("button", name="Show the guide").click()
    answer.get_by_text("Unit account closed once arrears are paid").wait_for()
    text = answer.inner_text()
    assert "2025-10-20" in text and "2025-10-09" in text
    assert "Approval of the dissolution" in text
    duties = tab.locator("#duties-form")
    duties.get_by_label("Date an employee started work").fill("2025-09-01")
    duties.get_by_role("button", name="Show the deadlines").click()
    tab.locator("#duties").get_by_text("Register the employee for social insurance").wait_for()
    assert "2025-10-09" in tab.locator("#duties").inner_text()
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []


@pytest.mark.parametrize(
    ("locale", "viewport", "valid", "kind"),
    [
        ("zh-CN", PHONE, "有效：本文书由经办机构出具。", "社会保险登记记录"),
        ("en-US", None, "Valid: the agency issued this document.", "registration record"),
    ],
)
def test_the_verify_page_of_a_real_record(new_page, make_user, locale, viewport, valid, kind):
    clerk = make_user("e-clerk", "clerk")
    unit = registered_unit(clerk, serial=41, name="北京青禾餐饮管理有限公司")
    from shebao.registry.selectors import unit_registration_record

    record = unit_registration_record(unit)
    page = new_page(locale=locale, viewport=viewport)
    page.open(f"/verify/{record.verification_code}")
    tab = page.tab
    result = tab.locator(".verify-result")
    text = result.inner_text()
    assert valid in text and kind in text
    assert record.number in text and "北京青禾餐饮管理有限公司" in text
    assert "unit_registration" not in text
    if viewport:
        assert_fits(tab, viewport["width"])
    page.assert_accessible()

    # A code typed from the paper, with the usual slips.
    field = tab.locator("#verify-code")
    field.fill(record.verification_code.lower())
    with tab.expect_navigation():
        tab.locator("form.guide-form button[type=submit]").click()
    assert tab.url.endswith(f"/verify/{record.verification_code}")
    assert page.csp_violations == [] and page.foreign_requests == []
