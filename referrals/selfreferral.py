"""The public self-referral: its question pages, and the answers kept until they are sent.

A visitor answers one question per page. Until they send them, their answers are kept in
a ``SelfReferralDraft`` row, encrypted with the field-encryption keys (so key rotation
covers them), and their session holds only the row's random id: nothing they type is
readable in the database, the sessions table included. Every page's answers are
validated again when the request is sent, so a changed or stale draft can never create a
referral the forms would have refused.

Answers left untouched for ``IDLE_LIMIT`` are forgotten: a shared device must not keep
someone's answers for the next person who opens the browser, and a copy of the database
must not hold them for longer than the form needs. Reading refuses an expired draft, the
periodic ``delete_expired_self_referral_drafts`` job deletes it, and sending or the
quick exit deletes it at once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.organisations.models import Organisation

from . import forms as step_forms
from .choices import ConsentMethod, Source
from .consent import SELF_REFERRAL_VERSION
from .models import Referral, SelfReferralDraft
from .references import new_reference
from .services import (
    ConsentDetails,
    PersonDetails,
    SafeContactDetails,
    referral_submit,
)

SESSION_PREFIX = "selfreferral:"
IDLE_LIMIT = timedelta(minutes=60)
NOT_GIVEN = "Not given"


@dataclass(frozen=True)
class Step:
    slug: str
    # The page's heading: plain and neutral, never naming the investigation.
    title: str
    form_class: type[forms.Form]
    intro: tuple[str, ...] = ()


STEPS: tuple[Step, ...] = (
    Step("relationship", "About you", step_forms.RelationshipStepForm),
    Step("stage", "Where things are now", step_forms.StageStepForm),
    Step("children", "Your household", step_forms.ChildrenStepForm),
    Step("support", "Support that could help", step_forms.SupportStepForm),
    Step(
        "meeting",
        "How you would like to meet",
        step_forms.MeetingStepForm,
        intro=("Our calls and groups can happen online or in person.",),
    ),
    Step("access-needs", "Making things easier", step_forms.AccessNeedsStepForm),
    Step(
        "about-you",
        "Your name and contact details",
        step_forms.AboutYouStepForm,
        intro=(
            "We need at least one way to reach you: an email address, a UK phone number, or both.",
            "On the next page you can tell us which ways are safe to use.",
        ),
    ),
    Step(
        "safe-contact",
        "Contacting you safely",
        step_forms.SafeContactStepForm,
        intro=(
            "We will only contact you in the ways you say are safe. Our calls and messages "
            "do not say why we are getting in touch.",
        ),
    ),
    Step("agreement", "Your agreement", step_forms.AgreementStepForm),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}

# Short names for the answers on the check-your-answers page.
SUMMARY_LABELS = {
    "relationship": "Who they are to you",
    "stage": "Where things are now",
    "children_in_household": "Children under 18 at home",
    "support_wanted": "Support that could help",
    "format_preference": "How you would like to meet",
    "area": "Town or county",
    "accessibility_needs": "Anything to make things easier",
    "full_name": "Your name",
    "email": "Email address",
    "phone": "Phone number",
    "safe_channels": "Safe ways to contact you",
    "postal_address": "Postal address",
    "safe_times": "Safe days and times",
    "name_to_use": "Name to use when we contact you",
    "may_name_organisation": "May we say who we are",
    "shares_device_with_person": "Shares a phone, tablet or computer with them",
    "shares_address_with_person": "Lives at the same address as them",
}


def organisations_accepting_referrals():
    return Organisation.objects.filter(is_accepting_referrals=True).order_by("name")


def organisation_for_slug(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


def step_number(step: Step) -> int:
    return STEPS.index(step) + 1


def previous_step(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index else None


def next_step(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def honeypot_filled(data) -> bool:
    return bool(str(data.get(step_forms.HONEYPOT_FIELD, "")).strip())


class Incomplete(Exception):
    """A page's answers are missing or no longer valid."""

    def __init__(self, step: Step):
        super().__init__(step.slug)
        self.step = step


