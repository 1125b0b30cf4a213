"""Coordinators see their retention schedule with its reasons, what the next run will
remove, and change a period within the limits the portal allows."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.organisations.permissions import coordinated_organisation_or_404
from portal.retention.schedule import RecordType
from portal.retention.selectors import (
    last_retention_run,
    retention_dry_run,
    retention_schedule,
)
from portal.retention.services import RetentionRuleRefused, retention_rule_set

from .forms import RetentionRuleForm


@require_GET
def retention(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    last_run = last_retention_run(organisation=organisation)
    return render(
        request,
        "staff/retention.html",
        {
            "organisation": organisation,
            "due": retention_dry_run(organisation=organisation),
            "last_run": last_run,
            "last_run_counts": [
                (RecordType(key).label, value) for key, value in (last_run.counts.items())
            ]
            if last_run
            else [],
        },
    )


@require_http_methods(["GET", "POST"])
def retention_rule_edit(request, organisation_id, record_type):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    if record_type not in RecordType.values:
        raise Http404
    entry = next(
        e for e in retention_schedule(organisation=organisation) if e.record_type == record_type
    )
    initial = {
        "length": entry.period.length,
        "unit": entry.period.unit,
        "legal_basis": entry.legal_basis,
    }
    form = RetentionRuleForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            retention_rule_set(
                organisation=organisation,
                record_type=record_type,
                actor=request.user,
                request=request,
                **form.cleaned_data,
            )
        except RetentionRuleRefused as error:
            form.add_error("length", str(error))
        else:
            messages.success(request, f"{entry.label}: retention period saved.")
            return redirect("staff:retention", organisation_id=organisation.pk)
    return render(
        request,
        "staff/retention_rule_form.html",
        {"organisation": organisation, "entry": entry, "form": form},
        status=400 if form.errors else 200,
    )
