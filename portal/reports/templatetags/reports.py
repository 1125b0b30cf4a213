from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def report_cell(value) -> str:
    """A table cell: numbers without needless decimals, a dash for no data, words as they are."""
    if value is None:
        return "\u2013"
    if isinstance(value, int | float):
        return floatformat(value, "-2")
    return str(value)
