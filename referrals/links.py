"""Private links for the referred person: opaque, revocable, and live only while needed.

A message that needs a link gets a new one (``link_issue``): a random secret of which
only the SHA-256 is stored (``PrivateLink``), so nothing in a link says whose it is and
a copy of the database opens nothing.

A link is redeemed as Django's password-reset link is: the one request that carries the
secret (``link_open``) checks it, keeps a grant in the visitor's session and redirects
to an address without the secret. Every later request (pages, actions, the calendar
file) is answered from the grant (``link_from_session``), which is checked against the
stored link each time, so revoking a link, or its purpose ending, stops it at once. The
secret therefore appears in one request line, and never in a later address, a page, or
a Referer sent on. It is in the address the person opened, which browsers may keep in
their history (they record an address that redirected); the link then works until it
is revoked, expires or its purpose ends. On a shared device it is the quick exit, the
public pages' single history entry and stopping the link that protect the person. The
pack links of ``resources`` use the same grants.

A link works until the first of:

- it is revoked: by staff, one at a time or all of the person's links at once
  (``links_stop_all``, which also refuses every link issued or signed before that
  moment); every place link when consent is withdrawn; every link when the person is
  erased;
- ``LIVE_LINKS_PER_PURPOSE`` newer links of its kind were issued to the person: each new
  link stops the oldest beyond that number, so old messages open nothing;
- its purpose ends: a place link once the person has no offer, place, waiting-list
  place, call or questions left and ``PLACE_LINK_GRACE`` has passed (or the referral
  closed that long ago), or at once when consent is withdrawn; a withdrawal link once
  the person's details are no longer held (it then confirms, and changes nothing);
- its own limit, ``expires_at``.

Links sent before links were stored were signed with the site's key and carried the
referral's id. They are still accepted within their year while their purpose lives,
until ``LEGACY_PRIVATE_LINKS_UNTIL`` begins (or never, if ``LEGACY_PRIVATE_LINKS_ACCEPTED``
is False), and recorded on first use so that staff can revoke them one by one.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES

from .choices import State
from .models import PrivateLink, Referral

Purpose = PrivateLink.Purpose

# A fresh link goes with every message, so these bound a link nobody needs any more.
PLACE_LINK_LIFETIME = timedelta(days=180)
# As long as the longest a closed referral is kept by default (24 months): a person may
# want their details gone sooner, and withdrawing consent does that.
WITHDRAW_LINK_LIFETIME = timedelta(days=730)
LIFETIMES = {Purpose.PLACE: PLACE_LINK_LIFETIME, Purpose.WITHDRAW: WITHDRAW_LINK_LIFETIME}
# At most this many links of each kind work for one person: issuing one stops the oldest
# beyond it. Every message carries new links, and a family rarely needs an old text's
# link once a newer message came; an old message read on a shared phone then opens
# nothing. Five leaves room for a few messages sent close together.
LIVE_LINKS_PER_PURPOSE = 5
# A place link keeps working this long after the last thing on the page ends, so a
# person can still see what happened, answer the last questions, or find the page
# after a cancelled meeting.
PLACE_LINK_GRACE = timedelta(days=14)

# Links signed with the site's key before links were stored.
LEGACY_LIFETIME = timedelta(days=365)
LEGACY_SALTS = {Purpose.PLACE: "peergroups.participant", Purpose.WITHDRAW: "referrals.withdraw"}

# A grant left untouched this long is forgotten: a shared device must not keep the page
# open for the next person. Opening the link from the message again starts a new one.
GRANT_IDLE_LIMIT = timedelta(hours=1)
GRANT_TOUCH_INTERVAL_SECONDS = 60
GRANTS_SESSION_KEY = "private_link_grants"

# Far longer than any link we make (43 characters) or made (about 80); anything longer
# is refused before it is hashed or unsigned.
TOKEN_MAX_LENGTH = 200


class LinkInvalid(Exception):
    """No such link: mistyped, cut short, forged, or of another purpose (404)."""


class LinkExpired(LinkInvalid):
    """A real link that no longer works: revoked, expired or its purpose over (410)."""


class LinkError(Exception):
    """A change to a link that cannot be made; the message is safe to show to staff."""


def hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


# --- Issuing ----------------------------------------------------------------------------


def link_issue(*, referral: Referral, purpose: str) -> str:
    """Make a new link for ``referral`` and return its secret, which is never stored."""
    if purpose not in Purpose.values:
        raise ValueError(purpose)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        PrivateLink.objects.create(
            organisation_id=referral.organisation_id,
            referral=referral,
            purpose=purpose,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
        _links_beyond_the_newest_stop(referral_id=referral.pk, purpose=purpose, now=now)
    return token


def _links_beyond_the_newest_stop(*, referral_id, purpose: str, now: datetime) -> int:
    """Stop every working link of ``purpose`` but the newest ``LIVE_LINKS_PER_PURPOSE``.
    Called whenever a link is issued or recorded, in the same transaction."""
    # Messages sent at the same moment would each count the others' new links as not yet
    # there and stop too few: the person's row, locked until commit, makes them take turns
    # (stopping all of their links takes the same lock).
    list(Referral.objects.select_for_update().filter(pk=referral_id).values_list("pk"))
    older = (
        PrivateLink.objects.filter(
            referral_id=referral_id, purpose=purpose, revoked_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[LIVE_LINKS_PER_PURPOSE:]
    )
    return PrivateLink.objects.filter(pk__in=list(older)).update(revoked_at=now)


def participant_url(referral: Referral) -> str:
    """A new link to the person's support page: where things stand, their call, their
    places and joining details, how to reach them, and stopping contact."""
    token = link_issue(referral=referral, purpose=Purpose.PLACE)
    return reverse("peergroups:participant-link", kwargs={"token": token})


support_url = participant_url


# --- Codes read out by phone ------------------------------------------------------------
#
# When no written way to reach someone is safe, a member of staff reads them a short code
# for their support page, which they type at ``/support/code/``. A code is a support-page
# link like any other (only its SHA-256 is stored; revocable; ends with its purpose), just
# short enough to read aloud: 12 characters from an alphabet without look-alikes (no 0/O,
# 1/I/L, U/V) are 58 bits, far beyond guessing at the rate the code page allows.

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 12


def normalise_code(typed: str) -> str:
    """A code as typed (any case, with spaces or dashes) in the form that was hashed."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def is_code_shaped(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def format_code(code: str) -> str:
    """In groups of four, as it is read out: ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_issue(*, referral: Referral, actor: User) -> tuple[PrivateLink, str]:
    """Make a support-page code for ``referral``, read out by ``actor``; returns the link
    and the code (unformatted), which is never stored. Call inside the caller's
    transaction."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = timezone.now()
    link = PrivateLink.objects.create(
        organisation_id=referral.organisation_id,
        referral=referral,
        purpose=Purpose.PLACE,
        token_hash=hash_token(code),
        created_at=now,
        expires_at=now + LIFETIMES[Purpose.PLACE],
        issued_by=actor,
    )
    _links_beyond_the_newest_stop(referral_id=referral.pk, purpose=Purpose.PLACE, now=now)
    return link, code


