"""Finding a person from the referral queue: one box, by reference, email, phone or name.

Every way in goes through something that never reads personal data in bulk: the
reference is stored as it is shown, email and phone through their keyed hashes, and a
name through its blind index of word hashes (``name_index``). Only the caseworker's own
organisations are searched. What was typed is never kept; each search is audited with
its kind and how many it found (``person_search_audit``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.crypto.keys import lookup_hash, lookup_keys

from .models import Referral, ReferralNameToken
from .name_index import search_hashes
from .references import ALPHABET, LENGTH, MAX_LENGTH, TYPED_MAX_LENGTH, normalise_reference
from .services import normalise_email, normalise_phone

# Nobody types more than this into a search box.
SEARCH_MAX_LENGTH = 100
_PHONE_CHARACTERS = re.compile(r"^[\d\s()+.\-]+$")


class SearchKind:
    REFERENCE = "reference"
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"
    # Eight letters and digits that could be either ("Kate Maye" could be KATE-MAYE).
    REFERENCE_OR_NAME = "reference_or_name"


@dataclass(frozen=True)
class PersonSearch:
    kind: str
    condition: Q
    # The reference searched for, in its one form, when what was typed could be one.
    reference: str = ""


def _looks_like_reference(text: str) -> str:
    if len(text.strip()) > TYPED_MAX_LENGTH:
        return ""
    reference = normalise_reference(text)
    characters = reference.replace("-", "")
    if len(characters) == LENGTH and all(ch in ALPHABET for ch in characters):
        return reference
    return ""


def _hashes(value: str) -> list[str]:
    return [lookup_hash(value, key=key) for key in lookup_keys()]


def person_search_parse(text: str, *, organisations) -> PersonSearch | None:
    """What ``text`` asks for, as a condition on ``Referral``; None if it asks nothing.
    ``organisations`` (ids) are the ones searched: the name index is read for them only."""
    text = (text or "")[:SEARCH_MAX_LENGTH].strip()
    if not text:
        return None
    if "@" in text:
        return PersonSearch(SearchKind.EMAIL, Q(email_hash__in=_hashes(normalise_email(text))))
    digits = sum(ch.isdigit() for ch in text)
    # A phone number has more digits than a reference has characters.
    if _PHONE_CHARACTERS.match(text) and digits > LENGTH:
        return PersonSearch(SearchKind.PHONE, Q(phone_hash__in=_hashes(normalise_phone(text))))
    reference = _looks_like_reference(text)
    words = search_hashes(text)
    by_name = Q()
    for hashes in words:
        by_name &= Q(
            pk__in=ReferralNameToken.objects.filter(
                organisation_id__in=organisations, hash__in=hashes
            ).values("referral_id")
        )
    if reference:
        if not words:
            return PersonSearch(SearchKind.REFERENCE, Q(reference=reference), reference)
        # A dash or a digit means a reference; otherwise it may be a name of eight letters.
        if "-" in text or any(ch.isdigit() for ch in text):
            return PersonSearch(SearchKind.REFERENCE, Q(reference=reference), reference)
        return PersonSearch(
            SearchKind.REFERENCE_OR_NAME, Q(reference=reference) | by_name, reference
        )
    if not words:
        # Nothing a name or a reference is made of ("---"): it matches no one.
        return PersonSearch(SearchKind.REFERENCE, Q(pk__in=[]))
    # A reference in an older or longer form (the benchmarks' own) is still found by
    # itself: one more look-up on the reference's unique index.
    stored_form = normalise_reference(text)
    if " " not in text.strip() and len(stored_form) <= MAX_LENGTH:
        by_name |= Q(reference=stored_form)
    return PersonSearch(SearchKind.NAME, by_name)


def person_search_filter(queryset: QuerySet[Referral], search: PersonSearch) -> QuerySet:
    """``queryset`` (already the user's organisations) narrowed to the people searched for."""
    return queryset.filter(search.condition)


def person_search_audit(*, request, kind: str, results: int) -> None:
    """One row per organisation searched: the kind of search and how many it found, never
    what was typed (a name, an email or a phone number is personal data)."""
    from portal.organisations.models import Organisation
    from portal.organisations.roles import CASE_ROLES
    from portal.organisations.scoping import member_organisation_ids

    ids = member_organisation_ids(request.user, roles=CASE_ROLES)
    for organisation in Organisation.objects.filter(pk__in=ids).order_by("pk"):
        audit_record(
            action=AuditEvent.Action.VIEWED,
            request=request,
            organisation=organisation,
            detail={"page": "referral search", "search": kind, "results": results},
        )
