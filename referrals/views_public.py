"""The public self-referral (no account) and the private link that stops all contact.

Every view here is public on purpose. Each one parses the request, hands the answers to
``referrals.selfreferral`` or a service, and renders. Until a visitor sends their answers
from the check page, the database holds them only encrypted, for an hour after the last
change.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from portal.accounts.access import public

from . import links, selfreferral
from .choices import ConsentMethod
from .consent import SELF_REFERRAL_VERSION, statement
from .forms import HONEYPOT_FIELD, SubmitForm
from .links import LinkExpired, LinkInvalid
from .references import display_reference
from .selfreferral import STEPS, STEPS_BY_SLUG, Draft, Incomplete
from .services import ReferralError, consent_withdraw

# Per client address. Nine questions, a few corrections and changes fit easily in the
# step limit; sending is rarer still. A double click is two sends.
STEP_RATE = "40/h"
SUBMIT_RATE = "5/h"
WITHDRAW_RATE = "20/h"

EXPIRED_MESSAGE = (
    "To keep your answers private, we cleared them after an hour without any activity. "
    "Please start again."
)


def _rate_limited(*, group: str, rate: str):
    """Limit POSTs per client address; over the limit, the kind 'please wait' page.

    ``Ratelimited`` is turned into ``settings.RATELIMIT_VIEW`` here, so the answer is the
    same 429 page whether or not django-ratelimit's middleware is installed.
    """

    def decorator(view):
        limited = ratelimit(group=group, key="ip", rate=rate, method="POST", block=True)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return limited(request, *args, **kwargs)
            except Ratelimited as exception:
                return import_string(settings.RATELIMIT_VIEW)(request, exception)

        return wrapper

    return decorator


def _step_url(organisation, step, *, change: bool = False) -> str:
    url = reverse("selfreferral:step", kwargs={"slug": organisation.slug, "step": step.slug})
    return f"{url}?change=1" if change else url


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
@require_GET
def start(request, slug):
    organisation = selfreferral.organisation_for_slug(slug)
    if not organisation.is_accepting_referrals:
        return _not_accepting(request, organisation)
    return render(
        request,
        "referrals/public/start.html",
        {
            "organisation": organisation,
            "first_step_url": _step_url(organisation, STEPS[0]),
            "total": len(STEPS),
        },
    )


@public
@require_http_methods(["GET", "POST"])
@_rate_limited(group="selfreferral-step", rate=STEP_RATE)
def step(request, slug, step):
    organisation = selfreferral.organisation_for_slug(slug)
    if not organisation.is_accepting_referrals:
        return _not_accepting(request, organisation)
    current = STEPS_BY_SLUG.get(step)
    if current is None:
        raise Http404
    draft = _open_draft(request, organisation)
    number = selfreferral.step_number(current)
    gap = draft.first_unanswered()
    if gap is not None and selfreferral.step_number(gap) < number:
        return redirect(_step_url(organisation, gap))
    changing = request.GET.get("change") == "1"

    if request.method == "POST":
        form = draft.form(current, data=request.POST)
        if current == STEPS[0] and selfreferral.honeypot_filled(request.POST):
            draft.flag_as_automated()
        if form.is_valid():
            draft.save(current, form)
            following = selfreferral.next_step(current)
            if changing or following is None:
                return redirect("selfreferral:check", slug=slug)
            return redirect(_step_url(organisation, following))
    else:
        form = draft.form(current)

    previous = selfreferral.previous_step(current)
    if changing:
        back_url = reverse("selfreferral:check", kwargs={"slug": slug})
    elif previous is not None:
        back_url = _step_url(organisation, previous)
    else:
        back_url = reverse("selfreferral:start", kwargs={"slug": slug})
    return render(
        request,
        "referrals/public/step.html",
        {
            "organisation": organisation,
            "step": current,
            "form": form,
            "number": number,
            "total": len(STEPS),
            "back_url": back_url,
            "changing": changing,
            "statement": _statement(organisation) if current.slug == "agreement" else "",
            "honeypot": HONEYPOT_FIELD if current == STEPS[0] else "",
        },
    )


def _statement(organisation) -> str:
    return statement(SELF_REFERRAL_VERSION, organisation_name=organisation.name).text


@public
@require_http_methods(["GET", "POST"])
@_rate_limited(group="selfreferral-submit", rate=SUBMIT_RATE)
def check(request, slug):
    organisation = selfreferral.organisation_for_slug(slug)
    if not organisation.is_accepting_referrals:
        return _not_accepting(request, organisation)
    draft = _open_draft(request, organisation)
    key = ""
    if request.method == "POST":
        submit = SubmitForm(request.POST)
        key = submit.cleaned_data["submission_key"] if submit.is_valid() else ""
        if key and draft.finished_with(key):
            # The second click of a double click: the first one already sent it.
            return redirect("selfreferral:done", slug=slug)

    gap = draft.first_unanswered()
    if gap is not None:
        # Answers that no longer pass (a changed detail, a stale session) are shown
        # again with the problem beside the field.
        return redirect(_step_url(organisation, gap, change=draft.stored(gap) is not None))

    error = ""
    if request.method == "POST":
        if not key or not draft.matches_submission_key(key):
            messages.error(request, "Please check your answers and then send them again.")
            return redirect("selfreferral:check", slug=slug)
        if draft.looks_automated or selfreferral.honeypot_filled(request.POST):
            draft.finish(submission_key=key, referral=None)
            return redirect("selfreferral:done", slug=slug)
        try:
            referral = selfreferral.self_referral_submit(
                draft=draft, submission_key=key, request=request
            )
        except Incomplete as incomplete:
            return redirect(_step_url(organisation, incomplete.step, change=True))
        except ReferralError as refusal:
            error = str(refusal)
        else:
            draft.finish(submission_key=key, referral=referral)
            return redirect("selfreferral:done", slug=slug)

    rows = draft.summary()
    for row in rows:
        row["change_url"] = _step_url(organisation, row["step"], change=True)
    return render(
        request,
        "referrals/public/check.html",
        {
            "organisation": organisation,
            "rows": rows,
            "statement": _statement(organisation),
            "submission_key": draft.submission_key(),
            "honeypot": HONEYPOT_FIELD,
            "error": error,
        },
    )


@public
@require_GET
def done(request, slug):
    organisation = selfreferral.organisation_for_slug(slug)
    reference = Draft(request, organisation).confirmation_reference()
    if reference is None:
        return redirect("selfreferral:start", slug=slug)
    return render(
        request,
        "referrals/public/done.html",
        {"organisation": organisation, "reference": display_reference(reference)},
    )


def _withdraw_refusal(request, refusal: LinkInvalid):
    if isinstance(refusal, LinkExpired):
        return render(request, "referrals/public/link_expired.html", status=410)
    return render(request, "referrals/public/link_invalid.html", status=404)


@public
@require_http_methods(["GET", "POST"])
@_rate_limited(group="selfreferral-withdraw", rate=WITHDRAW_RATE)
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
@_rate_limited(group="selfreferral-withdraw", rate=WITHDRAW_RATE)
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
