from django import template

from codingwatch.reports import format as fmt

register = template.Library()


@register.filter
def fields_named(form, names: str):
    return [form[name] for name in names.split(",")]


@register.filter
def pct(value):
    return fmt.percent(value)


@register.filter
def limits(rate):
    found = rate.limits if rate is not None else None
    return "—" if not found else f"{fmt.percent(found[0])} – {fmt.percent(found[1])}"


@register.filter
def spaced(value):
    return str(value).replace("_", " ")
