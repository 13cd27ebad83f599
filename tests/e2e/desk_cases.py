"""Driving the desk's case pages in the browser as staff do, by clicking: open a case,
bring in the materials of its checklist, take a step. Language-independent (elements
are found by their names and ids, not by their words), for any test that needs a case
moved through the desk (the payments pages' flow too)."""

import re

from tests.web.desk_cases_data import PDF


def open_case(page, *, reason, identifier, event_date, payee=None, acknowledged=False):
    """Open a case on /desk/cases/new: choose the reason (its conditions and materials
    appear), give the subject's number, the date, the payee; returns the case's id."""
    tab = page.tab
    page.open("/desk/cases/new")
    with tab.expect_response(re.compile(r"/desk/cases/reason")):
        tab.locator("select[name=reason]").select_option(reason)
    tab.locator("#reason-info section").wait_for()
    tab.locator("input[name=identifier]").fill(identifier)
    tab.locator("input[name=event_date]").fill(event_date)
    if payee is not None:
        name, account, bank = payee
        tab.locator("input[name=payee_name]").fill(name)
        tab.locator("input[name=payee_bank_account]").fill(account)
        tab.locator("input[name=payee_bank_name]").fill(bank)
    if acknowledged:
        tab.locator("input[name=acknowledged]").check()
    with tab.expect_navigation():
        tab.locator("form button.primary[type=submit]").click()
    match = re.search(r"/desk/cases/(\d+)/$", tab.url)
    assert match, f"not opened: {tab.url}"
    return int(match.group(1))


def upload_checklist(page, case_id, data=PDF, note="Checked in the agency's own records"):
    """Upload a file for every material the upload form offers, then record the agency's
    check of each material it checks itself."""
    tab = page.tab
    page.open(f"/desk/cases/{case_id}/")
    kinds = tab.locator("#upload select[name=kind] option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    for kind in kinds:
        tab.locator("#upload summary").click()
        tab.locator("#upload select[name=kind]").select_option(kind)
        tab.locator("#upload input[name=file]").set_input_files(
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": data}]
        )
        with tab.expect_navigation():
            tab.locator("#upload button[type=submit]").click()
    checks = tab.locator("details[id^=verify-]").evaluate_all("items => items.map(d => d.id)")
    for check in checks:
        tab.locator(f"#{check} summary").click()
        tab.locator(f"#{check} textarea[name=note]").fill(note)
        with tab.expect_navigation():
            tab.locator(f"#{check} button[type=submit]").click()


def take_action(page, case_id, action, *, reasons=None, acknowledge_all=True, open_page=True):
    """Open the action's confirmation on the case page, fill the reasons, tick every
    warning (after reading them), and confirm."""
    tab = page.tab
    if open_page:
        page.open(f"/desk/cases/{case_id}/")
    box = tab.locator(f"#action-{action}")
    box.locator("summary").click()
    if reasons is not None:
        box.locator("textarea[name=reasons]").fill(reasons)
    if acknowledge_all:
        for checkbox in box.locator("input[name=acknowledge_warnings]").all():
            checkbox.check()
    with tab.expect_navigation():
        box.locator("button[type=submit]").click()
