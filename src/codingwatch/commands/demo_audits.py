"""The demo's monthly accuracy audits, made through the audit workflow as people would make them.

For each vendor of the world's contracts (`contracts.yaml`) with an accuracy SLA on a specialty,
and each month of the synthetic year, a routine audit of that specialty: an auditor plans it (the web's audit form: a simple
random sample of `SAMPLE_SIZE` charts of that month), draws the sample from the lake
(`services.draw`), reviews every sampled chart by importing the as-audited lines of those
charts from the world's `audited.csv` (`services.bulk`, the web's "import as-audited lines":
each chart is compared by the audit engine and its findings stored), and routes the audit to
the vendor. The vendor's user agrees with most findings and rebuts every `REBUT_EVERY`-th; the
auditor upholds each rebuttal (the synthetic errors are real errors), and makes the audit
final. Every step is the workflow's own function, so the audit trail and the notifications are
written as in the web app; the final audits are what the scorecard's accuracy is measured from.

The people acting are demo users made here: `demo-auditor` (auditor) and one vendor user per
audited vendor (`demo-vendor-<vendor pk>`). They are given no usable password (the demo admin
can set one: `codingwatch manage changepassword demo-auditor`).

Running it again is safe: an audit already final is skipped, and one left part way (a run that
stopped) is taken up at the step it reached.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from pathlib import Path

SAMPLE_SIZE = 60  # charts per vendor-month (what the synth's own monthly sample takes)
REBUT_EVERY = 8  # the vendor rebuts one finding in eight; the auditor upholds it
AUDITOR = "demo-auditor"
TITLE = "Monthly accuracy audit, {specialty}, {month:%Y-%m}"


def _user(username: str, role: str, organization, vendor=None):
    from codingwatch.web.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, organization=organization, vendor=vendor)
        user.set_unusable_password()
        user.save()
    return user


class _AuditedLines:
    """The world's as-audited lines (audited.csv), read once as text, written out per audit."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        from pyarrow import csv as pacsv

        from codingwatch.lake.keys import source_keys

        with open(path, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        # every column as text, so that the lines are written back exactly as the world wrote them
        self.table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in header}, strings_can_be_null=False))
        ids = sorted(set(self.table.column("encounter_id").to_pylist()))
        self.id_of = dict(zip(source_keys(ids), ids, strict=True))  # the lake's encounter key -> id

    def write(self, keys: list[str], path: Path) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        from pyarrow import csv as pacsv

        wanted = pa.array([self.id_of[k] for k in keys], pa.string())
        pacsv.write_csv(self.table.filter(pc.is_in(self.table.column("encounter_id"), value_set=wanted)), path,
                        pacsv.WriteOptions(quoting_style="needed"))


