"""Coordinators issue, see and revoke their partners' API keys."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portal.organisations.permissions import coordinated_organisation_or_404

from . import selectors, services
from .forms import ApiKeyForm
from .models import AgencyApiKey


def key_list(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    return render(
        request,
        "api/key_list.html",
        {
            "organisation": organisation,
            "keys": selectors.api_keys_for_organisation(organisation=organisation)[:200],
        },
    )


@require_http_methods(["GET", "POST"])
def key_create(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    form = ApiKeyForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, raw_key = services.api_key_issue(
                organisation=organisation,
                agency=data["agency"],
                name=data["name"],
                scopes=data["scopes"],
                expires_on=data["expires_on"],
                actor=request.user,
                request=request,
            )
        except services.ApiKeyError as error:
            form.add_error(None, str(error))
        else:
            # Shown once, on this response only: it is never stored and cannot be shown
            # again. The page is not cached (NoStoreMiddleware covers staff pages).
            return render(
                request,
                "api/key_created.html",
                {"organisation": organisation, "key": key, "raw_key": raw_key},
            )
    return render(
        request,
        "api/key_form.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def key_revoke(request, organisation_id, key_prefix):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    key = get_object_or_404(AgencyApiKey, organisation=organisation, prefix=key_prefix)
    try:
        services.api_key_revoke(key=key, actor=request.user, request=request)
    except services.ApiKeyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The key '{key.name}' is revoked and no longer works.")
    return redirect("staff:api-keys", organisation_id=organisation.pk)
