"""`{% load access %}{% if user|may_open:"costs" %}`: what the navigation shows each role."""

from django import template

from codingwatch.web.accounts import roles

register = template.Library()


@register.filter
def may_open(user, module: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and roles.may_open(user.role, module)


@register.filter
def may_change(user, module: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and roles.may_change(user.role, module)
