"""Referral services: deadlines, duplicates on encrypted data, encryption at rest, withdrawal."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from portal.core.working_days import add_working_days
from portal.notifications.models import MessageLog
from referrals.choices import AttemptOutcome, ConsentMethod, State
from referrals.models import ConsentRecord, Referral
from referrals.notifications import referral_notify
from referrals.services import (
    ReferralError,
    consent_withdraw,
    contact_attempt_record,
)
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 11, 26), date(2026, 11, 30)),  # Thursday → Monday
        (date(2026, 12, 23), date(2026, 12, 29)),  # Christmas and Boxing Day (moved)
        (date(2027, 3, 25), date(2027, 3, 31)),  # Good Friday and Easter Monday
        (date(2026, 8, 28), date(2026, 9, 2)),  # Summer bank holiday
    ],
)
def test_first_contact_is_due_two_working_days_later(start, expected):
    assert add_working_days(start, 2) == expected


def test_the_deadline_uses_the_london_date_not_utc(organisation_a):
    # 00:30 on Saturday in London is still Friday in UTC.
    with time_machine.travel(datetime(2026, 6, 13, 0, 30, tzinfo=LONDON)):
        referral = make_referral(organisation_a)
    assert referral.first_contact_due == date(2026, 6, 16)


def test_a_matching_email_or_phone_flags_a_possible_duplicate(organisation_a):
    first = make_referral(organisation_a, email="Same.Person@Example.org")
    by_email = make_referral(organisation_a, email="same.person@example.org ")
    by_phone_a = make_referral(
        organisation_a, email="", phone="07700 900123", safe_channels=["call"]
    )
    by_phone_b = make_referral(
        organisation_a, email="", phone="+44 7700 900123", safe_channels=["call"]
    )
    assert by_email.possible_duplicate_of == first
    assert by_phone_b.possible_duplicate_of == by_phone_a
    assert first.possible_duplicate_of is None
    assert by_email.events.filter(kind="duplicate_flagged").exists()
    # Nothing is merged: both referrals stay.
    assert Referral.objects.count() == 4


def test_duplicates_are_only_looked_for_in_the_same_organisation(organisation_a, organisation_b):
    make_referral(organisation_a, email="shared@example.org")
    other = make_referral(organisation_b, email="shared@example.org")
    assert other.possible_duplicate_of is None


def test_closed_referrals_are_not_flagged_as_duplicates(organisation_a, caseworker_a):
    from referrals.services import referral_transition

    first = make_referral(organisation_a, email="again@example.org")
    referral_transition(
        referral=first, to_state=State.CLOSED, actor=caseworker_a, close_reason="declined"
    )
    assert make_referral(organisation_a, email="again@example.org").possible_duplicate_of is None


def test_personal_data_is_not_readable_in_the_raw_database_rows(organisation_a):
    referral = make_referral(
        organisation_a,
        full_name="Canary Plaintext-Name",
        email="canary.person@example.org",
        phone="07700 900456",
        accessibility_needs="Canary access need",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM referrals_referral WHERE reference = %s", [referral.reference]
        )
        row = " ".join(str(value) for value in cursor.fetchone())
        cursor.execute("SELECT * FROM referrals_consentrecord")
        consent_rows = " ".join(str(value) for row_ in cursor.fetchall() for value in row_)
    for canary in ("Canary", "canary.person", "7700900456", "07700"):
        assert canary not in row
    assert "PC Example" not in consent_rows
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.full_name == "Canary Plaintext-Name"
    assert fresh.email == "canary.person@example.org"
    assert fresh.phone == "+447700900456"


def test_withdrawal_stops_every_message_and_closes_the_referral(organisation_a):
    referral = make_referral(organisation_a, phone="07700 900789", safe_channels=["email", "text"])
    assert referral_notify(referral=referral, template="referral_received").status == "sent"
    consent_withdraw(referral=referral, method=ConsentMethod.PRIVATE_LINK)
    referral.refresh_from_db()
    assert referral.state == State.CLOSED
    assert referral.close_reason == "consent_withdrawn"
    assert list(
        ConsentRecord.objects.filter(referral=referral).values_list("action", flat=True)
    ) == [
        "given",
        "withdrawn",
    ]
    sent_before = len(mail.outbox)
    for channel in (None, "email", "text"):
        log = referral_notify(referral=referral, template="referral_received", channel=channel)
        assert log.status == MessageLog.Status.REFUSED
        assert "withdrew consent" in log.reason
    assert len(mail.outbox) == sent_before


def test_a_channel_not_marked_safe_is_refused(organisation_a):
    referral = make_referral(organisation_a, phone="07700 900111", safe_channels=["call"])
    log = referral_notify(referral=referral, template="referral_received", channel="email")
    assert log.status == "refused"
    assert mail.outbox == []
    assert referral_notify(referral=referral, template="referral_received").status == "refused"


def test_messages_use_the_discreet_sender_name_and_never_name_the_investigation(organisation_a):
    organisation_a.discreet_sender_name = "Harbour Team"
    organisation_a.save()
    referral = make_referral(organisation_a)
    referral_notify(referral=referral, template="referral_received")
    message = mail.outbox[0]
    assert message.from_email.startswith("Harbour Team <")
    text = (message.subject + message.body + message.alternatives[0][0]).lower()
    for word in ("police", "investigation", "arrest", "offence", organisation_a.name.lower()):
        assert word not in text


def test_reaching_someone_moves_a_new_referral_into_contact(organisation_a, caseworker_a):
    referral = make_referral(organisation_a, safe_channels=["email", "call"])
    contact_attempt_record(
        referral=referral,
        channel="call",
        outcome=AttemptOutcome.NO_ANSWER,
        note="",
        actor=caseworker_a,
    )
    referral.refresh_from_db()
    assert referral.state == State.NEW and referral.first_contacted_at is None
    contact_attempt_record(
        referral=referral,
        channel="call",
        outcome=AttemptOutcome.REACHED,
        note="Spoke briefly",
        actor=caseworker_a,
    )
    referral.refresh_from_db()
    assert referral.state == State.IN_CONTACT and referral.first_contacted_at is not None


def test_no_contact_can_be_logged_after_withdrawal(organisation_a, caseworker_a):
    referral = make_referral(organisation_a)
    consent_withdraw(referral=referral, method=ConsentMethod.TO_STAFF, actor=caseworker_a)
    with pytest.raises(ReferralError):
        contact_attempt_record(
            referral=referral, channel="call", outcome="reached", note="", actor=caseworker_a
        )


def test_consent_records_cannot_be_edited_or_deleted(organisation_a):
    from portal.core.append_only import AppendOnlyError

    record = make_referral(organisation_a).consents.get()
    record.method = "written"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.update(method="written")


def test_references_are_short_unique_and_not_sequential(organisation_a):
    references = [make_referral(organisation_a).reference for _ in range(20)]
    assert len(set(references)) == 20
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference) for reference in references)
    assert sorted(references) != references or sorted(references, reverse=True) != references


def test_flagging_a_duplicate_reads_the_earlier_referral_only_once(organisation_a, organisation_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = make_referral(organisation_a, email="once@example.org")
    make_referral(organisation_b, email="once@example.org")  # another charity's: ignored
    with CaptureQueriesContext(connection) as queries:
        later = make_referral(organisation_a, email="once@example.org")
    assert later.possible_duplicate_of_id == first.pk
    event = later.events.get(kind="duplicate_flagged")
    assert event.detail["other_reference"] == first.reference
    # The match is found by its hashes with everything the flag needs; a field left out of
    # that read would cost a query fetching the earlier referral by its id.
    by_id = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and first.pk.hex in q["sql"].replace("-", "")
    ]
    assert by_id == []
