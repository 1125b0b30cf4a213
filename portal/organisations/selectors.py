"""Reads about a person's place in organisations.

A staff page asks the same question several times: which organisations may this person
see (scoping), do they hold this role (permissions), which links do they get
(navigation), what are their roles (the dashboard). ``active_memberships`` answers all of
them from one query per request. The answer is kept only while a request is being
handled (``memberships_kept_for_request``, opened by ``MembershipsPerRequestMiddleware``)
and is dropped whenever a membership or a user is saved or deleted, so a change made
during the request is seen by the rest of it. Outside a request (tasks, management
commands, the test suite calling services) nothing is kept and every call reads afresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .models import Membership

_kept: ContextVar[dict | None] = ContextVar("memberships_kept_for_request", default=None)


@contextmanager
def memberships_kept_for_request() -> Iterator[None]:
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def memberships_forget() -> None:
    """Drop what this request has kept (called when memberships or users change)."""
    kept = _kept.get()
    if kept is not None:
        kept.clear()


def active_memberships(user) -> list[Membership]:
    """The user's active memberships, each with its organisation or agency loaded."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    kept = _kept.get()
    if kept is not None and user.pk in kept:
        return kept[user.pk]
    memberships = list(
        Membership.objects.active()
        .filter(user_id=user.pk)
        .select_related("organisation", "agency")
        .order_by("created_at", "pk")
    )
    if kept is not None:
        kept[user.pk] = memberships
    return memberships


def active_organisation_ids(user, *, roles: Iterable[str] | None = None) -> list:
    """Ids of the charities where ``user`` is an active member (in one of ``roles``)."""
    return _active_ids(user, "organisation_id", roles)


def active_agency_ids(user, *, roles: Iterable[str] | None = None) -> list:
    """Ids of the referring agencies where ``user`` is an active member (in one of ``roles``)."""
    return _active_ids(user, "agency_id", roles)


def _active_ids(user, field: str, roles: Iterable[str] | None) -> list:
    wanted = None if roles is None else set(roles)
    ids = (
        getattr(membership, field)
        for membership in active_memberships(user)
        if wanted is None or membership.role in wanted
    )
    return list(dict.fromkeys(i for i in ids if i is not None))
