"""The specialist review's corrections and additions are in the shipped library, each beside
its source. Each row names the guide, what it must now say (a pattern over the words a
reader reads), and the source it must cite."""

import re

import pytest

from resources.library import read_library
from resources.readability import plain_text

GUIDES = {guide.slug: guide.content.body for guide in read_library()[1]}
SIGNPOSTS = {row["key"]: row for row in read_library()[0]}

LEGISLATION = "https://www.legislation.gov.uk/"
CODE_C = "https://www.gov.uk/government/publications/pace-code-c-2023"

CORRECTIONS = [
    # 1. Breaking pre-charge bail conditions is not itself an offence.
    ("police-bail", r"not a crime in itself", LEGISLATION + "ukpga/1984/60/section/46A"),
    # 2. Charge brings a new bail decision; a postal requisition brings no conditions.
    ("police-bail", r"postal requisition|by post", LEGISLATION + "ukpga/1984/60/section/38"),
    ("charge-and-court", r"custody officer", LEGISLATION + "ukpga/1984/60/section/38"),
    # 3. Visits are at the custody officer's discretion; the appropriate adult.
    ("custody-interview-and-legal-advice", r"visits are up to", CODE_C),
    ("custody-interview-and-legal-advice", r"appropriate adult", CODE_C),
    ("the-road-ahead", r"appropriate adult", CODE_C),
    # 4. Cautions: notification for two years, and never filtered for adults.
    ("cautions", r"two years|2 years", LEGISLATION + "ukpga/2003/42/section/82"),
    ("charge-and-court", r"caution", LEGISLATION + "ukpga/2003/42/section/82"),
    ("custody-interview-and-legal-advice", r"caution", ""),
    # 5. No further action: evidence or public interest; can reopen; enhanced checks.
    ("charge-and-court", r"public interest", "https://www.cps.gov.uk/"),
    ("charge-and-court", r"new evidence", "https://www.cps.gov.uk/"),
    ("charge-and-court", r"enhanced", LEGISLATION + "ukpga/1997/50/section/113B"),
    # 6. Passwords: an offence only once a written section 49 notice is served.
    ("devices-and-getting-them-back", r"section 49", LEGISLATION + "ukpga/2000/23/section/49"),
    (
        "devices-and-getting-them-back",
        r"5 years|five years",
        LEGISLATION + "ukpga/2000/23/section/53",
    ),
    # 7. Devices with indecent images are usually forfeited, family photos with them.
    ("devices-and-getting-them-back", r"forfeit", LEGISLATION + "ukpga/1978/37"),
    ("devices-and-getting-them-back", r"photos", ""),
    # 8. Officers must show the warrant and give the occupier a copy.
    ("the-day-of-the-search", r"copy of the warrant", LEGISLATION + "ukpga/1984/60/section/16"),
    # 9. A sexual harm prevention order can require things, not only forbid them.
    (
        "sentence-orders-and-the-register",
        r"make the person do things|require",
        LEGISLATION + "ukpga/2022/32",
    ),
    # 10. Notification periods, the 12-hour household rule, and MAPPA.
    ("sentence-orders-and-the-register", r"12 hours", LEGISLATION + "ukpga/2003/42/section/82"),
    ("sentence-orders-and-the-register", r"new partner", "https://www.gov.uk/"),
    # 11. Disqualification by association still applies to home-based childcare.
    ("money-home-and-work", r"Ofsted", LEGISLATION),
    ("money-home-and-work", r"Care Inspectorate Wales", ""),
]

SUICIDE_RISK_GUIDES = [
    "custody-interview-and-legal-advice",
    "police-bail",
    "charge-and-court",
    "sentence-orders-and-the-register",
    "if-you-are-worried-they-might-harm-themselves",
]

NEW_TOPICS = [
    "cautions",
    "sentencing-what-to-expect",
    "press-and-social-media-attention",
    "criminal-record-checks",
    "if-the-person-is-under-18",
    "family-court-and-child-arrangements",
    "benefits-and-money-changes",
    "if-you-live-in-wales",
    "social-services-step-by-step",
    "if-you-are-worried-they-might-harm-themselves",
]


def sources_of(body: str) -> list[str]:
    return re.findall(r"^\[\^[^\]]+\]:\s*\[[^\]]+\]\((https://[^)]+)\)", body, re.MULTILINE)


@pytest.mark.parametrize(("slug", "says", "source"), CORRECTIONS)
def test_each_correction_is_in_the_guide_with_its_source(slug, says, source):
    body = GUIDES[slug]
    assert re.search(says, plain_text(body), re.IGNORECASE), f"{slug} does not say {says!r}"
    assert any(url.startswith(source) for url in sources_of(body)), f"{slug}: no {source}"


@pytest.mark.parametrize("slug", SUICIDE_RISK_GUIDES)
def test_the_guides_at_the_riskiest_moments_say_what_to_do_if_a_life_is_at_risk(slug):
    # Risk is highest in the first 48 hours, and again at charge, court and sentence.
    text = plain_text(GUIDES[slug])
    assert "risk of suicide" in text.lower()
    assert "999" in text and "116 123" in text  # Samaritans
    assert re.search(r"not (responsible|on your own|alone)", text, re.IGNORECASE), slug


@pytest.mark.parametrize("slug", NEW_TOPICS)
def test_each_new_topic_has_a_guide_with_sources(slug):
    assert len(sources_of(GUIDES[slug])) >= 2, slug


def test_every_shipped_guide_records_its_sources():
    for slug, body in GUIDES.items():
        assert sources_of(body), f"{slug} has no sources"


def test_the_press_guide_names_the_editors_code_on_relatives_and_victims_anonymity():
    body = GUIDES["press-and-social-media-attention"]
    text = plain_text(body)
    assert "Independent Press Standards Organisation (IPSO)" in text
    assert re.search(r"relatives|family", text, re.IGNORECASE)
    assert any(url.startswith(LEGISLATION + "ukpga/1992/34") for url in sources_of(body))


def test_the_social_services_guide_walks_through_each_step_and_the_familys_rights():
    text = plain_text(GUIDES["social-services-step-by-step"]).lower()
    for step in ("strategy discussion", "section 47", "conference", "plan", "family rights group"):
        assert step in text, step


def test_no_guide_assumes_the_person_is_dad():
    for slug, body in GUIDES.items():
        assert not re.search(r"\bdad\b", plain_text(body), re.IGNORECASE), slug


def test_stop_it_now_is_for_the_person_and_their_family_too():
    stop_it_now = SIGNPOSTS["stop-it-now"]
    words = f"{stop_it_now['description']} {stop_it_now['eligibility']}".lower()
    assert "own" in words and "family" in words


@pytest.mark.parametrize("slug", ["custody-interview-and-legal-advice", "police-bail"])
def test_the_first_days_guides_say_risk_is_highest_in_the_first_48_hours(slug):
    assert "48 hours" in plain_text(GUIDES[slug])
