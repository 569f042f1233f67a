from django import template

register = template.Library()


@register.filter
def fields_named(form, names: str):
    return [form[name] for name in names.split(",")]


@register.filter
def pct(value):
    return "—" if value is None else f"{value:.1%}"


@register.filter
def limits(rate):
    found = rate.limits if rate is not None else None
    return "—" if not found else f"{found[0]:.1%} – {found[1]:.1%}"


@register.filter
def money(value):
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


@register.filter
def spaced(value):
    return str(value).replace("_", " ")
