from django.contrib import admin

from .models import AgencyEmailDomain, Invitation, Membership, Organisation, ReferringAgency


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "is_accepting_referrals", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["partner_agencies"]


class AgencyEmailDomainInline(admin.TabularInline):
    model = AgencyEmailDomain
    extra = 1


@admin.register(ReferringAgency)
class ReferringAgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    search_fields = ["name"]
    inlines = [AgencyEmailDomainInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "agency", "created_at", "ended_at"]
    list_filter = ["role"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "organisation", "agency", "expires_at", "accepted_at"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by", "invited_by"]
