"""The family's private support page, at ``/support/``. No account needed.

It is opened with a support-page link from a message (``participant_link``, the one
request that carries the link's secret: it keeps a grant in the visitor's session and
redirects to ``/support/``), or with a code read out by phone, typed at
``/support/code/``. Every other view here reads the grant (``referrals.links``), so the
secret is never in the address of a page, an action or the calendar file.

The page, in order: where things stand; booking or moving the first call; their group
places, with joining details only as ``selectors.joining_details`` allows; optional
questions; how and when to reach them; stopping all contact. What it reads and writes
about the referral is in ``referrals.support_page``; every change goes on the
referral's timeline for the caseworker.

The page was first at ``/groups/my-place/``: links sent then still open it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.access import public
from portal.core.rate_limits import rate_limit
from portal.outcomes.forms import AnswersForm
from portal.outcomes.selectors import questionnaires_due
from portal.outcomes.services import OutcomeError, response_submit
from referrals import links, support_page
from referrals.choices import Channel, ConsentMethod
from referrals.forms_safe_times import typed_safe_times_in_words
from referrals.forms_support import SupportCodeForm, SupportContactForm
from referrals.models import Referral
from referrals.references import display_reference
from referrals.services import ReferralError, consent_withdraw

from . import call_methods, selectors, services
from .calendar import sessions_calendar
from .forms_participant import CallWayForm
from .models import Booking, InitialCallSlot

PLACE = links.Purpose.PLACE
# Ids only, like the grants: the referral whose contact this visitor stopped.
CONTACT_STOPPED_SESSION_KEY = "support_contact_stopped"

# Wrong codes per client address. A code is 58 random bits, so this is not what makes
# guessing hopeless; it keeps anyone from trying at speed, and is high enough that
# families behind one shared address (a mobile network, public wifi) are not shut out.
CODE_RATE = "60/h"


def _expired(request, unsaved=()):
    return render(
        request, "peergroups/participant/link_expired.html", {"unsaved": unsaved}, status=410
    )


def _invalid(request, unsaved=()):
    return render(
        request, "peergroups/participant/link_invalid.html", {"unsaved": unsaved}, status=404
    )


def _page_url(section: str = "") -> str:
    return reverse("peergroups:participant") + (f"#{section}" if section else "")


def _when(moment) -> str:
    # The time first, so that no full stop follows "a.m.".
    return date_format(timezone.localtime(moment), r"g:i a \o\n l j F")


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


@public
@require_GET
def participant_moved(request):
    """The page's first address, kept for pages and links from before it moved."""
    return redirect("peergroups:participant")


