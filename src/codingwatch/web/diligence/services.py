"""Due diligence and declared-vs-observed for the pages, the API and the quarterly review:
the scorecard engines (codingwatch.scorecard.diligence / declared) over the app database and
the lake, in the request's scope."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from codingwatch import config
from codingwatch.audit import scoring
from codingwatch.lake.schema import TABLES
from codingwatch.lake.store import cached_connection
from codingwatch.scorecard import declared as declared_engine
from codingwatch.scorecard import diligence as engine
from codingwatch.web import lake_cache
from codingwatch.web.diligence.models import (
    Assessment,
    CoderCredential,
    Criterion,
    Declaration,
    EvidenceDocument,
)
from codingwatch.web.vendors.models import Coder, Contract, Vendor

MAX_UPLOAD = 25 * 1024 * 1024


class UploadError(ValueError):
    pass


def evidence_dir() -> Path:
    return config.var_dir() / "evidence"


def store_file(upload) -> tuple[str, int]:
    """Keep an uploaded file under var/evidence/<sha256> (content-addressed: the same file once)."""
    content = upload.read()
    if len(content) > MAX_UPLOAD:
        raise UploadError(f"{upload.name}: {len(content):,} bytes, more than the {MAX_UPLOAD:,} allowed")
    digest = engine.sha256_of(content)
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / digest
    if not target.exists():
        temporary = folder / f".{digest}.part"
        temporary.write_bytes(content)
        temporary.rename(target)
    return digest, len(content)


def criteria_for(organization_id: int | None) -> list[engine.Criterion]:
    rows = list(Criterion.objects.filter(organization_id=organization_id)) if organization_id else []
    return [r.as_engine() for r in rows] or list(engine.DEFAULT_CRITERIA)


def documents_of(vendor: Vendor) -> list[engine.Document]:
    return [d.as_engine() for d in EvidenceDocument.objects.filter(vendor=vendor).order_by("kind", "issued_on", "pk")]


def stage_of(vendor: Vendor) -> str:
    found = Assessment.objects.filter(vendor=vendor).first()
    return found.stage if found else Assessment.CURRENT


def ratings_of(vendor: Vendor) -> dict:
    found = Assessment.objects.filter(vendor=vendor).first()
    return dict(found.ratings) if found else {}


def roster_of(vendor: Vendor, on: dt.date | None = None) -> dict[str, tuple[str, ...]]:
    """Rostered logins -> credentials on file (credential rows not expired on the day, and the
    roster's own credentials for coders with no credential rows)."""
    on = on or dt.date.today()
    out: dict[str, set[str]] = {}
    coders = list(Coder.objects.filter(vendor=vendor))
    for c in coders:
        out[c.login_id] = set()
    rows = CoderCredential.objects.filter(coder__vendor=vendor).select_related("coder")
    with_rows = set()
    for r in rows:
        with_rows.add(r.coder.login_id)
        if r.expires_on is None or r.expires_on >= on:
            out[r.coder.login_id].add(r.credential)
    for c in coders:
        if c.login_id not in with_rows:
            out[c.login_id] |= set(c.credentials)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def audited_accuracy(vendor: Vendor, start: dt.date, end: dt.date) -> declared_engine.Accuracy | None:
    """Record-level accuracy of the vendor's final audits whose period overlaps [start, end],
    with Wilson limits over charts (the chart is the sampling unit)."""
    from codingwatch.web.audits.models import FINAL, Audit

    audits = list(Audit.objects.filter(vendor=vendor, state=FINAL, period_from__lte=end, period_to__gte=start)
                  .order_by("pk").values_list("pk", "created_at"))
    if not audits:
        return None
    # A final audit is never rewritten (the database refuses it: web.immutability), so the
    # accuracy of one set of final audits is kept, for every process, per load generation (the
    # load's warm computes it: `web.scorecard.warm`); the key names each audit by its creation
    # too. Scoring every chart of every final audit on each page took most of the page's time.
    return lake_cache.kept("diligence-audited-accuracy", [repr(audits)],
                           lambda: _accuracy_of(Audit.objects.filter(pk__in=[pk for pk, _ in audits]).order_by("pk")))


def _accuracy_of(audits) -> declared_engine.Accuracy | None:
    from codingwatch.web.audits.services.scores import case_results

    results = []
    for audit in audits:
        results += case_results(audit)
    if not results:
        return None
    scores = scoring.score(results, scoring.Method())
    rate = scores.record
    low, high = rate.limits
    return declared_engine.Accuracy(round(100 * rate.value, 2), round(100 * low, 2), round(100 * high, 2),
                                    int(rate.total), rate.confidence, "record")


def declaration_for(vendor: Vendor, start: dt.date | None = None, end: dt.date | None = None) -> Declaration | None:
    rows = Declaration.objects.filter(vendor=vendor)
    if start is not None and end is not None:
        rows = rows.filter(period_start__lte=end, period_end__gte=start)
    return rows.order_by("-period_start", "-pk").first()


def _lake_tables():
    con = cached_connection()
    names = set(TABLES)
    if not {"encounters", "access_events"} <= names:
        return None
    return con.table("encounters"), con.table("access_events")


def declared_vs_observed(vendor: Vendor, declaration: Declaration | None = None) -> dict | None:
    declaration = declaration or declaration_for(vendor)
    if declaration is None:
        return None
    d = declared_engine.Declaration(
        vendor.code, declaration.period_start, declaration.period_end, tuple(declaration.work_countries),
        {k: tuple(v) for k, v in declaration.coders.items()}, declaration.claimed_accuracy,
        tuple(declaration.subcontractors), declaration.vdi_only)
    accuracy = audited_accuracy(vendor, declaration.period_start, declaration.period_end)
    roster = roster_of(vendor, declaration.period_end)

    def compare() -> dict:
        tables = _lake_tables()  # the lake is asked only when the answer is not kept
        if tables is None:
            return {"vendor": vendor.code, "period": [d.period_start.isoformat(), d.period_end.isoformat()],
                    "declared": {}, "observed": None, "discrepancies": [], "note": "the lake holds no encounters "
                    "or access events yet"}
        return declared_engine.compare(d, encounters=tables[0], access_events=tables[1], roster=roster,
                                       accuracy=accuracy)

    # kept per lake generation and per everything read from the database (the declaration, the
    # roster, the audited accuracy), for every process: the diligence pages compare every
    # declaration of every vendor, and a load warms them (`web.scorecard.warm`)
    out = dict(lake_cache.kept("declared-vs-observed",
                               [vendor.pk, repr(d), sorted(roster.items()), repr(accuracy)], compare))
    out["declaration_id"] = declaration.pk
    return out


def vendor_score(vendor: Vendor, on: dt.date | None = None) -> dict:
    """The vendor's score on the day, the observed criteria judged on every declaration that had
    begun by then (undisclosed offshore work in any quarter counts)."""
    on = on or dt.date.today()
    declarations = list(Declaration.objects.filter(vendor=vendor, period_start__lte=on).order_by("period_start"))
    found, checked = [], bool(declarations)
    for declaration in declarations:
        comparison = declared_vs_observed(vendor, declaration)
        found += comparison["discrepancies"] if comparison else []
    result = engine.score_vendor(vendor.code, criteria_for(vendor.organization_id), documents_of(vendor), on=on,
                                 discrepancies=found, ratings=ratings_of(vendor)).as_dict()
    result.update({"name": vendor.name, "stage": stage_of(vendor), "delivery_model": vendor.delivery_model,
                   "declared_checked": checked})
    return result


def scores(vendors, on: dt.date | None = None) -> list[dict]:
    return [vendor_score(v, on) for v in vendors]


def _baa_date(vendor: Vendor) -> dt.date | None:
    """The BAA's date: the BAA document's (earliest valid), else the contract's `baa_date`."""
    docs = EvidenceDocument.objects.filter(vendor=vendor, kind="baa", issued_on__isnull=False).order_by("issued_on")
    first = docs.first()
    if first is not None:
        return first.issued_on
    contract = Contract.objects.filter(vendor=vendor, baa_date__isnull=False).order_by("baa_date").first()
    return contract.baa_date if contract else None


def alerts(vendors, on: dt.date | None = None) -> list[dict]:
    """The three diligence alerts for the vendors: expired documents, PHI access before the BAA,
    coders working after their credential or roster end date."""
    import ibis
    import pyarrow as pa

    on = on or dt.date.today()
    out: list[engine.Alert] = []
    con = cached_connection()
    names = set(TABLES)
    for vendor in vendors:
        out += engine.expired_documents(vendor.code, documents_of(vendor), on)
        coders = list(Coder.objects.filter(vendor=vendor))
        logins = [c.login_id for c in coders]
        if "access_events" in names and logins and stage_of(vendor) == Assessment.CURRENT:
            baa = _baa_date(vendor)
            ev = con.table("access_events")
            keys = ibis.memtable(pa.table({"login": pa.array(logins, pa.string())}))
            early = ev.semi_join(keys, "login")
            if baa is not None:
                early = early.filter(early.occurred_at < dt.datetime.combine(baa, dt.time(), dt.UTC))
            rows = early.select("event_id", "occurred_at", "login", "encounter_key").order_by(
                ["occurred_at", "event_id"]).limit(1000).to_pyarrow().to_pylist()
            out += engine.phi_before_baa(vendor.code, baa, rows)
        expiries: dict[str, list[dt.date | None]] = {}
        for cred in CoderCredential.objects.filter(coder__vendor=vendor).select_related("coder"):
            expiries.setdefault(cred.coder.login_id, []).append(cred.expires_on)
        entries = []
        for c in coders:
            # the last credential on file lapses at the latest expiry; one without an expiry never does
            dates = expiries.get(c.login_id, [None])
            lapses = None if None in dates else max(dates)
            if c.end_date or lapses:
                entries.append(engine.RosterEntry(c.login_id, vendor.code, c.end_date, lapses))
        if entries and "encounters" in names:
            enc = con.table("encounters")
            keys = ibis.memtable(pa.table({"login": pa.array([e.login for e in entries], pa.string())}))
            mine = enc.filter((enc.origin == "coded") & (enc.vendor == vendor.code))
            mine = mine.mutate(login=mine.coder_id).semi_join(keys, "login")
            work = mine.select("login", "encounter_key", at=mine.coded_at).to_pyarrow().to_pylist()
            out += engine.coders_after_end(entries, work)
    return [a.as_dict() for a in out]


def expiring_documents(vendor: Vendor, on: dt.date | None = None) -> list[dict]:
    return engine.expiring(documents_of(vendor), on or dt.date.today())


class DiligenceImportError(ValueError):
    """A diligence file that cannot be imported, naming the file, the entry and the field."""


def import_diligence(path: Path, *, organization) -> dict:
    """Load a diligence file (docs/diligence.md: evidence documents, credentials on file,
    declarations and candidate vendors) for the organization, all or nothing; entries already
    present are left as they are, so importing the same file twice changes nothing."""
    import json

    from django.db import transaction
    from django_scopes import scopes_disabled

    from codingwatch.web.diligence.models import Assessment

    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DiligenceImportError(f"{path}: {exc}") from None
    counts = {"vendors": 0, "documents": 0, "credentials": 0, "declarations": 0}
    with scopes_disabled(), transaction.atomic():
        for i, entry in enumerate(data.get("vendors", []), 1):
            where = f"{path}: vendor {i} ({entry.get('code', '?')})"
            vendor = Vendor.objects.filter(code=entry.get("code")).first()
            if vendor is None:
                if entry.get("stage") != Assessment.CANDIDATE:
                    raise DiligenceImportError(f"{where}: code: no such vendor on the roster")
                vendor = Vendor.objects.create(organization=organization, code=entry["code"], name=entry["name"],
                                               delivery_model=entry["delivery_model"],
                                               work_locations=entry.get("work_locations", []))
                counts["vendors"] += 1
            Assessment.objects.get_or_create(vendor=vendor, defaults={"stage": entry.get("stage", "current"),
                                                                      "ratings": entry.get("ratings", {})})
            for j, doc in enumerate(entry.get("documents", []), 1):
                if doc.get("kind") not in engine.DOCUMENT_KINDS:
                    raise DiligenceImportError(f"{where}: document {j}: kind: {doc.get('kind')!r} is not one of "
                                       f"{', '.join(engine.DOCUMENT_KINDS)}")
                _, made = EvidenceDocument.objects.get_or_create(
                    vendor=vendor, kind=doc["kind"], issued_on=doc.get("issued_on"),
                    defaults={k: doc.get(k) for k in ("title", "period_start", "period_end", "expires_on", "amount")
                              if doc.get(k) is not None} | {"uploaded_by": "import"})
                counts["documents"] += made
            coders = {c.login_id: c for c in Coder.objects.filter(vendor=vendor)}
            for j, cred in enumerate(entry.get("credentials", []), 1):
                coder = coders.get(cred.get("login"))
                if coder is None:
                    raise DiligenceImportError(f"{where}: credential {j}: login: {cred.get('login')!r} is not on the roster")
                _, made = CoderCredential.objects.get_or_create(
                    coder=coder, credential=cred["credential"],
                    defaults={"verified_on": cred.get("verified_on"), "expires_on": cred.get("expires_on")})
                counts["credentials"] += made
            for dec in entry.get("declarations", []):
                _, made = Declaration.objects.get_or_create(
                    vendor=vendor, period_start=dec["period_start"], period_end=dec["period_end"],
                    defaults={k: dec[k] for k in ("declared_on", "work_countries", "coders", "claimed_accuracy",
                                                  "subcontractors", "vdi_only") if k in dec})
                counts["declarations"] += made
    return counts


def scorecard_findings(vendor: Vendor, first: dt.date, last: dt.date) -> list[dict]:
    """Declared-vs-observed discrepancies of the declarations overlapping [first, last], as
    findings for the vendor's scorecard (each with its declaration period and evidence)."""
    out = []
    for declaration in Declaration.objects.filter(vendor=vendor, period_start__lte=last,
                                                  period_end__gte=first).order_by("period_start"):
        comparison = declared_vs_observed(vendor, declaration)
        for d in (comparison or {}).get("discrepancies", []):
            out.append({**d, "period": comparison["period"]})
    return out
