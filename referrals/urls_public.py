"""The public self-referral, mounted at /refer/, and the private withdraw link."""

from django.urls import path

from . import views_public as views

app_name = "selfreferral"

urlpatterns = [
    path("", views.choose, name="choose"),
    # First, so a damaged link still gets the kind "link does not work" page (an
    # organisation must therefore not use the slug "withdraw"). Only ``withdraw-link``
    # carries the link's secret; it redirects to ``withdraw``, answered from the session.
    path("withdraw/", views.withdraw, name="withdraw"),
    path("withdraw/<str:token>/", views.withdraw_link, name="withdraw-link"),
    # The whole self-referral, from its start page to the confirmation, at one address
    # (see views_public): the browser's history keeps one entry for it.
    path("<slug:slug>/", views.self_referral, name="start"),
]
