from django import template

# The brief's own money format, so the page and the brief print every figure alike.
from codingwatch.cost.brief import usd as brief_usd

register = template.Library()


@register.filter
def usd(value):
    return brief_usd(value)


@register.filter
def usd_signed(value):
    return brief_usd(value, signed=True)


@register.filter
def share(value):
    return "" if value is None else f"{float(value):.1%}"

