"""Public information pages and a person's own pack. No sign-in; quick exit on every page.

Nothing here loads anything from another site or tracks anyone: opening a pack only adds
to a counter on the delivery. The information pages set no cookies; opening a pack's
private link sets the session cookie that holds the grant to see it.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from portal.accounts.access import public
from referrals import links

from . import selectors, services
from .models import Stage

DIRECTORY_PAGE_SIZE = 30
# The kind of grant a pack link is exchanged for; one per pack, by its delivery id.
PACK = "pack"


def _filters(request) -> tuple[str, str]:
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    return stage, request.GET.get("q", "")[:100].strip()


@public
@require_GET
def index(request):
    stage, q = _filters(request)
    return render(
        request,
        "resources/public/index.html",
        {
            "groups": selectors.published_by_stage(stage=stage, q=q),
            "stages": Stage.choices,
            "stage": stage,
            "q": q,
        },
    )


@public
@require_GET
def resource(request, slug):
    item = selectors.public_resource(slug=slug)
    return render(
        request,
        "resources/public/resource.html",
        {
            "item": selectors.shown([item])[0],
            "stages": [(code, Stage(code).label) for code in item.stages if code in Stage.values],
        },
    )


@public
@require_GET
def directory(request):
    stage, q = _filters(request)
    page = Paginator(selectors.public_signposts(stage=stage, q=q), DIRECTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "resources/public/directory.html",
        {
            "page": page,
            "stages": Stage.choices,
            "stage": stage,
            "q": q,
            "query": query.urlencode(),
        },
    )


@public
@require_GET
def signpost(request, signpost_id):
    return render(
        request,
        "resources/public/signpost.html",
        {"signpost": selectors.public_signpost(signpost_id=signpost_id)},
    )


def _pack_gone(request, status: int):
    return render(request, "resources/public/link_expired.html", status=status)


@public
@require_GET
def pack_link(request, token):
    """The one request that carries the pack link's secret: keep a grant in the session,
    then redirect to the pack's address without it (``referrals.links``)."""
    delivery = selectors.delivery_from_token(token)
    if delivery is None:
        return _pack_gone(request, 404)
    if not services.delivery_is_open(delivery):
        return _pack_gone(request, 410)
    links.grant_store(
        request,
        kind=PACK,
        slot=str(delivery.pk),
        link_id=delivery.pk,
        referral_id=delivery.referral_id,
        expires_at=delivery.expires_at,
    )
    return redirect("resources:pack", delivery_id=delivery.pk)


@public
@require_GET
def pack(request, delivery_id):
    """The person's pack, exactly as sent, for a visitor who opened its link. Any pack
    that is not live, or not opened in this browser, shows the same kind page and
    nothing of the pack."""
    slot = str(delivery_id)
    try:
        grant = links.grant_read(request, kind=PACK, slot=slot)
    except links.LinkExpired:
        return _pack_gone(request, 410)
    delivery = None
    if grant is not None:
        delivery = selectors.delivery_for_grant(
            delivery_id=grant.link_id, referral_id=grant.referral_id
        )
    if delivery is None:
        links.grant_forget(request, kind=PACK, slot=slot)
        return _pack_gone(request, 404)
    if not services.delivery_is_open(delivery):
        links.grant_forget(request, kind=PACK, slot=slot)
        return _pack_gone(request, 410)
    services.delivery_opened(delivery=delivery)
    return render(
        request,
        "resources/public/pack.html",
        {
            "delivery": delivery,
            "items": selectors.delivery_shown(delivery=delivery),
            "sender_name": delivery.organisation.discreet_sender_name,
        },
    )
