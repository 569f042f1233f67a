"""The access trail's guard: every URL pattern and every API route is classified, and every
chart-level one, requested, writes a trail row.

The classification lives in codingwatch.web.chart_level (one list). This test walks Django's
URL resolver and the django-ninja API's routers, so a new page or endpoint fails here until
it is classified; a chart-level one also needs its request in REQUESTS below, which is made
against a world holding an audit, denied claims and provenance alerts.
"""

from __future__ import annotations

import json

import pytest
from django.urls import URLResolver, get_resolver
from django_scopes import scopes_disabled

from codingwatch.web import chart_level
from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.api import api
from codingwatch.web.audits.models import Finding
from codingwatch.web.provenance.models import AlertCase, ProvenanceAlert
from tests.web import provenance_fixtures as pf
from tests.web.conftest import make_user
from tests.web.denials import test_denials_pages as dp

pytestmark = pytest.mark.django_db

access_lake, compliance, scanned = pf.access_lake, pf.compliance, pf.scanned
denials_lake = dp.denials_lake

PUBLIC_DRAW = "seed=10661935.55&count=100&spares=1&low=0&high=101"


def page_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    return list(dict.fromkeys(walk(get_resolver().url_patterns)))


def api_routes() -> list[str]:
    """ "METHOD /api/path" of every operation on every router of the API (ninja keeps them in _routers)."""
    found = []
    for prefix, router in api._routers:
        base = "/api" + ("/" + prefix.strip("/") if prefix.strip("/") else "")
        for path, view in router.path_operations.items():
            for operation in view.operations:
                found += [f"{method} {base}{path}" for method in operation.methods]
    return found


def _as_api_path(route: str) -> str:
    """'api/audits/<audit_id>/cases' -> '/api/audits/{audit_id}/cases' (how ninja routes reach Django)."""
    import re

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_url_pattern_and_api_route_is_classified():
    api_paths = {r.split(" ", 1)[1] for r in api_routes()}
    pages = [r for r in page_routes() if _as_api_path(r) not in api_paths]
    unclassified = [r for r in pages if chart_level.classify_page(r) is None]
    unclassified += [r for r in api_routes() if r not in chart_level.API]
    assert unclassified == [], ("classify these in codingwatch/web/chart_level.py (chart-level or aggregate): "
                                f"{unclassified}")
    gone = [r for r in chart_level.PAGES if r not in pages] + [r for r in chart_level.API if r not in api_routes()]
    assert gone == [], f"chart_level.py names routes that no longer exist: {gone}"
    for verdict, reason in [*chart_level.PAGES.values(), *chart_level.API.values(), *chart_level.PREFIXES.values()]:
        assert verdict in (chart_level.CHART_LEVEL, chart_level.AGGREGATE) and reason


def _case_form(case) -> dict:
    lines = case.coded_lines
    return {"code_system": [x["code_system"] for x in lines], "code": [x["code"] for x in lines],
            "sequence": [str(x["sequence"]) for x in lines], "poa": [x["poa"] for x in lines],
            "modifiers": ["" for _ in lines], "units": ["1" for _ in lines]}


