"""Audit pages: plan, draw, chart review, bulk import, rebuttal workflow, scores and the report.

Every lookup goes through `visible_audits(user)`: the scoped managers limit a vendor user to
their vendor's audits, and drafts are never theirs to see; anything else answers 404. Changes
are refused (403) to roles the workflow does not name, and a final audit refuses every change
in the models themselves.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from codingwatch.audit import repayment_due
from codingwatch.lake.keys import decrypt_source_id
from codingwatch.reports import charts
from codingwatch.web.accounts.access import module_view
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access, records_view
from codingwatch.web.audits.forms import AuditForm, ImportForm
from codingwatch.web.audits.models import (
    DRAFT,
    ROOT_CAUSES,
    VENDOR_VISIBLE_STATES,
    Audit,
    AuditCase,
    AuditEvent,
    Finding,
)
from codingwatch.web.audits.services import draw as draw_service
from codingwatch.web.audits.services import plan as plan_service
from codingwatch.web.audits.services import review
from codingwatch.web.audits.services.bulk import BulkImportError, import_audited
from codingwatch.web.audits.services.convert import signature_of
from codingwatch.web.audits.services.scores import audit_report
from codingwatch.web.audits.services.workflow import (
    AUDITOR_ROLES,
    CHART_REVIEW_ROLES,
    FINDING_ACTIONS,
    TRANSITION_LABELS,
    WorkflowError,
    act_on_finding,
    allowed_transitions,
    lineage,
    transition,
)


def visible_audits(user):
    audits = Audit.objects.select_related("vendor", "created_by")
    if user.is_vendor_user:
        audits = audits.filter(state__in=VENDOR_VISIBLE_STATES)
    return audits


def _audit(request, pk: int) -> Audit:
    return get_object_or_404(visible_audits(request.user), pk=pk)


def _case(request, pk: int, number: int) -> AuditCase:
    audit = _audit(request, pk)
    return get_object_or_404(AuditCase.objects.select_related("audit__vendor"), audit=audit, number=number)


def _require(user, allowed) -> None:
    if user.role not in allowed:
        raise PermissionDenied("This role cannot do that.")


@require_GET
def audit_list(request):
    audits = visible_audits(request.user).annotate(
        n_cases=Count("cases", distinct=True),
        n_reviewed=Count("cases", filter=Q(cases__reviewed_at__isnull=False), distinct=True),
    )
    return render(request, "audits/audit_list.html",
                  {"audits": audits, "can_plan": request.user.role in AUDITOR_ROLES})


@require_http_methods(["GET", "POST"])
def audit_new(request):
    _require(request.user, AUDITOR_ROLES)
    form = AuditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        audit = form.save(commit=False)
        audit.created_by = request.user
        audit.save()
        return redirect("audit", pk=audit.pk)
    return render(request, "audits/audit_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def audit_edit(request, pk: int):
    """Edit the plan of an audit whose sample is not drawn yet (a drawn one says why not)."""
    audit = _audit(request, pk)
    _require(request.user, AUDITOR_ROLES)
    reason = plan_service.lock_reason(audit)
    if reason:
        messages.error(request, f"The plan cannot be edited: {reason}.")
        return redirect("audit", pk=audit.pk)
    form = AuditForm(request.POST or None, instance=audit, initial={"coders": ", ".join(audit.coders)})
    if request.method == "POST" and form.is_valid():
        try:
            plan_service.update_plan(audit, form)
        except plan_service.PlanLocked as exc:
            messages.error(request, f"The plan cannot be edited: {exc}.")
            return redirect("audit", pk=audit.pk)
        messages.success(request, "Plan saved.")
        return redirect("audit", pk=audit.pk)
    return render(request, "audits/audit_form.html", {"form": form, "audit": audit})


@require_http_methods(["GET", "POST"])
def audit_delete(request, pk: int):
    """Delete an audit whose sample is not drawn yet (GET asks to confirm; a drawn one says why not)."""
    audit = _audit(request, pk)
    _require(request.user, AUDITOR_ROLES)
    reason = plan_service.lock_reason(audit)
    if reason:
        messages.error(request, f"The audit cannot be deleted: {reason}.")
        return redirect("audit", pk=audit.pk)
    if request.method == "GET":
        return render(request, "audits/audit_delete.html", {"audit": audit})
    title = audit.title
    try:
        plan_service.delete_plan(audit)
    except plan_service.PlanLocked as exc:
        messages.error(request, f"The audit cannot be deleted: {exc}.")
        return redirect("audit", pk=audit.pk)
    messages.success(request, f"Deleted the audit plan {title!r}.")
    return redirect("audits")


@require_GET
@records_view("audit", id_kwarg="pk")
def audit_detail(request, pk: int):
    audit = _audit(request, pk)
    cases = audit.cases.annotate(n_findings=Count("findings"))
    findings = Finding.objects.filter(case__audit=audit).select_related("case")
    report = audit_report(audit) if audit.cases.filter(reviewed_at__isnull=False).exists() else None
    transitions = [(name, TRANSITION_LABELS[name]) for name in allowed_transitions(audit, request.user)]
    actions = {name for name, (state, _, _, who, _) in FINDING_ACTIONS.items()
               if state == audit.state and request.user.role in who}
    findings = list(findings)
    for f in findings:  # only the responses the finding's status allows now
        f.allowed = [a for a in sorted(actions) if f.status in FINDING_ACTIONS[a][1]]
    return render(request, "audits/audit_detail.html", {
        "audit": audit, "cases": cases, "findings": findings, "report": report,
        "transitions": transitions, "finding_actions": sorted(actions),
        "events": AuditEvent.objects.filter(audit__in=lineage(audit)).select_related("finding"),
        "reopened_as": visible_audits(request.user).filter(reopens=audit).first(),
        "can_edit": audit.state == DRAFT and request.user.role in AUDITOR_ROLES,
        "plan_lock_reason": plan_service.lock_reason(audit),
        "import_form": ImportForm(),
        "pareto": charts.pareto_spec(report.pareto) if report and report.pareto else None,
    })


@require_POST
def audit_draw(request, pk: int):
    audit = _audit(request, pk)
    _require(request.user, AUDITOR_ROLES)
    try:
        n = draw_service.draw(audit, request.user)
        messages.success(request, f"Drew {n} encounters with seed {audit.seed}.")
    except (draw_service.DrawRefused, WorkflowError) as exc:
        messages.error(request, str(exc))
    return redirect("audit", pk=audit.pk)


def _review_context(request, case: AuditCase, rows, discharge_status: str, result=None, notes=None, status_error="",
                    saved_result=True):
    audit = case.audit
    if result is None and saved_result and case.reviewed:
        result = review.compare(case, case.audited_lines, case.audited_discharge_status)
    saved = {f.signature: f for f in case.findings.all()}
    status = case.audited_discharge_status if saved_result else review.parse_discharge_status(case, discharge_status)[0]
    audited = [r.as_line() for r in rows] if rows and not any(r.errors for r in rows) else case.audited_lines
    coded_flags, audited_flags = review.line_flags(case, audited, status)
    review.annotate(rows, audited_flags)
    finding_rows = []
    causes = []
    if result is not None:
        typed = {sig: pair for sig, pair in (notes or {}).items()}
        known = {sig: (f.rationale, f.root_cause) for sig, f in saved.items()}
        causes = review.drg_causes(case, audited or [], status) if result.drg and result.drg.changed else []
        filled = review.carry_drg_rationale(result, causes, {**known, **typed})
        for f in result.findings:
            signature = signature_of(f)
            stored = saved.get(signature)
            rationale, root_cause = filled.get(signature, ("", ""))
            is_drg = f.kind.value in ("drg_up", "drg_down")
            finding_rows.append({"f": f, "signature": signature, "rationale": rationale, "root_cause": root_cause,
                                 "stored": stored, "cause": review.cause_text(causes) if is_drg else ""})
    numbers = list(audit.cases.values_list("number", flat=True))
    later = [n for n in numbers if n > case.number]
    user = request.user
    vendor_actions = {name for name, (state, _, _, who, _) in FINDING_ACTIONS.items()
                      if state == audit.state and user.role in who}
    findings = []
    for f in case.findings.all():
        f.allowed = [a for a in sorted(vendor_actions) if f.status in FINDING_ACTIONS[a][1]]
        findings.append(f)
    return {
        "audit": audit, "case": case, "rows": rows, "discharge_status": discharge_status,
        "status_error": status_error, "result": result, "finding_rows": finding_rows,
        "root_causes": ROOT_CAUSES, "can_edit": audit.state == DRAFT and user.role in AUDITOR_ROLES,
        "can_reveal": user.role in CHART_REVIEW_ROLES and bool(case.source_id_enc),
        "next_number": later[0] if later else None, "coded_drg": review.drg_text(case.coded_drg),
        "audited_drg": review.drg_text(result.drg.audited_drg) if result is not None and result.drg else "",
        "systems": ["ICD10CM", "ICD10PCS", "CPT", "HCPCS"],
        "coded_lines": review.coded_annotated(case, coded_flags),
        "audited_lines": review.annotate(review.lines_from_case(case.audited_lines), audited_flags)
        if case.audited_lines is not None else None,
        "case_findings": findings,
    }


def _notes(post) -> dict[str, tuple[str, str]]:
    return {sig: (post.get(f"rationale::{sig}", ""), post.get(f"root_cause::{sig}", ""))
            for sig in post.getlist("signature")}


@require_http_methods(["GET", "POST"])
@records_view("audit_case", id_kwarg="number")
def case_review(request, pk: int, number: int):
    case = _case(request, pk, number)
    if request.method == "GET":
        lines = case.audited_lines if case.audited_lines is not None else case.coded_lines
        status = case.audited_discharge_status if case.audited_discharge_status is not None else case.discharge_status
        context = _review_context(request, case, review.lines_from_case(lines), "" if status is None else f"{status:02d}")
        return render(request, "audits/case_review.html", context)
    if case.audit.state != DRAFT:
        raise PermissionDenied("The audit is not a draft: charts can no longer be changed.")
    _require(request.user, AUDITOR_ROLES)
    rows = review.lines_from_post(request.POST)
    ok = review.check_lines(case, rows)
    status, status_error = review.parse_discharge_status(case, request.POST.get("discharge_status", ""))
    if not ok or status_error:
        context = _review_context(request, case, rows, request.POST.get("discharge_status", ""),
                                  status_error=status_error, saved_result=False)
        context["preview_failed"] = True
        return render(request, "audits/case_review.html", context, status=422)
    review.save_review(case, request.user, [r.as_line() for r in rows], status, _notes(request.POST))
    if "save_next" in request.POST and (following := case.audit.cases.filter(number__gt=case.number).first()):
        return redirect("audit-case", pk=pk, number=following.number)
    messages.success(request, f"Case {case.number} saved.")
    return redirect("audit-case", pk=pk, number=case.number)


@require_POST
@records_view("audit_case", id_kwarg="number")
def case_preview(request, pk: int, number: int):
    """htmx: the typed lines checked, regrouped and compared; errors go beside each line."""
    case = _case(request, pk, number)
    _require(request.user, AUDITOR_ROLES)
    rows = review.lines_from_post(request.POST)
    ok = review.check_lines(case, rows)
    status, status_error = review.parse_discharge_status(case, request.POST.get("discharge_status", ""))
    result = review.compare(case, [r.as_line() for r in rows], status) if ok and not status_error else None
    context = _review_context(request, case, rows, request.POST.get("discharge_status", ""), result=result,
                              notes=_notes(request.POST), status_error=status_error, saved_result=False)
    context["preview_failed"] = result is None
    errors = {r.index: r.errors for r in rows}
    context["line_errors"] = [(i, errors.get(i, [])) for i in range(len(request.POST.getlist("code")))]
    by_index = {r.index: r for r in rows}
    context["line_infos"] = [(i, by_index.get(i)) for i in range(len(request.POST.getlist("code")))]
    return render(request, "audits/_review_result.html", context)


@require_POST
def case_reveal(request, pk: int, number: int):
    """Shows the source encounter id (decrypted) to a chart-reviewing role; every reveal is logged."""
    case = _case(request, pk, number)
    _require(request.user, CHART_REVIEW_ROLES)
    if not case.source_id_enc:
        raise Http404("no source id kept for this case")
    source_id = decrypt_source_id(case.source_id_enc)
    record_access(request, action=AccessEvent.VIEW, object_type="source_encounter_id",
                  object_id=f"audit {case.audit_id} case {case.number}")
    return render(request, "audits/_source_id.html", {"source_id": source_id})


@require_POST
def audit_import(request, pk: int):
    audit = _audit(request, pk)
    _require(request.user, AUDITOR_ROLES)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to import.")
        return redirect("audit", pk=pk)
    upload = form.cleaned_data["file"]
    suffix = ".parquet" if upload.name.lower().endswith(".parquet") else ".csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(upload.name).stem + suffix)
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            n = import_audited(audit, request.user, path, display_name=upload.name)
            messages.success(request, f"Imported the as-audited lines of {n} case(s) from {upload.name}.")
        except (BulkImportError, WorkflowError) as exc:
            for problem in getattr(exc, "problems", [str(exc)]):
                messages.error(request, problem)
    return redirect("audit", pk=pk)


@require_POST
def audit_transition(request, pk: int, name: str):
    audit = _audit(request, pk)
    try:
        result = transition(audit, request.user, name, request.POST.get("comment", ""))
        messages.success(request, f"{TRANSITION_LABELS.get(name, name)}: done."
                         + (f" This is revision {result.revision}; revision {audit.revision} stays final."
                            if result.pk != audit.pk else ""))
        pk = result.pk
    except WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("audit", pk=pk) if _still_visible(request, pk) else redirect("audits")


def _still_visible(request, pk: int) -> bool:
    return visible_audits(request.user).filter(pk=pk).exists()


@require_POST
def finding_action(request, pk: int, finding_id: int, action: str):
    audit = _audit(request, pk)
    finding = get_object_or_404(Finding.objects.select_related("case__audit"), pk=finding_id, case__audit=audit)
    try:
        act_on_finding(finding, request.user, action, request.POST.get("comment", ""))
    except WorkflowError as exc:
        messages.error(request, f"Finding {finding.pk}: {exc}")
    if request.POST.get("back") == "case":  # answered on the case page, beside the codes
        return redirect(reverse("audit-case", args=[pk, finding.case.number]) + f"#finding-{finding.pk}")
    return redirect(reverse("audit", args=[pk]) + f"#finding-{finding.pk}")


@require_GET
def audit_report_download(request, pk: int, fmt: str):
    audit = _audit(request, pk)
    if fmt not in ("html", "pdf"):
        raise Http404("the report is html or pdf")
    if not audit.cases.filter(reviewed_at__isnull=False).exists():
        raise Http404("nothing reviewed yet")
    from codingwatch.audit.report import render_html
    from codingwatch.reports.render import pdf_bytes

    html = render_html(audit_report(audit))
    record_access(request, action=AccessEvent.EXPORT, object_type=f"audit-report-{fmt}", object_id=str(audit.pk))
    name = f"audit-{audit.pk}-report.{fmt}"
    if fmt == "html":
        # The HTML report opens in the browser (read, printed from there); the PDF is a file to keep.
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{name}"'
    else:
        response = HttpResponse(pdf_bytes(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@module_view("repayments")
def repayments(request):
    """The compliance dashboard's 60-day clock: overpayments identified by final audits."""
    today = timezone.localdate()
    rows = []
    current = visible_audits(request.user).filter(overpayment_identified__isnull=False, reopened_as__isnull=True)
    for audit in current.order_by("overpayment_identified"):
        due = repayment_due(audit.overpayment_identified)
        rows.append({"audit": audit, "due": due, "days_left": (due - today).days})
    record_access(request, action=AccessEvent.VIEW, object_type="repayments")
    return render(request, "audits/repayments.html", {"rows": rows, "today": today})