def withdraw_url(referral: Referral) -> str:
    """A new link to the page where the person stops all contact."""
    token = link_issue(referral=referral, purpose=Purpose.WITHDRAW)
    return reverse("selfreferral:withdraw-link", kwargs={"token": token})


# --- Whether a link still works --------------------------------------------------------


def purpose_lives(*, referral: Referral, purpose: str, now: datetime | None = None) -> bool:
    """Whether a link of ``purpose`` for ``referral`` still has something to do."""
    now = now or timezone.now()
    if purpose == Purpose.WITHDRAW:
        # While anything is held about them; after a withdrawal it only confirms.
        return referral.anonymised_at is None
    if not referral.is_contactable:
        return False
    since = now - PLACE_LINK_GRACE
    if referral.state == State.CLOSED and (
        referral.closed_at is None or referral.closed_at <= since
    ):
        return False
    from peergroups.selectors import participant_has_something_current

    return participant_has_something_current(referral=referral, since=since)


def legacy_links_end() -> datetime | None:
    """When older signed links stop being accepted: the start of the day
    ``LEGACY_PRIVATE_LINKS_UNTIL`` in the portal's time zone; None if never set."""
    until = getattr(settings, "LEGACY_PRIVATE_LINKS_UNTIL", None)
    if until is None:
        return None
    return timezone.make_aware(datetime.combine(until, datetime.min.time()))


def _legacy_accepted(now: datetime) -> bool:
    if not getattr(settings, "LEGACY_PRIVATE_LINKS_ACCEPTED", True):
        return False
    end = legacy_links_end()
    return end is None or now < end


def _stopped(link: PrivateLink, now: datetime, *, valid_after: datetime | None) -> bool:
    """Whether the link itself has stopped: revoked, past its limit, issued before staff
    stopped all the person's links (``valid_after``), or an older signed link after they
    were retired. Whether its purpose lives is asked separately."""
    return (
        link.revoked_at is not None
        or link.expires_at <= now
        or (valid_after is not None and link.created_at <= valid_after)
        or (link.legacy and not _legacy_accepted(now))
    )


