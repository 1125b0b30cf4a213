from django.urls import path

from . import views_public as views

app_name = "resources"

urlpatterns = [
    path("", views.index, name="index"),
    path("read/<slug:slug>/", views.resource, name="resource"),
    path("directory/", views.directory, name="directory"),
    path("directory/<uuid:signpost_id>/", views.signpost, name="signpost"),
    path("pack/<str:token>/", views.pack, name="pack"),
]
