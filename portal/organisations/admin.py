from django import forms
from django.contrib import admin

from portal.notifications.senders import validate_sender_name

from .models import AgencyEmailDomain, Invitation, Membership, Organisation, ReferringAgency


class OrganisationAdminForm(forms.ModelForm):
    """The admin adds the model and its fields; this adds the sender name's check."""

    def clean_discreet_sender_name(self) -> str:
        # The same check as the coordinators' settings page: the name goes into the
        # From header of every email sent for the organisation.
        name = self.cleaned_data["discreet_sender_name"].strip()
        validate_sender_name(name)
        return name


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
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
