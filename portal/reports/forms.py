"""The report's period and filters, read from the query string."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone

from peergroups.models import Group
from portal.core.widgets import LongSelect, NativeDateInput
from portal.organisations.models import Organisation
from referrals.choices import Source

LONGEST_PERIOD_YEARS = 5

DATE_ERRORS = {"invalid": "Enter a real date, like 2026-04-01."}


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve months, to today."""
    today = today or timezone.localdate()
    return today - relativedelta(years=1) + timedelta(days=1), today


class ReportForm(forms.Form):
    start = forms.DateField(label="From", widget=NativeDateInput(), error_messages=DATE_ERRORS)
    end = forms.DateField(label="To", widget=NativeDateInput(), error_messages=DATE_ERRORS)
    source = forms.ChoiceField(
        label="Source of referral",
        choices=[("", "All sources"), *Source.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the sources listed."},
    )
    group = forms.ModelChoiceField(
        label="Group (for sessions and attendance)",
        queryset=Group.objects.none(),
        required=False,
        empty_label="All groups",
        widget=LongSelect,
        error_messages={"invalid_choice": "Choose one of the groups listed."},
    )

    def __init__(self, data, *, organisation: Organisation):
        start, end = default_period()
        data = {"start": start.isoformat(), "end": end.isoformat(), **data.dict()}
        super().__init__(data)
        # Only what the list shows: a large charity has a hundred groups or more.
        self.fields["group"].queryset = (
            Group.objects.filter(organisation=organisation).only("pk", "title").order_by("title")
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date must be on or after the start date.")
            elif start < end - relativedelta(years=LONGEST_PERIOD_YEARS):
                self.add_error("start", f"Choose a period of {LONGEST_PERIOD_YEARS} years or less.")
        return cleaned
