from django.urls import path

from . import views_participant as views

app_name = "peergroups"

# Only ``participant-link`` carries a link's secret; it redirects to ``participant``, and
# every other address here is answered from the visitor's session (``referrals.links``).
urlpatterns = [
    path("my-place/", views.participant_page, name="participant"),
    path("my-place/meetings.ics", views.participant_calendar, name="participant-calendar"),
    path("my-place/calls/<uuid:slot_id>/", views.participant_call, name="participant-call"),
    path(
        "my-place/questions/<uuid:questionnaire_id>/<slug:time_point>/",
        views.participant_questionnaire,
        name="participant-questionnaire",
    ),
    path(
        "my-place/<uuid:booking_id>/<slug:action>/",
        views.participant_action,
        name="participant-action",
    ),
    path("my-place/<str:token>/", views.participant_link, name="participant-link"),
]
