"""An insured person at phone width, in both languages: signs in at /login, sees the
account chart and the month the employer has not paid, downloads the rights statement
and a proof of insurance, and checks the proof at its /verify/ page. axe-core on every
page; no Content-Security-Policy violation."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from shebao.accounts.services import user_create
from shebao.core import clock
from shebao.registry import services as registry
from tests.e2e.conftest import PHONE
from tests.factories import World
from tests.web.desk_orders import staff_of

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_text(download) -> str:
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def insured_person():
    clerk = user_create(actor=None, username="registrar", password="x-pass-2025", role="clerk")
    world = World(clerk)
    unit = world.unit(name="华信科技有限公司")
    person = world.employ(unit, serial=4, name="张伟", started=datetime.date(2025, 7, 1))
    with clock.frozen(datetime.date(2025, 9, 20)):
        world.declare(unit, "2025-08", [(person, Decimal("8000.00"))])
        world.declare(unit, "2025-09", [(person, Decimal("8000.00"))])
        world.pay_all(unit, "BANK-1")
    world.declare(unit, "2025-10", [(person, Decimal("8000.00"))])
    user = user_create(actor=None, username="zhangwei", password="Person-pass-2025", role="person")
    registry.person_link_user(actor=clerk, person_id=person.pk, user=user)
    return person


@pytest.mark.parametrize(
    ("locale", "arrears", "statement", "proof", "valid", "kind"),
    [
        (
            "zh-CN",
            "欠缴",
            "个人权益记录（PDF）",
            "参保证明（PDF）",
            "有效",
            "社会保险参保证明",
        ),
        (
            "en-US",
            "In arrears",
            "Rights statement (PDF)",
            "Proof of insurance (PDF)",
            "Valid",
            "Proof of social insurance",
        ),
    ],
)
def test_person_sees_the_account_and_checks_the_proof(
    new_page, locale, arrears, statement, proof, valid, kind
):
    person = insured_person()
    page = new_page(locale=locale, viewport=PHONE)
    page.login("zhangwei", "Person-pass-2025")
    tab = page.tab
    assert tab.url.endswith("/me/")

    chart = tab.locator("#me-account-chart")
    assert chart.is_visible()
    drawn = "() => !!window.Chart.getChart(document.getElementById('me-account-chart'))"
    assert tab.evaluate(drawn)
    row = tab.locator("table.me-contributions tr.arrears", has_text="2025-10")
    assert row.count() == 1 and arrears in row.inner_text()
    # Nothing wider than the phone's screen (wide tables scroll inside their frame).
    assert tab.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.assert_accessible()

    with tab.expect_download() as statement_download:
        tab.get_by_role("link", name=statement).click()
    assert "2025-10" in pdf_text(statement_download.value)
    with tab.expect_download() as proof_download:
        tab.get_by_role("button", name=proof).click()
    text = pdf_text(proof_download.value)
    assert person.name in text
    code = re.search(r"/verify/([0-9A-Z]{16})", text).group(1)

    page.open(f"/verify/{code}")
    result = tab.locator(".verify-result")
    assert valid in result.inner_text() and kind in result.inner_text()
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []


@pytest.mark.parametrize(
    ("locale", "next_label", "save", "upload", "submit", "submitted"),
    [
        ("zh-CN", "下一步", "保存并继续上传材料", "上传", "提交申请", "已提交"),
        (
            "en-US",
            "Next",
            "Save and continue to the materials",
            "Upload",
            "Submit the application",
            "Submitted",
        ),
    ],
)
def test_person_applies_online_through_the_wizard(
    new_page, make_user, tmp_path, locale, next_label, save, upload, submit, submitted
):
    from shebao.clearance import selectors as clearance_selectors
    from shebao.clearance.models import ClearanceCase
    from tests.factories import card
    from tests.web.desk_cases_data import PDF

    person = insured_person()
    document = tmp_path / "document.pdf"
    document.write_bytes(PDF)
    page = new_page(locale=locale, viewport=PHONE)
    page.login("zhangwei", "Person-pass-2025")
    tab = page.tab
    tab.locator("a[href='/me/apply/']").first.click()
    tab.wait_for_url("**/me/apply/")
    page.assert_accessible()
    tab.locator("#id_reason").select_option("lost_nationality")
    tab.locator("#reason-info h2").wait_for()  # shown as the reason is chosen (htmx)
    tab.locator("#id_event_date").fill("2025-10-01")
    with tab.expect_navigation():
        tab.get_by_role("button", name=next_label).click()
    page.assert_accessible()
    tab.locator("#id_acknowledged").check()
    tab.locator("#id_payee_bank_account").fill(card(5))
    tab.locator("#id_payee_bank_name").fill("ICBC")
    with tab.expect_navigation():
        tab.get_by_role("button", name=save).click()
    case = ClearanceCase.objects.get(person=person)
    page.assert_accessible()
    for item in clearance_selectors.materials_required(case):
        if item["required"] and not item["checked_by_agency"]:
            tab.locator("#id_kind").select_option(item["code"])
            tab.locator("#id_file").set_input_files(str(document))
            with tab.expect_navigation():
                tab.get_by_role("button", name=upload, exact=True).click()
    with tab.expect_navigation():
        tab.get_by_role("button", name=submit).click()
    assert submitted in tab.locator("main").inner_text()
    case.refresh_from_db()
    assert case.status == "submitted"
    assert tab.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.assert_accessible()

    # The agency processes the case; the person follows it to closed and downloads the
    # certificate of cancellation.
    process_to_closed(staff_of(make_user), case.pk)
    page.open(f"/me/cases/{case.pk}/")
    with tab.expect_download() as certificate:
        tab.locator(f"a[href='/me/cases/{case.pk}/certificate.pdf']").click()
    assert person.name in pdf_text(certificate.value)
    page.assert_accessible()
    assert page.csp_violations == [] and page.foreign_requests == []


def process_to_closed(staff, case_id):
    """What the desk does with a submitted case, through the services: the agency's own
    checks, acceptance, audit, liquidation, disbursement, the bank's confirmation, closing."""
    from shebao.clearance import services as clearance
    from shebao.clearance.models import DisbursementOrder
    from tests.clearance.conftest import accept_case, verify_checked

    verify_checked(case_id)
    accept_case(staff.clerk, case_id)
    clearance.case_approve(actor=staff.auditor, case_id=case_id)
    clearance.case_liquidate(actor=staff.finance, case_id=case_id)
    clearance.case_disburse(actor=staff.finance, case_id=case_id)
    for order in DisbursementOrder.objects.filter(case_id=case_id):
        clearance.order_mark_paid(actor=staff.finance, order_id=order.pk, bank_reference="B-1")
    clearance.case_close(actor=staff.clerk, case_id=case_id)
