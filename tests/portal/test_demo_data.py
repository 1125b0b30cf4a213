"""The demo data loads twice without duplicates, and prints an API key that works."""

import os
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
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


# A Thursday afternoon in London (no bank holidays near).
THURSDAY = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)


def _week_of(facilitator, now):
    """The facilitator's meetings of the seven days before and after ``now``."""
    from peergroups.models import Session

    meetings = Session.objects.filter(
        group__facilitators=facilitator, status=Session.Status.SCHEDULED
    ).select_related("group")
    held = [m for m in meetings if now - timedelta(days=7) <= m.starts_at < now]
    coming = [m for m in meetings if now < m.starts_at <= now + timedelta(days=7)]
    return held, coming


def test_the_demo_gives_each_role_a_real_day_whenever_it_starts(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    """The demo facilitator runs groups: one met earlier this week and its register is
    waiting, one meets later this week; first-call times are open to book; and the
    caseworker's queue has referrals in every state, each got there as staff would (a
    placed person has a confirmed place, a closed one was spoken to). Loading again a
    week or two months later keeps it current, with nothing made twice."""
    from peergroups.models import Attendance, Booking, Group, InitialCallSlot, Session
    from peergroups.selectors import free_call_slots
    from portal.organisations.models import Organisation
    from referrals.choices import AttemptOutcome, State
    from referrals.models import ContactAttempt, Referral

    settings.DEBUG = True
    with time_machine.travel(THURSDAY, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            seed()
        now = timezone.now()
        northbridge = Organisation.objects.get(name="Northbridge Family Support")
        facilitator = User.objects.get(email="facilitator@northbridge.example")
        assert set(
            Group.objects.filter(facilitators=facilitator).values_list("title", flat=True)
        ) == {
            "Partners' evening group",
            "Parents' group",
        }
        held, coming = _week_of(facilitator, now)
        # Tuesday's meeting of the partners' group, at 7pm: its register is waiting.
        assert [
            (m.group.title, timezone.localtime(m.starts_at).strftime("%a %H:%M")) for m in held
        ] == [("Partners' evening group", "Tue 19:00")]
        assert not Attendance.objects.filter(session=held[0]).exists()
        assert (
            Booking.objects.filter(group=held[0].group, state=Booking.State.CONFIRMED).count() == 3
        )
        # Saturday's meeting of the parents' group, later this week.
        assert ("Parents' group", "Sat 19:00") in [
            (m.group.title, timezone.localtime(m.starts_at).strftime("%a %H:%M")) for m in coming
        ]

        # Six first-call times: one booked (Sam, with the facilitator), five open.
        opened = free_call_slots(organisation=northbridge)
        assert len(opened) == 5 and all(slot.starts_at > now for slot in opened)
        booked = InitialCallSlot.objects.get(referral__isnull=False)
        assert (booked.referral.full_name, booked.facilitator) == ("Sam Taylor", facilitator)

        referrals = Referral.objects.filter(organisation=northbridge)
        assert set(referrals.values_list("state", flat=True)) == set(State.values)
        for referral in referrals.filter(state=State.PLACED):
            assert Booking.objects.filter(referral=referral, state=Booking.State.CONFIRMED).exists()
        for referral in referrals.exclude(state=State.NEW):
            assert ContactAttempt.objects.filter(
                referral=referral, outcome=AttemptOutcome.REACHED
            ).exists()
        # The open offer is news, and sent; the places accepted before the demo began
        # are not offered again.
        offers = [m for m in mailoutbox if m.subject == "A place is ready for you"]
        assert [m.to for m in offers] == [["dana@example.org"]]

        counts = (Referral.objects.count(), Booking.objects.count(), Session.objects.count())
        # A week later: the last meeting is still this week's, with the next to come.
        clock.move_to(THURSDAY + timedelta(days=8))
        seed()
        assert (
            Referral.objects.count(),
            Booking.objects.count(),
            Session.objects.count(),
        ) == counts
        held, coming = _week_of(facilitator, timezone.now())
        assert held and coming
        assert InitialCallSlot.objects.filter(
            referral__isnull=True, starts_at__gt=timezone.now()
        ).exists()

        # Two months on, every meeting has been held: a fresh run of them, this week's too.
        clock.move_to(THURSDAY + timedelta(days=60))
        seed()
        held, coming = _week_of(facilitator, timezone.now())
        assert "Partners' evening group" in [m.group.title for m in held]
        assert "Parents' group" in [m.group.title for m in coming]
        assert Referral.objects.count() == counts[0]


@pytest.fixture
def demo_run(settings, monkeypatch):
    """``rundemo`` with its commands and worker recorded, not run; what it changes in the
    environment, the settings and the loggers is put back afterwards."""
    import logging

    from portal.operations.management.commands import rundemo

    settings.DEBUG = True
    settings.LOGGING = settings.LOGGING
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = settings.OTP_WEBAUTHN_ALLOWED_ORIGINS
    settings.PORTAL_BASE_URL = settings.PORTAL_BASE_URL
    for name in ("PORTAL_BASE_URL", "WEBAUTHN_ORIGINS", "DEMO_QUIET_LOGS"):
        monkeypatch.setenv(name, "unset")
        monkeypatch.delenv(name)
    from portal.operations.demo_logging import DEMO_QUIET_LOGGERS

    levels = {name: logging.getLogger(name).level for name in DEMO_QUIET_LOGGERS}
    seen: dict = {}

    def commands(name, *args, **kwargs):
        seen[name] = settings.PORTAL_BASE_URL

    class Worker:
        pid = 0

        def __init__(self, command, *args, **kwargs):
            seen["worker"] = os.environ.get("PORTAL_BASE_URL", "")
            seen["worker command"] = command
            seen["worker environment"] = dict(os.environ)

        def poll(self):
            return 0

    monkeypatch.setattr(rundemo, "call_command", commands)
    monkeypatch.setattr(rundemo.subprocess, "Popen", Worker)
    monkeypatch.setattr(rundemo.signal, "signal", lambda *args: None)
    yield seen
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_make_run_on_another_port_prints_links_to_that_port(settings, monkeypatch, demo_run):
    """``PORT=8080 make run``: the support-page and stop-contact links printed in the
    terminal must open the portal just started, in the seeding's messages and in the
    worker's (a separate process, which reads the environment)."""
    out = StringIO()
    call_command("rundemo", port="8799", stdout=out)
    seen = demo_run
    assert {name: seen[name] for name in ("migrate", "seed_demo", "runserver", "worker")} == (
        dict.fromkeys(("migrate", "seed_demo", "runserver", "worker"), "http://127.0.0.1:8799")
    )
    assert "The portal is at http://127.0.0.1:8799/" in out.getvalue()
    # Passkeys, which work only at localhost, on that port too.
    assert settings.OTP_WEBAUTHN_ALLOWED_ORIGINS == ["http://localhost:8799"]
    assert seen["worker environment"]["WEBAUTHN_ORIGINS"] == "http://localhost:8799"

    # An address set by hand is kept.
    monkeypatch.setenv("PORTAL_BASE_URL", "https://demo.example")
    settings.PORTAL_BASE_URL = "https://demo.example"
    call_command("rundemo", port="8799", stdout=StringIO())
    assert seen["worker"] == seen["seed_demo"] == "https://demo.example"


def test_a_port_that_is_not_a_number_is_refused(demo_run):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="PORT must be a number"):
        call_command("rundemo", port="80a", stdout=StringIO())


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", "8080", "http://127.0.0.1:8080"),
        ("localhost", 8090, "http://localhost:8090"),
        # A server on every interface is opened at 127.0.0.1 from this machine.
        ("0.0.0.0", "8080", "http://127.0.0.1:8080"),  # noqa: S104
        ("::", "8080", "http://127.0.0.1:8080"),
        ("::1", "8080", "http://[::1]:8080"),
        ("[::1]", "8080", "http://[::1]:8080"),
    ],
)
def test_the_demo_base_url_is_the_address_the_server_is_opened_at(host, port, expected):
    from portal.operations.management.commands.rundemo import demo_base_url

    assert demo_base_url(host, port) == expected