class Draft:
    """One visitor's answers for one organisation, kept encrypted until sent."""

    def __init__(self, request, organisation: Organisation):
        self.request = request
        self.session = request.session
        self.organisation = organisation
        # The session holds, under this key, only the random id of the draft's row.
        self.key = f"{SESSION_PREFIX}{organisation.slug}"
        self.done_key = f"{self.key}:done"
        self.expired = False
        self._data = self._load()

    # -- Storage: an encrypted row, found by the hash of an id only the session holds --

    def _rows(self, draft_id: object):
        if not isinstance(draft_id, str) or not draft_id:
            return SelfReferralDraft.objects.none()
        return SelfReferralDraft.objects.filter(
            key_hash=draft_key_hash(draft_id), organisation=self.organisation
        )

    def _load(self) -> dict:
        if self.key not in self.session:
            return {}
        row = self._rows(self.session[self.key]).first()
        if row is None or row.expires_at <= timezone.now():
            # Expired, deleted by the periodic job, or a value of an older shape.
            self._forget()
            self.expired = True
            return {}
        return _draft_data(row.answers)

    def _change(self, change: Callable[[dict], None]) -> None:
        """Apply ``change`` to the stored draft and start its hour again.

        The row is re-read under a lock, so two tabs answering different pages at once
        both keep their answers.
        """
        now = timezone.now()
        draft_id = self.session.get(self.key)
        with transaction.atomic():
            row = self._rows(draft_id).select_for_update().filter(expires_at__gt=now).first()
            if row is None:
                self._rows(draft_id).delete()
                draft_id = secrets.token_urlsafe(32)
                row = SelfReferralDraft(
                    key_hash=draft_key_hash(draft_id), organisation=self.organisation
                )
            data = _draft_data(row.answers)
            change(data)
            row.answers = json.dumps(data, separators=(",", ":"))
            row.updated_at = now
            row.expires_at = now + IDLE_LIMIT
            row.save()
        self._data = data
        self.session[self.key] = draft_id
        self._end_with_browser()

    def _forget(self) -> None:
        self._rows(self.session.pop(self.key, None)).delete()
        self._data = {}

    def _end_with_browser(self) -> None:
        # A visitor's session cookie goes when the browser closes (staff keep theirs).
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            self.session.set_expiry(0)

    def _answers(self) -> dict:
        answers = self._data.get("answers")
        return answers if isinstance(answers, dict) else {}

    def stored(self, step: Step) -> dict | None:
        answers = self._answers().get(step.slug)
        return answers if isinstance(answers, dict) else None

    # -- Forms ------------------------------------------------------------------------

    def form(self, step: Step, data=None) -> forms.Form:
        """The step's form bound to ``data``, or to the stored answers, or unbound."""
        if data is None:
            data = self.stored(step)
        kwargs = {}
        if step.slug == "safe-contact":
            contact = self.stored(STEPS_BY_SLUG["about-you"]) or {}
            kwargs = {
                "email": str(contact.get("email") or "").strip(),
                "phone": str(contact.get("phone") or "").strip(),
                "sender_name": self.organisation.discreet_sender_name,
            }
        return step.form_class(data=data, **kwargs)

    def save(self, step: Step, form: forms.Form) -> None:
        """Keep a valid page's answers exactly as typed, and only the step's own fields."""
        raw = {}
        for name, field in form.fields.items():
            value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
            raw[name] = "" if value is None else value

        def keep(data: dict) -> None:
            answers = data.get("answers")
            data["answers"] = {**(answers if isinstance(answers, dict) else {}), step.slug: raw}

        self._change(keep)

    def is_answered(self, step: Step) -> bool:
        return self.stored(step) is not None and self.form(step).is_valid()

    def first_unanswered(self) -> Step | None:
        for step in STEPS:
            if not self.is_answered(step):
                return step
        return None

    def valid_forms(self) -> dict[str, forms.Form]:
        """Every page's form, validated again; raises ``Incomplete`` at the first gap."""
        valid = {}
        for step in STEPS:
            form = self.form(step)
            if not form.is_bound or not form.is_valid():
                raise Incomplete(step)
            valid[step.slug] = form
        return valid

    def summary(self) -> list[dict]:
        """The answers as the check page shows them, grouped by the page that asked."""
        rows = []
        for slug, form in self.valid_forms().items():
            if slug == "agreement":
                continue
            for name, field in form.fields.items():
                rows.append(
                    {
                        "step": STEPS_BY_SLUG[slug],
                        "name": name,
                        "label": SUMMARY_LABELS[name],
                        "value": _display(field, form, name),
                    }
                )
        return rows

    def details(self) -> tuple[PersonDetails, SafeContactDetails]:
        valid = self.valid_forms()
        answers = {}
        for slug, form in valid.items():
            if slug != "safe-contact":
                answers.update(form.cleaned_data)
        person = PersonDetails(
            full_name=answers["full_name"],
            relationship=answers["relationship"],
            stage=answers["stage"],
            children_in_household=answers["children_in_household"],
            support_wanted=answers["support_wanted"],
            format_preference=answers["format_preference"],
            email=answers["email"],
            phone=answers["phone"],
            area=answers["area"],
            accessibility_needs=answers["accessibility_needs"],
        )
        return person, valid["safe-contact"].details()

    # -- Spam, sending and the confirmation page --------------------------------------

    def flag_as_automated(self) -> None:
        self._change(lambda data: data.update(automated=True))

    @property
    def looks_automated(self) -> bool:
        return bool(self._data.get("automated"))

    def submission_key(self) -> str:
        key = self._data.get("submission_key")
        if not isinstance(key, str) or not key:
            fresh = secrets.token_urlsafe(32)
            # Another tab may have made one a moment ago: keep theirs, so both pages agree.
            self._change(lambda data: data.setdefault("submission_key", fresh))
            key = self._data["submission_key"]
        return key

    def matches_submission_key(self, key: str) -> bool:
        stored = self._data.get("submission_key")
        return isinstance(stored, str) and secrets.compare_digest(stored, key)

    def finish(self, *, submission_key: str, referral: Referral | None) -> None:
        """Forget the answers; keep only what the confirmation page needs.

        With no referral (a filled-in honeypot) the page shows a made-up reference, so an
        automated sender cannot tell that nothing was created.
        """
        self._forget()
        self.session[self.done_key] = {
            "referral": str(referral.pk) if referral else "",
            "decoy_reference": "" if referral else new_reference(),
            "submission_key": submission_key,
            "touched": time.time(),
        }
        self._end_with_browser()

    def finished(self) -> dict | None:
        done = self.session.get(self.done_key)
        touched = done.get("touched") if isinstance(done, dict) else None
        if not isinstance(touched, int | float):
            return None
        if time.time() - touched > IDLE_LIMIT.total_seconds():
            self.session.pop(self.done_key, None)
            return None
        return done

    def finished_with(self, submission_key: str) -> bool:
        done = self.finished()
        stored = done.get("submission_key") if done else None
        return isinstance(stored, str) and secrets.compare_digest(stored, submission_key)

    def confirmation_reference(self) -> str | None:
        done = self.finished()
        if done is None:
            return None
        if done.get("decoy_reference"):
            return str(done["decoy_reference"])
        referral_id = _as_uuid(done.get("referral"))
        if referral_id is None:
            return None
        return (
            Referral.objects.for_organisation(self.organisation)
            .filter(pk=referral_id)
            .values_list("reference", flat=True)
            .first()
        )


