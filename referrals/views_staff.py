"""Caseworkers' pages: the triage queue and a referral's page with its actions.

Every view about one referral is decorated with ``access.referral_record``: the referral
is fetched through ``selectors.referral_for_staff`` (another organisation's answers 404,
like one that does not exist), the reason for access is asked first where one is
needed, and everything rendered, error pages included, is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.audit.viewing import personal_data_shown, shows_personal_data
from portal.core.parsing import parse_uuid
from portal.organisations.permissions import coordinated_organisation_or_404, has_role
from portal.organisations.roles import Role

from . import access, selectors, services
from .choices import ConsentMethod, Source, State
from .erasure import person_erase
from .forms import (
    AccessReasonForm,
    CaseNoteForm,
    CloseForm,
    EraseForm,
    StaffSafeContactForm,
    windows_formset,
)
from .forms_contact import ContactAttemptForm
from .queue_rows import assignee_options, queue_row
from .references import TYPED_MAX_LENGTH, display_reference, normalise_reference
from .safe_contact_rules import UnsafeContact
from .transitions import next_states
from .views_staff_messages import message_panel

QUEUE_PAGE_SIZE = 25


def _queue_filters(request) -> selectors.QueueFilters:
    get = request.GET
    return selectors.QueueFilters(
        state=get.get("state", "open"),
        source=get.get("source", ""),
        assignee=get.get("assignee", ""),
        due=get.get("due", ""),
        age=get.get("age", ""),
        reference=_reference_searched(get.get("reference", "")),
    )


def _reference_searched(typed: str) -> str:
    """The reference searched for, shown back in the one form however it was typed.
    Something with no letters or digits in it ("---") is kept as typed, so the page says
    no referral has it rather than quietly listing the whole queue."""
    typed = typed[:TYPED_MAX_LENGTH]
    return normalise_reference(typed) or "".join(ch for ch in typed if ch.isprintable()).strip()


@require_GET
@shows_personal_data(page="referral queue")
def queue(request):
    filters = _queue_filters(request)
    page = Paginator(
        selectors.referrals_for_queue(user=request.user, filters=filters), QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # One audit row per organisation whose people were listed.
    shown: dict = {}
    for referral in page.object_list:
        shown.setdefault(referral.organisation, []).append(str(referral.pk))
    for organisation, ids in shown.items():
        personal_data_shown(request, organisation=organisation, records=len(ids))
    today = timezone.localdate()
    return render(
        request,
        "referrals/staff/queue.html",
        {
            "page": page,
            "rows": [queue_row(referral, today=today) for referral in page.object_list],
            "filters": filters,
            "states": State.choices,
            "sources": Source.choices,
            "assignees": assignee_options(selectors.case_staff_for_user(user=request.user)),
            "query": query.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
def access_reason(request, referral_id):
    """The gate itself: shows only the reference and who the referral is assigned to."""
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
    target = access.safe_return_path(request, referral)
    because = access.reason_needed_because(referral=referral, user=request.user)
    if because is None or access.may_open(request, referral):
        return redirect(target)
    form = AccessReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        access.access_reason_record(
            request=request, referral=referral, reason=form.cleaned_data["reason"]
        )
        return redirect(target)
    return render(
        request,
        "referrals/staff/access_reason.html",
        {
            "form": form,
            "reference": display_reference(referral.reference),
            "because": because,
            "assigned_to": referral.assigned_to,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@shows_personal_data(page="reasons for access")
def access_reasons(request, organisation_id):
    """The coordinators' review list of reasons given for access."""

    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    page = Paginator(
        selectors.access_reasons_for_review(organisation=organisation), QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    personal_data_shown(request, organisation=organisation)
    return render(
        request,
        "referrals/staff/access_reasons.html",
        {"organisation": organisation, "page": page},
    )


@require_http_methods(["GET", "POST"])
@access.referral_record(page="erase", roles=[Role.COORDINATOR])
def erase(request, referral):
    """A coordinator erases a person on their request, after typing the reference."""
    form = EraseForm(request.POST or None, reference=referral.reference)
    if request.method == "POST" and form.is_valid():
        person_erase(referral=referral, actor=request.user, request=request)
        messages.success(
            request,
            "Everything held about that person has been erased. A record that an erasure "
            "happened, when and by whom, is kept.",
        )
        return redirect("referrals:queue")
    return render(
        request,
        "referrals/staff/erase.html",
        {"form": form, "referral": referral, "reference": display_reference(referral.reference)},
        status=400 if form.errors else 200,
    )


@require_GET
@access.referral_record(page="referral")
def detail(request, referral):
    return render(request, "referrals/staff/detail.html", _detail_context(request, referral))


def _detail_context(request, referral, **forms) -> dict:
    return {
        "referral": referral,
        "reference": display_reference(referral.reference),
        "safe": referral.safe_contact,
        "next_states": [
            (state, State(state).label)
            for state in next_states(referral.state)
            if state != State.CLOSED
        ],
        "can_close": referral.state != State.CLOSED,
        "assignees": assignee_options(selectors.case_staff(organisation=referral.organisation)),
        "current_assignee": str(referral.assigned_to.public_id) if referral.assigned_to_id else "",
        "attempt_form": forms.get("attempt_form") or ContactAttemptForm(),
        # Set when the attempt was refused as unsafe: shown beside the form.
        "attempt_check": forms.get("attempt_check"),
        **message_panel(referral, form=forms.get("message_form"), check=forms.get("message_check")),
        "note_form": forms.get("note_form") or CaseNoteForm(),
        "close_form": CloseForm(),
        "can_erase": has_role(request.user, referral.organisation, [Role.COORDINATOR]),
        **selectors.referral_page_data(referral=referral),
    }


@require_GET
@access.referral_record(page="timeline")
def timeline(request, referral):
    return render(
        request,
        "referrals/staff/timeline.html",
        {
            "referral": referral,
            "reference": display_reference(referral.reference),
            "events": selectors.referral_timeline(referral=referral),
        },
    )


def _back(referral):
    return redirect("referrals:detail", referral_id=referral.pk)


def _run(request, referral, action, success: str):
    try:
        action()
    except services.ReferralError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return _back(referral)


@require_POST
@access.referral_record(page="claim")
def claim(request, referral):
    return _run(
        request,
        referral,
        lambda: services.referral_assign(
            referral=referral, assignee=request.user, actor=request.user, request=request
        ),
        "You are now working on this referral.",
    )


@require_POST
@access.referral_record(page="assign")
def assign(request, referral):
    chosen = request.POST.get("assignee", "")
    staff = selectors.case_staff(organisation=referral.organisation)
    assignee = staff.filter(public_id=parse_uuid(chosen)).first() if chosen else None
    if chosen and assignee is None:
        messages.error(request, "Choose someone from the list.")
        return _back(referral)
    return _run(
        request,
        referral,
        lambda: services.referral_assign(
            referral=referral, assignee=assignee, actor=request.user, request=request
        ),
        f"Assigned to {assignee}." if assignee else "No one is assigned now.",
    )


@require_POST
@access.referral_record(page="status")
def transition(request, referral):
    to_state = request.POST.get("to_state", "")
    close_reason = ""
    if to_state == State.CLOSED:
        form = CloseForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a reason for closing the referral.")
            return _back(referral)
        close_reason = form.cleaned_data["close_reason"]
    label = State(to_state).label if to_state in State.values else to_state
    return _run(
        request,
        referral,
        lambda: services.referral_transition(
            referral=referral,
            to_state=to_state,
            actor=request.user,
            close_reason=close_reason,
            request=request,
        ),
        f"Status changed to '{label}'.",
    )


@require_POST
@access.referral_record(page="contact attempt")
def contact_attempt(request, referral):
    form = ContactAttemptForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, referral, form)
    try:
        services.contact_attempt_record(
            referral=referral, actor=request.user, request=request, **form.cleaned_data
        )
    except UnsafeContact as error:
        # Beside the reason field, with what is safe for them beside the form.
        form.unsafe(error)
        return detail_page(
            request, referral, status=400, attempt_form=form, attempt_check=error.check
        )
    except services.ReferralError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Contact attempt saved.")
    return _back(referral)


