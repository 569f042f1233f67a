"""The due-diligence pages: scores of current and candidate vendors, the RFP view side by
side, one vendor's evidence (documents, declared vs observed) and the diligence alerts.
Staff roles of the `diligence` module only; vendor users get 404 (roles.MODULES)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from codingwatch.scorecard import diligence as engine
from codingwatch.web.accounts.access import module_view
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access, records_view
from codingwatch.web.diligence import services
from codingwatch.web.diligence.forms import DocumentForm
from codingwatch.web.diligence.models import Assessment, EvidenceDocument
from codingwatch.web.vendors.models import Vendor

MODULE = "diligence"


def _on(request) -> dt.date:
    raw = request.GET.get("on")
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Http404(f"{raw!r} is not a date (YYYY-MM-DD)") from None


@require_GET
@module_view(MODULE)
def index(request):
    on = _on(request)
    vendors = list(Vendor.objects.order_by("name"))
    rows = services.scores(vendors, on)
    return render(request, "diligence/index.html", {
        "current": [r for r in rows if r["stage"] == Assessment.CURRENT],
        "candidates": [r for r in rows if r["stage"] == Assessment.CANDIDATE], "on": on})


@require_GET
@module_view(MODULE)
def rfp(request):
    """Candidates side by side: each criterion a row, each vendor a column, with the evidence."""
    on = _on(request)
    chosen = request.GET.getlist("vendor")
    vendors = Vendor.objects.order_by("name")
    if chosen:
        vendors = vendors.filter(code__in=chosen)
    else:
        vendors = vendors.filter(assessment__stage=Assessment.CANDIDATE)
    vendors = list(vendors)
    rows = services.scores(vendors, on)
    criteria = rows[0]["points"] if rows else []
    table = [{"label": c["label"], "weight": c["weight"], "disqualifier": c["disqualifier"],
              "cells": [r["points"][i] for r in rows]} for i, c in enumerate(criteria)]
    return render(request, "diligence/rfp.html", {"vendors": rows, "table": table, "on": on,
                                                  "all_vendors": Vendor.objects.order_by("name"),
                                                  "chosen": chosen})


@require_GET
@module_view(MODULE)
@records_view("vendor_diligence", "code")
def vendor(request, code: str):
    found = get_object_or_404(Vendor.objects.all(), code=code)
    on = _on(request)
    return render(request, "diligence/vendor.html", {
        "vendor": found, "score": services.vendor_score(found, on), "on": on,
        "documents": [(d, d.as_engine().as_dict(on)) for d in EvidenceDocument.objects.filter(vendor=found)],
        "comparison": services.declared_vs_observed(found), "form": DocumentForm(),
        "labels": engine.DOCUMENT_KINDS})


@require_POST
@module_view(MODULE, change=True)
def upload(request, code: str):
    found = get_object_or_404(Vendor.objects.all(), code=code)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect("diligence-vendor", code=found.code)
    document = form.save(commit=False)
    document.vendor = found
    document.uploaded_by = request.user.get_username()
    upload_file = request.FILES.get("file")
    if upload_file is not None:
        try:
            document.sha256, document.size = services.store_file(upload_file)
        except services.UploadError as exc:
            messages.error(request, str(exc))
            return redirect("diligence-vendor", code=found.code)
        document.file_name = upload_file.name[:200]
    document.save()
    messages.success(request, f"{document.get_kind_display()} recorded"
                     + (f", SHA-256 {document.sha256[:12]}…" if document.sha256 else ""))
    return redirect("diligence-vendor", code=found.code)


@require_GET
@module_view(MODULE)
def document_file(request, pk: int):
    document = get_object_or_404(EvidenceDocument.objects.all(), pk=pk)
    path = services.evidence_dir() / document.sha256 if document.sha256 else None
    if path is None or not path.exists():
        raise Http404("no file kept for this document")
    record_access(request, action=AccessEvent.EXPORT, object_type="evidence_document", object_id=str(pk))
    return FileResponse(path.open("rb"), as_attachment=True, filename=document.file_name or document.sha256)


@require_GET
@module_view(MODULE)
@records_view("diligence_alerts")
def alerts(request):
    on = _on(request)
    return render(request, "diligence/alerts.html",
                  {"alerts": services.alerts(list(Vendor.objects.order_by("name")), on), "on": on})


@require_GET
@module_view(MODULE)
@records_view("vendor_declared", "code")
def declared(request, code: str):
    found = get_object_or_404(Vendor.objects.all(), code=code)
    return render(request, "diligence/declared.html",
                  {"vendor": found, "comparison": services.declared_vs_observed(found)})
