"""A family on a phone walks from the home page to a guide, sees when it was last checked,
follows a source beside a statement to the list of sources and back, and reads that it is
not legal advice. axe-core checks each page of the walk."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.helpers import PHONE, keep_screenshot, no_sideways_scrolling, no_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_the_home_page_to_a_guides_sources_on_a_phone(axe_page, live_server):
    from resources.library import load_library
    from resources.models import Resource

    load_library()
    bail = Resource.objects.get(slug="police-bail")
    page = axe_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("public:home"))

    page.get_by_role("link", name="Written guides").click()
    page.wait_for_url("**/information/")
    no_violations(page)
    page.get_by_role("link", name=bail.title).click()
    page.wait_for_url(f"**/information/read/{bail.slug}/")
    no_sideways_scrolling(page)
    no_violations(page)
    assert page.get_by_text(f"Last checked {bail.last_checked:%-d %B %Y}").is_visible()
    assert page.get_by_text("This is general information, not legal advice.").is_visible()

    # The first source beside a statement leads to its entry in the sources list...
    page.get_by_role("link", name="Source 1", exact=True).first.click()
    assert page.url.endswith("#source-1")
    entry = page.locator("#source-1")
    assert entry.is_visible()
    assert entry.get_by_role("link").first.get_attribute("href").startswith("https://")
    assert page.get_by_role("heading", name="Where this information comes from").is_visible()
    keep_screenshot(page, "guide-sources-375")

    # ...and back to where it was used.
    entry.get_by_role("link", name="Back to the text").click()
    assert page.url.endswith("#source-ref-1")
    assert page.locator("#source-ref-1").is_visible()
