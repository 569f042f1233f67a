"""Denials traced to coding, as ibis expressions over lake tables passed in.

Every function takes ibis tables (from `Lake.connect()` or any backend) and returns an ibis
expression; nothing runs until the caller executes it. The tables are the lake's
`remit_claims`, `remit_adjustments`, `remit_remarks`, `remit_payments` and `encounters`.

Definitions (stated so that every report can quote them):
- a remitted claim is one CLP; its month is the month of its payment date (BPR16, or the
  production date DTM*405 when BPR16 is unreadable);
- denied: CLP02 = 4 (denied), or an adjudicated claim (CLP02 1, 2, 3, 19, 20, 21) with
  nothing paid (CLP04 <= 0) on a positive charge and nothing left to the patient (CLP05 <= 0:
  a claim whose allowed amount all went to the deductible is not a denial);
- coding-related: denied, and at least one of its adjustments (claim or line CAS) carries a
  CARC the catalog marks coding-related 'yes', or 'depends' together with a coding-related
  RARC (LQ/MOA/MIA) on the same claim;
- coding_adjusted: the amount of coding-related adjustments on a claim, paid or not (a
  bundled line on a paid claim is money lost to coding without a claim denial);
- the encounter of a remitted claim is the coded encounter (origin 'coded') with the same
  encounter_key, i.e. the same HMAC of the patient control number (CLP01 = CLM01).
"""

from __future__ import annotations

from decimal import Decimal

import ibis
import ibis.expr.types as ir

from codingwatch.codesets import carc as carc_catalog

DIMENSIONS = ("vendor", "coder_id", "specialty", "payer_id", "payer", "month")
# CLP02 codes of a claim the payer adjudicated (as primary, secondary, tertiary, and forwarded);
# 22 (reversal), 23 (not our claim) and 25 (predetermination only) are not payment decisions.
ADJUDICATED_STATUSES = ("1", "2", "3", "19", "20", "21")
# CLP02 claim status codes in words (X12 835 005010X221A1, CLP02 code list).
CLAIM_STATUS = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded to another payer",
    "20": "processed as secondary, forwarded to another payer",
    "21": "processed as tertiary, forwarded to another payer",
    "22": "reversal of a previous payment",
    "23": "not our claim, forwarded to another payer",
    "25": "predetermination pricing only, no payment",
}


def claim_status_words(code: str | None) -> str:
    """CLP02 in words, e.g. "denied (4)"; an unlisted code is named as such."""
    if code is None or code == "":
        return "not stated"
    words = CLAIM_STATUS.get(str(code))
    return f"{words} ({code})" if words else f"status {code} (not in the CLP02 list)"


def _catalog(kind: str) -> ir.Table:
    table = carc_catalog.catalog_table()
    memtable = ibis.memtable(table.select(["kind", "code", "coding_related", "category"]))
    return memtable.filter(memtable.kind == kind).drop("kind")


def claim_outcomes(remit_claims: ir.Table, remit_adjustments: ir.Table, remit_remarks: ir.Table,
                   remit_payments: ir.Table) -> ir.Table:
    """One row per remitted claim: denied, coding_related, payer_id, payer (name), payment_date,
    month, amounts."""
    carcs = _catalog("CARC")
    rarcs = _catalog("RARC")
    adj = remit_adjustments.left_join(carcs, remit_adjustments.carc == carcs.code)
    adj = adj.select(
        "load_id", "claim_row", "carc", "amount",
        carc_flag=adj.coding_related.fill_null("unknown"),
    )
    # LQ01 HE marks a RARC (RX would be an NCPDP reject code); MOA/MIA remarks carry none
    rarc_remarks = remit_remarks.filter(remit_remarks.qualifier.isnull() | (remit_remarks.qualifier == "HE"))
    remark_flags = (
        rarc_remarks.join(rarcs, rarc_remarks.code == rarcs.code)
        .filter(lambda t: t.coding_related == "yes")
        .select("load_id", "claim_row")
        .distinct()
        .mutate(coding_remark=ibis.literal(True))
    )
    per_claim_adj = adj.left_join(remark_flags, ["load_id", "claim_row"])
    per_claim_adj = per_claim_adj.mutate(
        coding_hit=(per_claim_adj.carc_flag == "yes")
        | ((per_claim_adj.carc_flag == "depends") & per_claim_adj.coding_remark.fill_null(False))
    )
    flags = per_claim_adj.group_by(["load_id", "claim_row"]).aggregate(
        coding_hit=per_claim_adj.coding_hit.any(),
        coding_adjusted=per_claim_adj.amount.sum(where=per_claim_adj.coding_hit),
        unknown_carcs=(per_claim_adj.carc_flag == "unknown").sum(),
    )
    payments = remit_payments.select(
        "load_id", "payment_row", "payer_id",
        # the payer's name (1000A N1*PR N102), else its id when the remittance names none
        payer=ibis.coalesce(remit_payments.payer_name.nullif(""), remit_payments.payer_id),
        # BPR16, or the production date (DTM*405) when a payer leaves BPR16 unreadable
        payment_date=remit_payments.payment_date.fill_null(remit_payments.production_date),
    )
    claims = remit_claims.left_join(payments, ["load_id", "payment_row"])
    claims = claims.left_join(flags, ["load_id", "claim_row"])
    adjudicated = claims.claim_status.isin(ADJUDICATED_STATUSES)
    denied = (claims.claim_status == "4") | (
        adjudicated & (claims.payment <= 0) & (claims.charge > 0)
        & (claims.patient_responsibility.fill_null(0) <= 0)
    )
    return claims.select(
        "load_id", "claim_row", "encounter_key", "claim_status", "charge", "payment",
        "patient_responsibility", "payer_id", "payer", "payment_date", "drg",
        month=claims.payment_date.truncate("M"),
        denied=denied,
        coding_related=denied & claims.coding_hit.fill_null(False),
        # coding-related adjustments on any claim, paid or not (e.g. a bundled line): revenue lost to coding
        coding_adjusted=claims.coding_adjusted.fill_null(0),
        unknown_carcs=claims.unknown_carcs.fill_null(0),
    )


