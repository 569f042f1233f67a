"""The roles and what each may do, as data: one place for views, the API and the guide."""

from __future__ import annotations

ADMIN = "admin"
AUDITOR = "auditor"
DIRECTOR = "director"
COMPLIANCE = "compliance"
EXECUTIVE = "executive"
VENDOR = "vendor"

# role -> (label, what the role is for). docs/web.md lists every role; a test keeps it so.
ROLES: dict[str, tuple[str, str]] = {
    ADMIN: ("Administrator", "manages users, the roster and contracts; sees everything"),
    AUDITOR: ("Coding auditor", "plans and runs audits, reviews charts; sees every vendor"),
    DIRECTOR: ("HIM / revenue-cycle director", "compares vendors, watches KPIs and SLAs; sees every vendor"),
    COMPLIANCE: ("Compliance / privacy officer", "PHI access, residency, BAA dates; sees every vendor"),
    EXECUTIVE: ("Executive (read only)", "sees every figure; can change nothing"),
    VENDOR: ("Vendor user", "an outside user bound to one vendor; sees only that vendor's data"),
}
ROLE_CHOICES = [(key, label) for key, (label, _) in ROLES.items()]

# Roles that may send anything but reads (besides logging out).
READ_ONLY_ROLES = frozenset({EXECUTIVE})
# Roles scoped to one vendor's rows.
VENDOR_SCOPED_ROLES = frozenset({VENDOR})

# Modules beyond the figures and the roster: module -> (roles that may open it, roles that may
# change its records). Vendor users are never let into a module: they get 404, as for anything
# outside their scope; a staff role not listed gets 403. docs/web.md lists these; a test keeps it so.
MODULES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "costs": (frozenset({ADMIN, DIRECTOR, EXECUTIVE}), frozenset({ADMIN, DIRECTOR})),
    "sampling": (frozenset({ADMIN, AUDITOR}), frozenset({ADMIN, AUDITOR})),
    "repayments": (frozenset({ADMIN, COMPLIANCE}), frozenset()),
    # PHI access oversight: the alerts queue and evidence pages are worked by compliance...
    "provenance": (frozenset({ADMIN, COMPLIANCE}), frozenset({ADMIN, COMPLIANCE})),
    # ...and the per-vendor summary for the quarterly review is read by every staff role.
    "provenance_summary": (frozenset({ADMIN, COMPLIANCE, DIRECTOR, EXECUTIVE, AUDITOR}), frozenset()),
    # Vendor due diligence (current and candidate vendors, evidence documents, declarations).
    "diligence": (frozenset({ADMIN, DIRECTOR, COMPLIANCE, EXECUTIVE}), frozenset({ADMIN, DIRECTOR, COMPLIANCE})),
}


def may_open(role: str, module: str) -> bool:
    return role in MODULES[module][0]


def may_change(role: str, module: str) -> bool:
    return role in MODULES[module][1]

# Roles that can read chart-level data (a case under audit, a remitted claim, an alert's evidence
# events): every role today, vendor users included (their own vendor's cases). The second factor
# is required for these when CODINGWATCH_MFA_REQUIRED is on (docs/web.md).
CHART_LEVEL_ROLES = frozenset(ROLES)
