"""Date and time fields write their values the way browsers' pickers need them."""

from datetime import date, time

from django import forms

from portal.core.widgets import NativeDateInput, NativeTimeInput


class ExampleForm(forms.Form):
    day = forms.DateField(widget=NativeDateInput())
    at = forms.TimeField(widget=NativeTimeInput())


def test_initial_values_render_in_the_pickers_format(settings):
    settings.LANGUAGE_CODE = "en-gb"
    html = str(ExampleForm(initial={"day": date(2027, 11, 28), "at": time(19, 30)}))
    assert 'type="date"' in html and 'value="2027-11-28"' in html
    assert 'type="time"' in html and 'value="19:30"' in html


def test_what_the_picker_sends_is_accepted():
    form = ExampleForm({"day": "2027-11-28", "at": "19:30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"day": date(2027, 11, 28), "at": time(19, 30)}
