"""API views that show people's personal data, and the VIEWED rows they leave.

The API's form of ``portal.audit.viewing.shows_personal_data``. An endpoint whose answer
can name a person (a place, a register, one person's attendance, a referral's status)
is a ``ShowsPersonalData`` view. While it runs it says whose data it is answering with
(``self.personal_data_shown``); every successful answer then leaves one VIEWED row for
each organisation (and record) named, written by the staff views' own decorator, so the
API and the staff pages cannot drift apart. An error answer (400, 403, 404, 429) names
no one and leaves no row, whatever the view had noted before it failed. A call made
with an agency's key is audited with the key's prefix, as it has no user.

The row is written here rather than by each view, so that an endpoint's new branch (a
``PUT`` that answers with the person it changed) cannot forget it. The walk in
``tests/api/test_personal_data_audit.py`` calls every endpoint, with valid bodies and
bad ones, as staff and with a key, and fails when an answer shows a person's details
from a view that is not a ``ShowsPersonalData`` view or leaves no VIEWED row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import models
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from portal.audit.viewing import personal_data_shown, shows_personal_data

from .permissions import calling_key


class ShowsPersonalData:
    """Mix into a DRF view (first among its bases) whose answers can name a person."""

    # The name its audit rows carry, like "api register"; every such view has one.
    personal_data_page: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.personal_data_page:
            raise TypeError(f"{cls.__name__} must name its personal_data_page")

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable:
        view = super().as_view(**initkwargs)  # type: ignore[misc]
        return shows_personal_data(page=cls.personal_data_page)(view)

    def personal_data_shown(
        self, *, organisation: models.Model, target: models.Model | None = None, **detail: Any
    ) -> None:
        """Note that a successful answer shows data held by ``organisation`` (about
        ``target``, where it is one record)."""
        self.__dict__.setdefault("_personal_data_noted", []).append((organisation, target, detail))

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if status.is_success(response.status_code):
            key = calling_key(request)
            caller = {"api_key": key.prefix} if key is not None else {}
            for organisation, target, detail in self.__dict__.get("_personal_data_noted", []):
                personal_data_shown(
                    request, organisation=organisation, target=target, **caller, **detail
                )
        return response
