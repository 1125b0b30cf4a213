"""Keeps the signed-in person's memberships for the length of one request."""

from __future__ import annotations

from .selectors import memberships_kept_for_request


class MembershipsPerRequestMiddleware:
    """Scoping, permissions and navigation each ask about the person's memberships; with
    this they share one read (see ``selectors.active_memberships``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with memberships_kept_for_request():
            return self.get_response(request)
