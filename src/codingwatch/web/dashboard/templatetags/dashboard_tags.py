from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag
def sort_link(section, column):
    """The sort a header click asks for: ascending first, then toggles."""
    if section["sort_column"] == column and not section["sort_descending"]:
        return f"-{column}"
    return column


@register.filter
def words(name) -> str:
    """An identifier as words for a heading or an option: "window_start" -> "window start"."""
    return str(name or "").replace("_", " ")
