"""Encounters and their true code lines (the auditor's version), vectorized with numpy.

An encounter gets a type, specialty and facility from the system's mix, a date, patient
age/sex (and for inpatient stays a length of stay and discharge status), a work queue and,
through the queue's vendors and assigned logins, the person who codes it. Its true codes
come from the catalog: a principal or first-listed diagnosis, secondary diagnoses (one per
category, with POA on inpatient stays), ICD-10-PCS bundles that go with the inpatient
principal diagnosis, and CPT/HCPCS services with modifiers and units plus an E/M level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codingwatch.synth import catalog as cat
from codingwatch.synth.catalog import Catalog
from codingwatch.synth.params import READY_HOLD_HOURS, SPECIALTY_MIX, WorldParams
from codingwatch.synth.roster import OPEN_END, Roster
from codingwatch.synth.timezones import OffsetTable
from codingwatch.vocabulary import ENCOUNTER_TYPES, SPECIALTIES

SYSTEMS = ("ICD10CM", "ICD10PCS", "CPT", "HCPCS")
POA = ("", "Y", "N")
IP, OP, ED, PF = (ENCOUNTER_TYPES.index(t) for t in ("inpatient", "outpatient", "ed", "profee"))
DAY = 86_400

# Age (mean, sd, low, high) by specialty.
AGES = {
    "obstetrics": (29, 5.5, 16, 46), "behavioral_health": (38, 14, 18, 85), "emergency_medicine": (44, 19, 18, 98),
    "orthopedics": (64, 13, 18, 96), "cardiology": (67, 12, 25, 99), "oncology": (64, 12, 18, 95),
    "neurology": (58, 18, 18, 99), "hospital_medicine": (68, 15, 18, 104), "general_surgery": (50, 17, 18, 95),
    "anesthesia": (58, 17, 18, 95), "radiology": (55, 18, 18, 99),
}
DISCHARGE_STATUS = {
    "default": (("01", 68), ("06", 14), ("03", 8), ("62", 3), ("02", 1), ("07", 1), ("20", 3), ("65", 0.5), ("50", 1.5)),
    "obstetrics": (("01", 100),),
    "behavioral_health": (("01", 88), ("07", 6), ("65", 6)),
    "orthopedics": (("01", 40), ("06", 30), ("03", 20), ("62", 10)),
}
LOS_MEDIAN = {"obstetrics": 2.0, "orthopedics": 2.5, "general_surgery": 3.0, "behavioral_health": 6.0}
SECONDARY_COUNT = {IP: (5, 10.0), OP: (2, 3.0), ED: (2, 3.0), PF: (1, 3.0)}  # base + Poisson mean
BUNDLES_OVERRIDE = {("hospital_medicine", "profee"): (0.92, 0.08, 0.0)}


@dataclass
class Encounters:
    """One row per encounter (numpy arrays of equal length), sorted by encounter id."""

    etype: np.ndarray
    spec: np.ndarray
    fac: np.ndarray
    day: np.ndarray  # discharge day (inpatient) or service day, from the fiscal year start
    los: np.ndarray
    age: np.ndarray
    sex: np.ndarray  # 0 M, 1 F
    dstatus: np.ndarray  # index into DSTATUS_CODES, -1 outside inpatient
    queue: np.ndarray
    person: np.ndarray
    login: np.ndarray
    received: np.ndarray  # seconds since the fiscal year start, UTC
    ready: np.ndarray
    coded: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.etype)


DSTATUS_CODES = ("01", "02", "03", "06", "07", "20", "50", "62", "65")


@dataclass
class Lines:
    """Code lines (struct of arrays). `enc` indexes Encounters; rows grouped by encounter."""

    enc: np.ndarray
    system: np.ndarray  # index into SYSTEMS
    code: np.ndarray  # index into Catalog.codes
    poa: np.ndarray  # index into POA
    mod: np.ndarray  # index into Modifiers.values
    units: np.ndarray
    order: np.ndarray  # sort key within the encounter (float: inserted lines fall between)
    principal: np.ndarray  # bool: the principal / first-listed diagnosis

    def take(self, idx: np.ndarray) -> Lines:
        return Lines(*(getattr(self, f)[idx] for f in self.__dataclass_fields__))

    @staticmethod
    def concat(parts: list[Lines]) -> Lines:
        return Lines(*(np.concatenate([getattr(p, f) for p in parts]) for f in Lines.__dataclass_fields__))

    def __len__(self) -> int:
        return len(self.enc)


class Modifiers:
    """Interned modifier strings ('' for none)."""

    def __init__(self) -> None:
        self.values: list[str] = [""]
        self._index = {"": 0}

    def idx(self, value: str) -> int:
        hit = self._index.get(value)
        if hit is None:
            hit = self._index[value] = len(self.values)
            self.values.append(value)
        return hit


def _choice(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=size, p=w / w.sum())


def _pick_rows(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each row r in `rows`, draw an index from the cumulative distribution cum[r]."""
    u = rng.random(len(rows))
    return (u[:, None] >= cum[rows]).sum(axis=1)


