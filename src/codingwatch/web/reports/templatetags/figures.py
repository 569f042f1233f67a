"""Template filters for figures: ``{% load figures %}`` then ``|money``, ``|count``, ``|percent``.

They call `codingwatch.reports.format`, so a page prints every figure as the reports do:
``{{ amount|money }}`` (cents by size), ``{{ amount|money:"cents" }}`` (always cents),
``{{ amount|money:"dollars" }}`` (never cents), ``{{ delta|money:"signed" }}``;
``{{ n|count }}``; ``{{ rate|percent }}`` (one decimal), ``{{ rate|percent:0 }}``,
``{{ change|percent:"signed" }}``. A missing value prints as an em dash.
"""

from django import template

from codingwatch.reports import format as fmt

register = template.Library()

_MONEY_OPTIONS = {"": {}, "cents": {"cents": True}, "dollars": {"cents": False}, "signed": {"signed": True},
                  "signed,cents": {"signed": True, "cents": True},
                  "signed,dollars": {"signed": True, "cents": False}}


@register.filter
def money(value, option: str = ""):
    try:
        options = _MONEY_OPTIONS[str(option).replace(" ", "")]
    except KeyError:
        raise template.TemplateSyntaxError(f"money: unknown option {option!r} "
                                           f"(one of {', '.join(repr(k) for k in _MONEY_OPTIONS if k)})") from None
    return fmt.money(value, **options)


@register.filter
def count(value):
    return fmt.count(value)


@register.filter
def percent(value, places=1):
    if places == "signed":
        return fmt.percent(value, signed=True)
    return fmt.percent(value, int(places))
