from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("staying-safe-online/", views.staying_safe_online, name="staying-safe-online"),
    path("get-help-now/", views.get_help_now, name="get-help-now"),
    path("cookies/", views.cookies, name="cookies"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy_notices, name="privacy"),
    path("privacy/<slug:slug>/", views.privacy_notice, name="privacy-notice"),
    path("exit/", views.quick_exit, name="quick-exit"),
]
