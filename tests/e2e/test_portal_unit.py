"""A unit's representative, on a phone and in both languages, signs in, lands on /unit/,
uploads a declaration file with one bad row, sees the row's line and reason, and uploads
the corrected file; every unit page passes axe-core with no CSP violation."""

import pytest

from shebao.ledger.models import Declaration
from tests.e2e.conftest import PHONE
from tests.factories import World, insured_id

pytestmark = pytest.mark.browser

TEXTS = {
    "en-US": {
        "file": "Declaration file (CSV or XLSX)",
        "month": "Month",
        "send": "Check and post the file",
        "wage": "Wage",
        "nothing": "Nothing was posted: 1 row has an error.",
        "posted": "The file was posted: 2 lines in 1 declarations.",
    },
    "zh-CN": {
        "file": "申报文件（CSV 或 XLSX）",
        "month": "月份",
        "send": "检查并记入文件",
        "wage": "工资",
        "nothing": "未入账：1 行有错误",
        "posted": "文件已记入：1 份申报，共 2 行。",
    },
}


@pytest.fixture
def unit(make_user):
    from shebao.registry import services as registry

    clerk = make_user("clerk", "clerk")
    world = World(clerk)
    unit = world.unit(name="青禾餐饮")
    world.employ(unit, serial=11, name="张伟")
    world.employ(unit, serial=12, name="李娜")
    registry.unit_representative_add(actor=clerk, unit_id=unit.pk, user=make_user("hr", "unit_rep"))
    return unit


def csv_file(rows):
    text = "公民身份号码,工资\r\n" + "".join(f"{cid},{wage}\r\n" for cid, wage in rows)
    return {"name": "工资.csv", "mimeType": "text/csv", "buffer": text.encode("gbk")}


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_representative_corrects_a_bad_row_on_a_phone(new_page, unit, locale):
    texts = TEXTS[locale]
    page = new_page(locale=locale, viewport=PHONE)
    page.login("hr")
    tab = page.tab
    assert tab.url.endswith("/unit/")
    assert "张伟" in tab.locator("main").inner_text()
    page.assert_accessible()

    for path in [
        "/unit/employees/new/",
        "/unit/declare/",
        "/unit/arrears/",
        "/unit/statements/",
        "/unit/clearance/",
    ]:
        page.open(path)
        page.assert_accessible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, path

    page.open("/unit/declare/upload/")
    page.assert_accessible()
    tab.get_by_label(texts["month"]).fill("2025-10")
    tab.get_by_label(texts["file"]).set_input_files(
        csv_file([(insured_id(11), "8000"), (insured_id(12), "6OOO")])
    )
    tab.get_by_role("button", name=texts["send"]).click()
    errors = tab.locator("table.row-errors")
    errors.wait_for()
    row = errors.locator("tbody tr")
    assert row.count() == 1
    assert row.locator("td").nth(0).inner_text() == "3"
    assert row.locator("td").nth(1).inner_text() == texts["wage"]
    assert row.locator("td").nth(2).inner_text().strip()
    assert texts["nothing"] in tab.locator("#upload-result").inner_text()
    assert not Declaration.objects.filter(period="2025-10").exists()
    page.assert_accessible()

    tab.get_by_label(texts["month"]).fill("2025-10")
    tab.get_by_label(texts["file"]).set_input_files(
        csv_file([(insured_id(11), "8000"), (insured_id(12), "6000")])
    )
    tab.get_by_role("button", name=texts["send"]).click()
    tab.get_by_text(texts["posted"]).wait_for()
    assert Declaration.objects.get(unit=unit, period="2025-10").line_count == 2
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []
