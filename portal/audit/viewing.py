"""Staff views that show people's personal data, and the VIEWED rows they leave.

A view that can show anyone's personal data is decorated with ``shows_personal_data``.
While it runs it says whose data it is about to show with ``personal_data_shown``; the
decorator writes one VIEWED row for each organisation (and record) named, for every
response the view renders: the page, an error re-render with status 400, a download. A
redirect shows nothing and leaves no row. The row is written by the decorator, not by
each branch of the view, so a new error path cannot forget it.

Views about one person's referral use ``referrals.access.referral_record`` instead,
which adds the reason-for-access gate and names the referral itself. The walk in
``tests/portal/test_personal_data_gate.py`` fails when a page shows a person's details
from a view that is not marked by one of the two.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponseBase

from .models import AuditEvent
from .services import audit_record

# The attribute the decorator sets on a view: the page name its audit rows carry.
PAGE_ATTRIBUTE = "portal_personal_data_page"
_SHOWN_ATTRIBUTE = "_portal_personal_data_shown"


def personal_data_shown(
    request: HttpRequest,
    *,
    organisation: models.Model,
    target: models.Model | None = None,
    **detail: Any,
) -> None:
    """Note that this request is about to show personal data held by ``organisation``
    (about ``target``, where it is one record). Only inside a ``shows_personal_data`` view."""
    shown = getattr(request, _SHOWN_ATTRIBUTE, None)
    if shown is None:
        raise RuntimeError("personal_data_shown() outside a @shows_personal_data view")
    key = (organisation.pk, target._meta.label_lower if target else "", getattr(target, "pk", ""))
    if key not in shown:
        shown[key] = (organisation, target, detail)


def renders_something(response: HttpResponseBase) -> bool:
    """Whether a response carries a page or file (anything but a redirect)."""
    return not 300 <= response.status_code < 400


def shows_personal_data(*, page: str) -> Callable[[Callable], Callable]:
    """Mark a view as showing personal data and audit every response it renders."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def audited(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            outer = getattr(request, _SHOWN_ATTRIBUTE, None)
            setattr(request, _SHOWN_ATTRIBUTE, {})
            try:
                response = view(request, *args, **kwargs)
                if renders_something(response):
                    _record(request, page=page)
            finally:
                setattr(request, _SHOWN_ATTRIBUTE, outer)
            return response

        setattr(audited, PAGE_ATTRIBUTE, page)
        return audited

    return decorate


def _record(request: HttpRequest, *, page: str) -> None:
    for organisation, target, detail in getattr(request, _SHOWN_ATTRIBUTE).values():
        audit_record(
            action=AuditEvent.Action.VIEWED,
            request=request,
            organisation=organisation,
            target=target,
            detail={"page": page, **detail},
        )


def shows_personal_data_page(view: Callable) -> str | None:
    """The page name a view was marked with, or None for a view not marked."""
    return getattr(view, PAGE_ATTRIBUTE, None)
