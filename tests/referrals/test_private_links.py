"""Private links are opaque, revocable one at a time, and stop when their purpose ends."""

from __future__ import annotations

import base64
import importlib
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Booking, Session
from peergroups.services import booking_confirm, booking_offer, booking_release
from portal.audit.models import AuditEvent
from referrals import links
from referrals.erasure import person_erase
from referrals.models import PrivateLink, Referral
from referrals.services import consent_withdraw
from resources.services import sendable_channel
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

PAGE = "/support/"


def placed(organisation, actor, *, state="placed", **group):
    """A person with a confirmed place in a group that meets in three days."""
    person = make_referral(organisation)
    Referral.objects.filter(pk=person.pk).update(state=state)
    person.refresh_from_db()
    group = GroupFactory(organisation=organisation, **group)
    start = timezone.now() + timedelta(days=3)
    Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    booking = booking_confirm(booking=booking_offer(group=group, referral=person, actor=actor))
    return person, booking


def opens(url: str) -> int:
    """What a new visitor gets from ``url``: 302 when it opens the page."""
    return Client().get(url).status_code


def sent_before_the_limit(person, count: int) -> None:
    """``count`` support-page links sent a minute apart, as before there was a limit per
    kind (issuing through ``links`` would stop all but five); the newest first."""
    now = timezone.now()
    PrivateLink.objects.bulk_create(
        PrivateLink(
            organisation_id=person.organisation_id,
            referral=person,
            purpose="place",
            token_hash=links.hash_token(f"sent-before-the-limit-{n}"),
            created_at=now - timedelta(minutes=n),
            expires_at=now + timedelta(days=30),
        )
        for n in range(count)
    )


def test_a_link_in_a_message_says_nothing_about_whose_it_is(
    organisation_a, caseworker_a, django_capture_on_commit_callbacks
):
    person = make_referral(organisation_a)
    with django_capture_on_commit_callbacks(execute=True):
        booking_offer(
            group=GroupFactory(organisation=organisation_a), referral=person, actor=caseworker_a
        )
    body = mail.outbox[-1].body
    tokens = re.findall(r"/support/([^/\s]+)/", body) + re.findall(
        r"/refer/withdraw/([^/\s]+)/", body
    )
    assert len(tokens) == 2
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token), token  # 32 random bytes, nothing else
        for part in token.split(":"):
            decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
            assert str(person.pk).encode() not in decoded
            assert person.pk.bytes not in decoded
        # Only its SHA-256 is kept.
        assert token not in str(list(PrivateLink.objects.values()))
        assert PrivateLink.objects.filter(token_hash=links.hash_token(token)).exists()


def test_a_link_is_issued_only_for_a_message_that_carries_it(organisation_a):
    person = make_referral(organisation_a)
    PrivateLink.objects.all().delete()  # the acknowledgement's withdrawal link
    assert sendable_channel(person) == "email"  # deciding how to send issues nothing
    assert not PrivateLink.objects.exists()
    from referrals.notifications import referral_notify

    referral_notify(referral=person, template="referral_received")
    # One of each the acknowledgement uses (its support page, stopping contact), however
    # many parts of the message carry them.
    assert sorted(PrivateLink.objects.values_list("purpose", flat=True)) == ["place", "withdraw"]
    assert mail.outbox[-1].body.count("/refer/withdraw/") == 1
    assert mail.outbox[-1].body.count("/support/") == 1


def test_revoking_one_link_stops_it_and_leaves_the_others_working(
    client, organisation_a, caseworker_a
):
    person, _ = placed(organisation_a, caseworker_a)
    leaked, kept = links.participant_url(person), links.participant_url(person)
    theirs = Client()
    assert theirs.get(leaked).status_code == 302 and theirs.get(PAGE).status_code == 200

    link = PrivateLink.objects.get(token_hash=links.hash_token(leaked.split("/")[-2]))
    sign_in(client, caseworker_a)
    detail = client.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    revoke = reverse("referrals:link-revoke", kwargs={"link_id": link.pk})
    assert revoke in detail.content.decode()
    assert client.post(revoke).status_code == 302

    assert opens(leaked) == 410
    assert theirs.get(PAGE).status_code == 410  # a page already open stops too
    assert opens(kept) == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == caseworker_a
    assert AuditEvent.objects.filter(detail__change="private_link_revoked").exists()
    page = client.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    assert "Stopped" in page.content.decode()


