"""codingwatch's MS-DRG grouping and code validity held to the CMS Java software itself.

The CMS MS-DRG grouper v43.0/v43.1 and the Medicare Code Editor 2.0 v43.1 (FY2026) are read
in place from ../shared/cms-grouper and driven through JPype (one JVM per test process).
The claims: synthetic inpatient stays as coded and as audited, and random edges (discharge
statuses off the CMS list, HAC codes with every POA value on exempt and non-exempt
facilities, newborns, principal diagnoses CMS refuses, random code mixes). Every FY2026
code the MCE knows (and the codes around FY2026 that it does not accept then) is checked
by both editors.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest

from codingwatch.codesets import CodeValidator, Grouper
from codingwatch.codesets.cms_tables import mce_codes, valid_discharge_statuses
from codingwatch.synth.encounters import DSTATUS_CODES, IP, POA
from codingwatch.synth.params import WorldParams
from codingwatch.synth.world import build_world
from tests.conftest import SHARED

pytestmark = pytest.mark.cms_oracle

JARS = SHARED / "cms-grouper"
FY2026_OCTOBER = dt.date(2025, 10, 1)
APRIL_UPDATE = dt.date(2026, 4, 1)
INVALID_STATUSES = (0, 8, 9, 10, 11, 12, 13, 22, 23, 40, 41, 42, 44, 60, 67, 68, 71, 72, 80, 96, 99)
HAC_CODES = ("L89154", "L89153", "T83511A", "T80211A", "T80219A", "S72001A", "S065X0A", "S0292XA",
             "T800XXA", "E1100", "E1101")
POA_VALUES = ("Y", "N", "U", "W", "1", "")
NEWBORN_PDX = ("Z3800", "Z3801", "Z3830", "Z3831", "P0735", "P0720", "P0726", "P0731", "P0734", "P0737")
NEWBORN_SDX = ("P0735", "P2211", "P220", "P369", "P5921", "P0737", "P0510", "P270", "Q210", "P9160")
REFUSED_PDX = ("V0001XA", "W010XXA", "Y9301", "F0280", "G63", "I50", "ZZZZ", "O800", "Z3800", "R69",
               "QA1790", "Z8546", "A000X")
AMI_PDX = ("I214", "I2109", "I2119", "I21A1", "I222")


@dataclass(frozen=True)
class Claim:
    day: dt.date
    age: int
    sex: str
    status: int
    diagnoses: tuple[tuple[str, str], ...]
    procedures: tuple[str, ...]
    exempt: bool = False
    kind: str = "synth"


class CmsJava:
    """The CMS Java grouper (v430, v431; exempt and non-exempt) and MCE in one JVM."""

    def __init__(self) -> None:
        jpype = pytest.importorskip("jpype", reason="JPype1 (a dev dependency) is not installed")
        if not jpype.isJVMStarted():
            jpype.startJVM(classpath=sorted(str(p) for p in JARS.glob("*.jar")), convertStrings=True)
        import jpype.imports  # noqa: F401 - registers the Java packages as Python modules
        from com.mmm.his.cer.foundation.model import GfcPoa
        from gov.agency.msdrg import v430, v431
        from gov.agency.msdrg.model.v2 import MsdrgOption, MsdrgRuntimeOption, RuntimeOptions
        from gov.agency.msdrg.model.v2.enumeration import (
            MarkingLogicTieBreaker,
            MsdrgAffectDrgOptionFlag,
            MsdrgDischargeStatus,
            MsdrgHospitalStatusOptionFlag,
            MsdrgSex,
        )
        from gov.agency.msdrg.model.v2.transfer import MsdrgClaim
        from gov.agency.msdrg.model.v2.transfer.input import MsdrgInput, MsdrgInputDxCode, MsdrgInputPrCode
        from gov.cms.editor.mce import MceComponent
        from gov.cms.editor.mce.model import MceDiagnosisCode, MceProcedureCode
        from gov.cms.editor.mce.transfer import MceRecord
        from java.lang import Integer
        from java.util import ArrayList

        def component(module, exempt: bool):
            options = RuntimeOptions()
            options.setPoaReportingExempt(
                MsdrgHospitalStatusOptionFlag.EXEMPT if exempt else MsdrgHospitalStatusOptionFlag.NON_EXEMPT)
            options.setComputeAffectDrg(MsdrgAffectDrgOptionFlag.COMPUTE)
            options.setMarkingLogicTieBreaker(MarkingLogicTieBreaker.CLINICAL_SIGNIFICANCE)
            runtime = MsdrgRuntimeOption()
            runtime.put(MsdrgOption.RUNTIME_OPTION_FLAGS, options)
            return module.MsdrgComponent(runtime)

        self.components = {(v, e): component(m, e) for v, m in ((430, v430), (431, v431)) for e in (False, True)}
        self.statuses = {s.intValue(): s for s in MsdrgDischargeStatus.values()}
        self.none_status = MsdrgDischargeStatus.NONE
        self.sexes = {"M": MsdrgSex.MALE, "F": MsdrgSex.FEMALE, "U": MsdrgSex.UNKNOWN}
        self.poa = {"Y": GfcPoa.Y, "N": GfcPoa.N, "U": GfcPoa.U, "W": GfcPoa.W, "1": GfcPoa.ONE, "": GfcPoa.BLANK}
        self.MsdrgInput, self.MsdrgInputDxCode, self.MsdrgInputPrCode = MsdrgInput, MsdrgInputDxCode, MsdrgInputPrCode
        self.MsdrgClaim, self.ArrayList, self.Integer = MsdrgClaim, ArrayList, Integer
        self.mce = MceComponent()
        self.MceRecord, self.MceDiagnosisCode, self.MceProcedureCode = MceRecord, MceDiagnosisCode, MceProcedureCode

    def group(self, claim: Claim) -> tuple[int, int, str]:
        version = 431 if claim.day >= APRIL_UPDATE else 430
        (pdx, pdx_poa), *secondary = claim.diagnoses
        sdx = self.ArrayList()
        for code, poa in secondary:
            sdx.add(self.MsdrgInputDxCode(code, self.poa[poa]))
        px = self.ArrayList()
        for code in claim.procedures:
            px.add(self.MsdrgInputPrCode(code))
        data = (self.MsdrgInput.builder()
                .withPrincipalDiagnosisCode(self.MsdrgInputDxCode(pdx, self.poa[pdx_poa]))
                .withAgeInYears(claim.age).withSex(self.sexes[claim.sex])
                .withDischargeStatus(self.statuses.get(claim.status, self.none_status))
                .withSecondaryDiagnosisCodes(sdx).withProcedureCodes(px).build())
        java_claim = self.MsdrgClaim(data)
        self.components[(version, claim.exempt)].process(java_claim)
        out = java_claim.getOutput().get()
        return int(out.getFinalDrg().getValue()), int(out.getFinalMdc().getValue()), str(out.getFinalGrc())

    def invalid_codes(self, system: str, codes: list[str], day: dt.date) -> set[str]:
        """The codes the MCE flags INVALID_CODE on a discharge date (100 codes per record)."""
        invalid: set[str] = set()
        for start in range(0, len(codes), 100):
            record = (self.MceRecord.builder().withDischargeDate(day.strftime("%Y%m%d"))
                      .withIcdVersion(self.Integer(10)).withAgeYears(self.Integer(65)).withSex(self.Integer(1))
                      .withDischargeStatus(self.Integer(1)).withLengthOfStay(self.Integer(3)).build())
            record.addCode(self.MceDiagnosisCode("I5021", True))
            for code in codes[start:start + 100]:
                record.addCode(self.MceDiagnosisCode(code, False) if system == "ICD10CM" else self.MceProcedureCode(code))
            self.mce.process(record)
            checked = record.getSecondaryDiagnoses() if system == "ICD10CM" else record.getProcedures()
            for code in checked:
                if any(str(edit) == "INVALID_CODE" for edit in code.getEdits()):
                    invalid.add(str(code.getValue()))
        return invalid


@pytest.fixture(scope="module")
def cms() -> CmsJava:
    if not JARS.is_dir():
        pytest.skip("../shared/cms-grouper is not beside this clone: the CMS Java grouper and MCE are not available")
    return CmsJava()


def _fy2026_day(rng: random.Random) -> dt.date:
    return FY2026_OCTOBER + dt.timedelta(days=rng.randrange(365))


def _synth_claims() -> list[Claim]:
    """Every inpatient stay of a synthetic FY2026 world, as coded and as audited (once where the
    two are the same)."""
    world = build_world(WorldParams(encounters=9_000, seed=2026))
    enc, codes = world.encounters, world.codes
    start = world.params.fiscal_year_start()
    claims = []
    for lines in (world.truth, world.coded):
        by_encounter: dict[int, list[int]] = {}
        for row in range(len(lines.enc)):
            if lines.system[row] <= 1 and enc.etype[lines.enc[row]] == IP:
                by_encounter.setdefault(int(lines.enc[row]), []).append(row)
        for eid, rows in by_encounter.items():
            rows.sort(key=lambda r: lines.order[r])
            dx = tuple((codes[lines.code[r]], POA[lines.poa[r]].strip()) for r in rows if lines.system[r] == 0)
            px = tuple(codes[lines.code[r]] for r in rows if lines.system[r] == 1)
            if not dx:
                continue
            status = int(DSTATUS_CODES[enc.dstatus[eid]]) if enc.dstatus[eid] >= 0 else 1
            claims.append(Claim(start + dt.timedelta(days=int(enc.day[eid])), int(enc.age[eid]), "MF"[enc.sex[eid]],
                                status, dx, px, kind="synth"))
    return list(dict.fromkeys(claims))


def _edge_claims(rng: random.Random, synth: list[Claim]) -> list[Claim]:
    dx_pool = mce_codes("ICD10CM", FY2026_OCTOBER, dt.date(2026, 9, 30))
    px_pool = mce_codes("ICD10PCS", FY2026_OCTOBER, dt.date(2026, 9, 30))
    statuses = sorted(valid_discharge_statuses(dt.date(2026, 1, 1)))
    claims: list[Claim] = []
    # Discharge statuses off the CMS list, on stays whose DRG reads the status and on others.
    for _ in range(400):
        base = rng.choice(synth)
        dx = base.diagnoses
        if rng.random() < 0.4:
            dx = ((rng.choice(AMI_PDX + NEWBORN_PDX), "Y"),) + dx[1:]
        claims.append(Claim(base.day, 0 if dx[0][0][0] in "PZ" else base.age, base.sex, rng.choice(INVALID_STATUSES),
                            dx, base.procedures, kind="invalid status"))
    # HAC codes with each POA value, on exempt and non-exempt facilities.
    for hac in HAC_CODES:
        for poa in POA_VALUES:
            for exempt in (False, True):
                for pdx in ("I5021", "J189", rng.choice(dx_pool)):
                    claims.append(Claim(_fy2026_day(rng), rng.randint(40, 90), rng.choice("MF"), 1,
                                        ((pdx, "Y"), (hac, poa)), (), exempt, kind="HAC"))
    for _ in range(150):  # DVT/PE after hip or knee replacement (HAC 10), mixed POA values
        claims.append(Claim(_fy2026_day(rng), rng.randint(55, 90), rng.choice("MF"), 1,
                            (("M1611", "Y"), ("I2699", rng.choice(POA_VALUES)), (rng.choice(HAC_CODES), rng.choice(POA_VALUES))),
                            (rng.choice(("0SR9019", "0SRB02Z", "0SRC0J9", "0SRD0J9")),), rng.random() < 0.5, kind="HAC"))
    # Newborns: age 0, newborn principal diagnoses, every discharge branch.
    for _ in range(300):
        sdx = tuple((code, "Y") for code in rng.sample(NEWBORN_SDX, rng.randint(0, 3)))
        claims.append(Claim(_fy2026_day(rng), 0, rng.choice("MFU"), rng.choice((1, 2, 5, 6, 20, 30, 66, 82, 8, 99)),
                            ((rng.choice(NEWBORN_PDX), "Y"),) + sdx, (), kind="newborn"))
    # Principal diagnoses CMS refuses (external causes, manifestations, headers, obstetric on men...).
    for _ in range(200):
        claims.append(Claim(_fy2026_day(rng), rng.randint(18, 90), rng.choice("MF"), rng.choice(statuses),
                            ((rng.choice(REFUSED_PDX), "Y"), (rng.choice(dx_pool), rng.choice(POA_VALUES))), (),
                            rng.random() < 0.3, kind="refused pdx"))
    # Random mixes of FY2026 codes, ages, sexes, statuses and POA values.
    for _ in range(600):
        dx = tuple((code, rng.choice(POA_VALUES)) for code in rng.sample(dx_pool, rng.randint(1, 12)))
        px = tuple(rng.sample(px_pool, rng.randint(0, 4)))
        status = rng.choice(statuses) if rng.random() < 0.9 else rng.choice(INVALID_STATUSES)
        claims.append(Claim(_fy2026_day(rng), rng.randint(0, 100), rng.choice("MFU"), status, dx, px,
                            rng.random() < 0.5, kind="random"))
    return claims


def _product(grouper: Grouper, claim: Claim) -> tuple[int, int, str]:
    result = grouper.group(discharge_date=claim.day, age=claim.age, sex=claim.sex, discharge_status=claim.status,
                           diagnoses=list(claim.diagnoses), procedures=list(claim.procedures), poa_exempt=claim.exempt)
    return result.drg, result.mdc or 0, result.return_code


def test_grouping_equals_the_cms_java_grouper(cms):
    rng = random.Random(43)
    synth = _synth_claims()
    claims = synth + _edge_claims(rng, synth)
    assert len(claims) >= 2_000
    mismatches = []
    with Grouper() as grouper:
        for claim in claims:
            ours, theirs = _product(grouper, claim), cms.group(claim)
            if ours != theirs:
                mismatches.append((claim, ours, theirs))
    kinds = {kind: sum(1 for c in claims if c.kind == kind) for kind in sorted({c.kind for c in claims})}
    shown = "\n".join(f"{c.kind}: {c}: codingwatch {o}, CMS {t}" for c, o, t in mismatches[:10])
    assert not mismatches, f"{len(mismatches)} of {len(claims)} claims differ from the CMS grouper ({kinds}):\n{shown}"
    # The edges were really exercised: refusals for a bad status and for HAC POA, and exempt grouping.
    codes = {cms.group(c)[2] for c in claims}
    assert {"INVALID_DISCHARGE_STATUS", "HAC_MISSING_ONE_POA", "INVALID_PDX", "DX_CANNOT_BE_PDX", "OK"} <= codes


def test_code_validity_equals_the_cms_mce_on_every_fy2026_code(cms):
    # Every code the installed MCE knows from FY2025 to FY2027: those valid in FY2026 and,
    # around them, those deleted before it or added after it, which FY2026 must refuse.
    days = (dt.date(2026, 1, 15), dt.date(2026, 6, 15))  # v430 and the April update v431
    checked = 0
    with CodeValidator() as validator:
        for system in ("ICD10CM", "ICD10PCS"):
            codes = mce_codes(system, dt.date(2024, 10, 1), dt.date(2027, 3, 31))
            for day in days:
                cms_invalid = cms.invalid_codes(system, codes, day)
                ours_invalid = {code for code in codes if not validator.check(system, code, day).ok}
                checked += len(codes)
                assert ours_invalid == cms_invalid, (
                    f"{system} on {day}: codingwatch refuses {sorted(ours_invalid - cms_invalid)[:10]} "
                    f"the MCE accepts, accepts {sorted(cms_invalid - ours_invalid)[:10]} the MCE refuses"
                )
                assert cms_invalid and len(cms_invalid) < len(codes)
    assert checked > 300_000
