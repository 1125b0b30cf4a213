"""A facilitator's private calendar feed (``calendar_feed``): the staff page to start,
stop or replace it, and the feed itself, which calendar apps fetch without signing in.

The feed's address is shown once, on the response that made it (the page is not
cached: ``NoStoreMiddleware``), and never again: only its hash is kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit import ALL

from portal.accounts.access import public
from portal.core.parsing import parse_uuid
from portal.core.rate_limits import rate_limit_reached
from portal.organisations.permissions import organisations_for
from portal.organisations.roles import CASE_ROLES

from .calendar_feed import (
    CalendarFeedError,
    calendar_feed_create,
    calendar_feed_replace,
    calendar_feed_revoke,
    feed_calendar,
    feed_fetched,
    feed_for_token,
    feed_sessions,
    feed_url,
    live_feed,
    token_hash,
)

# Per feed: a calendar app fetches every few minutes at most; more is a leaked address
# being hammered. Per client address: generous, since one calendar service fetches for
# many people from the same addresses, but it slows anyone trying addresses at speed.
FEED_RATE = "120/h"
ADDRESS_RATE = "1200/h"


def _organisations(request):
    return list(organisations_for(request.user, roles=CASE_ROLES).order_by("name"))


@require_GET
def calendar_feed_page(request):
    feeds = [
        {
            "organisation": organisation,
            "feed": live_feed(organisation=organisation, user=request.user),
        }
        for organisation in _organisations(request)
    ]
    return render(
        request,
        "peergroups/staff/calendar_feed.html",
        {"feeds": feeds, "several": len(feeds) > 1},
    )


def _chosen_organisation(request):
    chosen = parse_uuid(request.POST.get("organisation"))
    organisation = next((o for o in _organisations(request) if o.pk == chosen), None)
    if organisation is None:
        raise Http404
    return organisation


@require_POST
def calendar_feed_new(request):
    """Start a feed, or replace the one they have (``replace``): the address, once."""
    organisation = _chosen_organisation(request)
    replacing = request.POST.get("replace") == "yes"
    make = calendar_feed_replace if replacing else calendar_feed_create
    try:
        _feed, token = make(organisation=organisation, user=request.user, request=request)
    except CalendarFeedError as error:
        messages.error(request, str(error))
        return redirect("groups:calendar-feed")
    return render(
        request,
        "peergroups/staff/calendar_feed_created.html",
        {"organisation": organisation, "address": feed_url(token), "replaced": replacing},
    )


@require_POST
def calendar_feed_stop(request):
    organisation = _chosen_organisation(request)
    if calendar_feed_revoke(organisation=organisation, user=request.user, request=request):
        messages.success(
            request,
            "Feed stopped. Its address no longer works: remove the calendar from your "
            "calendar app too.",
        )
    else:
        messages.info(request, "You had no calendar feed to stop.")
    return redirect("groups:calendar-feed")


def _not_found() -> HttpResponse:
    # The same answer for an address that never existed and one that was stopped.
    return HttpResponse("Not found\n", status=404, content_type="text/plain; charset=utf-8")


@public
@require_http_methods(["GET", "HEAD"])
def facilitator_calendar(request, token):
    """The feed, for calendar apps: no sign-in, the address is the key."""
    if rate_limit_reached(
        request, group="calendar-feed-address", key="ip", rate=ADDRESS_RATE, method=ALL
    ) or rate_limit_reached(
        request,
        group="calendar-feed",
        key=lambda _group, _request: token_hash(token),
        rate=FEED_RATE,
        method=ALL,
    ):
        response = HttpResponse(
            "Too many requests\n", status=429, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = "600"
        return response
    feed = feed_for_token(token)
    if feed is None:
        return _not_found()
    feed_fetched(feed)
    response = HttpResponse(
        feed_calendar(feed_sessions(feed)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    # NoStoreMiddleware adds these to every response; said here too, as the feed carries
    # joining details and must never sit in a shared cache.
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