def test_another_organisations_staff_cannot_revoke_a_link(
    client, organisation_a, caseworker_a, caseworker_b
):
    person, _ = placed(organisation_a, caseworker_a)
    url = links.participant_url(person)
    link = PrivateLink.objects.get()
    sign_in(client, caseworker_b)
    revoke = reverse("referrals:link-revoke", kwargs={"link_id": link.pk})
    assert client.post(revoke).status_code == 404
    assert client.get(revoke).status_code in (404, 405)
    assert opens(url) == 302


def test_a_place_link_stops_once_the_place_ends_and_nothing_is_current(
    organisation_a, caseworker_a
):
    person, booking = placed(organisation_a, caseworker_a)
    url = links.participant_url(person)
    assert opens(url) == 302
    booking_release(booking=booking, state=Booking.State.CANCELLED, actor=caseworker_a)
    # For a while they can still see what happened.
    with time_machine.travel(timezone.now() + links.PLACE_LINK_GRACE - timedelta(hours=1)):
        assert opens(url) == 302
    with time_machine.travel(timezone.now() + links.PLACE_LINK_GRACE + timedelta(hours=1)):
        assert opens(url) == 410
        assert opens(links.participant_url(person)) == 410  # nor does a new one


def test_a_place_link_stops_after_the_groups_last_meeting(organisation_a, caseworker_a):
    person, booking = placed(organisation_a, caseworker_a)
    url = links.participant_url(person)
    last = booking.group.sessions.get()
    with time_machine.travel(last.ends_at + links.PLACE_LINK_GRACE - timedelta(hours=1)):
        assert opens(url) == 302
    with time_machine.travel(last.ends_at + links.PLACE_LINK_GRACE + timedelta(hours=1)):
        assert opens(url) == 410
    assert Booking.objects.get(pk=booking.pk).state == "confirmed"  # unchanged, just over


def test_a_place_link_works_while_anything_is_current(organisation_a, caseworker_a):
    # Not yet assessed: they may book a first call on the page.
    new = make_referral(organisation_a)
    assert opens(links.participant_url(new)) == 302
    # An offer, or a place on the waiting list, with nothing else.
    waiting, _ = placed(organisation_a, caseworker_a, capacity=1)
    other = make_referral(organisation_a)
    Referral.objects.filter(pk=other.pk).update(state="waitlisted")
    booking_offer(
        group=Booking.objects.get(referral=waiting).group, referral=other, actor=caseworker_a
    )
    assert Booking.objects.get(referral=other).state == "waitlisted"
    assert opens(links.participant_url(Referral.objects.get(pk=other.pk))) == 302


def test_closing_the_referral_stops_place_links_after_the_grace(organisation_a, caseworker_a):
    person, _ = placed(organisation_a, caseworker_a)
    url = links.participant_url(person)
    Referral.objects.filter(pk=person.pk).update(state="closed", closed_at=timezone.now())
    assert opens(url) == 302
    with time_machine.travel(timezone.now() + links.PLACE_LINK_GRACE + timedelta(hours=1)):
        assert opens(url) == 410


def test_withdrawing_consent_revokes_every_place_link_at_once(organisation_a, caseworker_a):
    person, _ = placed(organisation_a, caseworker_a)
    place, withdraw = links.participant_url(person), links.withdraw_url(person)
    consent_withdraw(referral=person, method="private_link")
    assert opens(place) == 410
    link = PrivateLink.objects.get(purpose="place")
    assert link.revoked_at is not None
    # The withdrawal link still confirms that contact has stopped.
    response = Client().get(withdraw, follow=True)
    assert "We will not contact you again" in response.content.decode()


def test_erasing_the_person_erases_their_links(organisation_a, caseworker_a, coordinator_a):
    person, _ = placed(organisation_a, caseworker_a)
    url = links.participant_url(person)
    links.withdraw_url(person)
    person_erase(referral=person, actor=coordinator_a)
    assert not PrivateLink.objects.exists()
    assert opens(url) == 404


def test_links_never_outlive_their_own_limit(organisation_a, caseworker_a):
    person = make_referral(organisation_a)  # "new": the place purpose lives on
    url = links.participant_url(person)
    with time_machine.travel(timezone.now() + links.PLACE_LINK_LIFETIME + timedelta(hours=1)):
        assert opens(url) == 410


# --- Links sent before links were stored ------------------------------------------------


