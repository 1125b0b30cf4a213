"""Which URLs answer without signing in, which a half-signed-in user may reach, and
which area of the portal each signed-in person may enter.

Every view is private unless it is marked with ``@public`` or its URL name is in
``PUBLIC_URL_NAMES`` (for third-party views such as allauth's sign-in pages). The URL
walk in ``tests/portal/test_url_protection.py`` fails when a new public view appears
without being added to its allow-list.

The staff area (every URL under ``/staff/``) is for people who work in a charity, and
the referrer area (``/referrer/``) for members of a referring agency: decided here, for
every URL under the prefix, by ``StaffAreaMiddleware``, not view by view. The walk in
``tests/portal/test_referrer_boundary.py`` tries every staff URL as a referrer and every
referrer URL as charity staff, and fails on a URL outside the known areas.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.organisations.roles import AGENCY_ROLES, CHARITY_ROLES

# allauth's pages a signed-out person needs: sign in and reset a forgotten password.
# Sign-up is included only so it can say that accounts come by invitation.
PUBLIC_URL_NAMES = frozenset(
    {
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_inactive",
    }
)

# Reachable after the password but before the second factor.
TWO_FACTOR_FLOW_URL_NAMES = frozenset(
    {
        "accounts:two-factor-setup",
        "accounts:two-factor-verify",
        "account_logout",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
    }
)

# Reachable by someone verified with an app code whose organisation requires a passkey:
# enough to add one (after the password again) and to use it.
PASSKEY_FLOW_URL_NAMES = TWO_FACTOR_FLOW_URL_NAMES | {
    "accounts:passkey-required",
    "accounts:passkeys",
    "accounts:passkey-add",
    "account_reauthenticate",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
}


def public(view: Callable) -> Callable:
    """Mark a view as answering without sign-in. Use sparingly: it is a security decision."""
    view.portal_public = True  # type: ignore[attr-defined]
    return view


def is_public_view(view_func: Callable, url_name: str | None) -> bool:
    if url_name in PUBLIC_URL_NAMES:
        return True
    if getattr(view_func, "portal_public", False):
        return True
    view_class = getattr(view_func, "view_class", None)
    return bool(view_class is not None and getattr(view_class, "portal_public", False))


STAFF_AREA_PREFIX = "/staff/"
REFERRER_AREA_PREFIX = "/referrer/"
# Where everyone lands after signing in (``LOGIN_REDIRECT_URL``). Someone with no role at
# all sees it say so; a referrer is sent on to their own home.
STAFF_LANDING_URL_NAME = "staff:dashboard"
REFERRER_HOME_URL_NAME = "referrer:list"


def works_in_a_charity(user) -> bool:
    from portal.organisations.selectors import active_organisation_ids

    return bool(active_organisation_ids(user, roles=CHARITY_ROLES))


def refers_for_an_agency(user) -> bool:
    from portal.organisations.selectors import active_agency_ids

    return bool(active_agency_ids(user, roles=AGENCY_ROLES))


def area_refusal(request: HttpRequest, url_name: str | None) -> HttpResponse | None:
    """None if the signed-in user may enter the area ``request`` is in; otherwise the
    answer they get. Raises 403 (staff area) or 404 (referrer area, as if its pages did
    not exist, which is what its views have always answered)."""
    path = request.path_info
    user = request.user
    if path.startswith(STAFF_AREA_PREFIX):
        if works_in_a_charity(user):
            return None
        if refers_for_an_agency(user):
            if url_name == STAFF_LANDING_URL_NAME:
                return redirect(REFERRER_HOME_URL_NAME)
            raise PermissionDenied
        if url_name == STAFF_LANDING_URL_NAME and user.is_authenticated:
            return None  # it says they have no role yet and whom to ask
        raise PermissionDenied
    if path.startswith(REFERRER_AREA_PREFIX) and not refers_for_an_agency(user):
        raise Http404
    return None
