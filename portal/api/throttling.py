"""Rate limits per caller: each API key, each signed-in person, or each address."""

from rest_framework.throttling import SimpleRateThrottle

from portal.core.client_address import client_address

from .permissions import calling_key


class CallerRateThrottle(SimpleRateThrottle):
    """One budget per key or person; DRF answers 429 with ``Retry-After`` when spent."""

    scope = "caller"

    def get_cache_key(self, request, view) -> str:
        key = calling_key(request)
        if key is not None:
            ident = f"key:{key.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request) -> str:
        # DRF's own reads X-Forwarded-For from anyone (a new budget per forged header).
        return client_address(request) or "unknown"


class SubmitRateThrottle(CallerRateThrottle):
    """A tighter budget for creating referrals than for reading."""

    scope = "submit"

    def allow_request(self, request, view) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)
