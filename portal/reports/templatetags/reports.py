"""Report tables and charts, built in Python rather than nested template loops: a year's
report has hundreds of cells and bars, and the template engine's per-cell cost made
rendering them the slowest part of the page."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe

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
    return _safe(
        "\n".join(
            f'<tr><th scope="row">{escape(row[0])}</th>'
            + "".join(f"<td>{escape(report_cell(value))}</td>" for value in row[1:])
            + "</tr>"
            for row in rows
        )
    )


@register.simple_tag
def chart_bars(chart: BarChart) -> SafeString:
    """The bars of a chart, each with its label and value."""
    unit = escape(chart.unit)
    return _safe(
        "\n".join(
            f'<text class="chart__label" x="{chart.label_x}" y="{bar.text_y}" '
            f'text-anchor="end">{escape(bar.label)}</text>'
            f'<rect class="chart__bar" x="{chart.bar_x}" y="{bar.y}" width="{bar.width}" '
            f'height="{chart.bar_height}"></rect>'
            f'<text class="chart__value" x="{bar.value_x}" y="{bar.text_y}">'
            f"{number(bar.value or 0, 1)}{unit}</text>"
            for bar in chart.bars
        )
    )


def _safe(html: str) -> SafeString:
    # Every value above is escaped, and the numbers are ints the code worked out; plain
    # strings joined once cost far less than format_html for each of hundreds of cells.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703
