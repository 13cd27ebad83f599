"""A clearance case from opening to closed, by clicking only, across the desk's roles: a
clerk opens a lost-nationality case, brings in its materials, submits and accepts it; an
auditor approves it; a finance officer liquidates and disburses it, puts the payment in a
bank file, downloads the file and records the bank's confirmation; the clerk closes the
case and downloads the statement and the certificate."""

import pytest
from pypdf import PdfReader

from shebao.clearance.models import ClearanceCase, DisbursementOrder
from tests.e2e.desk_cases import open_case, take_action, upload_checklist
from tests.factories import card
from tests.web.desk_cases_data import insured_worker, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def status(case_id):
    return ClearanceCase.objects.get(pk=case_id).status


def pdf_text(download) -> str:
    return "".join(page.extract_text() for page in PdfReader(download.path()).pages)


def test_a_lost_nationality_case_from_opening_to_closed_by_clicking(new_page, make_user):
    staff = make_staff(make_user)
    person = insured_worker(staff.clerk).person
    account = card(9)

    clerk = new_page()
    clerk.login("clerk")
    case_id = open_case(
        clerk,
        reason="lost_nationality",
        identifier=person.citizen_id,
        event_date="2025-10-01",
        payee=(person.name, account, "China Construction Bank"),
    )
    upload_checklist(clerk, case_id)
    take_action(clerk, case_id, "submit")
    take_action(clerk, case_id, "accept")
    assert status(case_id) == "accepted"

    auditor = new_page()
    auditor.login("auditor")
    # The accepted case waits in the auditor's queue.
    auditor.tab.locator("table.queue", has_text=person.name).wait_for()
    take_action(auditor, case_id, "approve", reasons="Materials complete and verified")
    assert status(case_id) == "approved"

    finance = new_page()
    finance.login("finance")
    take_action(finance, case_id, "liquidate")
    assert status(case_id) == "liquidated"
    take_action(finance, case_id, "disburse")
    order = DisbursementOrder.objects.get(case_id=case_id)
    assert order.status == "approved"  # under the threshold: no second approval

    tab = finance.tab
    finance.open("/desk/payments/?status=approved")
    tab.locator("summary", has_text="Create a bank payment file").click()
    with tab.expect_navigation():
        tab.get_by_role("button", name="Confirm: create the payment file").click()
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name="(CSV)").first.click()
    with open(download_info.value.path(), encoding="utf-8-sig") as handle:
        assert account in handle.read()

    finance.open("/desk/payments/?status=exported")
    order_card = tab.locator("article.order-card", has=tab.locator(f"#order-{order.pk}"))
    order_card.locator("summary", has_text="Mark paid").click()
    order_card.get_by_label("Bank reference").fill("CCB-20251114-0007")
    with tab.expect_navigation():
        order_card.get_by_role("button", name="Confirm: the bank paid").click()
    assert DisbursementOrder.objects.get(pk=order.pk).status == "paid"
    assert status(case_id) == "disbursed"

    take_action(clerk, case_id, "close")
    assert status(case_id) == "closed"
    with clerk.tab.expect_download() as statement:
        clerk.tab.get_by_role("link", name="Download the statement (PDF)").click()
    with clerk.tab.expect_download() as certificate:
        clerk.tab.get_by_role("link", name="Download the certificate (PDF)").click()
    assert person.name in pdf_text(statement.value)
    assert person.name in pdf_text(certificate.value)
    clerk.assert_accessible()
    for page in (clerk, auditor, finance):
        assert page.csp_violations == [] and page.foreign_requests == []
