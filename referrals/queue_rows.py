"""The caseworker queue's table as plain values.

The queue is the page caseworkers open most, 25 rows at a time. Django's template engine
reads a dictionary's keys several times faster than a model's attributes, properties and
``get_FOO_display`` methods, so each row is worked out here once, in Python, and the
template only prints it.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import dateformat, timezone

from .choices import Source, State
from .models import Referral
from .references import display_reference

SOURCE_LABELS = dict(Source.choices)
STATE_LABELS = dict(State.choices)


def queue_row(referral: Referral, *, today: date, back: str = "") -> dict:
    """``back`` is the queue's query string: the referral's page links back to the same
    search, filters and page."""
    contacted = referral.first_contacted_at is not None
    url = reverse("referrals:detail", kwargs={"referral_id": referral.pk})
    return {
        "url": f"{url}?{urlencode({'back': back})}" if back else url,
        "reference": display_reference(referral.reference),
        "received": dateformat.format(timezone.localtime(referral.created_at), "j M Y"),
        "source": SOURCE_LABELS.get(referral.source, referral.source),
        "agency": referral.referring_agency.name if referral.referring_agency_id else "",
        "state": STATE_LABELS.get(referral.state, referral.state),
        "possible_duplicate": referral.possible_duplicate_of_id is not None,
        "contacted": contacted,
        "due": dateformat.format(referral.first_contact_due, "j M Y"),
        "overdue": not contacted and referral.is_open and referral.first_contact_due < today,
        "assigned_to": str(referral.assigned_to) if referral.assigned_to_id else "No one",
        # Annotated by ``selectors.referrals_for_queue``: no safe contact is decrypted.
        "times_only_a_note": getattr(referral, "times_only_a_note", False),
    }


def assignee_options(staff) -> list[tuple[str, str]]:
    """The "Assigned to" filter's choices: each member of staff's id and name."""
    people = staff.only("public_id", "full_name", "email")
    return [(str(person.public_id), str(person)) for person in people]
