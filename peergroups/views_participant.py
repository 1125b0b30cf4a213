"""The participant's own page, reached through a private link. No account needed.

The link's secret is used once: ``participant_link`` exchanges it for a grant in the
visitor's session and redirects to ``/groups/my-place/``; every other view here reads
the grant (``referrals.links``), so the secret is never in the address of a page, an
action or the calendar file. Joining details (Zoom link and passcode, or the venue's
address) are shown only as ``selectors.joining_details`` allows.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.access import public
from portal.outcomes.forms import AnswersForm
from portal.outcomes.selectors import questionnaires_due
from portal.outcomes.services import OutcomeError, response_submit
from referrals import links

from . import selectors, services
from .calendar import sessions_calendar
from .models import Booking, InitialCallSlot

PLACE = links.Purpose.PLACE


def _expired(request):
    return render(request, "peergroups/participant/link_expired.html", status=410)


def _invalid(request):
    return render(request, "peergroups/participant/link_invalid.html", status=404)


@public
@require_GET
def participant_link(request, token):
    """The one request that carries the link's secret: keep a grant, then drop the secret."""
    try:
        links.link_open(request, token=token, purpose=PLACE)
    except links.LinkExpired:
        return _expired(request)
    except links.LinkInvalid:
        return _invalid(request)
    return redirect("peergroups:participant")


def _referral_for(request):
    """The referral behind the visitor's grant, or a response explaining why not."""
    try:
        link = links.link_from_session(request, purpose=PLACE)
    except links.LinkExpired:
        return None, _expired(request)
    except links.LinkInvalid:
        return None, _invalid(request)
    return link.referral, None


@public
@require_GET
def participant_page(request):
    referral, refusal = _referral_for(request)
    if refusal:
        return refusal
    call = selectors.upcoming_call(referral=referral)
    # Offer call times to someone not yet assessed who has no call booked.
    may_book_call = call is None and referral.state in ("new", "in_contact")
    return render(
        request,
        "peergroups/participant/page.html",
        {
            "questionnaires": questionnaires_due(referral=referral),
            "places": selectors.participant_places(referral=referral),
            "call": call,
            "free_slots": selectors.free_call_slots(organisation=referral.organisation, limit=8)
            if may_book_call
            else [],
        },
    )


@public
@require_POST
def participant_call(request, slot_id):
    referral, refusal = _referral_for(request)
    if refusal:
        return refusal
    slot = get_object_or_404(
        InitialCallSlot, pk=slot_id, organisation=referral.organisation, referral__isnull=True
    )
    if selectors.upcoming_call(referral=referral) is not None:
        messages.info(request, "You already have a call booked.")
    else:
        try:
            services.call_slot_book(slot=slot, referral=referral)
        except services.PeerGroupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your call is booked. We will call you at that time.")
    return redirect("peergroups:participant")


@public
@require_POST
def participant_action(request, booking_id, action):
    referral, refusal = _referral_for(request)
    if refusal:
        return refusal
    booking = get_object_or_404(Booking, pk=booking_id, referral=referral)
    try:
        if action == "accept":
            booking = services.booking_confirm(booking=booking)
            if booking.state == Booking.State.CONFIRMED:
                messages.success(request, "Your place is confirmed. Thank you.")
            else:
                messages.info(
                    request,
                    "Sorry, the last place was taken a moment ago. You are on the waiting "
                    "list and we will contact you when a place is free.",
                )
        elif action == "decline":
            services.booking_release(booking=booking, state=Booking.State.DECLINED)
            messages.success(
                request, "Thank you for letting us know. The place will go to someone else."
            )
        elif action == "cancel":
            services.booking_release(booking=booking, state=Booking.State.CANCELLED)
            messages.success(
                request, "Your place has been cancelled. You can ask us for support at any time."
            )
        elif action == "ground-rules":
            services.ground_rules_accept(booking=booking)
            messages.success(request, "Thank you. Your joining details are below.")
        else:
            return render(request, "peergroups/participant/link_invalid.html", status=404)
    except services.PeerGroupError as error:
        messages.error(request, str(error))
    return redirect("peergroups:participant")


@public
@require_GET
def participant_calendar(request):
    referral, refusal = _referral_for(request)
    if refusal:
        return refusal
    body = sessions_calendar(selectors.participant_calendar(referral=referral))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="meetings.ics"'
    return response


@public
@require_http_methods(["GET", "POST"])
def participant_questionnaire(request, questionnaire_id, time_point):
    referral, refusal = _referral_for(request)
    if refusal:
        return refusal
    due = next(
        (
            d
            for d in questionnaires_due(referral=referral)
            if d.questionnaire.pk == questionnaire_id and d.time_point == time_point
        ),
        None,
    )
    if due is None:
        messages.info(request, "Thank you: there is nothing to answer there now.")
        return redirect("peergroups:participant")
    form = AnswersForm(request.POST or None, questionnaire=due.questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            response_submit(
                referral=referral,
                questionnaire=due.questionnaire,
                time_point=time_point,
                answers=form.answers(),
                consent_to_reports=form.cleaned_data["consent_to_reports"],
            )
        except OutcomeError as error:
            messages.info(request, str(error))
        else:
            messages.success(request, "Thank you for answering.")
        return redirect("peergroups:participant")
    return render(
        request,
        "peergroups/participant/questionnaire.html",
        {"form": form, "due": due},
        status=400 if form.errors else 200,
    )
