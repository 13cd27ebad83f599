"""A clerk uploads a declaration file with one bad row, sees the row's line and reason,
and uploads the corrected file; every contributions page passes axe-core at a desktop
and on a phone, in both languages, with no CSP violation."""

import pytest

from shebao.ledger.models import Declaration
from tests.e2e.conftest import PHONE
from tests.factories import World, insured_id

pytestmark = pytest.mark.browser


@pytest.fixture
def unit(make_user):
    make_user("clerk", "clerk")
    make_user("finance", "finance")
    from shebao.accounts.models import User

    world = World(User.objects.get(username="clerk"))
    unit = world.unit(name="青禾餐饮")
    first = world.employ(unit, serial=11, name="张伟")
    second = world.employ(unit, serial=12, name="李娜")
    world.declare(unit, "2025-05", [(first, "8000.00"), (second, "6000.00")])
    return unit


def csv_file(rows):
    text = "公民身份号码,工资\r\n" + "".join(f"{cid},{wage}\r\n" for cid, wage in rows)
    return {"name": "工资.csv", "mimeType": "text/csv", "buffer": text.encode("gbk")}


def test_a_clerk_corrects_a_bad_row_and_posts_the_file(new_page, unit):
    page = new_page()
    page.login("clerk")
    tab = page.tab
    page.open("/desk/contributions/upload/")
    page.assert_accessible()

    tab.get_by_label("Unit's credit code").fill(unit.uscc)
    tab.get_by_label("Month").fill("2025-06")
    tab.get_by_label("Declaration file (CSV or XLSX)").set_input_files(
        csv_file([(insured_id(11), "8000"), (insured_id(12), "6OOO")])
    )
    tab.get_by_role("button", name="Check and post the file").click()
    errors = tab.locator("table.row-errors")
    errors.wait_for()
    row = errors.locator("tbody tr")
    assert row.count() == 1
    assert row.locator("td").nth(0).inner_text() == "3"
    assert row.locator("td").nth(1).inner_text() == "Wage"
    assert "Nothing was posted: 1 row has an error." in tab.locator("#upload-result").inner_text()
    assert not Declaration.objects.filter(period="2025-06").exists()
    page.assert_accessible()

    # The htmx answer replaced the form: fill it again with the corrected file.
    tab.get_by_label("Unit's credit code").fill(unit.uscc)
    tab.get_by_label("Month").fill("2025-06")
    tab.get_by_label("Declaration file (CSV or XLSX)").set_input_files(
        csv_file([(insured_id(11), "8000"), (insured_id(12), "6000")])
    )
    tab.get_by_role("button", name="Check and post the file").click()
    tab.get_by_text("The file was posted: 2 lines in 1 declarations.").wait_for()
    assert Declaration.objects.get(unit=unit, period="2025-06").line_count == 2
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []


@pytest.mark.parametrize(
    ("locale", "viewport"), [("en-US", None), ("zh-CN", PHONE), ("zh-CN", None), ("en-US", PHONE)]
)
def test_every_contributions_page_is_accessible(new_page, unit, locale, viewport):
    declaration = Declaration.objects.get(unit=unit)
    clerk = new_page(locale=locale, viewport=viewport)
    clerk.login("clerk")
    for path in (
        "",
        f"declarations/{declaration.pk}/",
        "upload/",
        "arrears/",
        f"arrears/{unit.pk}/",
    ):
        clerk.open(f"/desk/contributions/{path}")
        clerk.assert_accessible()
    finance = new_page(locale=locale, viewport=viewport)
    finance.login("finance")
    for path in ("payments/", "interest/"):
        finance.open(f"/desk/contributions/{path}")
        finance.assert_accessible()
    finance.tab.locator("details.action summary").click()
    finance.assert_accessible()
    for page in (clerk, finance):
        assert page.csp_violations == [] and page.foreign_requests == []
