from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisations/<uuid:organisation_id>/team/", views.team, name="team"),
    path("organisations/<uuid:organisation_id>/audit/", views.audit_log, name="audit-log"),
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
]
