"""Staff forms for peer groups."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from portal.core.widgets import (
    NativeDateInput,
    NativeTimeInput,
    QuickCheckboxSelectMultiple,
    QuickRadioSelect,
)
from referrals.forms_safe_contact_override import SafeContactOverrideMixin

from .models import Attendance, Group, InitialCallSlot, Schedule, Venue
from .scheduling import ScheduleSpec


class ScheduleForm(forms.Form):
    rule = forms.ChoiceField(
        label="How often does the group meet?",
        choices=Schedule.Rule.choices,
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose how often the group meets.",
            "invalid_choice": "Choose one of the options listed.",
        },
    )
    start_date = forms.DateField(
        label="First meeting date",
        widget=NativeDateInput(),
        error_messages={
            "required": "Enter the date of the first meeting.",
            "invalid": "Enter a real date, like 2027-01-14.",
        },
    )
    start_time = forms.TimeField(
        label="Start time (UK time)",
        widget=NativeTimeInput(),
        error_messages={
            "required": "Enter the start time.",
            "invalid": "Enter a time, like 19:00.",
        },
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=15,
        max_value=480,
        initial=90,
        error_messages={
            "required": "Enter how long each meeting lasts.",
            "min_value": "A meeting lasts at least 15 minutes.",
            "max_value": "A meeting lasts at most 8 hours (480 minutes).",
        },
    )
    occurrences = forms.IntegerField(
        label="Number of meetings (or give an end date)",
        required=False,
        min_value=1,
        max_value=104,
        error_messages={"min_value": "Enter at least 1.", "max_value": "Enter 104 or fewer."},
    )
    end_date = forms.DateField(
        label="Last possible date (optional)",
        required=False,
        widget=NativeDateInput(),
        error_messages={"invalid": "Enter a real date, like 2027-06-30."},
    )
    nth = forms.TypedChoiceField(
        label="For monthly meetings: which week of the month?",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "Not monthly"),
            (1, "First"),
            (2, "Second"),
            (3, "Third"),
            (4, "Fourth"),
            (-1, "Last"),
        ],
        error_messages={"invalid_choice": "Choose one of the options listed."},
    )
    fixed_dates = forms.CharField(
        label="For set dates: the dates, one per line (YYYY-MM-DD)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "That is too many dates for one schedule."},
    )

    def clean_fixed_dates(self) -> tuple[date, ...]:
        dates = []
        for line in self.cleaned_data["fixed_dates"].split():
            try:
                dates.append(date.fromisoformat(line.strip()))
            except ValueError as error:
                raise forms.ValidationError(
                    f"'{line}' is not a date in the form YYYY-MM-DD."
                ) from error
        return tuple(dates)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_date") and cleaned["start_date"] < date.today():
            self.add_error("start_date", "The first meeting cannot be in the past.")
        return cleaned

    def spec(self) -> ScheduleSpec:
        data = self.cleaned_data
        return ScheduleSpec(
            rule=data["rule"],
            start_date=data["start_date"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            end_date=data["end_date"],
            occurrences=data["occurrences"],
            nth=data["nth"],
            fixed_dates=data["fixed_dates"],
        )


class OfferForm(forms.Form):
    group = forms.ModelChoiceField(
        label="Which group?",
        queryset=Group.objects.none(),
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose a group.",
            "invalid_choice": "Choose one of the groups listed.",
        },
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(choices=Attendance.Status.choices)


class CallSlotForm(forms.Form):
    day = forms.DateField(
        label="Date",
        widget=NativeDateInput(),
        error_messages={"required": "Enter the date.", "invalid": "Enter a real date."},
    )
    start_time = forms.TimeField(
        label="Start time (UK time)",
        widget=NativeTimeInput(),
        error_messages={
            "required": "Enter the start time.",
            "invalid": "Enter a time, like 10:30.",
        },
    )
    minutes = forms.IntegerField(
        label="Length in minutes",
        initial=30,
        min_value=10,
        max_value=120,
        error_messages={
            "required": "Enter how long the call lasts.",
            "min_value": "A call lasts at least 10 minutes.",
            "max_value": "A call lasts at most 2 hours (120 minutes).",
        },
    )

    video_link = forms.URLField(
        label="Video call link (optional)",
        help_text="Where a video call at this time is joined, such as your meeting room. "
        "The person sees it on their support page only. You can add it later.",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter a full web address, starting https://"},
    )

    def times(self):
        from datetime import timedelta

        from .scheduling import local_datetime

        start = local_datetime(self.cleaned_data["day"], self.cleaned_data["start_time"])
        return start, start + timedelta(minutes=self.cleaned_data["minutes"])


class CallBookingForm(SafeContactOverrideMixin, forms.Form):
    """Staff book (or move) a person's initial call: when, and how it happens.

    Every way is offered, each marked safe for them or not, and times in their safe times
    come first, marked; an unsafe way or time needs a reason (``override_reason``), which
    the service asks for (``UnsafeContact``)."""

    slot = forms.ChoiceField(
        label="Which time?",
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose a time.",
            "invalid_choice": "That time is no longer free. Choose another.",
        },
    )
    method = forms.ChoiceField(
        label="How does the call happen?",
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose how the call happens.",
            "invalid_choice": "Choose one of the ways listed.",
        },
    )
    field_order = ["slot", "method", "override_reason"]

    def __init__(self, *args, slots, referral, current=None, **kwargs):
        from .call_methods import call_method_options, in_their_safe_times, safe_times_given

        super().__init__(*args, **kwargs)
        windows_given = safe_times_given(referral)
        safe_time = {slot.pk: in_their_safe_times(referral, slot.starts_at) for slot in slots}
        ordered = sorted(slots, key=lambda slot: (not safe_time[slot.pk], slot.starts_at))
        self.slots = {str(slot.pk): slot for slot in ordered}

        def slot_label(slot) -> str:
            label = (
                f"{timezone.localtime(slot.starts_at):%A %-d %B, %-I:%M %p}"
                f" with {slot.facilitator.get_short_name()}"
            )
            if windows_given:
                inside = "in" if safe_time[slot.pk] else "outside"
                label += f" ({inside} their safe times)"
            if current is not None and slot.pk == current.pk:
                label += " (the time of their call now)"
            return label

        self.fields["slot"].choices = [(key, slot_label(slot)) for key, slot in self.slots.items()]
        options = call_method_options(referral)
        self.fields["method"].choices = [
            (
                option.method,
                f"{option.staff_words} ("
                + ("safe for them" if option.safe else f"not safe: {option.problem}")
                + ")",
            )
            for option in options
        ]
        if current is not None:
            self.fields["slot"].initial = str(current.pk)
            self.fields["method"].initial = current.method
        else:
            self.fields["method"].initial = next((o.method for o in options if o.safe), None)

    def clean_slot(self):
        return self.slots[self.cleaned_data["slot"]]


class CallVideoLinkForm(forms.Form):
    video_link = forms.URLField(
        label="Video call link",
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": "Enter the video call link.",
            "invalid": "Enter a full web address, starting https://",
        },
    )


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="How did the call go?",
        choices=InitialCallSlot.Outcome.choices,
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose how the call went.",
            "invalid_choice": "Choose one of the options listed.",
        },
    )


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = [
            "title",
            "description",
            "audience",
            "format",
            "venue",
            "capacity",
            "cohort",
            "ground_rules",
            "offers_need_approval",
            "offer_hours",
            "facilitators",
        ]
        labels = {
            "title": "Name (staff see this; participants' calendars never do)",
            "description": "Description for participants",
            "offers_need_approval": "A facilitator approves each waiting-list offer first",
            "offer_hours": "Hours an offer is kept open",
        }
        widgets = {
            "audience": QuickRadioSelect,
            "format": QuickRadioSelect,
            "cohort": QuickRadioSelect,
            "facilitators": QuickCheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "ground_rules": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "title": {"required": "Enter a name for the group."},
            "audience": {"required": "Choose who the group is for."},
            "format": {"required": "Choose how the group meets."},
            "capacity": {"required": "Enter how many people the group can hold."},
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.organisations.models import Membership
        from portal.organisations.roles import CASE_ROLES

        from .models import Venue

        self.fields["venue"].queryset = Venue.objects.filter(organisation=organisation)
        self.fields["venue"].required = False
        self.fields["facilitators"].queryset = (
            self.fields["facilitators"]
            .queryset.filter(
                memberships__in=Membership.objects.active().filter(
                    organisation=organisation, role__in=list(CASE_ROLES)
                )
            )
            .distinct()
        )
        self.fields["facilitators"].required = False
        self.fields["capacity"].validators.append(_capacity_range)
        self.fields["offer_hours"].validators.append(_offer_hours_range)


def _capacity_range(value):
    if not 1 <= value <= 50:
        raise forms.ValidationError("A group holds between 1 and 50 people.")


def _offer_hours_range(value):
    if not 1 <= value <= 336:
        raise forms.ValidationError("Keep an offer open for between 1 hour and 14 days (336).")


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["name", "address", "accessibility", "arrival_notes"]
        labels = {
            "address": "Address (shown only to people with a confirmed place)",
            "accessibility": "Accessibility",
            "arrival_notes": "Arriving (for example, which door, who to ask for)",
        }
        widgets = {
            field: forms.Textarea(attrs={"rows": 3})
            for field in ("address", "accessibility", "arrival_notes")
        }
        error_messages = {
            "name": {"required": "Enter the venue's name."},
            "address": {"required": "Enter the venue's address."},
        }


class JoiningDetailsForm(forms.Form):
    join_url = forms.URLField(
        label="Joining link",
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": "Enter the joining link.",
            "invalid": "Enter a full web address, starting https://",
        },
    )
    passcode = forms.CharField(
        label="Passcode (optional)",
        required=False,
        max_length=50,
        error_messages={"max_length": "Keep the passcode to 50 characters or fewer."},
    )


class ZoomAccountForm(forms.Form):
    account_id = forms.CharField(
        label="Account ID", max_length=100, error_messages={"required": "Enter the account ID."}
    )
    client_id = forms.CharField(
        label="Client ID", max_length=100, error_messages={"required": "Enter the client ID."}
    )
    client_secret = forms.CharField(
        label="Client secret",
        max_length=200,
        required=False,
        help_text="Stored encrypted and never shown again. Leave empty to keep the current one.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    registration_enabled = forms.BooleanField(
        label="Give each participant their own joining link (needs Zoom registration)",
        required=False,
    )
