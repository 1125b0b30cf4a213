"""Personal data is encrypted at rest: no plaintext in the database, and no new plain
field that could hold personal data without someone deciding so here."""

from datetime import time

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, models
from django.urls import reverse

from portal.crypto.fields import EncryptedTextField
from portal.notifications.contact_windows import ContactWindows, Window
from referrals.services import (
    ConsentDetails,
    PersonDetails,
    SafeContactDetails,
    case_note_add,
    contact_attempt_record,
    referral_submit,
)

# Every plain text-like field in the portal's own models, with why it is not encrypted.
# A new field fails the test below until it is encrypted or added here with a reason.
STAFF = "staff's own work details, needed in plain to sign in and to be found"
CODE = "one of a fixed list of codes"
CONTENT = "the charity's published content or settings, not about a person"
TECHNICAL = "a technical id, token hash or status, never a person's details"
PLAIN_FIELDS_ALLOWED = {
    "accounts.User.password": "Django's password hash",
    "accounts.User.email": STAFF,
    "accounts.User.full_name": STAFF,
    "accounts.UserSession.session_key": TECHNICAL,
    "organisations.Organisation.name": CONTENT,
    "organisations.Organisation.slug": CONTENT,
    "organisations.Organisation.discreet_sender_name": CONTENT,
    "organisations.Organisation.service_area": CONTENT,
    # The charity's own public phone, email and opening hours, shown to families.
    "organisations.Organisation.contact_phone": CONTENT,
    "organisations.Organisation.contact_email": CONTENT,
    "organisations.Organisation.contact_opening_hours": CONTENT,
    "organisations.ReferringAgency.name": CONTENT,
    "organisations.ReferringAgency.kind": CODE,
    "organisations.AgencyEmailDomain.domain": CONTENT,
    "organisations.Membership.role": CODE,
    "organisations.Invitation.email": STAFF,
    "organisations.Invitation.role": CODE,
    "organisations.Invitation.token_hash": TECHNICAL,
    "organisations.LawfulBasisRecord.purpose": CODE,
    "organisations.LawfulBasisRecord.lawful_basis": CODE,
    "organisations.LawfulBasisRecord.condition": CODE,
    "organisations.LawfulBasisRecord.explanation": CONTENT,
    "organisations.LawfulBasisRecord.privacy_notice_version": CONTENT,
    "organisations.LawfulBasisRecord.sharing_agreement_version": CONTENT,
    "organisations.PrivacyNotice.version": CONTENT,
    "organisations.PrivacyNotice.body": CONTENT,
    "outcomes.Questionnaire.key": CODE,
    "outcomes.Questionnaire.title": CONTENT,
    "outcomes.Questionnaire.intro": CONTENT,
    "outcomes.Questionnaire.licence_note": CONTENT,
    "outcomes.Question.text": CONTENT,
    "outcomes.Question.options": CONTENT,
    "outcomes.Response.time_point": CODE,
    "retention.RetentionRule.record_type": CODE,
    "retention.RetentionRule.unit": CODE,
    "retention.RetentionRule.legal_basis": CONTENT,
    "retention.RetentionRun.counts": "Numbers of records per record type",
    "retention.RetentionTally.record_type": CODE,
    "retention.RetentionTally.category": "A channel and status, or an audit action: a code",
    "audit.AuditEvent.action": CODE,
    "audit.AuditEvent.target_type": TECHNICAL,
    "audit.AuditEvent.target_id": TECHNICAL,
    "audit.AuditEvent.ip_address": "staff's address for the security log",
    "audit.AuditEvent.detail": "what changed, by field name and codes: never values",
    "operations.Heartbeat.name": TECHNICAL,
    "notifications.MessageLog.recipient_type": TECHNICAL,
    "notifications.MessageLog.recipient_id": TECHNICAL,
    "notifications.MessageLog.channel": CODE,
    "notifications.MessageLog.template": CODE,
    "notifications.MessageLog.context": "ids and times; links are dropped once sent",
    "notifications.MessageLog.status": CODE,
    "notifications.MessageLog.reason": "why a message stopped, in the portal's words",
    "notifications.MessageLog.provider_id": TECHNICAL,
    "notifications.SentMarker.key": TECHNICAL,
    "notifications.NotificationSettings.reply_to": CONTENT,
    "notifications.NotificationSettings.session_reminder_offsets": CONTENT,
    "notifications.StaffTask.kind": CODE,
    "notifications.StaffTask.record_type": TECHNICAL,
    "notifications.StaffTask.record_id": TECHNICAL,
    "api.AgencyApiKey.id": TECHNICAL,
    "api.AgencyApiKey.prefix": TECHNICAL,
    "api.AgencyApiKey.hashed_key": TECHNICAL,
    "api.AgencyApiKey.name": CONTENT,
    "api.AgencyApiKey.scopes": CODE,
    "api.ApiCall.method": TECHNICAL,
    "api.ApiCall.path": "paths hold references and ids only",
    "api.ApiCall.client_ip": "the partner's address for the security log",
    "api.IdempotentRequest.caller": TECHNICAL,
    "api.IdempotentRequest.idempotency_key": TECHNICAL,
    "api.IdempotentRequest.request_hash": TECHNICAL,
    "api.IdempotentRequest.response_body": "reference, organisation and status only",
    "referrals.Referral.reference": TECHNICAL,
    "referrals.Referral.source": CODE,
    "referrals.Referral.state": CODE,
    "referrals.Referral.email_hash": "keyed hash for matching",
    "referrals.Referral.phone_hash": "keyed hash for matching",
    "referrals.Referral.relationship": CODE,
    "referrals.Referral.stage": CODE,
    "referrals.Referral.children_in_household": CODE,
    "referrals.Referral.support_wanted": CODE,
    "referrals.Referral.format_preference": CODE,
    "referrals.Referral.close_reason": CODE,
    "referrals.Referral.submission_key": TECHNICAL,
    "referrals.ConsentRecord.action": CODE,
    "referrals.ConsentRecord.method": CODE,
    "referrals.ConsentRecord.statement_version": CODE,
    "referrals.ConsentRecord.statement_text": "the statement shown, naming only the charity",
    "referrals.ConsentRecord.scope": "codes and the charity's name",
    "referrals.ConsentRecord.professional_agency": CONTENT,
    "referrals.AccessReason.because": CODE,
    "referrals.SubjectAccessRequest.status": CODE,
    "referrals.SubjectAccessRequest.withheld": "keys of withheld items, never their text",
    "referrals.ContactAttempt.channel": CODE,
    "referrals.ContactAttempt.outcome": CODE,
    # What was done and on which channel; the reason for it is encrypted.
    "referrals.SafeContactOverride.action": CODE,
    "referrals.SafeContactOverride.channel": CODE,
    "referrals.ReferralEvent.kind": CODE,
    "referrals.ReferralEvent.detail": "codes, references and staff names only",
    "referrals.PrivateLink.purpose": CODE,
    "referrals.PrivateLink.token_hash": TECHNICAL,
    "referrals.SelfReferralDraft.key_hash": TECHNICAL,
    "peergroups.Venue.name": CONTENT,
    "peergroups.Venue.address": CONTENT,
    "peergroups.Venue.accessibility": CONTENT,
    "peergroups.Venue.arrival_notes": CONTENT,
    "peergroups.Group.title": CONTENT,
    "peergroups.Group.description": CONTENT,
    "peergroups.Group.audience": CODE,
    "peergroups.Group.format": CODE,
    "peergroups.Group.cohort": CODE,
    "peergroups.Group.ground_rules": CONTENT,
    "peergroups.Schedule.rule": CODE,
    "peergroups.Schedule.fixed_dates": CONTENT,
    "peergroups.Session.status": CODE,
    "peergroups.Session.zoom_meeting_id": "a meeting number; the link and passcode are encrypted",
    "peergroups.Session.sync_state": CODE,
    "peergroups.Session.sync_error": "the Zoom API's error, without anyone's details",
    "peergroups.Booking.state": CODE,
    "peergroups.Attendance.status": CODE,
    "peergroups.InitialCallSlot.outcome": CODE,
    "peergroups.InitialCallSlot.method": CODE,
    "peergroups.ZoomAccount.account_id": TECHNICAL,
    "peergroups.ZoomAccount.client_id": TECHNICAL,
    "peergroups.ZoomAccount.verified_fingerprint": "a keyed hash of credentials Zoom accepted",
    "peergroups.ZoomAccount.check_error": "Zoom's answer to the credentials, about no one",
    "peergroups.ZoomRegistration.registrant_id": TECHNICAL,
    **{
        f"resources.Signpost.{name}": "a public service in the support directory"
        for name in [
            "key",
            "provider",
            "name",
            "description",
            "eligibility",
            "phone",
            "text_number",
            "url",
            "email",
            "hours",
            "fees",
            "languages",
            "status",
            "check_note",
            # Who checked a service's public details (a staff name or "Library editors")
            # and the public page they checked them against: about the service.
            "assured_by",
            "assured_from",
        ]
    },
    **{
        f"resources.Resource.{name}": CONTENT
        for name in [
            "slug",
            "title",
            "summary",
            "body",
            "stages",
            "audiences",
            "signpost_ids",
            "status",
        ]
    },
    **{
        f"resources.ResourceVersion.{name}": CONTENT
        for name in [
            "title",
            "summary",
            "body",
            "stages",
            "audiences",
            "signpost_ids",
            "status",
            "changed_fields",
            "change_note",
        ]
    },
    **{f"resources.Pack.{name}": CONTENT for name in ["key", "title", "purpose", "default_for"]},
    "resources.Delivery.method": CODE,
    "resources.Delivery.token_hash": TECHNICAL,
    "peergroups.CalendarFeed.token_hash": TECHNICAL,
    "referrals.ReferralNameToken.hash": "keyed hash of one word of a name, for search",
}
OUR_APPS = ("portal.", "referrals", "peergroups", "resources")
TEXT_LIKE = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)


