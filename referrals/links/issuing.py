"""Making links: one for each message that carries one, and short codes read out by phone."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User

from ..models import PrivateLink, Referral
from .rules import LIFETIMES, Purpose, hash_token, links_beyond_the_newest_stop


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
        links_beyond_the_newest_stop(referral_id=referral.pk, purpose=purpose, now=now)
    return token


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
    links_beyond_the_newest_stop(referral_id=referral.pk, purpose=Purpose.PLACE, now=now)
    return link, code


def withdraw_url(referral: Referral) -> str:
    """A new link to the page where the person stops all contact."""
    token = link_issue(referral=referral, purpose=Purpose.WITHDRAW)
    return reverse("selfreferral:withdraw-link", kwargs={"token": token})