def legacy_url(referral, salt="peergroups.participant") -> str:
    token = signing.dumps(str(referral.pk), salt=salt, compress=False)
    return reverse("peergroups:participant-link", kwargs={"token": token})


def test_an_older_signed_link_works_while_its_purpose_lives_and_can_be_revoked(
    client, organisation_a, caseworker_a
):
    person, _ = placed(organisation_a, caseworker_a)
    url = legacy_url(person)
    assert opens(url) == 302
    assert opens(url) == 302
    link = PrivateLink.objects.get(legacy=True)  # recorded once, on first use
    assert link.referral == person and link.purpose == "place"
    sign_in(client, caseworker_a)
    client.post(reverse("referrals:link-revoke", kwargs={"link_id": link.pk}))
    assert opens(url) == 410


def test_an_older_signed_link_stops_with_its_purpose_and_with_the_setting(
    organisation_a, caseworker_a, settings
):
    person, booking = placed(organisation_a, caseworker_a)
    withdraw = legacy_url(person, salt="referrals.withdraw").replace(
        "/support/", "/refer/withdraw/"
    )
    assert opens(withdraw) == 302
    assert opens(legacy_url(person, salt="referrals.withdraw")) == 404  # not a place link
    settings.LEGACY_PRIVATE_LINKS_ACCEPTED = False
    assert opens(legacy_url(person)) == 410
    assert opens(withdraw) == 410  # recorded when it was used, and retired all the same
    settings.LEGACY_PRIVATE_LINKS_ACCEPTED = True
    booking_release(booking=booking, state=Booking.State.CANCELLED, actor=caseworker_a)
    with time_machine.travel(timezone.now() + links.PLACE_LINK_GRACE + timedelta(hours=1)):
        assert opens(legacy_url(person)) == 410
    with time_machine.travel(timezone.now() + links.LEGACY_LIFETIME + timedelta(days=1)):
        assert opens(withdraw) == 410


# --- What staff see ---------------------------------------------------------------------


def test_the_referral_page_lists_the_persons_links_and_which_still_work(
    client, organisation_a, caseworker_a
):
    person, _ = placed(organisation_a, caseworker_a)
    links.participant_url(person)
    links.withdraw_url(person)
    stopped = PrivateLink.objects.filter(purpose="place").get()
    links.link_revoke(link=stopped, actor=caseworker_a)
    links.participant_url(person)
    sign_in(client, caseworker_a)
    content = client.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    content = content.content.decode()
    assert "Private links" in content
    assert content.count("Stop this link") == 2  # the live place link and the withdrawal link
    assert content.count("Stopped ") == 1
    for link in PrivateLink.objects.all():
        assert link.token_hash not in content


def test_every_working_link_is_listed_however_many_were_sent_since(
    client, organisation_a, caseworker_a
):
    # The withdrawal link is older than 30 place links sent after it, and still works:
    # the page must list it, with its button, however many links came since.
    person, _ = placed(organisation_a, caseworker_a)
    withdraw = links.withdraw_url(person)
    for _ in range(35):
        links.participant_url(person)
    sign_in(client, caseworker_a)
    page = client.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    content = page.content.decode()
    kept = PrivateLink.objects.get(token_hash=links.hash_token(withdraw.split("/")[-2]))
    assert reverse("referrals:link-revoke", kwargs={"link_id": kept.pk}) in content
    working = links.LIVE_LINKS_PER_PURPOSE + 1
    assert content.count("Stop this link") == working
    assert f"{working} of their links work now" in content
    assert reverse("referrals:links", kwargs={"referral_id": person.pk}) in content


def test_links_sent_before_there_was_a_limit_are_all_listed_while_they_work(
    client, organisation_a, caseworker_a
):
    person, _ = placed(organisation_a, caseworker_a)
    sent_before_the_limit(person, 40)
    sign_in(client, caseworker_a)
    page = client.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    assert page.content.decode().count("Stop this link") == 40


