from django import template

from codingwatch.reports import format as fmt

register = template.Library()

# The brief's figures are `reports.format`'s: the page and the brief print every figure alike.
# An empty cell for a missing figure, as the brief prints it.


@register.filter
def usd(value):
    return fmt.money(value, missing="")


@register.filter
def usd_signed(value):
    return fmt.money(value, signed=True, missing="")


@register.filter
def share(value):
    return fmt.percent(value, missing="")
