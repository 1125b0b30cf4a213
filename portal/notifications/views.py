"""Coordinators' pages: notification settings, and what the background jobs are doing;
and for caseworkers and coordinators, marking a staff task done."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.operations.models import Heartbeat
from portal.organisations.permissions import coordinated_organisation_or_404

from .forms import NotificationSettingsForm
from .models import MessageLog, NotificationSettings, StaffTask
from .selectors import staff_task_explanation, staff_tasks_for
from .services import staff_task_done


@require_http_methods(["GET", "POST"])
def settings_edit(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    current, _ = NotificationSettings.objects.get_or_create(organisation=organisation)
    form = NotificationSettingsForm(
        request.POST or None,
        initial={
            "discreet_sender_name": organisation.discreet_sender_name,
            "reply_to": current.reply_to,
            "send_session_reminders": current.send_session_reminders,
            "session_reminder_offsets": ", ".join(
                f"{minutes / 60:g}" for minutes in current.offsets
            ),
            "send_call_reminders": current.send_call_reminders,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation.discreet_sender_name = data.pop("discreet_sender_name").strip()
        organisation.save(update_fields=["discreet_sender_name"])
        for field, value in data.items():
            setattr(current, field, value)
        current.save()
        audit_record(
            action=AuditEvent.Action.CHANGED,
            request=request,
            organisation=organisation,
            target=current,
            detail={"change": "notification_settings"},
        )
        messages.success(request, "Message settings saved.")
        return redirect("staff:team", organisation_id=organisation.pk)
    return render(
        request,
        "notifications/settings_form.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def jobs(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    logs = MessageLog.objects.filter(organisation=organisation)
    return render(
        request,
        "notifications/jobs.html",
        {
            "organisation": organisation,
            "pending": logs.filter(
                status__in=[MessageLog.Status.PENDING, MessageLog.Status.SENDING]
            ).count(),
            "recent": logs.order_by("-updated_at")[:50],
            "tasks": [
                (task, staff_task_explanation(task))
                for task in StaffTask.objects.filter(
                    organisation=organisation, done_at__isnull=True
                ).select_related("message")[:50]
            ],
            "heartbeat": Heartbeat.objects.filter(name="scheduler").first(),
            "now": timezone.now(),
        },
    )


@require_POST
def task_done(request, task_id):
    """Mark a staff task done, from the dashboard or the jobs page. Another organisation's
    task is not found, as one that does not exist."""
    # A concern a facilitator raised is for the coordinators only.
    task = get_object_or_404(staff_tasks_for(request.user), pk=task_id)
    staff_task_done(task=task, actor=request.user, request=request)
    messages.success(request, "Marked as done.")
    if request.POST.get("return_to") == "jobs":
        return redirect("notifications:jobs", organisation_id=task.organisation_id)
    return redirect("staff:dashboard")
