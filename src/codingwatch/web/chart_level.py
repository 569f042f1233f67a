"""Which pages and API endpoints are chart-level: the one list the access-trail guard test reads.

Every URL pattern (as urls.py spells it, prefixes joined) and every API operation ("METHOD
/api/path" as django-ninja declares it) is classified here, with the reason:

- CHART_LEVEL: the response shows an identified record (an encounter or audit case, a finding,
  a claim, an alert, one coder's or one vendor's detail) or is an export. Every 2xx response
  writes one row to the access trail (`accounts.trail.record_access` / `records_view`).
- AGGREGATE: the response shows no chart-level record: figures over groups, the roster's
  lists, forms, steps that answer with a redirect (the page they lead to is recorded, the
  audit's own event trail records the step), the API's description, static code.

tests/web/test_trail_guard.py enumerates the URL resolver and the API's routers and fails on
any route missing here, on any entry naming a route that is gone, and on any chart-level
route that, requested, writes no trail row. A new URL: add its line here (and, when it is
chart-level, the request that proves it in the test's REQUESTS).
"""

from __future__ import annotations

CHART_LEVEL = "chart-level"
AGGREGATE = "aggregate"

# Route prefixes classified as a whole.
PREFIXES: dict[str, tuple[str, str]] = {
    "admin/": (AGGREGATE, "the admin screens (admin role only): users, roster, contracts; the trail read-only"),
}

