"""The information pages and a person's pack in a real browser: axe-core, and no sideways
scrolling at a phone's 320px width."""

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, format_violations

pytestmark = pytest.mark.django_db(transaction=True)


def check(page, url):
    for width, height in ((1280, 900), (320, 640)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        violations = axe_violations(page)
        assert violations == [], f"{url} at {width}px:\n{format_violations(violations)}"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{url} scrolls sideways at {width}px ({scroll_width}px)"


def test_information_pages_and_a_pack_are_accessible_on_a_phone(
    axe_page,
    live_server,
    organisation_a,
    caseworker_a,
):
    from resources import services
    from resources.library import load_library
    from resources.models import Resource, Signpost
    from tests.referrals.factories import make_referral

    load_library()
    resources = list(Resource.objects.filter(slug__in=["police-bail", "looking-after-yourself"]))
    referral = make_referral(organisation_a, safe_channels=["email"])
    _, token = services.pack_send(
        referral=referral, pack=None, resources=resources, actor=caseworker_a
    )
    signpost = Signpost.objects.get(key="stop-it-now")
    for path in (
        reverse("resources:index"),
        reverse("resources:resource", kwargs={"slug": "police-bail"}),
        reverse("resources:directory"),
        reverse("resources:signpost", kwargs={"signpost_id": signpost.pk}),
        services.pack_url(token),
        services.pack_url("an-unknown-link"),
    ):
        check(axe_page, live_server.url + path)


def test_sending_a_pack_is_accessible(
    axe_page,
    live_server,
    organisation_a,
    caseworker_a,
):
    from resources.library import load_library
    from resources.models import Delivery
    from tests.browser.helpers import sign_in_through_browser
    from tests.referrals.factories import make_referral

    load_library()
    referral = make_referral(organisation_a, safe_channels=["email", "post"])
    sign_in_through_browser(axe_page, live_server, caseworker_a)
    send = live_server.url + reverse(
        "resources-staff:pack-send", kwargs={"referral_id": referral.pk}
    )
    check(axe_page, send)
    axe_page.set_viewport_size({"width": 1280, "height": 900})
    axe_page.goto(send)
    axe_page.click("button[value=preview]")
    axe_page.wait_for_selector("text=Check before sending")
    assert axe_violations(axe_page) == []
    axe_page.click("button[value=send]")
    axe_page.wait_for_selector("text=Exactly what was sent")
    assert axe_violations(axe_page) == []
    assert Delivery.objects.filter(referral=referral).count() == 1
