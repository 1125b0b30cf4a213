"""Every URL is private unless it is on this file's allow-list.

The walk visits every named URL pattern in the project. Adding a view that answers
without sign-in, or without a verified second factor, fails here until it is added to
PUBLIC_URL_NAMES below on purpose.
"""

from __future__ import annotations

import itertools

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import sign_in
from tests.factories import MembershipFactory, UserFactory

PUBLIC_URL_NAMES = {
    "public:home",
    "public:staying-safe-online",
    "public:get-help-now",
    "public:cookies",
    "public:accessibility",
    "public:privacy",
    "public:privacy-notice",
    "public:quick-exit",
    "health",
    "invitations:accept",
    "peergroups:participant",
    "peergroups:participant-link",
    "peergroups:participant-calendar",
    # A facilitator's private calendar feed, for calendar apps: the address is its key.
    "peergroups:facilitator-calendar",
    "peergroups:participant-action",
    "peergroups:participant-call",
    "peergroups:participant-questionnaire",
    "peergroups:participant-moved",
    "peergroups:participant-link-moved",
    "peergroups:support-code",
    "peergroups:support-contact",
    "peergroups:support-stop-contact",
    "resources:index",
    "resources:resource",
    "resources:directory",
    "resources:signpost",
    "resources:pack",
    "resources:pack-link",
    "selfreferral:choose",
    "selfreferral:start",
    "selfreferral:withdraw",
    "selfreferral:withdraw-link",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_inactive",
    # The API's description and its readers: they hold nothing about anyone.
    "api:schema",
    "api:swagger",
    "api:redoc",
}
# Reachable with a password but before the second factor.
TWO_FACTOR_FLOW_NAMES = {
    "accounts:two-factor-setup",
    "accounts:two-factor-verify",
    "account_logout",
    # Using a passkey instead of a code.
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
# What someone verified with a code may still reach when their organisation requires a
# passkey: enough to add one, after the password again, and to use it.
PASSKEY_FLOW_NAMES = TWO_FACTOR_FLOW_NAMES | {
    "accounts:passkey-required",
    "accounts:passkeys",
    "accounts:passkey-add",
    "account_reauthenticate",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
}
SAMPLE_VALUES = ["1", "00000000-0000-0000-0000-000000000000", "accounts", "abc-def", "x"]


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner.strip(":"))
        elif isinstance(entry, URLPattern):
            yield entry, namespace


def _sample_url(name: str) -> str | None:
    # Try a few sample values for each keyword until one reverses: enough for every
    # converter and regex group the project and its libraries use.
    try:
        return reverse(name)
    except NoReverseMatch:
        pass
    for keywords in _keyword_names(name):
        for values in itertools.product(SAMPLE_VALUES, repeat=len(keywords)):
            try:
                return reverse(name, kwargs=dict(zip(keywords, values, strict=True)))
            except NoReverseMatch:
                continue
    return None


def _keyword_names(name: str) -> list[list[str]]:
    namespace, _, url_name = name.rpartition(":")
    resolver = get_resolver()
    for part in filter(None, namespace.split(":")):
        resolver = resolver.namespace_dict[part][1]
    names = []
    for possibility, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(url_name):
        for _result, params in possibility:
            names.append(list(params))
    return names


def named_urls() -> list[tuple[str, str]]:
    found = {}
    for pattern, namespace in _walk(get_resolver().url_patterns):
        if not pattern.name:
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        if name in found:
            continue
        url = _sample_url(name)
        assert url is not None, f"Could not build a sample URL for {name}"
        found[name] = url
    return sorted(found.items())


URLS = named_urls()


def test_the_walk_finds_the_projects_urls():
    names = {name for name, _ in URLS}
    assert {"staff:dashboard", "staff:team", "admin:index", "api:me"} <= names
    assert names >= PUBLIC_URL_NAMES, "An allow-listed public URL no longer exists"


def test_only_django_admin_has_unnamed_urls():
    unnamed = [
        str(pattern.pattern)
        for pattern, namespace in _walk(get_resolver().url_patterns)
        if not pattern.name and namespace != "admin"
    ]
    assert unnamed == []


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), URLS, ids=[name for name, _ in URLS])
def test_signed_out_visitors_reach_only_public_urls(client, name, url):
    response = client.get(url)
    if name in PUBLIC_URL_NAMES:
        location = response.get("Location", "")
        assert not location.startswith("/accounts/login/"), f"{name} should be public"
        assert response.status_code != 500
    elif url.startswith("/api/"):
        assert response.status_code in (401, 403), name
    else:
        assert response.status_code == 302, f"{name} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/login/?next="), name


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), URLS, ids=[name for name, _ in URLS])
def test_password_only_users_are_sent_to_their_second_factor(client, name, url):
    user = UserFactory()
    user.totpdevice_set.create(name="Authenticator app", confirmed=True)
    sign_in(client, user, verified=False)
    response = client.get(url)
    if name in PUBLIC_URL_NAMES or name in TWO_FACTOR_FLOW_NAMES:
        return
    if url.startswith("/api/"):
        assert response.status_code in (401, 403), name
    else:
        assert response.status_code == 302, f"{name} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/two-factor/verify/"), name


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), URLS, ids=[name for name, _ in URLS])
def test_users_without_a_device_are_sent_to_set_one_up(client, name, url):
    sign_in(client, UserFactory(), verified=False)
    response = client.get(url)
    if name in PUBLIC_URL_NAMES or name in TWO_FACTOR_FLOW_NAMES:
        return
    if url.startswith("/api/"):
        assert response.status_code in (401, 403), name
    else:
        assert response.status_code == 302, f"{name} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/two-factor/set-up/"), name


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), URLS, ids=[name for name, _ in URLS])
def test_code_verified_users_are_sent_to_use_a_passkey_when_it_is_required(client, name, url):
    membership = MembershipFactory(role="caseworker")
    membership.organisation.require_passkeys = True
    membership.organisation.save()
    sign_in(client, membership.user)
    response = client.get(url)
    if name in PUBLIC_URL_NAMES or name in PASSKEY_FLOW_NAMES:
        return
    if url.startswith("/api/"):
        assert response.status_code in (401, 403), name
    else:
        assert response.status_code == 302, f"{name} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/passkeys/required/"), name
