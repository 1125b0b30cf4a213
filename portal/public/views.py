"""Public pages. Each is marked @public on purpose; everything else needs sign-in."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.access import public

from .selectors import way_in


@public
@require_GET
def home(request):
    return render(request, "public/home.html", {"way_in": way_in()})


@public
@require_GET
def staying_safe_online(request):
    return render(request, "public/staying_safe_online.html")


# The library's guide for a family afraid the person may harm themselves. Linked from
# "Get help now" only while it is published, so the link never leads to a "not found".
HARM_GUIDE_SLUG = "if-you-are-worried-they-might-harm-themselves"


@public
@require_GET
def get_help_now(request):
    from resources.selectors import published_resources

    harm_guide = published_resources().filter(slug=HARM_GUIDE_SLUG).only("slug", "title").first()
    return render(request, "public/get_help_now.html", {"harm_guide": harm_guide})


@public
@require_GET
def cookies(request):
    return render(request, "public/cookies.html")


@public
@require_GET
def accessibility(request):
    """The accessibility statement: who runs the site, how accessible it is, its known
    limits, and how to tell the charities that run it about a problem."""
    from portal.organisations.models import Organisation

    return render(
        request,
        "public/accessibility.html",
        {"organisations": list(Organisation.objects.order_by("name"))},
    )


@public
@require_GET
def privacy_notices(request):
    """Each organisation's privacy notice: information pages that belong to no one
    organisation link here."""
    from portal.organisations.models import Organisation

    return render(
        request,
        "public/privacy_notices.html",
        {"organisations": list(Organisation.objects.order_by("name"))},
    )


@public
@csrf_exempt
@require_http_methods(["GET", "POST"])
def quick_exit(request):
    """Forget this visitor and send them to an everyday site.

    CSRF is not checked: the only effect is ending the visitor's own session, and a
    frightened person's exit must never fail on an expired token.
    """
    from referrals.selfreferral import self_referral_drafts_discard

    # Unsent self-referral answers go now, not when their hour is up.
    self_referral_drafts_discard(session=request.session)
    request.session.flush()
    response = HttpResponseRedirect(settings.QUICK_EXIT_URL)
    # Asks the browser to drop this site's cookies, storage and cache as well.
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def csrf_failure(request, reason=""):
    return render(request, "public/csrf_failure.html", status=403)


def rate_limited(request, exception=None):
    """Too many submissions from one address in a short time (django-ratelimit)."""
    return render(request, "public/rate_limited.html", status=429)


@public
@require_GET
def privacy_notice(request, slug):
    """An organisation's current privacy notice, as its coordinator published it."""
    from django.shortcuts import get_object_or_404

    from portal.organisations.data_protection import current_privacy_notice
    from portal.organisations.models import Organisation
    from resources.rendering import render_markdown

    organisation = get_object_or_404(Organisation, slug=slug)
    notice = current_privacy_notice(organisation=organisation)
    return render(
        request,
        "public/privacy_notice.html",
        {
            "organisation": organisation,
            "notice": notice,
            "body": render_markdown(notice.body) if notice else "",
        },
    )
