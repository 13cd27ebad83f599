"""Finance in the browser: an order above the second-approval threshold, ordered by
``finance``, is approved by ``finance2`` by clicking, put in a bank payment file that is
downloaded, and marked paid. Every payments page passes axe-core at a desktop and on a
phone, in both languages, with no CSP violation."""

import pytest

from shebao.clearance.models import DisbursementOrder, PaymentBatch
from tests.e2e.conftest import PHONE
from tests.web.desk_orders import ordered_payment, staff_of

pytestmark = pytest.mark.browser


@pytest.fixture
def order(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    order = ordered_payment(staff_of(make_user))
    assert order.status == "awaiting_approval" and order.ordered_by.username == "finance"
    return order


def order_card(tab, order):
    return tab.locator("article.order-card", has=tab.locator(f"#order-{order.pk}"))


def test_finance2_approves_sends_to_the_bank_and_marks_paid(new_page, order):
    page = new_page()
    page.login("finance2")
    tab = page.tab
    page.open("/desk/payments/")
    page.assert_accessible()

    card = order_card(tab, order)
    card.locator("summary", has_text="Second approval").click()
    with tab.expect_navigation():
        card.get_by_role("button", name="Confirm: approve the payment").click()
    assert f"Order {order.pk} approved." in tab.locator(".messages").inner_text()
    assert DisbursementOrder.objects.get(pk=order.pk).second_approved_by.username == "finance2"
    page.assert_accessible()

    tab.locator("summary", has_text="Create a bank payment file").click()
    with tab.expect_navigation():
        tab.get_by_role("button", name="Confirm: create the payment file").click()
    batch = PaymentBatch.objects.get()
    assert f"Payment file {batch.pk} created" in tab.locator(".messages").inner_text()
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name=f"Download file {batch.pk} (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"payments-{batch.pk}.csv"
    with open(download.path(), encoding="utf-8-sig") as handle:
        content = handle.read()
    assert order.bank_account in content and order.payee_name in content
    page.assert_accessible()

    card = order_card(tab, order)
    card.locator("summary", has_text="Mark paid").click()
    card.get_by_label("Bank reference").fill("ICBC-20251114-0042")
    with tab.expect_navigation():
        card.get_by_role("button", name="Confirm: the bank paid").click()
    paid = DisbursementOrder.objects.get(pk=order.pk)
    assert paid.status == "paid" and paid.bank_reference == "ICBC-20251114-0042"
    assert "ICBC-20251114-0042" in order_card(tab, order).inner_text()
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []


def test_the_ordering_officer_sees_who_must_approve(new_page, order):
    page = new_page()
    page.login("finance")
    page.open("/desk/payments/")
    card = order_card(page.tab, order)
    assert "a second finance officer must approve it" in card.inner_text()
    assert card.get_by_role("button", name="Confirm: approve the payment").count() == 0


@pytest.mark.parametrize(
    ("locale", "viewport"), [("en-US", None), ("zh-CN", PHONE), ("zh-CN", None), ("en-US", PHONE)]
)
def test_every_status_page_is_accessible(new_page, order, locale, viewport):
    page = new_page(locale=locale, viewport=viewport)
    page.login("finance2")
    page.open("/desk/payments/")
    page.tab.locator("summary").first.click()  # an action opened is accessible too
    page.assert_accessible()
    for status in ("awaiting_approval", "approved", "exported", "paid", "failed"):
        page.open(f"/desk/payments/?status={status}")
        page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []
