"""The self-referral's rate limits: per browser, and per address with a far higher ceiling.

Mobile networks and public wifi put thousands of people behind one address, so a limit
per address alone would let one person (or one busy evening) lock every family on that
network out of asking for support. Whoever is limited keeps what they typed.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from referrals import views_public
from referrals.models import Referral
from referrals.views_public import (
    STEP_RATE,
    STEP_RATE_PER_ADDRESS,
    SUBMIT_RATE,
    SUBMIT_RATE_PER_ADDRESS,
)
from tests.broken_cache import BROKEN_CACHES
from tests.private_links import open_withdraw_page
from tests.production_environment import production_environment
from tests.referrals.factories import make_referral
from tests.referrals.self_referral import (
    ANSWERS,
    answer,
    form_url,
    go_to,
    page,
    question,
    send,
    stored_draft,
    submission_key,
)

pytestmark = pytest.mark.django_db


def limit(rate: str) -> int:
    return int(rate.split("/")[0])


def seconds(rate: str) -> int:
    count, period = re.fullmatch(r"(\d+)/(\d*)([smh])", rate).group(2, 3)
    return int(count or 1) * {"s": 1, "m": 60, "h": 3600}[period]


def press_back_until_limited(client: Client, organisation, to: str = "relationship") -> list[int]:
    """Press a button again and again, as someone (or something) in a hurry would."""
    answers = []
    for _ in range(limit(STEP_RATE) + 5):
        answers.append(client.post(form_url(organisation), {"go": to}).status_code)
    return answers


def test_the_ceilings_are_far_higher_per_address_than_per_browser():
    assert limit(STEP_RATE_PER_ADDRESS) >= 20 * limit(STEP_RATE)
    assert limit(SUBMIT_RATE_PER_ADDRESS) >= 20 * limit(SUBMIT_RATE)
    # A limited visitor's wait ends well inside the hour their answers are kept.
    for rate in (STEP_RATE, STEP_RATE_PER_ADDRESS, SUBMIT_RATE, SUBMIT_RATE_PER_ADDRESS):
        assert seconds(rate) <= 15 * 60, rate


def test_one_browser_pressing_again_and_again_is_limited(client, organisation_a):
    answer(client, organisation_a, until="stage")
    answers = press_back_until_limited(client, organisation_a)
    assert answers[: limit(STEP_RATE)] == [303] * limit(STEP_RATE)
    assert set(answers[limit(STEP_RATE) :]) == {429}
    content = client.post(form_url(organisation_a), {"go": "stage"}).content.decode()
    assert "Please wait a moment" in content and "Nothing you typed has been lost" in content


def test_families_sharing_an_address_can_each_ask_for_support(
    client, organisation_a, django_capture_on_commit_callbacks
):
    # Every client here comes from the same address (127.0.0.1).
    answer(client, organisation_a, until="stage")
    assert press_back_until_limited(client, organisation_a)[-1] == 429

    for name in ("Sam Jones", "Alex Smith", "Jo Brown"):
        family = Client()
        answer(family, organisation_a, **{"about-you": {**ANSWERS["about-you"], "full_name": name}})
        with django_capture_on_commit_callbacks(execute=True):
            assert send(family, organisation_a).status_code == 303
        assert "Request sent" in page(family, organisation_a)
    assert sorted(Referral.objects.values_list("full_name", flat=True)) == [
        "Alex Smith",
        "Jo Brown",
        "Sam Jones",
    ]


def test_a_browser_over_its_limit_does_not_use_up_the_address(client, organisation_a, monkeypatch):
    monkeypatch.setattr(views_public, "STEP_RATE_PER_ADDRESS", f"{limit(STEP_RATE) + 3}/10m")
    answer(client, organisation_a, until="stage")  # one POST
    press_back_until_limited(client, organisation_a)  # STEP_RATE - 1 more are counted
    # Only what the browser was allowed counted for the address: room for two more.
    family = Client()
    answer(family, organisation_a, until="children")
    assert family.post(form_url(organisation_a), {"go": "start"}).status_code == 429


def test_senders_that_keep_no_cookies_are_limited_per_address(organisation_a, monkeypatch):
    monkeypatch.setattr(views_public, "STEP_RATE_PER_ADDRESS", "30/10m")
    answers = [
        Client().post(form_url(organisation_a), {"step": "relationship", "relationship": "friend"})
        for _ in range(31)
    ]
    assert [response.status_code for response in answers[:30]] == [303] * 30
    assert answers[30].status_code == 429


def test_a_limited_visitor_keeps_what_they_typed_and_carries_on_after_the_wait(
    client, organisation_a
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        answer(client, organisation_a, until="about-you")
        press_back_until_limited(client, organisation_a, to="about-you")
        limited = client.post(
            form_url(organisation_a), {"step": "about-you", **ANSWERS["about-you"]}
        )
        assert limited.status_code == 429
        content = limited.content.decode()
        assert "<title>Please wait a moment" in content
        # What they had just typed is on the page, ready to send again.
        for typed in ('value="Pat Doe"', 'value="pat@example.org"', 'value="07911 123456"'):
            assert typed in content, typed
        assert question(content) == "Question 7 of 9"
        # And the answers they had given are all kept.
        kept = stored_draft(client, organisation_a)["answers"]
        assert set(kept) == {
            "relationship",
            "stage",
            "children",
            "support",
            "meeting",
            "access-needs",
        }

        clock.shift(timedelta(seconds=seconds(STEP_RATE) + 1))
        assert question(page(client, organisation_a)) == "Question 7 of 9"
        assert re.search(
            r'value="parent"[^>]*checked', go_to(client, organisation_a, "relationship")
        )
        answer(client, organisation_a)
        assert "Check your answers before sending" in page(client, organisation_a)


def test_too_many_sends_from_one_browser_are_limited_and_keep_the_answers(client, organisation_a):
    answer(client, organisation_a)
    submission_key(client, organisation_a)
    for _ in range(limit(SUBMIT_RATE)):
        client.post(form_url(organisation_a), {"submission_key": "forged-key-000000000000"})
    response = client.post(form_url(organisation_a), {"submission_key": "x"})
    assert response.status_code == 429
    content = response.content.decode()
    assert "Please wait a moment" in content and "Check your answers before sending" in content
    assert "Pat Doe" in content
    assert not Referral.objects.exists()
    # Someone else at the same address can still send.
    family = Client()
    answer(family, organisation_a)
    send(family, organisation_a)
    assert Referral.objects.count() == 1


# --- With the cache (Redis) down or hanging -------------------------------------------
# The limits count in the cache. A limit slows a flood; it must never stand between a
# family and the help they are asking for, so a cache that fails lets the request through.


@pytest.fixture
def cache_down(settings):
    settings.CACHES = BROKEN_CACHES


def test_a_family_sends_their_referral_while_the_cache_is_down(
    client, organisation_a, cache_down, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.WARNING, logger="portal.core.rate_limits"):
        answer(client, organisation_a)  # every page answered and kept, none refused
        assert set(stored_draft(client, organisation_a)["answers"]) == set(ANSWERS)
        with django_capture_on_commit_callbacks(execute=True):
            assert send(client, organisation_a).status_code == 303
    assert "Request sent" in page(client, organisation_a)
    referral = Referral.objects.get()
    assert (referral.full_name, referral.email) == ("Pat Doe", "pat@example.org")
    assert referral.accessibility_needs == "Step-free access, please"
    assert len(mail.outbox) == 1

    logged = [record for record in caplog.records if record.name == "portal.core.rate_limits"]
    assert logged and {record.levelname for record in logged} == {"WARNING"}
    text = "\n".join(record.getMessage() for record in logged)
    assert "selfreferral-step-browser" in text and "selfreferral-submit-address" in text
    assert "ConnectionError" in text
    # Never what the request was counted under, nor the cache's address.
    assert "127.0.0.1" not in text and "draft:" not in text and "redis:6379" not in text


def test_stopping_contact_and_the_support_code_work_while_the_cache_is_down(
    client, organisation_a, cache_down
):
    referral = make_referral(organisation_a)
    assert open_withdraw_page(client, referral).status_code == 200
    response = client.post(reverse("selfreferral:withdraw"), follow=True)
    assert "We will not contact you again" in response.content.decode()
    referral.refresh_from_db()
    assert referral.consent_withdrawn_at is not None

    response = Client().post(reverse("peergroups:support-code"), {"code": "ABCD-2345-EFGH"})
    assert response.status_code == 400
    assert "That code does not work" in response.content.decode()


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers, as a hanging Redis does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    yield listener.getsockname()[1]
    listener.close()


def production_cache() -> dict:
    """The production settings' cache, as they configure it for a Redis CACHE_URL."""
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.CACHES['default']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=Path(__file__).resolve().parents[2],
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_hanging_cache_holds_a_familys_page_for_at_most_a_moment(
    client, organisation_a, settings, silent_server, django_capture_on_commit_callbacks
):
    production = production_cache()
    options = production["OPTIONS"]
    assert options["socket_connect_timeout"] <= 1 and options["socket_timeout"] <= 1
    answer(client, organisation_a, until="agreement")

    # Production's own cache backend and options, at a Redis that never answers.
    settings.CACHES = {
        "default": {**production, "LOCATION": f"redis://127.0.0.1:{silent_server}/1"}
    }
    for data in ({"step": "agreement", **ANSWERS["agreement"]}, None):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = (
                send(client, organisation_a)
                if data is None
                else client.post(form_url(organisation_a), data)
            )
        assert response.status_code == 303
        # Two limits counted (the browser's and the address's), each given up on quickly.
        assert time.monotonic() - started < 4 * options["socket_timeout"] + 1
    assert "Request sent" in page(client, organisation_a)
    assert Referral.objects.get().full_name == "Pat Doe"
