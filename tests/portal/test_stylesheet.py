"""The built stylesheet comes from GOV.UK Frontend without GOV.UK's typeface or branding,
and loads nothing from anywhere else."""

import re
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "portal.css"


def test_the_stylesheet_is_built_from_the_design_system():
    css = STYLESHEET.read_text()
    assert ".govuk-button" in css and ".button" in css
    assert ".govuk-summary-list__key" in css


def test_no_web_fonts_no_gov_uk_branding_and_nothing_from_another_site():
    css = STYLESHEET.read_text()
    assert "@font-face" not in css
    assert "GDS Transport" not in css
    assert "govuk-crest" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "@import" not in css
