"""The public self-referral: its question pages, and the answers kept until they are sent.

A visitor answers one question per page, all at one address (``/refer/<organisation>/``):
which page that address shows (the start, a question, the check page or the
confirmation) is kept with the answers, so the browser's history holds one entry for the
whole form and its Back button can never bring an earlier question back (see
``Draft.place``). Until they send them, their answers are kept in
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
from .forms_safe_times import CHOICE, DAYS, FROM, TO
from .models import Referral, SelfReferralDraft
from .references import new_reference
from .services import (
    ConsentDetails,
    PersonDetails,
    ReferralError,
    SafeContactDetails,
    referral_submit,
)

# The days and times of "Let me choose", and the person's note, are shown in the one
# row of their safe times (``_safe_times_in_words``).
SHOWN_WITH_SAFE_TIMES = frozenset({DAYS, FROM, TO, "safe_times"})
SESSION_PREFIX = "selfreferral:"
IDLE_LIMIT = timedelta(minutes=60)
NOT_GIVEN = "Not given"

# The pages the one address shows besides the questions.
START = "start"
CHECK = "check"
DONE = "done"
QUESTION = "question"


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
# Where a visitor may ask to go next: the start page, a question or the check page.
PLACES = frozenset({START, CHECK, *STEPS_BY_SLUG})


@dataclass(frozen=True)
class Place:
    """The page the self-referral's one address shows a visitor now."""

    page: str  # START, QUESTION, CHECK or DONE
    step: Step | None = None
    # A question reached from the check page returns there when answered.
    changing: bool = False


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
    "safe_times_choice": "Safe days and times",
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


def back_from(place: Place) -> str:
    """Where a question's Back button goes: the check page it came from, or the page before."""
    if place.changing:
        return CHECK
    previous = previous_step(place.step) if place.step else None
    return previous.slug if previous is not None else START


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
        return _not_remembered_by_the_browser(step.form_class(data=data, **kwargs))

    def save(self, step: Step, form: forms.Form, *, then: str | None = None) -> None:
        """Keep a valid page's answers exactly as typed, and only the step's own fields.

        ``then`` is the place to show next (a step's slug, or ``CHECK``).
        """
        raw = _as_typed(form)

        def keep(data: dict) -> None:
            answers = data.get("answers")
            data["answers"] = {**(answers if isinstance(answers, dict) else {}), step.slug: raw}
            if then is not None:
                _go(data, then)

        self._change(keep)

    def keep_unsaved(self, step: Step, form: forms.Form, *, changing: bool) -> None:
        """Keep a page's answers that did not pass, to show them again beside the problems.

        They are kept apart from the answers (which only ever hold pages that passed) and
        go as soon as the visitor moves on.
        """
        raw = _as_typed(form)

        def keep(data: dict) -> None:
            _go(data, step.slug, changing=changing)
            data["unsaved"] = {"step": step.slug, "answers": raw}

        self._change(keep)

    def unsaved(self, step: Step) -> dict | None:
        kept = self._data.get("unsaved")
        if not isinstance(kept, dict) or kept.get("step") != step.slug:
            return None
        answers = kept.get("answers")
        return answers if isinstance(answers, dict) else None

    def is_answered(self, step: Step) -> bool:
        return self.stored(step) is not None and self.form(step).is_valid()

    def may_answer(self, step: Step) -> bool:
        """Every question before ``step`` has answers that pass."""
        gap = self.first_unanswered()
        return gap is None or step_number(gap) >= step_number(step)

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
                if name in SHOWN_WITH_SAFE_TIMES:
                    continue
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

    # -- Where the one address takes the visitor --------------------------------------

    @property
    def in_progress(self) -> bool:
        return bool(self._data)

    def place(self) -> Place:
        """The page to show now: where the visitor last went, if they may be there.

        A question after one still unanswered shows that one instead, and the check page
        shows the first page whose answers no longer pass (a changed detail, a stale or
        damaged draft) with the problem beside the field.
        """
        if not self.in_progress:
            return Place(DONE) if self.confirmation_reference() else Place(START)
        at = self._data.get("at")
        if at == START:
            return Place(START)
        gap = self.first_unanswered()
        step = STEPS_BY_SLUG.get(at) if isinstance(at, str) else None
        if step is not None:
            if gap is not None and step_number(gap) < step_number(step):
                return Place(QUESTION, gap)
            return Place(QUESTION, step, changing=self._data.get("changing") is True)
        if gap is not None:
            return Place(QUESTION, gap, changing=self.stored(gap) is not None)
        return Place(CHECK)

    def go_to(self, place: str, *, changing: bool = False) -> None:
        """Show ``place`` (``START``, ``CHECK`` or a step's slug) next."""
        if place not in PLACES:
            raise ValueError(place)
        self._change(lambda data: _go(data, place, changing=changing))

    def note_problem(self, message: str) -> None:
        """Show the check page again with ``message`` (a refusal safe to show)."""

        def note(data: dict) -> None:
            _go(data, CHECK)
            data["problem"] = message

        self._change(note)

    @property
    def problem(self) -> str:
        problem = self._data.get("problem")
        return problem if isinstance(problem, str) else ""

    def rate_limit_key(self) -> str | None:
        """What this browser's requests are counted under: its draft, else its session.

        None before the browser has either, which leaves only the per-address count.
        """
        draft_id = self.session.get(self.key)
        if isinstance(draft_id, str) and draft_id:
            return f"draft:{draft_key_hash(draft_id)}"
        session_key = self.session.session_key
        if session_key:
            return f"session:{draft_key_hash(session_key)}"
        return None

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
    if name == CHOICE:
        return _safe_times_in_words(form)
    value = form.cleaned_data.get(name)
    if isinstance(field, forms.MultipleChoiceField):
        labels = dict(field.choices)
        return ", ".join(str(labels[item]) for item in value) or NOT_GIVEN
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, NOT_GIVEN))
    # Text as typed: a phone number reads as the person wrote it, not in E.164 form.
    return str(form.data.get(name) or "").strip() or NOT_GIVEN


