"""Coordinators' subject access pages: the register, one request, and its export.

A request's pages show the person's record, so they pass the same reason-for-access gate
and audit as the referral's own page (``access.referral_record``).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.organisations.permissions import coordinated_organisation_or_404, organisations_for
from portal.organisations.roles import Role

from . import access
from . import subject_access as sar_services
from .forms import SubjectAccessOpenForm, SubjectAccessUpdateForm
from .models import SubjectAccessRequest
from .references import display_reference


def _sar_for_coordinator(request, *, sar_id) -> SubjectAccessRequest:
    return get_object_or_404(
        SubjectAccessRequest.objects.filter(
            organisation__in=organisations_for(request.user, roles=[Role.COORDINATOR])
        ).select_related("organisation", "referral__organisation", "referral__safe_contact"),
        pk=sar_id,
    )


@require_GET
def register(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    return render(
        request,
        "referrals/staff/sar_register.html",
        {
            "organisation": organisation,
            "requests": sar_services.sar_register(organisation=organisation),
            "today": timezone.localdate(),
        },
    )


# The request's own pages: once the person is erased there is no referral, and nothing
# about them is left to show or to gate.
SAR = {"fetch": _sar_for_coordinator, "referral_of": lambda sar: sar.referral}


@require_http_methods(["GET", "POST"])
@access.referral_record(page="subject access: new", roles=[Role.COORDINATOR])
def open_request(request, referral):
    form = SubjectAccessOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sar = sar_services.sar_open(
                referral=referral, actor=request.user, request=request, **form.cleaned_data
            )
        except sar_services.SubjectAccessError as error:
            form.add_error("received_on", str(error))
        else:
            messages.success(request, f"Recorded. It is due by {sar.due_on:%-d %B %Y}.")
            return redirect("referrals:sar", sar_id=sar.pk)
    return render(
        request,
        "referrals/staff/sar_open.html",
        {"form": form, "referral": referral, "reference": display_reference(referral.reference)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@access.referral_record(page="subject access", **SAR)
def detail(request, sar):
    items = sar_services.free_text_items(referral=sar.referral) if sar.referral else []
    form = SubjectAccessUpdateForm(
        request.POST or None,
        items=items,
        initial={
            "status": sar.status,
            "extended_to": sar.extended_to,
            "withheld": sar.withheld,
            "notes": sar.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            sar_services.sar_update(
                sar=sar, actor=request.user, request=request, **form.cleaned_data
            )
        except sar_services.SubjectAccessError as error:
            form.add_error("extended_to", str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("referrals:sar", sar_id=sar.pk)
    return render(
        request,
        "referrals/staff/sar_detail.html",
        {"sar": sar, "form": form, "has_items": bool(items)},
        status=400 if form.errors else 200,
    )


def _export(request, sar) -> dict:
    if sar.referral is None:
        raise Http404  # the person has since been erased: nothing is held
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        request=request,
        organisation=sar.organisation,
        target=sar.referral,
        detail={"export": "subject access", "withheld": len(sar.withheld)},
    )
    return sar_services.sar_export(referral=sar.referral, withheld=sar.withheld)


@require_GET
@access.referral_record(page="subject access: JSON", **SAR)
def export_json(request, sar):
    data = _export(request, sar)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.pk}.json"'
    return response


@require_GET
@access.referral_record(page="subject access: document", **SAR)
def export_document(request, sar):
    return render(
        request, "referrals/staff/sar_document.html", {"sar": sar, "data": _export(request, sar)}
    )
