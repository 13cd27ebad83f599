"""``/desk/payments/``: disbursement orders by status, the second approval (refused to the
officer who ordered it, with the service's message), the bank payment file created and
downloaded, orders marked paid or failed, and a failed order reissued."""

import pytest

from shebao.clearance.models import DisbursementOrder, PaymentBatch
from tests.factories import card
from tests.web.desk_helpers import desk_client, english_codes, no_latin_words, visible_text
from tests.web.desk_orders import ordered_payment, staff_of

pytestmark = pytest.mark.django_db

URL = "/desk/payments/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(make_user):
    return staff_of(make_user)


@pytest.fixture
def order(staff):
    order = ordered_payment(staff)
    assert order.status == "awaiting_approval" and order.amount > 50000
    return order


def post(client, order, action, **data):
    prefixed = {f"o{order.pk}-{name}": value for name, value in data.items()}
    return client.post(f"{URL}orders/{order.pk}/{action}/", prefixed)


def test_orders_are_listed_by_status_with_names(staff, order):
    page = visible_text(desk_client(staff.finance2).get(URL))
    assert f"Order {order.pk}" in page and "王芳" in page
    assert "Awaiting a second approval (1)" in page and "Bank transfer" in page
    assert f"{order.amount:,.2f}" in page
    assert order.bank_account not in page  # masked
    chinese = visible_text(desk_client(staff.finance2, "zh-hans").get(URL))
    assert (
        english_codes(chinese) == [] and no_latin_words(chinese, allowed={"CCB", "finance"}) == []
    )


def test_the_officer_who_ordered_is_not_offered_the_approval(staff, order):
    page = visible_text(desk_client(staff.finance).get(URL))
    assert "a second finance officer must approve it" in page
    assert "Confirm: approve the payment" not in page


def test_the_service_refuses_the_ordering_officers_approval_with_its_message(staff, order):
    response = post(desk_client(staff.finance), order, "approve")
    assert response.status_code == 422
    assert "You ordered this payment: a second finance officer must approve it." in (
        visible_text(response)
    )
    order.refresh_from_db()
    assert order.status == "awaiting_approval"
    chinese = post(desk_client(staff.finance, "zh-hans"), order, "approve")
    assert no_latin_words(visible_text(chinese), allowed={"CCB", "finance"}) == []


def test_second_approval_bank_file_download_and_paid(staff, order):
    second = desk_client(staff.finance2)
    response = post(second, order, "approve")
    assert response.status_code == 302 and response["Location"] == f"{URL}?status=approved"
    order.refresh_from_db()
    assert order.status == "approved" and order.second_approved_by == staff.finance2

    first = desk_client(staff.finance)
    created = first.post(URL + "files/", follow=True)
    batch = PaymentBatch.objects.get()
    assert f"Payment file {batch.pk} created: 1 orders" in visible_text(created)
    download = first.get(f"{URL}files/{batch.pk}/")
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    content = download.content.decode("utf-8-sig")
    assert order.bank_account in content and "王芳" in content
    order.refresh_from_db()
    assert order.status == "exported"

    paid = post(first, order, "paid", bank_reference="BANK-42", paid_on="2025-11-14")
    assert paid.status_code == 302
    order.refresh_from_db()
    assert order.status == "paid" and order.bank_reference == "BANK-42"
    assert "BANK-42" in visible_text(first.get(URL, {"status": "paid"}))


def test_nothing_to_send_is_the_services_message(staff, order):
    response = desk_client(staff.finance).post(URL + "files/", follow=True)
    assert "No approved payment is waiting to be sent." in visible_text(response)


def test_a_returned_payment_is_failed_by_another_officer_and_reissued(staff, order):
    DisbursementOrder.objects.filter(pk=order.pk)  # ordered by finance
    post(desk_client(staff.finance2), order, "approve")
    desk_client(staff.finance2).post(URL + "files/")  # finance2 sent the file
    # Neither the officer who ordered it nor the one who sent the file is offered it...
    page = visible_text(desk_client(staff.finance2).get(URL, {"status": "exported"}))
    assert "Confirm: the payment failed" not in page
    # ...and the service refuses them with its own message.
    refused = post(
        desk_client(staff.finance2), order, "failed", reason="closed", bank_return_reference="R1"
    )
    assert refused.status_code == 422
    assert "another finance officer must record" in visible_text(refused)
    third = desk_client(staff.supervisor)
    assert third.get(URL).status_code == 200  # a supervisor sees the orders...
    assert post(third, order, "failed", reason="x").status_code == 403  # ...but does not act

    other = staff_of.__globals__  # noqa: F841 - keeps the helper's module loaded
    from shebao.accounts.models import User

    finance3 = User.objects.create_user(
        username="finance3", password="demo-password-1", role="finance", is_staff=True
    )
    missing = post(desk_client(finance3), order, "failed", reason="account closed")
    assert missing.status_code == 422 and "give the bank's reference" in visible_text(missing)
    failed = post(
        desk_client(finance3),
        order,
        "failed",
        reason="account closed",
        bank_return_reference="RET-7",
    )
    assert failed.status_code == 302
    order.refresh_from_db()
    assert order.status == "failed"

    reissued = post(
        desk_client(staff.finance), order, "reissue", bank_account=card(77), bank_name="ABC"
    )
    assert reissued.status_code == 302
    new = DisbursementOrder.objects.get(reissue_of=order)
    assert new.bank_account == card(77) and new.status == "awaiting_approval"
    page = visible_text(desk_client(staff.finance).get(URL, {"status": "failed"}))
    assert "Reissued Yes" in page and "Confirm: reissue the payment" not in page


def test_a_bad_corrected_account_is_refused_on_its_field(staff, order):
    post(desk_client(staff.finance2), order, "approve")
    post(desk_client(staff.finance), order, "failed", reason="held before sending")
    response = post(desk_client(staff.finance), order, "reissue", bank_account="123")
    assert response.status_code == 422
    order.refresh_from_db()
    assert order.status == "failed" and not DisbursementOrder.objects.filter(reissue_of=order)


@pytest.mark.parametrize(
    ("role", "status"), [("clerk", 200), ("auditor", 200), ("supervisor", 200), ("person", 403)]
)
def test_who_sees_and_who_acts(make_user, staff, order, role, status):
    user = make_user(f"x-{role}", role)
    client = desk_client(user)
    assert client.get(URL).status_code == status
    if status == 200:
        assert "Confirm:" not in visible_text(client.get(URL))
    assert post(client, order, "approve").status_code == 403
    assert client.post(URL + "files/").status_code == 403


def test_a_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login?next=")


@pytest.mark.parametrize("status", ["awaiting_approval", "approved", "exported", "paid", "failed"])
def test_each_status_page_in_chinese_shows_no_code(staff, order, status):
    page = visible_text(desk_client(staff.finance2, "zh-hans").get(URL, {"status": status}))
    assert english_codes(page) == [] and no_latin_words(page, allowed={"CCB", "finance"}) == []
