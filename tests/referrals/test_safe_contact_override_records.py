"""What is kept of an override, and for how long: a subject access export lists each one
with its reason (which a coordinator may withhold, like a note, when it names someone
else); erasing the person erases them; anonymising a referral at the end of its
retention removes them."""

from __future__ import annotations

import pytest

from referrals.anonymisation import referrals_anonymise
from referrals.erasure import person_erase
from referrals.models import SafeContactOverride
from referrals.services import contact_attempt_record
from referrals.subject_access import WITHHELD, free_text_items, sar_export
from tests.crypto.test_personal_data_at_rest import canaries_in_the_database
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

REASON = "Canaryoverride: her sister Jo said it was fine to ring"


@pytest.fixture
def overridden(organisation_a, caseworker_a):
    referral = make_referral(organisation_a)  # safe to email only
    contact_attempt_record(
        referral=referral,
        channel="call",
        outcome="reached",
        note="",
        actor=caseworker_a,
        override_reason=REASON,
    )
    return referral


def test_the_export_lists_overrides_with_their_reasons_in_the_persons_words(overridden):
    (item,) = sar_export(referral=overridden)["safe_contact_overrides"]
    assert item["what"] == (
        "Logged a contact attempt: by phone call, which you had not said was safe."
    )
    assert item["reason"] == REASON and item["when"]


def test_a_reason_naming_someone_else_can_be_withheld(overridden):
    override = SafeContactOverride.objects.get()
    key = f"override-{override.pk}"
    assert (key, REASON) in [(item.key, item.text) for item in free_text_items(referral=overridden)]
    (item,) = sar_export(referral=overridden, withheld=[key])["safe_contact_overrides"]
    assert item["reason"] == WITHHELD


def test_erasing_the_person_erases_their_overrides(overridden, coordinator_a):
    person_erase(referral=overridden, actor=coordinator_a)
    assert not SafeContactOverride.objects.exists()
    assert canaries_in_the_database({"reason": "Canaryoverride"}) == []


def test_anonymising_a_referral_removes_its_overrides(overridden, organisation_a, caseworker_a):
    kept = make_referral(organisation_a)
    contact_attempt_record(
        referral=kept,
        channel="post",
        outcome="sent",
        note="",
        actor=caseworker_a,
        override_reason="Someone else's, kept",
    )
    assert referrals_anonymise(referral_ids=[overridden.pk]) == 1
    assert list(SafeContactOverride.objects.values_list("referral_id", flat=True)) == [kept.pk]
    assert canaries_in_the_database({"reason": "Canaryoverride"}) == []
