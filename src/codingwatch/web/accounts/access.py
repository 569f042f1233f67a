"""Module access by role (roles.MODULES), for views and API endpoints alike.

A vendor user asking for a module gets 404, as if it did not exist (the house answer for
anything outside their scope); a staff role the module is not for gets 403; a role that may
open a module but not change it gets 403 on a change.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from codingwatch.web.accounts import roles


def check_module(request, module: str, *, change: bool = False) -> None:
    """Raise Http404 / PermissionDenied unless the request's user may open (or change) the module."""
    role = request.user.role
    if role in roles.VENDOR_SCOPED_ROLES:
        raise Http404("no such page")
    if not roles.may_open(role, module):
        raise PermissionDenied(f"The {module} module is not open to the {role} role.")
    if change and not roles.may_change(role, module):
        raise PermissionDenied(f"The {role} role may not change {module} records.")


def module_view(module: str, *, change: bool = False):
    """Decorate a view: only roles that may open (or change) the module reach it."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            check_module(request, module, change=change)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
