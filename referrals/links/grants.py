"""What a visitor's session keeps after they opened a private link: ids and times only.

Pack links (``resources``) keep their grants here too, one per pack (``slot``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest

from .rules import LinkExpired

# A grant left untouched this long is forgotten: a shared device must not keep the page
# open for the next person. Opening the link from the message again starts a new one.
GRANT_IDLE_LIMIT = timedelta(hours=1)
GRANT_TOUCH_INTERVAL_SECONDS = 60
GRANTS_SESSION_KEY = "private_link_grants"


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
