"""Staff give a person a code for their support page by phone.

For someone no written message can safely reach, the acknowledgement carrying the link to
their support page was never sent (``notifications.referral_acknowledge``); the
caseworker reads them a code instead, which they type at ``/support/code/``. The code is
shown once, on the page answering the button, and never stored or shown again: a new
one can be given at any time, and stops the last. The view passes the same
reason-for-access gate and audit as the referral's own page (``access.referral_record``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import access, support_page
from .references import display_reference
from .services import ReferralError


@require_POST
@access.referral_record(page="support page code")
def support_code_give(request, referral):
    try:
        code = support_page.support_code_give(
            referral=referral, actor=request.user, request=request
        )
    except ReferralError as error:
        messages.error(request, str(error))
        return redirect("referrals:detail", referral_id=referral.pk)
    return render(
        request,
        "referrals/staff/support_code.html",
        {
            "referral": referral,
            "reference": display_reference(referral.reference),
            "code": code,
            "address": settings.PORTAL_BASE_URL.rstrip("/") + reverse("peergroups:support-code"),
        },
    )
