"""The admin's pages for people and their second factors.

No admin page ever shows a second factor's secret (a TOTP key, a backup code, a passkey's
credential): whoever could read one could sign in as that person. django-otp's own admin
classes hide them only when ``OTP_ADMIN_HIDE_SENSITIVE_DATA`` is set, and still show a
new device's key on the "add" page; these replace them so that no setting can bring the
secrets back. Devices are only ever set up by their owner; an administrator can see that
a device exists, and remove it.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ["groups"]


class SecondFactorDeviceAdmin(admin.ModelAdmin):
    """Who has which device, when it was last used, and whether it is locked after wrong
    codes; never the secret, and no adding (the owner sets up their own)."""

    list_display = ["user", "name", "created_at", "last_used_at", "confirmed"]
    list_filter = ["confirmed", "created_at", "last_used_at"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["user", "name", "confirmed"]}),
        ("Use", {"fields": ["created_at", "last_used_at"]}),
        ("Wrong codes", {"fields": ["throttling_failure_timestamp", "throttling_failure_count"]}),
    ]
    readonly_fields = ["user", "created_at", "last_used_at"]
    inlines = []

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        # Only the standard pages: django-otp's extra "config" and "qrcode" pages for a
        # TOTP device show its key.
        return admin.ModelAdmin.get_urls(self)


class PortalTOTPDeviceAdmin(SecondFactorDeviceAdmin):
    pass


class PortalStaticDeviceAdmin(SecondFactorDeviceAdmin):
    """Backup codes: the device only, never its codes (django-otp's inline lists them)."""


for model, library_admin, portal_admin in (
    (TOTPDevice, TOTPDeviceAdmin, PortalTOTPDeviceAdmin),
    (StaticDevice, StaticDeviceAdmin, PortalStaticDeviceAdmin),
):
    if isinstance(admin.site._registry.get(model), library_admin):
        admin.site.unregister(model)
    admin.site.register(model, portal_admin)
