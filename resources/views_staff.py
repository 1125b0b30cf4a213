"""Staff pages: the library, packs, the support directory, and sending a pack to a referral.

The shared library is read-only here (it changes through its files and ``load_library``);
a coordinator edits their own organisation's resources, packs and local signposts. Every
object comes through a scoped selector, so another organisation's id answers 404.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.parsing import parse_uuid
from portal.organisations.permissions import organisations_for
from portal.organisations.roles import CASE_ROLES, Role
from referrals.access import referral_record
from referrals.choices import Channel
from referrals.references import display_reference

from . import directory, selectors, services
from .forms import (
    PackForm,
    PackSendForm,
    ResourceForm,
    SignpostForm,
    SignpostImportForm,
    organisation_field,
)
from .models import Delivery, Resource, Signpost, Stage
from .pdf import render_pdf

PAGE_SIZE = 25


def _coordinated(user):
    return organisations_for(user, roles=[Role.COORDINATOR]).order_by("name")


def _require_coordinator(user):
    organisations = _coordinated(user)
    if not organisations.exists():
        raise PermissionDenied
    return organisations


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


# --- Resources -------------------------------------------------------------------------


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
            "can_create": _coordinated(request.user).exists(),
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
        review_by=data["review_by"],
        status=data["status"],
        signpost_ids=tuple(str(s.pk) for s in data["signposts"]),
    )


@require_http_methods(["GET", "POST"])
def resource_new(request):
    organisations = _require_coordinator(request.user)
    form = ResourceForm(
        request.POST or None,
        signposts=selectors.signposts_for_staff(user=request.user),
        organisations=organisations,
        initial={"status": Resource.Status.DRAFT},
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
        and _coordinated(request.user).filter(pk=resource.organisation_id).exists()
    )
    return render(
        request,
        "resources/staff/resource_detail.html",
        {
            "resource": resource,
            "item": selectors.shown([resource], public=False)[0],
            "versions": selectors.resource_versions(resource=resource),
            "editable": editable,
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
            "review_by": resource.review_by,
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
    _require_coordinator(request.user)
    return render(
        request,
        "resources/staff/review_due.html",
        {"resources": list(selectors.resources_due_for_review(user=request.user)[:200])},
    )


# --- Packs -----------------------------------------------------------------------------


@require_GET
def pack_list(request):
    return render(
        request,
        "resources/staff/pack_list.html",
        {
            "packs": list(selectors.packs_for_staff(user=request.user)),
            "can_create": _coordinated(request.user).exists(),
        },
    )


@require_GET
def pack_detail(request, pack_id):
    pack = selectors.pack_for_staff(user=request.user, pack_id=pack_id)
    editable = (
        pack.organisation_id is not None
        and _coordinated(request.user).filter(pk=pack.organisation_id).exists()
    )
    return render(request, "resources/staff/pack_detail.html", {"pack": pack, "editable": editable})


def _pack_form_page(request, *, pack=None):
    organisations = _require_coordinator(request.user)
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


# --- Directory -------------------------------------------------------------------------


@require_GET
def signpost_list(request):
    q = request.GET.get("q", "")[:100]
    signposts = list(selectors.signposts_for_staff(user=request.user, q=q)[:500])
    coordinated = set(_coordinated(request.user).values_list("pk", flat=True))
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


@require_http_methods(["GET", "POST"])
def signpost_new(request):
    organisations = _require_coordinator(request.user)
    replaces = None
    replaces_id = parse_uuid(request.GET.get("local_version_of"))
    if replaces_id is not None:
        replaces = selectors.national_signpost(signpost_id=replaces_id)
    form = SignpostForm(
        request.POST or None,
        initial=_signpost_initial(replaces) if replaces else {"status": "active"},
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
    organisations = _require_coordinator(request.user)
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
                messages.success(
                    request,
                    f"Imported: {result.created} added, {result.updated} updated"
                    + (
                        f", {result.skipped_national} national entries left as they are."
                        if result.skipped_national
                        else "."
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


# --- Sending ---------------------------------------------------------------------------


def _fingerprint(resources, title: str, method: str) -> str:
    text = "|".join(f"{r.pk}:{r.version}" for r in resources) + f"|{title}|{method}"
    return hashlib.sha256(text.encode()).hexdigest()


def _methods(referral) -> list[tuple[str, str]]:
    methods = []
    channel = services.sendable_channel(referral)
    if channel:
        label = Channel(channel).label.lower()
        methods.append((Delivery.Method.LINK, f"A private link, by {label}"))
    if services.post_is_safe(referral):
        methods.append((Delivery.Method.POST, "Printed, to post or hand over (a PDF to print)"))
    return methods


def _message_preview(referral, method: str, title: str) -> dict:
    """The message the person will get, with a stand-in for their private link."""
    if method != Delivery.Method.LINK:
        return {}
    channel = services.sendable_channel(referral)
    context = {
        "sender_name": referral.organisation.discreet_sender_name,
        "name": referral.safe_contact.name_to_use,
        "pack_link": "(their private link)",
        "expires_at": timezone.now() + services.link_validity(),
        "links": {"withdraw": "(their private link to stop contact)"},
    }
    if channel == "email":
        return {
            "channel": "Email",
            "subject": render_to_string("notifications/pack_sent/subject.txt", context).strip(),
            "body": render_to_string("notifications/pack_sent/body.txt", context),
        }
    return {
        "channel": "Text message",
        "body": render_to_string("notifications/pack_sent/sms.txt", context).strip(),
    }


@require_http_methods(["GET", "POST"])
@referral_record(page="pack_send")
def pack_send(request, referral):
    context = {"referral": referral, "reference": display_reference(referral.reference)}
    methods = _methods(referral) if referral.is_contactable else []
    if not methods:
        return render(request, "resources/staff/pack_send.html", {**context, "form": None})

    packs = selectors.packs_for_organisation(organisation=referral.organisation)
    chosen_pack = None
    chosen_pack_id = parse_uuid(request.POST.get("pack") or request.GET.get("pack"))
    if chosen_pack_id is not None:
        chosen_pack = next((p for p in packs if p.pk == chosen_pack_id), None)
    if chosen_pack is not None:
        suggestion = selectors.Suggestion(
            pack=chosen_pack,
            resources=[i.resource for i in chosen_pack.items.all() if i.resource.is_published],
            reasons=[],
        )
    else:
        suggestion = selectors.pack_suggestion(referral=referral)
    resources = selectors.sendable_resources(organisation=referral.organisation)
    order = {r.pk: n for n, r in enumerate(suggestion.resources, start=1)}
    # Suggested resources first, in their order; then the rest of the library.
    resources.sort(key=lambda r: (order.get(r.pk, 1000), r.title))
    form = PackSendForm(
        request.POST or None,
        resources=resources,
        initial_order=order,
        methods=methods,
        initial={
            "title": suggestion.pack.title if suggestion.pack else "Information for you",
            "method": methods[0][0],
            "pack": suggestion.pack.pk if suggestion.pack else None,
        },
    )
    context.update(
        {
            "form": form,
            "suggestion": suggestion,
            "packs": packs,
            "chosen_pack": chosen_pack,
        }
    )
    step = request.POST.get("step", "")
    if request.method != "POST" or step == "change":
        return render(request, "resources/staff/pack_send.html", context)
    if not form.is_valid():
        return render(request, "resources/staff/pack_send.html", context, status=400)

    chosen = form.ordered_resources()
    title = form.cleaned_data["title"]
    method = form.cleaned_data["method"]
    fingerprint = _fingerprint(chosen, title, method)
    preview = {
        **context,
        "title": title,
        "method": method,
        "method_label": dict(methods)[method],
        "items": selectors.shown(chosen, organisation=referral.organisation, heading_offset=1),
        "fingerprint": fingerprint,
        "link_days": services.link_validity().days,
        "message": _message_preview(referral, method, title),
        "sender_name": referral.organisation.discreet_sender_name,
        "hidden_fields": [
            (name, value)
            for name, value in request.POST.items()
            if name.startswith("order_") or name in ("title", "method", "pack")
        ],
    }
    if step != "send":
        return render(request, "resources/staff/pack_preview.html", preview)
    if form.cleaned_data["fingerprint"] != fingerprint:
        preview["changed"] = True
        return render(request, "resources/staff/pack_preview.html", preview, status=409)
    pack = suggestion.pack
    if pack is not None and parse_uuid(form.cleaned_data.get("pack")) != pack.pk:
        pack = None
    try:
        delivery, _token = services.pack_send(
            referral=referral,
            pack=pack,
            resources=chosen,
            actor=request.user,
            method=method,
            title=title,
            request=request,
        )
    except services.ResourceError as error:
        preview["error"] = str(error)
        return render(request, "resources/staff/pack_preview.html", preview, status=400)
    if method == Delivery.Method.LINK:
        messages.success(request, "Pack sent. They have been sent a private link.")
    else:
        messages.success(request, "Pack ready. Print it from this page to post or hand over.")
    return redirect("resources-staff:delivery", delivery_id=delivery.pk)


@require_GET
@referral_record(page="deliveries")
def referral_deliveries(request, referral):
    return render(
        request,
        "resources/staff/referral_deliveries.html",
        {
            "referral": referral,
            "reference": display_reference(referral.reference),
            "deliveries": selectors.deliveries_for_referral(referral=referral),
        },
    )


def _delivery(request, *, delivery_id) -> Delivery:
    return selectors.delivery_for_staff(user=request.user, delivery_id=delivery_id)


# A pack sent belongs to one person's referral: its pages pass the same gate and audit.
DELIVERY = {"fetch": _delivery, "referral_of": lambda delivery: delivery.referral}


@require_GET
@referral_record(page="delivery", **DELIVERY)
def delivery_detail(request, delivery):
    referral = delivery.referral
    return render(
        request,
        "resources/staff/delivery_detail.html",
        {
            "delivery": delivery,
            "referral": referral,
            "reference": display_reference(referral.reference),
            "items": selectors.delivery_shown(delivery=delivery),
            "pdf_offered": services.post_is_safe(referral),
        },
    )


@require_POST
@referral_record(page="delivery: stop the link", **DELIVERY)
def delivery_revoke(request, delivery):
    try:
        services.delivery_revoke(delivery=delivery, actor=request.user, request=request)
    except services.ResourceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The link no longer works.")
    return redirect("resources-staff:delivery", delivery_id=delivery.pk)


@require_GET
@referral_record(page="delivery_pdf", **DELIVERY)
def delivery_pdf(request, delivery):
    # Offered only where post is safe: checked again now, as preferences can change.
    if not services.post_is_safe(delivery.referral):
        raise Http404
    html = render_to_string(
        "resources/pack_pdf.html",
        {
            "delivery": delivery,
            "items": selectors.delivery_shown(delivery=delivery),
            "sender_name": delivery.organisation.discreet_sender_name,
        },
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="information.pdf"'
    return response
