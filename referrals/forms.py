"""The referrals app's forms, by where they are used.

- ``forms_fields``: fields shared by every form, each with its own plain-English errors;
- ``forms_safe_times``: safe times as windows (the simple choices, and staff's rows);
- ``forms_safe_contact``: the safe-contact questions every route asks;
- ``forms_self_referral``: the public self-referral's question pages;
- ``forms_referrer``: the referrer's page (and the API, which goes through it);
- ``forms_staff``: staff actions on a referral and subject access requests;
- ``forms_support``: the family's support page.

Every name is imported here too, so ``from referrals.forms import ...`` keeps working.
"""

from __future__ import annotations

from .forms_contact import ContactAttemptForm
from .forms_fields import (
    CHILDREN,
    FORMAT,
    RELATIONSHIP,
    STAGE,
    SUPPORT,
    YES_NO,
    UKPhoneField,
    channels_field,
    choice_field,
    email_field,
    full_name_field,
    long_text_field,
    short_text_field,
)
from .forms_referrer import (
    CONSENT_MAX_AGE_DAYS,
    NOT_LISTED_MESSAGE,
    SUBMISSION_KEY_PATTERN,
    ProfessionalReferralForm,
    new_submission_key,
)
from .forms_safe_contact import SafeContactForm, SimpleSafeContactForm, StaffSafeContactForm
from .forms_safe_times import (
    SafeTimesChoiceMixin,
    SafeWindowForm,
    SafeWindowsFormSet,
    windows_formset,
    windows_formset_from_list,
)
from .forms_self_referral import (
    AGREE_MESSAGE,
    AT_LEAST_ONE_WAY_MESSAGE,
    HONEYPOT_FIELD,
    AboutYouStepForm,
    AccessNeedsStepForm,
    AgreementStepForm,
    ChildrenStepForm,
    MeetingStepForm,
    RelationshipStepForm,
    SafeContactStepForm,
    StageStepForm,
    SubmitForm,
    SupportStepForm,
)
from .forms_staff import (
    AccessReasonForm,
    CaseNoteForm,
    CloseForm,
    EraseForm,
    SubjectAccessOpenForm,
    SubjectAccessUpdateForm,
)

__all__ = [
    "AGREE_MESSAGE",
    "AT_LEAST_ONE_WAY_MESSAGE",
    "CHILDREN",
    "CONSENT_MAX_AGE_DAYS",
    "FORMAT",
    "HONEYPOT_FIELD",
    "NOT_LISTED_MESSAGE",
    "RELATIONSHIP",
    "STAGE",
    "SUBMISSION_KEY_PATTERN",
    "SUPPORT",
    "YES_NO",
    "AboutYouStepForm",
    "AccessNeedsStepForm",
    "AccessReasonForm",
    "AgreementStepForm",
    "CaseNoteForm",
    "ChildrenStepForm",
    "CloseForm",
    "ContactAttemptForm",
    "EraseForm",
    "MeetingStepForm",
    "ProfessionalReferralForm",
    "RelationshipStepForm",
    "SafeContactForm",
    "SafeContactStepForm",
    "SafeTimesChoiceMixin",
    "SafeWindowForm",
    "SafeWindowsFormSet",
    "SimpleSafeContactForm",
    "StaffSafeContactForm",
    "StageStepForm",
    "SubjectAccessOpenForm",
    "SubjectAccessUpdateForm",
    "SubmitForm",
    "SupportStepForm",
    "UKPhoneField",
    "channels_field",
    "choice_field",
    "email_field",
    "full_name_field",
    "long_text_field",
    "new_submission_key",
    "short_text_field",
    "windows_formset",
    "windows_formset_from_list",
]
