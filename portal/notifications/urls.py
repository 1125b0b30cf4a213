from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("organisations/<uuid:organisation_id>/messages/", views.settings_edit, name="settings"),
    path("organisations/<uuid:organisation_id>/jobs/", views.jobs, name="jobs"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task-done"),
]
