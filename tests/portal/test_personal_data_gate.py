"""Every path that shows a person's details passes the reason-for-access gate and leaves
a VIEWED audit row: pages, their error re-renders, every method and every bad body.

The walk takes every staff URL from the resolver (the same walk as the URL-protection
test) with organisation A's real ids, and one person whose details are canaries. It
tries each URL with GET, HEAD, an empty POST, a POST of nonsense, PUT and DELETE:

- while the person's referral is a colleague's, or closed, and no reason was given, no
  response may show their record (contact details, safe-contact details, notes), and
  every view about their record must send the user to the reason page first;
- any response that shows them at all (a roster shows their name) must come from a view
  marked as showing personal data, and must have written a VIEWED row;
- once a reason is given, every response showing them must have written a VIEWED row,
  naming their referral where the page is about it.

A new page that shows a person without ``shows_personal_data`` or ``referral_record``
fails here without anyone having to list it. The API's endpoints, which have no reason
gate, are walked the same way in ``tests/api/test_personal_data_audit.py``, with valid
bodies too.
"""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from peergroups.models import Group
from portal.audit.models import AuditEvent
from portal.audit.viewing import shows_personal_data_page
from portal.organisations.roles import Role
from referrals.access import is_gated
from referrals.models import Referral
from referrals.services import case_note_add, contact_attempt_record, referral_transition
from tests.conftest import sign_in
from tests.factories import MembershipFactory
from tests.portal import test_cross_organisation_matrix as matrix
from tests.portal.test_url_protection import URLS, _keyword_names

pytestmark = pytest.mark.django_db

# Organisation A's objects, one of each kind a URL can name: the cross-organisation matrix
# keeps the list, so a new kind of id is added in one place.
organisation_a_objects = matrix.organisation_a_objects

# Shown only on the person's own record, behind the gate.
RECORD_CANARIES = {
    "email": "canary.quillfeather@example.org",
    "note": "Canarynote about the search on Tuesday",
    "attempt": "Canaryattempt reached by phone",
    "address": "7 Canaryaddress Lane",
    "safe notes": "Canarysafenotes ring twice",
}
# Also on rosters and registers, which are audited but not gated.
NAME_CANARIES = {"full name": "Canaryname Quillfeather", "name to use": "Quillycanary"}
CANARIES = {**RECORD_CANARIES, **NAME_CANARIES}

# URL keywords that name one person's record (or something of theirs): such a URL's view
# must be a ``referral_record`` view, except the gate's own page.
RECORD_KEYWORDS = {"referral_id", "delivery_id", "sar_id", "link_id"}
THE_GATE = "referrals:access-reason"

NONSENSE = {
    "body": "",
    "note": "",
    "reason": "",
    "to_state": "nonsense",
    "close_reason": "nonsense",
    "assignee": "not-an-id",
    "confirm": "no",
    "channel": "pigeon",
    "outcome": "?",
    "status": "?",
    "step": "send",
    "pack": "zz",
    "group": "zz",
    "slot": "zz",
    "reference": "WRONG",
    "fingerprint": "0" * 64,
}
REQUESTS = [
    ("get", None),
    ("head", None),
    ("post", {}),
    ("post", NONSENSE),
    ("put", None),
    ("delete", None),
]


def staff_url_names() -> list[str]:
    return [name for name, url in URLS if url.startswith("/staff/")]


@pytest.fixture
def person(organisation_a_objects, coordinator_a, caseworker_a, facilitator_a):
    """Organisation A's referral from the matrix's objects, given canary details, a note,
    a contact attempt, and a place in a group the viewer runs."""
    referral = Referral.objects.get(pk=organisation_a_objects["referral_id"])
    referral.full_name = NAME_CANARIES["full name"]
    referral.email = RECORD_CANARIES["email"]
    referral.save()
    safe = referral.safe_contact
    safe.name_to_use = NAME_CANARIES["name to use"]
    safe.postal_address = RECORD_CANARIES["address"]
    safe.other_notes = RECORD_CANARIES["safe notes"]
    safe.save()
    case_note_add(referral=referral, body=RECORD_CANARIES["note"], actor=caseworker_a)
    contact_attempt_record(
        referral=referral,
        channel="call",
        outcome="no_answer",
        note=RECORD_CANARIES["attempt"],
        actor=caseworker_a,
        override_reason="They asked us to ring back",
    )
    Group.objects.get(pk=organisation_a_objects["group_id"]).facilitators.add(coordinator_a)
    return referral


@pytest.fixture
def viewer(coordinator_a, organisation_a):
    """A coordinator who is also a caseworker and a facilitator: every staff page opens."""
    for role in (Role.CASEWORKER, Role.FACILITATOR):
        MembershipFactory(user=coordinator_a, organisation=organisation_a, role=role)
    return coordinator_a


