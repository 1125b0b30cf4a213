"""Read-mostly admin views. Resources change through the staff pages or the library
files (so every change is versioned), never by editing rows here."""

from django.contrib import admin

from .models import Delivery, Resource, Signpost


@admin.register(Signpost)
class SignpostAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "organisation", "status", "phone", "url"]
    list_filter = ["status", "organisation"]
    search_fields = ["name", "provider"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "version", "review_by"]
    list_filter = ["status", "organisation"]
    search_fields = ["title"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "method", "created_at", "expires_at", "revoked_at"]
    exclude = ["token_hash"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