def link_check(link: PrivateLink, *, now: datetime | None = None) -> None:
    """Raise LinkExpired unless ``link`` works now."""
    now = now or timezone.now()
    if _stopped(link, now, valid_after=link.referral.private_links_valid_after):
        raise LinkExpired
    if not purpose_lives(referral=link.referral, purpose=link.purpose, now=now):
        raise LinkExpired


def is_live(link: PrivateLink, *, now: datetime | None = None) -> bool:
    try:
        link_check(link, now=now)
    except LinkExpired:
        return False
    return True


# --- Redeeming --------------------------------------------------------------------------


def link_redeem(*, token: str, purpose: str) -> PrivateLink:
    """The live link ``token`` opens for ``purpose``; raises LinkInvalid or LinkExpired."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise LinkInvalid
    link = (
        PrivateLink.objects.select_related("referral__organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None:
        link = _legacy_link(token, purpose)
    if link.purpose != purpose:
        raise LinkInvalid
    link_check(link)
    now = timezone.now()
    PrivateLink.objects.filter(pk=link.pk).update(last_used_at=now)
    link.last_used_at = now
    return link


def _legacy_link(token: str, purpose: str) -> PrivateLink:
    """A link signed with the site's key before links were stored, recorded now so that it
    can be revoked like any other; raises LinkInvalid or LinkExpired."""
    salt = LEGACY_SALTS.get(purpose)
    if salt is None:
        raise LinkInvalid
    try:
        referral_id = uuid.UUID(str(signing.loads(token, salt=salt, max_age=LEGACY_LIFETIME)))
        signed_at = datetime.fromtimestamp(signing.b62_decode(token.rsplit(":", 2)[1]), tz=UTC)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except (signing.BadSignature, ValueError, IndexError) as error:
        raise LinkInvalid from error
    now = timezone.now()
    if not _legacy_accepted(now):
        raise LinkExpired
    referral = Referral.objects.select_related("organisation").filter(pk=referral_id).first()
    if referral is None:
        raise LinkInvalid
    # Never recorded, so nothing else stops it: refused if staff stopped all the person's
    # links after it was signed, or if newer links of its kind have replaced it.
    cut_off = referral.private_links_valid_after
    if cut_off is not None and signed_at <= cut_off:
        raise LinkExpired
    newer = PrivateLink.objects.filter(
        referral=referral,
        purpose=purpose,
        revoked_at__isnull=True,
        expires_at__gt=now,
        created_at__gt=signed_at,
    )
    if newer.count() >= LIVE_LINKS_PER_PURPOSE:
        raise LinkExpired
    try:
        with transaction.atomic():
            link, created = PrivateLink.objects.get_or_create(
                token_hash=hash_token(token),
                defaults={
                    "organisation_id": referral.organisation_id,
                    "referral": referral,
                    "purpose": purpose,
                    "legacy": True,
                    "created_at": signed_at,
                    "expires_at": signed_at + LEGACY_LIFETIME,
                },
            )
            if created:
                _links_beyond_the_newest_stop(referral_id=referral.pk, purpose=purpose, now=now)
    except IntegrityError:
        # Opened twice at the same moment: the other request recorded it.
        link = PrivateLink.objects.get(token_hash=hash_token(token))
    link.referral = referral
    return link


# --- Revoking ---------------------------------------------------------------------------


def link_revoke(
    *, link: PrivateLink, actor: User, request: HttpRequest | None = None
) -> PrivateLink:
    """Stop one link now; the person's other links keep working."""
    with transaction.atomic():
        link = PrivateLink.objects.select_for_update().select_related("referral").get(pk=link.pk)
        if not has_role(actor, link.referral.organisation, CASE_ROLES):
            raise LinkError("You do not have a role in this person's organisation.")
        if link.revoked_at is not None:
            return link
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=link.referral.organisation,
            target=link.referral,
            detail={
                "change": "private_link_revoked",
                "link": str(link.pk),
                "purpose": link.purpose,
            },
        )
    return link


def links_revoke_on_withdrawal(*, referral: Referral) -> int:
    """Every place link stops when consent is withdrawn. Withdrawal links keep working
    (they confirm that contact has stopped, and change nothing) until the details go."""
    with transaction.atomic():
        return PrivateLink.objects.filter(
            referral=referral, purpose=Purpose.PLACE, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())


@dataclass(frozen=True)
class LinksStopped:
    links: int
    packs: int


