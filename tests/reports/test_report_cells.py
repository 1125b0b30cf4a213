"""Report cells and chart values are written as Django's floatformat writes them."""

import pytest
from django.template.defaultfilters import floatformat

from portal.reports.templatetags.reports import number, report_cell


@pytest.mark.parametrize("value", [0, 7, 1234, 12.0, 12.5, 33.3, 0.1, 99.9, 100.0, 2.25])
def test_numbers_match_floatformat(value):
    assert number(value, 2) == floatformat(value, "-2")
    assert number(value, 1) == floatformat(value, "-1")


def test_no_data_is_a_dash_and_words_stay_words():
    assert report_cell(None) == "\u2013"
    assert report_cell("Tuesday group") == "Tuesday group"


def test_rows_and_bars_escape_what_people_typed():
    from portal.reports.charts import bar_chart
    from portal.reports.templatetags.reports import chart_bars, report_rows

    title = '<script>alert("x")</script> & friends'
    rows = str(report_rows([[title, 3, None, 12.5]]))
    assert rows == (
        '<tr><th scope="row">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; friends'
        "</th><td>3</td><td>\u2013</td><td>12.50</td></tr>"
    )
    bars = str(chart_bars(bar_chart(title="Groups", labels=["<b>"], values=[2], unit="%")))
    assert "&lt;b&gt;" in bars and "<b>" not in bars and ">2%</text>" in bars


def test_a_chart_of_more_bars_than_anyone_can_read_is_left_to_its_table():
    from portal.reports.charts import MAX_BARS, bar_chart

    labels = [f"Group {n}" for n in range(MAX_BARS + 1)]
    assert bar_chart(title="Groups", labels=labels[:MAX_BARS], values=[1] * MAX_BARS)
    assert bar_chart(title="Groups", labels=labels, values=[1] * len(labels)) is None
