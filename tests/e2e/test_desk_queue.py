"""A clerk logs in at the one login page and finds the day's work on the desk, at a desktop
and on a phone, in both languages; the page passes axe-core."""

import datetime

import pytest

from shebao.accounts.services import user_create
from tests.e2e.conftest import PHONE
from tests.factories import uscc

pytestmark = pytest.mark.browser


def pending_unit(name, established_on):
    from shebao.registry import services as registry

    return registry.unit_register(
        actor=None,
        uscc=uscc(7),
        name=name,
        region="cn-bj",
        established_on=established_on,
        received_on=established_on + datetime.timedelta(days=3),
    )


@pytest.mark.parametrize(
    ("locale", "viewport", "task", "nav"),
    [
        ("en-US", None, "Decide a unit's registration", "Cases"),
        ("zh-CN", PHONE, "审核单位登记", "案件"),
    ],
)
def test_clerk_logs_in_and_sees_the_registration_to_decide(new_page, locale, viewport, task, nav):
    user_create(actor=None, username="clerk", password="counter-pass-2025", role="clerk")
    pending_unit("北京青禾餐饮管理有限公司", datetime.date(2025, 11, 1))
    page = new_page(locale=locale, viewport=viewport)
    page.login("clerk", "counter-pass-2025")
    tab = page.tab

    assert tab.url.endswith("/desk/")
    row = tab.locator("table.queue tbody tr", has_text="北京青禾餐饮管理有限公司")
    assert task in row.inner_text()
    assert tab.get_by_role("navigation").get_by_role("link", name=nav).is_visible()
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []

    # Filtered to overdue items only, the pending registration (due in 15 days) is gone.
    tab.locator("#queue-overdue").check()
    with tab.expect_navigation():
        tab.locator("form.filters button[type=submit]").click()
    assert tab.locator("table.queue tbody tr", has_text="北京青禾餐饮管理有限公司").count() == 0
