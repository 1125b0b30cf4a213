"""Staff forms for resources, packs, the directory and sending a pack."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from portal.core.json_limits import JsonBodyError
from portal.core.widgets import NativeDateInput, QuickCheckboxSelectMultiple, QuickRadioSelect
from referrals.choices import Stage as ReferralStage

from . import directory
from .models import Audience, Delivery, Resource, Signpost, Stage
from .rendering import looks_like_html, source_problems

PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{1,28}$")


def _phone(value: str, label: str) -> str:
    value = (value or "").strip()
    if value and (not PHONE.match(value) or sum(ch.isdigit() for ch in value) < 3):
        raise forms.ValidationError(f"Enter the {label} in digits, like 0800 1111 or 116 123.")
    return value


def _checkboxes(label: str, choices, message: str, required: bool = True):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=QuickCheckboxSelectMultiple,
        required=required,
        error_messages={"required": message, "invalid_choice": "Choose from the options listed."},
    )


def organisation_field(organisations) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Which organisation is this for?",
        queryset=organisations,
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose an organisation.",
            "invalid_choice": "Choose one of the organisations listed.",
        },
    )


class WithOrganisation:
    """Adds an organisation choice only when the person coordinates more than one."""

    def _add_organisation(self, organisations) -> None:
        self.organisations = list(organisations)
        if len(self.organisations) > 1:
            self.fields["organisation"] = organisation_field(organisations)

    def chosen_organisation(self):
        if "organisation" in self.fields:
            return self.cleaned_data["organisation"]
        return self.organisations[0] if self.organisations else None


class ResourceForm(WithOrganisation, forms.Form):
    title = forms.CharField(
        label="Title", max_length=150, error_messages={"required": "Enter a title."}
    )
    slug = forms.SlugField(
        label="Web address",
        max_length=100,
        help_text="Lower-case words joined by hyphens, like talking-to-children.",
        error_messages={
            "required": "Enter a web address.",
            "invalid": "Use only lower-case letters, numbers and hyphens.",
        },
    )
    summary = forms.CharField(
        label="Short summary",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Enter a short summary.",
            "max_length": "Keep the summary to 300 characters or fewer.",
        },
    )
    body = forms.CharField(
        label="Text",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Markdown: ## for a heading, - for a list, [words](https://…) for a link.",
        error_messages={
            "required": "Enter the text.",
            "max_length": "Keep the text to 20,000 characters or fewer.",
        },
    )
    stages = _checkboxes("Stages it serves", Stage.choices, "Choose at least one stage.")
    audiences = _checkboxes("Who it is for", Audience.choices, "Choose at least one audience.")
    signposts = forms.ModelMultipleChoiceField(
        label="Signposts shown at the end",
        queryset=Signpost.objects.none(),
        widget=QuickCheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose from the signposts listed."},
    )
    last_checked = forms.DateField(
        label="Last checked",
        help_text=(
            "The day someone last checked this against its sources. Families see it; "
            "it is due for review a year later."
        ),
        widget=NativeDateInput(),
        error_messages={
            "required": "Enter the date it was last checked.",
            "invalid": "Enter a real date, like 2026-11-28.",
        },
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Resource.Status.choices,
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose draft or published.",
            "invalid_choice": "Choose draft or published.",
        },
    )
    change_note = forms.CharField(
        label="What did you change? (optional)", max_length=300, required=False
    )

    def __init__(self, *args, signposts, organisations=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signposts"].queryset = signposts
        self.fields["signposts"].label_from_instance = lambda signpost: (
            signpost.name
            if signpost.is_shareable
            else f"{signpost.name} ({signpost.get_status_display().lower()}: not shown to families)"
        )
        if editing:
            del self.fields["slug"]
            self.organisations = []
        else:
            del self.fields["change_note"]
            self._add_organisation(organisations)

    def clean_last_checked(self):
        checked = self.cleaned_data["last_checked"]
        if checked > timezone.localdate():
            raise forms.ValidationError("The date it was last checked cannot be in the future.")
        return checked

    def clean_body(self):
        body = self.cleaned_data["body"]
        if looks_like_html(body):
            raise forms.ValidationError(
                "Remove the HTML tags: write in Markdown only. HTML is never shown on the page."
            )
        problems = source_problems(body)
        if problems:
            raise forms.ValidationError(problems)
        return body


class OrderedResources:
    """A number box per resource: fill in a position to include it, leave blank to leave out."""

    def _add_resource_fields(self, resources, initial_order: dict) -> None:
        self.resource_choices = list(resources)
        for resource in self.resource_choices:
            self.fields[f"order_{resource.pk}"] = forms.IntegerField(
                label=resource.title,
                required=False,
                min_value=1,
                max_value=99,
                initial=initial_order.get(resource.pk),
                widget=forms.NumberInput(attrs={"class": "input input--order"}),
                error_messages={
                    "invalid": "Enter a whole number, or leave it blank.",
                    "min_value": "Enter 1 or more.",
                    "max_value": "Enter 99 or fewer.",
                },
            )

    def resource_rows(self):
        return [(resource, self[f"order_{resource.pk}"]) for resource in self.resource_choices]

    def ordered_resources(self) -> list:
        picked = []
        for index, resource in enumerate(self.resource_choices):
            position = self.cleaned_data.get(f"order_{resource.pk}")
            if position:
                picked.append((position, index, resource))
        return [resource for _, _, resource in sorted(picked, key=lambda t: (t[0], t[1]))]


class PackForm(WithOrganisation, OrderedResources, forms.Form):
    title = forms.CharField(
        label="Title", max_length=150, error_messages={"required": "Enter a title."}
    )
    purpose = forms.CharField(
        label="What it is for",
        max_length=300,
        error_messages={"required": "Say what the pack is for."},
    )
    default_for = _checkboxes(
        "Suggest it first for people at these stages",
        ReferralStage.choices,
        "",
        required=False,
    )

    def __init__(self, *args, resources, initial_order=None, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._add_organisation(organisations)
        self._add_resource_fields(resources, initial_order or {})

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.ordered_resources():
            raise forms.ValidationError("Give at least one resource a position.")
        return cleaned


class SignpostForm(forms.Form):
    provider = forms.CharField(
        label="Organisation",
        max_length=200,
        error_messages={"required": "Enter the organisation's name."},
    )
    name = forms.CharField(
        label="Service name", max_length=200, error_messages={"required": "Enter a name."}
    )
    description = forms.CharField(
        label="What they offer",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what they offer."},
    )
    eligibility = forms.CharField(label="Who it is for", max_length=500, required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    text_number = forms.CharField(label="Text message number", max_length=40, required=False)
    url = forms.CharField(label="Web address", max_length=300, required=False)
    email = forms.EmailField(
        label="Email",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address, like help@example.org."},
    )
    hours = forms.CharField(label="Opening hours", max_length=300, required=False)
    fees = forms.CharField(label="Cost", max_length=300, required=False)
    languages = forms.CharField(
        label="Languages", max_length=300, required=False, help_text="Separate with commas."
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Signpost.Status.choices,
        required=False,
        error_messages={"invalid_choice": "Choose active, to check or no longer operating."},
    )
    check_note = forms.CharField(label="Note for staff", max_length=300, required=False)
    assured_date = forms.DateField(
        label="When were these details last checked with the service?",
        help_text="Only checked entries are shown to families.",
        widget=NativeDateInput(),
        required=False,
        error_messages={"invalid": "Enter a real date, like 2026-11-28."},
    )
    assured_from = forms.CharField(
        label="Where did you check them? (optional)",
        help_text="The address of the web page you checked them against.",
        max_length=300,
        required=False,
    )

    def clean_assured_date(self):
        checked = self.cleaned_data["assured_date"]
        if checked and checked > timezone.localdate():
            raise forms.ValidationError("The date they were checked cannot be in the future.")
        return checked

    def clean_assured_from(self):
        return self._web_address("assured_from")

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"], "phone number")

    def clean_text_number(self):
        return _phone(self.cleaned_data["text_number"], "text message number")

    def clean_url(self):
        return self._web_address("url")

    def _web_address(self, name: str) -> str:
        url = self.cleaned_data[name].strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    "Enter a full web address starting with https://"
                ) from error
        return url

    def clean_status(self):
        return self.cleaned_data["status"] or Signpost.Status.ACTIVE

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("phone") or cleaned.get("url")):
            raise forms.ValidationError("Give a phone number or a web address.")
        if (
            not self.errors
            and cleaned.get("status") == Signpost.Status.ACTIVE
            and not cleaned.get("assured_date")
        ):
            self.unchecked_active(cleaned)
        return cleaned

    def unchecked_active(self, cleaned: dict) -> None:
        self.add_error(
            "assured_date",
            "Give the date you last checked these details with the service, or choose "
            "\u201cCheck it is still operating before sharing\u201d.",
        )


class SignpostRowForm(SignpostForm):
    """One row of an imported file: the same checks as the form, plus its id and who
    checked it."""

    key = forms.SlugField(
        label="id",
        max_length=80,
        error_messages={
            "required": "the id is missing.",
            "invalid": "use only letters, numbers, hyphens and underscores in the id.",
        },
    )
    assured_by = forms.CharField(label="assured_by", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A file's problems name its columns, not the on-screen questions.
        self.fields["assured_date"].label = "assured_date"
        self.fields["assured_from"].label = "assured_from"

    def unchecked_active(self, cleaned: dict) -> None:
        # Not refused: the import decides (services.signpost_row_settled), knowing
        # whether the entry is already checked.
        cleaned["unchecked"] = True


class SignpostImportForm(WithOrganisation, forms.Form):
    file = forms.FileField(
        label="CSV or JSON file",
        error_messages={"required": "Choose a file.", "empty": "The file is empty."},
    )

    MAX_BYTES = 1_000_000

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._add_organisation(organisations)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is too big: 1 MB at most.")
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".json")):
            raise forms.ValidationError("Choose a .csv or .json file.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError("Save the file as UTF-8 and try again.") from error
        if name.endswith(".json"):
            # A file that is not JSON at all is a problem with the file, shown beside it;
            # the services in it are checked one by one afterwards.
            try:
                directory.read_json_file(text)
            except JsonBodyError as error:
                raise forms.ValidationError(directory.json_file_problem(error)) from error
        return {"kind": "json" if name.endswith(".json") else "csv", "text": text}


class PackSendForm(OrderedResources, forms.Form):
    title = forms.CharField(
        label="Title the person will see",
        help_text="Keep it neutral: someone else may see their screen or a printed copy.",
        max_length=150,
        error_messages={"required": "Enter a title."},
    )
    method = forms.ChoiceField(
        label="How should it reach them?",
        choices=Delivery.Method.choices,
        widget=QuickRadioSelect,
        error_messages={
            "required": "Choose how to send it.",
            "invalid_choice": "Choose one of the safe ways listed.",
        },
    )
    pack = forms.UUIDField(required=False, widget=forms.HiddenInput)
    fingerprint = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, resources, initial_order, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = methods
        self._add_resource_fields(resources, initial_order)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.ordered_resources():
            raise forms.ValidationError("Give at least one resource a position.")
        return cleaned