def _url(name: str, objects: dict) -> str:
    keywords = _keyword_names(name)[0]
    return reverse(name, kwargs={keyword: objects[keyword] for keyword in keywords})


def _send(client, method: str, url: str, data):
    if method in ("get", "head", "delete"):
        return getattr(client, method)(url)
    if method == "put":
        return client.put(url, data="{}", content_type="application/json")
    return client.post(url, data)


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _shown(response) -> set[str]:
    text = _text(response)
    return {label for label, canary in CANARIES.items() if canary in text}


def _walk(client, url: str):
    """Each request, its response, and the VIEWED rows it wrote."""
    for method, data in REQUESTS:
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = _send(client, method, url, data)
        viewed = list(AuditEvent.objects.filter(id__gt=last, action=AuditEvent.Action.VIEWED))
        yield f"{method.upper()} {url}{' (nonsense)' if data else ''}", response, viewed


def _reason_page(referral) -> str:
    return reverse("referrals:access-reason", kwargs={"referral_id": referral.pk})


def test_the_walk_covers_the_personal_data_pages():
    names = staff_url_names()
    assert len(names) >= 70
    for expected in ("referrals:detail", "referrals:note", "groups:session", "staff:dashboard"):
        assert expected in names


def test_the_canaries_are_found_where_the_person_is_shown(
    client, organisation_a_objects, person, viewer
):
    sign_in(client, viewer)
    record = client.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    assert _shown(record) == set(CANARIES)
    register = client.get(
        reverse("groups:session", kwargs={"session_id": organisation_a_objects["session_id"]})
    )
    assert _shown(register) == {"name to use"}


@pytest.mark.parametrize(("name", "url"), [(n, u) for n, u in URLS if u.startswith("/staff/")])
def test_every_url_about_one_persons_record_is_behind_the_gate(name, url):
    keywords = set(_keyword_names(name)[0])
    view = resolve(url)
    if keywords & RECORD_KEYWORDS and name != THE_GATE:
        assert is_gated(view.func), (
            f"{name}: decorate its view with referrals.access.referral_record"
        )
    if is_gated(view.func):
        assert shows_personal_data_page(view.func), name


@pytest.mark.parametrize("situation", ["a colleague's", "closed"])
@pytest.mark.parametrize("name", staff_url_names())
def test_without_a_reason_no_path_shows_the_record(
    client, name, situation, organisation_a_objects, person, viewer, facilitator_a
):
    if situation == "closed":
        referral_transition(
            referral=person, to_state="closed", actor=facilitator_a, close_reason="declined"
        )
    else:
        Referral.objects.filter(pk=person.pk).update(assigned_to=facilitator_a)
    url = _url(name, organisation_a_objects)
    gated = is_gated(resolve(url).func)
    marked = shows_personal_data_page(resolve(url).func)
    before = Referral.objects.values("state", "assigned_to_id").get(pk=person.pk)
    notes = person.notes.count()
    sign_in(client, viewer)

    for request, response, viewed in _walk(client, url):
        shown = _shown(response)
        assert not shown & RECORD_CANARIES.keys(), f"{request} showed {shown}"
        if gated:
            assert response.status_code in (302, 405), f"{request}: {response.status_code}"
            if response.status_code == 302:
                assert response["Location"].startswith(_reason_page(person)), request
        if shown:
            assert marked, f"{request} showed {shown} from a view not marked as personal data"
            assert any(
                event.actor_id == viewer.pk and event.organisation_id == person.organisation_id
                for event in viewed
            ), f"{request} showed {shown} and left no VIEWED row"

    if gated:
        assert Referral.objects.values("state", "assigned_to_id").get(pk=person.pk) == before
        assert person.notes.count() == notes


@pytest.mark.parametrize("name", staff_url_names())
def test_with_a_reason_every_path_that_shows_the_person_is_audited(
    client, name, organisation_a_objects, person, viewer, facilitator_a
):
    Referral.objects.filter(pk=person.pk).update(assigned_to=facilitator_a)
    url = _url(name, organisation_a_objects)
    gated = is_gated(resolve(url).func)
    marked = shows_personal_data_page(resolve(url).func)
    sign_in(client, viewer)
    client.post(_reason_page(person), {"reason": "Covering while they are on leave"})

    for request, response, viewed in _walk(client, url):
        shown = _shown(response)
        if not shown:
            continue
        assert marked, f"{request} showed {shown} from a view not marked as personal data"
        mine = [e for e in viewed if e.actor_id == viewer.pk]
        assert any(e.organisation_id == person.organisation_id for e in mine), (
            f"{request} showed {shown} and left no VIEWED row"
        )
        if gated:
            assert any(e.target_id == str(person.pk) for e in mine), request
