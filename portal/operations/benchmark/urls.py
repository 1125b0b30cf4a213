"""The portal's URLs plus the bare baseline view, used only while the benchmark runs."""

from django.shortcuts import render
from django.urls import path

from portal.accounts.access import public
from portal.organisations.models import Organisation
from portal.urls import urlpatterns as portal_urlpatterns


@public
def bare(request):
    """A small template after one query: what any Django page costs at the least."""
    return render(request, "benchmark/bare.html", {"organisations": Organisation.objects.count()})


urlpatterns = [path("benchmark/bare/", bare, name="benchmark-bare"), *portal_urlpatterns]
