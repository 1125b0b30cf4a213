"""Reason for access: opening a closed referral, or one assigned to a colleague, asks
for a short reason first. The reason is kept (encrypted) for the coordinators' review
list and the access is audited; the same sign-in session is not asked again.

Every staff view about one person's referral (its page, its actions, their error
re-renders, and pages about things that belong to it: a pack sent, a subject access
request) is decorated with ``referral_record``. The decorator finds the referral through
the organisation-scoped selector, asks for the reason before the view runs at all, and
audits every response the view renders. A view cannot show the record without both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode

from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.audit.viewing import personal_data_shown, shows_personal_data
from portal.organisations.permissions import has_role
from portal.organisations.roles import Role

from . import selectors
from .choices import State
from .models import AccessReason, Referral

SESSION_KEY = "referral_access_reasons"
CLOSED = "closed"
ASSIGNED_ELSEWHERE = "assigned to someone else"


def reason_needed_because(*, referral: Referral, user: User) -> str | None:
    if referral.state == State.CLOSED:
        return CLOSED
    if referral.assigned_to_id and referral.assigned_to_id != user.pk:
        return ASSIGNED_ELSEWHERE
    return None


def may_open(request, referral: Referral) -> bool:
    if reason_needed_because(referral=referral, user=request.user) is None:
        return True
    return str(referral.pk) in request.session.get(SESSION_KEY, [])


@transaction.atomic
def access_reason_record(*, request, referral: Referral, reason: str) -> AccessReason:
    because = reason_needed_because(referral=referral, user=request.user) or "not needed"
    recorded = AccessReason.objects.create(
        referral=referral,
        organisation=referral.organisation,
        user=request.user,
        because=because,
        reason=reason.strip(),
    )
    audit_record(
        action=AuditEvent.Action.VIEWED,
        request=request,
        organisation=referral.organisation,
        target=referral,
        detail={"page": "reason for access given", "because": because},
    )
    granted = request.session.get(SESSION_KEY, [])
    request.session[SESSION_KEY] = [*granted, str(referral.pk)][-200:]
    return recorded


# Set on every view made by ``referral_record``; the URL walk checks for it.
GATE_ATTRIBUTE = "portal_reason_gate"


def reason_page_url(request: HttpRequest, referral: Referral) -> str:
    """The reason page, coming back afterwards to the page asked for (a GET), or to the
    referral's page when an action was posted (the post itself is not replayed)."""
    back = (
        request.get_full_path()
        if request.method == "GET"
        else reverse("referrals:detail", args=[referral.pk])
    )
    return f"{reverse('referrals:access-reason', args=[referral.pk])}?{urlencode({'next': back})}"


def safe_return_path(request: HttpRequest, referral: Referral) -> str:
    """Where the reason page sends someone once they may open the referral: the page they
    asked for, if it is a staff page of this site, otherwise the referral's page."""
    asked = request.GET.get("next", "")
    if asked.startswith("/staff/") and url_has_allowed_host_and_scheme(
        asked, allowed_hosts={request.get_host()}
    ):
        return asked
    return reverse("referrals:detail", args=[referral.pk])


def _referral_by_id(request: HttpRequest, *, referral_id) -> Referral:
    return selectors.referral_for_staff(user=request.user, referral_id=referral_id)


def referral_record(
    *,
    page: str,
    fetch: Callable[..., models.Model] = _referral_by_id,
    referral_of: Callable[[models.Model], Referral | None] = lambda found: found,
    roles: Iterable[Role] | None = None,
) -> Callable[[Callable], Callable]:
    """Decorate a staff view about one person's referral.

    ``fetch(request, **url_kwargs)`` finds what the URL names (by default the referral,
    from ``referral_id``), scoped to the user's organisations so another's answers 404;
    ``referral_of`` gives the referral it belongs to (None once the person was erased).
    With ``roles``, anyone without one of them in the referral's organisation gets 404.
    Then, before the view runs: a referral that needs a reason and has none sends the
    user to the reason page. The view is called as ``view(request, found)``, and every
    response it renders leaves a VIEWED row naming the referral (``shows_personal_data``).
    """

    def decorate(view: Callable) -> Callable:
        @shows_personal_data(page=page)
        @wraps(view)
        def gated(request: HttpRequest, **url_kwargs) -> HttpResponseBase:
            found = fetch(request, **url_kwargs)
            referral = referral_of(found)
            if referral is not None:
                if roles is not None and not has_role(request.user, referral.organisation, roles):
                    raise Http404
                if not may_open(request, referral):
                    return redirect(reason_page_url(request, referral))
                # A page about something of the referral's names that thing too.
                about = {} if found is referral else {found._meta.model_name: str(found.pk)}
                personal_data_shown(
                    request, organisation=referral.organisation, target=referral, **about
                )
            return view(request, found)

        setattr(gated, GATE_ATTRIBUTE, True)
        return gated

    return decorate


def is_gated(view: Callable) -> bool:
    return bool(getattr(view, GATE_ATTRIBUTE, False))
