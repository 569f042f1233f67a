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


# Abbreviations kept in capitals when an input's name is put in words.
_CAPITALS = {"fte": "FTE", "pto": "PTO", "cmi": "CMI", "dnfb": "DNFB", "drg": "DRG", "vdi": "VDI"}


@register.filter
def words(name) -> str:
    """A scenario's field or option name as words: "pto_cover_rate" -> "PTO cover rate",
    "in_house" -> "in-house" (the name itself stays in the form's field names and test ids);
    `|capfirst` after it for a label."""
    text = str(name or "").replace("in_house", "in-house")
    return " ".join(_CAPITALS.get(part, part) for part in text.split("_"))
