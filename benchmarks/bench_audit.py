"""Benchmark: `codingwatch audit score` on 100,000 audited encounters, regrouping every inpatient one.

Input is generated here from real FY2026 codes (each checked by the Medicare Code Editor
before use): as-coded encounters in the ingest layout, and an as-audited copy with the
auditor's typical changes (missed MCC, unsupported diagnosis, specificity, laterality, POA,
principal resequenced, E/M level, modifier, units) on about a third of the charts.

Measured in the same run:
- end to end: the CLI on the full files (target < 30 s);
- reading and checking a slice of 10,000 encounters with the columnar reader against the
  named baseline "csv-module reader" (csv.DictReader, per-row Python checks, the same
  CodeValidator), as a speed ratio.

Usage: python benchmarks/bench_audit.py [ENCOUNTERS]   (default 100000)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from codingwatch.audit.model import CodeLine, Encounter
from codingwatch.audit.reader import CodedEncounter, read_encounters
from codingwatch.codesets import CodeValidator
from codingwatch.ingest.layout import COLUMNS
from codingwatch.vocabulary import ENCOUNTER_TYPES, POA_VALUES, SEXES, SPECIALTIES

ENCOUNTER_FIELDS = COLUMNS[1:12]  # facility .. vendor: an Encounter's fields

HERE = Path(__file__).resolve().parent
SEED = 20260210
SLICE = 10_000

INPATIENT = {
    "cardiology": (["I5021", "I5023", "I214", "I480"], ["02703DZ"]),
    "hospital_medicine": (["A419", "J189", "N179", "J441"], []),
    "orthopedics": (["S72001A", "S72002A", "M1611"], ["0QS704Z", "0SR90J9"]),
    "general_surgery": (["K8000", "K3580"], ["0FT44ZZ", "0DTJ4ZZ"]),
    "neurology": (["I63512", "G40909"], []),
}
SECONDARY = ["E119", "I10", "N179", "E871", "D62", "E785", "Z794", "N1830", "F17210", "I2510", "E669", "J449"]
OUTPATIENT = {
    "radiology": ("outpatient", ["R0789", "R519", "M5450"], [("71046", ("26",)), ("70450", ("26",))]),
    "oncology": ("outpatient", ["C50911", "C50912", "C3490"], [("96413", ()), ("96415", ())]),
    "orthopedics": ("outpatient", ["M1711", "M1712"], [("29881", ("RT",))]),
    "emergency_medicine": ("ed", ["R0789", "J069", "S0990XA"], [("99284", ()), ("99285", ())]),
    "behavioral_health": ("profee", ["F329", "F411"], [("90834", ()), ("99214", ())]),
}
FY2026 = [dt.date(2025, 10, 1) + dt.timedelta(days=i) for i in range(365)]


def _check_codes() -> None:
    day = dt.date(2026, 2, 1)
    with CodeValidator() as v:
        codes = [("ICD10CM", c) for pdx, _ in INPATIENT.values() for c in pdx]
        codes += [("ICD10PCS", c) for _, pcs in INPATIENT.values() for c in pcs]
        codes += [("ICD10CM", c) for c in SECONDARY + ["J9601", "E1165", "I5022"]]
        codes += [("ICD10CM", c) for _, dxs, _ in OUTPATIENT.values() for c in dxs]
        for system, code in codes:
            check = v.check(system, code, day)
            assert check.ok, check.reason


def _line(enc: dict, system: str, code: str, seq: int, poa: str = "", mods=(), units: int = 1) -> list[str]:
    return [enc["id"], "north", enc["type"], enc["specialty"], enc["admit"], enc["discharge"], enc["service"],
            enc["sex"], enc["age"], enc["status"], enc["coder"], "acme", "2026-01-05T09:30:00+00:00",
            "2026-01-06T09:30:00+00:00", system, code, str(seq), poa, ";".join(mods), str(units), ""]


def generate(n: int, folder: Path) -> tuple[Path, Path]:
    rng = random.Random(SEED)
    coded_rows: list[list[str]] = []
    audited_rows: list[list[str]] = []
    for i in range(n):
        day = rng.choice(FY2026)
        enc = {"id": f"E{i:07d}", "sex": rng.choice("MF"), "age": str(rng.randint(18, 95)),
               "coder": f"C{rng.randint(1, 120):03d}"}
        if rng.random() < 0.4:
            specialty = rng.choice(list(INPATIENT))
            pdxs, pcs = INPATIENT[specialty]
            enc.update(type="inpatient", specialty=specialty, admit=(day - dt.timedelta(days=3)).isoformat(),
                       discharge=day.isoformat(), service="", status="01")
            dxs = [rng.choice(pdxs)] + rng.sample([c for c in SECONDARY], rng.randint(2, 6))
            dxs = list(dict.fromkeys(dxs))
            poas = ["Y"] * len(dxs)
            procs = rng.sample(pcs, min(len(pcs), rng.randint(0, 1)))
            a_dxs, a_poas, a_procs = list(dxs), list(poas), list(procs)
            roll = rng.random()
            if roll < 0.08 and "J9601" not in a_dxs:
                a_dxs.append("J9601")
                a_poas.append("Y")
            elif roll < 0.14:
                a_dxs.pop()
                a_poas.pop()
            elif roll < 0.20 and "E119" in a_dxs:
                a_dxs[a_dxs.index("E119")] = "E1165"
            elif roll < 0.24:
                a_poas[-1] = "N"
            elif roll < 0.28 and len(a_dxs) > 2:
                a_dxs[0], a_dxs[1] = a_dxs[1], a_dxs[0]
            elif roll < 0.31 and a_dxs[0] == "S72001A":
                a_dxs[0] = "S72002A"
            for rows, d, p, x in ((coded_rows, dxs, poas, procs), (audited_rows, a_dxs, a_poas, a_procs)):
                rows += [_line(enc, "ICD10CM", c, s, poa) for s, (c, poa) in enumerate(zip(d, p, strict=True), 1)]
                rows += [_line(enc, "ICD10PCS", c, s) for s, c in enumerate(x, 1)]
        else:
            specialty = rng.choice(list(OUTPATIENT))
            etype, pool, cpts = OUTPATIENT[specialty]
            enc.update(type=etype, specialty=specialty, admit="", discharge="", service=day.isoformat(), status="")
            dxs = rng.sample(pool, rng.randint(1, min(2, len(pool))))
            lines = [(code, mods, 1 if code != "96415" else rng.randint(1, 3)) for code, mods in cpts]
            a_dxs, a_lines = list(dxs), list(lines)
            roll = rng.random()
            if roll < 0.10:
                code, mods, units = a_lines[0]
                a_lines[0] = (code, ("TC",) if mods == ("26",) else ("LT",) if mods == ("RT",) else ("25",), units)
            elif roll < 0.18 and a_lines[-1][0] in ("99285", "99214"):
                code, mods, units = a_lines[-1]
                a_lines[-1] = (code[:4] + str(int(code[4]) - 1), mods, units)
            elif roll < 0.24:
                code, mods, units = a_lines[-1]
                a_lines[-1] = (code, mods, units + 1)
            elif roll < 0.30 and a_dxs[0] == "C50911":
                a_dxs[0] = "C50912"
            system = "CPT"
            for rows, d, ls in ((coded_rows, dxs, lines), (audited_rows, a_dxs, a_lines)):
                rows += [_line(enc, "ICD10CM", c, s) for s, c in enumerate(d, 1)]
                rows += [_line(enc, system, c, s, "", m, u) for s, (c, m, u) in enumerate(ls, 1)]
    paths = []
    for name, rows in (("coded", coded_rows), ("audited", audited_rows)):
        table = pa.table({col: [r[j] for r in rows] for j, col in enumerate(COLUMNS)})
        path = folder / f"{name}.csv"
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
        paths.append(path)
    return paths[0], paths[1]


def slice_file(source: Path, target: Path, encounters: int) -> Path:
    keep = {f"E{i:07d}" for i in range(encounters)}
    with source.open() as fin, target.open("w") as fout:
        header = fin.readline()
        fout.write(header)
        for line in fin:
            if line.split(",", 1)[0].strip('"') in keep:
                fout.write(line)
    return target


def csv_module_reader(path: Path, validator: CodeValidator) -> dict[str, CodedEncounter]:
    """The named baseline: the standard csv module, the same checks and objects, row by row in Python."""
    found: dict[str, tuple[tuple, int, list[CodeLine]]] = {}
    sequences: set[tuple[str, str, str]] = set()
    with path.open(newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), 2):
            for name in ("encounter_id", "code", "sequence"):
                if not row[name].strip():
                    raise ValueError(f"{path} line {line_no}, field {name}: empty")
            if row["encounter_type"] not in ENCOUNTER_TYPES or row["specialty"] not in SPECIALTIES:
                raise ValueError(f"{path} line {line_no}: bad encounter_type/specialty")
            if row["sex"] not in SEXES or not 0 <= int(row["age"]) <= 124:
                raise ValueError(f"{path} line {line_no}: bad sex/age")
            if row["poa"] and row["poa"].upper() not in POA_VALUES:
                raise ValueError(f"{path} line {line_no}: bad poa")
            for name in ("admit_date", "discharge_date", "service_date"):
                if row[name]:
                    dt.date.fromisoformat(row[name])
            inpatient = row["encounter_type"] == "inpatient"
            day = dt.date.fromisoformat(row["discharge_date"] if inpatient else row["service_date"])
            code = row["code"].strip().replace(".", "").upper()
            check = validator.check(row["code_system"], code, day)
            if not check.ok:
                raise ValueError(f"{path} line {line_no}, field code: {check.reason}")
            key = (row["encounter_id"], row["code_system"], row["sequence"])
            if key in sequences:
                raise ValueError(f"{path} line {line_no}, field sequence: repeated")
            sequences.add(key)
            fields = tuple(row[name] for name in ENCOUNTER_FIELDS)
            eid = row["encounter_id"]
            if eid not in found:
                found[eid] = (fields, line_no, [])
            elif found[eid][0] != fields:
                raise ValueError(f"{path} line {line_no}: encounter fields disagree")
            found[eid][2].append(CodeLine(
                row["code_system"], code, int(row["sequence"]), row["poa"].upper(),
                tuple(row["modifiers"].upper().split(";")) if row["modifiers"] else (),
                Decimal(row["units"] or 1),
            ))
    out = {}
    for eid, (fields, line_no, lines) in found.items():
        f = dict(zip(ENCOUNTER_FIELDS, fields, strict=True))
        encounter = Encounter(
            eid, f["encounter_type"], f["specialty"], f["facility"], f["coder_id"], f["vendor"],
            dt.date.fromisoformat(f["admit_date"]) if f["admit_date"] else None,
            dt.date.fromisoformat(f["discharge_date"]) if f["discharge_date"] else None,
            dt.date.fromisoformat(f["service_date"]) if f["service_date"] else None,
            f["sex"], int(f["age"]), int(f["discharge_status"]) if f["discharge_status"] else None,
        )
        out[eid] = CodedEncounter(encounter, tuple(lines), line_no, None)
    return out


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    _check_codes()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        coded, audited = generate(n, folder)
        generate_s = time.perf_counter() - started
        lines = sum(1 for _ in coded.open()) - 1 + sum(1 for _ in audited.open()) - 1

        env = {**os.environ, "COLUMNS": "200"}
        started = time.perf_counter()
        cpu_before = os.times()
        proc = subprocess.run(
            [sys.executable, "-c", "from codingwatch.cli import main; main()", "audit", "score",
             "--coded", str(coded), "--audited", str(audited), "--format", "json",
             "--base-rate", "6500.00", "--frame-size", str(n * 10)],
            capture_output=True, text=True, env=env,
        )
        score_s = time.perf_counter() - started
        cpu_after = os.times()
        score_cpu_s = (cpu_after.children_user - cpu_before.children_user) + (
            cpu_after.children_system - cpu_before.children_system)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        out = json.loads(proc.stdout)

        small = min(SLICE, n)
        coded_slice = slice_file(coded, folder / "coded_slice.csv", small)
        # Best of three each, alternating, so that a busy machine penalizes neither side alone.
        ours_s = baseline_s = float("inf")
        for _ in range(3):
            with CodeValidator() as validator:
                started = time.perf_counter()
                ours = read_encounters(coded_slice, validator)
                ours_s = min(ours_s, time.perf_counter() - started)
            with CodeValidator() as validator:
                started = time.perf_counter()
                theirs = csv_module_reader(coded_slice, validator)
                baseline_s = min(baseline_s, time.perf_counter() - started)
        assert ours == theirs, "the baseline reader must build the very same encounters"

    summary = {
        "encounters": n,
        "code_lines": lines,
        "audit_score_seconds": round(score_s, 2),
        "audit_score_cpu_seconds": round(score_cpu_s, 2),
        "target_seconds": 30,
        "within_target": score_s < 30,
        "encounters_per_second": round(n / score_s),
        "slice_encounters": small,
        "reader_seconds": round(ours_s, 3),
        "baseline": "csv-module reader (csv.DictReader, the same checks and objects built row by row, "
                    "same CodeValidator)",
        "baseline_seconds": round(baseline_s, 3),
        "reader_speedup_vs_baseline": round(baseline_s / ours_s, 2),
    }
    result = {
        "summary": summary,
        "generate_seconds": round(generate_s, 2),
        "scores": {k: out[k] for k in ("dx_accuracy", "px_accuracy", "record_accuracy", "drg_accuracy",
                                       "drg_changed", "payment_impact_weight")},
        "findings": len(out["findings"]),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "load_average_1min": round(os.getloadavg()[0], 2)},
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "audit.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
