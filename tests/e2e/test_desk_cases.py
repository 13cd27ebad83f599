"""A clerk opens a lost-nationality case for a person by clicking, uploads the materials of
its checklist, submits and accepts it; an auditor approves it. Every case page passes
axe-core at a desktop and at a phone's width, in both languages."""

import pytest

from shebao.clearance.models import ClearanceCase
from tests.e2e.conftest import PHONE
from tests.e2e.desk_cases import open_case, take_action, upload_checklist
from tests.factories import card
from tests.web.desk_cases_data import (
    advance,
    insured_worker,
    lost_nationality_case,
    make_staff,
)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_clerk_opens_and_accepts_a_lost_nationality_case_and_an_auditor_approves(
    new_page, make_user
):
    staff = make_staff(make_user)
    worker = insured_worker(staff.clerk)
    person = worker.person

    clerk = new_page()
    clerk.login("clerk")
    tab = clerk.tab
    clerk.open("/desk/cases/new")
    clerk.assert_accessible()
    tab.get_by_label("Reason").select_option(label="Loss of PRC nationality")
    info = tab.locator("#reason-info")
    info.get_by_text("Lump sum to the person on written application").wait_for()
    assert "Foreign passport or proof of nationality" in info.inner_text()
    assert "MOHRSS Order 13 (2011), Art. 6" in info.inner_text()
    clerk.assert_accessible()

    case_id = open_case(
        clerk,
        reason="lost_nationality",
        identifier=person.citizen_id,
        event_date="2025-10-01",
        payee=(person.name, card(9), "CCB"),
    )
    assert "Case opened" in tab.locator("table.timeline").inner_text()
    clerk.assert_accessible()

    upload_checklist(clerk, case_id)
    materials = tab.locator("table.materials").inner_text()
    assert "Not received" not in materials and "To be checked by the agency" not in materials
    # A material opens inline.
    tab.locator("table.materials a").first.click()
    tab.locator("iframe.material-frame").wait_for()
    clerk.assert_accessible()

    take_action(clerk, case_id, "submit")
    assert ClearanceCase.objects.get(pk=case_id).status == "submitted"
    take_action(clerk, case_id, "accept")
    assert ClearanceCase.objects.get(pk=case_id).status == "accepted"
    assert tab.locator("#action-approve").count() == 0  # not the clerk's step

    auditor = new_page()
    auditor.login("auditor")
    take_action(auditor, case_id, "approve", reasons="Materials complete and verified")
    assert ClearanceCase.objects.get(pk=case_id).status == "approved"
    assert "Audit approved" in auditor.tab.locator("table.timeline").inner_text()
    auditor.assert_accessible()

    # The list filters as the status is chosen (htmx), and says so without JavaScript too.
    auditor.open("/desk/cases/")
    with auditor.tab.expect_response(lambda r: "status=draft" in r.url):
        auditor.tab.get_by_label("Status").select_option(label="Draft")
    auditor.tab.get_by_text("No case matches.").wait_for()
    with auditor.tab.expect_response(lambda r: "status=approved" in r.url):
        auditor.tab.get_by_label("Status").select_option(label="Approved")
    auditor.tab.locator("table.cases", has_text=person.name).wait_for()
    assert clerk.csp_violations == [] and auditor.csp_violations == []
    assert clerk.foreign_requests == [] and auditor.foreign_requests == []


@pytest.mark.parametrize(
    ("locale", "viewport"),
    [("en-US", None), ("en-US", PHONE), ("zh-CN", None), ("zh-CN", PHONE)],
)
def test_every_case_page_is_accessible(new_page, make_user, locale, viewport):
    staff = make_staff(make_user)
    worker = insured_worker(staff.clerk)
    case = lost_nationality_case(staff.clerk, worker.person)
    case = advance(staff, case, until="liquidated")
    material = case.materials.order_by("pk").first()

    page = new_page(locale=locale, viewport=viewport)
    page.login("clerk")
    for path in (
        "/desk/cases/",
        "/desk/cases/?status=liquidated&sort=due",
        "/desk/cases/new",
        f"/desk/cases/{case.pk}/",
        f"/desk/cases/{case.pk}/materials/{material.pk}/",
    ):
        page.open(path)
        page.assert_accessible()
    page.open("/desk/cases/new")
    page.tab.locator("select[name=reason]").select_option("death")
    page.tab.locator("#reason-info section").wait_for()
    page.assert_accessible()
    # The case page with every action box open, as a finance officer sees it.
    finance = new_page(locale=locale, viewport=viewport)
    finance.login("finance")
    finance.open(f"/desk/cases/{case.pk}/")
    for summary in finance.tab.locator("details.action summary").all():
        summary.click()
    finance.assert_accessible()
    assert page.csp_violations == [] and finance.csp_violations == []
