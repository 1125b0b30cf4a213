"""Opening a link: the one request that carries its secret exchanges it for a grant, and
every later request is answered from the grant, checked again each time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from ..models import PrivateLink, Referral
from .grants import grant_forget, grant_read, grant_store
from .rules import (
    LEGACY_LIFETIME,
    LEGACY_SALTS,
    LIVE_LINKS_PER_PURPOSE,
    LinkExpired,
    LinkInvalid,
    hash_token,
    legacy_links_accepted,
    link_check,
    links_beyond_the_newest_stop,
)

# Far longer than any link we make (43 characters) or made (about 80); anything longer
# is refused before it is hashed or unsigned.
TOKEN_MAX_LENGTH = 200


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
    if not legacy_links_accepted(now):
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
                links_beyond_the_newest_stop(referral_id=referral.pk, purpose=purpose, now=now)
    except IntegrityError:
        # Opened twice at the same moment: the other request recorded it.
        link = PrivateLink.objects.get(token_hash=hash_token(token))
    link.referral = referral
    return link


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
