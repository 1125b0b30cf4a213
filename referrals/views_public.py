"""The public self-referral (no account) and the private link that stops all contact.

Every view here is public on purpose. Each one parses the request, hands the answers to
``referrals.selfreferral`` or a service, and renders. Until a visitor sends their answers
from the check page, the database holds them only encrypted, for an hour after the last
change.

The whole self-referral lives at one address, ``/refer/<organisation>/``: every form on
it posts there and every POST is answered with a redirect back there (POST, redirect,
GET), whose page is the one ``Draft.place`` says. So the form never puts more than that
address into the browser's history, and an entry reached with Back shows only where the
visitor is now, never an earlier question. static/js/history-replace.js then keeps it to
one entry (Chromium adds one for every POST, even to the same address).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.access import public
from portal.core.rate_limits import rate_limit, rate_limit_reached

from . import links, selfreferral
from .choices import ConsentMethod
from .consent import SELF_REFERRAL_VERSION, statement
from .forms import HONEYPOT_FIELD
from .links import LinkExpired, LinkInvalid
from .references import display_reference
from .selfreferral import CHECK, DONE, QUESTION, START, STEPS, Draft, Place
from .services import consent_withdraw

# The self-referral is limited per browser (its draft, else its session), so families
# behind one address (a mobile network, public wifi) do not share a budget, and per
# address with a far higher ceiling, for senders that keep no cookies. Ten-minute
# windows keep a limited visitor's wait well inside the hour their answers are kept.
# Nine questions with a few Backs and changes fit easily in the step limit; sending is
# rarer still (a double click is two sends).
STEP_RATE = "20/10m"
STEP_RATE_PER_ADDRESS = "500/10m"
SUBMIT_RATE = "5/10m"
SUBMIT_RATE_PER_ADDRESS = "100/10m"
# Per client address.
WITHDRAW_RATE = "20/h"

EXPIRED_MESSAGE = (
    "To keep your answers private, we cleared them after an hour without any activity. "
    "Please start again."
)


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: the browser follows a POST's answer with a GET."""

    status_code = 303


def _self_referral_over_the_limit(request, draft: Draft, *, sending: bool) -> bool:
    """Count this POST for its browser and, if that is within its limit, its address.

    A browser over its own limit is not counted for the address, so one person pressing
    a button again and again cannot use up the budget of everyone sharing the address.
    """
    group = "selfreferral-submit" if sending else "selfreferral-step"
    browser = draft.rate_limit_key()
    if browser is not None and rate_limit_reached(
        request,
        group=f"{group}-browser",
        key=lambda _group, _request: browser,
        rate=SUBMIT_RATE if sending else STEP_RATE,
    ):
        return True
    return rate_limit_reached(
        request,
        group=f"{group}-address",
        key="ip",
        rate=SUBMIT_RATE_PER_ADDRESS if sending else STEP_RATE_PER_ADDRESS,
    )


def _not_accepting(request, organisation):
    return render(request, "referrals/public/not_accepting.html", {"organisation": organisation})


def _open_draft(request, organisation) -> Draft:
    draft = Draft(request, organisation)
    if draft.expired:
        messages.info(request, EXPIRED_MESSAGE)
    return draft


@public
@require_GET
def choose(request):
    organisations = list(selfreferral.organisations_accepting_referrals())
    if len(organisations) == 1:
        return redirect("selfreferral:start", slug=organisations[0].slug)
    return render(request, "referrals/public/choose.html", {"organisations": organisations})


