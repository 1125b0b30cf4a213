"""Shared pieces of the OpenAPI description: the error shape and the security schemes."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Path of the field in the request body, like person.email."
    )
    code = serializers.CharField(help_text="Machine-readable, like required or invalid.")
    message = serializers.CharField(help_text="Plain English, safe to show to a person.")


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(
        help_text="invalid, not_authenticated, authentication_failed, invalid_api_key, "
        "permission_denied, not_found, method_not_allowed, unsupported_media_type, "
        "parse_error, request_too_large, json_too_deep, throttled or idempotency_key_reused."
    )
    message = serializers.CharField()
    errors = FieldErrorSerializer(many=True, required=False)


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="The request is not valid."),
    401: OpenApiResponse(ErrorSerializer, description="No valid API key or session."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for this caller."),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not the caller's."),
    429: OpenApiResponse(
        ErrorSerializer, description="Too many requests; wait for Retry-After seconds."
    ),
}


class AgencyKeyScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.AgencyKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'An agency API key, sent as "Api-Key <key>".',
        }
