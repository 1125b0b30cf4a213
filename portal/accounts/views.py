"""Two-factor setup and verification pages."""

from __future__ import annotations

from base64 import b32encode

import segno
from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from . import selectors, services
from .forms import SetupCodeForm, VerifyCodeForm
from .passkeys import PASSKEY_REQUIRED_SESSION_KEY, passkey_requirement_snapshot, user_has_passkey
from .sessions import session_rotate

BACKUP_CODES_SESSION_KEY = "portal_new_backup_codes"


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _wait_message(error: services.TooManyAttempts) -> str:
    seconds = max(1, int((error.locked_until - timezone.now()).total_seconds()) + 1)
    wait = f"{seconds} seconds" if seconds < 90 else f"{round(seconds / 60)} minutes"
    return f"Too many wrong codes. For your security, wait {wait} and then try again."


def _verified(request, device) -> None:
    otp_login(request, device)
    session_rotate(request)
    # Worked out now, once, rather than on every page the person opens.
    request.session[PASSKEY_REQUIRED_SESSION_KEY] = passkey_requirement_snapshot(request.user)


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    if request.user.is_verified() and selectors.user_has_confirmed_device(request.user):
        return redirect("accounts:two-factor-manage")
    if selectors.user_has_confirmed_device(request.user) and not request.user.is_verified():
        # Replacing an authenticator needs the current one first.
        return redirect(f"{reverse('accounts:two-factor-verify')}?next={request.path}")
    device = services.totp_device_start_setup(user=request.user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm_setup(
                user=request.user,
                device_id=device.pk,
                code=form.cleaned_data["code"],
                request=request,
            )
        except services.TooManyAttempts as error:
            form.add_error("code", _wait_message(error))
        except services.CodeRefused:
            form.add_error(
                "code",
                "That code did not work. Check the time on your phone is right, then enter "
                "the newest code your app shows.",
            )
        else:
            device.refresh_from_db()
            _verified(request, device)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect("accounts:backup-codes-new")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", svgclass="qr-code", title="QR code"
    )
    secret_b32 = b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(secret_b32[i : i + 4] for i in range(0, len(secret_b32), 4))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": grouped},
    )


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    default = reverse("staff:dashboard")
    if request.user.is_verified():
        return redirect(_next_url(request, default))
    if not selectors.user_has_confirmed_device(request.user):
        return redirect("accounts:two-factor-setup")
    form = VerifyCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(
                user=request.user, code=form.cleaned_data["code"], request=request
            )
        except services.TooManyAttempts as error:
            form.add_error("code", _wait_message(error))
        except services.CodeRefused:
            form.add_error(
                "code",
                "That code did not work. Codes can only be used once: wait for a new code "
                "in your app, or use one of your backup codes.",
            )
        else:
            _verified(request, device)
            remaining = selectors.backup_codes_remaining(request.user)
            if remaining <= 3:
                messages.warning(
                    request,
                    f"You have {remaining} backup codes left. Make a new set from "
                    "'Two-factor authentication' in your account.",
                )
            return redirect(_next_url(request, default))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": _next_url(request, ""),
            "has_passkey": user_has_passkey(request.user),
        },
    )


def two_factor_manage(request):
    return render(
        request,
        "accounts/two_factor_manage.html",
        {"backup_codes_remaining": selectors.backup_codes_remaining(request.user)},
    )


@require_http_methods(["POST"])
@reauthentication_required
def backup_codes_regenerate(request):
    """New backup codes replace a second factor: ask for the password again first."""
    codes = services.backup_codes_regenerate(user=request.user, request=request)
    request.session[BACKUP_CODES_SESSION_KEY] = codes
    return redirect("accounts:backup-codes-new")


def backup_codes_new(request):
    # Shown once: the codes leave the session as soon as the page is drawn.
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("accounts:two-factor-manage")
    return render(request, "accounts/backup_codes.html", {"codes": codes})


@require_http_methods(["GET", "POST"])
def email_set_by_organisation(request):
    """Replaces allauth's email management: a staff member's or referrer's address is the
    one their organisation invited (referrers' must be on their agency's domain), so a
    stolen session cannot add an address and reset the password from it."""
    return render(request, "accounts/email_managed.html")
