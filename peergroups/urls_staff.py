from django.urls import path

from . import views_staff as views
from . import views_staff_places, views_staff_sessions
from .views_calendar_feed import calendar_feed_new, calendar_feed_page, calendar_feed_stop
from .views_staff_group_message import group_message

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("new/", views.group_edit, name="new"),
    path("venues/new/", views.venue_new, name="venue-new"),
    path("<uuid:group_id>/", views.group_detail, name="detail"),
    path("<uuid:group_id>/edit/", views.group_edit, name="edit"),
    path("<uuid:group_id>/schedule/", views.schedule_edit, name="schedule"),
    path("<uuid:group_id>/message/", group_message, name="group-message"),
    path(
        "<uuid:group_id>/places/<uuid:booking_id>/<slug:action>/",
        views.place_action,
        name="place-action",
    ),
    path("offer/<uuid:referral_id>/", views.offer_place, name="offer"),
    path("calls/", views.call_slots, name="calls"),
    path("calendar/", calendar_feed_page, name="calendar-feed"),
    path("calendar/new/", calendar_feed_new, name="calendar-feed-new"),
    path("calendar/stop/", calendar_feed_stop, name="calendar-feed-stop"),
    path("zoom/<uuid:organisation_id>/", views.zoom_account, name="zoom-account"),
    path("calls/<uuid:slot_id>/outcome/", views.call_outcome, name="call-outcome"),
    path("calls/<uuid:slot_id>/video-link/", views.call_video_link, name="call-video-link"),
    path("calls/book/<uuid:referral_id>/", views.call_book, name="call-book"),
    path("sessions/<uuid:session_id>/", views.session_register, name="session"),
    path(
        "sessions/<uuid:session_id>/attendance/<uuid:booking_id>/",
        views.attendance,
        name="attendance",
    ),
    path("sessions/<uuid:session_id>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<uuid:session_id>/joining/", views.joining_details, name="joining-details"),
    path(
        "sessions/<uuid:session_id>/notes/",
        views_staff_sessions.note_add,
        name="session-note-add",
    ),
    path(
        "sessions/<uuid:session_id>/notes/<uuid:note_id>/edit/",
        views_staff_sessions.note_edit,
        name="session-note-edit",
    ),
    path(
        "sessions/<uuid:session_id>/notes/<uuid:note_id>/concern/",
        views_staff_sessions.note_concern,
        name="session-note-concern",
    ),
    path("<uuid:group_id>/finish/", views_staff_places.course_finish_view, name="course-finish"),
    path(
        "<uuid:group_id>/ended/<uuid:booking_id>/",
        views_staff_places.place_end_view,
        name="place-end",
    ),
    path(
        "sessions/<uuid:session_id>/zoom-retry/",
        views_staff_places.session_sync_retry_view,
        name="session-zoom-retry",
    ),
]
