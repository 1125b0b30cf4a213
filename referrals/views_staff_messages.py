"""Sending the person a one-off message from their referral's page
(``messages_from_staff``), and stopping one still waiting for their safe time. The form
sits on the referral's page beside what is safe for them; a refusal re-shows that page
with the reason beside the field."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from portal.notifications.models import MessageLog

from . import access, selectors
from .forms_staff_message import StaffMessageForm
from .messages_from_staff import (
    MessageError,
    messages_from_staff_for_referral,
    next_safe_moment,
    staff_message_send,
    staff_message_stop,
    written_channels,
)
from .models import Referral
from .safe_contact_rules import UnsafeContact, contact_check, moment_in_words


def message_panel(referral: Referral, *, form: StaffMessageForm | None = None, check=None) -> dict:
    """What the referral page needs for "Send a message": the form (or none when no
    written way is safe), and when a message written now would go."""
    channels = written_channels(referral)
    if form is None and channels:
        form = StaffMessageForm(
            channels=channels, sender_name=referral.organisation.discreet_sender_name
        )
    goes_at = next_safe_moment(referral)
    now_check = contact_check(referral)
    return {
        "message_form": form if channels or form is not None else None,
        "message_check": check,
        "message_outside_safe_times": not now_check.safe,
        "message_goes": (
            "now"
            if now_check.safe
            else (
                f"on {moment_in_words(goes_at)}, their next safe time"
                if goes_at
                else "at no time in the next three weeks: check their safe times"
            )
        ),
    }


@require_POST
@access.referral_record(page="send a message")
def message_send(request, referral):
    from .views_staff import detail_page

    channels = written_channels(referral)
    form = StaffMessageForm(
        request.POST,
        channels=channels,
        sender_name=referral.organisation.discreet_sender_name,
    )
    check = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            sent = staff_message_send(
                referral=referral,
                body=data["body"],
                channel=data["channel"],
                actor=request.user,
                submission_key=data["submission_key"],
                send_now_anyway=data["send_now_anyway"],
                override_reason=data["override_reason"],
                request=request,
            )
        except UnsafeContact as error:
            form.unsafe(error)
            check = error.check
        except MessageError as error:
            form.add_error(None, str(error))
        else:
            if sent.goes_now:
                messages.success(request, "Message sent. It goes now.")
            else:
                messages.success(
                    request, f"Message saved. It will go {sent.when_in_words}, automatically."
                )
            return redirect("referrals:detail", referral_id=referral.pk)
    return detail_page(request, referral, status=400, message_form=form, message_check=check)


def _message_of_referral(request, *, referral_id, message_id) -> MessageLog:
    """A caseworker's message to the person, found through their referral, itself scoped
    to the user's organisations: anything else answers 404."""
    referral = selectors.referral_for_staff(user=request.user, referral_id=referral_id)
    message = get_object_or_404(messages_from_staff_for_referral(referral), pk=message_id)
    message.referral = referral
    return message


@require_POST
@access.referral_record(
    page="stop a message", fetch=_message_of_referral, referral_of=lambda m: m.referral
)
def message_stop(request, message):
    """Stop a caseworker's message still waiting for the person's safe time."""
    referral = message.referral
    try:
        staff_message_stop(referral=referral, message=message, actor=request.user, request=request)
    except MessageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Message stopped. It will not be sent.")
    return redirect("referrals:detail", referral_id=referral.pk)
