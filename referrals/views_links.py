"""Staff see and stop a person's private links: one at a time, or all of them at once.

The referral's page lists every link that works (``_private_links.html``); the full
list, paged, is its own page. Each view passes the same reason-for-access gate and
audit as the referral's own page (``access.referral_record``): a link belongs to one
person's referral.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, links
from .references import display_reference


def _link(request, *, link_id):
    return links.private_link_for_staff(user=request.user, link_id=link_id)


def _links_panel(referral) -> str:
    return reverse("referrals:detail", kwargs={"referral_id": referral.pk}) + "#private-links"


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
    return redirect(_links_panel(link.referral))


@require_GET
@access.referral_record(page="private links")
def links_list(request, referral):
    page = links.private_links_page(referral=referral, number=request.GET.get("page"))
    return render(
        request,
        "referrals/staff/links.html",
        {
            "referral": referral,
            "reference": display_reference(referral.reference),
            "links_page": page,
        },
    )


# What the confirmation button sends: anything else (an empty or replayed form) is
# answered with the page again and says what to do.
CONFIRMED = "stop-all"


@require_http_methods(["GET", "POST"])
@access.referral_record(page="private links: stop them all")
def links_stop_all(request, referral):
    context = {"referral": referral, "reference": display_reference(referral.reference)}
    if request.method == "GET":
        return render(request, "referrals/staff/links_stop_all.html", context)
    if request.POST.get("confirm") != CONFIRMED:
        context["error"] = "To stop all of their links, choose “Stop all of their links”."
        return render(request, "referrals/staff/links_stop_all.html", context, status=400)
    try:
        stopped = links.links_stop_all(referral=referral, actor=request.user, request=request)
    except links.LinkError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"None of their links work now: {stopped.links} private "
            f"link{'s' if stopped.links != 1 else ''} and {stopped.packs} pack "
            f"link{'s' if stopped.packs != 1 else ''} stopped, and any older kind of link "
            "they may still have. Links in messages sent from now on will work.",
        )
    return redirect(_links_panel(referral))
