"""Denials: remittances -> coding-related denials -> coder, vendor, specialty, payer."""

from codingwatch.denials.analytics import (
    DIMENSIONS,
    carc_pareto,
    claim_outcomes,
    coding_denial_keys,
    coding_denial_keys_from_lake,
    denial_rates,
    denial_trace,
    from_lake,
    linked_outcomes,
    recoveries,
    rework_cost,
    rework_cost_setting,
)

__all__ = [
    "DIMENSIONS", "carc_pareto", "claim_outcomes", "coding_denial_keys", "coding_denial_keys_from_lake",
    "denial_rates", "denial_trace", "from_lake", "linked_outcomes", "recoveries", "rework_cost",
    "rework_cost_setting",
]
