"""Staff stop one of a person's private links (the list is on the referral's page).

The view passes the same reason-for-access gate and audit as the referral's own page
(``access.referral_record``): a link belongs to one person's referral.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from . import access, links


def _link(request, *, link_id):
    return links.private_link_for_staff(user=request.user, link_id=link_id)


@require_POST
@access.referral_record(
    page="private link: stop it", fetch=_link, referral_of=lambda link: link.referral
)
def link_revoke(request, link):
    try:
        links.link_revoke(link=link, actor=request.user, request=request)
    except links.LinkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "That link no longer works. Their other links are unchanged.")
    return redirect("referrals:detail", referral_id=link.referral_id)
