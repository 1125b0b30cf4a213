"""Session lifetime and the second factor, enforced for every URL in one place."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import resolve_url

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

from .access import (
    PASSKEY_FLOW_URL_NAMES,
    TWO_FACTOR_FLOW_URL_NAMES,
    area_refusal,
    is_public_view,
)
from .passkeys import must_use_passkey

SESSION_STARTED_KEY = "portal_auth_started"
SESSION_LAST_ACTIVITY_KEY = "portal_last_activity"
# Writing the session on every request would cost a database write each time; a
# minute's precision is plenty for a 30-minute idle limit.
ACTIVITY_WRITE_INTERVAL_SECONDS = 60


class SessionTimeoutMiddleware:
    """Ends a signed-in session after the idle limit or the absolute limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._enforce(request)
        return self.get_response(request)

    def _enforce(self, request) -> None:
        now = time.time()
        session = request.session
        started = session.get(SESSION_STARTED_KEY)
        last = session.get(SESSION_LAST_ACTIVITY_KEY)
        if started is None or last is None:
            session[SESSION_STARTED_KEY] = started or now
            session[SESSION_LAST_ACTIVITY_KEY] = now
            return
        idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
        absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
        if now - last > idle or now - started > absolute:
            user = request.user
            reason = "idle" if now - last > idle else "absolute"
            logout(request)
            audit_record(
                action=AuditEvent.Action.SESSION_EXPIRED,
                actor=user,
                request=request,
                detail={"reason": reason},
            )
            messages.info(request, "You were signed out to keep information safe. Sign in again.")
            return
        if now - last > ACTIVITY_WRITE_INTERVAL_SECONDS:
            session[SESSION_LAST_ACTIVITY_KEY] = now


class RequireTwoFactorMiddleware:
    """Every non-public URL needs a signed-in user with a verified second factor.

    Signed out: to the sign-in page. Signed in with a device but not verified: to the
    code page. Signed in without a device: to set one up. Verified with an app code when
    an organisation they work in requires passkeys: to the passkey page. The API answers with DRF's
    401/403 instead of redirects, through its default permission class.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        url_name = match.view_name if match else None
        if is_public_view(view_func, url_name):
            return None
        if request.path_info.startswith("/api/"):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        if user.is_verified():
            if url_name in PASSKEY_FLOW_URL_NAMES or not must_use_passkey(request):
                return None
            return self._refuse(request, "accounts:passkey-required")
        if url_name in TWO_FACTOR_FLOW_URL_NAMES:
            return None
        from .selectors import user_has_confirmed_device

        target = (
            "accounts:two-factor-verify"
            if user_has_confirmed_device(user)
            else "accounts:two-factor-setup"
        )
        return self._refuse(request, target)

    @staticmethod
    def _refuse(request, target: str):
        if request.headers.get("accept", "").startswith("application/json"):
            return JsonResponse({"detail": "Two-factor verification required."}, status=403)
        return redirect_to_login(request.get_full_path(), resolve_url(target))


class StaffAreaMiddleware:
    """Staff pages are for charity staff, referrer pages for referrers: one rule for every
    URL under each prefix (``access.area_refusal``), so a new page cannot be left open by
    forgetting a check in its view. After ``RequireTwoFactorMiddleware``: someone not
    signed in, or not yet verified, is sent there first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        return area_refusal(request, match.view_name if match else None)
