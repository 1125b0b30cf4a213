"""Referrals over the REST API: partners' case systems send referrals and check status.

A referral sent here passes through ``ProfessionalReferralForm``, the form behind the
referrer's web page, so both routes accept and refuse exactly the same answers with the
same messages. The serializers below describe the JSON shape (for the schema and for
type errors); every rule about the answers themselves lives in the form.
"""

from __future__ import annotations

import hashlib

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.idempotency import (
    HEADER as IDEMPOTENCY_HEADER,
)
from portal.api.idempotency import (
    answer_store,
    fingerprint,
    idempotency_key_from,
    previous_answer,
)
from portal.api.models import Scope
from portal.api.permissions import calling_key, key_or_verified_user
from portal.api.personal_data import ShowsPersonalData
from portal.api.schema import ERROR_RESPONSES, ErrorSerializer
from portal.api.selectors import organisations_caller_may_refer_to
from portal.api.throttling import CallerRateThrottle, SubmitRateThrottle

from . import services
from .consent import PROFESSIONAL_VERSION
from .forms import ProfessionalReferralForm, new_submission_key
from .forms_safe_times import DAY_CHOICES, MAX_WINDOWS, windows_formset_from_list
from .models import Referral
from .references import display_reference, normalise_reference
from .selectors_referrer import referrer_agencies

# --- Fields that hand the caller's value to the form untouched --------------------------


class FormCheckedMixin:
    """Checked by the shared form, not here: a missing or empty value reaches the form,
    which answers with the same message as the web page. Only JSON types are checked."""

    def validate_empty_values(self, data):
        if data is serializers.empty or data == "":
            return True, ""
        if data is None:
            self.fail("null")
        return False, data


