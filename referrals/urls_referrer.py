from django.urls import path

from . import views_referrer as views

app_name = "referrer"

urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/new/", views.referral_new, name="new"),
]
