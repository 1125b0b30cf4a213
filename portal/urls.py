"""The portal's URLs. Everything is private unless its view is marked @public."""

from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from portal.accounts.views import email_set_by_organisation
from portal.operations.views import health

# The Django admin needs a verified second factor like every other staff page.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Portal administration"
admin.site.site_title = "Portal administration"

urlpatterns = [
    path("", include("portal.public.urls")),
    path("health/", health, name="health"),
    path("accounts/passkeys/api/", include("portal.accounts.urls_passkeys")),
    path("accounts/", include("portal.accounts.urls")),
    # Before allauth's own page of that name, which would let anyone signed in add one.
    path("accounts/email/", email_set_by_organisation, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("refer/", include("referrals.urls_public")),
    # The family's support page, /support/ (and its first address, /groups/my-place/).
    path("", include("peergroups.urls_public")),
    path("invitations/", include("portal.organisations.urls")),
    path("staff/", include("portal.staff.urls")),
    path("staff/", include("portal.notifications.urls")),
    path("staff/referrals/", include("referrals.urls_staff")),
    path("staff/groups/", include("peergroups.urls_staff")),
    path("information/", include("resources.urls_public")),
    path("staff/resources/", include("resources.urls_staff")),
    path("referrer/", include("referrals.urls_referrer")),
    path("api/v1/", include("portal.api.urls")),
    path("admin/", admin.site.urls),
]

# The API answers its errors as JSON; every other page keeps the kind HTML pages.
handler400 = "portal.api.errors.bad_request"
handler403 = "portal.api.errors.permission_denied"
handler404 = "portal.api.errors.page_not_found"
handler500 = "portal.api.errors.server_error"
