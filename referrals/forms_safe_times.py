"""Safe times as windows the portal keeps (``ContactWindows``), as people give them.

Families and referrers answer with a few simple choices ("Any time", "Weekday daytimes",
"Weekday evenings", or "Let me choose" some days and one range of times); staff, and
partners' case systems through the API, edit the windows themselves as rows of day, from
and to. Either way the answer becomes ``ContactWindows``, which every message and every
staff action is checked against. The person's own words about times stay beside them,
in the free-text note (``safe_times``), for people to read.
"""

from __future__ import annotations

import re
from datetime import time

from django import forms

from portal.core.widgets import NativeTimeInput, QuickCheckboxSelectMultiple, QuickRadioSelect
from portal.notifications.contact_windows import (
    DAY_LABELS,
    DAY_NAMES,
    PRESETS,
    ContactWindows,
    InvalidWindow,
    Window,
    preset_name,
)

CHOICE = "safe_times_choice"
DAYS = "safe_days"
FROM = "safe_from"
TO = "safe_to"
# The fields of the simple choices, shown together (templates/referrals/_safe_times.html).
SIMPLE_FIELDS = (CHOICE, DAYS, FROM, TO)

CUSTOM = "custom"
# Offered on the support page when staff have set times the simple choices cannot show.
KEEP = "keep"

SIMPLE_CHOICES = [
    ("any_time", "Any time"),
    ("weekday_daytimes", f"Weekday daytimes ({PRESETS['weekday_daytimes'].describe()})"),
    ("weekday_evenings", f"Weekday evenings ({PRESETS['weekday_evenings'].describe()})"),
    (CUSTOM, "Let me choose"),
]
DAY_CHOICES = list(zip(DAY_NAMES, DAY_LABELS, strict=True))

BANK_HOLIDAYS = "On bank holidays, we use your Sunday times."
CHOOSE_A_TIME = "Choose when it is safe to contact you, or 'Any time'."
CHOOSE_A_DAY = "Choose at least one day."
START_MISSING = "Enter the time it becomes safe, like 09:30."
END_MISSING = "Enter the time it stops being safe, like 17:00."
TIME_FORMAT = "Enter a time like 09:30 or 17:00."
END_BEFORE_START = "The end time must be later than the start time."

_CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?P<half>am|pm)?$")


def parse_clock(typed: str) -> time | None:
    """A time of day as people write it: 09:30, 9:30, 17.00, 9am, 5:30pm, midday.
    None if it is not one."""
    value = typed.strip().lower().replace(" ", "")
    if value in ("midday", "noon", "12noon"):
        return time(12)
    found = _CLOCK.match(value)
    if not found:
        return None
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    half = found["half"]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class ClockField(forms.TimeField):
    """A time of day: the browser's own time picker, or what was typed where there is none."""

    # Not offered back by a shared browser: when it is safe is when the household is out.
    widget = NativeTimeInput(attrs={"autocomplete": "off"})
    default_error_messages = {"invalid": TIME_FORMAT}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        parsed = parse_clock(str(value))
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


def windows_for_days(days, starts: time, ends: time) -> ContactWindows:
    return ContactWindows(tuple(Window(DAY_NAMES.index(day), starts, ends) for day in days))


# --- The simple choices ---------------------------------------------------------------


