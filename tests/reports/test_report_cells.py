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
