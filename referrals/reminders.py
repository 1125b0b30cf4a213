"""First-contact escalations: a daily digest when referrals pass their first-contact
deadline, to the caseworker assigned and to the organisation's coordinators."""

from __future__ import annotations

from django.utils import timezone

from portal.notifications.services import message_queue
from portal.organisations.models import Membership
from portal.organisations.roles import Role

from .choices import State
from .models import Referral


def first_contact_escalations_queue(*, now=None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = (
        Referral.objects.exclude(state=State.CLOSED)
        .filter(first_contacted_at__isnull=True, first_contact_due__lt=today)
        .values_list("organisation_id", "reference", "assigned_to__public_id")
    )
    by_person: dict[tuple, list[str]] = {}
    coordinators: dict = {}
    for organisation_id, reference, assignee in overdue:
        if organisation_id not in coordinators:
            coordinators[organisation_id] = list(
                Membership.objects.active()
                .filter(organisation_id=organisation_id, role=Role.COORDINATOR)
                .values_list("user__public_id", flat=True)
            )
        people = set(coordinators[organisation_id])
        if assignee:
            people.add(assignee)
        for person in people:
            by_person.setdefault((organisation_id, person), []).append(reference)
    queued = 0
    from portal.organisations.models import Organisation

    organisations = Organisation.objects.in_bulk({key[0] for key in by_person})
    for (organisation_id, person), references in by_person.items():
        queued += bool(
            message_queue(
                organisation=organisations[organisation_id],
                record_type="accounts.user",
                record_id=str(person),
                template="first_contact_overdue",
                context={"references": sorted(references)[:50], "count": len(references)},
                key=f"first-contact-digest:{organisation_id}:{person}:{today.isoformat()}",
            )
        )
    return queued