@public
@require_http_methods(["GET", "POST"])
@rate_limit(group="support-code", rate=CODE_RATE)
def support_code(request):
    """Where a person types the code we read out to them by phone. The code goes in the
    form's body, never the address, so it is not kept in the browser's history."""
    form = SupportCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            links.link_open(request, token=form.cleaned_data["code"], purpose=PLACE)
        except links.LinkInvalid:
            # One answer whether the code never existed or has stopped: a guesser learns
            # nothing from it.
            form.add_error(
                "code",
                "That code does not work. Check it with the person who gave it to you, "
                "or ask us for a new one.",
            )
        else:
            return redirect("peergroups:participant")
    return render(
        request,
        "peergroups/participant/code.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _referral_for(request, *, unsaved=()):
    """The referral behind the visitor's grant, or a response explaining why not (with
    ``unsaved``, what they had typed, so that a page that closed while they typed does
    not lose it)."""
    try:
        link = links.link_from_session(request, purpose=PLACE)
    except links.LinkExpired:
        return None, _expired(request, unsaved)
    except links.LinkInvalid:
        return None, _invalid(request, unsaved)
    # Another person's page opened since contact was stopped here: a press of its button
    # must stop theirs, not be answered as the earlier one was.
    request.session.pop(CONTACT_STOPPED_SESSION_KEY, None)
    return link.referral, None


def _page(request, referral, *, contact_form: SupportContactForm | None = None, status=200):
    call = selectors.upcoming_call(referral=referral)
    places = selectors.participant_places(referral=referral)
    may_book_call = support_page.may_book_call(referral)
    return render(
        request,
        "peergroups/participant/page.html",
        {
            "reference": display_reference(referral.reference),
            "status": support_page.support_status(
                referral=referral,
                call=call,
                places=places,
                ended=selectors.last_ended_place(referral=referral),
            ),
            **_call_section(referral, call=call, may_book_call=may_book_call),
            "places": places,
            "questionnaires": questionnaires_due(referral=referral),
            "contact_form": contact_form or SupportContactForm(referral=referral),
        },
        status=status,
    )


@public
@require_GET
def participant_page(request):
    referral, refusal = _referral_for(request)
    if refusal:
        return refusal
    return _page(request, referral)


def _call_section(referral, *, call, may_book_call: bool) -> dict:
    """What the "Your first call" section shows: the call and how it happens, the ways
    safe for them to choose from, and the free times, each marked if it falls in the
    safe times they gave (they may choose any: it is their own choice)."""
    ways = call_methods.methods_safe_for_family(referral)
    free = (
        selectors.free_call_slots(organisation=referral.organisation, limit=8)
        if may_book_call
        else []
    )
    return {
        "call": call,
        "may_book_call": may_book_call,
        "free_slots": free,
        "slot_times": [
            (slot, call_methods.in_their_safe_times(referral, slot.starts_at)) for slot in free
        ],
        "call_form": CallWayForm(ways=ways, current=call),
        "safe_times_given": call_methods.safe_times_given(referral),
        # A call booked one way that they have since said is not safe.
        "call_way_unsafe": call is not None and call.method not in {w.method for w in ways},
        "video_link_by": call_methods.LINK_BY.get(call_methods.video_link_channel(referral), ""),
    }


def _call_done_words(slot: InitialCallSlot, referral) -> str:
    if slot.method == InitialCallSlot.Method.VIDEO:
        by = call_methods.LINK_BY.get(call_methods.video_link_channel(referral), "")
        also = (
            f" We will also send you a message {by} at a time you told us is safe, with a "
            "link back here."
            if by
            else ""
        )
        return f"Join the video call from this page.{also}"
    return "We will ring you then, on the number you gave us."


@public
@require_POST
def participant_call(request, slot_id):
    """Book the first call at this time, or move the one already booked to it, the way
    they chose (``method``; a page from before there was a choice sends none, and the
    call keeps its way or takes the first safe one)."""
    referral, refusal = _referral_for(request)
    if refusal:
        return refusal
    slot = get_object_or_404(InitialCallSlot, pk=slot_id, organisation=referral.organisation)
    if not support_page.may_book_call(referral):
        messages.info(
            request, "Your first call has already happened. To talk to us again, get in touch."
        )
        return redirect(_page_url("your-call"))
    call = selectors.upcoming_call(referral=referral)
    method = request.POST.get("method") or None
    try:
        if call is None or call.pk == slot.pk:
            # The time already theirs (a second click) is answered as the first click was;
            # with another way chosen, the way changes.
            changes_way = call is not None and method is not None and method != call.method
            slot = services.call_slot_book(
                slot=slot, referral=referral, method=method, request=request
            )
            way = slot.get_method_display().lower()
            done = (
                f"Your call at {_when(slot.starts_at)} is now a {way}."
                if changes_way
                else f"Your call is booked for {_when(slot.starts_at)}."
            )
        else:
            slot = services.call_slot_move(
                referral=referral, to_slot=slot, method=method, request=request
            )
            done = f"Your call has moved to {_when(slot.starts_at)}."
    except services.PeerGroupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{done} {_call_done_words(slot, referral)}")
    return redirect(_page_url("your-call"))


@public
@require_POST
def support_contact(request):
    """The person changes how and when we may reach them, and the name to ask for."""
    referral, refusal = _referral_for(request, unsaved=_typed_contact(request.POST))
    if refusal:
        return refusal
    form = SupportContactForm(request.POST, referral=referral)
    if form.is_valid():
        try:
            changed = support_page.safe_contact_change_by_person(
                referral=referral,
                channels=frozenset(form.cleaned_data["safe_channels"]),
                safe_times=form.cleaned_data["safe_times"],
                name_to_use=form.cleaned_data["name_to_use"],
                windows=form.chosen_windows(),
                request=request,
            )
        except ReferralError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(request, "Thank you. We will contact you only as you have said.")
            else:
                messages.info(request, "Nothing has changed.")
            return redirect(_page_url("how-to-reach-you"))
    return _page(request, referral, contact_form=form, status=400)


def _typed_contact(data) -> list[tuple[str, str]]:
    """What was typed into the contact form, to show back if it cannot be saved: the page
    closes after an hour idle (``links.GRANT_IDLE_LIMIT``), and a person who wrote out
    their safe times should not have to remember them. Shown only to whoever sent them."""
    labels = dict(Channel.choices)
    ways = [labels[value] for value in data.getlist("safe_channels") if value in labels]
    typed = [
        ("The ways that are safe", ", ".join(ways)),
        ("When it is safe", typed_safe_times_in_words(data)),
        ("What you wrote about times", data.get("safe_times", "")[:500].strip()),
        ("The name to ask for", data.get("name_to_use", "")[:100].strip()),
    ]
    return [(label, value) for label, value in typed if value]


@public
@require_POST
def support_stop_contact(request):
    """Stop all contact, from the last section of the page (its button is the confirmation,
    as on the page a withdrawal link opens)."""
    if _contact_already_stopped(request):
        links.grant_forget(request, kind=PLACE)
        return render(request, "referrals/public/withdrawn.html")
    referral, refusal = _referral_for(request)
    if refusal:
        return refusal
    consent_withdraw(referral=referral, method=ConsentMethod.PRIVATE_LINK, request=request)
    # Their support-page links stopped with it; the grant goes too, and only the id of
    # whose contact stopped stays (see ``_contact_already_stopped``).
    links.grant_forget(request, kind=PLACE)
    request.session[CONTACT_STOPPED_SESSION_KEY] = str(referral.pk)
    return render(request, "referrals/public/withdrawn.html")


def _contact_already_stopped(request) -> bool:
    """Whether the person this visitor's page was for has already stopped all contact.

    A second press of the button (a double click, or the page left open in another tab)
    is then answered as the first was: by then their links have stopped, and "this link
    has expired, reply to our latest message" is the wrong thing to tell someone who has
    just asked us never to write again.
    """
    try:
        grant = links.grant_read(request, kind=PLACE)
    except links.LinkInvalid:
        grant = None
    if grant is not None:
        referral_id = grant.referral_id
    else:
        referral_id = request.session.get(CONTACT_STOPPED_SESSION_KEY)
    return (
        referral_id is not None
        and Referral.objects.filter(pk=referral_id, consent_withdrawn_at__isnull=False).exists()
    )


@public
@require_POST
def participant_action(request, booking_id, action):
    referral, refusal = _referral_for(request)
    if refusal:
        return refusal
    booking = get_object_or_404(Booking, pk=booking_id, referral=referral)
    try:
        if action == "accept":
            booking = services.booking_confirm(booking=booking, request=request)
            if booking.state == Booking.State.CONFIRMED:
                messages.success(request, "Your place is confirmed. Thank you.")
            else:
                messages.info(
                    request,
                    "Sorry, the last place was taken a moment ago. You are on the waiting "
                    "list and we will contact you when a place is free.",
                )
        elif action == "decline":
            services.booking_release(
                booking=booking, state=Booking.State.DECLINED, by_person=True, request=request
            )
            messages.success(
                request, "Thank you for letting us know. The place will go to someone else."
            )
        elif action == "cancel":
            services.booking_release(
                booking=booking, state=Booking.State.CANCELLED, by_person=True, request=request
            )
            messages.success(
                request, "Your place has been cancelled. You can ask us for support at any time."
            )
        elif action == "ground-rules":
            services.ground_rules_accept(booking=booking, request=request)
            messages.success(request, "Thank you. Your joining details are below.")
        else:
            return render(request, "peergroups/participant/link_invalid.html", status=404)
    except services.PeerGroupError as error:
        messages.error(request, str(error))
    return redirect(_page_url(f"place-{booking.pk}"))


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