@public
@require_http_methods(["GET", "POST"])
def self_referral(request, slug):
    """The one address of the whole self-referral: start, questions, check, confirmation."""
    organisation = selfreferral.organisation_for_slug(slug)
    if not organisation.is_accepting_referrals:
        return _not_accepting(request, organisation)
    draft = _open_draft(request, organisation)
    if request.method == "GET":
        return _self_referral_page(request, draft)

    data = request.POST
    sending = "submission_key" in data
    if _self_referral_over_the_limit(request, draft, sending=sending):
        # Nothing is kept, but nothing is lost: the page comes back with what was typed.
        return _self_referral_page(request, draft, posted=data, status=429)
    if sending:
        selfreferral.self_referral_send(draft=draft, data=data, request=request)
    elif "step" in data:
        selfreferral.self_referral_answer(draft=draft, data=data)
    elif "change" in data:
        selfreferral.self_referral_go(draft=draft, place=str(data["change"]), changing=True)
    elif "go" in data:
        selfreferral.self_referral_go(draft=draft, place=str(data["go"]))
    return HttpResponseSeeOther(reverse("selfreferral:start", kwargs={"slug": slug}))


def _self_referral_page(request, draft: Draft, *, posted=None, status: int = 200):
    """The page the one address shows now; ``posted`` answers (when limited) shown again."""
    organisation = draft.organisation
    place = draft.place()
    typed_step = selfreferral.answered_step(posted) if posted is not None else None
    if typed_step is not None and draft.may_answer(typed_step):
        # Limited: the question they had answered, with what they typed.
        place = Place(QUESTION, typed_step, changing=place.changing and place.step == typed_step)
    context = {
        "organisation": organisation,
        "form_url": reverse("selfreferral:start", kwargs={"slug": organisation.slug}),
        "total": len(STEPS),
        "wait": status == 429,
    }
    if place.page == START:
        template = "referrals/public/start.html"
        context["first_step"] = STEPS[0].slug
    elif place.page == DONE:
        template = "referrals/public/done.html"
        context["reference"] = display_reference(draft.confirmation_reference())
    elif place.page == CHECK:
        template = "referrals/public/check.html"
        context |= {
            "rows": draft.summary(),
            "statement": _statement(organisation),
            "submission_key": draft.submission_key(),
            "honeypot": HONEYPOT_FIELD,
            "error": draft.problem,
        }
    else:
        step = place.step
        typed = posted if step == typed_step else None
        template = "referrals/public/step.html"
        context |= {
            "step": step,
            "form": draft.form(step, data=typed if typed is not None else draft.unsaved(step)),
            "number": selfreferral.step_number(step),
            "back": selfreferral.back_from(place),
            "changing": place.changing,
            "statement": _statement(organisation) if step.slug == "agreement" else "",
            "honeypot": HONEYPOT_FIELD if step == STEPS[0] else "",
        }
    return render(request, template, context, status=status)


def _statement(organisation) -> str:
    return statement(SELF_REFERRAL_VERSION, organisation_name=organisation.name).text


def _withdraw_refusal(request, refusal: LinkInvalid):
    if isinstance(refusal, LinkExpired):
        return render(request, "referrals/public/link_expired.html", status=410)
    return render(request, "referrals/public/link_invalid.html", status=404)


@public
@require_http_methods(["GET", "POST"])
@rate_limit(group="selfreferral-withdraw", rate=WITHDRAW_RATE)
def withdraw_link(request, token):
    """The one request that carries the link's secret: keep a grant, then drop the secret.

    A POST here (from a page opened before links were redeemed this way) changes nothing:
    it is redirected like a GET, to the page that asks.
    """
    try:
        links.link_open(request, token=token, purpose=links.Purpose.WITHDRAW)
    except LinkInvalid as refusal:
        return _withdraw_refusal(request, refusal)
    return redirect("selfreferral:withdraw")


@public
@require_http_methods(["GET", "POST"])
@rate_limit(group="selfreferral-withdraw", rate=WITHDRAW_RATE)
def withdraw(request):
    try:
        referral = links.link_from_session(request, purpose=links.Purpose.WITHDRAW).referral
    except LinkInvalid as refusal:
        return _withdraw_refusal(request, refusal)
    if request.method == "POST":
        consent_withdraw(referral=referral, method=ConsentMethod.PRIVATE_LINK, request=request)
        return redirect("selfreferral:withdraw")
    if not referral.is_contactable:
        return render(request, "referrals/public/withdrawn.html")
    return render(request, "referrals/public/withdraw_confirm.html")
