"""Staff pages for sending a pack to a person, and the packs they were sent.

Every page here is about one person's referral, so each is a ``referral_record`` view:
the reason-for-access gate first, and every response it renders audited.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.parsing import parse_uuid
from referrals.access import referral_record
from referrals.choices import Channel
from referrals.references import display_reference
from referrals.safe_contact_rules import UnsafeContact, contact_check

from . import selectors, services
from .forms_sending import PackSendForm
from .models import Delivery
from .pdf import render_pdf


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
    else:
        # Offered, but only with a reason (``services.PostNotSafe``): they may have asked
        # for a paper copy by another way, or to collect it.
        methods.append(
            (
                Delivery.Method.POST,
                "Printed, to post or hand over (post is not marked safe for them: give your "
                "reason below)",
            )
        )
    return methods


def _post_refused(referral, form) -> object | None:
    """A pack for post to someone who has not said post is safe, with no reason: the
    refusal beside the reason field, and what is safe beside the form."""
    if form.cleaned_data["method"] != Delivery.Method.POST:
        return None
    check = contact_check(referral, channel=Delivery.Method.POST, timed=False)
    if check.safe or form.cleaned_data["override_reason"].strip():
        return None
    form.unsafe(UnsafeContact(check))
    return check


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
    context = {
        "referral": referral,
        "reference": display_reference(referral.reference),
        "safe": referral.safe_contact,
        "no_safe_way": not (services.sendable_channel(referral) or services.post_is_safe(referral)),
    }
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
            "title": Delivery.DEFAULT_TITLE,
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
    check = _post_refused(referral, form)
    if check is not None:
        context["check"] = check
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
        "override_reason": form.cleaned_data["override_reason"].strip()
        if method == Delivery.Method.POST and not services.post_is_safe(referral)
        else "",
        "hidden_fields": [
            (name, value)
            for name, value in request.POST.items()
            if name.startswith("order_") or name in ("title", "method", "pack", "override_reason")
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
            override_reason=form.cleaned_data["override_reason"],
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
            "pdf_offered": services.print_allowed(delivery),
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
    # Offered only where post is safe, or this pack was prepared for post with a reason:
    # checked again now, as preferences can change.
    if not services.print_allowed(delivery):
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