def make_demo_audits(world: Path, organization_name: str) -> dict:
    """The monthly audits of every vendor with an accuracy SLA in the world's contracts; returns what was done."""
    from django.db import transaction
    from django_scopes import scope, scopes_disabled

    from codingwatch.scorecard.terms import load_yaml, month_range
    from codingwatch.web.accounts import roles
    from codingwatch.web.audits.forms import AuditForm
    from codingwatch.web.audits.models import (
        AUDITOR_REVIEW,
        DRAFT,
        FINAL,
        OPEN,
        REBUTTED,
        ROUTED,
        Audit,
        Finding,
    )
    from codingwatch.web.audits.services import workflow
    from codingwatch.web.audits.services.bulk import import_audited
    from codingwatch.web.audits.services.draw import DrawRefused, draw
    from codingwatch.web.audits.services.plan import delete_plan
    from codingwatch.web.organizations.models import Organization
    from codingwatch.web.vendors.models import Vendor

    period = json.loads((world / "world.json").read_text())["period"]
    months = month_range(dt.date.fromisoformat(period[0]), dt.date.fromisoformat(period[1]))
    done = {"audits_final": 0, "audits_made": 0, "charts": 0, "findings": 0, "skipped": 0}
    if not (world / "contracts.yaml").exists():  # a world written before the scorecard files
        return done
    lines = None
    with scopes_disabled():
        organization = Organization.objects.get(name=organization_name)
        plans = []
        for contract in load_yaml(world / "contracts.yaml"):
            vendor = Vendor.objects.get(organization=organization, code=contract.vendor)
            for specialty in sorted({t.specialty for t in contract.accuracy if t.specialty != "all"}):
                plans.append((vendor, specialty))
        if not plans:
            return done
        auditor = _user(AUDITOR, roles.AUDITOR, organization)
    for vendor, specialty in plans:
        with scopes_disabled():
            vendor_user = _user(f"demo-vendor-{vendor.pk}", roles.VENDOR, organization, vendor)
        for month in months:
            title = TITLE.format(specialty=specialty.replace("_", " "), month=month)
            with scopes_disabled():
                audit = Audit.objects.filter(vendor=vendor, title=title, reopened_as__isnull=True).first()
                if audit is not None and audit.state == FINAL:
                    done["skipped"] += 1
                    continue
                if audit is None:
                    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                    form = AuditForm({
                        "title": title, "vendor": vendor.pk, "purpose": "routine", "coders": "",
                        "specialties": [specialty], "encounter_types": [], "period_from": month.isoformat(),
                        "period_to": last.isoformat(), "principal_dx_weight": 1, "payment_error_weight": 1,
                        "limit_rule": "cms", "design": "simple", "strata_by": "", "size_rule": "fixed",
                        "sample_size": SAMPLE_SIZE, "expected_error_rate": "0.050", "desired_precision": "0.050",
                        "confidence": "90", "seed": f"{month:%Y%m}{vendor.pk:02d}.17",
                    })
                    if not form.is_valid():
                        raise ValueError(f"the demo audit {title!r} of {vendor.code} is not valid: {form.errors}")
                    audit = form.save(commit=False)
                    audit.created_by = auditor
                    audit.save()
                    done["audits_made"] += 1
                if audit.state == DRAFT:
                    if not audit.drawn:
                        try:
                            draw(audit, auditor)
                        except DrawRefused:  # no chart of the specialty that month: nothing to audit
                            delete_plan(audit)
                            continue
                    keys = list(audit.cases.filter(reviewed_at__isnull=True).values_list("encounter_key", flat=True))
                    if keys:
                        if lines is None:
                            lines = _AuditedLines(world / "audited.csv")
                        with tempfile.TemporaryDirectory() as folder:
                            path = Path(folder) / "audited.csv"
                            lines.write(keys, path)
                            import_audited(audit, auditor, path, display_name="audited.csv")
                    workflow.transition(audit, auditor, "route")
            if audit.state == ROUTED:
                # the vendor's answers to one audit in one transaction (each still its own step of
                # the trail): the app database commits once, not once per finding
                with scope(vendor=vendor.pk, organization=organization.pk), transaction.atomic():
                    for n, finding in enumerate(Finding.objects.filter(case__audit=audit).order_by("case__number", "id")):
                        if finding.status != OPEN:
                            continue
                        if (n + 1) % REBUT_EVERY == 0:
                            workflow.act_on_finding(finding, vendor_user, "rebut",
                                                    "The documentation supports the code as billed.")
                        else:
                            workflow.act_on_finding(finding, vendor_user, "agree")
                    workflow.transition(audit, vendor_user, "submit_responses")
            with scopes_disabled(), transaction.atomic():
                if audit.state == AUDITOR_REVIEW:
                    for finding in Finding.objects.filter(case__audit=audit, status=REBUTTED):
                        workflow.act_on_finding(finding, auditor, "uphold",
                                                "The record does not support the code as billed; the finding stands.")
                    workflow.transition(audit, auditor, "finalize")
                done["audits_final"] += 1
                done["charts"] += audit.cases.count()
                done["findings"] += Finding.objects.filter(case__audit=audit).count()
    return done
