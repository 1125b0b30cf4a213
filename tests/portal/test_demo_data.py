"""The demo data loads twice without duplicates, and prints an API key that works."""

import os
import re
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from peergroups.models import Group
from portal.accounts.models import User
from portal.api.models import AgencyApiKey

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_data_is_safe_to_load_again_and_gives_a_working_api_key(settings):
    settings.DEBUG = True
    first = seed()
    counts = (User.objects.count(), Group.objects.count())
    second = seed()
    assert (User.objects.count(), Group.objects.count()) == counts
    old_key, new_key = (
        re.search(r"API key for .*: (\S+)$", output, re.MULTILINE)[1] for output in (first, second)
    )
    assert AgencyApiKey.objects.filter(revoked=False).count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {old_key}")
    assert client.get("/api/v1/services/").status_code == 401  # replaced at the second start
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {new_key}")
    services = client.get("/api/v1/services/").json()["contents"]
    # A key lists only the organisation that issued it (the demo key is Northbridge's).
    assert [s["name"] for s in services] == ["Northbridge Family Support"]


def test_the_demo_offers_call_times_a_family_can_book_on_their_support_page(settings):
    settings.DEBUG = True
    from django.utils import timezone

    from peergroups.models import InitialCallSlot
    from peergroups.selectors import free_call_slots
    from portal.organisations.models import Organisation

    seed()
    northbridge = Organisation.objects.get(name="Northbridge Family Support")
    opened = free_call_slots(organisation=northbridge)
    assert len(opened) == 6 and all(slot.starts_at > timezone.now() for slot in opened)
    seed()
    assert InitialCallSlot.objects.count() == 6  # not piled up by a second start


def test_make_run_on_another_port_prints_links_to_that_port(settings, monkeypatch):
    """``PORT=8080 make run``: the support-page and stop-contact links printed in the
    terminal must open the portal just started, in the seeding's messages and in the
    worker's (a separate process, which reads the environment)."""
    from portal.operations.management.commands import rundemo

    settings.DEBUG = True
    monkeypatch.setenv("PORTAL_BASE_URL", "unset")
    monkeypatch.delenv("PORTAL_BASE_URL")
    seen: dict[str, str] = {}

    def commands(name, *args, **kwargs):
        seen[name] = settings.PORTAL_BASE_URL

    class Worker:
        pid = 0

        def __init__(self, *args, **kwargs):
            seen["worker"] = os.environ.get("PORTAL_BASE_URL", "")

        def poll(self):
            return 0

    monkeypatch.setattr(rundemo, "call_command", commands)
    monkeypatch.setattr(rundemo.subprocess, "Popen", Worker)
    monkeypatch.setattr(rundemo.signal, "signal", lambda *args: None)
    call_command("rundemo", port="8799", stdout=StringIO())
    assert seen == dict.fromkeys(
        ("migrate", "seed_demo", "runserver", "worker"), "http://127.0.0.1:8799"
    )

    # An address set by hand is kept.
    monkeypatch.setenv("PORTAL_BASE_URL", "https://demo.example")
    settings.PORTAL_BASE_URL = "https://demo.example"
    call_command("rundemo", port="8799", stdout=StringIO())
    assert seen["worker"] == seen["seed_demo"] == "https://demo.example"
