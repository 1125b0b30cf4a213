"""Which URLs answer without signing in, and which a half-signed-in user may reach.

Every view is private unless it is marked with ``@public`` or its URL name is in
``PUBLIC_URL_NAMES`` (for third-party views such as allauth's sign-in pages). The URL
walk in ``tests/portal/test_url_protection.py`` fails when a new public view appears
without being added to its allow-list.
"""

from collections.abc import Callable

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
