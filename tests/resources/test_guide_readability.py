"""Every shipped guide reads at an age of 11 or under and spells out its abbreviations."""

import pytest
from django.urls import reverse

from resources.library import read_library
from resources.readability import (
    MAXIMUM_READING_AGE,
    plain_text,
    reading_age,
    unexplained_jargon,
)
from tests.conftest import sign_in
from tests.resources.factories import make_resource

SHIPPED = read_library()[1]


@pytest.mark.parametrize("guide", SHIPPED, ids=lambda guide: guide.slug)
def test_every_shipped_guide_reads_at_eleven_or_under(guide):
    age = reading_age(guide.content.body)
    assert 0 < age <= MAXIMUM_READING_AGE, f"{guide.slug} reads at {age}"


@pytest.mark.parametrize("guide", SHIPPED, ids=lambda guide: guide.slug)
def test_every_shipped_guide_spells_out_its_abbreviations(guide):
    assert unexplained_jargon(guide.content.body) == [], guide.slug


def test_list_items_and_headings_are_sentences_and_sources_are_not_read():
    text = plain_text(
        "## Bail\n\nIt may say:\n\n- where they live;\n- who they see\n\n"
        "A rule.[^a]\n\n[^a]: [Police and Criminal Evidence Act 1984](https://www.legislation.gov.uk/ukpga/1984/60)"
    )
    assert text.splitlines() == [
        "Bail.",
        "It may say:",
        "where they live.",
        "who they see.",
        "A rule.",
    ]


def test_hard_text_reads_older_than_plain_text():
    plain = "The police may keep the phone. They will look at it. It can take a long time."
    hard = (
        "Notwithstanding the aforementioned considerations, investigative authorities "
        "consequently retain electronic communications apparatus indefinitely pending "
        "comprehensive forensic examination and prosecutorial determination."
    )
    assert reading_age(plain) <= MAXIMUM_READING_AGE < reading_age(hard)


def test_an_abbreviation_must_be_spelt_out_before_it_is_used():
    assert [t.term for t in unexplained_jargon("The CPS decides.")] == ["CPS"]
    assert unexplained_jargon("The Crown Prosecution Service (CPS) decides. The CPS may.") == []
    late = "The CPS decides. The Crown Prosecution Service is a lawyer."
    assert [t.term for t in unexplained_jargon(late)] == ["CPS"]
    # Spelt out in brackets where it is first used is as good.
    assert unexplained_jargon("The CPS (Crown Prosecution Service) decides.") == []
    # Words that merely contain the letters are not the abbreviation.
    assert unexplained_jargon("Pace yourself, and keep the peace.") == []


@pytest.mark.django_db
def test_a_coordinator_sees_the_reading_age_and_jargon_of_their_guide(
    client, organisation_a, coordinator_a
):
    resource = make_resource(
        organisation_a,
        actor=coordinator_a,
        body=(
            "Notwithstanding the aforementioned considerations, the SHPO consequently "
            "necessitates comprehensive compliance."
        ),
    )
    sign_in(client, coordinator_a)
    page = client.get(
        reverse("resources-staff:resource-detail", kwargs={"resource_id": resource.pk})
    ).content.decode()
    assert f"Harder than {MAXIMUM_READING_AGE}" in page
    assert "SHPO is used before it is spelt out (sexual harm prevention order)" in page