def coded_encounters(encounters: ir.Table) -> ir.Table:
    """One row per encounter_key of the coded encounters: vendor, coder, specialty, type."""
    coded = encounters.filter(encounters.origin == "coded")
    return coded.group_by("encounter_key").aggregate(
        vendor=coded.vendor.max(), coder_id=coded.coder_id.max(),
        specialty=coded.specialty.max(), encounter_type=coded.encounter_type.max(),
        facility=coded.facility.max(),
    )


def linked_outcomes(outcomes: ir.Table, encounters: ir.Table) -> ir.Table:
    """Each remitted claim with its coded encounter's vendor, coder and specialty (null when
    no coded encounter has its key; `linked` says which)."""
    coded = coded_encounters(encounters)
    joined = outcomes.left_join(coded, "encounter_key")
    return joined.mutate(linked=joined.encounter_key_right.notnull()).drop("encounter_key_right")


def denial_rates(linked: ir.Table, by: list[str] | tuple[str, ...] = ("vendor",)) -> ir.Table:
    """Denial rate and coding-related denial rate by the given dimensions (any of DIMENSIONS)."""
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimension(s): {', '.join(sorted(unknown))}")
    grouped = linked.group_by(list(by)).aggregate(
        claims=linked.count(),
        denied=linked.denied.sum(),
        coding_denied=linked.coding_related.sum(),
        charge=linked.charge.sum(),
        denied_charge=linked.charge.sum(where=linked.denied),
        coding_denied_charge=linked.charge.sum(where=linked.coding_related),
        coding_adjusted=linked.coding_adjusted.sum(),
    )
    return grouped.mutate(
        denial_rate=grouped.denied.cast("float64") / grouped.claims,
        coding_denial_rate=grouped.coding_denied.cast("float64") / grouped.claims,
    ).order_by(list(by))


def carc_pareto(outcomes: ir.Table, remit_adjustments: ir.Table, *, coding_only: bool = False) -> ir.Table:
    """The CARCs behind denials, most frequent first, with their share and cumulative share.

    A denied claim counts once per distinct CARC on it; `amount` sums the adjustments.
    """
    denied = outcomes.filter(outcomes.coding_related if coding_only else outcomes.denied)
    adj = remit_adjustments.join(denied.select("load_id", "claim_row"), ["load_id", "claim_row"])
    carcs = _catalog("CARC")
    by_carc = adj.group_by("carc").aggregate(
        claims=(adj.load_id.concat("/", adj.claim_row.cast("string"))).nunique(),
        amount=adj.amount.sum(),
    )
    total = by_carc.claims.sum().over(ibis.window())
    ordered = by_carc.mutate(share=by_carc.claims.cast("float64") / total)
    window = ibis.window(order_by=[ibis.desc("claims"), "carc"], rows=(None, 0))
    ordered = ordered.mutate(cumulative_share=ordered.share.sum().over(window))
    ordered = ordered.left_join(carcs, ordered.carc == carcs.code).drop("code")
    return ordered.mutate(coding_related=ordered.coding_related.fill_null("unknown")).order_by(
        [ibis.desc("claims"), "carc"]
    )