# key (as in chart_level) -> (who, method, url, body); made in this order against the world.
# {audit} {case} {claim} {alert} {finding} come from the world; a body is form data for pages, JSON for the API.
REQUESTS: dict[str, tuple[str, str, str, object]] = {
    "figures/<str:by>.csv": ("admin", "GET", "/figures/coder.csv?vendor=acme", None),
    "vendors/<str:code>/": ("admin", "GET", "/vendors/acme/", None),
    "coders/<str:login_id>/": ("admin", "GET", "/coders/ac1/", None),
    "costs/brief.<str:fmt>": ("admin", "GET", "/costs/brief.html?preset=hfma-2018&draws=200", None),
    "denials/rates/<str:by>.csv": ("admin", "GET", "/denials/rates/coder.csv", None),
    "denials/carcs.csv": ("admin", "GET", "/denials/carcs.csv", None),
    "denials/vendors/<str:code>/": ("admin", "GET", "/denials/vendors/acme/", None),
    "scorecard/vendors/<str:code>/": ("vendor", "GET", "/scorecard/vendors/acme/", None),
    "scorecard/vendors/<str:code>.json": ("admin", "GET", "/scorecard/vendors/acme.json", None),
    "denials/coders/<str:login_id>/": ("admin", "GET", "/denials/coders/ac1/", None),
    "denials/claims/<str:load_id>/<int:claim_row>/": ("admin", "GET", "/denials/claims/{claim}/", None),
    "sampling/random.<str:fmt>": ("admin", "GET", f"/sampling/random.csv?{PUBLIC_DRAW}", None),
    "sampling/attribute.<str:fmt>": ("admin", "GET", "/sampling/attribute.csv?universe=150&sample=100&hits=97",
                                     None),
    "audits/<int:pk>/": ("admin", "GET", "/audits/{audit}/", None),
    "audits/<int:pk>/report.<str:fmt>": ("admin", "GET", "/audits/{audit}/report.html", None),
    "audits/<int:pk>/cases/<int:number>/": ("admin", "GET", "/audits/{audit}/cases/{case}/", None),
    "audits/<int:pk>/cases/<int:number>/preview/": ("admin", "POST", "/audits/{audit}/cases/{case}/preview/",
                                                    "case form"),
    "audits/<int:pk>/cases/<int:number>/reveal/": ("auditor", "POST", "/audits/{audit}/cases/{case}/reveal/", {}),
    "compliance/repayments/": ("admin", "GET", "/compliance/repayments/", None),
    "provenance/": ("admin", "GET", "/provenance/", None),
    "provenance/alerts.csv": ("admin", "GET", "/provenance/alerts.csv", None),
    "provenance/alerts/<int:pk>/": ("admin", "GET", "/provenance/alerts/{alert}/", None),
    "provenance/suppressions/": ("admin", "GET", "/provenance/suppressions/", None),
    "provenance/cases/": ("admin", "GET", "/provenance/cases/", None),
    "home/": ("admin", "GET", "/home/", None),
    "GET /api/home": ("vendor", "GET", "/api/home", None),
    "provenance/cases/<int:pk>/": ("admin", "GET", "/provenance/cases/{alert_case}/", None),
    "GET /api/vendors/{code}": ("admin", "GET", "/api/vendors/acme", None),
    "GET /api/coders/{login_id}": ("admin", "GET", "/api/coders/ac1", None),
    "GET /api/denials/vendors/{code}": ("admin", "GET", "/api/denials/vendors/acme", None),
    "GET /api/denials/coders/{login_id}": ("admin", "GET", "/api/denials/coders/ac1", None),
    "GET /api/denials/claims/{load_id}/{claim_row}": ("admin", "GET", "/api/denials/claims/{claim}", None),
    "GET /api/audits/{audit_id}": ("admin", "GET", "/api/audits/{audit}", None),
    "GET /api/audits/{audit_id}/cases": ("admin", "GET", "/api/audits/{audit}/cases", None),
    "GET /api/audits/{audit_id}/findings": ("admin", "GET", "/api/audits/{audit}/findings", None),
    "GET /api/provenance/alerts": ("admin", "GET", "/api/provenance/alerts", None),
    "GET /api/provenance/alerts/{alert_id}": ("admin", "GET", "/api/provenance/alerts/{alert}", None),
    "GET /api/provenance/suppressions": ("admin", "GET", "/api/provenance/suppressions", None),
    "GET /api/provenance/cases": ("admin", "GET", "/api/provenance/cases", None),
    "GET /api/provenance/cases/{case_id}": ("admin", "GET", "/api/provenance/cases/{alert_case}", None),
    "diligence/alerts/": ("admin", "GET", "/diligence/alerts/", None),
    "diligence/vendors/<str:code>/": ("admin", "GET", "/diligence/vendors/acme/", None),
    "diligence/vendors/<str:code>/declared/": ("admin", "GET", "/diligence/vendors/acme/declared/", None),
    "diligence/documents/<int:pk>/file": ("admin", "GET", "/diligence/documents/{document}/file", None),
    "encounters/<str:encounter_key>/chain/": ("admin", "GET", "/encounters/{encounter}/chain/", None),
    "review/<str:code>/<str:quarter>/": ("vendor", "GET", "/review/acme/2026Q1/", None),
    "review/<str:code>/<str:quarter>.<str:fmt>": ("admin", "GET", "/review/acme/2026Q1.json", None),
    "GET /api/diligence/vendors/{code}": ("admin", "GET", "/api/diligence/vendors/acme", None),
    "GET /api/diligence/vendors/{code}/declared": ("admin", "GET", "/api/diligence/vendors/acme/declared", None),
    "GET /api/diligence/alerts": ("admin", "GET", "/api/diligence/alerts", None),
    "GET /api/encounters/{encounter_key}/chain": ("vendor", "GET", "/api/encounters/{encounter}/chain", None),
    "GET /api/review/{code}/{quarter}": ("vendor", "GET", "/api/review/acme/2026Q1", None),
    "GET /api/scorecard/vendors/{code}": ("vendor", "GET", "/api/scorecard/vendors/acme?from=2026-01&to=2026-03",
                                          None),
    # steps last, in the workflow's order
    "POST /api/audits/{audit_id}/steps/{name}": ("admin", "POST", "/api/audits/{audit}/steps/route", {}),
    "POST /api/audits/{audit_id}/findings/{finding_id}/{action}": (
        "vendor", "POST", "/api/audits/{audit}/findings/{finding}/agree", {}),
    "POST /api/provenance/alerts/{alert_id}/assign": ("admin", "POST", "/api/provenance/alerts/{alert}/assign",
                                                      {"assignee": "me"}),
    "POST /api/provenance/alerts/{alert_id}/comments": ("admin", "POST", "/api/provenance/alerts/{alert}/comments",
                                                        {"text": "looking at it"}),
    "POST /api/provenance/alerts/{alert_id}/resolve": ("admin", "POST", "/api/provenance/alerts/{alert}/resolve",
                                                       {"reason": "the contract was amended"}),
    "POST /api/provenance/cases/{case_id}/assign": ("admin", "POST", "/api/provenance/cases/{alert_case}/assign",
                                                    {"assignee": "me"}),
    "POST /api/provenance/cases/{case_id}/resolve": ("admin", "POST", "/api/provenance/cases/{alert_case}/resolve",
                                                     {"reason": "the contract was amended"}),
}


