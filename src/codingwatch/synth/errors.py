"""Error injection: from the auditor's true code lines to the coder's lines as coded.

Each true code line is wrong with the probability of the person who coded it (the
code-over-code error rate). A wrong line gets one kind from domain.md's taxonomy, drawn
among the kinds that can apply to it, with weights that depend on the person's profile
(regular, inexperienced, offshore). Kinds are named from the auditor's side, as the audit
reports them: `dx_added` means the auditor added a diagnosis the coder missed; `em_level_up`
means the auditor raised the level the coder chose. DRG changes are not injected: they
follow from the line errors when both versions are grouped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codingwatch.synth import catalog as cat
from codingwatch.synth.catalog import Catalog
from codingwatch.synth.encounters import IP, POA, SYSTEMS, Encounters, Lines, Modifiers, _cumcount
from codingwatch.synth.roster import Roster
from codingwatch.vocabulary import ENCOUNTER_TYPES, SPECIALTIES

KINDS = (
    "dx_added",  # the coder missed a diagnosis
    "dx_deleted",  # the coder added an unsupported diagnosis
    "dx_changed_specificity",  # more/less specific code in the same category
    "dx_changed_category",  # a code from the wrong category
    "dx_changed_laterality",
    "dx_changed_seventh_character",
    "principal_dx_changed",
    "sequencing_changed",  # the right codes, the wrong one first
    "poa_changed",
    "procedure_added",  # the coder missed a procedure
    "procedure_deleted",  # the coder added an unsupported procedure
    "procedure_changed",
    "modifier_added",  # the coder left off a modifier
    "modifier_deleted",  # the coder added an unsupported modifier
    "modifier_changed",
    "units_changed",
    "em_level_up",  # the auditor raised the E/M level (the coder under-coded)
    "em_level_down",  # the auditor lowered the E/M level (the coder over-coded)
)
K = {name: i for i, name in enumerate(KINDS)}

# Relative weights of each kind by profile: regular, inexperienced (the takeover login's
# second person: unspecified codes, wrong E/M levels, unsupported modifiers), offshore
# (seed 001 and the HFMA study: less depth of specificity and missed secondary diagnoses,
# which lowers the case mix index).
PROFILE_WEIGHTS = np.array([
    # dxA dxD spec cat lat 7th pdx seq poa prA prD prC mA mD mC un emU emD
    [14, 8, 14, 6, 6, 5, 8, 4, 5, 4, 3, 5, 5, 4, 4, 4, 5, 6],
    [10, 6, 26, 8, 8, 6, 8, 4, 4, 3, 4, 4, 4, 8, 4, 3, 4, 12],
    [28, 1, 22, 6, 6, 5, 8, 4, 5, 5, 2, 5, 6, 3, 4, 4, 8, 4],
], dtype=float)


@dataclass
class InjectedErrors:
    enc: np.ndarray
    kind: np.ndarray
    system: np.ndarray
    coded: np.ndarray  # object array of strings
    audited: np.ndarray


def inject_errors(
    enc: Encounters, truth: Lines, catalog: Catalog, mods: Modifiers, roster: Roster, rng: np.random.Generator
) -> tuple[Lines, InjectedErrors]:
    n = len(truth)
    rates = np.array([p.error_rate for p in roster.persons])
    profiles = np.array([p.profile for p in roster.persons])
    person = enc.person[truth.enc]
    wrong = np.flatnonzero(rng.random(n) < rates[person])

    # What can go wrong on each wrong line.
    sys_ = truth.system[wrong]
    code = truth.code[wrong]
    is_dx = sys_ == 0
    is_svc = sys_ >= 2
    is_proc = sys_ >= 1
    principal = truth.principal[wrong]
    etype = enc.etype[truth.enc[wrong]]
    spec = enc.spec[truth.enc[wrong]]
    inpatient = etype == IP
    em = catalog.em_family[code] >= 0
    dx_per_enc = np.bincount(truth.enc[truth.system == 0], minlength=len(enc))
    alt_for = _alternatives(catalog)
    alt = alt_for[spec, etype, code]
    swaps = _modifier_swaps(mods)
    units_variable = _units_variable(catalog)

    app = np.zeros((len(wrong), len(KINDS)), bool)
    app[:, K["dx_added"]] = is_dx & ~principal
    app[:, K["dx_deleted"]] = is_dx
    app[:, K["dx_changed_specificity"]] = is_dx & (np.diff(catalog.spec_off)[code] > 0)
    app[:, K["dx_changed_category"]] = is_dx & ~(principal & inpatient)
    app[:, K["dx_changed_laterality"]] = is_dx & (np.diff(catalog.lat_off)[code] > 0)
    app[:, K["dx_changed_seventh_character"]] = is_dx & (np.diff(catalog.sev_off)[code] > 0)
    app[:, K["principal_dx_changed"]] = is_dx & principal & inpatient
    app[:, K["sequencing_changed"]] = is_dx & principal & (dx_per_enc[truth.enc[wrong]] >= 2)
    app[:, K["poa_changed"]] = is_dx & inpatient & ~principal & ~catalog.is_z[code]
    app[:, K["procedure_added"]] = is_proc & ~em
    app[:, K["procedure_deleted"]] = is_proc
    app[:, K["procedure_changed"]] = is_proc & ~em & (alt >= 0)
    app[:, K["modifier_added"]] = is_svc & (truth.mod[wrong] != 0)
    app[:, K["modifier_deleted"]] = is_svc & (truth.mod[wrong] == 0)
    app[:, K["modifier_changed"]] = is_svc & (swaps[truth.mod[wrong]] >= 0)
    app[:, K["units_changed"]] = is_svc & units_variable[code]
    app[:, K["em_level_up"]] = em & (catalog.em_step[code, 0] >= 0)
    app[:, K["em_level_down"]] = em & (catalog.em_step[code, 1] >= 0)
    w = app * PROFILE_WEIGHTS[profiles[person[wrong]]]
    cum = np.cumsum(w, axis=1)
    kind = (rng.random(len(wrong))[:, None] * cum[:, -1:] >= cum).sum(axis=1)

    coded = Lines(*(getattr(truth, f).copy() for f in Lines.__dataclass_fields__))
    keep = np.ones(n, bool)
    u = rng.random(len(wrong))

    def at(k: str) -> np.ndarray:
        return kind == K[k]

    def from_csr(off, flat, codes, uu):
        count = np.diff(off)[codes]
        return flat[off[codes] + (uu * count).astype(np.int64)]

    # Inexperienced and offshore coders reach for the unspecified code (less depth of specificity).
    s = at("dx_changed_specificity")
    vague = s & (profiles[person[wrong]] > 0) & (np.diff(catalog.unspec_off)[code] > 0) & (rng.random(len(wrong)) < 0.7)
    coded.code[wrong[vague]] = from_csr(catalog.unspec_off, catalog.unspec_flat, code[vague], u[vague])
    for name, off, flat in (
        ("dx_changed_specificity", catalog.spec_off, catalog.spec_flat),
        ("dx_changed_laterality", catalog.lat_off, catalog.lat_flat),
        ("dx_changed_seventh_character", catalog.sev_off, catalog.sev_flat),
    ):
        s = at(name) & ~vague
        coded.code[wrong[s]] = from_csr(off, flat, code[s], u[s])

    # Replacement and extra diagnoses come from per-specialty pools whose categories the
    # specialty never uses; the n-th pick within an encounter takes the n-th pool entry,
    # so an encounter never holds the same code twice.
    wrong_pool, unsupported_pool = _dx_pools(catalog)
    s = at("dx_changed_category")
    coded.code[wrong[s]] = _pool_pick(wrong_pool, spec[s], truth.enc[wrong[s]])

    s = at("principal_dx_changed")
    coded.code[wrong[s]] = _other_principal(catalog, spec[s], enc.sex[truth.enc[wrong[s]]], code[s], u[s])

    s = at("poa_changed")
    coded.poa[wrong[s]] = np.where(truth.poa[wrong[s]] == POA.index("Y"), POA.index("N"), POA.index("Y"))

    s = at("procedure_changed")
    coded.code[wrong[s]] = alt[s]

    keep[wrong[at("dx_added") | at("procedure_added")]] = False

    s = at("modifier_added")
    coded.mod[wrong[s]] = 0
    s = at("modifier_deleted")
    coded.mod[wrong[s]] = np.where(em[s], mods.idx(cat.SPURIOUS_MODIFIERS["em"]), mods.idx(cat.SPURIOUS_MODIFIERS["other"]))
    s = at("modifier_changed")
    coded.mod[wrong[s]] = swaps[truth.mod[wrong[s]]]

    s = at("units_changed")
    units = truth.units[wrong[s]]
    step = np.maximum(1, (units * 0.25 * rng.random(len(units))).astype(np.int64))
    up = (units <= step) | (rng.random(len(units)) < 0.5)
    coded.units[wrong[s]] = np.where(up, units + step, units - step)

    s = at("em_level_up")
    coded.code[wrong[s]] = catalog.em_step[code[s], 0]
    s = at("em_level_down")
    coded.code[wrong[s]] = catalog.em_step[code[s], 1]

    # Unsupported diagnoses and procedures the coder added: new lines after the trigger line.
    s_dx = at("dx_deleted")
    s_px = at("procedure_deleted")
    extra_rows = wrong[s_dx | s_px]
    extra_is_dx = s_dx[s_dx | s_px]
    extra_enc = truth.enc[extra_rows]
    extra_code = np.zeros(len(extra_rows), np.int32)
    e_spec = enc.spec[extra_enc]
    extra_code[extra_is_dx] = _pool_pick(unsupported_pool, e_spec[extra_is_dx], extra_enc[extra_is_dx])
    px_ip = ~extra_is_dx & (enc.etype[extra_enc] == IP)
    px_svc = ~extra_is_dx & ~px_ip
    extra_code[px_ip] = catalog.extra_pcs[_ordinal(extra_enc[px_ip]) % len(catalog.extra_pcs)]
    extra_code[px_svc] = catalog.extra_cpt[_ordinal(extra_enc[px_svc]) % len(catalog.extra_cpt)]
    extra_sys = np.where(extra_is_dx, 0, np.where(px_ip, 1, 2)).astype(np.int8)
    extra_poa = np.where(extra_is_dx & (enc.etype[extra_enc] == IP), POA.index("Y"), 0).astype(np.int8)
    extras = Lines(
        enc=extra_enc.astype(np.int32), system=extra_sys, code=extra_code, poa=extra_poa,
        mod=np.zeros(len(extra_rows), np.int32), units=np.ones(len(extra_rows), np.int32),
        order=truth.order[extra_rows] + 0.5, principal=np.zeros(len(extra_rows), bool),
    )

    kept = coded.take(np.flatnonzero(keep))
    # Sequencing: the coder put the principal diagnosis after the next diagnosis they kept.
    s = at("sequencing_changed")
    seq_enc = truth.enc[wrong[s]]
    later = kept.system == 0
    later &= ~kept.principal
    first_other = np.full(len(enc), np.inf)
    np.minimum.at(first_other, kept.enc[later], kept.order[later])
    cancel = np.zeros(len(wrong), bool)
    bad_seq = ~np.isfinite(first_other[seq_enc])
    cancel[np.flatnonzero(s)[bad_seq]] = True
    moves = np.zeros(len(enc), bool)
    moves[seq_enc[~bad_seq]] = True
    mv = kept.principal & moves[kept.enc]
    kept.order[mv] = first_other[kept.enc[mv]] + 0.25

    out = Lines.concat([kept, extras])
    out = out.take(np.lexsort((out.order, out.enc)))
    _assert_no_duplicates(out, len(catalog.codes))

    # The error records.
    live = ~cancel
    rows = wrong[live]
    kind_l = kind[live]
    n_err = len(rows)
    coded_s = np.empty(n_err, object)
    audited_s = np.empty(n_err, object)
    codes = catalog.code_arr
    t_code = codes[truth.code[rows]]
    c_code = codes[coded.code[rows]]
    audited_s[:] = t_code
    coded_s[:] = c_code
    for k in ("dx_added", "procedure_added"):
        coded_s[kind_l == K[k]] = ""
    extra_by_row = dict(zip(extra_rows.tolist(), codes[extra_code].tolist(), strict=True))
    for k in ("dx_deleted", "procedure_deleted"):
        sel = np.flatnonzero(kind_l == K[k])
        coded_s[sel] = [extra_by_row[r] for r in rows[sel].tolist()]
        audited_s[sel] = ""
    sel = kind_l == K["poa_changed"]
    coded_s[sel] = np.array(POA, object)[coded.poa[rows[sel]]]
    audited_s[sel] = np.array(POA, object)[truth.poa[rows[sel]]]
    mvals = np.array(mods.values, object)
    for k in ("modifier_added", "modifier_deleted", "modifier_changed"):
        sel = kind_l == K[k]
        coded_s[sel] = mvals[coded.mod[rows[sel]]]
        audited_s[sel] = mvals[truth.mod[rows[sel]]]
    sel = kind_l == K["units_changed"]
    coded_s[sel] = coded.units[rows[sel]].astype(str).astype(object)
    audited_s[sel] = truth.units[rows[sel]].astype(str).astype(object)
    sel = np.flatnonzero(kind_l == K["sequencing_changed"])
    if len(sel):
        first_dx = np.full(len(enc), -1, np.int64)
        dx_rows = np.flatnonzero(out.system == 0)
        e = out.enc[dx_rows]
        starts = dx_rows[np.r_[True, e[1:] != e[:-1]]]
        first_dx[out.enc[starts]] = out.code[starts]
        coded_s[sel] = codes[first_dx[truth.enc[rows[sel]]]]
    sys_names = np.array(SYSTEMS, object)
    err_system = sys_names[truth.system[rows]]
    err_system[(kind_l == K["procedure_deleted"]) & (enc.etype[truth.enc[rows]] != IP)] = "CPT"
    errors = InjectedErrors(enc=truth.enc[rows], kind=kind_l, system=err_system, coded=coded_s, audited=audited_s)
    order = np.lexsort((rows, errors.enc))
    errors = InjectedErrors(*(getattr(errors, f)[order] for f in errors.__dataclass_fields__))
    return out, errors


def _ordinal(groups: np.ndarray) -> np.ndarray:
    return _cumcount(groups) + (groups.astype(np.int64) * 7919 if len(groups) else 0)


def _pool_pick(pools: np.ndarray, spec: np.ndarray, enc_idx: np.ndarray) -> np.ndarray:
    sizes = (pools >= 0).sum(axis=1)
    pos = _ordinal(enc_idx) % sizes[spec]
    return pools[spec, pos]


def _dx_pools(catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    """Per specialty: wrong-category and unsupported diagnoses outside every category it uses."""
    wrong, unsupported = [], []
    for s in SPECIALTIES:
        used = {cat.category(e[0]) for e in cat.INPATIENT_PRINCIPAL.get(s, [])}
        used |= {cat.category(e[0]) for e in cat.FIRST_LISTED.get(s, [])}
        pool = [] if s in cat.NO_GENERAL_SECONDARY else list(cat.GENERAL_SECONDARY)
        pool += cat.SPECIALTY_SECONDARY.get(s, [])
        used |= {cat.category(c) for p in pool for c, _ in p[0]}
        wrong.append([catalog.idx("ICD10CM", c) for c in cat.WRONG_CATEGORY_DX if cat.category(c) not in used])
        unsupported.append([catalog.idx("ICD10CM", c) for c in cat.UNSUPPORTED_DX if cat.category(c) not in used])

    def pad(rows):
        width = max(len(r) for r in rows)
        out = np.full((len(rows), width), -1, np.int32)
        for i, r in enumerate(rows):
            if not r:
                raise ValueError("a specialty has an empty replacement pool")
            out[i, : len(r)] = r
        return out

    return pad(wrong), pad(unsupported)


def _other_principal(catalog: Catalog, spec, sex, current, u) -> np.ndarray:
    """Another inpatient principal diagnosis of the same specialty, fit for the patient's sex."""
    out = np.array(current, copy=True)
    for s_i, s in enumerate(SPECIALTIES):
        entries = cat.INPATIENT_PRINCIPAL.get(s)
        if not entries:
            continue
        for sx, letter in ((0, "M"), (1, "F")):
            sel = np.flatnonzero((spec == s_i) & (sex == sx))
            if len(sel) == 0:
                continue
            pool = np.array([catalog.idx("ICD10CM", e[0]) for e in entries if e[2] in (None, letter)], np.int32)
            pos = np.searchsorted(np.sort(pool), current[sel])
            sorted_pool = np.sort(pool)
            pos = np.where(sorted_pool[np.minimum(pos, len(pool) - 1)] == current[sel], pos, 0)
            shift = 1 + (u[sel] * (len(pool) - 1)).astype(np.int64)
            out[sel] = sorted_pool[(pos + shift) % len(pool)]
    return out


