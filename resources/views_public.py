"""Public information pages and a person's own pack. No sign-in; quick exit on every page.

Nothing here sets cookies, loads anything from another site or tracks anyone: opening a
pack only adds to a counter on the delivery.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.accounts.access import public

from . import selectors, services
from .models import Stage

DIRECTORY_PAGE_SIZE = 30


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


@public
@require_GET
def pack(request, token):
    """The person's pack, exactly as sent. Any link that is not live shows the same kind
    page and nothing of the pack."""
    delivery = selectors.delivery_from_token(token)
    if delivery is None:
        return render(request, "resources/public/link_expired.html", status=404)
    if not delivery.is_live or not delivery.referral.is_contactable:
        return render(request, "resources/public/link_expired.html", status=410)
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
