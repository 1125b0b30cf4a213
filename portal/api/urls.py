from django.urls import path

from peergroups import api as peergroups_api
from referrals import api as referrals_api

from .directory import ServiceList
from .docs import RedocView, SchemaView, SwaggerView
from .views import CurrentUserView

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("docs/redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("me/", CurrentUserView.as_view(), name="me"),
    path("referrals/", referrals_api.ReferralCollection.as_view(), name="referrals"),
    path(
        "referrals/<str:reference>/",
        referrals_api.ReferralStatusView.as_view(),
        name="referral-status",
    ),
    path("services/", ServiceList.as_view(), name="services"),
    path("groups/", peergroups_api.GroupList.as_view(), name="groups"),
    path("groups/<uuid:group_id>/", peergroups_api.GroupDetail.as_view(), name="group"),
    path(
        "groups/<uuid:group_id>/sessions/",
        peergroups_api.GroupSessionList.as_view(),
        name="group-sessions",
    ),
    path(
        "groups/<uuid:group_id>/bookings/",
        peergroups_api.GroupBookingList.as_view(),
        name="group-bookings",
    ),
    path("sessions/<uuid:session_id>/", peergroups_api.SessionDetail.as_view(), name="session"),
    path(
        "sessions/<uuid:session_id>/attendance/",
        peergroups_api.SessionAttendance.as_view(),
        name="session-attendance",
    ),
    path(
        "sessions/<uuid:session_id>/attendance/<uuid:booking_id>/",
        peergroups_api.SessionAttendanceRecord.as_view(),
        name="attendance-record",
    ),
]