class FormText(FormCheckedMixin, serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(trim_whitespace=False, allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool | dict | list):
            self.fail("invalid")
        return str(data)


class FormChoice(FormCheckedMixin, serializers.ChoiceField):
    """Documented with its choices (an enum in the schema); checked by the form."""

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(choices=choices, allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool | dict | list):
            self.fail("invalid_choice", input=data)
        return str(data)


class FormYesNo(FormCheckedMixin, serializers.BooleanField):
    """A yes-or-no answer: true or false here, "yes" or "no" to the form."""

    def to_internal_value(self, data):
        return "yes" if super().to_internal_value(data) else "no"


def _form_field(name: str):
    return ProfessionalReferralForm.base_fields[name]


def _text(name: str, description: str, **kwargs) -> FormText:
    field = _form_field(name)
    limit = getattr(field, "max_length", None)
    if limit:
        description = f"{description} Up to {limit} characters."
    return FormText(required=field.required, help_text=description, **kwargs)


def _choice(name: str, description: str, choices=None) -> FormChoice:
    field = _form_field(name)
    return FormChoice(choices=choices or field.choices, help_text=description)


def _yes_no(description: str) -> FormYesNo:
    return FormYesNo(required=True, help_text=description)


class PersonSerializer(serializers.Serializer):
    full_name = _text("full_name", "The person's full name.")
    email = _text("email", "Their email address. Give an email address, a phone number or both.")
    phone = _text("phone", "Their UK phone number, for example 07700 900123 or +44 7700 900123.")
    relationship = _choice("relationship", "Who they are to the person under investigation.")
    stage = _choice("stage", "Where the investigation has got to.")
    children_in_household = _choice(
        "children_in_household", "Whether children under 18 live in the household."
    )
    support_wanted = _choice("support_wanted", "The support they would like.")
    format_preference = _choice("format_preference", "How they would prefer to meet.")
    area = _text("area", "Town or county (never an address).")
    accessibility_needs = _text("accessibility_needs", "Anything that would make contact easier.")


CLOCK_HELP = (
    "A time on the 24-hour clock, HH:MM, in UK time (Europe/London: the clock on the wall, "
    "whether or not it is summer time)."
)


class SafeWindowSerializer(serializers.Serializer):
    """A weekly window when it is safe to contact them: every `day`, from `from` up to
    `to`."""

    day = FormChoice(choices=DAY_CHOICES, help_text="The day of the week, in lower case.")

    # ``from`` is a Python keyword, so the two times are added here, not as attributes.
    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = FormText(required=True, help_text=f"When it becomes safe. {CLOCK_HELP}")
        fields["to"] = FormText(
            required=True,
            help_text=f"When it stops being safe: later than `from`, the same day. {CLOCK_HELP}",
        )
        return fields


SAFE_WINDOWS_HELP = (
    "When it is safe to contact them: weekly windows, at most "
    f"{MAX_WINDOWS}. Left out or empty: any time. Every message to them waits for one of "
    "these windows; on bank holidays (England and Wales) their Sunday windows apply."
)


class SafeContactSerializer(serializers.Serializer):
    channels = serializers.ListField(
        child=FormChoice(choices=_form_field("safe_channels").choices),
        required=False,
        help_text="Every way that is safe to contact them; at least one. Email needs an "
        "email address, calls, texts and voicemail a phone number (texts a mobile), post "
        "a postal address.",
    )
    safe_windows = SafeWindowSerializer(many=True, required=False, help_text=SAFE_WINDOWS_HELP)
    safe_times = _text(
        "safe_times",
        "Anything else they said about the days or times that are safe, in their words: "
        "for people to read. The portal keeps to `safe_windows`.",
    )
    name_to_use = _text("name_to_use", "The name to ask for if someone else answers.")
    may_name_organisation = _yes_no("Whether the organisation may say who it is.")
    shares_device_with_person = _yes_no(
        "Whether they share a phone, tablet or computer with the person under investigation."
    )
    shares_address_with_person = _yes_no(
        "Whether they live at the same address as the person under investigation."
    )
    postal_address = _text("postal_address", "Postal address, only if post is safe.")


class RecordedBySerializer(serializers.Serializer):
    name = _text("professional_name", "Name of the professional who took the consent.")
    identifier = _text("professional_identifier", "Their collar number or job title.")


class ConsentScopeSerializer(serializers.Serializer):
    share_status_with_referrer = _yes_no(
        "Whether the person agreed that the referring agency may see the referral's progress "
        "(received, contacted, support started, closed). Nothing else is ever shared back."
    )


class ConsentSerializer(serializers.Serializer):
    given = serializers.BooleanField(
        required=True,
        help_text="True: the person named agreed to be referred. Only refer people who agreed.",
    )
    method = _choice(
        "consent_method",
        "How they agreed.",
        choices=[("verbal", "Verbally"), ("written", "In writing")],
    )
    given_at = _text(
        "consent_given_at",
        "When they agreed, in ISO 8601 with a time zone, within the last 30 days.",
    )
    statement_version = serializers.ChoiceField(
        choices=[PROFESSIONAL_VERSION],
        help_text="The version of the consent statement the person agreed to.",
    )
    recorded_by = RecordedBySerializer(help_text="The professional who took the consent.")
    scope = ConsentScopeSerializer(help_text="What the person agreed may be done.")


class ReferralCreateSerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        required=False,
        help_text="Slug of the organisation to refer to, from /api/v1/services/. With an API "
        "key it may be left out: the key's organisation is used.",
    )
    agency = serializers.UUIDField(
        required=False,
        help_text="Only for a signed-in referrer who refers for more than one agency.",
    )
    person = PersonSerializer()
    safe_contact = SafeContactSerializer()
    consent = ConsentSerializer()


# What a referrer may see of a referral's progress. Named in the schema as it always was
# (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]), now that two answers share it.
SHARED_STATUSES = ["received", "contacted", "support_started", "closed"]


