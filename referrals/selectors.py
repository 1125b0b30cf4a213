"""Reads for caseworkers: the triage queue and a referral's page, scoped to the organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Length
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.accounts.models import User
from portal.core.parsing import parse_uuid
from portal.notifications.models import MessageLog
from portal.organisations.models import Membership
from portal.organisations.roles import CASE_ROLES
from portal.organisations.scoping import member_organisation_ids

from .choices import Source, State
from .links import private_links_for_referral
from .message_labels import channel_label, message_label
from .models import CaseNote, ConsentRecord, ContactAttempt, Referral, ReferralEvent
from .safe_contact_rules import overrides_shown_on
from .search import PersonSearch, person_search_filter, person_search_parse

TIMELINE_LIMIT = 100


@dataclass(frozen=True)
class QueueFilters:
    state: str = "open"
    source: str = ""
    assignee: str = ""  # "", "me", "unassigned" or a user's public id
    due: str = ""  # "", "overdue", "today"
    age: str = ""  # "", "week", "month", "older"
    # As typed: a reference in any form, an email, a phone number or a name.
    search: str = ""


QUEUE_UNREAD_FIELDS = ("full_name", "email", "phone", "area", "accessibility_needs")


def referrals_for_queue(*, user: User, filters: QueueFilters) -> QuerySet[Referral]:
    return referrals_for_queue_searched(user=user, filters=filters)[0]


def referrals_for_queue_searched(
    *, user: User, filters: QueueFilters
) -> tuple[QuerySet[Referral], PersonSearch | None]:
    """The queue, and what was searched for (None without a search)."""
    # The organisations are given as values: with one organisation, PostgreSQL then reads
    # the queue's page straight from its index and stops, where a subquery made it fetch
    # and sort every open referral to show the first 25.
    organisations = member_organisation_ids(user, roles=CASE_ROLES)
    queryset = Referral.objects.filter(organisation_id__in=organisations).select_related(
        "organisation", "assigned_to", "referring_agency"
    )
    queryset = _with_times_only_a_note(queryset)
    search = person_search_parse(filters.search, organisations=organisations)
    if search is not None:
        queryset = person_search_filter(queryset, search)
    state = filters.state
    if search is not None and state == "open":
        # Someone looking for a person is looking for them whatever their status: only
        # a status chosen on purpose narrows a search.
        state = "all"
    if state == "open":
        queryset = queryset.open()
    elif state in State.values:
        queryset = queryset.filter(state=state)
    if filters.source in Source.values:
        queryset = queryset.filter(source=filters.source)
    if filters.assignee == "me":
        queryset = queryset.filter(assigned_to=user)
    elif filters.assignee == "unassigned":
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters.assignee:
        # An id that is not a UUID matches nobody rather than failing.
        queryset = queryset.filter(assigned_to__public_id=parse_uuid(filters.assignee))
    today = timezone.localdate()
    waiting = queryset.filter(first_contacted_at__isnull=True).exclude(state=State.CLOSED)
    if filters.due == "overdue":
        queryset = waiting.filter(first_contact_due__lt=today)
    elif filters.due == "today":
        queryset = waiting.filter(first_contact_due=today)
    now = timezone.now()
    if filters.age == "week":
        queryset = queryset.filter(created_at__gte=now - timedelta(days=7))
    elif filters.age == "month":
        queryset = queryset.filter(created_at__gte=now - timedelta(days=30))
    elif filters.age == "older":
        queryset = queryset.filter(created_at__lt=now - timedelta(days=30))
    # Lists show references, never names: the personal fields stay encrypted, unread.
    return (
        queryset.defer(*QUEUE_UNREAD_FIELDS).order_by("first_contact_due", "created_at"),
        search,
    )


def _with_times_only_a_note(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """Each referral's ``SafeContact.only_a_note_about_times``, worked out in the same
    query: the person's words about times but no windows. Encrypted text is stored empty
    exactly when nothing is held, so the stored lengths answer it without decrypting."""
    return queryset.alias(
        times_note_length=Coalesce(Length("safe_contact__safe_times"), 0),
        times_windows_length=Coalesce(Length("safe_contact__contact_windows"), 0),
    ).annotate(
        times_only_a_note=Case(
            When(times_note_length__gt=0, times_windows_length=0, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def case_staff(*, organisation) -> QuerySet[User]:
    """People who can be assigned a referral in ``organisation``."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.active().filter(
                organisation=organisation, role__in=list(CASE_ROLES)
            ),
        )
        .distinct()
        .order_by("full_name", "email")
    )


def case_staff_for_user(*, user: User) -> QuerySet[User]:
    """Everyone a user could filter the queue by: staff of the user's organisations."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__ended_at__isnull=True,
            memberships__role__in=list(CASE_ROLES),
            memberships__organisation__in=member_organisation_ids(user, roles=CASE_ROLES),
        )
        .distinct()
        .order_by("full_name", "email")
    )


def referral_for_staff(*, user: User, referral_id) -> Referral:
    """The referral if it belongs to one of the user's organisations; otherwise 404."""
    # Only what referral pages show: each join costs the planner more than the query
    # takes to run (seven tables took a millisecond to plan). The referral it may
    # duplicate comes with the page's own list of duplicates.
    queryset = Referral.objects.for_member(user, roles=CASE_ROLES).select_related(
        "organisation", "safe_contact", "assigned_to", "referring_agency"
    )
    return get_object_or_404(queryset, pk=referral_id)


def referral_page_data(*, referral: Referral) -> dict:
    """Everything the referral page shows, in a fixed number of queries."""
    return {
        "consents": list(
            ConsentRecord.objects.filter(referral=referral).select_related("recorded_by")
        ),
        "attempts": list(
            ContactAttempt.objects.filter(referral=referral).select_related("made_by")[:50]
        ),
        "notes": list(CaseNote.objects.filter(referral=referral).select_related("author")[:50]),
        "messages_sent": [
            {
                "message": message,
                "label": message_label(message.template),
                "channel": channel_label(message.channel),
            }
            for message in MessageLog.objects.filter(
                recipient_type="referrals.referral", recipient_id=str(referral.pk)
            )[:20]
        ],
        "private_links": private_links_for_referral(referral=referral),
        **_duplicates(referral),
    }


def _duplicates(referral: Referral) -> dict:
    """The earlier referral this one may duplicate, and later ones that may duplicate it,
    in one query."""
    related = Q(possible_duplicate_of=referral)
    if referral.possible_duplicate_of_id:
        related |= Q(pk=referral.possible_duplicate_of_id)
    rows = list(
        Referral.objects.for_organisation(referral.organisation_id)
        .filter(related)
        .only("id", "reference", "state", "created_at", "possible_duplicate_of_id")
        .order_by("created_at")
    )
    return {
        "duplicate_of": next((r for r in rows if r.pk == referral.possible_duplicate_of_id), None),
        "possible_duplicates": [r for r in rows if r.possible_duplicate_of_id == referral.pk],
    }


def referral_timeline(*, referral: Referral) -> list[ReferralEvent]:
    events = list(
        ReferralEvent.objects.filter(referral=referral).select_related("actor")[:TIMELINE_LIMIT]
    )
    # An override's reason and what it set aside, in one more query (none without one).
    return overrides_shown_on(events)


def access_reasons_for_review(*, organisation) -> QuerySet:
    """Reasons staff gave for opening closed or colleagues' referrals, newest first."""
    from .models import AccessReason

    return AccessReason.objects.filter(organisation=organisation).select_related("user", "referral")
