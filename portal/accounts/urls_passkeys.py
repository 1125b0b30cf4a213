"""The passkey ceremony endpoints, under the names django-otp-webauthn's scripts expect."""

from allauth.account.decorators import reauthentication_required
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from .passkeys import (
    PasskeyAuthenticationBegin,
    PasskeyAuthenticationComplete,
    PasskeyRegistrationBegin,
    PasskeyRegistrationComplete,
)

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        reauthentication_required(PasskeyRegistrationBegin.as_view()),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        reauthentication_required(PasskeyRegistrationComplete.as_view()),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        PasskeyAuthenticationBegin.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        PasskeyAuthenticationComplete.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
