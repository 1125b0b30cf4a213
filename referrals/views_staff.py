"""Caseworkers' pages: the triage queue and a referral's page with its actions.

Every view about one referral is decorated with ``access.referral_record``: the referral
is fetched through ``selectors.referral_for_staff`` (another organisation's answers 404,
like one that does not exist), the reason for access is asked first where one is
needed, and everything rendered, error pages included, is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peergroups.keep_apart import kept_apart_for_referral
from portal.audit.viewing import personal_data_shown, shows_personal_data
from portal.core.parsing import parse_uuid
from portal.organisations.permissions import coordinated_organisation_or_404, has_role
from portal.organisations.roles import Role

from . import access, selectors, services
from .choices import CloseReason, ConsentMethod, Source, State
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
from .forms_keep_apart import KeepApartForm
from .progress import referral_progress
from .queue_rows import assignee_options, queue_row
from .references import display_reference
from .safe_contact_rules import UnsafeContact
from .search import SEARCH_MAX_LENGTH, person_search_audit
from .transitions import Progress, close_reasons, next_states, refusal
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
        # "reference" is the box's name from when it found references only: links and
        # bookmarks made then still work.
        search=get.get("reference", "")[:SEARCH_MAX_LENGTH],
    )


@require_GET
@shows_personal_data(page="referral queue")
def queue(request):
    filters = _queue_filters(request)
    referrals, search = selectors.referrals_for_queue_searched(user=request.user, filters=filters)
    page = Paginator(referrals, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if search is not None:
        person_search_audit(request=request, kind=search.kind, results=page.paginator.count)
        # A reference found is shown back in its one form, however it was typed.
        if search.reference and page.paginator.count:
            query["reference"] = search.reference
    # One audit row per organisation whose people were listed.
    shown: dict = {}
    for referral in page.object_list:
        shown.setdefault(referral.organisation, []).append(str(referral.pk))
    for organisation, ids in shown.items():
        personal_data_shown(request, organisation=organisation, records=len(ids))
    today = timezone.localdate()
    # The referral's page links back to this very page of the queue.
    back = query.copy()
    if page.number > 1:
        back["page"] = str(page.number)
    back = back.urlencode()
    return render(
        request,
        "referrals/staff/queue.html",
        {
            "page": page,
            "rows": [queue_row(referral, today=today, back=back) for referral in page.object_list],
            "filters": filters,
            "search": search,
            "searched": query.get("reference", ""),
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


QUEUE_KEYS = ("reference", "state", "source", "assignee", "due", "age", "page")


def _queue_back_url(request) -> str:
    """The queue as the caseworker left it (search, filters, page), from ``back``; only
    the queue's own keys are kept, so the link can only ever lead to the queue."""
    back = QueryDict(request.GET.get("back", "")[:1000])
    kept = QueryDict(mutable=True)
    for key in QUEUE_KEYS:
        if back.get(key):
            kept[key] = back[key][:SEARCH_MAX_LENGTH]
    url = reverse("referrals:queue")
    return f"{url}?{kept.urlencode()}" if kept else url


def _status_controls(referral, close_form, transition_error) -> dict:
    """The moves offered on the page: only those the state machine would make now, so
    nothing offered is refused. A move it refused is explained beside its control."""
    progress = referral_progress(referral=referral) if referral.is_open else Progress()
    moves = [state for state in next_states(referral.state) if state != State.CLOSED]
    reasons = close_reasons(progress)
    return {
        "next_states": [
            (state, State(state).label)
            for state in moves
            if refusal(target=state, progress=progress) is None
        ],
        # Why a move the status allows is not offered yet.
        "moves_waiting": [
            refusal(target=state, progress=progress)
            for state in moves
            if refusal(target=state, progress=progress)
        ],
        "can_close": referral.state != State.CLOSED,
        "close_form": close_form or CloseForm(reasons=reasons),
        "completed_waits_for_contact": CloseReason.COMPLETED not in dict(reasons),
        "transition_error": transition_error,
    }


def _detail_context(request, referral, **forms) -> dict:
    return {
        "queue_url": _queue_back_url(request),
        "referral": referral,
        "reference": display_reference(referral.reference),
        "safe": referral.safe_contact,
        **_status_controls(referral, forms.get("close_form"), forms.get("transition_error")),
        "assignees": assignee_options(selectors.case_staff(organisation=referral.organisation)),
        "current_assignee": str(referral.assigned_to.public_id) if referral.assigned_to_id else "",
        "attempt_form": forms.get("attempt_form") or ContactAttemptForm(),
        # Set when the attempt was refused as unsafe: shown beside the form.
        "attempt_check": forms.get("attempt_check"),
        **message_panel(referral, form=forms.get("message_form"), check=forms.get("message_check")),
        "note_form": forms.get("note_form") or CaseNoteForm(),
        "can_erase": has_role(request.user, referral.organisation, [Role.COORDINATOR]),
        "kept_apart": kept_apart_for_referral(referral=referral),
        "keep_apart_form": forms.get("keep_apart_form") or KeepApartForm(),
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
    close_form = None
    if to_state == State.CLOSED:
        close_form = CloseForm(request.POST)
        if not close_form.is_valid():
            return detail_page(request, referral, status=400, close_form=close_form)
        close_reason = close_form.cleaned_data["close_reason"]
    label = State(to_state).label if to_state in State.values else to_state
    try:
        services.referral_transition(
            referral=referral,
            to_state=to_state,
            actor=request.user,
            close_reason=close_reason,
            request=request,
        )
    except services.ReferralError as error:
        # Beside the control that was used: the close form's reason, or the moves.
        if close_form is not None:
            close_form.add_error("close_reason", str(error))
            return detail_page(request, referral, status=400, close_form=close_form)
        return detail_page(request, referral, status=400, transition_error=str(error))
    messages.success(request, f"Status changed to '{label}'.")
    return _back(referral)


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
