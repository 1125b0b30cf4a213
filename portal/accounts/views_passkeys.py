"""Pages for adding, using and removing passkeys."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

from .passkeys import passkey_required_for, passkeys_of, user_has_passkey


@require_GET
def passkeys(request):
    return render(
        request,
        "accounts/passkeys.html",
        {"passkeys": passkeys_of(request.user), "required": passkey_required_for(request.user)},
    )


@require_GET
@reauthentication_required
def passkey_add(request):
    """The browser's passkey prompt starts from here; the password was asked for first."""
    return render(request, "accounts/passkey_add.html")


@require_POST
def passkey_remove(request, passkey_id):
    # Someone else's passkey is not found, whether or not the password was asked for.
    passkey = get_object_or_404(passkeys_of(request.user), pk=passkey_id)
    return _remove_after_password(request, passkey)


@reauthentication_required
def _remove_after_password(request, passkey):
    if passkey_required_for(request.user) and passkeys_of(request.user).count() == 1:
        messages.error(
            request,
            "Your organisation requires a passkey, so add another before removing this one.",
        )
        return redirect("accounts:passkeys")
    passkey.delete()
    audit_record(
        action=AuditEvent.Action.CHANGED,
        request=request,
        detail={"change": "passkey removed"},
    )
    messages.success(request, "Passkey removed. It can no longer be used to sign in.")
    return redirect("accounts:passkeys")


@require_GET
def passkey_required(request):
    return render(
        request,
        "accounts/passkey_required.html",
        {"has_passkey": user_has_passkey(request.user), "next": request.GET.get("next", "")},
    )
