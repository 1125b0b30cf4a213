"""Coordinators record their lawful bases and publish privacy notices."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.organisations import data_protection as records
from portal.organisations.models import PrivacyNotice
from portal.organisations.permissions import coordinated_organisation_or_404

from .forms import LawfulBasisForm, PrivacyNoticeForm


def _notice_versions(organisation) -> list[str]:
    return list(
        PrivacyNotice.objects.filter(organisation=organisation)
        .order_by("-published_at")
        .values_list("version", flat=True)
    )


@require_http_methods(["GET", "POST"])
def data_protection(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    versions = _notice_versions(organisation)
    basis_form = LawfulBasisForm(
        request.POST if "record_basis" in request.POST else None, notice_versions=versions
    )
    notice_form = PrivacyNoticeForm(request.POST if "publish_notice" in request.POST else None)
    for form, action in ((basis_form, _record_basis), (notice_form, _publish_notice)):
        if form.is_bound and form.is_valid():
            try:
                message = action(request, organisation, form.cleaned_data)
            except records.DataProtectionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, message)
                return redirect("staff:data-protection", organisation_id=organisation.pk)
    return render(
        request,
        "staff/data_protection.html",
        {
            "organisation": organisation,
            "current": records.current_lawful_bases(organisation=organisation),
            "history": records.lawful_basis_history(organisation=organisation),
            "notice": records.current_privacy_notice(organisation=organisation),
            "basis_form": basis_form,
            "notice_form": notice_form,
        },
        status=400 if basis_form.errors or notice_form.errors else 200,
    )


def _record_basis(request, organisation, data) -> str:
    records.lawful_basis_record(
        organisation=organisation, actor=request.user, request=request, **data
    )
    return "Lawful basis recorded."


def _publish_notice(request, organisation, data) -> str:
    notice = records.privacy_notice_publish(
        organisation=organisation, actor=request.user, request=request, **data
    )
    return f"Privacy notice version {notice.version} is now the one the public sees."