PAGES: dict[str, tuple[str, str]] = {
    "login/": (AGGREGATE, "the login form"),
    "logout/": (AGGREGATE, "logs out"),
    "healthz": (AGGREGATE, "public: database and lake reachable, no data"),
    "mfa/verify/": (AGGREGATE, "the second-factor form"),
    "mfa/setup/": (AGGREGATE, "enrols an authenticator (the user's own secret)"),
    "mfa/recovery-codes/": (AGGREGATE, "the user's own recovery codes"),
    "oidc/authenticate/": (AGGREGATE, "starts single sign-on, redirects to the provider"),
    "oidc/callback/": (AGGREGATE, "the provider's answer, redirects"),
    "api/": (AGGREGATE, "the API's root"),
    "api/openapi.json": (AGGREGATE, "the API's description"),
    "api/docs": (AGGREGATE, "the API's documentation page"),
    # dashboard
    "": (AGGREGATE, "figures by vendor, specialty, month"),
    "figures/<str:by>/table/": (AGGREGATE, "figures grouped by one dimension"),
    "figures/<str:by>.csv": (CHART_LEVEL, "an export"),
    "vendors/": (AGGREGATE, "the vendors with their totals"),
    "vendors/<str:code>/": (CHART_LEVEL, "one vendor: its coders' figures"),
    "coders/<str:login_id>/": (CHART_LEVEL, "one coder's figures"),
    "assets/vega-bundle.js": (AGGREGATE, "the charts' script"),
    "views/save/": (AGGREGATE, "saves the user's own view of a figure page (its query), redirects"),
    "views/<int:pk>/delete/": (AGGREGATE, "deletes one of the user's own saved views, redirects"),
    # costs
    "costs/": (AGGREGATE, "the cost calculator"),
    "costs/evaluate/": (AGGREGATE, "a scenario's figures"),
    "costs/brief.<str:fmt>": (CHART_LEVEL, "an export"),
    "costs/saved/": (AGGREGATE, "saves a scenario, redirects"),
    "costs/saved/<int:pk>/delete/": (AGGREGATE, "deletes a saved scenario, redirects"),
    # denials
    "denials/": (AGGREGATE, "denial rates and reason codes over groups"),
    "denials/rates/<str:by>/table/": (AGGREGATE, "denial rates grouped by one dimension"),
    "denials/rates/<str:by>.csv": (CHART_LEVEL, "an export"),
    "denials/carcs.csv": (CHART_LEVEL, "an export"),
    "denials/vendors/<str:code>/": (CHART_LEVEL, "one vendor's denials"),
    "denials/coders/<str:login_id>/": (CHART_LEVEL, "one coder's denied claims"),
    "denials/claims/<str:load_id>/<int:claim_row>/": (CHART_LEVEL, "one claim with its encounter"),
    # scorecard
    "scorecard/": (AGGREGATE, "term states and credits per vendor over the period"),
    "scorecard/vendors/<str:code>/": (CHART_LEVEL, "one vendor's scorecard: its months, terms and credits"),
    "scorecard/vendors/<str:code>.json": (CHART_LEVEL, "an export"),
    # sampling
    "sampling/": (AGGREGATE, "the sampling calculator"),
    "sampling/random.<str:fmt>": (CHART_LEVEL, "an export"),
    "sampling/attribute.<str:fmt>": (CHART_LEVEL, "an export"),
    # audits
    "audits/": (AGGREGATE, "the audits with their counts"),
    "audits/new/": (AGGREGATE, "the audit plan form"),
    "audits/<int:pk>/": (CHART_LEVEL, "one audit: its cases and findings"),
    "audits/<int:pk>/edit/": (AGGREGATE, "an undrawn plan's form (no cases yet), redirects"),
    "audits/<int:pk>/delete/": (AGGREGATE, "deletes an undrawn plan (no cases yet), redirects"),
    "audits/<int:pk>/draw/": (AGGREGATE, "a step (draw the sample), redirects; an audit event records it"),
    "audits/<int:pk>/import/": (AGGREGATE, "a step (import as-audited lines), redirects"),
    "audits/<int:pk>/step/<str:name>/": (AGGREGATE, "a workflow step, redirects; an audit event records it"),
    "audits/<int:pk>/findings/<int:finding_id>/<str:action>/": (
        AGGREGATE, "a response to a finding, redirects; an audit event records it"),
    "audits/<int:pk>/report.<str:fmt>": (CHART_LEVEL, "an export"),
    "audits/<int:pk>/cases/<int:number>/": (CHART_LEVEL, "one case: the chart's codes"),
    "audits/<int:pk>/cases/<int:number>/preview/": (CHART_LEVEL, "one case regrouped with the typed codes"),
    "audits/<int:pk>/cases/<int:number>/reveal/": (CHART_LEVEL, "one case's source encounter id"),
    "compliance/repayments/": (CHART_LEVEL, "overpayments identified, audit by audit"),
    # provenance
    "provenance/": (CHART_LEVEL, "the alerts queue: logins and what they reached"),
    "provenance/alerts.csv": (CHART_LEVEL, "an export"),
    "provenance/alerts/<int:pk>/": (CHART_LEVEL, "one alert with its evidence"),
    "provenance/alerts/<int:pk>/assign/": (AGGREGATE, "a triage step, redirects to the alert (recorded)"),
    "provenance/alerts/<int:pk>/comment/": (AGGREGATE, "a triage step, redirects to the alert (recorded)"),
    "provenance/alerts/<int:pk>/resolve/": (AGGREGATE, "a triage step, redirects to the alert (recorded)"),
    "provenance/suppressions/": (CHART_LEVEL, "suppression rules: logins, countries, devices"),
    "provenance/summary/": (AGGREGATE, "per-vendor shares for the quarterly review"),
    "provenance/cases/": (CHART_LEVEL, "the alert cases queue: logins and what they reached"),
    "provenance/cases/bulk/": (AGGREGATE, "a bulk triage step on ticked cases, redirects to the queue"),
    "provenance/cases/<int:pk>/": (CHART_LEVEL, "one alert case with its alerts and evidence"),
    "provenance/cases/<int:pk>/assign/": (AGGREGATE, "a triage step, redirects to the case (recorded)"),
    "provenance/cases/<int:pk>/resolve/": (AGGREGATE, "a triage step, redirects to the case (recorded)"),
    # home and notifications
    "home/": (CHART_LEVEL, "what waits for the user: audits, cases with findings, alert cases"),
    "notifications/": (AGGREGATE, "the user's own notices: titles and links (each page they link to records its view)"),
    "notifications/<int:pk>/read/": (AGGREGATE, "marks the user's notice read, redirects"),
    "notifications/read-all/": (AGGREGATE, "marks the user's notices read, redirects"),
    "notifications/preferences/": (AGGREGATE, "the user's notification preferences"),
    # due diligence
    "diligence/": (AGGREGATE, "weighted scores per vendor"),
    "diligence/rfp/": (AGGREGATE, "candidates' scores side by side: documents, no chart"),
    "diligence/alerts/": (CHART_LEVEL, "diligence alerts: logins and the charts they coded"),
    "diligence/vendors/<str:code>/": (CHART_LEVEL, "one vendor's evidence"),
    "diligence/vendors/<str:code>/documents/": (AGGREGATE, "records a document, redirects to the vendor (recorded)"),
    "diligence/vendors/<str:code>/declared/": (CHART_LEVEL, "one vendor: declared vs observed, with evidence"),
    "diligence/documents/<int:pk>/file": (CHART_LEVEL, "an export"),
    # evidence chain and quarterly review
    "encounters/<str:encounter_key>/chain/": (CHART_LEVEL, "one chart from access to payment"),
    "review/": (AGGREGATE, "the vendors and quarters to choose from"),
    "review/<str:code>/<str:quarter>/": (CHART_LEVEL, "one vendor's quarterly review"),
    "review/<str:code>/<str:quarter>.<str:fmt>": (CHART_LEVEL, "an export"),
}

