"""The family's choice of how their first call happens, on their support page."""

from __future__ import annotations

from django import forms

from portal.core.widgets import QuickRadioSelect

from .call_methods import CallMethodOption


class CallWayForm(forms.Form):
    """How they would like to talk: only the ways safe for them are offered. The time is
    the button they press (one per free time), so one press books."""

    method = forms.ChoiceField(
        label="How would you like to talk?",
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose how you would like to talk.",
            "invalid_choice": "Choose one of the ways listed.",
        },
    )

    def __init__(self, *args, ways: list[CallMethodOption], current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(way.method, way.family_words) for way in ways]
        methods = [way.method for way in ways]
        if current is not None and current.method in methods:
            self.fields["method"].initial = current.method
        elif methods:
            self.fields["method"].initial = methods[0]