def test_the_demo_terminal_has_no_line_per_request_or_routine_job(settings, demo_run):
    """Quiet for the web server here (in the LOGGING it sets up again when it starts)
    and for the worker (by the environment): warnings and errors still show."""
    import logging

    call_command("rundemo", port="8799", stdout=StringIO())
    seen = demo_run
    assert seen["worker environment"]["DEMO_QUIET_LOGS"] == "true"
    command = seen["worker command"]
    assert command.index("--quiet") < command.index("worker")  # no banner
    for name in ("django.server", "celery.worker.strategy", "celery.app.trace", "celery.beat"):
        assert logging.getLogger(name).level == logging.WARNING
        assert settings.LOGGING["loggers"][name]["level"] == "WARNING"
    # The development server's own handler is kept.
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["django.server"]


def test_every_line_shows_when_asked(settings, monkeypatch, demo_run):
    import logging

    monkeypatch.setenv("DEMO_QUIET_LOGS", "false")
    before = logging.getLogger("celery.app.trace").level
    call_command("rundemo", port="8799", stdout=StringIO())
    assert "--quiet" not in demo_run["worker command"]
    assert logging.getLogger("celery.app.trace").level == before


def test_the_worker_reads_the_quiet_demo_logging_from_the_environment():
    """The worker is a process of its own: the development settings quieten its
    loggers when DEMO_QUIET_LOGS is set."""
    import subprocess
    import sys

    script = (
        "import django, logging.config; from django.conf import settings; django.setup(); "
        "print(settings.LOGGING['loggers']['celery.app.trace']['level'], "
        "settings.LOGGING['loggers']['django.server']['level'], settings.EMAIL_BACKEND)"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DEMO_QUIET_LOGS": "true",
    }
    environment.pop("EMAIL_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "WARNING",
        "WARNING",
        "portal.notifications.console.ConsoleEmailBackend",
    ]
