"""Browsers' own date and time pickers.

An ``<input type="date">`` only accepts a value written as 2027-11-28. Django would write
an initial date in the en-GB input format (28/11/2027), which the browser discards,
so an edit page would show the field empty and lose the date. These widgets always write
the form the browser needs; the fields still accept what people type elsewhere.
"""

from django import forms


class NativeDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NativeTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")