def test_every_link_is_on_the_full_list_a_page_at_a_time_with_the_counts(
    client, organisation_a, caseworker_a, facilitator_a
):
    person, _ = placed(organisation_a, caseworker_a)
    for _ in range(60):
        links.participant_url(person)
    url = reverse("referrals:links", kwargs={"referral_id": person.pk})
    sign_in(client, caseworker_a)
    first = client.get(url).content.decode()
    assert "60 links in all; 5 work now" in first
    assert first.count("Stop this link") == links.LIVE_LINKS_PER_PURPOSE  # working first
    assert first.count("<tr>") == 1 + 50  # the heading row and a page of links
    second = client.get(url + "?page=2").content.decode()
    assert second.count("<tr>") == 1 + 10 and "Stop this link" not in second
    assert client.get(url + "?page=nonsense").status_code == 200
    assert AuditEvent.objects.filter(
        action="viewed", detail__page="private links", target_id=str(person.pk)
    ).exists()
    # Behind the reason for access, like the referral's page.
    Referral.objects.filter(pk=person.pk).update(assigned_to=facilitator_a)
    assert client.get(url)["Location"].startswith(
        reverse("referrals:access-reason", kwargs={"referral_id": person.pk})
    )


@pytest.mark.parametrize("sent", [2, 60])
def test_the_link_lists_run_a_bounded_number_of_queries(
    client, organisation_a, caseworker_a, django_assert_max_num_queries, sent
):
    person, _ = placed(organisation_a, caseworker_a)
    sent_before_the_limit(person, sent)
    for _ in range(3):  # every kind of row: withdrawal links, codes read out by someone
        links.withdraw_url(person)
        links.code_issue(referral=person, actor=caseworker_a)
    sign_in(client, caseworker_a)
    # Measured: 11 for the full list and 16 for the referral's page, however many links
    # (the page also asks what moves are possible now and who they are kept apart from).
    with django_assert_max_num_queries(11):
        assert (
            client.get(reverse("referrals:links", kwargs={"referral_id": person.pk})).status_code
            == 200
        )
    with django_assert_max_num_queries(16):
        assert (
            client.get(reverse("referrals:detail", kwargs={"referral_id": person.pk})).status_code
            == 200
        )


# --- At most a few links of each kind work ---------------------------------------------


def test_a_new_link_stops_the_oldest_beyond_the_newest_five_of_its_kind(
    organisation_a, caseworker_a
):
    person, _ = placed(organisation_a, caseworker_a)
    withdraw = links.withdraw_url(person)
    place = [links.participant_url(person) for _ in range(links.LIVE_LINKS_PER_PURPOSE)]
    assert all(opens(url) == 302 for url in place)
    newest = links.participant_url(person)
    assert opens(place[0]) == 410  # replaced
    assert all(opens(url) == 302 for url in [*place[1:], newest])
    assert opens(withdraw) == 302  # another kind: unchanged
    links.code_issue(referral=person, actor=caseworker_a)  # a code read out counts too
    assert opens(place[1]) == 410
    assert PrivateLink.objects.filter(purpose="place", revoked_at__isnull=True).count() == 5


def test_an_older_signed_link_replaced_by_five_newer_ones_does_not_open(
    organisation_a, caseworker_a
):
    person, _ = placed(organisation_a, caseworker_a)
    url = legacy_url(person)
    for _ in range(links.LIVE_LINKS_PER_PURPOSE):
        links.participant_url(person)
    assert opens(url) == 410
    assert not PrivateLink.objects.filter(legacy=True).exists()


# --- Stopping all of a person's links ----------------------------------------------------


def test_stopping_all_of_a_persons_links_stops_every_kind_at_once(
    client, organisation_a, caseworker_a
):
    from resources.services import pack_send, pack_url
    from tests.resources.factories import make_resource

    person, _ = placed(organisation_a, caseworker_a)
    unused_legacy = legacy_url(person)  # signed, never used, so never recorded
    place, withdraw = links.participant_url(person), links.withdraw_url(person)
    _, code = links.code_issue(referral=person, actor=caseworker_a)
    _, pack_token = pack_send(
        referral=person, pack=None, resources=[make_resource(organisation_a)], actor=caseworker_a
    )
    theirs = Client()
    assert theirs.get(place).status_code == 302 and theirs.get(PAGE).status_code == 200

    sign_in(client, caseworker_a)
    detail = client.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    stop_all = reverse("referrals:links-stop-all", kwargs={"referral_id": person.pk})
    assert stop_all in detail.content.decode()
    confirm = client.get(stop_all)
    assert confirm.status_code == 200 and "Stop all of their links" in confirm.content.decode()
    # Without the confirmation button: said plainly, and nothing stops.
    refused = client.post(stop_all, {"confirm": "no"})
    assert refused.status_code == 400 and "choose" in refused.content.decode()
    assert opens(place) == 302

    assert client.post(stop_all, {"confirm": "stop-all"}).status_code == 302
    assert opens(place) == 410 and opens(withdraw) == 410
    assert theirs.get(PAGE).status_code == 410  # a page already open stops too
    assert (
        Client().get(reverse("peergroups:participant-link", kwargs={"token": code})).status_code
        == 410
    )
    assert opens(pack_url(pack_token)) == 410
    assert opens(unused_legacy) == 410
    event = AuditEvent.objects.get(detail__change="private_links_all_revoked")
    assert event.actor == caseworker_a and event.target_id == str(person.pk)
    assert event.detail["links"] == 3 and event.detail["packs"] == 1
    assert set(PrivateLink.objects.values_list("revoked_by", flat=True)) == {caseworker_a.pk}
    # A message sent afterwards carries a link that works.
    assert opens(links.participant_url(Referral.objects.get(pk=person.pk))) == 302