def plain_text_fields() -> set[str]:
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith(OUR_APPS)
        for field in model._meta.concrete_fields
        if isinstance(field, TEXT_LIKE) and not isinstance(field, EncryptedTextField)
    }


def test_every_plain_field_is_one_somebody_decided_may_be_plain():
    unexplained = plain_text_fields() - set(PLAIN_FIELDS_ALLOWED)
    assert not unexplained, (
        "These fields are stored in plain text. If they can hold anything about a person, "
        f"make them EncryptedTextField; if not, add them with a reason: {sorted(unexplained)}"
    )
    assert not set(PLAIN_FIELDS_ALLOWED) - plain_text_fields(), "stale allow-list entries"


def database_rows() -> list[tuple[str, str]]:
    """Every row of every table as text, with each session's data decoded: a session is
    signed, not encrypted, so whoever holds the database can read it."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            for row in cursor.fetchall():
                rows.append((table, " ".join(str(value) for value in row)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data FROM django_session")
        rows += [
            ("django_session (decoded)", str(SessionStore().decode(data)))
            for (data,) in cursor.fetchall()
        ]
    return rows


def canaries_in_the_database(canaries: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for table, text in database_rows():
        text = text.lower()
        found += [
            (table, name)
            for name, canary in canaries.items()
            if canary.lower() in text or canary.replace(" ", "").lower() in text
        ]
    return found


CANARIES = {
    "full_name": "Canaryfirst Canarylast",
    "email": "canary.person@canary-mail.example",
    "phone": "07700 900999",
    "area": "Canarytown",
    "accessibility_needs": "Canary hearing loop",
    "safe_times": "Canary evenings",
    # Safe times as windows (SafeContact.contact_windows): JSON, so quoted in plain.
    "contact_windows_day": '"sunday"',
    "contact_windows_time": '"06:17"',
    "name_to_use": "Canarynick",
    "postal_address": "1 Canary Street, CA1 1NA",
    "professional_name": "PC Canary Officer",
    "professional_identifier": "CANARY-4521",
    "note": "Canary contact note",
    "case_note": "Canary case note",
}


def _last_sunday_at(clock: time):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from portal.notifications.contact_windows import LONDON

    today = timezone.localdate()
    sunday = today - timedelta(days=(today.weekday() - 6) % 7 or 7)
    return datetime.combine(sunday, clock, tzinfo=LONDON)


@pytest.mark.django_db
def test_no_plaintext_reaches_the_database(organisation_a, caseworker_a, referrer, police_agency):
    from django.utils import timezone

    referral = referral_submit(
        organisation=organisation_a,
        person=PersonDetails(
            full_name=CANARIES["full_name"],
            email=CANARIES["email"],
            phone=CANARIES["phone"],
            relationship="partner",
            stage="on_bail",
            children_in_household="no",
            support_wanted="peer_group",
            format_preference="zoom",
            area=CANARIES["area"],
            accessibility_needs=CANARIES["accessibility_needs"],
        ),
        safe_contact=SafeContactDetails(
            safe_channels=frozenset({"email", "post", "call"}),
            safe_times=CANARIES["safe_times"],
            windows=ContactWindows((Window(6, time(6, 17), time(7, 43)),)),
            name_to_use=CANARIES["name_to_use"],
            postal_address=CANARIES["postal_address"],
        ),
        consent=ConsentDetails(
            method="verbal",
            given_at=timezone.now(),
            statement_version="professional-2026-11",
            professional_name=CANARIES["professional_name"],
            professional_identifier=CANARIES["professional_identifier"],
        ),
        source="professional",
        referrer=referrer,
        agency=police_agency,
    )
    contact_attempt_record(
        referral=referral,
        channel="call",
        outcome="reached",
        note=CANARIES["note"],
        actor=caseworker_a,
        made_at=_last_sunday_at(time(6, 30)),  # inside their safe times
    )
    case_note_add(referral=referral, body=CANARIES["case_note"], actor=caseworker_a)

    assert canaries_in_the_database(CANARIES) == []
    referral.refresh_from_db()
    assert referral.full_name == CANARIES["full_name"]  # and it all still reads back
    assert referral.safe_contact.postal_address == CANARIES["postal_address"]
    assert referral.safe_contact.windows.describe() == "Sunday, 6:17am to 7:43am"


# What a person might type into the public self-referral, page by page.
SELF_REFERRAL_CANARIES = {
    "full_name": "Selfcanary Firstly",
    "email": "self.canary@canary-mail.example",
    # Without the leading 0, so the number is found however it is written (+44 too).
    "phone": "7911 876543",
    "area": "Selfcanaryton",
    "accessibility_needs": "Selfcanary ramp",
    "safe_times": "Selfcanary mornings",
    # "Let me choose": kept as typed in the draft, then as windows; JSON either way.
    "safe_days": '"sunday"',
    "safe_from": '"06:17"',
    "name_to_use": "Selfcanarynick",
    "postal_address": "2 Selfcanary Road, CA2 2NA",
}
SELF_REFERRAL_PAGES = {
    "relationship": {"relationship": "partner"},
    "stage": {"stage": "released_under_investigation"},
    "children": {"children_in_household": "no"},
    "support": {"support_wanted": "peer_group"},
    "meeting": {"format_preference": "either", "area": SELF_REFERRAL_CANARIES["area"]},
    "access-needs": {"accessibility_needs": SELF_REFERRAL_CANARIES["accessibility_needs"]},
    "about-you": {
        "full_name": SELF_REFERRAL_CANARIES["full_name"],
        "email": SELF_REFERRAL_CANARIES["email"],
        "phone": "0" + SELF_REFERRAL_CANARIES["phone"],
    },
    "safe-contact": {
        "safe_channels": ["email", "post"],
        "safe_times_choice": "custom",
        "safe_days": ["sunday"],
        "safe_from": "06:17",
        "safe_to": "07:43",
        "safe_times": SELF_REFERRAL_CANARIES["safe_times"],
        "name_to_use": SELF_REFERRAL_CANARIES["name_to_use"],
        "postal_address": SELF_REFERRAL_CANARIES["postal_address"],
        "may_name_organisation": "no",
        "shares_device_with_person": "no",
        "shares_address_with_person": "yes",
    },
    "agreement": {"agree": "on"},
}


@pytest.mark.django_db
def test_nothing_typed_into_the_self_referral_reaches_the_database_in_plaintext(
    client, organisation_a
):
    url = reverse("selfreferral:start", kwargs={"slug": organisation_a.slug})
    for step, data in SELF_REFERRAL_PAGES.items():
        response = client.post(url, {"step": step, **data})
        assert response.status_code == 303, (step, response.content.decode()[:2000])
        assert "There is a problem" not in client.get(url).content.decode(), step
    check = client.get(url)
    assert SELF_REFERRAL_CANARIES["full_name"] in check.content.decode()  # kept, readable to them
    assert "Sunday, 6:17am to 7:43am" in check.content.decode()

    # Answered but not sent: the draft is in the database, sessions included, unreadable.
    assert canaries_in_the_database(SELF_REFERRAL_CANARIES) == []

    key = check.context["submission_key"]
    sent = client.post(url, {"submission_key": key})
    assert sent.status_code == 303 and "Request sent" in client.get(url).content.decode()
    assert canaries_in_the_database(SELF_REFERRAL_CANARIES) == []
