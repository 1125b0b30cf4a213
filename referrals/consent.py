"""The consent statements people are shown, versioned.

Every ConsentRecord keeps the exact words shown, so a statement can change without
changing what someone agreed to in the past. Add a new version; never edit an old one.
"""

from __future__ import annotations

from dataclasses import dataclass

SELF_REFERRAL_VERSION = "self-referral-2026-11"
PROFESSIONAL_VERSION = "professional-2026-11"

_STATEMENTS = {
    SELF_REFERRAL_VERSION: (
        "I agree that {organisation} may keep the information I have given here and use it "
        "to contact me, in the ways I have said are safe, about support for me. I understand "
        "this information may include details about a police investigation involving someone "
        "close to me. {organisation} will not share it with anyone else without asking me, "
        "unless someone is at risk of serious harm. I can withdraw my agreement at any time, "
        "and {organisation} will then stop contacting me."
    ),
    PROFESSIONAL_VERSION: (
        "The person named in this referral has agreed that their details may be passed to "
        "{organisation} so that it can contact them, in the ways they said are safe, about "
        "support. They understand the referral says that someone close to them is under "
        "police investigation, and that they can withdraw their agreement at any time."
    ),
}


@dataclass(frozen=True)
class Statement:
    version: str
    text: str


def statement(version: str, *, organisation_name: str) -> Statement:
    return Statement(version, _STATEMENTS[version].format(organisation=organisation_name))
