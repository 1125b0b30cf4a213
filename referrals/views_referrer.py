"""Referrers' pages: refer someone who consented, and see only their own referrals' status.

A referrer never sees case notes, contact history or anyone else's referrals; progress is
shown only where the person agreed it could be shared back.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.organisations.models import Organisation, ReferringAgency
from portal.organisations.scoping import member_agency_ids

from . import services
from .choices import Source
from .consent import PROFESSIONAL_VERSION, statement
from .forms import ProfessionalReferralForm, SafeContactForm
from .references import display_reference
from .selectors import referrals_for_referrer

PAGE_SIZE = 25


def _agencies(user):
    agencies = ReferringAgency.objects.filter(pk__in=member_agency_ids(user))
    if not agencies.exists():
        raise Http404  # not a referrer: the page does not exist for them
    return agencies


@require_http_methods(["GET", "POST"])
def referral_new(request):
    agencies = _agencies(request.user)
    organisations = Organisation.objects.filter(
        is_accepting_referrals=True, partner_agencies__in=agencies
    ).distinct()
    initial = {
        "submission_key": secrets.token_urlsafe(24),
        "professional_name": request.user.full_name,
    }
    form = ProfessionalReferralForm(
        request.POST or None, initial=initial, organisations=organisations, agencies=agencies
    )
    safe_form = SafeContactForm(request.POST or None, prefix="safe")
    if request.method == "POST" and form.is_valid() and safe_form.is_valid():
        safe_form.check_channel_details(
            email=form.cleaned_data["email"], phone=form.cleaned_data["phone"]
        )
    if request.method == "POST" and form.is_valid() and safe_form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_submit(
                organisation=data["organisation"],
                person=services.PersonDetails(
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    relationship=data["relationship"],
                    stage=data["stage"],
                    children_in_household=data["children_in_household"],
                    support_wanted=data["support_wanted"],
                    format_preference=data["format_preference"],
                    area=data["area"],
                    accessibility_needs=data["accessibility_needs"],
                ),
                safe_contact=safe_form.details(),
                consent=services.ConsentDetails(
                    method=data["consent_method"],
                    given_at=data["consent_given_at"],
                    statement_version=PROFESSIONAL_VERSION,
                    share_status_with_referrer=data["share_status_with_referrer"] == "yes",
                    professional_name=data["professional_name"],
                    professional_identifier=data["professional_identifier"],
                ),
                source=Source.PROFESSIONAL,
                referrer=request.user,
                agency=data["agency"],
                # Keys are per referrer, so nobody can replay another person's key.
                submission_key=f"{request.user.pk}:{data['submission_key']}",
                request=request,
            )
        except services.ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Referral {display_reference(referral.reference)} sent to "
                f"{referral.organisation.name}. Thank you.",
            )
            return redirect("referrer:list")
    errors = form.errors or safe_form.errors
    return render(
        request,
        "referrals/referrer/referral_form.html",
        {
            "form": form,
            "safe_form": safe_form,
            "statement": statement(
                PROFESSIONAL_VERSION, organisation_name="the service chosen above"
            ).text,
            "agency_names": ", ".join(agency.name for agency in agencies),
        },
        status=400 if errors else 200,
    )


@require_GET
def referral_list(request):
    _agencies(request.user)
    page = Paginator(referrals_for_referrer(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/referrer/referral_list.html", {"page": page})
