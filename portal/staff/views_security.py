"""A coordinator requires passkeys for their organisation, and sees who has one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.organisations.permissions import coordinated_organisation_or_404
from portal.organisations.services import organisation_passkeys_require

from . import selectors
from .forms import PasskeyPolicyForm


@require_http_methods(["GET", "POST"])
def security(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    form = PasskeyPolicyForm(
        request.POST or None, initial={"require_passkeys": organisation.require_passkeys}
    )
    if request.method == "POST" and form.is_valid():
        organisation = organisation_passkeys_require(
            organisation=organisation,
            required=form.cleaned_data["require_passkeys"],
            actor=request.user,
            request=request,
        )
        messages.success(
            request,
            "Passkeys are now required: anyone who signed in with a code will be asked for "
            "their passkey at their next step."
            if organisation.require_passkeys
            else "Passkeys are no longer required. Codes from an authenticator app work again.",
        )
        return redirect("staff:security", organisation_id=organisation.pk)
    return render(
        request,
        "staff/security.html",
        {
            "organisation": organisation,
            "form": form,
            "members": selectors.team_passkeys(organisation=organisation),
        },
    )
