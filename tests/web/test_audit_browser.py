"""In Debian's Chromium: an audit from plan to report.

The auditor plans it, draws the sample, reviews the charts (adding a missed MCC on one and
watching the MS-DRG move), routes it; the vendor's QA lead rebuts a finding; the auditor
upholds it and makes the audit final; the report opens in the browser.
"""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from codingwatch.lake.keys import decrypt_source_id
from codingwatch.web.audits.models import Audit
from tests.web import test_browser
from tests.web.conftest import browser_login

browser_page = test_browser.browser_page  # the Chromium page fixture of the dashboard's browser tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, url, username):
    browser_login(page, url, username, wait_for=f"{url}/")


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_an_audit_runs_from_plan_to_report_in_the_browser(live_server, browser_page, auditor, acme_user,
                                                          audit_lake, contracts, tmp_path):
    from playwright.sync_api import expect

    page, url = browser_page, live_server.url
    log_in(page, url, "aud")
    page.goto(f"{url}/audits/")
    page.click("[data-testid=new-audit]")
    page.fill("#id_title", "Acme February review")
    page.select_option("#id_vendor", label="Acme Coding")
    page.fill("#id_period_from", "2026-01-01")
    page.fill("#id_period_to", "2026-03-31")
    page.fill("#id_sample_size", "9")
    page.fill("#id_seed", "4967669.23")
    page.click("[data-testid=create-audit]")
    page.click("[data-testid=draw-sample]")
    expect(page.locator("[data-testid=seed]")).to_have_text("4967669.23")
    expect(page.locator("[data-testid=frame-sha]")).not_to_be_empty()

    with scopes_disabled():
        audit = Audit.objects.get()
        numbers = list(audit.cases.values_list("number", flat=True))
        target = next(c.number for c in audit.cases.all() if decrypt_source_id(c.source_id_enc) == "IP-1001")

    for number in numbers:
        page.goto(f"{url}/audits/{audit.pk}/cases/{number}/")
        if number == target:
            expect(page.locator("[data-testid=coded-drg]")).to_contain_text("292")
            last_code = page.locator("#audited-lines input[name=code]").last
            last_code.press("Enter")  # Enter adds a line and puts the cursor in its code
            new_code = page.locator("#audited-lines input[name=code]").last
            expect(new_code).to_be_focused()
            new_code.fill("J96.01")
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            page.keyboard.type("Y")
            page.keyboard.press("Tab")  # the change asks the server to regroup
            expect(page.locator("#review-result [data-testid=audited-drg]")).to_contain_text("291")
            expect(page.locator("[data-testid=drg-changed]")).to_be_visible()
            page.locator("textarea[name='rationale::dx_added|ICD10CM||J9601']").fill("ABG and BiPAP documented")
        page.locator("#audited-lines input[name=code]").first.press("Control+Enter")  # save (and next)
        page.wait_for_load_state()

    page.goto(f"{url}/audits/{audit.pk}/")
    page.click("[data-testid=step-route]")
    expect(page.locator("[data-testid=audit-state]")).to_have_text("routed to vendor")
    log_out(page)

    log_in(page, url, "amit")
    page.goto(f"{url}/audits/{audit.pk}/")
    rows = page.locator("table.findings tbody tr")
    expect(rows).to_have_count(2)  # dx_added J96.01 and drg_up 292 -> 291
    added = rows.filter(has_text="dx_added")
    added.locator("input[aria-label^='comment to rebut']").fill("no respiratory failure in the notes")
    added.locator("button[data-testid^=rebut-]").click()
    page.locator("table.findings tbody tr", has_text="drg_up").locator("button[data-testid^=agree-]").click()
    page.click("[data-testid=step-submit_responses]")
    log_out(page)

    log_in(page, url, "aud")
    page.goto(f"{url}/audits/{audit.pk}/")
    rebutted = page.locator("table.findings tbody tr", has_text="dx_added")
    expect(rebutted.locator("[data-testid=finding-status]")).to_have_text("rebutted")
    rebutted.locator("input[aria-label^='comment to uphold']").fill("pH 7.29 and BiPAP on day 1")
    rebutted.locator("button[data-testid^=uphold-]").click()
    page.once("dialog", lambda dialog: dialog.accept())  # Make final asks first
    page.click("[data-testid=step-finalize]")
    expect(page.locator("[data-testid=audit-state]")).to_have_text("final")
    page.click("[data-testid=report-html]")  # the HTML report opens in the browser
    expect(page.locator("h1")).to_have_text("Acme February review")
    text = page.content()
    assert "4967669.23" in text and "pH 7.29 and BiPAP on day 1" in text
    assert page.problems == []
