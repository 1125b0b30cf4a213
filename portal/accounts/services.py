"""Writes for accounts: setting up and checking second factors, ending sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

from .models import User, UserSession

TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class CodeRefused(Exception):
    """The code was wrong, already used, or expired."""


@dataclass
class TooManyAttempts(Exception):
    """Too many wrong codes: the device refuses every code until ``locked_until``."""

    locked_until: datetime


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def totp_device_start_setup(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator device shown on the setup page, made once per user."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _check_device(device, code: str) -> bool:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        raise TooManyAttempts(locked_until=info["locked_until"])
    return device.verify_token(code)


def totp_device_confirm_setup(*, user: User, device_id: int, code: str, request=None) -> list[str]:
    """Confirm the authenticator with a first code; returns freshly made backup codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(
            pk=device_id, user=user, confirmed=False
        )
        # A wrong code must still count towards throttling, so nothing is raised inside
        # the transaction: the failure is committed, then reported.
        verified = _check_device(device, _normalise(code))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # Only one authenticator at a time: an older confirmed one is replaced.
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            audit_record(action=AuditEvent.Action.TWO_FACTOR_SET_UP, actor=user, request=request)
            return backup_codes_regenerate(user=user, request=request)
    audit_record(action=AuditEvent.Action.TWO_FACTOR_FAILED, actor=user, request=request)
    raise CodeRefused


@transaction.atomic
def backup_codes_regenerate(*, user: User, request=None) -> list[str]:
    """Replace every backup code with a new set; the old ones stop working at once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(action=AuditEvent.Action.BACKUP_CODES_CREATED, actor=user, request=request)
    return codes


def second_factor_verify(*, user: User, code: str, request=None):
    """Check a code from the authenticator app, or a backup code; returns the device used.

    The device row is locked so the same code cannot be used twice by two requests
    racing each other. Wrong codes are committed before CodeRefused is raised, so they
    count towards the device's throttling.
    """
    code = _normalise(code)
    with transaction.atomic():
        if re.fullmatch(r"\d{6}", code):
            devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        else:
            devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
        for device in devices:
            if _check_device(device, code):
                audit_record(
                    action=AuditEvent.Action.TWO_FACTOR_VERIFIED,
                    actor=user,
                    request=request,
                    detail={
                        "method": "backup_code" if isinstance(device, StaticDevice) else "totp"
                    },
                )
                return device
    audit_record(action=AuditEvent.Action.TWO_FACTOR_FAILED, actor=user, request=request)
    raise CodeRefused


def user_sessions_end(*, user: User) -> int:
    """Delete every session the user holds, wherever they signed in."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None = None, request=None) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        action=AuditEvent.Action.USER_DEACTIVATED, actor=actor, request=request, target=user
    )
    # The post-save signal ends the sessions too; calling it here keeps the service
    # honest on its own.
    user_sessions_end(user=user)
