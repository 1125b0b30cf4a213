"""Log every call to the API against the key or person that made it."""

from __future__ import annotations

from portal.core.client_address import client_address

from .models import AgencyApiKey, ApiCall

LOGGED_PREFIX = "/api/v1/"
# The schema and its documentation pages hold nothing about anyone.
NOT_LOGGED = ("/api/v1/schema/", "/api/v1/docs/")


class ApiCallLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        if path.startswith(LOGGED_PREFIX) and not path.startswith(NOT_LOGGED):
            key = getattr(request, "auth", None)
            user = getattr(request, "user", None)
            ApiCall.objects.create(
                key=key if isinstance(key, AgencyApiKey) else None,
                user=user if user is not None and user.is_authenticated else None,
                method=request.method[:10],
                path=path[:300],
                status_code=response.status_code,
                client_ip=client_address(request),
            )
        return response
