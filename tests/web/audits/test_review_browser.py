"""In Debian's Chromium at 1366 px: the review screen an auditor and a vendor's QA lead work on.

Beside every line the code's title (installed ICD-10-CM) and the grouper's CC/MCC flags; an
Add line button; POA and modifiers refused as they are typed; the DRG finding names the line
that moved it and carries that line's rationale; no horizontal scrolling; only the responses a
finding's status allows; Make final asks first; the vendor answers on the case page.
"""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from codingwatch.lake.keys import decrypt_source_id
from codingwatch.web.audits.models import Finding
from codingwatch.web.audits.services.draw import draw
from codingwatch.web.audits.services.workflow import act_on_finding, transition
from tests.web.audit_fixtures import new_audit
from tests.web.conftest import browser_login
from tests.web.dashboard import test_browser

browser_page = test_browser.browser_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1366
RATIONALE = "ABG pH 7.29 and BiPAP documented on day 1"


def _no_horizontal_overflow(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways at {WIDTH} px: {widths[0]} px wide"


def _case_of(audit, source_id: str) -> int:
    with scopes_disabled():
        return next(c.number for c in audit.cases.all() if decrypt_source_id(c.source_id_enc) == source_id)


def test_the_auditor_reviews_a_chart_with_titles_flags_and_checks_as_typed(live_server, browser_page, roster,
                                                                            auditor, audit_lake, contracts):
    from playwright.sync_api import expect

    page, url = browser_page, live_server.url
    page.set_viewport_size({"width": WIDTH, "height": 900})
    audit = new_audit(roster["acme"], auditor, sample_size=9, title="Acme February")
    with scopes_disabled():
        draw(audit, auditor)
    number = _case_of(audit, "IP-1001")
    browser_login(page, url, "aud", wait_for=f"{url}/")
    page.goto(f"{url}/audits/{audit.pk}/cases/{number}/")

    coded = page.locator("[data-testid=coded-lines] tbody tr")
    expect(coded.filter(has_text="N179")).to_contain_text("Acute kidney failure, unspecified")
    expect(coded.filter(has_text="N179").locator(".flag")).to_have_text(["CC", "DRG"])  # a CC that decides DRG 292
    expect(coded.filter(has_text="I509")).to_contain_text("Heart failure, unspecified")
    lines = page.locator("#audited-lines tbody tr.line")
    expect(lines.filter(has=page.locator("input[value=N179]")).locator(".line-info")).to_contain_text(
        "Acute kidney failure")

    before = lines.count()
    page.click("[data-testid=add-line]")
    expect(lines).to_have_count(before + 1)
    new = lines.last
    expect(new.locator("input[name=code]")).to_be_focused()
    new.locator("input[name=poa]").press_sequentially("X")  # refused as typed, before any change event
    expect(new.locator(".line-error")).to_contain_text("POA: Y, N, U, W or 1")
    new.locator("input[name=modifiers]").press_sequentially("ABC")
    expect(new.locator(".line-error")).to_contain_text("modifiers: two letters or digits each, not ABC")
    new.locator("input[name=modifiers]").fill("")
    new.locator("input[name=poa]").fill("Y")
    new.locator("input[name=poa]").dispatch_event("input")
    expect(new.locator(".line-error")).to_have_text("")

    new.locator("input[name=code]").fill("J96.01")
    new.locator("input[name=code]").press("Tab")  # the change regroups on the server
    expect(page.locator("#review-result [data-testid=audited-drg]")).to_contain_text("291")
    expect(new.locator(".line-info")).to_contain_text("Acute respiratory failure with hypoxia")
    expect(new.locator(".line-info .flag").first).to_have_text("MCC")
    drg = page.locator("[data-testid=drg-finding]")
    expect(drg.locator("[data-testid=drg-cause]")).to_contain_text("J9601 (MCC DRG) added")

    page.locator("textarea[name='rationale::dx_added|ICD10CM||J9601']").fill(RATIONALE)
    new.locator("input[name=units]").fill("1")
    new.locator("input[name=units]").dispatch_event("change")  # a line change regroups and carries the rationale
    expect(drg.locator("textarea")).to_have_value(f"J9601: {RATIONALE}")
    _no_horizontal_overflow(page)
    page.click("[data-testid=save]")
    expect(page.locator(".messages")).to_contain_text(f"Case {number} saved.")
    with scopes_disabled():
        stored = Finding.objects.get(case__audit=audit, case__number=number, kind="drg_up")
    assert stored.rationale == f"J9601: {RATIONALE}"
    assert page.problems == []


def test_the_vendor_answers_on_the_case_page_and_make_final_asks_first(live_server, browser_page, reviewed_audit,
                                                                      auditor, acme_user):
    from playwright.sync_api import expect

    page, url = browser_page, live_server.url
    page.set_viewport_size({"width": WIDTH, "height": 900})
    audit = reviewed_audit
    number = _case_of(audit, "IP-1001")
    with scopes_disabled():
        transition(audit, auditor, "route")
        target = Finding.objects.filter(case__audit=audit, case__number=number, kind="dx_added").first()
        for f in Finding.objects.filter(case__audit=audit).exclude(pk=target.pk):
            act_on_finding(f, acme_user, "agree")

    browser_login(page, url, "amit", wait_for=f"{url}/")
    page.goto(f"{url}/audits/{audit.pk}/cases/{number}/")
    row = page.locator(f"[data-testid=case-finding-{target.pk}]")
    expect(page.locator("[data-testid=audited-lines]")).to_contain_text("J9601")  # the codes beside the answer
    expect(row.locator("button")).to_have_count(2)  # an open finding: agree or rebut
    row.locator("input[aria-label^='comment to rebut']").fill("no respiratory failure in the notes")
    row.locator(f"[data-testid=rebut-{target.pk}]").click()
    expect(page).to_have_url(f"{url}/audits/{audit.pk}/cases/{number}/#finding-{target.pk}")
    row = page.locator(f"[data-testid=case-finding-{target.pk}]")
    expect(row.locator("[data-testid=finding-status]")).to_have_text("rebutted")
    expect(row.locator(f"[data-testid=rebut-{target.pk}]")).to_have_count(0)  # rebutted: only agree is left
    expect(row).to_contain_text("vendor (rebut): no respiratory failure in the notes")
    _no_horizontal_overflow(page)
    page.goto(f"{url}/audits/{audit.pk}/")
    page.click("[data-testid=step-submit_responses]")
    page.get_by_role("button", name="Log out").click()

    browser_login(page, url, "aud", wait_for=f"{url}/")
    page.goto(f"{url}/audits/{audit.pk}/")
    _no_horizontal_overflow(page)
    upheld_buttons = page.locator("table.findings tbody tr", has_not_text="rebutted").locator("form.respond button")
    expect(upheld_buttons).to_have_count(0)  # agreed findings have nothing to decide
    rebutted = page.locator(f"[data-testid=finding-{target.pk}]")
    expect(rebutted.locator("form.respond button")).to_have_count(3)  # uphold, withdraw, escalate
    rebutted.locator("input[aria-label^='comment to uphold']").fill("pH 7.29 and BiPAP on day 1")
    rebutted.locator("button[data-testid^=uphold-]").click()

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("[data-testid=step-finalize]")
    expect(page.locator("[data-testid=audit-state]")).to_have_text("auditor reviewing rebuttals")
    assert asked and "Make this audit final?" in asked[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=step-finalize]")
    expect(page.locator("[data-testid=audit-state]")).to_have_text("final")
    assert page.problems == []
