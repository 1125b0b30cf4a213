"""The suggested pack for a referral: from its stage, the relationship and children at home."""

import pytest

from resources.models import Pack
from resources.selectors import pack_suggestion
from resources.services import pack_save
from tests.referrals.factories import make_referral
from tests.resources.factories import make_resource

pytestmark = pytest.mark.django_db


def slugs(suggestion):
    return [resource.slug for resource in suggestion.resources]


def test_a_partner_on_bail_with_children_at_home(library, organisation_a):
    referral = make_referral(
        organisation_a, relationship="partner", stage="on_bail", children_in_household="yes"
    )
    suggestion = pack_suggestion(referral=referral)
    assert suggestion.pack.title == "Waiting for a decision"
    # The pack now has cautions after the two bail guides, and benefits beside money.
    assert slugs(suggestion)[:3] == [
        "police-bail",
        "released-under-investigation",
        "cautions",
    ]
    assert slugs(suggestion).count("money-home-and-work") == 1
    assert "children-social-services-and-safeguarding" in slugs(suggestion)
    assert "talking-with-children" in slugs(suggestion)
    assert slugs(suggestion)[-1] == "looking-after-yourself"
    assert any("children in the household" in reason for reason in suggestion.reasons)


def test_a_friend_just_after_the_search_with_no_children(library, organisation_a):
    referral = make_referral(
        organisation_a,
        relationship="friend",
        stage="searched_or_arrested",
        children_in_household="no",
    )
    suggestion = pack_suggestion(referral=referral)
    assert suggestion.pack.key == "just-had-the-knock"
    assert slugs(suggestion) == [
        "the-day-of-the-search",
        "devices-and-getting-them-back",
        "custody-interview-and-legal-advice",
        "if-you-are-worried-they-might-harm-themselves",  # risk is highest in the first 48 hours
        "looking-after-yourself",
    ]


def test_a_parent_after_sentence_with_children_at_home(library, organisation_a):
    referral = make_referral(
        organisation_a,
        relationship="parent",
        stage="sentenced_or_order",
        children_in_household="yes",
    )
    suggestion = pack_suggestion(referral=referral)
    assert suggestion.pack.title == "After sentence"
    assert slugs(suggestion)[0] == "sentence-orders-and-the-register"
    assert "children-social-services-and-safeguarding" in slugs(suggestion)
    assert "money-home-and-work" not in slugs(suggestion)  # only added for partners
    assert slugs(suggestion)[-1] == "looking-after-yourself"


def test_a_partner_facing_court_gets_money_and_home_once(library, organisation_a):
    referral = make_referral(
        organisation_a,
        relationship="partner",
        stage="charged_or_awaiting_court",
        children_in_household="no",
    )
    suggestion = pack_suggestion(referral=referral)
    assert slugs(suggestion) == [
        "charge-and-court",
        "sentencing-what-to-expect",
        "if-you-are-worried-they-might-harm-themselves",
        "press-and-social-media-attention",
        "money-home-and-work",
        "looking-after-yourself",
    ]


def test_someone_who_is_not_sure_of_the_stage(library, organisation_a):
    referral = make_referral(
        organisation_a,
        relationship="sibling",
        stage="not_sure",
        children_in_household="prefer_not_to_say",
    )
    suggestion = pack_suggestion(referral=referral)
    assert suggestion.pack.title == "Where to start"
    assert slugs(suggestion) == [
        "the-road-ahead",
        "if-you-are-worried-they-might-harm-themselves",
        "looking-after-yourself",
    ]


def test_an_organisations_own_default_pack_comes_first(library, organisation_a, organisation_b):
    own = make_resource(organisation_a, slug="our-bail-guide", stages=("waiting",))
    coordinator = own.versions.get().changed_by
    pack_save(
        organisation=organisation_a,
        key="ours",
        title="Our waiting pack",
        purpose="Ours",
        default_for=["on_bail"],
        resources=[own],
        actor=coordinator,
    )
    mine = pack_suggestion(referral=make_referral(organisation_a, stage="on_bail"))
    theirs = pack_suggestion(referral=make_referral(organisation_b, stage="on_bail"))
    assert mine.pack.title == "Our waiting pack" and slugs(mine)[0] == "our-bail-guide"
    assert theirs.pack.title == "Waiting for a decision"
    assert "our-bail-guide" not in slugs(theirs)


def test_without_a_pack_for_the_stage_the_resources_about_it_are_chosen(library, organisation_a):
    Pack.objects.filter(key="charge-and-court").delete()
    referral = make_referral(
        organisation_a, relationship="parent", stage="charged_or_awaiting_court"
    )
    suggestion = pack_suggestion(referral=referral)
    assert suggestion.pack is None
    assert "charge-and-court" in slugs(suggestion)
    assert slugs(suggestion)[-1] == "looking-after-yourself"


def test_drafts_are_never_suggested(library, organisation_a):
    from resources.models import Resource

    Resource.objects.filter(slug="police-bail").update(status="draft")
    referral = make_referral(organisation_a, stage="on_bail")
    assert "police-bail" not in slugs(pack_suggestion(referral=referral))
