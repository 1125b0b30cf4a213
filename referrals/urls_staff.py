from django.urls import path

from . import (
    views_keep_apart,
    views_links,
    views_sar,
    views_staff_messages,
    views_support_code,
)
from . import views_staff as views

app_name = "referrals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path(
        "reasons-for-access/<uuid:organisation_id>/",
        views.access_reasons,
        name="access-reasons",
    ),
    path("<uuid:referral_id>/", views.detail, name="detail"),
    path("<uuid:referral_id>/timeline/", views.timeline, name="timeline"),
    path("<uuid:referral_id>/reason/", views.access_reason, name="access-reason"),
    path("<uuid:referral_id>/erase/", views.erase, name="erase"),
    path(
        "<uuid:referral_id>/subject-access/new/",
        views_sar.open_request,
        name="sar-new",
    ),
    path(
        "subject-access/register/<uuid:organisation_id>/",
        views_sar.register,
        name="sar-register",
    ),
    path("subject-access/<uuid:sar_id>/", views_sar.detail, name="sar"),
    path("subject-access/<uuid:sar_id>/export.json", views_sar.export_json, name="sar-json"),
    path(
        "subject-access/<uuid:sar_id>/document/",
        views_sar.export_document,
        name="sar-document",
    ),
    path("<uuid:referral_id>/claim/", views.claim, name="claim"),
    path("<uuid:referral_id>/assign/", views.assign, name="assign"),
    path("<uuid:referral_id>/status/", views.transition, name="transition"),
    path("<uuid:referral_id>/contact-attempts/", views.contact_attempt, name="contact-attempt"),
    path("<uuid:referral_id>/notes/", views.note, name="note"),
    path("<uuid:referral_id>/messages/", views_staff_messages.message_send, name="message-send"),
    path(
        "<uuid:referral_id>/messages/<int:message_id>/stop/",
        views_staff_messages.message_stop,
        name="message-stop",
    ),
    path("<uuid:referral_id>/safe-contact/", views.safe_contact_edit, name="safe-contact"),
    path("<uuid:referral_id>/withdraw-consent/", views.withdraw_consent, name="withdraw-consent"),
    path("links/<uuid:link_id>/revoke/", views_links.link_revoke, name="link-revoke"),
    path("<uuid:referral_id>/links/", views_links.links_list, name="links"),
    path("<uuid:referral_id>/links/stop-all/", views_links.links_stop_all, name="links-stop-all"),
    path(
        "<uuid:referral_id>/keep-apart/",
        views_keep_apart.keep_apart_new,
        name="keep-apart",
    ),
    path(
        "<uuid:referral_id>/keep-apart/remove/",
        views_keep_apart.keep_apart_end,
        name="keep-apart-remove",
    ),
    path(
        "<uuid:referral_id>/support-code/",
        views_support_code.support_code_give,
        name="support-code",
    ),
]