class ReferralStatusSerializer(serializers.Serializer):
    reference = serializers.CharField(
        help_text="The reference to quote, like KM7T-P2XQ: two groups of four letters and digits."
    )
    organisation = serializers.CharField(help_text="The organisation it was sent to.")
    submitted_at = serializers.DateTimeField()
    status_shared = serializers.BooleanField(
        help_text="False when the person chose not to share progress: status is then null."
    )
    status = serializers.ChoiceField(choices=SHARED_STATUSES, allow_null=True)
    status_label = serializers.CharField(allow_null=True)


class SafeWindowOutSerializer(serializers.Serializer):
    """A weekly window as the portal keeps it."""

    day = serializers.ChoiceField(choices=DAY_CHOICES)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(help_text=CLOCK_HELP)
        fields["to"] = serializers.CharField(help_text=CLOCK_HELP)
        return fields


class ReferralCreatedSerializer(ReferralStatusSerializer):
    safe_windows = SafeWindowOutSerializer(
        many=True,
        help_text="The safe times as the portal keeps them, so that they can be checked: "
        "sorted, with overlapping windows on the same day joined. Empty: any time. Only in "
        "this answer; the status never repeats them.",
    )


# Where each form field's errors are reported in the JSON body.
FORM_FIELD_PATHS = {
    **{name: f"person.{name}" for name in PersonSerializer().fields},
    "safe_channels": "safe_contact.channels",
    **{
        name: f"safe_contact.{name}"
        for name in SafeContactSerializer().fields
        if name not in ("channels", "safe_windows")
    },
    "consent_confirmed": "consent.given",
    "consent_method": "consent.method",
    "consent_given_at": "consent.given_at",
    "professional_name": "consent.recorded_by.name",
    "professional_identifier": "consent.recorded_by.identifier",
    "share_status_with_referrer": "consent.scope.share_status_with_referrer",
    "organisation": "organisation",
    "agency": "agency",
    "submission_key": None,
    "__all__": None,
}


def form_data_from(payload: dict, *, organisation_pk: str) -> dict:
    """The JSON body as the web form's POST data."""
    person, safe, consent = payload["person"], payload["safe_contact"], payload["consent"]
    data = {name: person.get(name, "") for name in PersonSerializer().fields}
    data.update({name: safe.get(name, "") for name in SafeContactSerializer().fields})
    data["safe_channels"] = data.pop("channels") or []
    data.pop("safe_windows")  # given to the form on its own (``safe_windows_from``)
    data.update(
        consent_confirmed="on" if consent["given"] else "",
        consent_method=consent.get("method", ""),
        consent_given_at=consent.get("given_at", ""),
        professional_name=consent["recorded_by"].get("name", ""),
        professional_identifier=consent["recorded_by"].get("identifier", ""),
        share_status_with_referrer=consent["scope"].get("share_status_with_referrer", ""),
        organisation=organisation_pk,
        agency=str(payload.get("agency") or ""),
        submission_key=new_submission_key(),
    )
    return data


def safe_windows_from(payload: dict) -> list[dict]:
    """The windows sent, as the form takes them: none (any time) if left out."""
    return list(payload["safe_contact"].get("safe_windows") or [])


# The staff editor's row fields, by the names the API gives them.
WINDOW_FIELD_NAMES = {"day": "day", "starts": "from", "ends": "to"}


def form_errors_as_api(form) -> list[dict]:
    entries = []
    for name, errors in form.errors.as_data().items():
        entries += _entries(FORM_FIELD_PATHS.get(name, name), errors)
    formset = getattr(form, "windows_formset", None)
    if formset is not None and formset.is_bound:
        path = "safe_contact.safe_windows"
        entries += _entries(path, formset.non_form_errors().as_data())
        for index, row in enumerate(formset.forms):
            for name, errors in row.errors.as_data().items():
                field = WINDOW_FIELD_NAMES.get(name)
                entries += _entries(f"{path}[{index}].{field}" if field else path, errors)
    return entries


def _entries(path: str | None, errors) -> list[dict]:
    return [
        {"field": path, "code": error.code or "invalid", "message": message}
        for error in errors
        for message in error.messages
    ]