def test_every_chart_level_route_has_a_request_here():
    chart = [k for k, (verdict, _) in [*chart_level.PAGES.items(), *chart_level.API.items()]
             if verdict == chart_level.CHART_LEVEL]
    assert [k for k in chart if k not in REQUESTS] == [], "add the request proving it writes a trail row"
    assert [k for k in REQUESTS if k not in chart] == []


def _kept_document(vendor):
    """An evidence document with its file kept (var/evidence/<sha256>), as an upload leaves it."""
    import io

    from codingwatch.web.diligence import services as diligence
    from codingwatch.web.diligence.models import EvidenceDocument

    upload = io.BytesIO(b"%PDF-1.4 the BAA")
    upload.name = "baa.pdf"
    sha256, size = diligence.store_file(upload)
    return EvidenceDocument.objects.create(vendor=vendor, kind="baa", issued_on="2025-01-01", file_name="baa.pdf",
                                           sha256=sha256, size=size)


def test_every_chart_level_route_writes_a_trail_row(client, roster, reviewed_audit, auditor, denials_lake, scanned,
                                                    acme_user):
    users = {"admin": make_user("root", roles.ADMIN), "auditor": auditor, "vendor": acme_user}
    with scopes_disabled():
        case = reviewed_audit.cases.first()
        alert = ProvenanceAlert.objects.filter(status=ProvenanceAlert.OPEN).first()
        alert_case = AlertCase.objects.exclude(pk=alert.case_id).filter(status=AlertCase.OPEN).first()
        finding = Finding.objects.filter(case__audit=reviewed_audit).first()
    document = _kept_document(roster["acme"])
    world = {"audit": reviewed_audit.pk, "case": case.number, "alert": alert.pk, "finding": finding.pk,
             "alert_case": alert_case.pk,
             "document": document.pk, "encounter": case.encounter_key,
             "claim": dp._claim_url(denials_lake, "A1").split("/claims/", 1)[1]}
    silent = []
    for key, (who, method, url, body) in REQUESTS.items():
        url = url.format(**world)
        client.force_login(users[who])
        before = set(AccessEvent.objects.values_list("pk", flat=True))
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.post(url, json.dumps(body), content_type="application/json")
        else:
            response = client.post(url, _case_form(case) if body == "case form" else body)
        assert 200 <= response.status_code < 300, (key, url, response.status_code, response.content[:300])
        written = AccessEvent.objects.exclude(pk__in=before)
        if not written.filter(path=url, username=users[who].username).exists():
            silent.append(key)
    assert silent == [], f"chart-level routes that wrote no trail row: {silent}"
