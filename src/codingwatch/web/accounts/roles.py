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
