"""A pack's title may name the person ("Information for Sam"): it is encrypted at rest,
and the migration that encrypted the titles already stored can be undone."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from resources.models import Delivery
from tests.referrals.factories import make_referral

TITLE = "Information for Canarysam"
ENCRYPTED = ("resources", "0002_delivery_title_encrypted")
PLAIN = ("resources", "0001_initial")


def stored_titles() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM resources_delivery")
        return [title for (title,) in cursor.fetchall()]


def migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db
def test_a_title_naming_the_person_is_not_stored_in_plain_text(organisation_a, caseworker_a):
    delivery = Delivery.objects.create(
        organisation=organisation_a,
        referral=make_referral(organisation_a),
        title=TITLE,
        token_hash="1" * 64,
        expires_at=timezone.now() + timedelta(days=7),
        sent_by=caseworker_a,
    )
    assert "Canarysam" not in " ".join(stored_titles())
    delivery.refresh_from_db()
    assert delivery.title == TITLE


@pytest.mark.django_db(transaction=True)
def test_titles_stored_before_are_encrypted_and_the_migration_can_be_undone(
    organisation_a, caseworker_a
):
    Delivery.objects.create(
        organisation=organisation_a,
        referral=make_referral(organisation_a),
        title=TITLE,
        token_hash="2" * 64,
        expires_at=timezone.now() + timedelta(days=7),
        sent_by=caseworker_a,
    )
    try:
        migrate(PLAIN)
        assert stored_titles() == [TITLE]  # undone: plain text again, as before

        migrate(ENCRYPTED)
        assert "Canarysam" not in " ".join(stored_titles())
        assert Delivery.objects.get().title == TITLE
    finally:
        # Back to the newest migration, not just ENCRYPTED: later tests need every column.
        migrate_to_latest()


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
