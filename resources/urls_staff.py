from django.urls import path

from . import views_staff as views
from . import views_staff_directory as directory
from . import views_staff_sending as sending

app_name = "resources-staff"

urlpatterns = [
    path("", views.resource_list, name="resource-list"),
    path("new/", views.resource_new, name="resource-new"),
    path("review/", views.review_due, name="review-due"),
    path("<uuid:resource_id>/", views.resource_detail, name="resource-detail"),
    path("<uuid:resource_id>/edit/", views.resource_edit, name="resource-edit"),
    path(
        "<uuid:resource_id>/versions/<int:number>/",
        views.resource_version,
        name="resource-version",
    ),
    path("packs/", views.pack_list, name="pack-list"),
    path("packs/new/", views.pack_new, name="pack-new"),
    path("packs/<uuid:pack_id>/", views.pack_detail, name="pack-detail"),
    path("packs/<uuid:pack_id>/edit/", views.pack_edit, name="pack-edit"),
    path("directory/", directory.signpost_list, name="signpost-list"),
    path("directory/new/", directory.signpost_new, name="signpost-new"),
    path("directory/import/", directory.signpost_import, name="signpost-import"),
    path("directory/export.csv", directory.signpost_export_csv, name="signpost-export-csv"),
    path("directory/export.json", directory.signpost_export_json, name="signpost-export-json"),
    path("directory/<uuid:signpost_id>/edit/", directory.signpost_edit, name="signpost-edit"),
    path("send/<uuid:referral_id>/", sending.pack_send, name="pack-send"),
    path("referral/<uuid:referral_id>/", sending.referral_deliveries, name="referral-deliveries"),
    path("deliveries/<uuid:delivery_id>/", sending.delivery_detail, name="delivery"),
    path("deliveries/<uuid:delivery_id>/revoke/", sending.delivery_revoke, name="delivery-revoke"),
    path("deliveries/<uuid:delivery_id>/pdf/", sending.delivery_pdf, name="delivery-pdf"),
]
