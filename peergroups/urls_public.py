from django.urls import path

from . import views_calendar_feed
from . import views_participant as views

app_name = "peergroups"

# The family's support page. Only ``participant-link`` carries a link's secret; it
# redirects to ``participant``, and every other address here is answered from the
# visitor's session (``referrals.links``). A code read out by phone is typed into the
# form at ``support-code``, never into an address.
urlpatterns = [
    path("support/", views.participant_page, name="participant"),
    path("support/code/", views.support_code, name="support-code"),
    path("support/contact/", views.support_contact, name="support-contact"),
    path("support/stop-contact/", views.support_stop_contact, name="support-stop-contact"),
    path("support/meetings.ics", views.participant_calendar, name="participant-calendar"),
    path("support/calls/<uuid:slot_id>/", views.participant_call, name="participant-call"),
    path(
        "support/questions/<uuid:questionnaire_id>/<slug:time_point>/",
        views.participant_questionnaire,
        name="participant-questionnaire",
    ),
    path(
        "support/<uuid:booking_id>/<slug:action>/",
        views.participant_action,
        name="participant-action",
    ),
    path("support/<str:token>/", views.participant_link, name="participant-link"),
    # A facilitator's private calendar feed: the address is its key (calendar_feed).
    path(
        "calendar/<str:token>.ics",
        views_calendar_feed.facilitator_calendar,
        name="facilitator-calendar",
    ),
    # The page's first address: links in messages sent before it moved still open it.
    path("groups/my-place/", views.participant_moved, name="participant-moved"),
    path("groups/my-place/<str:token>/", views.participant_link, name="participant-link-moved"),
]