def test_an_older_signed_link_signed_after_all_links_were_stopped_still_opens(
    organisation_a, caseworker_a
):
    person, _ = placed(organisation_a, caseworker_a)
    links.links_stop_all(referral=person, actor=caseworker_a)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert opens(legacy_url(person)) == 302


def test_only_staff_of_the_persons_organisation_can_stop_all_their_links(
    client, organisation_a, caseworker_a, caseworker_b, facilitator_a
):
    person, _ = placed(organisation_a, caseworker_a)
    place = links.participant_url(person)
    stop_all = reverse("referrals:links-stop-all", kwargs={"referral_id": person.pk})
    sign_in(client, caseworker_b)
    assert client.post(stop_all, {"confirm": "stop-all"}).status_code == 404
    # A colleague's referral needs a reason first, as its page does.
    Referral.objects.filter(pk=person.pk).update(assigned_to=facilitator_a)
    sign_in(client, caseworker_a)
    answer = client.post(stop_all, {"confirm": "stop-all"})
    assert answer["Location"].startswith(
        reverse("referrals:access-reason", kwargs={"referral_id": person.pk})
    )
    assert opens(place) == 302
    with pytest.raises(links.LinkError):
        links.links_stop_all(referral=person, actor=caseworker_b)


# --- Older signed links end on a fixed date ----------------------------------------------


def test_older_signed_links_are_refused_from_the_day_set_in_the_settings(
    organisation_a, caseworker_a, settings
):
    from portal.settings import base

    assert date(2027, 1, 2) == base.LEGACY_PRIVATE_LINKS_UNTIL  # 30 days after release
    settings.LEGACY_PRIVATE_LINKS_UNTIL = date(2027, 1, 2)
    start = datetime(2026, 12, 30, 12, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(start):
        person, _ = placed(organisation_a, caseworker_a)
        used = legacy_url(person)
        assert opens(used) == 302
    with time_machine.travel(start + timedelta(minutes=1)):
        unused = legacy_url(person)
    the_end = datetime(2027, 1, 2, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(the_end - timedelta(minutes=1)):
        assert opens(used) == 302
    with time_machine.travel(the_end):
        assert opens(used) == 410  # recorded when it was used, and refused all the same
        assert opens(unused) == 410
        assert opens(links.participant_url(person)) == 302  # new links are unaffected


def test_a_mistyped_end_date_for_older_links_is_refused_plainly():
    from tests.portal.test_settings import run_manage

    result = run_manage("check", env={"LEGACY_PRIVATE_LINKS_UNTIL": "2nd January"})
    assert result.returncode != 0
    assert "LEGACY_PRIVATE_LINKS_UNTIL must be a date written like 2027-01-02" in result.stderr


def test_the_migration_stops_links_already_sent_beyond_the_newest_five_of_each_kind(
    organisation_a, caseworker_a
):
    from django.apps import apps

    migration = importlib.import_module(
        "referrals.migrations.0017_referral_private_links_valid_after"
    )
    person, _ = placed(organisation_a, caseworker_a)
    sent_before_the_limit(person, 8)
    withdraw = links.withdraw_url(person)
    migration.stop_links_beyond_the_newest(apps, None)
    working = PrivateLink.objects.filter(revoked_at__isnull=True)
    assert sorted(working.values_list("token_hash", flat=True)) == sorted(
        [links.hash_token(f"sent-before-the-limit-{n}") for n in range(5)]
        + [links.hash_token(withdraw.split("/")[-2])]
    )
