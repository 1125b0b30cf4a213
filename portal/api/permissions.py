"""Who may call what. DRF's default is ``IsVerifiedUser``: nothing is open by accident."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from portal.accounts.passkeys import must_use_passkey

from .models import AgencyApiKey


def is_verified_user(request) -> bool:
    """Signed in with a verified second factor: a passkey, where the organisation asks."""
    user = request.user
    verified = bool(
        user and user.is_authenticated and getattr(user, "is_verified", lambda: False)()
    )
    return verified and not must_use_passkey(request)


def calling_key(request) -> AgencyApiKey | None:
    return request.auth if isinstance(request.auth, AgencyApiKey) else None


class IsVerifiedUser(BasePermission):
    """Signed in with a verified second factor, whatever their role: for endpoints that
    referrers use too (``/me/``)."""

    message = "Sign in with your second factor to use the API."

    def has_permission(self, request, view) -> bool:
        return is_verified_user(request)


class IsVerifiedCharityStaff(IsVerifiedUser):
    """Verified, and working in a charity: the API's default, so an endpoint is for staff
    unless it says otherwise, as every page under ``/staff/`` is (``portal.accounts.access``)."""

    message = "This part of the API is for charity staff."

    def has_permission(self, request, view) -> bool:
        from portal.accounts.access import works_in_a_charity

        return is_verified_user(request) and works_in_a_charity(request.user)


def key_or_verified_user(scope: str) -> type[BasePermission]:
    """A permission for endpoints that agency keys may call: a key holding ``scope``, or a
    person signed in with a verified second factor (the view then scopes what they see)."""

    class KeyWithScopeOrVerifiedUser(BasePermission):
        message = "This API key is not allowed to do this, or you need to sign in."

        def has_permission(self, request, view) -> bool:
            key = calling_key(request)
            if key is not None:
                return key.has_scope(scope)
            return is_verified_user(request)

    KeyWithScopeOrVerifiedUser.__name__ = f"KeyWithScope_{scope.replace(':', '_')}"
    return KeyWithScopeOrVerifiedUser
