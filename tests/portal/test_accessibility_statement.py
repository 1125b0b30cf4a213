"""The accessibility statement: who runs the site, how accessible it is and what is not,
how to report a problem (as the privacy notice does: each service's own contact details),
the enforcement procedure and its dates; linked from the footer of every public page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.portal.test_url_protection import URLS
from tests.portal.test_way_in import family_pages, public_objects  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

FOOTER_LINK = f'<a href="{reverse("public:accessibility")}">Accessibility</a>'


@pytest.fixture
def services(organisation_a, organisation_b):
    organisation_a.contact_phone = "+448081570192"
    organisation_a.contact_email = "support@northbridge.example"
    organisation_a.contact_opening_hours = "Monday to Friday, 9am to 5pm"
    organisation_a.save()
    return organisation_a, organisation_b


@pytest.fixture
def statement(client, services):
    response = client.get(reverse("public:accessibility"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_says_who_runs_the_site_as_the_privacy_notice_names_them(statement, services):
    first, second = services
    assert f"This website is run by {first.name} and {second.name}." in statement
    for organisation in services:
        notice = reverse("public:privacy-notice", kwargs={"slug": organisation.slug})
        assert f'href="{notice}"' in statement
        assert f"How {organisation.name} looks after your information" in statement


def test_it_gives_each_services_own_contact_details_to_report_a_problem(statement):
    contact = statement.split('id="contact"')[1].split("<h2")[0]
    assert 'href="tel:+448081570192"' in contact and "0808 157 0192" in contact
    assert 'href="mailto:support@northbridge.example"' in contact
    assert "Monday to Friday, 9am to 5pm" in contact


def test_it_says_how_accessible_the_site_is_and_what_is_not(statement):
    assert "WCAG" in statement and "2.2" in statement and "level AA" in statement
    assert "partially compliant" in statement
    assert "400%" in statement and "320 pixels" in statement
    assert "axe-core" in statement and "real browser" in statement
    assert "JavaScript turned off" in statement
    assert "Exit this page" in statement and "Tab key" in statement
    # Known limits, honestly.
    for limit in ("2.2.1", "1.3.5", "1.3.1", "PDF", "screen reader"):
        assert limit in statement, limit


def test_it_names_the_enforcement_procedure_and_its_dates(statement):
    assert "Equality and Human Rights Commission" in statement
    assert "Equality Advisory and Support Service (EASS)" in statement
    assert 'href="tel:08088000082"' in statement
    assert "prepared on 3 December 2026" in statement
    assert "last reviewed on 3 December 2026" in statement


def test_it_reads_well_with_no_service_set_up_yet(client):
    page = client.get(reverse("public:accessibility")).content.decode()
    assert "This website is run by the charities that use it." in page


def test_the_pdf_limit_is_still_true():
    """The statement says a pack's PDF is not tagged: WeasyPrint is not asked for tags."""
    import inspect

    from resources import pdf

    source = inspect.getsource(pdf.render_pdf)
    assert "pdf_tags" not in source and "pdf/ua" not in source.lower()


@pytest.mark.parametrize("name", family_pages())
def test_every_public_page_links_the_statement_in_its_footer(client, name, public_objects):  # noqa: F811
    url = dict(URLS)[name]
    if name in public_objects:
        url = reverse(name, kwargs=public_objects[name])
    content = client.get(url, follow=True).content.decode()
    footer = content.split('<footer class="footer">')[1]
    assert FOOTER_LINK in footer, f"{name} ({url})"
