"""A weekly nudge to coordinators about guides past their "review by" date, and their own
directory entries nobody has checked for a year.

Guidance changes (new legislation, a helpline's new number), so a guide that nobody has
checked for a year may now be wrong. The digest lists exactly what the coordinator's
"Due for review" page lists: their organisation's own guides and the shared library's.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from portal.notifications.services import message_queue
from portal.organisations.models import Membership, Organisation
from portal.organisations.roles import Role

from .models import Resource, Signpost
from .selectors import signpost_check_cutoff

# A long list helps nobody in an email; the page has the rest.
LISTED_PER_DIGEST = 30


def review_due_digests_queue(*, now: datetime | None = None) -> int:
    """Queue one digest per coordinator per ISO week; returns how many were queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    year, week, _ = today.isocalendar()
    due = Resource.objects.filter(review_by__lt=today).order_by("review_by", "title")
    library = list(due.filter(organisation__isnull=True).values_list("title", "review_by"))
    own: dict[int, list] = {}
    for organisation_id, title, review_by in due.filter(organisation__isnull=False).values_list(
        "organisation_id", "title", "review_by"
    ):
        own.setdefault(organisation_id, []).append((title, review_by))
    # Only an organisation's own directory entries: the national directory is checked by
    # the portal team, and its stale entries are listed on the "Due for review" page.
    stale = Signpost.objects.filter(
        organisation__isnull=False,
        status=Signpost.Status.ACTIVE,
        assured_date__lt=signpost_check_cutoff(today),
    ).order_by("assured_date", "name")
    own_signposts: dict[int, list] = {}
    for organisation_id, name, checked in stale.values_list(
        "organisation_id", "name", "assured_date"
    ):
        own_signposts.setdefault(organisation_id, []).append((name, checked))
    if not library and not own and not own_signposts:
        return 0

    coordinators = Membership.objects.active().filter(role=Role.COORDINATOR)
    if not library:
        coordinators = coordinators.filter(organisation_id__in={*own, *own_signposts})
    pairs = list(coordinators.values_list("organisation_id", "user__public_id").distinct())
    organisations = Organisation.objects.in_bulk({organisation_id for organisation_id, _ in pairs})
    queued = 0
    for organisation_id, person in pairs:
        listed = own.get(organisation_id, []) + library
        signposts = own_signposts.get(organisation_id, [])
        queued += bool(
            message_queue(
                organisation=organisations[organisation_id],
                record_type="accounts.user",
                record_id=str(person),
                template="resources_review_due",
                context={
                    "count": len(listed),
                    "own": _lines(own.get(organisation_id, [])),
                    "library": _lines(library),
                    "signpost_count": len(signposts),
                    "signposts": [
                        f"{name} (last checked {checked:%-d %B %Y})"
                        for name, checked in signposts[:LISTED_PER_DIGEST]
                    ],
                },
                key=f"resource-review:{organisation_id}:{person}:{year}-W{week:02d}",
            )
        )
    return queued


def _lines(rows: list) -> list[str]:
    return [f"{title} (review was due {review_by:%-d %B %Y})" for title, review_by in rows][
        :LISTED_PER_DIGEST
    ]
