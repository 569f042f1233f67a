"""Which organization a management command acts for: the one named, else the only one."""

from __future__ import annotations

from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from codingwatch.web.organizations.models import Organization


def organization_for_command(name: str | None, *, none_yet_ok: bool = False) -> Organization | None:
    """The organization named `name`; without a name, the installation's only one (None when
    there is none yet and `none_yet_ok`). Anything else is a CommandError saying what to pass."""
    with scopes_disabled():
        if name:
            found = Organization.objects.filter(name=name).first()
            if found is None:
                raise CommandError(f"no organization named {name!r}: import a roster for it first")
            return found
        every = list(Organization.objects.order_by("name")[:3])
    if not every and none_yet_ok:
        return None
    if len(every) != 1:
        known = ", ".join(repr(o.name) for o in every) or "none yet: import a roster first"
        raise CommandError(f"--organization is required when there is not exactly one organization ({known})")
    return every[0]
