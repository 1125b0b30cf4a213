"""Accepting an invitation from its emailed link."""

from __future__ import annotations

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from portal.accounts.access import public
from portal.accounts.models import User

from . import services
from .forms import AcceptInvitationForm

AUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _invalid(request, error: services.InvitationError):
    return render(request, "invitations/invalid.html", {"message": str(error)}, status=404)


@public
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as error:
        return _invalid(request, error)

    if request.user.is_authenticated:
        if not request.user.is_verified():
            return redirect(f"{reverse('accounts:two-factor-verify')}?next={request.path}")
        if request.method == "POST":
            try:
                services.invitation_accept_existing_user(
                    token=token, user=request.user, request=request
                )
            except services.InvitationError as error:
                return _invalid(request, error)
            return redirect("staff:dashboard")
        return render(request, "invitations/accept_existing.html", {"invitation": invitation})

    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = f"{reverse('account_login')}?next={request.path}"
        return render(
            request,
            "invitations/sign_in_first.html",
            {"invitation": invitation, "login_url": login_url},
        )

    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept_new_user(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("password1", error)
        except services.InvitationError as error:
            return _invalid(request, error)
        else:
            login(request, user, backend=AUTH_BACKEND)
            return redirect("accounts:two-factor-setup")
    return render(request, "invitations/accept_new.html", {"invitation": invitation, "form": form})
