from django.urls import path

from . import views_participant as views

app_name = "peergroups"

urlpatterns = [
    path("my-place/<str:token>/", views.participant_page, name="participant"),
    path(
        "my-place/<str:token>/meetings.ics", views.participant_calendar, name="participant-calendar"
    ),
    path(
        "my-place/<str:token>/calls/<uuid:slot_id>/",
        views.participant_call,
        name="participant-call",
    ),
    path(
        "my-place/<str:token>/questions/<uuid:questionnaire_id>/<slug:time_point>/",
        views.participant_questionnaire,
        name="participant-questionnaire",
    ),
    path(
        "my-place/<str:token>/<uuid:booking_id>/<slug:action>/",
        views.participant_action,
        name="participant-action",
    ),
]
