"""The public self-referral's question pages: one form per page, in the order
``referrals/selfreferral.py`` lists them."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html

from .forms_fields import (
    CHILDREN,
    FORMAT,
    RELATIONSHIP,
    STAGE,
    SUPPORT,
    UKPhoneField,
    choice_field,
    email_field,
    full_name_field,
    long_text_field,
    short_text_field,
)
from .forms_safe_contact import SimpleSafeContactForm
from .forms_safe_times import SIMPLE_FIELDS
from .validators import is_mobile

# ---------------------------------------------------------------------------------------
# Self-referral steps
#
# One form per question page of the public self-referral (``referrals/selfreferral.py``
# lists them in order). Each step's answers are validated again when the request is
# sent, so these forms are the only gate between a visitor's session and a referral.
# ---------------------------------------------------------------------------------------

# A field no person sees or fills in; automated form-fillers usually do.
HONEYPOT_FIELD = "website"

AT_LEAST_ONE_WAY_MESSAGE = (
    "Enter an email address or a UK phone number, or both, so that we can contact you."
)
AGREE_MESSAGE = (
    "You need to agree before we can contact you. If you'd rather not, you can still use "
    "our get help now page."
)


class RelationshipStepForm(forms.Form):
    relationship = choice_field(**RELATIONSHIP)


class StageStepForm(forms.Form):
    stage = choice_field(
        **STAGE,
        help_text="Choose the one that fits best. It is fine if you are not sure.",
    )


class ChildrenStepForm(forms.Form):
    children_in_household = choice_field(
        **CHILDREN,
        help_text=(
            "We ask so that we can offer support and information that fit your family, "
            "and so that we can think about children's safety. Answering yes does not by "
            "itself mean we will tell anyone. If we thought a child might be at risk of "
            "harm, we might need to share information with children's social services."
        ),
    )


class SupportStepForm(forms.Form):
    support_wanted = choice_field(
        **SUPPORT, help_text="Choose what feels right for now. You can change your mind later."
    )


class MeetingStepForm(forms.Form):
    format_preference = choice_field(**FORMAT)
    area = short_text_field(
        "Which town or county do you live in? (optional)",
        100,
        help_text="This helps us find a group near you. Please do not give your address.",
        autocomplete="address-level2",
    )


class AccessNeedsStepForm(forms.Form):
    accessibility_needs = long_text_field(
        "Is there anything that would make it easier for you to talk to us or join a group? "
        "(optional)",
        2000,
        help_text=(
            "For example, a hearing loop, step-free access, large print, an interpreter, "
            "or times that fit around caring or work."
        ),
    )


class AboutYouStepForm(forms.Form):
    full_name = full_name_field("Your full name")
    email = email_field()
    phone = UKPhoneField(
        label="UK phone number",
        required=False,
        error_messages={"max_length": "Keep the phone number to 30 characters or fewer."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "If you can, give an email address that only you use."
        self.fields["phone"].help_text = "If you can, give a phone number that only you use."

    def clean(self):
        data = super().clean()
        if "email" in data and "phone" in data and not data["email"] and not data["phone"]:
            self.add_error("email", AT_LEAST_ONE_WAY_MESSAGE)
        return data


class SafeContactStepForm(SimpleSafeContactForm):
    """The safe-contact answers, checked against the contact details given a page earlier."""

    field_order = [
        "safe_channels",
        "postal_address",
        *SIMPLE_FIELDS,
        "safe_times",
        "name_to_use",
        "may_name_organisation",
        "shares_device_with_person",
        "shares_address_with_person",
    ]

    def __init__(self, *args, email: str = "", phone: str = "", sender_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_email = email
        self.contact_phone = phone
        self.fields["safe_channels"].help_text = "Choose all that are safe."
        self.fields[
            "name_to_use"
        ].help_text = "If someone else might answer, we can ask for you by a different name."
        if sender_name:
            # Hints are rendered as HTML; the sender name is typed by staff, so escape it.
            self.fields["may_name_organisation"].help_text = format_html(
                "If you choose no, our calls and messages will only say '{}'.", sender_name
            )

    def clean(self):
        data = super().clean()
        channels = set(data.get("safe_channels") or [])
        self.check_channel_details(email=self.contact_email, phone=self.contact_phone)
        if "text" in channels and self.contact_phone and not is_mobile(self.contact_phone):
            self.add_error(
                "safe_channels",
                "You chose text messages, but the phone number you gave is not a mobile "
                "number. Go back to change it, or choose another way.",
            )
        return data


class AgreementStepForm(forms.Form):
    agree = forms.BooleanField(
        label="I agree", required=True, error_messages={"required": AGREE_MESSAGE}
    )


class SubmitForm(forms.Form):
    """The check-your-answers page: only the key that makes a double click harmless."""

    submission_key = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,64}$", max_length=64)