def links_stop_all(
    *, referral: Referral, actor: User, request: HttpRequest | None = None
) -> LinksStopped:
    """Stop every private link the person was sent, for when their messages may have been
    seen by someone else: support-page and withdrawal links (codes read out included),
    pack links, and any link of the older signed kind, used or not. Links issued from
    now on work as usual."""
    from resources.models import Delivery
    from resources.services import delivery_revoke

    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=referral.pk)
        )
        if not has_role(actor, referral.organisation, CASE_ROLES):
            raise LinkError("You do not have a role in this person's organisation.")
        now = timezone.now()
        Referral.objects.filter(pk=referral.pk).update(private_links_valid_after=now)
        links = PrivateLink.objects.filter(
            referral=referral, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now, revoked_by=actor)
        packs = 0
        for delivery in Delivery.objects.filter(referral=referral).live():
            delivery_revoke(delivery=delivery, actor=actor, request=request)
            packs += 1
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=referral.organisation,
            target=referral,
            detail={"change": "private_links_all_revoked", "links": links, "packs": packs},
        )
    return LinksStopped(links=links, packs=packs)


# --- Reading, for staff -----------------------------------------------------------------


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
    if not _legacy_accepted(now):
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
            live=not _stopped(link, now, valid_after=valid_after) and lives[link.purpose],
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


# --- Session grants ---------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """What a visitor's session holds after opening a private link: ids and times only."""

    kind: str
    link_id: str
    referral_id: str
    expires_at: float


def _grant_key(kind: str, slot: str) -> str:
    return f"{kind}:{slot}" if slot else kind


def grant_store(
    request: HttpRequest,
    *,
    kind: str,
    link_id,
    referral_id,
    expires_at: datetime,
    slot: str = "",
) -> None:
    """Remember in the visitor's session that they opened a live link.

    The session gets a new id first, so an id planted in the browser beforehand never
    carries the grant. A visitor's session cookie goes when the browser closes.
    """
    from portal.accounts.sessions import session_rotate

    grants = _grants(request)
    session_rotate(request)
    grants[_grant_key(kind, slot)] = {
        "link": str(link_id),
        "referral": str(referral_id),
        "expires": expires_at.timestamp(),
        "seen": time.time(),
    }
    request.session[GRANTS_SESSION_KEY] = grants
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        request.session.set_expiry(0)


def grant_read(request: HttpRequest, *, kind: str, slot: str = "") -> Grant | None:
    """The visitor's grant of ``kind``, or None if they have none or left it idle.

    Raises LinkExpired once the link's own limit has passed.
    """
    grants = _grants(request)
    key = _grant_key(kind, slot)
    stored = grants.get(key)
    try:
        grant = Grant(
            kind=kind,
            link_id=str(stored["link"]),
            referral_id=str(stored["referral"]),
            expires_at=float(stored["expires"]),
        )
        seen = float(stored["seen"])
    except (KeyError, TypeError, ValueError):
        if stored is not None:
            grant_forget(request, kind=kind, slot=slot)
        return None
    now = time.time()
    if grant.expires_at <= now:
        grant_forget(request, kind=kind, slot=slot)
        raise LinkExpired
    if now - seen > GRANT_IDLE_LIMIT.total_seconds():
        grant_forget(request, kind=kind, slot=slot)
        return None
    if now - seen > GRANT_TOUCH_INTERVAL_SECONDS:
        grants[key] = {**stored, "seen": now}
        request.session[GRANTS_SESSION_KEY] = grants
    return grant


def grant_forget(request: HttpRequest, *, kind: str, slot: str = "") -> None:
    grants = _grants(request)
    if grants.pop(_grant_key(kind, slot), None) is not None:
        request.session[GRANTS_SESSION_KEY] = grants


def _grants(request: HttpRequest) -> dict:
    grants = request.session.get(GRANTS_SESSION_KEY)
    return dict(grants) if isinstance(grants, dict) else {}


# --- Opening a link, and the pages behind it --------------------------------------------


def link_open(request: HttpRequest, *, token: str, purpose: str) -> PrivateLink:
    """Redeem ``token`` and keep a grant for it in the session; raises LinkInvalid or
    LinkExpired. The view then redirects to its address without the secret."""
    link = link_redeem(token=token, purpose=purpose)
    grant_store(
        request,
        kind=purpose,
        link_id=link.pk,
        referral_id=link.referral_id,
        expires_at=link.expires_at,
    )
    return link


def link_from_session(request: HttpRequest, *, purpose: str) -> PrivateLink:
    """The link this visitor opened, checked again now; raises LinkInvalid (no grant, or
    it was left idle) or LinkExpired (revoked, expired, or its purpose over)."""
    grant = grant_read(request, kind=purpose)
    if grant is None:
        raise LinkInvalid
    link = (
        PrivateLink.objects.select_related("referral__organisation")
        .filter(pk=grant.link_id, referral_id=grant.referral_id, purpose=purpose)
        .first()
    )
    if link is None:
        # The person was erased since.
        grant_forget(request, kind=purpose)
        raise LinkInvalid
    try:
        link_check(link)
    except LinkExpired:
        grant_forget(request, kind=purpose)
        raise
    return link
