"""What a family sees at the top of a pack is neutral unless staff write another title:
"Information for you", whatever the pack. A pack's own title says what it is about (the
library's packs are for the days after a search, custody, bail, court), and the pack is
read on a screen someone else may see, or printed."""

import pytest
from django.urls import reverse

from resources import services
from resources.models import Delivery, Pack
from resources.selectors import pack_suggestion
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

NEUTRAL = "Information for you"


@pytest.mark.parametrize(
    "stage",
    [
        "searched_or_arrested",
        "in_custody",
        "on_bail",
        "charged_or_awaiting_court",
        "sentenced_or_order",
        "not_sure",
    ],
)
def test_the_send_page_offers_a_neutral_title_whatever_pack_is_suggested(
    client, library, organisation_a, caseworker_a, stage
):
    referral = make_referral(organisation_a, stage=stage)
    suggested = pack_suggestion(referral=referral).pack
    assert suggested is not None and suggested.title != NEUTRAL
    sign_in(client, caseworker_a)
    page = client.get(reverse("resources-staff:pack-send", kwargs={"referral_id": referral.pk}))
    assert page.status_code == 200
    assert page.context["form"]["title"].value() == NEUTRAL
    assert f'value="{NEUTRAL}"' in page.content.decode()


def test_a_pack_sent_without_a_title_is_titled_neutrally(library, organisation_a, caseworker_a):
    referral = make_referral(organisation_a, stage="searched_or_arrested")
    suggestion = pack_suggestion(referral=referral)
    delivery, _ = services.pack_send(
        referral=referral, pack=suggestion.pack, resources=suggestion.resources, actor=caseworker_a
    )
    assert Delivery.objects.get(pk=delivery.pk).title == NEUTRAL


def test_the_library_and_the_demo_have_no_pack_called_just_had_the_knock(library):
    """The demo loads the shipped library; its first-days pack has a plain name."""
    titles = set(Pack.objects.shared().values_list("title", flat=True))
    assert "Just had the knock" not in titles
    assert Pack.objects.shared().get(key="just-had-the-knock").title == "The first few days"
