"""Every API error in one JSON shape, with a machine-readable code and the field's path.

{"status": 400, "code": "invalid", "message": "Check the fields listed.",
 "errors": [{"field": "person.full_name", "code": "required", "message": "Enter a name."}]}
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

VALIDATION_MESSAGE = "Some of the information is missing or not valid. Check the fields listed."


def field_errors(detail, path: str = "") -> list[dict]:
    """Flatten DRF's nested error detail into one entry per message, each with its path."""
    if isinstance(detail, dict):
        entries = []
        for name, value in detail.items():
            if name == "non_field_errors":
                child = path
            elif isinstance(name, int):
                # A list's items, as DRF reports them (a dict by position): safe_windows[1].
                child = f"{path}[{name}]"
            else:
                child = f"{path}.{name}" if path else name
            entries += field_errors(value, str(child))
        return entries
    if isinstance(detail, list):
        entries = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                entries += field_errors(value, f"{path}[{index}]")
            else:
                entries += field_errors(value, path)
        return entries
    return [
        {"field": path or None, "code": getattr(detail, "code", "invalid"), "message": str(detail)}
    ]


def error_body(status_code: int, code: str, message: str, errors: list | None = None) -> dict:
    body = {"status": status_code, "code": code, "message": message}
    if errors is not None:
        body["errors"] = errors
    return body


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            response.status_code, "invalid", VALIDATION_MESSAGE, field_errors(exc.detail)
        )
        return response
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = getattr(exc, "default_code", "error")
    response.data = error_body(response.status_code, code, str(detail))
    return response


# --- Django's own error pages, answered as JSON under /api/ -------------------------------
# A URL that matches no pattern (or a 500) never reaches DRF; without these, an API
# client would be sent an HTML page.


def _json_or_page(page, status_code: int, code: str, message: str):
    def handler(request, *args, **kwargs):
        if request.path_info.startswith("/api/"):
            return JsonResponse(error_body(status_code, code, message), status=status_code)
        return page(request, *args, **kwargs)

    return handler


page_not_found = _json_or_page(defaults.page_not_found, 404, "not_found", "Not found.")
bad_request = _json_or_page(
    defaults.bad_request, 400, "bad_request", "The request could not be understood."
)
permission_denied = _json_or_page(
    defaults.permission_denied, 403, "permission_denied", "You do not have permission to do this."
)
server_error = _json_or_page(
    defaults.server_error,
    500,
    "server_error",
    "Something went wrong on our side. Please try again later.",
)
