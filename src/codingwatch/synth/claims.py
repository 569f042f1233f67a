"""Claims and remittances of a synthetic world: 837s as billed, 835s as the payers answer.

Every encounter is billed with its codes as coded (837I for inpatient, outpatient and ED
stays, 837P for professional fees) to one of four payers, keyed by its encounter id as the
patient control number (CLM01), so the lake joins claims, remittances and coded encounters.

The payers answer in monthly 835s. Each claim first meets the non-coding denials at a base
rate (eligibility, timely filing, authorization), then its coder's injected errors: each
error of a payment-relevant kind (PAYMENT_RELEVANT: over-coding and wrong or unsupported
codes; a missed diagnosis or an under-coded E/M level costs revenue but is never denied) is
caught by the payer with that kind's probability times the payer's strictness; a caught
error denies the whole claim (CLP02 = 4) with the kind's CARC and remark codes. A coder with
more errors therefore has more coding-related denials, in proportion. Other claims are paid:
the payer allows a share of the charge (CO 45 for the rest) and leaves some to the patient
(PR 1, PR 2). A share of the denied claims is corrected and resubmitted, and paid in a later
835. claims_truth.csv records, per claim, the outcome and why.

A separate random stream (seeded from the world's seed) keeps encounters.csv and the other
files exactly as they were before claims were written.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from codingwatch.codesets import drg_weight
from codingwatch.synth.encounters import DSTATUS_CODES, ED, IP, PF, POA, SYSTEMS
from codingwatch.synth.errors import KINDS
from codingwatch.synth.x12_writer import write_835, write_837i, write_837p

STREAM = 835  # the claims' random stream: default_rng([seed, STREAM])


@dataclass(frozen=True)
class Payer:
    key: str
    name: str
    payer_id: str
    share: float  # of the encounters
    allowed_ratio: float  # allowed amount / charge on a paid claim
    strictness: float  # multiplies the chance of catching a coding error
    filing_indicator: str  # CLP06 (Medicare: MA on 837I claims, MB on 837P)


PAYERS = (
    Payer("medicare", "MEDICARE ADMINISTRATIVE CONTRACTOR", "1000000001", 0.42, 0.32, 1.0, "MA"),
    Payer("medicaid", "STATE MEDICAID", "1000000002", 0.16, 0.26, 1.15, "MC"),
    Payer("acme", "ACME HEALTH PLAN", "1000000003", 0.27, 0.52, 0.9, "12"),
    Payer("summit", "SUMMIT MUTUAL", "1000000004", 0.15, 0.58, 1.1, "HM"),
)

# Injected error kind -> (CARC, RARCs, chance a payer catches it and denies the claim).
# Kinds not listed (dx_added, procedure_added, em_level_up: the coder left money out) are
# never denied. CARC 16 is coding-related only with a coding RARC (M76, M81, MA63, N56).
PAYMENT_RELEVANT = {
    "dx_deleted": ("11", ("M76",), 0.15),
    "dx_changed_specificity": ("16", ("M81",), 0.18),
    "dx_changed_category": ("11", ("M76",), 0.27),
    "dx_changed_laterality": ("16", ("M76",), 0.24),
    "dx_changed_seventh_character": ("146", ("M76",), 0.24),
    "principal_dx_changed": ("16", ("MA63", "MA130"), 0.30),
    "sequencing_changed": ("16", ("MA63",), 0.21),
    "poa_changed": ("16", ("M76", "MA130"), 0.18),
    "procedure_deleted": ("236", ("M80",), 0.27),
    "procedure_changed": ("16", ("N56",), 0.24),
    "modifier_added": ("4", (), 0.24),
    "modifier_deleted": ("97", ("M80",), 0.24),
    "modifier_changed": ("182", (), 0.21),
    "units_changed": ("151", (), 0.21),
    "em_level_down": ("150", (), 0.24),
}
# Non-coding denials: (CARC, group, share among them); their base rate per claim.
OTHER_DENIALS = (("27", "CO", 0.30), ("31", "CO", 0.15), ("29", "CO", 0.20), ("197", "CO", 0.35))
OTHER_DENIAL_RATE = 0.05
RECOVERY_RATE = {"coding": 0.65, "other": 0.35}  # denied claims corrected, resubmitted and paid
PAY_DAY = 25  # payers run their 835 once a month, on this day
INPATIENT_BASE_CHARGE = 24_000  # charge of a stay of DRG weight 1.0, before noise
LINE_CHARGE = {"CPT": 185.0, "HCPCS": 65.0}
TRUTH_COLUMNS = (
    "encounter_id", "claim_type", "payer", "payer_id", "charge", "outcome", "coding_related", "carc", "rarcs",
    "error_kind", "payment_date", "paid", "recovered_on", "recovered",
)


@dataclass
class ClaimFiles:
    claim_files: list[str]
    remit_files: list[str]
    counts: dict


def _money(cents: int) -> Decimal:
    return Decimal(cents) / 100


def _next_pay_date(day: dt.date) -> dt.date:
    if day.day <= PAY_DAY:
        return day.replace(day=PAY_DAY)
    nxt = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return nxt.replace(day=PAY_DAY)


def _birth_date(on: dt.date, age: int, days_past: int) -> dt.date:
    try:
        birthday = on.replace(year=on.year - age)
    except ValueError:  # 29 February
        birthday = on.replace(year=on.year - age, day=28)
    return birthday - dt.timedelta(days=days_past)


def write_claims(world, outdir: Path) -> ClaimFiles:  # noqa: C901 - one pass over the claims, in order
    """Write claims/*.837, remits/*.835 and claims_truth.csv for `world` into `outdir`."""
    params, enc, coded, errors = world.params, world.encounters, world.coded, world.errors
    rng = np.random.default_rng([params.seed, STREAM])
    n = len(enc)
    start = params.fiscal_year_start()

    payer = rng.choice(len(PAYERS), size=n, p=[p.share for p in PAYERS])
    other_denied = rng.random(n) < OTHER_DENIAL_RATE
    other_kind = rng.choice(len(OTHER_DENIALS), size=n, p=[d[2] for d in OTHER_DENIALS])
    bill_lag = rng.integers(1, 4, size=n)
    pay_lag = rng.integers(12, 35, size=n)
    resubmit_lag = rng.integers(20, 50, size=n)
    recover_draw = rng.random(n)
    allowed_noise = rng.uniform(0.85, 1.15, size=n)
    coinsurance = rng.random(n) < 0.35
    charge_noise = rng.lognormal(0.0, 0.25, size=n)
    birth_days = rng.integers(1, 360, size=n)

    # Which errors the payer catches: the first caught error (in line order) denies the claim.
    kind_names = np.array(KINDS)[errors.kind]
    chance = np.array([PAYMENT_RELEVANT.get(k, (None, (), 0.0))[2] for k in kind_names])
    strict = np.array([p.strictness for p in PAYERS])[payer[errors.enc]] if len(errors.enc) else np.zeros(0)
    caught = rng.random(len(errors.enc)) < chance * strict
    coding_error = np.full(n, -1, np.int64)
    for row in np.flatnonzero(caught)[::-1]:  # reversed, so the first caught error wins
        coding_error[errors.enc[row]] = row

    codes = world.codes
    mods = world.modifiers.values
    line_start = np.r_[0, np.cumsum(np.bincount(coded.enc, minlength=n))]
    line_units = coded.units
    line_charge_noise = rng.lognormal(0.0, 0.35, size=len(coded))
    price = np.array([LINE_CHARGE.get(name, 0.0) for name in SYSTEMS])[coded.system]
    line_cents = np.maximum(100, np.rint(price * coded.units * line_charge_noise * 100)).astype(np.int64).tolist()
    weights = {}
    for drg in np.unique(world.drg_coded[enc.etype == IP]).tolist():
        weights[drg] = float(drg_weight(drg, world.params.year) or Decimal("1"))
    ip_cents = np.maximum(100, np.rint(
        np.array([weights.get(int(d), 1.0) for d in world.drg_coded]) * INPATIENT_BASE_CHARGE * charge_noise * 100
    )).astype(np.int64).tolist()
    other_cents = np.maximum(100, np.rint(150 * charge_noise * 100)).astype(np.int64).tolist()
    line_order = np.lexsort((coded.order, coded.enc))  # lines in order within each encounter

    claims_by_file: dict[tuple, list[dict]] = {}
    remits_by_file: dict[tuple, list[dict]] = {}
    truth_rows: list[list] = []
    counts = {"claims": 0, "not_billed": 0, "paid": 0, "denied": 0, "coding_denied": 0, "other_denied": 0,
              "recovered": 0}

    for e in range(n):
        lines = line_order[line_start[e]:line_start[e + 1]]
        etype = int(enc.etype[e])
        day = start + dt.timedelta(days=int(enc.day[e]))
        admit = day - dt.timedelta(days=int(enc.los[e])) if etype == IP else day
        dx, px, svc = [], [], []
        for i in lines:
            system = SYSTEMS[coded.system[i]]
            code = codes[coded.code[i]]
            if system == "ICD10CM":
                dx.append((code, POA[coded.poa[i]] or None))
            elif system == "ICD10PCS":
                px.append(code)
            else:
                mod = mods[coded.mod[i]]
                units = int(line_units[i])
                svc.append({"code": code, "modifiers": mod.split(";") if mod else [], "units": units,
                            "charge": line_cents[i]})
        claim_id = f"E{e + 1:09d}"
        p = PAYERS[payer[e]]
        if etype == PF and not svc:
            counts["not_billed"] += 1  # a professional claim needs a service line: nothing to bill
            continue
        birth = _birth_date(admit, int(enc.age[e]), int(birth_days[e]))
        sex = "MF"[enc.sex[e]]
        if etype == IP:
            charge = ip_cents[e]
            claim = {"claim_id": claim_id, "charge": _money(charge), "type_of_bill": "111", "sex": sex,
                     "birth_date": birth, "admit_date": admit, "discharge_date": day,
                     "discharge_status": DSTATUS_CODES[enc.dstatus[e]], "diagnoses": dx, "procedures": px,
                     "drg": int(world.drg_coded[e]),
                     "lines": [{"revenue_code": "0120", "charge": _money(charge),
                                "units": max(1, int(enc.los[e]))}]}
            claim_type = "837I"
        elif etype == PF:
            charge = sum(s["charge"] for s in svc)
            claim = {"claim_id": claim_id, "charge": _money(charge), "sex": sex, "birth_date": birth,
                     "diagnoses": [c for c, _ in dx],
                     "lines": [{**s, "charge": _money(s["charge"]), "service_date": day} for s in svc]}
            claim_type = "837P"
        else:
            revenue = "0450" if etype == ED else "0510"
            if not svc:
                svc = [{"code": None, "modifiers": [], "units": 1, "charge": other_cents[e]}]
            charge = sum(s["charge"] for s in svc)
            claim = {"claim_id": claim_id, "charge": _money(charge), "type_of_bill": "131", "sex": sex,
                     "birth_date": birth, "admit_date": day, "discharge_date": day, "discharge_status": "01",
                     "diagnoses": [(c, None) for c, _ in dx],
                     "lines": [{**s, "revenue_code": revenue, "charge": _money(s["charge"])} for s in svc]}
            claim_type = "837I"
        counts["claims"] += 1
        billed = day + dt.timedelta(days=int(bill_lag[e]))
        quarter = f"{billed.year}q{(billed.month - 1) // 3 + 1}"
        claims_by_file.setdefault((claim_type, quarter, p.key), []).append(claim)

        paid_on = _next_pay_date(billed + dt.timedelta(days=int(pay_lag[e])))
        filing = "MB" if p.filing_indicator == "MA" and claim_type == "837P" else p.filing_indicator
        remit = {"claim_id": claim_id, "charge": _money(charge), "filing_indicator": filing,
                 "payer_claim_id": f"{p.key[:2].upper()}{claim_id}"}
        if etype == IP:
            remit["drg"] = int(world.drg_coded[e])
        carc, rarcs, error_kind, reason = "", (), "", None
        if other_denied[e]:
            carc, group, _ = OTHER_DENIALS[other_kind[e]]
            reason = "other"
        elif coding_error[e] >= 0:
            error_kind = str(kind_names[coding_error[e]])
            carc, rarcs, _ = PAYMENT_RELEVANT[error_kind]
            group = "CO"
            reason = "coding"
        paid = _paid(charge, p, allowed_noise[e], coinsurance[e])
        recovered_on, recovered = "", ""
        if reason:
            counts["denied"] += 1
            counts[f"{reason}_denied"] += 1
            remits_by_file.setdefault((p.key, paid_on), []).append(
                {**remit, "status": "4", "payment": Decimal(0),
                 "adjustments": [{"group": group, "carc": carc, "amount": _money(charge)}], "remarks": list(rarcs)})
            if recover_draw[e] < RECOVERY_RATE[reason]:
                again = _next_pay_date(paid_on + dt.timedelta(days=int(resubmit_lag[e])))
                remits_by_file.setdefault((p.key, again), []).append(
                    {**remit, "payer_claim_id": remit["payer_claim_id"] + "R", **paid})
                counts["recovered"] += 1
                recovered_on, recovered = again.isoformat(), str(paid["payment"])
            truth_rows.append([claim_id, claim_type, p.key, p.payer_id, str(_money(charge)), "denied",
                               "yes" if reason == "coding" else "no", carc, ";".join(rarcs), error_kind,
                               paid_on.isoformat(), "0.00", recovered_on, recovered])
        else:
            counts["paid"] += 1
            remits_by_file.setdefault((p.key, paid_on), []).append({**remit, **paid})
            truth_rows.append([claim_id, claim_type, p.key, p.payer_id, str(_money(charge)), "paid", "no", "", "",
                               "", paid_on.isoformat(), str(paid["payment"]), "", ""])

    claim_dir, remit_dir = outdir / "claims", outdir / "remits"
    claim_dir.mkdir(exist_ok=True)
    remit_dir.mkdir(exist_ok=True)
    for old in [*claim_dir.glob("*.837"), *remit_dir.glob("*.835")]:
        old.unlink()
    payer_ids = {p.key: p for p in PAYERS}
    claim_files, remit_files = [], []
    control = 0
    for (claim_type, quarter, key), claims in sorted(claims_by_file.items()):
        control += 1
        name = f"{claim_type.lower()}-{key}-{quarter}.837"
        writer = write_837i if claim_type == "837I" else write_837p
        last = max(c.get("discharge_date") or c["lines"][0].get("service_date") for c in claims)
        _write(claim_dir / name, writer(claims, payer_id=payer_ids[key].payer_id, control=control,
                                        date=last, line_break=True))
        claim_files.append(f"claims/{name}")
    for (key, paid_on), remits in sorted(remits_by_file.items()):
        control += 1
        name = f"835-{key}-{paid_on.isoformat()}.835"
        payer = payer_ids[key]
        _write(remit_dir / name, write_835(remits, payer_name=payer.name, payer_id=payer.payer_id,
                                           payment_date=paid_on, trace_number=f"T{control:08d}",
                                           control=control, line_break=True))
        remit_files.append(f"remits/{name}")
    counts["claim_files"], counts["remit_files"] = len(claim_files), len(remit_files)
    tmp = outdir / "claims_truth.csv.tmp"
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(TRUTH_COLUMNS)
        out.writerows(truth_rows)
    tmp.replace(outdir / "claims_truth.csv")
    return ClaimFiles(claim_files, remit_files, counts)


def _paid(charge: int, payer: Payer, noise: float, coinsurance: bool) -> dict:
    """A paid claim: allowed share of the charge (CO 45 the rest), some left to the patient."""
    allowed = min(charge, int(round(charge * payer.allowed_ratio * noise)))
    patient = int(round(allowed * 0.2)) if coinsurance else 0
    adjustments = []
    if charge > allowed:
        adjustments.append({"group": "CO", "carc": "45", "amount": _money(charge - allowed)})
    if patient:
        adjustments.append({"group": "PR", "carc": "2", "amount": _money(patient)})
    return {"status": "1", "payment": _money(allowed - patient), "patient_responsibility": _money(patient),
            "adjustments": adjustments}


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
