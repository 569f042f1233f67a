"""As coded vs as audited: each changed line becomes a classified finding; both versions regroup.

Diagnoses are paired in four passes: (1) the same code on both sides is a match (a POA
difference on a matched inpatient code is a `poa_changed` finding); (2) a changed principal
diagnosis is one `principal_dx_changed` finding, "resequenced" when the auditor's principal
was already on the chart, otherwise classified like any change; (3) the remaining codes are
paired as changes within an ICD-10-CM category first (laterality, 7th character, more/less
specific), then within a block (wrong category); (4) what is left was added (missed) or
deleted (unsupported). Procedures pair by code, then by shared code prefix (E/M codes of one
family give a level up/down); modifiers and units are compared on matched lines. Inpatient
cases regroup both versions with the CMS grouper; a DRG change is `drg_up` (the vendor
under-coded) or `drg_down` (over-coded) by relative weight.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from codingwatch.audit import icd
from codingwatch.audit.model import (
    RESEQUENCED,
    Case,
    CaseResult,
    CodeLine,
    DrgPair,
    Finding,
    FindingKind,
    gc_paused,
)
from codingwatch.codesets import Grouper

K = FindingKind

# E/M families: the same first four characters and a level in the fifth (CPT 2023+ grids).
_EM_FAMILIES = {"9920", "9921", "9922", "9923", "9928"}


def classify_dx_change(coded: str, audited: str) -> FindingKind:
    """What kind of change turns the coder's diagnosis code into the auditor's."""
    if icd.category(coded) != icd.category(audited):
        return K.dx_wrong_category
    if len(coded) == 7 and len(audited) == 7 and coded[:6] == audited[:6]:
        return K.dx_seventh_character
    if icd.laterality_differs(coded, audited):
        return K.dx_laterality
    rank_coded, rank_audited = icd.specificity(coded), icd.specificity(audited)
    if rank_audited > rank_coded:
        return K.dx_more_specific
    if rank_audited < rank_coded:
        return K.dx_less_specific
    return K.dx_same_category


def _poa_text(line: CodeLine) -> str:
    return f"{line.code} POA={line.poa or '-'}"


def _is_em(code: str) -> bool:
    return len(code) == 5 and code[:4] in _EM_FAMILIES


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _match_exact(coded: list[CodeLine], audited: list[CodeLine]):
    """Pairs lines with the same code (first come, first paired); returns pairs and leftovers."""
    pool: dict[str, list[CodeLine]] = {}
    for line in coded:
        pool.setdefault(line.code, []).append(line)
    pairs, left_audited = [], []
    for line in audited:
        bucket = pool.get(line.code)
        if bucket:
            pairs.append((bucket.pop(0), line))
        else:
            left_audited.append(line)
    paired = {id(c) for c, _ in pairs}
    left_coded = [line for line in coded if id(line) not in paired]
    return pairs, left_coded, left_audited


def _diagnosis_findings(case: Case, coded: list[CodeLine], audited: list[CodeLine]) -> list[Finding]:
    eid = case.encounter.encounter_id
    inpatient = case.encounter.encounter_type == "inpatient"
    out: list[Finding] = []
    pairs, left_coded, left_audited = _match_exact(coded, audited)

    if inpatient:
        for c, a in pairs:
            if (c.poa or "") != (a.poa or ""):
                out.append(Finding(eid, K.poa_changed, "ICD10CM", _poa_text(c), _poa_text(a)))

    # Principal diagnosis (inpatient; elsewhere the first-listed code is compared like any other).
    if inpatient and coded and audited and coded[0].code != audited[0].code:
        cp, ap = coded[0], audited[0]
        if cp in left_coded and ap in left_audited:
            detail = classify_dx_change(cp.code, ap.code).value
            left_coded.remove(cp)
            left_audited.remove(ap)
        else:
            detail = RESEQUENCED
        out.append(Finding(eid, K.principal_dx_changed, "ICD10CM", cp.code, ap.code, detail))

    # Secondary order among codes both sides list as secondary.
    secondary_pairs = [(c, a) for c, a in pairs if c.sequence > 1 and a.sequence > 1]
    coded_order = [c.code for c, _ in sorted(secondary_pairs, key=lambda p: p[0].sequence)]
    audited_order = [a.code for _, a in sorted(secondary_pairs, key=lambda p: p[1].sequence)]
    if coded_order != audited_order:
        out.append(
            Finding(eid, K.dx_sequencing_changed, "ICD10CM", " ".join(coded_order), " ".join(audited_order))
        )

    # Changes within a category, preferring the closest codes; then within a block.
    for same in (icd.category, icd.block):
        for a in list(left_audited):
            candidates = [c for c in left_coded if same(c.code) is not None and same(c.code) == same(a.code)]
            if not candidates:
                continue
            c = max(candidates, key=lambda c: (_common_prefix(c.code, a.code), -c.sequence))
            left_coded.remove(c)
            left_audited.remove(a)
            out.append(Finding(eid, classify_dx_change(c.code, a.code), "ICD10CM", c.code, a.code))

    out.extend(Finding(eid, K.dx_deleted, "ICD10CM", c.code, None) for c in left_coded)
    out.extend(Finding(eid, K.dx_added, "ICD10CM", None, a.code) for a in left_audited)
    return out


def _modifier_findings(eid: str, system: str, c: CodeLine, a: CodeLine) -> list[Finding]:
    out: list[Finding] = []
    removed = [m for m in c.modifiers if m not in a.modifiers]
    added = [m for m in a.modifiers if m not in c.modifiers]
    for old, new in zip(removed, added, strict=False):
        out.append(Finding(eid, K.modifier_changed, system, f"{c.code}-{old}", f"{a.code}-{new}"))
    n = min(len(removed), len(added))
    out.extend(Finding(eid, K.modifier_deleted, system, f"{c.code}-{m}", f"{a.code}") for m in removed[n:])
    out.extend(Finding(eid, K.modifier_added, system, f"{c.code}", f"{a.code}-{m}") for m in added[n:])
    if c.units != a.units:
        out.append(Finding(eid, K.units_changed, system, f"{c.code} x{c.units:f}", f"{a.code} x{a.units:f}"))
    return out


def _procedure_findings(case: Case, coded: list[CodeLine], audited: list[CodeLine]) -> list[Finding]:
    eid = case.encounter.encounter_id
    out: list[Finding] = []
    systems = sorted({line.code_system for line in coded} | {line.code_system for line in audited})
    for system in systems:
        c_lines = [line for line in coded if line.code_system == system]
        a_lines = [line for line in audited if line.code_system == system]
        # The same code with the same modifiers pairs first, so repeated codes pair sensibly.
        exact: list[tuple[CodeLine, CodeLine]] = []
        for a in list(a_lines):
            for c in c_lines:
                if c.code == a.code and c.modifiers == a.modifiers:
                    exact.append((c, a))
                    c_lines.remove(c)
                    a_lines.remove(a)
                    break
        pairs, left_coded, left_audited = _match_exact(c_lines, a_lines)
        for c, a in exact + pairs:
            out.extend(_modifier_findings(eid, system, c, a))
        for a in list(left_audited):
            scored = [(_common_prefix(c.code, a.code), c) for c in left_coded]
            scored = [(n, c) for n, c in scored if n >= 3]
            if not scored:
                continue
            _, c = max(scored, key=lambda p: p[0])
            left_coded.remove(c)
            left_audited.remove(a)
            if _is_em(c.code) and _is_em(a.code) and c.code[:4] == a.code[:4]:
                kind = K.em_level_up if a.code[4] > c.code[4] else K.em_level_down
            else:
                kind = K.px_changed
            out.append(Finding(eid, kind, system, c.code, a.code))
        out.extend(Finding(eid, K.px_deleted, system, c.code, None) for c in left_coded)
        out.extend(Finding(eid, K.px_added, system, None, a.code) for a in left_audited)
    return out


def _ordered(lines: Iterable[CodeLine]) -> tuple[list[CodeLine], list[CodeLine]]:
    dx = sorted((line for line in lines if line.is_dx), key=lambda line: line.sequence)
    px = sorted((line for line in lines if not line.is_dx), key=lambda line: (line.code_system, line.sequence))
    return dx, px


def _group_key(lines: tuple[CodeLine, ...], discharge_status: int):
    dx, px = _ordered(lines)
    return (
        discharge_status,
        tuple((line.code, line.poa) for line in dx),
        tuple(line.code for line in px if line.code_system == "ICD10PCS"),
    )


def _group(case: Case, grouper: Grouper, key):
    enc = case.encounter
    discharge_status, diagnoses, procedures = key
    return grouper.group(
        discharge_date=enc.date_of_service,
        age=enc.age,
        sex=enc.sex,
        discharge_status=discharge_status,
        diagnoses=list(diagnoses),
        procedures=list(procedures),
        poa_exempt=grouper.is_exempt(enc.facility),
    )


def _statuses(case: Case) -> tuple[int, int]:
    enc = case.encounter
    status = enc.discharge_status if enc.discharge_status is not None else 1
    return status, case.audited_discharge_status if case.audited_discharge_status is not None else status


def regroup(case: Case, grouper: Grouper) -> DrgPair:
    """Groups the as-coded and the as-audited version of an inpatient case."""
    status, audited_status = _statuses(case)
    coded_key, audited_key = _group_key(case.coded, status), _group_key(case.audited, audited_status)
    before = _group(case, grouper, coded_key)
    # What the grouper sees did not change (only secondary order, CPT lines...): same DRG.
    after = before if audited_key == coded_key else _group(case, grouper, audited_key)
    return DrgPair(before.drg, after.drg, before.weight, after.weight, after.version)


def grouped_versions(case: Case, grouper: Grouper):
    """The grouper's whole answer for the as-coded and the as-audited version of an inpatient
    case (DrgResult each, with every code's CC/MCC level, HACs and part in the DRG); None for
    another encounter type. A reviewer reads these flags beside each line."""
    if case.encounter.encounter_type != "inpatient":
        return None
    status, audited_status = _statuses(case)
    coded_key, audited_key = _group_key(case.coded, status), _group_key(case.audited, audited_status)
    before = _group(case, grouper, coded_key)
    return before, (before if audited_key == coded_key else _group(case, grouper, audited_key))


def drg_cause(case: Case, grouper: Grouper) -> list[tuple[str, str, str]]:
    """The lines that moved the MS-DRG: codes that decided the DRG (or were a CC/MCC) in one
    version and are absent from the other, as (code, "added" | "deleted", flags). Empty when
    the DRG held or the case is not inpatient."""
    versions = grouped_versions(case, grouper)
    if versions is None or versions[0].drg == versions[1].drg:
        return []
    before, after = versions
    coded = {o.code: o for o in before.codes}
    audited = {o.code: o for o in after.codes}
    causes = []
    for code, o in audited.items():
        if code not in coded and (o.drives_drg or o.severity):
            causes.append((code, "added", " ".join(o.flags)))
    for code, o in coded.items():
        if code not in audited and (o.drives_drg or o.severity):
            causes.append((code, "deleted", " ".join(o.flags)))
    if not causes:  # the same codes, grouped otherwise (a new principal, a POA, the discharge status)
        for code, o in audited.items():
            if o.drives_drg and (code not in coded or coded[code].flags != o.flags):
                causes.append((code, "changed", " ".join(o.flags)))
    return causes


def compare_case(case: Case, grouper: Grouper | None = None) -> CaseResult:
    """Classifies every changed line of a case and, for inpatient cases, regroups both versions.

    Pass a `Grouper` to reuse one across many cases (it is not thread-safe); without one, an
    inpatient case opens and closes its own.
    """
    enc = case.encounter
    eid = enc.encounter_id
    inpatient = enc.encounter_type == "inpatient"
    if case.coded == case.audited and case.audited_discharge_status in (None, enc.discharge_status):
        # Nothing changed (the usual case): no findings, and the DRG is grouped once.
        dx_count = sum(1 for line in case.audited if line.code_system == "ICD10CM")
        drg = None
        if inpatient:
            drg = regroup(case, grouper) if grouper is not None else None
            if grouper is None:
                with Grouper() as own:
                    drg = regroup(case, own)
        return CaseResult(case, (), dx_count, len(case.audited) - dx_count, drg)
    coded_dx, coded_px = _ordered(case.coded)
    audited_dx, audited_px = _ordered(case.audited)
    findings = _diagnosis_findings(case, coded_dx, audited_dx)
    findings += _procedure_findings(case, coded_px, audited_px)
    if (
        case.audited_discharge_status is not None
        and enc.discharge_status is not None
        and case.audited_discharge_status != enc.discharge_status
    ):
        findings.append(
            Finding(
                eid,
                K.discharge_status_changed,
                "",
                f"{enc.discharge_status:02d}",
                f"{case.audited_discharge_status:02d}",
            )
        )

    drg: DrgPair | None = None
    if inpatient:
        if grouper is None:
            with Grouper() as own:
                drg = regroup(case, own)
        else:
            drg = regroup(case, grouper)
        if drg.changed:
            change = drg.weight_change
            # A move to a DRG of equal weight pays the same; it is filed as down (no gain). Without
            # the year's weights the direction is unknown: filed as down, with no weight change.
            kind = K.drg_up if change is not None and change > 0 else K.drg_down
            detail = f"weight {drg.coded_weight} -> {drg.audited_weight}"
            if change is None:
                detail = f"weight missing (FY{drg.fiscal_year}): payment impact not computed"
            findings.append(
                Finding(
                    eid,
                    kind,
                    "MS-DRG",
                    f"DRG {drg.coded_drg:03d}",
                    f"DRG {drg.audited_drg:03d}",
                    detail=detail,
                    weight_change=change,
                )
            )
    findings = [_mark_payment(f, inpatient, drg) for f in findings]
    return CaseResult(
        case=case,
        findings=tuple(findings),
        dx_audited=len(audited_dx),
        px_audited=len(audited_px),
        drg=drg,
    )


def _mark_payment(finding: Finding, inpatient: bool, drg: DrgPair | None) -> Finding:
    """Payment-affecting: inpatient findings on a case whose DRG moved (the grouper sees the
    codes, POA and discharge status, not the order of secondaries); outpatient and profee
    findings on CPT/HCPCS lines (procedure, E/M level, modifier and units set the payment)."""
    if inpatient:
        affecting = bool(drg and drg.changed) and finding.kind != K.dx_sequencing_changed
    else:
        affecting = finding.code_system in ("CPT", "HCPCS", "ICD10PCS")
    if affecting == finding.payment_affecting:
        return finding
    return replace(finding, payment_affecting=affecting)


def compare_cases(cases: Iterable[Case], on_progress=None, poa_exempt_facilities: Iterable[str] = ()) -> list[CaseResult]:
    """compare_case over many cases with one grouper; `on_progress(n)` after each 1,000.
    `poa_exempt_facilities`: facilities exempt from POA reporting (CMS EXEMPT hospital status)."""
    out: list[CaseResult] = []
    with Grouper(tuple(poa_exempt_facilities)) as grouper, gc_paused():
        for i, case in enumerate(cases, 1):
            out.append(compare_case(case, grouper))
            if on_progress and i % 1000 == 0:
                on_progress(1000)
    if on_progress and len(out) % 1000:
        on_progress(len(out) % 1000)
    return out
