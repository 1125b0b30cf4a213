"""Directory entries carry when, by whom and against what they were checked; an unchecked
entry is never shown to families; entries not checked for a year come back for review."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from resources import directory, services
from resources.models import Signpost
from resources.reminders import review_due_digests_queue
from tests.conftest import sign_in
from tests.notifications.delivery import deliver_all

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")

HEADER = "id,organization_name,name,description,phone,status,assured_date,assured_by\n"


def upload(client, text: str):
    return client.post(
        reverse("resources-staff:signpost-import"),
        {"file": SimpleUploadedFile("directory.csv", text.encode("utf-8"))},
    )


def form(**overrides) -> dict:
    return {
        "provider": "Town Carers",
        "name": "Carers' drop-in",
        "description": "A weekly drop-in.",
        "phone": "01632 960000",
        "status": "active",
        **overrides,
    }


def test_an_active_entry_needs_the_date_it_was_checked(client, organisation_a, coordinator_a):
    sign_in(client, coordinator_a)
    new = reverse("resources-staff:signpost-new")
    refused = client.post(new, form(assured_date=""))
    assert refused.status_code == 400
    assert "Give the date you last checked these details with the service" in (
        refused.content.decode()
    )
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "cannot be in the future" in client.post(new, form(assured_date=future)).content.decode()

    checked = timezone.localdate() - timedelta(days=2)
    saved = client.post(
        new, form(assured_date=checked.isoformat(), assured_from="https://carers.example/about")
    )
    assert saved.status_code == 302
    signpost = Signpost.objects.get(organisation=organisation_a)
    assert signpost.assured_date == checked
    assert signpost.assured_by == coordinator_a.get_full_name()  # who vouched for it
    assert signpost.assured_from == "https://carers.example/about"


def test_an_entry_to_check_needs_no_date_and_is_not_shown(client, organisation_a, coordinator_a):
    sign_in(client, coordinator_a)
    saved = client.post(reverse("resources-staff:signpost-new"), form(status="to_check"))
    assert saved.status_code == 302
    assert not Signpost.objects.get(organisation=organisation_a).is_shareable


def test_the_database_refuses_an_active_entry_nobody_checked():
    with pytest.raises(IntegrityError):
        Signpost.objects.create(
            key="unchecked", provider="P", name="N", description="D", phone="0800 000 000"
        )


def test_an_import_keeps_unchecked_entries_but_hides_them(client, organisation_a, coordinator_a):
    sign_in(client, coordinator_a)
    text = (
        HEADER
        + "checked,Town,Checked one,Helps.,01632 960000,active,2026-11-02,Sam Checker\n"
        + "unchecked,Town,Unchecked one,Helps.,01632 960001,active,,\n"
    )
    response = upload(client, text)
    assert response.status_code == 302
    told = client.get(response.url).content.decode()
    assert "1 had no date of checking, so families will not see them" in told
    checked = Signpost.objects.get(key="checked")
    assert checked.is_shareable
    assert (checked.assured_date, checked.assured_by) == (date(2026, 11, 2), "Sam Checker")
    unchecked = Signpost.objects.get(key="unchecked")
    assert unchecked.status == Signpost.Status.TO_CHECK and not unchecked.is_shareable
    assert "No date of checking in the file" in unchecked.check_note


def test_exports_carry_the_check_and_round_trip(organisation_a, coordinator_a):
    services.signpost_save(
        organisation=organisation_a,
        key="ours",
        values={**form(), "assured_date": date(2026, 10, 1), "assured_from": "https://x.example"},
        actor=coordinator_a,
    )
    signposts = Signpost.objects.filter(organisation=organisation_a)
    for parse, text in (
        (directory.parse_csv, directory.export_csv(signposts)),
        (directory.parse_json, directory.export_json(signposts)),
    ):
        [row] = parse(text).rows
        assert row["assured_date"] == date(2026, 10, 1)
        assert row["assured_by"] == coordinator_a.get_full_name()
        assert row["assured_from"] == "https://x.example"


def test_families_see_when_details_were_checked(client, library):
    samaritans = Signpost.objects.get(key="samaritans")
    page = client.get(reverse("resources:signpost", kwargs={"signpost_id": samaritans.pk}))
    assert f"Details checked {samaritans.assured_date:%-d %B %Y}" in page.content.decode()


def test_every_shipped_entry_shown_to_families_says_who_checked_it_and_where(library):
    for signpost in Signpost.objects.shared().filter(status=Signpost.Status.ACTIVE):
        assert signpost.assured_date and signpost.assured_by, signpost.key
        assert signpost.assured_from.startswith(("https://", "http://")), signpost.key


def test_entries_not_checked_for_a_year_are_listed_and_in_the_monday_digest(
    client, organisation_a, coordinator_a
):
    for key, name, checked in (
        ("stale", "Carers' drop-in & café", date(2025, 11, 1)),
        ("fresh", "Fresh", date(2026, 11, 1)),
    ):
        services.signpost_save(
            organisation=organisation_a,
            key=key,
            values={**form(name=name), "assured_date": checked},
            actor=coordinator_a,
        )
    # A stale national entry is for the portal team: on the page, not in the email.
    services.signpost_save(
        organisation=None,
        key="national-stale",
        values={**form(name="National helpline"), "assured_date": date(2025, 10, 1)},
        actor=None,
    )
    with time_machine.travel(datetime(2026, 12, 7, 8, tzinfo=LONDON)):  # a Monday
        sign_in(client, coordinator_a)
        page = client.get(reverse("resources-staff:review-due")).content.decode()
        assert "Carers&#x27; drop-in &amp; café" in page and "1 Nov 2025" in page
        assert "National helpline" in page and "Fresh" not in page
        assert review_due_digests_queue() == 1
        deliver_all()
    [message] = mail.outbox
    assert message.subject == "1 directory entry to check again"
    # Plain text says what the coordinator typed, not HTML entities.
    assert "Carers' drop-in & café (last checked 1 November 2025)" in message.body
    assert "Fresh" not in message.body and "National helpline" not in message.body
    assert not message.body.startswith("Hello,\n\n\n")


def test_a_digest_with_guides_and_entries_says_both_in_its_subject(organisation_a, coordinator_a):
    from tests.resources.factories import make_resource

    make_resource(organisation_a, actor=coordinator_a, review_by=date(2026, 11, 1))
    for number in range(2):
        services.signpost_save(
            organisation=organisation_a,
            key=f"old-{number}",
            values={**form(name=f"Old {number}"), "assured_date": date(2025, 1, 1)},
            actor=coordinator_a,
        )
    with time_machine.travel(datetime(2026, 12, 7, 8, tzinfo=LONDON)):
        assert review_due_digests_queue() == 1
        deliver_all()
    [message] = mail.outbox
    assert message.subject == "1 guide due for review and 2 directory entries to check"


def test_reimporting_an_export_made_before_the_check_columns_keeps_the_checks(
    client, organisation_a, coordinator_a
):
    services.signpost_save(
        organisation=organisation_a,
        key="town",
        values={
            **form(),
            "assured_date": date(2026, 11, 1),
            "assured_from": "https://town.example/about",
        },
        actor=coordinator_a,
    )
    sign_in(client, coordinator_a)
    old_layout = (
        "id,organization_name,name,description,phone,status\n"
        "town,Town,Carers' drop-in,A new description.,01632 960000,active\n"
    )
    response = upload(client, old_layout)
    assert response.status_code == 302
    assert "no date of checking" not in client.get(response.url).content.decode()
    signpost = Signpost.objects.get(key="town")
    assert signpost.description == "A new description."
    assert signpost.is_shareable
    assert signpost.assured_date == date(2026, 11, 1)
    assert signpost.assured_from == "https://town.example/about"


def test_a_files_problems_name_its_columns(client, organisation_a, coordinator_a):
    sign_in(client, coordinator_a)
    text = HEADER + "bad,Town,Bad date,Helps.,01632 960000,active,the other day,\n"
    response = upload(client, text)
    assert response.status_code == 400
    assert "Line 2: assured_date: Enter a real date, like 2026-11-28." in (
        response.content.decode()
    )
