from django.urls import path

from portal.api import views_staff as api_keys
from portal.organisations import views_contact as organisation_contact
from portal.outcomes import views as outcomes
from portal.reports import views as reports

from . import views, views_data_protection, views_retention, views_security

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisations/<uuid:organisation_id>/team/", views.team, name="team"),
    path("organisations/<uuid:organisation_id>/audit/", views.audit_log, name="audit-log"),
    path(
        "organisations/<uuid:organisation_id>/audit/export.csv",
        views.audit_export,
        name="audit-export",
    ),
    path(
        "organisations/<uuid:organisation_id>/team/invite/",
        views.invitation_create,
        name="invitation-create",
    ),
    path(
        "organisations/<uuid:organisation_id>/invitations/<uuid:invitation_id>/withdraw/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "organisations/<uuid:organisation_id>/members/<int:membership_id>/remove/",
        views.membership_end,
        name="membership-end",
    ),
    path("organisations/<uuid:organisation_id>/api-keys/", api_keys.key_list, name="api-keys"),
    path(
        "organisations/<uuid:organisation_id>/api-keys/new/",
        api_keys.key_create,
        name="api-key-create",
    ),
    path(
        "organisations/<uuid:organisation_id>/api-keys/<str:key_prefix>/revoke/",
        api_keys.key_revoke,
        name="api-key-revoke",
    ),
    path(
        "organisations/<uuid:organisation_id>/data-protection/",
        views_data_protection.data_protection,
        name="data-protection",
    ),
    path(
        "organisations/<uuid:organisation_id>/retention/",
        views_retention.retention,
        name="retention",
    ),
    path(
        "organisations/<uuid:organisation_id>/retention/<slug:record_type>/",
        views_retention.retention_rule_edit,
        name="retention-rule",
    ),
    path(
        "organisations/<uuid:organisation_id>/contact-details/",
        organisation_contact.contact_details,
        name="contact-details",
    ),
    path(
        "organisations/<uuid:organisation_id>/security/",
        views_security.security,
        name="security",
    ),
    path("organisations/<uuid:organisation_id>/reports/", reports.report, name="report"),
    path(
        "organisations/<uuid:organisation_id>/reports/<slug:table>.csv",
        reports.report_csv,
        name="report-csv",
    ),
    path("organisations/<uuid:organisation_id>/outcomes/", outcomes.outcomes, name="outcomes"),
    path(
        "organisations/<uuid:organisation_id>/outcomes/new/",
        outcomes.questionnaire_add,
        name="questionnaire-add",
    ),
    path(
        "organisations/<uuid:organisation_id>/outcomes/<uuid:questionnaire_id>/",
        outcomes.schedule_save,
        name="outcome-schedule",
    ),
]
