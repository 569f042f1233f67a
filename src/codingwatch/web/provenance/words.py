"""The alerts' rules and columns in plain words, and the order of the queue.

The engine names its rules by identifier (`forbidden_country`); people read these words. The
priority puts what most needs a person first: a login taken over, PHI kept on a local machine,
charts opened outside the coder's assignment; then the rest by severity.
"""

from __future__ import annotations

RULE_LABELS = {
    "takeover": "Login taken over by someone else",
    "local_phi": "PHI saved to a local machine (export, print, download)",
    "out_of_assignment": "Charts opened outside the coder's assigned work",
    "forbidden_country": "Work from a country the contract does not allow",
    "concurrent_sessions": "One login in two sessions at once",
    "impossible_travel": "Logins too far apart to travel between",
    "off_hours": "Work outside the declared hours",
    "not_on_roster": "Login on no vendor's roster",
    "outside_roster_dates": "Login used outside its roster dates",
}

# Rules that come first whatever their severity, in this order.
FIRST_RULES = ("takeover", "local_phi", "out_of_assignment")
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}

COLUMN_LABELS = {
    "window_start": "from",
    "window_end": "to",
    "first_seen": "first seen",
    "last_seen": "last seen",
    "event_count": "events",
    "events": "events",
    "alert_count": "alerts",
    "alerts": "alerts",
    "severity": "severity",
    "rule": "what happened",
    "vendor": "vendor",
    "vendor_code": "vendor",
    "login": "login",
    "status": "status",
    "assigned": "assigned to",
    "priority": "priority",
}


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule.replace("_", " "))


def column_label(column: str) -> str:
    return COLUMN_LABELS.get(column, column.replace("_", " "))


def priority(rule: str, severity: str) -> int:
    """0, 1, 2 for the rules that come first; then 3 + the severity's rank (high 3, medium 4, low 5)."""
    if rule in FIRST_RULES:
        return FIRST_RULES.index(rule)
    return len(FIRST_RULES) + SEVERITY_RANK.get(severity, 1)