def _topk_distinct(rng: np.random.Generator, weights: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted sampling without replacement (Gumbel top-k). Returns (row, column) pairs."""
    n, width = len(k), len(weights)
    if n == 0 or width == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keys = np.log(weights.astype(np.float32))[None, :] + rng.gumbel(size=(n, width)).astype(np.float32)
    kmax = int(min(width, k.max(initial=0)))
    if kmax == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(-keys, axis=1, kind="stable")[:, :kmax]
    take = np.arange(kmax)[None, :] < np.minimum(k, width)[:, None]
    rows = np.broadcast_to(np.arange(n)[:, None], order.shape)[take]
    return rows, order[take]


def generate_encounters(params: WorldParams, roster: Roster, rng: np.random.Generator, tz: OffsetTable) -> Encounters:
    n = params.encounters
    year_days = (params.fiscal_year_end() - params.fiscal_year_start()).days + 1
    type_names = [t for t, _ in params.type_shares]
    counts = rng.multinomial(n, np.array([s for _, s in params.type_shares]) / sum(s for _, s in params.type_shares))
    etype = np.concatenate([np.full(c, ENCOUNTER_TYPES.index(t), np.int8) for t, c in zip(type_names, counts, strict=True)])
    spec = np.zeros(n, np.int8)
    for t in np.unique(etype):
        sel = np.flatnonzero(etype == t)
        mix = SPECIALTY_MIX[ENCOUNTER_TYPES[t]]
        names = list(mix)
        spec[sel] = np.array([SPECIALTIES.index(s) for s in names], np.int8)[_choice(rng, list(mix.values()), len(sel))]
    fac = _choice(rng, [f.share for f in params.facilities], n).astype(np.int8)

    # Dates: inpatient stays and ED visits every day, clinics mostly on weekdays; a mild winter peak.
    days = np.arange(year_days)
    weekday = (np.array([(params.fiscal_year_start().weekday() + d) % 7 for d in days]))
    season = 1 + 0.08 * np.cos(2 * np.pi * (days - 110) / 365)
    every_day = season / season.sum()
    clinic = season * np.where(weekday < 5, 1.0, 0.08)
    clinic = clinic / clinic.sum()
    day = np.where(np.isin(etype, (IP, ED)), rng.choice(year_days, n, p=every_day), rng.choice(year_days, n, p=clinic))

    age = np.zeros(n, np.int16)
    los = np.zeros(n, np.int16)
    dstatus = np.full(n, -1, np.int8)
    for s_i, s in enumerate(SPECIALTIES):
        sel = np.flatnonzero(spec == s_i)
        mean, sd, lo, hi = AGES[s]
        age[sel] = np.clip(np.round(rng.normal(mean, sd, len(sel))), lo, hi)
        ip = sel[etype[sel] == IP]
        if len(ip):
            los[ip] = np.clip(np.round(rng.lognormal(np.log(LOS_MEDIAN.get(s, 3.5)), 0.6, len(ip))), 1, 45)
            table = DISCHARGE_STATUS.get(s, DISCHARGE_STATUS["default"])
            codes = np.array([DSTATUS_CODES.index(c) for c, _ in table], np.int8)
            dstatus[ip] = codes[_choice(rng, [w for _, w in table], len(ip))]
    sex = (rng.random(n) < 0.52).astype(np.int8)  # refined by the principal diagnosis below

    # Received by coding (UTC seconds since the year start), then ready to code.
    fac_tz = [tz.zone_index(f.timezone) for f in params.facilities]
    local_offset = tz.offsets[np.array(fac_tz)[fac], np.clip(day + tz.pad, 0, tz.offsets.shape[1] - 1)]
    hour = np.select(
        [etype == IP, etype == ED],
        [rng.uniform(11, 20, n) + rng.uniform(0, 24, n), rng.uniform(0, 24, n) + rng.uniform(1, 12, n)],
        rng.uniform(8, 17, n) + rng.uniform(2, 30, n),
    )
    received = (day.astype(np.int64) * DAY + (hour * 3600).astype(np.int64) - local_offset).astype(np.int64)
    hold = np.zeros(n)
    for t, name in enumerate(ENCOUNTER_TYPES):
        sel = etype == t
        median, sigma = READY_HOLD_HOURS[name]
        hold[sel] = rng.lognormal(np.log(median), sigma, int(sel.sum()))
    ready = received + (hold * 3600).astype(np.int64)

    # Work queue: facility x service line x encounter type.
    qkey = {(q.facility, q.service_line, q.encounter_type): q.index for q in roster.queues}
    fac_codes = [f.code for f in params.facilities]
    lut = np.full((len(fac_codes), len(SPECIALTIES), len(ENCOUNTER_TYPES)), -1, np.int32)
    for (f, s, t), qi in qkey.items():
        lut[fac_codes.index(f), SPECIALTIES.index(s), ENCOUNTER_TYPES.index(t)] = qi
    queue = lut[fac, spec, etype]
    assert (queue >= 0).all()

    person = route(roster, queue, ready // DAY, rng)
    login = np.array([p.login for p in roster.persons], np.int32)[person]

    # Encounter ids follow the date of service; ties broken at random.
    order = np.lexsort((rng.random(n), day))
    enc = Encounters(etype=etype, spec=spec, fac=fac, day=day.astype(np.int32), los=los, age=age, sex=sex,
                     dstatus=dstatus, queue=queue, person=person, login=login, received=received, ready=ready)
    for f in enc.__dataclass_fields__:
        value = getattr(enc, f)
        if value is not None:
            setattr(enc, f, value[order])
    return enc


def route(roster: Roster, queue: np.ndarray, ready_day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The person who codes each encounter: among the people whose logins are assigned to its
    queue and active on the day it is ready, by vendor share, then by speed x volume."""
    person = np.full(len(queue), -1, np.int32)
    by_login: dict[int, list] = {}
    for p in roster.persons:
        by_login.setdefault(p.login, []).append(p)
    vendor_of = {lg.index: lg.vendor for lg in roster.logins}
    for q in roster.queues:
        sel = np.flatnonzero(queue == q.index)
        if len(sel) == 0:
            continue
        cands = []  # (person, vendor, weight, from, to)
        for lg in roster.logins:
            if q.index not in lg.queues:
                continue
            for p in by_login[lg.index]:
                lo, hi = max(lg.start_day, p.from_day), min(lg.end_day, p.to_day)
                cands.append((p.index, vendor_of[lg.index], p.speed * p.volume, lo, hi))
        cuts = sorted({c[3] for c in cands} | {c[4] + 1 for c in cands if c[4] < OPEN_END})
        seg = np.searchsorted(cuts, ready_day[sel], side="right")
        for s in np.unique(seg):
            at = sel[seg == s]
            d = int(ready_day[at[0]])
            active = [c for c in cands if c[3] <= d <= c[4]]
            if not active:
                raise RuntimeError(f"queue {q.code} has no active coder on day {d}")
            shares = dict(q.vendor_shares)
            present = {c[1] for c in active}
            total_share = sum(v for k, v in shares.items() if k in present)
            vendor_weight = {k: shares[k] / total_share for k in present}
            w = np.array([vendor_weight[c[1]] * c[2] / sum(a[2] for a in active if a[1] == c[1]) for c in active])
            ids = np.array([c[0] for c in active], np.int32)
            person[at] = ids[rng.choice(len(ids), size=len(at), p=w / w.sum())]
    return person


def generate_true_lines(
    enc: Encounters, catalog: Catalog, mods: Modifiers, rng: np.random.Generator
) -> Lines:
    """The auditor's (true) code lines of every encounter, grouped by encounter."""
    parts: list[Lines] = []
    n = len(enc)
    for t_i, t in enumerate(ENCOUNTER_TYPES):
        for s_i, s in enumerate(SPECIALTIES):
            sel = np.flatnonzero((enc.etype == t_i) & (enc.spec == s_i))
            if len(sel) == 0:
                continue
            parts.extend(_group_lines(t_i, t, s, sel, enc, catalog, mods, rng))
    lines = Lines.concat(parts)
    # Two service bundles may share a line (a second drug under one administration code): keep one.
    key = lines.enc.astype(np.int64) * len(catalog.codes) + lines.code
    _, first = np.unique(key, return_index=True)
    lines = lines.take(np.sort(first))
    order = np.lexsort((lines.order, lines.enc))
    lines = lines.take(order)
    assert n == 0 or lines.enc.max() < n
    return lines


def _group_lines(t_i, t, s, sel, enc: Encounters, catalog: Catalog, mods: Modifiers, rng) -> list[Lines]:
    out: list[Lines] = []
    m = len(sel)
    # Principal / first-listed diagnosis.
    if t_i == IP:
        entries = cat.INPATIENT_PRINCIPAL[s]
        pcodes = [e[0] for e in entries]
        sexes = [e[2] for e in entries]
    else:
        entries = cat.FIRST_LISTED[s]
        pcodes = [e[0] for e in entries]
        sexes = [e[2] for e in entries]
    pick = _choice(rng, [e[1] for e in entries], m)
    forced = np.array([{"M": 0, "F": 1}.get(x or "", -1) for x in sexes], np.int8)[pick]
    enc.sex[sel] = np.where(forced >= 0, forced, enc.sex[sel])
    pidx = np.array([catalog.idx("ICD10CM", c) for c in pcodes], np.int32)
    out.append(_lines(sel, 0, pidx[pick], np.full(m, 1 if t_i == IP else 0), 0, 1, order=0.0, principal=True))

    # Secondary diagnoses: distinct categories, none shared with this specialty's principal list.
    pool = cat.secondary_pool(s, t_i == IP)
    if pool:
        base, lam = SECONDARY_COUNT[t_i]
        k = base + rng.poisson(lam, m)
        rows, cols = _topk_distinct(rng, np.array([p[1] for p in pool], float), k)
        vmax = max(len(p[0]) for p in pool)
        var_code = np.zeros((len(pool), vmax), np.int32)
        var_cum = np.ones((len(pool), vmax))
        for i, (variants, _, _) in enumerate(pool):
            w = np.array([v[1] for v in variants], float)
            var_code[i, : len(variants)] = [catalog.idx("ICD10CM", v[0]) for v in variants]
            var_cum[i, : len(variants)] = np.cumsum(w / w.sum())
        var_cum[:, -1] = 1.0 + 1e-9
        vpick = np.minimum(_pick_rows(rng, var_cum, cols), np.array([len(p[0]) - 1 for p in pool])[cols])
        codes = var_code[cols, vpick]
        if t_i == IP:
            p_n = np.array([p[2] for p in pool])[cols]
            poa = np.where(rng.random(len(cols)) < p_n, 2, 1)
        else:
            poa = np.zeros(len(cols), np.int64)
        rank = _cumcount(rows)
        out.append(_lines(sel[rows], 0, codes, poa, 0, 1, order=1.0 + rank, principal=False))

    if t_i == IP:
        # ICD-10-PCS bundles that go with the principal diagnosis.
        bundles: list[tuple[str, ...]] = []
        opt_rows = []
        for e in entries:
            opts = [(b, w) for b, w in e[3]] + [((), e[4])]
            idxs = []
            for b, w in opts:
                if b not in bundles:
                    bundles.append(b)
                idxs.append((bundles.index(b), w))
            opt_rows.append(idxs)
        width = max(len(r) for r in opt_rows)
        cum = np.ones((len(entries), width)) + 1e-9
        ids = np.zeros((len(entries), width), np.int32)
        for i, r in enumerate(opt_rows):
            w = np.array([x[1] for x in r], float)
            cum[i, : len(r)] = np.cumsum(w / w.sum())
            ids[i, : len(r)] = [x[0] for x in r]
            ids[i, len(r):] = r[-1][0]
        cum[:, -1] = 1.0 + 1e-9
        bpick = ids[pick, np.minimum(_pick_rows(rng, cum, pick), width - 1)]
        _expand_bundles(out, sel, bpick, [[("ICD10PCS", c, ("",), 1, 1) for c in b] for b in bundles],
                        catalog, mods, rng, order0=100.0)
        return out

    # E/M level.
    has_em = np.zeros(m, bool)
    profile = cat.EM_PROFILE.get((s, t))
    if profile:
        p_em, fams = profile
        has_em = rng.random(m) < p_em
        em_rows = np.flatnonzero(has_em)
        fam_pick = _choice(rng, [f[1] for f in fams], len(em_rows))
        em_code = np.zeros(len(em_rows), np.int32)
        for f_i, (fam, _, level_w) in enumerate(fams):
            here = fam_pick == f_i
            lvl = _choice(rng, level_w, int(here.sum()))
            em_code[here] = np.array([catalog.idx("CPT", c) for c in cat.EM_FAMILIES[fam]], np.int32)[lvl]
    # Service bundles.
    services = cat.SERVICES.get((s, t), [])
    n_b = np.zeros(m, np.int64)
    if services:
        probs = BUNDLES_OVERRIDE.get((s, t), cat.BUNDLE_COUNTS[t])
        n_b = _choice(rng, probs, m)
        if s in cat.SERVICE_ONLY or not profile:
            n_b = np.maximum(n_b, 1)
        rows, cols = _topk_distinct(rng, np.array([w for _, w in services], float), n_b)
        _expand_bundles(out, sel[rows], cols, [list(lines) for lines, _ in services], catalog, mods, rng,
                        order0=200.0 + 10.0 * _cumcount(rows))
    if profile and len(em_rows):
        # Modifier 25: a significant, separately identifiable E/M on the day of a procedure.
        mod = np.where(n_b[em_rows] > 0, mods.idx("25"), 0)
        out.append(_lines(sel[em_rows], 2, em_code, 0, mod, 1, order=150.0, principal=False))
    return out


def _expand_bundles(out, enc_idx, bundle_idx, bundle_lines, catalog: Catalog, mods: Modifiers, rng, order0):
    sizes = np.array([len(b) for b in bundle_lines], np.int64)
    count = sizes[bundle_idx]
    if count.sum() == 0:
        return
    flat = [line for b in bundle_lines for line in b]
    offs = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rep = np.repeat(np.arange(len(bundle_idx)), count)
    pos = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    li = offs[bundle_idx][rep] + pos
    systems = np.array([SYSTEMS.index(x[0]) for x in flat], np.int8)
    codes = np.array([catalog.idx(x[0], x[1]) for x in flat], np.int32)
    n_opts = np.array([len(x[2]) for x in flat])
    opt_table = np.zeros((len(flat), n_opts.max()), np.int32)
    for i, x in enumerate(flat):
        opt_table[i, : len(x[2])] = [mods.idx(v) for v in x[2]]
    lo = np.array([x[3] for x in flat])
    hi = np.array([x[4] for x in flat])
    mod = opt_table[li, (rng.random(len(li)) * n_opts[li]).astype(np.int64)]
    units = lo[li] + (rng.random(len(li)) * (hi[li] - lo[li] + 1)).astype(np.int64)
    order = np.asarray(order0, float)
    order = order[rep] if order.ndim else np.full(len(li), float(order))
    out.append(_lines(np.asarray(enc_idx)[rep], systems[li], codes[li], 0, mod, units, order=order + pos, principal=False))


def _lines(enc_idx, system, code, poa, mod, units, *, order, principal: bool) -> Lines:
    n = len(enc_idx)

    def full(v, dtype):
        a = np.asarray(v)
        return a.astype(dtype) if a.ndim else np.full(n, v, dtype)

    return Lines(
        enc=np.asarray(enc_idx, np.int32), system=full(system, np.int8), code=full(code, np.int32),
        poa=full(poa, np.int8), mod=full(mod, np.int32), units=full(units, np.int32),
        order=full(order, np.float64), principal=np.full(n, principal),
    )


def _cumcount(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2... within runs of equal values of a grouped (not necessarily sorted) array."""
    if len(groups) == 0:
        return np.zeros(0, np.int64)
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    counts = np.diff(np.r_[start, len(g)])
    ranks = np.arange(len(g)) - np.repeat(start, counts)
    out = np.empty(len(g), np.int64)
    out[order] = ranks
    return out
