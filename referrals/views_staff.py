"""Caseworkers' pages: the triage queue and a referral's page with its actions.

Every referral is fetched through ``selectors.referral_for_staff``: another
organisation's referral answers 404, like one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
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
    ContactAttemptForm,
    EraseForm,
    SafeContactForm,
)
from .queue_rows import assignee_options, queue_row
from .references import display_reference
from .transitions import next_states

QUEUE_PAGE_SIZE = 25


def _queue_filters(request) -> selectors.QueueFilters:
    get = request.GET
    return selectors.QueueFilters(
        state=get.get("state", "open"),
        source=get.get("source", ""),
        assignee=get.get("assignee", ""),
        due=get.get("due", ""),
        age=get.get("age", ""),
    )


@require_GET
def queue(request):
    filters = _queue_filters(request)
    page = Paginator(
        selectors.referrals_for_queue(user=request.user, filters=filters), QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The queue shows names: one audit row per organisation whose people were listed.
    shown: dict = {}
    for referral in page.object_list:
        shown.setdefault(referral.organisation, []).append(str(referral.pk))
    for organisation, ids in shown.items():
        audit_record(
            action=AuditEvent.Action.VIEWED,
            request=request,
            organisation=organisation,
            detail={"page": "referral queue", "records": len(ids)},
        )
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


# Pages that show a referral, and where the reason page sends people back to.
READING_PAGES = {"detail": "referrals:detail", "timeline": "referrals:timeline"}


def _reason_first(request, referral, page: str):
    """Send someone to the reason page if this referral needs one and they gave none."""
    if access.may_open(request, referral):
        return None
    return redirect(f"{reverse('referrals:access-reason', args=[referral.pk])}?next={page}")


@require_http_methods(["GET", "POST"])
def access_reason(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
    page = request.GET.get("next", "detail")
    target = reverse(READING_PAGES.get(page, READING_PAGES["detail"]), args=[referral.pk])
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
def access_reasons(request, organisation_id):
    """The coordinators' review list of reasons given for access."""

    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    page = Paginator(
        selectors.access_reasons_for_review(organisation=organisation), QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    audit_record(
        action=AuditEvent.Action.VIEWED,
        request=request,
        organisation=organisation,
        detail={"page": "reasons for access"},
    )
    return render(
        request,
        "referrals/staff/access_reasons.html",
        {"organisation": organisation, "page": page},
    )


@require_http_methods(["GET", "POST"])
def erase(request, referral_id):
    """A coordinator erases a person on their request, after typing the reference."""
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
    if not has_role(request.user, referral.organisation, [Role.COORDINATOR]):
        raise Http404
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
def detail(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
    if (asked := _reason_first(request, referral, "detail")) is not None:
        return asked
    audit_record(
        action=AuditEvent.Action.VIEWED,
        request=request,
        organisation=referral.organisation,
        target=referral,
        detail={"page": "referral"},
    )
    context = _detail_context(referral)
    context["can_erase"] = has_role(request.user, referral.organisation, [Role.COORDINATOR])
    return render(request, "referrals/staff/detail.html", context)


def _detail_context(referral, **forms) -> dict:
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
        "note_form": forms.get("note_form") or CaseNoteForm(),
        "close_form": CloseForm(),
        **selectors.referral_page_data(referral=referral),
    }


@require_GET
def timeline(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
    if (asked := _reason_first(request, referral, "timeline")) is not None:
        return asked
    audit_record(
        action=AuditEvent.Action.VIEWED,
        request=request,
        organisation=referral.organisation,
        target=referral,
        detail={"page": "timeline"},
    )
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
def claim(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
    return _run(
        request,
        referral,
        lambda: services.referral_assign(
            referral=referral, assignee=request.user, actor=request.user, request=request
        ),
        "You are now working on this referral.",
    )


@require_POST
def assign(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
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
def transition(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
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
def contact_attempt(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
    form = ContactAttemptForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, referral, form)
    return _run(
        request,
        referral,
        lambda: services.contact_attempt_record(
            referral=referral, actor=request.user, request=request, **form.cleaned_data
        ),
        "Contact attempt saved.",
    )


@require_POST
def note(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
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
def safe_contact_edit(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
    if (asked := _reason_first(request, referral, "detail")) is not None:
        return asked
    if request.method == "GET":
        audit_record(
            action=AuditEvent.Action.VIEWED,
            request=request,
            organisation=referral.organisation,
            target=referral,
            detail={"page": "safe contact"},
        )
    form = SafeContactForm(
        request.POST or None, initial=SafeContactForm.initial_from(referral.safe_contact)
    )
    if request.method == "POST" and form.is_valid():
        form.check_channel_details(email=referral.email, phone=referral.phone)
    if request.method == "POST" and form.is_valid():
        try:
            services.safe_contact_update(
                referral=referral, details=form.details(), actor=request.user, request=request
            )
        except services.ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Safe contact updated.")
            return _back(referral)
    return render(
        request,
        "referrals/staff/safe_contact_form.html",
        {"referral": referral, "reference": display_reference(referral.reference), "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def withdraw_consent(request, referral_id):
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
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
    return render(
        request, "referrals/staff/detail.html", _detail_context(referral, **{key: form}), status=400
    )
