"""Report tables and charts, built in Python rather than nested template loops: a year's
report has hundreds of cells and bars, and the template engine's per-cell cost made
rendering them the slowest part of the page."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from portal.reports.charts import BarChart

register = template.Library()


def number(value: float, places: int) -> str:
    """Whole numbers as they are, others with ``places`` decimals, as ``floatformat`` with
    ``-places`` writes them; plain formatting, as the report's figures are already rounded
    and ``floatformat`` cost more than the rest of a year's table."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return str(exact)


@register.filter
def report_cell(value) -> str:
    """A table cell: numbers without needless decimals, a dash for no data, words as they are."""
    if value is None:
        return "\u2013"
    if isinstance(value, int | float):
        return number(value, 2)
    return str(value)


@register.simple_tag
def report_rows(rows: list[list]) -> SafeString:
    """Table rows: the first value heads its row, the rest are cells."""
    return format_html_join(
        "\n",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (
                row[0],
                format_html_join("", "<td>{}</td>", ((report_cell(v),) for v in row[1:])),
            )
            for row in rows
        ),
    )


@register.simple_tag
def chart_bars(chart: BarChart) -> SafeString:
    """The bars of a chart, each with its label and value."""
    return format_html_join(
        "\n",
        '<text class="chart__label" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="chart__value" x="{}" y="{}">{}{}</text>',
        (
            (
                chart.label_x,
                bar.text_y,
                bar.label,
                chart.bar_x,
                bar.y,
                bar.width,
                chart.bar_height,
                bar.value_x,
                bar.text_y,
                number(bar.value or 0, 1),
                chart.unit,
            )
            for bar in chart.bars
        ),
    )
