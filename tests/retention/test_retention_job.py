"""The retention job on a time-travelled dataset: exactly the records whose period has
ended are anonymised, deleted or unlinked; everything else is untouched; reports give
the same figures before and after; running it again changes nothing."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from peergroups.models import Attendance, Booking, Session, ZoomRegistration
from peergroups.services import attendance_record, booking_confirm, booking_offer
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.models import MessageLog
from portal.notifications.services import message_queue
from portal.reports.selectors import ReportFilters, funder_report
from portal.retention.models import RetentionRun, RetentionTally
from portal.retention.schedule import RecordType
from portal.retention.selectors import retention_dry_run
from portal.retention.services import retention_apply, retention_rule_set
from referrals.models import CaseNote, ConsentRecord, ContactAttempt, Referral, SafeContact
from referrals.services import (
    case_note_add,
    consent_withdraw,
    contact_attempt_record,
    referral_transition,
)
from resources import services as resource_services
from resources.models import Delivery
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral
from tests.resources.factories import make_resource

pytestmark = pytest.mark.django_db(transaction=False)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=LONDON)


def at(year, month, day):
    return time_machine.travel(datetime(year, month, day, 10, 0, tzinfo=LONDON), tick=False)


def closed_referral(organisation, actor, **person):
    referral = make_referral(organisation, **person)
    return referral_transition(
        referral=referral, to_state="closed", close_reason="declined", actor=actor
    )


def a_full_history(organisation, caseworker, coordinator, facilitator):
    """A person with every kind of record, who then finished with the service."""
    referral = make_referral(organisation, email="canary.person@example.org")
    contact_attempt_record(
        referral=referral,
        channel="call",
        outcome="reached",
        note="Canary note",
        actor=caseworker,
        override_reason="Canary override reason",
    )
    case_note_add(referral=referral, body="Canary case note", actor=caseworker)
    group = GroupFactory(organisation=organisation)
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=referral, actor=caseworker)
    )
    start = datetime.now(LONDON) - timedelta(hours=2)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    attendance_record(session=session, booking=booking, status="attended", actor=facilitator)
    resource_services.pack_send(
        referral=referral,
        pack=None,
        resources=[make_resource(organisation, actor=coordinator)],
        actor=caseworker,
    )
    message_queue(
        organisation=organisation,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template="referral_received",
        context={},
        key=f"retention-test:{referral.pk}",
    )
    deliver_all()
    return referral_transition(
        referral=referral, to_state="closed", close_reason="completed", actor=caseworker
    )


def zoom_session(organisation, ends):
    group = GroupFactory(organisation=organisation)
    return Session.objects.create(
        group=group,
        starts_at=ends - timedelta(hours=1),
        ends_at=ends,
        join_url="https://zoom.example/j/123",
        passcode="canary-pass",
    )


@pytest.fixture
def dataset(
    organisation_a,
    organisation_b,
    caseworker_a,
    coordinator_a,
    facilitator_a,
    caseworker_b,
    coordinator_b,
):
    people = {}
    with at(2023, 6, 1):
        audit_record(action=AuditEvent.Action.VIEWED, organisation=organisation_a)
        audit_record(action=AuditEvent.Action.SIGN_IN_FAILED)
    with at(2024, 1, 10):
        people["old_closed"] = a_full_history(
            organisation_a, caseworker_a, coordinator_a, facilitator_a
        )
        people["other_org_old_closed"] = closed_referral(organisation_b, caseworker_b)
    with at(2024, 12, 1):
        people["closed_within_period"] = closed_referral(organisation_a, caseworker_a)
        people["open"] = make_referral(organisation_a)
    with at(2026, 10, 1):
        people["withdrew"] = consent_withdraw(
            referral=make_referral(organisation_a), method="phone"
        )
    with at(2026, 11, 20):
        people["withdrew_recently"] = consent_withdraw(
            referral=make_referral(organisation_a), method="phone"
        )
    people["old_zoom"] = zoom_session(organisation_a, datetime(2026, 11, 10, 20, tzinfo=LONDON))
    people["recent_zoom"] = zoom_session(organisation_a, datetime(2026, 11, 25, 20, tzinfo=LONDON))
    # Organisation B keeps closed referrals for five years.
    retention_rule_set(
        organisation=organisation_b,
        record_type=RecordType.CLOSED_REFERRAL,
        length=60,
        unit="months",
        legal_basis="Our funder requires five years.",
        actor=coordinator_b,
    )
    return people


def figures(organisation):
    report = funder_report(
        organisation=organisation,
        filters=ReportFilters(start=date(2023, 1, 1), end=date(2026, 11, 28)),
    )
    return {key: figure.value for key, figure in report.figures.items()}, [
        table.rows for table in report.tables.values()
    ]


def test_exactly_the_due_records_go_and_reports_still_count_them(dataset, organisation_a):
    old = dataset["old_closed"]
    before = figures(organisation_a)
    assert before[0]["referrals_received"] == 5
    assert before[0]["messages_sent"] == 1
    assert before[0]["attendances"] == 1
    assert before[0]["packs_sent"] == 1
    assert before[0]["reached_group"] == 1

    with time_machine.travel(NOW, tick=False):
        preview = {
            due.entry.record_type: due.count
            for due in retention_dry_run(organisation=organisation_a)
        }
        totals = retention_apply()

    assert preview == {
        RecordType.CLOSED_REFERRAL: 1,
        RecordType.WITHDRAWN_CONSENT: 1,
        RecordType.MESSAGE_LOG: 1,
        RecordType.AUDIT_LOG: 1,
        # The old person's session from 2024 and the one that ended on 10 November.
        RecordType.ZOOM_LINK: 2,
    }
    # The unscoped failed sign-in from 2023 goes too, under the default period.
    assert totals[RecordType.AUDIT_LOG] == 2
    assert totals[RecordType.CLOSED_REFERRAL] == 1

    anonymised = set(
        Referral.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)
    )
    assert anonymised == {old.pk, dataset["withdrew"].pk}

    old.refresh_from_db()
    assert (old.full_name, old.email, old.email_hash, old.area) == ("", "", "", "")
    assert not old.is_contactable
    safe = SafeContact.objects.get(referral=old)
    assert safe.safe_channels == [] and safe.name_to_use == ""
    assert not CaseNote.objects.filter(referral=old).exists()
    assert not ConsentRecord.objects.filter(referral=old).exists()
    assert ContactAttempt.objects.get(referral=old).note == ""
    # The anonymous facts stay, so reports keep counting them.
    assert Booking.objects.filter(referral=old).count() == 1
    assert Attendance.objects.filter(booking__referral=old).count() == 1
    assert Delivery.objects.get(referral=old).is_revoked
    assert not MessageLog.objects.filter(recipient_id=str(old.pk)).exists()
    assert (
        RetentionTally.objects.get(
            organisation=organisation_a, record_type=RecordType.MESSAGE_LOG
        ).count
        == 1
    )

    # Everyone else is untouched, including organisation B's longer period.
    for name in ("closed_within_period", "open", "withdrew_recently", "other_org_old_closed"):
        person = Referral.objects.get(pk=dataset[name].pk)
        assert person.anonymised_at is None and person.full_name.startswith("Alex Example")
        assert SafeContact.objects.filter(referral=person).exists()

    old_zoom = Session.objects.get(pk=dataset["old_zoom"].pk)
    recent_zoom = Session.objects.get(pk=dataset["recent_zoom"].pk)
    assert (old_zoom.join_url, old_zoom.passcode) == ("", "")
    assert recent_zoom.passcode == "canary-pass"
    assert not ZoomRegistration.objects.filter(session=old_zoom).exists()

    assert not AuditEvent.objects.filter(at__year=2023).exists()
    assert AuditEvent.objects.filter(at__year=2024).exists()

    assert figures(organisation_a) == before

    # Nothing that identified the old person is left in the database's own rows.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email_hash, full_name FROM referrals_referral WHERE id = %s",
            [old.pk.hex if connection.vendor == "sqlite" else old.pk],
        )
        assert cursor.fetchone() == ("", "")


def test_running_again_changes_nothing_and_the_dry_run_then_shows_nothing_due(
    dataset, organisation_a
):
    with time_machine.travel(NOW, tick=False):
        retention_apply()
        again = retention_apply()
        preview = retention_dry_run(organisation=organisation_a)
    assert set(again.values()) == {0}
    assert [due.count for due in preview] == [0] * len(RecordType.values)
    run = RetentionRun.objects.filter(organisation=organisation_a).order_by("pk").first()
    assert run.counts[RecordType.CLOSED_REFERRAL] == 1


def test_an_interrupted_run_finishes_on_the_next(organisation_a, caseworker_a):
    with at(2023, 1, 5):
        people = [closed_referral(organisation_a, caseworker_a) for _ in range(5)]

    class Stop(Exception):
        pass

    def stop_after_first_batch(organisation, record_type, done, total):
        raise Stop

    with time_machine.travel(NOW, tick=False):
        with pytest.raises(Stop):
            retention_apply(
                organisations=[organisation_a], batch_size=2, progress=stop_after_first_batch
            )
        assert Referral.objects.filter(anonymised_at__isnull=False).count() == 2
        retention_apply(organisations=[organisation_a], batch_size=2)
    assert (
        Referral.objects.filter(pk__in=[p.pk for p in people], anonymised_at__isnull=False).count()
        == 5
    )


def test_an_anonymised_referral_page_says_the_details_were_removed(client, dataset, coordinator_a):
    with time_machine.travel(NOW, tick=False):
        retention_apply()
    sign_in(client, coordinator_a)
    url = reverse("referrals:detail", kwargs={"referral_id": dataset["old_closed"].pk})
    response = client.post(
        reverse("referrals:access-reason", kwargs={"referral_id": dataset["old_closed"].pk}),
        {"reason": "Checking the retention job", "next": "detail"},
    )
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Details removed" in content and "Canary" not in content


def test_the_command_reports_a_dry_run_and_then_applies_it(dataset, organisation_a):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("apply_retention", "--dry-run", stdout=out)
        assert "Would anonymise 1 closed referrals" in out.getvalue()
        assert Referral.objects.filter(anonymised_at__isnull=False).count() == 0
        call_command("apply_retention", stdout=out)
    assert "Closed referrals 1/1" in out.getvalue()
    assert Referral.objects.filter(anonymised_at__isnull=False).count() == 2
