from django.urls import path

from . import views_public as views

app_name = "resources"

urlpatterns = [
    path("", views.index, name="index"),
    path("read/<slug:slug>/", views.resource, name="resource"),
    path("directory/", views.directory, name="directory"),
    path("directory/<uuid:signpost_id>/", views.signpost, name="signpost"),
    # Only ``pack-link`` carries the link's secret; it redirects to ``pack``, which is
    # answered from the visitor's session. A secret is never shaped like a UUID.
    path("pack/<uuid:delivery_id>/", views.pack, name="pack"),
    path("pack/<str:token>/", views.pack_link, name="pack-link"),
]
