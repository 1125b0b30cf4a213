"""Staff pages for ending places (a person completed the course or left it, or the whole
course finished) and for trying a failed Zoom update again.

Objects come through the organisation-scoped selectors, so another organisation's group,
place or meeting answers 404. The services check who may act (the group's facilitators
and the coordinators); these views only parse the form and say how it went.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from portal.audit.viewing import personal_data_shown, shows_personal_data

from . import selectors
from .models import Booking
from .places_ending import (
    ENDINGS,
    course_finish,
    may_end_places,
    place_end,
    places_to_finish,
)
from .services import PeerGroupError
from .zoom_retry import session_sync_retry_now


def _reference(booking: Booking) -> str:
    return booking.referral.reference


@require_POST
def place_end_view(request, group_id, booking_id):
    group = selectors.group_for_staff(user=request.user, group_id=group_id)
    booking = get_object_or_404(
        Booking.objects.select_related("referral"), pk=booking_id, group=group
    )
    outcome = request.POST.get("outcome", "")
    try:
        place_end(booking=booking, outcome=outcome, actor=request.user, request=request)
    except PeerGroupError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{_reference(booking)} has {ENDINGS[outcome]}. "
            "If they are asked questions when their place ends, we will tell them in a safe "
            "way, at a safe time.",
        )
    return redirect(reverse("groups:detail", kwargs={"group_id": group.pk}) + "#places-heading")


@require_http_methods(["GET", "POST"])
@shows_personal_data(page="finish the course")
def course_finish_view(request, group_id):
    """Finishing the course: first the list of everyone it marks completed, then, once
    confirmed, all of them at once."""
    group = selectors.group_for_staff(user=request.user, group_id=group_id)
    personal_data_shown(request, organisation=group.organisation, target=group)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = "Tick the box to confirm that everyone listed has finished the course."
        else:
            try:
                finished = course_finish(
                    group=group,
                    expected=request.POST.getlist("place"),
                    actor=request.user,
                    request=request,
                )
            except PeerGroupError as refusal:
                error = str(refusal)
            else:
                messages.success(
                    request,
                    f"Course finished: {len(finished)} "
                    f"{'place' if len(finished) == 1 else 'places'} marked completed. "
                    "Anyone asked questions at the end will be told in a safe way, at a "
                    "safe time.",
                )
                return redirect("groups:detail", group_id=group.pk)
    return render(
        request,
        "peergroups/staff/course_finish.html",
        {
            "group": group,
            "places": places_to_finish(group=group),
            "may_finish": may_end_places(request.user, group),
            "error": error,
        },
        status=400 if error else 200,
    )


@require_POST
def session_sync_retry_view(request, session_id):
    session = selectors.session_for_staff(user=request.user, session_id=session_id)
    try:
        session_sync_retry_now(session=session, actor=request.user, request=request)
    except PeerGroupError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Trying the Zoom update again now. This page shows how it went in a minute.",
        )
    return redirect(reverse("groups:session", kwargs={"session_id": session.pk}) + "#zoom")