class SafeTimesChoiceMixin(forms.Form):
    """ "When is it safe to contact you?": the simple choices, with days and one range of
    times for "Let me choose". Add it before ``SafeContactForm`` (or ``forms.Form``).

    ``safe_times_required`` False (the support page) means that choosing nothing keeps
    the times already held. Days or times given without a choice mean "Let me choose".
    """

    safe_times_required = True
    safe_times_required_message = CHOOSE_A_TIME

    safe_times_choice = forms.ChoiceField(
        label="When is it safe to contact you?",
        help_text=BANK_HOLIDAYS,
        choices=SIMPLE_CHOICES,
        required=False,
        widget=QuickRadioSelect,
        error_messages={"invalid_choice": "Choose one of the options listed."},
    )
    safe_days = forms.MultipleChoiceField(
        label="Which days?",
        choices=DAY_CHOICES,
        required=False,
        widget=QuickCheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose from the days listed."},
    )
    safe_from = ClockField(label="From", required=False, help_text="For example, 09:30.")
    safe_to = ClockField(label="To", required=False, help_text="For example, 17:00.")

    def offer_to_keep(self, windows: ContactWindows) -> None:
        """Offer "keep the times we have" for windows the simple choices cannot show."""
        field = self.fields[CHOICE]
        field.choices = [*field.choices, (KEEP, f"Keep the times we have: {windows.describe()}")]

    def clean(self):
        data = super().clean()
        self.check_safe_times(data)
        return data

    def check_safe_times(self, data: dict) -> None:
        choice = data.get(CHOICE) or ""
        days, starts, ends = data.get(DAYS) or [], data.get(FROM), data.get(TO)
        typed_times = any(name in self.errors for name in (FROM, TO))
        if not choice and (days or starts or ends or typed_times):
            choice = data[CHOICE] = CUSTOM
        if not choice:
            if self.safe_times_required and CHOICE not in self.errors:
                self.add_error(CHOICE, self.safe_times_required_message)
            return
        if choice != CUSTOM:
            return
        if not days and DAYS not in self.errors:
            self.add_error(DAYS, CHOOSE_A_DAY)
        if starts is None and FROM not in self.errors:
            self.add_error(FROM, START_MISSING)
        if ends is None and TO not in self.errors:
            self.add_error(TO, END_MISSING)
        if starts is not None and ends is not None and ends <= starts:
            self.add_error(TO, END_BEFORE_START)

    def chosen_windows(self) -> ContactWindows | None:
        """The windows chosen (no windows for any time); None to keep those held."""
        data = self.cleaned_data
        choice = data.get(CHOICE) or ""
        if choice in PRESETS:
            return PRESETS[choice]
        if choice == CUSTOM:
            return windows_for_days(data[DAYS], data[FROM], data[TO])
        return None

    @staticmethod
    def initial_for(windows: ContactWindows, *, note: str = "") -> dict:
        """The answers that show ``windows``; none at all for "only a note", so that the
        person's words are not shown as "Any time"."""
        if windows.any_time:
            return {} if note.strip() else {CHOICE: "any_time"}
        name = preset_name(windows)
        if name != CUSTOM:
            return {CHOICE: name}
        ranges = {(window.starts, window.ends) for window in windows.windows}
        if len(ranges) == 1:
            ((starts, ends),) = ranges
            return {
                CHOICE: CUSTOM,
                DAYS: [DAY_NAMES[window.day] for window in windows.windows],
                FROM: starts,
                TO: ends,
            }
        return {CHOICE: KEEP}


class SafeTimesChoiceForm(SafeTimesChoiceMixin, forms.Form):
    """The simple choices on their own: to read back what was typed (see
    ``typed_safe_times_in_words``)."""

    safe_times_required = False


def typed_safe_times_in_words(data) -> str:
    """The safe times a visitor typed, in words, even if they do not pass: a page that
    closed while they typed lists what they wrote so they need not remember it."""
    form = SafeTimesChoiceForm(data)
    if form.is_valid():
        windows = form.chosen_windows()
        return windows.describe() if windows is not None else ""
    days = [label for value, label in DAY_CHOICES if value in data.getlist(DAYS)]
    starts, ends = str(data.get(FROM, ""))[:20].strip(), str(data.get(TO, ""))[:20].strip()
    parts = [", ".join(days)] if days else []
    if starts or ends:
        parts.append(f"from {starts or '?'} to {ends or '?'}")
    return " ".join(parts)


# --- Rows of day, from and to: the full editor ------------------------------------------


class DayField(forms.ChoiceField):
    """A day of the week by its name, whatever its case ("Monday" or "monday")."""

    def to_python(self, value):
        return super().to_python(value).strip().lower()