def _created_body(referral: Referral, status_body: dict) -> dict:
    """The answer to a new referral: its status, and the safe times as they are kept.
    The times are added to each answer, never stored with it (see ``post``)."""
    return {**status_body, "safe_windows": referral.safe_contact.windows.to_json()}


def _status_body(referral: Referral) -> dict:
    shared = referral.share_status_with_referrer
    return {
        "reference": display_reference(referral.reference),
        "organisation": referral.organisation.name,
        "submitted_at": referral.created_at.isoformat(),
        "status_shared": shared,
        "status": referral.share_back_status if shared else None,
        "status_label": referral.share_back_label if shared else None,
    }


def _location(body: dict) -> dict:
    return {"Location": f"/api/v1/referrals/{body['reference']}/"}


class ReferralCollection(APIView):
    permission_classes = [key_or_verified_user(Scope.SUBMIT_REFERRALS)]
    throttle_classes = [CallerRateThrottle, SubmitRateThrottle]

    @extend_schema(
        operation_id="referrals_create",
        summary="Send a referral",
        description="Send a referral for a person who agreed to it, with the consent they "
        "gave and the ways it is safe to contact them. Send an `Idempotency-Key` header "
        "(a UUID) so that a retried request returns the first referral instead of making "
        "a second.",
        request=ReferralCreateSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                location=OpenApiParameter.HEADER,
                required=False,
                description="A unique value per referral, such as a UUID. Reusing it with "
                "the same body returns the first answer; with a different body, 409.",
            )
        ],
        responses={
            201: ReferralCreatedSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused."),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "A referral",
                request_only=True,
                value={
                    "person": {
                        "full_name": "Sam Taylor",
                        "phone": "07700 900123",
                        "relationship": "parent",
                        "stage": "searched_or_arrested",
                        "children_in_household": "no",
                        "support_wanted": "peer_group",
                        "format_preference": "zoom",
                    },
                    "safe_contact": {
                        "channels": ["call", "text"],
                        "safe_windows": [
                            {"day": day, "from": "18:00", "to": "21:00"}
                            for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
                        ],
                        "safe_times": "Not when her son is home from college",
                        "may_name_organisation": False,
                        "shares_device_with_person": False,
                        "shares_address_with_person": True,
                    },
                    "consent": {
                        "given": True,
                        "method": "verbal",
                        "given_at": "2026-11-27T14:30:00Z",
                        "statement_version": PROFESSIONAL_VERSION,
                        "recorded_by": {"name": "PC Alex Smith", "identifier": "4521"},
                        "scope": {"share_status_with_referrer": True},
                    },
                },
            )
        ],
    )
    def post(self, request):
        key = calling_key(request)
        caller = f"key:{key.pk}" if key else f"user:{request.user.pk}"
        idempotency_key = idempotency_key_from(request)
        request_hash = fingerprint(request.data)
        if idempotency_key:
            stored = previous_answer(caller=caller, key=idempotency_key, request_hash=request_hash)
            if stored is not None:
                body = _replayed(stored.response_body, request.data)
                return Response(body, status=stored.status_code, headers=_location(body))

        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payload = serializer.validated_data
        form = self._form(request, key, payload)
        if not form.is_valid():
            raise exceptions.ValidationError(form_errors_as_api_detail(form))
        submission_key = None
        if idempotency_key:
            raw = f"api:{caller}:{idempotency_key}"
            submission_key = hashlib.sha256(raw.encode()).hexdigest()
        try:
            referral = form.submit(
                referrer=None if key else request.user,
                api_key=key,
                submission_key=submission_key,
                request=request,
            )
        except services.ReferralError as error:
            raise exceptions.ValidationError({"organisation": [str(error)]}) from error
        body = _status_body(referral)
        if idempotency_key:
            # Stored in plain for the retry: the status only, never the safe times.
            body = answer_store(
                caller=caller,
                key=idempotency_key,
                request_hash=request_hash,
                status_code=status.HTTP_201_CREATED,
                body=body,
            ).response_body
        body = _created_body(referral, body)
        return Response(body, status=status.HTTP_201_CREATED, headers=_location(body))

    def _form(self, request, key, payload) -> ProfessionalReferralForm:
        """The referrer's form, filled in with the body."""
        if key is not None:
            agencies = [key.agency]
        else:
            agencies = referrer_agencies(user=request.user)
            if not agencies:
                raise exceptions.PermissionDenied(
                    "Only referrers, or partners with an API key, can send referrals."
                )
        # The same rule as the services list: a referral reaches only what it lists.
        organisations = organisations_caller_may_refer_to(key=key, user=request.user)
        slug = payload.get("organisation")
        if slug:
            found = organisations.filter(slug=slug).values_list("pk", flat=True).first()
            organisation_pk = str(found) if found else "not-listed"
        else:
            organisation_pk = str(key.organisation_id) if key is not None else ""
        return ProfessionalReferralForm(
            form_data_from(payload, organisation_pk=organisation_pk),
            agencies=agencies,
            organisations=organisations,
            safe_windows=safe_windows_from(payload),
        )


