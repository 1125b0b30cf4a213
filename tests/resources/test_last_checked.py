"""A guide says when it was last checked; review falls due a year later, out of readers' sight;
reloading the library makes new versions and a pack already sent keeps what it had."""

import shutil
from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from resources import library as library_module
from resources import services
from resources.library import LibraryError, load_library
from resources.models import Resource
from resources.selectors import delivery_shown
from tests.conftest import sign_in
from tests.referrals.factories import make_referral
from tests.resources.factories import content, make_resource

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("checked", "due"),
    [
        (date(2026, 12, 3), date(2027, 12, 3)),
        (date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_review_falls_due_a_year_after_the_guide_was_last_checked(checked, due):
    assert services.review_due(checked) == due
    assert content(last_checked=checked).review_by == due


def test_readers_see_when_a_guide_was_checked_and_that_it_is_not_legal_advice(client):
    make_resource(None, slug="bail", title="Bail", last_checked=date(2026, 12, 3))
    page = client.get(reverse("resources:resource", kwargs={"slug": "bail"})).content.decode()
    assert "Last checked 3 December 2026" in page
    assert "This is general information, not legal advice." in page
    assert "www.gov.uk/civil-legal-advice" in page
    assert "3 December 2027" not in page and "Review" not in page  # staff-only


def test_the_database_keeps_review_after_the_last_check():
    resource = make_resource(None, slug="bail")
    with pytest.raises(IntegrityError):
        Resource.objects.filter(pk=resource.pk).update(review_by=resource.last_checked)


def test_a_coordinator_records_the_check_and_cannot_date_it_in_the_future(
    client, organisation_a, coordinator_a
):
    resource = make_resource(organisation_a, actor=coordinator_a, last_checked=date(2025, 1, 10))
    sign_in(client, coordinator_a)
    edit = reverse("resources-staff:resource-edit", kwargs={"resource_id": resource.pk})
    form = {
        "title": resource.title,
        "summary": resource.summary,
        "body": resource.body,
        "stages": resource.stages,
        "audiences": resource.audiences,
        "status": resource.status,
        "change_note": "Checked against the Act",
    }
    tomorrow = timezone.localdate() + timedelta(days=1)
    refused = client.post(edit, {**form, "last_checked": tomorrow.isoformat()})
    assert refused.status_code == 400
    assert "cannot be in the future" in refused.content.decode()

    today = timezone.localdate()
    assert client.post(edit, {**form, "last_checked": today.isoformat()}).status_code == 302
    resource.refresh_from_db()
    assert resource.last_checked == today
    assert resource.review_by == services.review_due(today)
    assert resource.versions.first().changed_fields == ["last_checked", "review_by"]


def test_the_library_files_give_last_checked_not_a_review_date(tmp_path):
    shutil.copytree(library_module.LIBRARY, tmp_path / "library")
    path = sorted((tmp_path / "library" / "resources").glob("*.md"))[0]
    text = path.read_text()
    path.write_text(text.replace("last_checked:", "review_by:", 1))
    with pytest.raises(LibraryError, match="last_checked"):
        load_library(root=tmp_path / "library")


def test_reloading_the_library_makes_new_versions_and_sent_packs_keep_theirs(
    tmp_path, organisation_a, caseworker_a
):
    shutil.copytree(library_module.LIBRARY, tmp_path / "library")
    root = tmp_path / "library"
    load_library(root=root)
    guide = Resource.objects.get(slug="police-bail")
    referral = make_referral(organisation_a, safe_channels=["email"])
    delivery, _ = services.pack_send(
        referral=referral, pack=None, resources=[guide], actor=caseworker_a, title="For you"
    )
    before = delivery_shown(delivery=delivery)[0]

    path = next((root / "resources").glob("07-*.md"))
    text = path.read_text()
    old_date = guide.last_checked.isoformat()
    path.write_text(
        text.replace(f"last_checked: {old_date}", "last_checked: 2026-12-20", 1)
        + "\nA sentence added after a new check.\n"
    )
    counts = load_library(root=root)
    assert counts["resources_changed"] == 1
    guide.refresh_from_db()
    assert guide.version == 2 and guide.last_checked == date(2026, 12, 20)
    assert "A sentence added after a new check." in guide.body

    after = delivery_shown(delivery=delivery)[0]
    assert after.last_checked == before.last_checked == date.fromisoformat(old_date)
    assert "A sentence added after a new check." not in after.html
    assert after.html == before.html
