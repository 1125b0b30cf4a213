"""Referrers' pages: refer someone who agreed to it, and see only their own referrals' status.

Only people with an active referrer membership may use them; anyone else gets 404, as
if the pages did not exist. A referrer never sees case notes, contact history, the
person's details or anyone else's referrals, and sees progress only where the person
agreed it could be shared back.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .forms import ProfessionalReferralForm
from .references import display_reference
from .selectors_referrer import (
    organisations_for_referral,
    referral_rows,
    referrals_for_referrer,
    referrer_agencies,
)

PAGE_SIZE = 25


def _agencies_or_404(user):
    agencies = referrer_agencies(user=user)
    if not agencies:
        raise Http404
    return agencies


@require_http_methods(["GET", "POST"])
def referral_new(request):
    agencies = _agencies_or_404(request.user)
    form = ProfessionalReferralForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies,
        organisations=organisations_for_referral(agencies=agencies),
        referrer_name=request.user.full_name,
    )
    if form.is_bound and form.is_valid():
        try:
            referral = form.submit(
                referrer=request.user,
                submission_key=form.submission_key_for(request.user),
                request=request,
            )
        except services.ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Referral {display_reference(referral.reference)} sent to "
                f"{referral.organisation.name}. Quote this reference if you need to ask "
                "about it.",
            )
            return redirect("referrer:list")
    return render(
        request,
        "referrals/referrer/referral_form.html",
        {"form": form, "agency": form.single_agency},
        status=400 if form.errors else 200,
    )


@require_GET
def referral_list(request):
    _agencies_or_404(request.user)
    page = Paginator(referrals_for_referrer(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "referrals/referrer/referral_list.html",
        {"page": page, "rows": referral_rows(referrals=page.object_list)},
    )
