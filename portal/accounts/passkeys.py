"""Passkeys (WebAuthn) as a second factor, through django-otp-webauthn.

The library's ceremony views are used as they are, with the portal's rules added:
registering a passkey needs the password again (a stolen session cannot add the
attacker's own passkey), and every registration, verification and failure is audited.
A coordinator can require passkeys for everyone in their organisation.
"""

from __future__ import annotations

import json
import uuid

from django.core.cache import cache
from django.urls import reverse
from django_otp import login as otp_login
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.core.json_limits import JsonBodyError, json_error_response, json_loads_limited
from portal.organisations.models import Membership

from .sessions import session_rotate

# The session remembers whether the person must use a passkey, with the version of the
# organisations' policy it was worked out under: a coordinator changing the policy bumps
# the version (in the cache, not the database), so every session looks again once. The
# cache only ever says when to look again: a version it has lost (emptied, restarted,
# evicted) is replaced by a new one, and with no cache at all every request reads the
# database, so a forgotten version can never mean "nothing changed".
PASSKEY_REQUIRED_SESSION_KEY = "portal_passkey_required"
POLICY_VERSION_CACHE_KEY = "portal:passkey-policy-version"


def passkeys_of(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def user_has_passkey(user) -> bool:
    return passkeys_of(user).exists()


def passkey_required_for(user) -> bool:
    """Whether any organisation the person works in requires passkeys."""
    return (
        Membership.objects.active().filter(user=user, organisation__require_passkeys=True).exists()
    )


def verified_with_passkey(request) -> bool:
    return isinstance(getattr(request.user, "otp_device", None), WebAuthnCredential)


def passkey_policy_changed() -> None:
    cache.set(POLICY_VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)


def passkey_policy_version() -> str | None:
    """The current policy version; a new one if the cache lost it, None with no cache."""
    version = cache.get(POLICY_VERSION_CACHE_KEY)
    if version is None:
        # add, not set: of several requests finding it gone at once, the first one's
        # version stands, so sessions are not sent to the database again and again.
        cache.add(POLICY_VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(POLICY_VERSION_CACHE_KEY)
    return version


def passkey_requirement_snapshot(user) -> list:
    """What the session stores: [policy version, whether a passkey is required]."""
    return [passkey_policy_version(), passkey_required_for(user)]


def must_use_passkey(request) -> bool:
    """Whether this verified session must still be verified again with a passkey."""
    if verified_with_passkey(request):
        return False
    version = passkey_policy_version()
    remembered = request.session.get(PASSKEY_REQUIRED_SESSION_KEY)
    if version is None or not remembered or remembered[0] != version:
        remembered = [version, passkey_required_for(request.user)]
        request.session[PASSKEY_REQUIRED_SESSION_KEY] = remembered
    return bool(remembered[1])


class _BodyRefused(exceptions.MalformedRequest):
    def __init__(self, error: JsonBodyError):
        super().__init__(detail=error.message, code=error.code)
        self.error = error


class LimitedJsonBody:
    """The library's views parse their JSON body with json.loads, so 100,000 nested
    brackets raised RecursionError (a 500); here the body goes through the portal's one
    limited reader, and a refused body is a 400 in the API's error shape (with the
    ``detail`` the library's script shows)."""

    def _parse_request_data(self, request):
        if request.content_type.split(";", 1)[0] == "application/json":
            if not request.body:
                return {}
            try:
                return json_loads_limited(request.body)
            except JsonBodyError as error:
                raise _BodyRefused(error) from error
        return request.POST

    def handle_exception(self, exc):
        if isinstance(exc, _BodyRefused):
            return json_error_response(self.request, exc.error)
        return super().handle_exception(exc)


def _audit_failure(view, exc):
    if isinstance(exc, exceptions.OTPWebAuthnApiError) and view.request.user.is_authenticated:
        audit_record(
            action=AuditEvent.Action.TWO_FACTOR_FAILED,
            request=view.request,
            detail={"method": "passkey", "code": exc.code},
        )


class PasskeyRegistrationBegin(LimitedJsonBody, BeginCredentialRegistrationView):
    pass


class PasskeyAuthenticationBegin(LimitedJsonBody, BeginCredentialAuthenticationView):
    pass


class PasskeyRegistrationComplete(LimitedJsonBody, CompleteCredentialRegistrationView):
    def handle_exception(self, exc):
        _audit_failure(self, exc)
        return super().handle_exception(exc)

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        device = WebAuthnCredential.objects.get(
            pk=json.loads(response.content)["id"], user=self.request.user
        )
        device.name = f"Passkey added {device.created_at:%d %b %Y}"
        device.save(update_fields=["name"])
        # Having just proved they hold the passkey, the session counts as verified by it.
        otp_login(self.request, device)
        audit_record(
            action=AuditEvent.Action.TWO_FACTOR_SET_UP,
            request=self.request,
            detail={"method": "passkey"},
        )
        return response


class PasskeyAuthenticationComplete(LimitedJsonBody, CompleteCredentialAuthenticationView):
    def handle_exception(self, exc):
        _audit_failure(self, exc)
        return super().handle_exception(exc)

    def complete_auth(self, device):
        super().complete_auth(device)
        session_rotate(self.request)
        audit_record(
            action=AuditEvent.Action.TWO_FACTOR_VERIFIED,
            request=self.request,
            detail={"method": "passkey"},
        )

    def get_success_url(self):
        return self.get_redirect_url() or reverse("staff:dashboard")