def _display(field: forms.Field, form: forms.Form, name: str) -> str:
    value = form.cleaned_data.get(name)
    if isinstance(field, forms.MultipleChoiceField):
        labels = dict(field.choices)
        return ", ".join(str(labels[item]) for item in value) or NOT_GIVEN
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, NOT_GIVEN))
    # Text as typed: a phone number reads as the person wrote it, not in E.164 form.
    return str(form.data.get(name) or "").strip() or NOT_GIVEN


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _draft_data(stored: str) -> dict:
    try:
        data = json.loads(stored or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def draft_key_hash(draft_id: str) -> str:
    """Only a hash of a draft's id is stored: a copy of the drafts table cannot open one."""
    return hashlib.sha256(draft_id.encode()).hexdigest()


def self_referral_drafts_discard(*, session) -> int:
    """Delete every draft this session holds, for any organisation (the quick exit)."""
    hashes = [
        draft_key_hash(value)
        for key, value in session.items()
        if key.startswith(SESSION_PREFIX) and isinstance(value, str) and value
    ]
    if not hashes:
        return 0
    deleted, _ = SelfReferralDraft.objects.filter(key_hash__in=hashes).delete()
    return deleted


def self_referral_drafts_delete_expired() -> int:
    """Delete the drafts left idle past the hour (a periodic job)."""
    deleted, _ = SelfReferralDraft.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def self_referral_submit(*, draft: Draft, submission_key: str, request=None) -> Referral:
    """Send the draft's answers as a self-referral; raises ``Incomplete`` or ReferralError."""
    person, safe_contact = draft.details()
    return referral_submit(
        organisation=draft.organisation,
        person=person,
        safe_contact=safe_contact,
        consent=ConsentDetails(
            method=ConsentMethod.ONLINE_FORM,
            given_at=timezone.now(),
            statement_version=SELF_REFERRAL_VERSION,
        ),
        source=Source.SELF,
        submission_key=submission_key,
        request=request,
    )
