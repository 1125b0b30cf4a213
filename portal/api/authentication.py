"""Agency API keys as a DRF authentication class.

A request carrying ``Authorization: Api-Key <key>`` is authenticated as the key (it has
no user). A key that is unknown, revoked or past its expiry is refused with 401, the same
answer for each, so a caller cannot tell a revoked key from a mistyped one; so is any
other Authorization header.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from .models import AgencyApiKey

KEYWORD = "Api-Key"
# Writing last_used_at on every call would cost a write each time; a minute's precision
# is what the key page shows.
LAST_USED_PRECISION_SECONDS = 60


class AgencyKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            return None  # no key: a signed-in session may still authenticate
        keyword, _, raw_key = header.partition(" ")
        if keyword != KEYWORD:
            # Credentials this API does not understand are refused, never ignored in
            # favour of a session the same request also carries.
            raise exceptions.AuthenticationFailed(
                'Send the key as "Authorization: Api-Key <key>".', code="invalid_api_key"
            )
        raw_key = raw_key.strip()
        try:
            key = AgencyApiKey.objects.get_from_key(raw_key)
        except (AgencyApiKey.DoesNotExist, ValueError):
            key = None
        if key is None or key.has_expired:
            raise exceptions.AuthenticationFailed(
                "This API key is not valid. It may have been revoked or have expired.",
                code="invalid_api_key",
            )
        now = timezone.now()
        if (
            key.last_used_at is None
            or (now - key.last_used_at).total_seconds() > LAST_USED_PRECISION_SECONDS
        ):
            AgencyApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return KEYWORD
