"""Staff pages for the library: resources and packs.

The shared library is read-only here (it changes through its files and ``load_library``);
a coordinator edits their own organisation's resources and packs. Every object comes
through a scoped selector, so another organisation's id answers 404. The support
directory's pages are in ``views_staff_directory``, sending a pack to a person in
``views_staff_sending``.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from portal.organisations.permissions import organisations_for
from portal.organisations.roles import Role

from . import readability, selectors, services
from .forms import PackForm, ResourceForm
from .models import Resource, Stage

PAGE_SIZE = 25


def coordinated_organisations(user):
    """The organisations ``user`` coordinates: theirs to edit."""
    return organisations_for(user, roles=[Role.COORDINATOR]).order_by("name")


def coordinated_organisations_or_403(user):
    organisations = coordinated_organisations(user)
    if not organisations.exists():
        raise PermissionDenied
    return organisations


@require_GET
def resource_list(request):
    stage = request.GET.get("stage", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")[:100]
    page = Paginator(
        selectors.resources_for_staff(user=request.user, stage=stage, status=status, q=q),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "resources/staff/resource_list.html",
        {
            "page": page,
            "stages": Stage.choices,
            "statuses": Resource.Status.choices,
            "stage": stage,
            "status": status,
            "q": q,
            "query": query.urlencode(),
            "can_create": coordinated_organisations(request.user).exists(),
        },
    )


def _content(form) -> services.ResourceContent:
    data = form.cleaned_data
    return services.ResourceContent(
        title=data["title"],
        summary=data["summary"],
        body=data["body"],
        stages=tuple(data["stages"]),
        audiences=tuple(data["audiences"]),
        last_checked=data["last_checked"],
        status=data["status"],
        signpost_ids=tuple(str(s.pk) for s in data["signposts"]),
    )


@require_http_methods(["GET", "POST"])
def resource_new(request):
    organisations = coordinated_organisations_or_403(request.user)
    form = ResourceForm(
        request.POST or None,
        signposts=selectors.signposts_for_staff(user=request.user),
        organisations=organisations,
        initial={"status": Resource.Status.DRAFT, "last_checked": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(
                organisation=form.chosen_organisation(),
                slug=form.cleaned_data["slug"],
                content=_content(form),
                actor=request.user,
                request=request,
            )
        except services.ResourceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Resource saved.")
            return redirect("resources-staff:resource-detail", resource_id=resource.pk)
    return render(
        request,
        "resources/staff/resource_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def resource_detail(request, resource_id):
    resource = selectors.resource_for_staff(user=request.user, resource_id=resource_id)
    editable = (
        resource.organisation_id is not None
        and coordinated_organisations(request.user).filter(pk=resource.organisation_id).exists()
    )
    return render(
        request,
        "resources/staff/resource_detail.html",
        {
            "resource": resource,
            "item": selectors.shown([resource], public=False)[0],
            "versions": selectors.resource_versions(resource=resource),
            "editable": editable,
            "readability": readability.summary(resource.body),
        },
    )


@require_http_methods(["GET", "POST"])
def resource_edit(request, resource_id):
    resource = selectors.resource_for_editing(user=request.user, resource_id=resource_id)
    form = ResourceForm(
        request.POST or None,
        signposts=selectors.signposts_for_staff(user=request.user),
        editing=True,
        initial={
            "title": resource.title,
            "summary": resource.summary,
            "body": resource.body,
            "stages": resource.stages,
            "audiences": resource.audiences,
            "signposts": resource.signpost_ids,
            "last_checked": resource.last_checked,
            "status": resource.status,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(
                resource=resource,
                content=_content(form),
                actor=request.user,
                note=form.cleaned_data["change_note"],
                request=request,
            )
        except services.ResourceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Resource saved.")
            return redirect("resources-staff:resource-detail", resource_id=resource.pk)
    return render(
        request,
        "resources/staff/resource_form.html",
        {"form": form, "resource": resource},
        status=400 if form.errors else 200,
    )


@require_GET
def resource_version(request, resource_id, number):
    resource = selectors.resource_for_staff(user=request.user, resource_id=resource_id)
    version = selectors.resource_version(resource=resource, number=number)
    return render(
        request,
        "resources/staff/resource_version.html",
        {
            "resource": resource,
            "version": version,
            "item": selectors.shown([version], public=False)[0],
        },
    )


@require_GET
def review_due(request):
    coordinated_organisations_or_403(request.user)
    return render(
        request,
        "resources/staff/review_due.html",
        {
            "resources": list(selectors.resources_due_for_review(user=request.user)[:200]),
            "signposts": list(selectors.signposts_due_for_check(user=request.user)[:200]),
        },
    )


# --- Packs -----------------------------------------------------------------------------


@require_GET
def pack_list(request):
    return render(
        request,
        "resources/staff/pack_list.html",
        {
            "packs": list(selectors.packs_for_staff(user=request.user)),
            "can_create": coordinated_organisations(request.user).exists(),
        },
    )


@require_GET
def pack_detail(request, pack_id):
    pack = selectors.pack_for_staff(user=request.user, pack_id=pack_id)
    editable = (
        pack.organisation_id is not None
        and coordinated_organisations(request.user).filter(pk=pack.organisation_id).exists()
    )
    return render(request, "resources/staff/pack_detail.html", {"pack": pack, "editable": editable})


def _pack_form_page(request, *, pack=None):
    organisations = coordinated_organisations_or_403(request.user)
    if pack is not None:
        resources = selectors.sendable_resources(organisation=pack.organisation)
        initial_order = {item.resource_id: item.position for item in pack.items.all()}
        initial = {"title": pack.title, "purpose": pack.purpose, "default_for": pack.default_for}
        organisations = organisations.filter(pk=pack.organisation_id)
    else:
        resources = list(
            selectors.resources_for_staff(user=request.user, status=Resource.Status.PUBLISHED)
        )
        initial_order, initial = {}, {}
    form = PackForm(
        request.POST or None,
        resources=resources,
        initial_order=initial_order,
        organisations=organisations,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        organisation = pack.organisation if pack else form.chosen_organisation()
        key = (
            pack.key
            if pack
            else f"{slugify(form.cleaned_data['title'])[:60]}-{secrets.token_hex(3)}"
        )
        try:
            pack = services.pack_save(
                organisation=organisation,
                key=key,
                title=form.cleaned_data["title"],
                purpose=form.cleaned_data["purpose"],
                default_for=form.cleaned_data["default_for"],
                resources=form.ordered_resources(),
                actor=request.user,
                pack=pack,
                request=request,
            )
        except services.ResourceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Pack saved.")
            return redirect("resources-staff:pack-detail", pack_id=pack.pk)
    return render(
        request,
        "resources/staff/pack_form.html",
        {"form": form, "pack": pack},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def pack_new(request):
    return _pack_form_page(request)


@require_http_methods(["GET", "POST"])
def pack_edit(request, pack_id):
    pack = selectors.pack_for_editing(user=request.user, pack_id=pack_id)
    return _pack_form_page(request, pack=pack)
