"""Subject access requests: a register with the one-month deadline and its extension, and
an export of everything about the person (and nothing about anyone else), with third
parties' information withheld where a coordinator decides."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Session
from peergroups.services import attendance_record, booking_confirm, booking_offer
from portal.audit.models import AuditEvent
from portal.notifications.services import message_queue
from portal.outcomes.models import OutcomeSchedule, Questionnaire
from portal.outcomes.services import response_submit
from referrals.models import SubjectAccessRequest
from referrals.services import case_note_add, contact_attempt_record
from referrals.subject_access import WITHHELD, add_months, sar_export
from resources import services as resource_services
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral
from tests.resources.factories import make_resource

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 11, 28), date(2026, 12, 28)),
        (date(2027, 1, 31), date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 12, 15), date(2028, 1, 15)),
    ],
)
def test_the_deadline_is_one_calendar_month(received, due):
    assert add_months(received, 1) == due


@pytest.fixture
def person(organisation_a, caseworker_a, coordinator_a, facilitator_a, shipped_questionnaires):
    referral = make_referral(organisation_a, full_name="Sasha Subject")
    contact_attempt_record(
        referral=referral,
        channel="call",
        outcome="reached",
        note="Her brother Tom answered",
        actor=caseworker_a,
        override_reason="She rang and asked us to call her back at work",
    )
    case_note_add(referral=referral, body="Prefers evening meetings", actor=caseworker_a)
    group = GroupFactory(organisation=organisation_a, title="Evening group")
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=referral, actor=caseworker_a)
    )
    start = timezone.now() - timedelta(days=1)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    attendance_record(session=session, booking=booking, status="attended", actor=facilitator_a)
    resource_services.pack_send(
        referral=referral,
        pack=None,
        resources=[make_resource(organisation_a, actor=coordinator_a, title="After a search")],
        actor=caseworker_a,
    )
    message_queue(
        organisation=organisation_a,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template="referral_received",
        context={},
        key=f"sar:{referral.pk}",
    )
    wellbeing = Questionnaire.objects.get(key="ons4-wellbeing")
    OutcomeSchedule.objects.create(organisation=organisation_a, questionnaire=wellbeing)
    response_submit(
        referral=referral,
        questionnaire=wellbeing,
        time_point="intake",
        answers={q.pk: 7 for q in wellbeing.questions.all()},
        consent_to_reports=False,
    )
    # Someone else in the same group, with their own notes: never in Sasha's export.
    other = make_referral(organisation_a, full_name="Olly Other")
    case_note_add(referral=other, body="Olly's private note", actor=caseworker_a)
    booking_confirm(booking=booking_offer(group=group, referral=other, actor=caseworker_a))
    return referral


def test_the_export_holds_every_kind_of_record_and_nothing_about_anyone_else(person):
    data = sar_export(referral=person)
    assert data["referral"]["name"] == "Sasha Subject"
    for section in (
        "consent",
        "contact_history",
        "notes",
        "group_places",
        "attendance",
        "resources_sent",
        "messages",
        "questionnaires",
    ):
        assert data[section], section
    assert data["safe_contact"]["safe_ways"] == ["Email"]
    assert data["resources_sent"][0]["title"]
    text = json.dumps(data)
    assert "Olly" not in text


def test_a_coordinator_records_extends_withholds_and_exports(
    client, organisation_a, coordinator_a, person
):
    sign_in(client, coordinator_a)
    new = reverse("referrals:sar-new", kwargs={"referral_id": person.pk})
    created = client.post(new, {"received_on": "2026-11-02", "notes": "By phone; checked"})
    assert created.status_code == 302
    sar = SubjectAccessRequest.objects.get()
    assert sar.due_on == date(2026, 12, 2) and sar.handled_by == coordinator_a

    page = reverse("referrals:sar", kwargs={"sar_id": sar.pk})
    detail = client.get(page).content.decode()
    assert "Her brother Tom answered" in detail  # offered for withholding
    note_key = f"contact-{person.contact_attempts.get().pk}"
    too_long = client.post(
        page, {"status": "in_progress", "extended_to": "2027-03-01", "notes": ""}
    )
    assert too_long.status_code == 400  # beyond two further months
    saved = client.post(
        page,
        {"status": "in_progress", "extended_to": "2027-02-02", "withheld": [note_key], "notes": ""},
    )
    assert saved.status_code == 302
    sar.refresh_from_db()
    assert sar.deadline == date(2027, 2, 2) and sar.withheld == [note_key]

    exported = client.get(reverse("referrals:sar-json", kwargs={"sar_id": sar.pk}))
    data = json.loads(exported.content)
    assert data["contact_history"][0]["note"] == WITHHELD
    assert data["notes"][0]["note"] == "Prefers evening meetings"
    document = client.get(
        reverse("referrals:sar-document", kwargs={"sar_id": sar.pk})
    ).content.decode()
    # The withheld note's words (not the bare name: a coordinator may be called Tom).
    assert "Sasha Subject" in document and "Her brother Tom answered" not in document
    assert (
        AuditEvent.objects.filter(action="exported", detail__export="subject access").count() == 2
    )

    register = client.get(
        reverse("referrals:sar-register", kwargs={"organisation_id": organisation_a.pk})
    ).content.decode()
    assert "2 Feb 2027" in register and "(extended)" in register


def test_only_the_organisations_coordinators_handle_requests(
    client, organisation_a, caseworker_a, coordinator_a, coordinator_b, person
):
    sign_in(client, coordinator_a)
    client.post(
        reverse("referrals:sar-new", kwargs={"referral_id": person.pk}),
        {"received_on": "2026-11-02"},
    )
    sar = SubjectAccessRequest.objects.get()
    for user in (caseworker_a, coordinator_b):
        sign_in(client, user)
        for name in ("referrals:sar", "referrals:sar-json", "referrals:sar-document"):
            assert client.get(reverse(name, kwargs={"sar_id": sar.pk})).status_code == 404, name
        assert (
            client.post(
                reverse("referrals:sar-new", kwargs={"referral_id": person.pk}),
                {"received_on": "2026-11-03"},
            ).status_code
            == 404
        )
    assert SubjectAccessRequest.objects.count() == 1