REWORK_COST_SETTING = "CODINGWATCH_DENIAL_REWORK_COST"


def rework_cost_setting() -> Decimal | None:
    """The cost of reworking one denied claim from CODINGWATCH_DENIAL_REWORK_COST (e.g. 25.00),
    or None when it is not set: the contract's figure, when there is one, should be passed in.
    A value that is not a non-negative amount raises config.SettingError (a ValueError)."""
    from codingwatch import config

    return config.setting(REWORK_COST_SETTING)


def rework_cost(linked: ir.Table, cost_per_claim: Decimal | float | None = None,
                by: list[str] | tuple[str, ...] = ("vendor",)) -> ir.Table:
    """Cost of reworking coding-related denials: their count times `cost_per_claim` (from the
    contract), or else the CODINGWATCH_DENIAL_REWORK_COST setting."""
    if cost_per_claim is None:
        cost_per_claim = rework_cost_setting()
        if cost_per_claim is None:
            raise ValueError(f"no rework cost: pass the contract's figure or set {REWORK_COST_SETTING}")
    rates = denial_rates(linked, by)
    cost = ibis.literal(Decimal(str(cost_per_claim)), type="decimal(18, 2)")
    return rates.select(*by, "coding_denied", rework_cost=rates.coding_denied.cast("decimal(18, 2)") * cost)


def recoveries(outcomes: ir.Table) -> ir.Table:
    """Amounts recovered on resubmission: for each denied remitted claim, the payment of the
    first later remittance (later payment date) of the same encounter key that paid something."""
    denied = outcomes.filter(outcomes.denied).select(
        "encounter_key", "coding_related",
        denied_load=outcomes.load_id, denied_row=outcomes.claim_row,
        denied_date=outcomes.payment_date, denied_charge=outcomes.charge,
    )
    paid = outcomes.filter(outcomes.payment > 0).select(
        "encounter_key", paid_date=outcomes.payment_date, paid=outcomes.payment,
    )
    pairs = denied.join(paid, [denied.encounter_key == paid.encounter_key,
                               paid.paid_date > denied.denied_date])
    first = pairs.group_by(["encounter_key", "denied_load", "denied_row"]).aggregate(
        recovered_on=pairs.paid_date.min(),
    )
    amounts = pairs.join(first, [pairs.encounter_key == first.encounter_key,
                                 pairs.denied_load == first.denied_load,
                                 pairs.denied_row == first.denied_row,
                                 pairs.paid_date == first.recovered_on])
    return amounts.group_by(["encounter_key", "denied_load", "denied_row"]).aggregate(
        coding_related=amounts.coding_related.max(),
        denied_date=amounts.denied_date.min(),
        denied_charge=amounts.denied_charge.max(),
        recovered_on=amounts.recovered_on.min(),
        recovered=amounts.paid.sum(),
    )


def denial_trace(outcomes: ir.Table, encounters: ir.Table, encounter_key: str,
                 findings: ir.Table | None = None) -> ir.Table:
    """For one denial's encounter key: the remitted claims, the coded encounter, and (when a
    findings table with an encounter_key column is given) the audit findings on it."""
    linked = linked_outcomes(outcomes.filter(outcomes.encounter_key == encounter_key), encounters)
    if findings is not None:
        on_key = findings.filter(findings.encounter_key == encounter_key)
        linked = linked.left_join(on_key, "encounter_key").drop("encounter_key_right")
    return linked


def coding_denial_keys(outcomes: ir.Table) -> ir.Table:
    """Encounter keys with coding-related denials (count, denied charge) for sampling frames
    to weight or filter by."""
    coding = outcomes.filter(outcomes.coding_related)
    return coding.group_by("encounter_key").aggregate(
        coding_denials=coding.count(), coding_denied_charge=coding.charge.sum(),
    )


def coding_denial_keys_from_lake(con) -> ir.Table:
    """`coding_denial_keys` of a lake connection: join it on encounter_key to a sampling frame
    to filter by coding-related denials or to stratify or weight by them."""
    return coding_denial_keys(from_lake(con)["outcomes"])


def from_lake(con) -> dict[str, ir.Table]:
    """The outcome tables of a lake connection (`Lake.connect()`): outcomes and linked."""
    outcomes = claim_outcomes(con.table("remit_claims"), con.table("remit_adjustments"),
                              con.table("remit_remarks"), con.table("remit_payments"))
    return {"outcomes": outcomes, "linked": linked_outcomes(outcomes, con.table("encounters"))}