API: dict[str, tuple[str, str]] = {
    "GET /api/figures/{by}": (AGGREGATE, "figures grouped by one dimension"),
    "GET /api/totals": (AGGREGATE, "figures over everything"),
    "GET /api/vendors": (AGGREGATE, "the roster's vendors"),
    "GET /api/vendors/{code}": (CHART_LEVEL, "one vendor: its coders' figures"),
    "GET /api/coders": (AGGREGATE, "the roster's coders"),
    "GET /api/coders/{login_id}": (CHART_LEVEL, "one coder's figures"),
    # costs: the organization's cost model, no charts
    "POST /api/costs/evaluate": (AGGREGATE, "a scenario's figures"),
    "GET /api/costs/presets": (AGGREGATE, "preset scenarios"),
    "GET /api/costs/presets/{name}": (AGGREGATE, "a preset scenario"),
    "GET /api/costs/presets/{name}/evaluate": (AGGREGATE, "a preset's figures"),
    "GET /api/costs/scenarios": (AGGREGATE, "saved scenarios"),
    "POST /api/costs/scenarios": (AGGREGATE, "saves a scenario"),
    "GET /api/costs/scenarios/{scenario_id}": (AGGREGATE, "a saved scenario"),
    "DELETE /api/costs/scenarios/{scenario_id}": (AGGREGATE, "deletes a saved scenario"),
    "GET /api/costs/scenarios/{scenario_id}/evaluate": (AGGREGATE, "a saved scenario's figures"),
    # sampling: numbers computed from the request
    "GET /api/sampling/random": (AGGREGATE, "random numbers from a seed"),
    "GET /api/sampling/attribute": (AGGREGATE, "an appraisal of counts"),
    "POST /api/sampling/variable": (AGGREGATE, "an appraisal of the uploaded values"),
    # denials
    "GET /api/denials/rates/{by}": (AGGREGATE, "denial rates grouped by one dimension"),
    "GET /api/denials/carcs": (AGGREGATE, "reason codes over groups"),
    "GET /api/denials/summary": (AGGREGATE, "totals"),
    "GET /api/denials/vendors/{code}": (CHART_LEVEL, "one vendor's denials"),
    "GET /api/denials/coders/{login_id}": (CHART_LEVEL, "one coder's denied claims"),
    "GET /api/denials/claims/{load_id}/{claim_row}": (CHART_LEVEL, "one claim with its encounter"),
    # audits
    "GET /api/audits": (AGGREGATE, "the audits' plans"),
    "GET /api/audits/{audit_id}": (CHART_LEVEL, "one audit"),
    "GET /api/audits/{audit_id}/cases": (CHART_LEVEL, "the audit's cases: the charts' codes"),
    "GET /api/audits/{audit_id}/findings": (CHART_LEVEL, "the audit's findings"),
    "POST /api/audits/{audit_id}/steps/{name}": (CHART_LEVEL, "a workflow step answering the audit"),
    "POST /api/audits/{audit_id}/findings/{finding_id}/{action}": (CHART_LEVEL, "a response answering the finding"),
    # provenance
    "GET /api/provenance/alerts": (CHART_LEVEL, "the alerts queue"),
    "GET /api/provenance/alerts/{alert_id}": (CHART_LEVEL, "one alert with its evidence"),
    "POST /api/provenance/alerts/{alert_id}/assign": (CHART_LEVEL, "a triage step answering the alert"),
    "POST /api/provenance/alerts/{alert_id}/comments": (CHART_LEVEL, "a comment on the alert"),
    "POST /api/provenance/alerts/{alert_id}/resolve": (CHART_LEVEL, "a triage step answering the alert"),
    "GET /api/provenance/suppressions": (CHART_LEVEL, "suppression rules: logins, countries, devices"),
    "GET /api/provenance/summary": (AGGREGATE, "per-vendor shares for the quarterly review"),
    "GET /api/provenance/cases": (CHART_LEVEL, "the alert cases queue"),
    "GET /api/provenance/cases/{case_id}": (CHART_LEVEL, "one alert case with its alerts and evidence"),
    "POST /api/provenance/cases/{case_id}/assign": (CHART_LEVEL, "a triage step answering the case"),
    "POST /api/provenance/cases/{case_id}/resolve": (CHART_LEVEL, "a triage step answering the case"),
    # home and notifications
    "GET /api/home": (CHART_LEVEL, "what waits for the user: audits, cases with findings, alert cases"),
    "GET /api/notifications": (AGGREGATE, "the user's own notices: titles and links"),
    "POST /api/notifications/{notification_id}/read": (AGGREGATE, "marks the user's notice read"),
    # due diligence, evidence chain, quarterly review
    "GET /api/diligence/vendors": (AGGREGATE, "weighted scores per vendor"),
    "GET /api/diligence/vendors/{code}": (CHART_LEVEL, "one vendor's evidence"),
    "GET /api/diligence/vendors/{code}/declared": (CHART_LEVEL, "one vendor: declared vs observed"),
    "GET /api/diligence/alerts": (CHART_LEVEL, "diligence alerts"),
    "GET /api/encounters/{encounter_key}/chain": (CHART_LEVEL, "one chart from access to payment"),
    "GET /api/review/{code}/{quarter}": (CHART_LEVEL, "one vendor's quarterly review"),
    # scorecard
    "GET /api/scorecard/vendors": (AGGREGATE, "term states and credits per vendor over the period"),
    "GET /api/scorecard/vendors/{code}": (CHART_LEVEL, "one vendor's scorecard: its months, terms and credits"),
    # saved views: the user's own names, pages and queries (each page opened records its own view)
    "GET /api/views": (AGGREGATE, "the user's own saved views: names, pages and queries"),
    "POST /api/views": (AGGREGATE, "saves one of the user's own views of a figure page"),
    "DELETE /api/views/{view_id}": (AGGREGATE, "deletes one of the user's own saved views"),
}


def classify_page(route: str) -> tuple[str, str] | None:
    if route in PAGES:
        return PAGES[route]
    for prefix, verdict in PREFIXES.items():
        if route.startswith(prefix):
            return verdict
    return None