@require_POST
@access.referral_record(page="note")
def note(request, referral):
    form = CaseNoteForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, referral, form)
    return _run(
        request,
        referral,
        lambda: services.case_note_add(
            referral=referral, body=form.cleaned_data["body"], actor=request.user, request=request
        ),
        "Note saved.",
    )


@require_http_methods(["GET", "POST"])
@access.referral_record(page="safe contact")
def safe_contact_edit(request, referral):
    """Staff change safe contact with the person; safe times are rows of day, from and
    to (``forms_safe_times.windows_formset``), beside the person's own words about them."""
    safe = referral.safe_contact
    data = request.POST if request.method == "POST" else None
    form = StaffSafeContactForm(data, initial=StaffSafeContactForm.initial_from(safe))
    rows = windows_formset(data, windows=safe.windows)
    if data is not None and form.is_valid():
        form.check_channel_details(email=referral.email, phone=referral.phone)
    if data is not None and form.is_valid() and rows.passes():
        try:
            services.safe_contact_update(
                referral=referral,
                details=form.details(windows=rows.chosen()),
                actor=request.user,
                request=request,
            )
        except services.ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Safe contact updated.")
            return _back(referral)
    refused = data is not None and (bool(form.errors) or not rows.passes())
    return render(
        request,
        "referrals/staff/safe_contact_form.html",
        {
            "referral": referral,
            "reference": display_reference(referral.reference),
            "form": form,
            "rows": rows,
            "safe": safe,
        },
        status=400 if refused else 200,
    )


@require_POST
@access.referral_record(page="withdraw consent")
def withdraw_consent(request, referral):
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm the person withdrew their consent.")
        return _back(referral)
    return _run(
        request,
        referral,
        lambda: services.consent_withdraw(
            referral=referral, method=ConsentMethod.TO_STAFF, actor=request.user, request=request
        ),
        "Consent withdrawal recorded. No more messages or reminders will be sent.",
    )


def _form_errors(request, referral, form):
    """Re-show the referral page with the failed form's errors beside its fields."""
    key = "attempt_form" if isinstance(form, ContactAttemptForm) else "note_form"
    return detail_page(request, referral, status=400, **{key: form})


def detail_page(request, referral, *, status: int = 200, **forms):
    """The referral's page, with any of its forms given (bound, with their errors)."""
    return render(
        request,
        "referrals/staff/detail.html",
        _detail_context(request, referral, **forms),
        status=status,
    )