def _safe_times_in_words(form) -> str:
    """ "Monday to Friday, 9am to 5pm", with their own words about times below."""
    windows = form.chosen_windows()
    words = windows.describe() if windows is not None else NOT_GIVEN
    note = str(form.data.get("safe_times") or "").strip()
    return f"{words}\nYou also said: {note}" if note else words


def _go(data: dict, place: str, *, changing: bool = False) -> None:
    data["at"] = place
    data["changing"] = changing
    # What was shown with the last page (answers that did not pass, a refusal) goes with it.
    data.pop("unsaved", None)
    data.pop("problem", None)


def _as_typed(form: forms.Form) -> dict:
    raw = {}
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        raw[name] = "" if value is None else value
    return raw


def _browser_may_remember(widget: forms.Widget) -> bool:
    """Whether a browser may keep this control's value and offer it again.

    Those are the controls HTML's ``autocomplete`` attribute applies to: text of any
    kind, text areas and lists; not radios, checkboxes, files or hidden values.
    """
    if isinstance(widget, forms.widgets.Input):
        return widget.input_type not in {"hidden", "checkbox", "radio", "file"}
    return isinstance(widget, forms.Textarea | forms.Select)


def _not_remembered_by_the_browser(form: forms.Form) -> forms.Form:
    """Ask the browser not to keep or offer what is typed here.

    A shared browser would otherwise offer one person's name, email address, phone
    number or postal address to the next person who uses the form, and show that
    this site was used. Every field of every step gets it, whatever its own widget
    says, so a new field cannot forget it. (WCAG 1.3.5 asks for autocomplete tokens on
    fields about the user; here the person's safety comes first: see docs/security.md.)
    """
    for field in form.fields.values():
        if _browser_may_remember(field.widget):
            field.widget.attrs["autocomplete"] = "off"
    return form


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


# -- What each kind of POST to the one address does ------------------------------------

CHECK_AGAIN_MESSAGE = "Please check your answers and then send them again."


def self_referral_answer(*, draft: Draft, data) -> None:
    """Keep a question's answers and go on; answers that do not pass are shown again.

    ``data`` names its question in ``step``: a page left open in another tab still
    answers the question it showed. A question after one still unanswered is refused.
    """
    step = answered_step(data)
    if step is None:
        return
    if not draft.may_answer(step):
        draft.go_to(step.slug)  # which shows the first question still unanswered
        return
    if step == STEPS[0] and honeypot_filled(data):
        draft.flag_as_automated()
    place = draft.place()
    changing = place.step == step and place.changing
    form = draft.form(step, data=data)
    if not form.is_valid():
        draft.keep_unsaved(step, form, changing=changing)
        return
    following = next_step(step)
    draft.save(step, form, then=CHECK if changing or following is None else following.slug)


def answered_step(data) -> Step | None:
    """The question a POST answers, named in its ``step`` field."""
    return STEPS_BY_SLUG.get(str(data.get("step", "")))


def self_referral_go(*, draft: Draft, place: str, changing: bool = False) -> None:
    """Back, Start and Change: show ``place`` next. Anything else shows the same page."""
    if place not in PLACES or (changing and place not in STEPS_BY_SLUG):
        return
    if changing and not draft.in_progress:
        return
    draft.go_to(place, changing=changing)


def self_referral_send(*, draft: Draft, data, request=None) -> None:
    """Send the answers from the check page, once however often Send is pressed.

    Whatever happens, the one address then shows what comes next: the confirmation, a
    question whose answers no longer pass, or the check page with the problem.
    """
    submit = step_forms.SubmitForm(data)
    key = submit.cleaned_data["submission_key"] if submit.is_valid() else ""
    if key and draft.finished_with(key):
        # The second click of a double click: the first one already sent it.
        return
    if not draft.in_progress:
        return
    gap = draft.first_unanswered()
    if gap is not None:
        draft.go_to(gap.slug, changing=draft.stored(gap) is not None)
        return
    if not key or not draft.matches_submission_key(key):
        draft.note_problem(CHECK_AGAIN_MESSAGE)
        return
    if draft.looks_automated or honeypot_filled(data):
        draft.finish(submission_key=key, referral=None)
        return
    try:
        referral = self_referral_submit(draft=draft, submission_key=key, request=request)
    except Incomplete as incomplete:
        draft.go_to(incomplete.step.slug, changing=True)
    except ReferralError as refusal:
        draft.note_problem(str(refusal))
    else:
        draft.finish(submission_key=key, referral=referral)
