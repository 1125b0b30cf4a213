"""The person's links as staff see them, each with whether it works now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from portal.accounts.models import User
from portal.organisations.roles import CASE_ROLES

from ..models import PrivateLink, Referral
from .rules import legacy_links_accepted, link_stopped, purpose_lives


@dataclass(frozen=True)
class LinkRow:
    link: PrivateLink
    live: bool


@dataclass(frozen=True)
class LinkList:
    """The links the referral page shows: every one that works now, then the newest that
    no longer do. ``more`` says whether older links were left out (the full list, paged,
    has them); every working link is always shown."""

    rows: list[LinkRow]
    working: int
    more: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _links_working_first(referral: Referral, now: datetime):
    """The person's links, those that may work now first (by the columns alone; whether
    their purpose lives is asked once per kind), newest first within each."""
    may_work = Q(revoked_at__isnull=True, expires_at__gt=now)
    if referral.private_links_valid_after is not None:
        may_work &= Q(created_at__gt=referral.private_links_valid_after)
    if not legacy_links_accepted(now):
        may_work &= Q(legacy=False)
    return (
        PrivateLink.objects.filter(referral=referral)
        .annotate(
            stopped=Case(
                When(may_work, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .select_related("revoked_by", "issued_by")
        .order_by("stopped", "-created_at", "-id")
    )


def _link_rows(referral: Referral, found, now: datetime) -> list[LinkRow]:
    # The purpose is the same for every link of a kind: work it out once per kind.
    lives = {
        purpose: purpose_lives(referral=referral, purpose=purpose, now=now)
        for purpose in {link.purpose for link in found}
    }
    valid_after = referral.private_links_valid_after
    return [
        LinkRow(
            link=link,
            live=not link_stopped(link, now, valid_after=valid_after) and lives[link.purpose],
        )
        for link in found
    ]


def private_links_for_referral(*, referral: Referral, limit: int = 30) -> LinkList:
    """Every link of the person's that works now, then the newest that no longer do, up
    to ``limit`` rows unless more than that work; each with whether it works now."""
    now = timezone.now()
    ordered = _links_working_first(referral, now)
    found = list(ordered[: limit + 1])
    more = len(found) > limit
    # More working links than the panel's length (links sent before there was a limit
    # per kind) are every one of them listed all the same.
    all_working = more and not found[limit].stopped
    found = list(ordered.filter(stopped=0)) if all_working else found[:limit]
    rows = _link_rows(referral, found, now)
    return LinkList(rows=rows, working=sum(row.live for row in rows), more=more)


@dataclass(frozen=True)
class LinkPage:
    """One page of all the person's links, working ones first, with how many work."""

    page: Page
    rows: list[LinkRow]
    working: int


def private_links_page(
    *, referral: Referral, number: str | int | None, per_page: int = 50
) -> LinkPage:
    """Page ``number`` (as given in the address; a bad one is the nearest page) of every
    link the person was sent."""
    now = timezone.now()
    ordered = _links_working_first(referral, now)
    page = Paginator(ordered, per_page).get_page(number)
    may_work = ordered.filter(stopped=0).order_by().values("purpose").annotate(links=Count("id"))
    working = sum(
        kind["links"]
        for kind in may_work
        if purpose_lives(referral=referral, purpose=kind["purpose"], now=now)
    )
    return LinkPage(page=page, rows=_link_rows(referral, page.object_list, now), working=working)


def private_link_for_staff(*, user: User, link_id) -> PrivateLink:
    """The link if its person is in one of the user's organisations; otherwise 404."""
    from django.shortcuts import get_object_or_404

    people = Referral.objects.for_member(user, roles=CASE_ROLES)
    return get_object_or_404(
        PrivateLink.objects.select_related("referral__organisation").filter(referral__in=people),
        pk=link_id,
    )