class SafeWindowForm(forms.Form):
    """One weekly window. A row left empty is no window."""

    day = DayField(
        label="Day",
        choices=[("", "Choose a day"), *DAY_CHOICES],
        required=False,
        error_messages={"invalid_choice": "Choose a day of the week, like monday."},
    )
    starts = ClockField(label="From", required=False)
    ends = ClockField(label="To", required=False)

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if not self.has_content():
            return data
        if not day and "day" not in self.errors:
            self.add_error("day", "Choose a day.")
        if starts is None and "starts" not in self.errors:
            self.add_error("starts", START_MISSING)
        if ends is None and "ends" not in self.errors:
            self.add_error("ends", END_MISSING)
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends", END_BEFORE_START)
        return data

    def has_content(self) -> bool:
        return any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("day", "starts", "ends")
        )

    def window(self) -> Window | None:
        data = self.cleaned_data
        if data.get("DELETE") or not data.get("day"):
            return None
        try:
            return Window(DAY_NAMES.index(data["day"]), data["starts"], data["ends"])
        except (InvalidWindow, KeyError, ValueError):
            return None


MAX_WINDOWS = 21  # three a day is more than anyone has needed


class BaseSafeWindowsFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": "Something went wrong with this page. Open it again "
        "and make your changes again.",
        "too_many_forms": f"Give at most {MAX_WINDOWS} safe times.",
        "too_few_forms": "Give at least %(num)d safe times.",
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this time"

    # The windows held before this page: kept if the page sent no rows.
    held = ContactWindows()

    def passes(self) -> bool:
        """The rows sent pass, or none were sent (the windows held are kept)."""
        return not self.is_bound or self.is_valid()

    def chosen(self) -> ContactWindows:
        """The windows the rows give, or those held if no rows were sent."""
        return self.windows() if self.is_bound else self.held

    def windows(self) -> ContactWindows:
        """The windows of every valid row (none for any time)."""
        found = []
        for form in self.forms:
            if not form.is_valid():
                continue
            window = form.window()
            if window is not None:
                found.append(window)
        return ContactWindows(tuple(found))


SafeWindowsFormSet = forms.formset_factory(
    SafeWindowForm,
    formset=BaseSafeWindowsFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_WINDOWS,
    validate_max=True,
    absolute_max=MAX_WINDOWS,
)
WINDOWS_PREFIX = "windows"


def windows_formset(data=None, *, windows: ContactWindows | None = None) -> BaseSafeWindowsFormSet:
    """The staff editor: a row for each window held, and a few empty rows to add more.

    Data without the rows (a page opened before they were added) leaves them unbound, and
    ``chosen()`` then keeps the windows held rather than clearing them.
    """
    windows = windows or ContactWindows()
    initial = [
        {"day": DAY_NAMES[w.day], "starts": w.starts, "ends": w.ends} for w in windows.windows
    ]
    sent = data is not None and f"{WINDOWS_PREFIX}-TOTAL_FORMS" in data
    formset = SafeWindowsFormSet(data if sent else None, initial=initial, prefix=WINDOWS_PREFIX)
    formset.held = windows
    for form in formset.forms:
        # A row's Remove box makes sense only for a window already held.
        if form.prefix and not form.initial:
            form.fields.pop("DELETE", None)
    return formset


def windows_formset_from_list(items: list[dict]) -> BaseSafeWindowsFormSet:
    """The same rows from a list of {"day", "from", "to"} (the API's ``safe_windows``), so
    that the API refuses what the staff editor refuses, with the same words."""
    data = {
        f"{WINDOWS_PREFIX}-TOTAL_FORMS": str(len(items)),
        f"{WINDOWS_PREFIX}-INITIAL_FORMS": "0",
    }
    for index, item in enumerate(items):
        for name, key in (("day", "day"), ("starts", "from"), ("ends", "to")):
            data[f"{WINDOWS_PREFIX}-{index}-{name}"] = item.get(key, "")
    return SafeWindowsFormSet(data, prefix=WINDOWS_PREFIX)