def _replayed(stored_body: dict, sent) -> dict:
    """A stored answer given again, with the safe times the retried request sent, read as
    on the first answer. The same key is answered only for the same body
    (``previous_answer`` compares their fingerprints), so these are the times the first
    answer showed. The times the portal holds now are not shown: the family or staff may
    have changed them since, and they are not the referrer's to see."""
    return {**stored_body, "safe_windows": _windows_as_read(sent)}


def _windows_as_read(sent) -> list[dict]:
    """The ``safe_windows`` of a request body as the first answer gave them: through the
    same serializer and rows as a new referral, so sorted and joined the same way."""
    serializer = ReferralCreateSerializer(data=sent)
    if not serializer.is_valid():
        return []
    rows = windows_formset_from_list(safe_windows_from(serializer.validated_data))
    return rows.windows().to_json() if rows.is_valid() else []


def form_errors_as_api_detail(form) -> dict:
    """Form errors keyed by their JSON path, for the shared error handler to flatten."""
    detail: dict = {}
    for entry in form_errors_as_api(form):
        field = entry["field"] or "non_field_errors"
        detail.setdefault(field, []).append(
            exceptions.ErrorDetail(entry["message"], code=entry["code"])
        )
    return detail


class ReferralStatusView(ShowsPersonalData, APIView):
    permission_classes = [key_or_verified_user(Scope.READ_STATUS)]
    throttle_classes = [CallerRateThrottle]
    personal_data_page = "api status"

    @extend_schema(
        operation_id="referrals_status",
        summary="Check a referral's status",
        description="The status of a referral the caller sent, only where the person agreed "
        "progress could be shared back. Another agency's reference, or one that does not "
        "exist, gets the same 404.",
        parameters=[
            OpenApiParameter(
                "reference",
                location=OpenApiParameter.PATH,
                description="The reference as it was given, like KM7T-P2XQ: with or without "
                "its hyphen, spaces or capitals.",
            )
        ],
        responses={200: ReferralStatusSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, reference: str):
        key = calling_key(request)
        # Found by its unique reference alone, then checked against the caller: with the
        # agency and organisation in the query as well, a planner whose statistics were
        # older than a fast-growing organisation searched that organisation's referrals
        # one by one for the reference.
        referral = (
            Referral.objects.select_related("organisation")
            .filter(reference=normalise_reference(reference))
            .first()
        )
        if key is not None:
            theirs = referral is not None and (
                referral.referring_agency_id == key.agency_id
                and referral.organisation_id == key.organisation_id
            )
        else:
            theirs = referral is not None and referral.referred_by_id == request.user.pk
        if not theirs:
            # Exactly as for a reference that does not exist.
            raise Http404
        self.personal_data_shown(organisation=referral.organisation, target=referral)
        return Response(_status_body(referral))
