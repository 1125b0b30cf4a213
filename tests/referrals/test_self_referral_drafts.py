"""Unsent self-referral answers: kept while the person is answering, gone after an hour idle,
at once on sending or the quick exit, and never lost to a second tab."""

from __future__ import annotations

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from referrals.models import SelfReferralDraft
from referrals.selfreferral import IDLE_LIMIT, STEPS_BY_SLUG, Draft
from referrals.tasks import delete_expired_self_referral_drafts
from tests.factories import OrganisationFactory
from tests.referrals.self_referral import (
    ANSWERS,
    answer,
    draft_row,
    page,
    post,
    question,
    session_key,
    stored_draft,
)

pytestmark = pytest.mark.django_db


def test_answers_stay_while_in_use_and_are_cleared_after_an_hour_idle(client, organisation_a):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        answer(client, organisation_a, until="about-you")
        clock.shift(IDLE_LIMIT - timedelta(minutes=1))
        # Nearly an hour on one page: nothing typed is lost, and answering starts the hour again.
        post(client, organisation_a, {"step": "about-you", **ANSWERS["about-you"]})
        clock.shift(IDLE_LIMIT - timedelta(minutes=1))
        shown = page(client, organisation_a)
        assert question(shown) == "Question 8 of 9" and "we cleared them" not in shown
        assert (
            stored_draft(client, organisation_a)["answers"]["about-you"]["full_name"] == "Pat Doe"
        )
        assert draft_row(client, organisation_a).expires_at == timezone.now() + timedelta(minutes=1)

        # An hour after the last change, with no cleaning job run: cleared, and said kindly.
        clock.shift(timedelta(minutes=1))
        content = page(client, organisation_a)
    assert "Start now" in content
    assert (
        "To keep your answers private, we cleared them after an hour without any activity. "
        "Please start again." in content
    )
    assert "Pat Doe" not in content
    assert session_key(organisation_a) not in client.session
    assert not SelfReferralDraft.objects.exists()

    # Starting again works, with a new draft.
    answer(client, organisation_a, until="stage")
    assert stored_draft(client, organisation_a)["answers"] == {
        "relationship": ANSWERS["relationship"]
    }


def test_the_periodic_job_deletes_only_drafts_idle_for_an_hour(client, organisation_a, settings):
    still_answering = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        answer(client, organisation_a, until="stage")
        answer(still_answering, organisation_a, until="children")
        clock.shift(IDLE_LIMIT - timedelta(minutes=1))
        post(still_answering, organisation_a, {"step": "children", **ANSWERS["children"]})
        clock.shift(timedelta(minutes=1))
        assert delete_expired_self_referral_drafts() == 1
    assert draft_row(client, organisation_a) is None
    assert set(stored_draft(still_answering, organisation_a)["answers"]) == {
        "relationship",
        "stage",
        "children",
    }
    job = settings.CELERY_BEAT_SCHEDULE["delete-expired-self-referral-drafts"]
    assert job["task"] == "referrals.tasks.delete_expired_self_referral_drafts"
    assert job["schedule"] <= 15 * 60


def test_the_quick_exit_deletes_the_visitors_unsent_answers_at_once(client, organisation_a):
    other_organisation = OrganisationFactory(name="Organisation Other")
    someone_else = Client()
    answer(client, organisation_a, until="agreement")
    answer(client, other_organisation, until="stage")
    answer(someone_else, organisation_a, until="stage")
    assert SelfReferralDraft.objects.count() == 3

    client.post(reverse("public:quick-exit"))

    assert SelfReferralDraft.objects.count() == 1
    assert draft_row(someone_else, organisation_a) is not None


def _request_with(session):
    return SimpleNamespace(session=session, user=AnonymousUser())


def _answered(slug: str):
    step = STEPS_BY_SLUG[slug]
    form = step.form_class(data=ANSWERS[slug])
    assert form.is_valid(), form.errors
    return step, form


def test_two_tabs_answering_different_pages_at_once_both_keep_their_answers(organisation_a):
    session = SessionStore()
    Draft(_request_with(session), organisation_a).save(*_answered("relationship"))
    # Both tabs read the draft before either saves.
    first_tab = Draft(_request_with(session), organisation_a)
    second_tab = Draft(_request_with(session), organisation_a)
    first_tab.save(*_answered("stage"))
    second_tab.save(*_answered("children"))

    answers = Draft(_request_with(session), organisation_a)._answers()
    assert set(answers) == {"relationship", "stage", "children"}
    assert SelfReferralDraft.objects.count() == 1


def test_answers_kept_readable_in_sessions_before_the_change_are_removed():
    migration = importlib.import_module("referrals.migrations.0013_self_referral_draft")
    store = SessionStore()
    store["selfreferral:organisation-a"] = {
        "answers": {"about-you": {"full_name": "Pat Doe"}},
        "touched": 0,
    }
    store["selfreferral:organisation-a:done"] = {"referral": "", "touched": 0}
    store["_auth_user_id"] = "1"
    store.save()

    migration.remove_readable_drafts_from_sessions(apps, SimpleNamespace(connection=connection))

    kept = SessionStore(session_key=store.session_key).load()
    assert kept == {
        "selfreferral:organisation-a:done": {"referral": "", "touched": 0},
        "_auth_user_id": "1",
    }