def _alternatives(catalog: Catalog) -> np.ndarray:
    """alt[spec, type, code]: the procedure an auditor would code instead, never one the
    same kind of encounter can already carry; -1 when there is none."""
    n = len(catalog.codes)
    out = np.full((len(SPECIALTIES), len(ENCOUNTER_TYPES), n), -1, np.int32)
    for s_i, s in enumerate(SPECIALTIES):
        for t_i, t in enumerate(ENCOUNTER_TYPES):
            present: set[int] = set()
            if t == "inpatient":
                for e in cat.INPATIENT_PRINCIPAL.get(s, []):
                    for b, _ in e[3]:
                        present.update(catalog.idx("ICD10PCS", c) for c in b)
            for lines, _ in cat.SERVICES.get((s, t), []):
                present.update(catalog.idx(x[0], x[1]) for x in lines)
            for c in present:
                lo, hi = catalog.alt_off[c], catalog.alt_off[c + 1]
                for a in catalog.alt_flat[lo:hi]:
                    if int(a) not in present:
                        out[s_i, t_i, c] = a
                        break
    return out


def _modifier_swaps(mods: Modifiers) -> np.ndarray:
    for a, b in cat.MODIFIER_SWAPS.items():
        mods.idx(a)
        mods.idx(b)
    for v in cat.SPURIOUS_MODIFIERS.values():
        mods.idx(v)
    swaps = np.full(len(mods.values), -1, np.int32)
    for a, b in cat.MODIFIER_SWAPS.items():
        swaps[mods.idx(a)] = mods.idx(b)
    return swaps


def _units_variable(catalog: Catalog) -> np.ndarray:
    out = np.zeros(len(catalog.codes), bool)
    for bundles in cat.SERVICES.values():
        for lines, _ in bundles:
            for system, code, _, lo, hi in lines:
                if hi > lo:
                    out[catalog.idx(system, code)] = True
    return out


def _assert_no_duplicates(lines: Lines, n_codes: int) -> None:
    key = np.sort(lines.enc.astype(np.int64) * n_codes + lines.code)
    if len(key) and (key[1:] == key[:-1]).any():
        raise AssertionError("an encounter holds the same code twice")
