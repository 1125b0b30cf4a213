"""A coordinator says how families can reach their organisation."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import OrganisationContactForm
from .permissions import coordinated_organisation_or_404
from .services import organisation_contact_update


@require_http_methods(["GET", "POST"])
def contact_details(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    form = OrganisationContactForm(
        request.POST or None,
        initial={
            "contact_phone": organisation.contact_phone_display,
            "contact_email": organisation.contact_email,
            "contact_opening_hours": organisation.contact_opening_hours,
        },
    )
    if request.method == "POST" and form.is_valid():
        organisation_contact_update(
            organisation=organisation, actor=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, "Contact details saved. Families now see them.")
        return redirect("staff:contact-details", organisation_id=organisation.pk)
    return render(
        request,
        "staff/contact_details.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )
