"""Staff pages for the support directory: national entries and local signposts, their
import and export. A coordinator edits their own organisation's local signposts.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.parsing import parse_uuid
from portal.organisations.permissions import organisations_for
from portal.organisations.roles import CASE_ROLES

from . import directory, selectors, services
from .forms import SignpostForm, SignpostImportForm, organisation_field
from .models import Signpost
from .views_staff import coordinated_organisations, coordinated_organisations_or_403


def _staff_organisation(request):
    """The organisation a directory export is for: the chosen one, or the user's first."""
    organisations = organisations_for(request.user, roles=CASE_ROLES).order_by("name")
    chosen = parse_uuid(request.GET.get("organisation"))
    if chosen is not None:
        organisation = organisations.filter(pk=chosen).first()
        if organisation is None:
            raise Http404
        return organisation
    organisation = organisations.first()
    if organisation is None:
        raise PermissionDenied
    return organisation


@require_GET
def signpost_list(request):
    q = request.GET.get("q", "")[:100]
    signposts = list(selectors.signposts_for_staff(user=request.user, q=q)[:500])
    coordinated = set(coordinated_organisations(request.user).values_list("pk", flat=True))
    return render(
        request,
        "resources/staff/signpost_list.html",
        {
            "signposts": signposts,
            "q": q,
            "coordinated": coordinated,
            "can_create": bool(coordinated),
        },
    )


def _signpost_initial(signpost: Signpost) -> dict:
    return {name: getattr(signpost, name) for name in services.SIGNPOST_FIELDS}


def _local_version_initial(national: Signpost) -> dict:
    # Their own details are not checked until they check them.
    return {**_signpost_initial(national), "assured_date": None, "assured_from": ""}


@require_http_methods(["GET", "POST"])
def signpost_new(request):
    organisations = coordinated_organisations_or_403(request.user)
    replaces = None
    replaces_id = parse_uuid(request.GET.get("local_version_of"))
    if replaces_id is not None:
        replaces = selectors.national_signpost(signpost_id=replaces_id)
    form = SignpostForm(
        request.POST or None,
        initial=(_local_version_initial(replaces) if replaces else {"status": "active"}),
    )
    if len(organisations) > 1:
        form.fields["organisation"] = organisation_field(organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation") or organisations.first()
        try:
            signpost = services.signpost_save(
                organisation=organisation,
                key=f"{slugify(form.cleaned_data['name'])[:60] or 'local'}-{secrets.token_hex(3)}",
                values=form.cleaned_data,
                actor=request.user,
                local_version_of=replaces,
                request=request,
            )
        except services.ResourceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{signpost.name} saved.")
            return redirect("resources-staff:signpost-list")
    return render(
        request,
        "resources/staff/signpost_form.html",
        {"form": form, "replaces": replaces},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def signpost_edit(request, signpost_id):
    signpost = selectors.signpost_for_editing(user=request.user, signpost_id=signpost_id)
    form = SignpostForm(request.POST or None, initial=_signpost_initial(signpost))
    if request.method == "POST" and form.is_valid():
        try:
            services.signpost_save(
                organisation=signpost.organisation,
                key=signpost.key,
                values=form.cleaned_data,
                actor=request.user,
                signpost=signpost,
                request=request,
            )
        except services.ResourceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{signpost.name} saved.")
            return redirect("resources-staff:signpost-list")
    return render(
        request,
        "resources/staff/signpost_form.html",
        {"form": form, "signpost": signpost},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def signpost_import(request):
    organisations = coordinated_organisations_or_403(request.user)
    form = SignpostImportForm(
        request.POST or None, request.FILES or None, organisations=organisations
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parse = directory.parse_json if upload["kind"] == "json" else directory.parse_csv
        parsed = parse(upload["text"])
        problems = parsed.errors
        if not problems:
            try:
                result = services.signposts_import(
                    organisation=form.chosen_organisation(),
                    rows=parsed.rows,
                    actor=request.user,
                    request=request,
                )
            except services.ResourceError as error:
                problems = [str(error)]
            else:
                unchecked = result.hidden_unchecked
                messages.success(
                    request,
                    f"Imported: {result.created} added, {result.updated} updated"
                    + (
                        f", {result.skipped_national} national entries left as they are."
                        if result.skipped_national
                        else "."
                    )
                    + (
                        f" {unchecked} had no date of checking, so families will not see "
                        "them until someone checks them."
                        if unchecked
                        else ""
                    ),
                )
                return redirect("resources-staff:signpost-list")
    return render(
        request,
        "resources/staff/signpost_import.html",
        {"form": form, "problems": problems[:100], "more_problems": max(0, len(problems) - 100)},
        status=400 if (form.errors or problems) else 200,
    )


def _export(request, *, kind: str) -> HttpResponse:
    organisation = _staff_organisation(request)
    signposts = selectors.signposts_for_export(user=request.user, organisation=organisation)
    if kind == "csv":
        response = HttpResponse(directory.export_csv(signposts), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="directory.csv"'
    else:
        response = HttpResponse(directory.export_json(signposts), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="directory.json"'
    return response


@require_GET
def signpost_export_csv(request):
    return _export(request, kind="csv")


@require_GET
def signpost_export_json(request):
    return _export(request, kind="json")
