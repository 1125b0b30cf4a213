"""Messaging everyone with a confirmed place in a group (``group_messages``): write it,
check who it reaches by which way and when (and who it cannot reach, and why), with the
message as they will get it, then send. The list names people, so every page rendered
is audited."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from portal.audit.viewing import personal_data_shown, shows_personal_data

from . import selectors
from .forms_group_message import GroupMessageForm
from .group_messages import (
    GroupMessageChanged,
    GroupMessageError,
    group_message_reach,
    group_message_send,
    may_message_group,
    reach_fingerprint,
)


def _as_they_get_it(group, body: str, *, by_email: bool, by_text: bool) -> dict:
    """The message as a person gets it, with stand-ins for their name and private link."""
    context = {
        "sender_name": group.organisation.discreet_sender_name,
        "name": "",
        "body": body,
        "links": {"withdraw": "(their private link to stop contact)"},
    }
    base = "notifications/message_to_group"
    shown = {}
    if by_email:
        shown["email"] = {
            "subject": render_to_string(f"{base}/subject.txt", context).strip(),
            "body": render_to_string(f"{base}/body.txt", context).strip(),
        }
    if by_text:
        shown["text"] = render_to_string(f"{base}/sms.txt", context).strip()
    return shown


@require_http_methods(["GET", "POST"])
@shows_personal_data(page="message the group")
def group_message(request, group_id):
    group = selectors.group_for_staff(user=request.user, group_id=group_id)
    if not may_message_group(request.user, group):
        # As for session notes: a group this person does not run is not theirs to see.
        raise Http404("Only the group's facilitators and coordinators message it.")
    personal_data_shown(request, organisation=group.organisation, target=group)
    reaches = group_message_reach(group=group)
    reached = [r for r in reaches if r.reached]
    by_text = any(r.channel == "text" for r in reached)
    form = GroupMessageForm(
        request.POST or None,
        sender_name=group.organisation.discreet_sender_name,
        by_text=by_text,
    )
    context = {
        "group": group,
        "form": form,
        "reaches": reaches,
        "reached": reached,
        "not_reached": [r for r in reaches if not r.reached],
        "waiting": [r for r in reached if r.waits],
    }
    step = request.POST.get("step", "")
    if request.method != "POST" or step == "change":
        return render(request, "peergroups/staff/group_message_form.html", context)
    if not form.is_valid():
        return render(request, "peergroups/staff/group_message_form.html", context, status=400)
    body = form.cleaned_data["body"]
    context.update(
        {
            "fingerprint": reach_fingerprint(reaches),
            "shown": _as_they_get_it(
                group, body, by_email=any(r.channel == "email" for r in reached), by_text=by_text
            ),
        }
    )
    if step != "send":
        return render(request, "peergroups/staff/group_message_preview.html", context)
    try:
        sent = group_message_send(
            group=group,
            body=body,
            actor=request.user,
            submission_key=form.cleaned_data["submission_key"],
            fingerprint=form.cleaned_data["fingerprint"],
            request=request,
        )
    except GroupMessageChanged as error:
        context["error"] = str(error)
        return render(request, "peergroups/staff/group_message_preview.html", context, status=409)
    except GroupMessageError as error:
        context["error"] = str(error)
        return render(request, "peergroups/staff/group_message_preview.html", context, status=400)
    # Shown on this response, not after a redirect: it lists who did not get it. Sending
    # the form again (a refresh) sends nothing more and says so.
    return render(
        request, "peergroups/staff/group_message_sent.html", {"group": group, "sent": sent}
    )
