"""Plain names for the messages the portal sends, as staff read them in a person's list of
messages ("Acknowledgement", "Reminder of a group meeting"), never the internal names
the notification service knows them by (``referral_received``).

Kinds are registered by the apps that send them (``portal.notifications.registry``); a
kind with no name here is shown by its words, capitalised ("Message to group"), and
``tests/referrals/test_referral_page_wording.py`` lists the kinds that still need one.
"""

from __future__ import annotations

LABELS = {
    # Referrals
    "referral_received": "Acknowledgement",
    "message_from_caseworker": "Message from a caseworker",
    "first_contact_overdue": "First contact overdue (to staff)",
    # Groups and calls
    "place_offered": "Offer of a place in a group",
    "meetings_changed": "New times for their group's meetings",
    "session_cancelled": "A group meeting cancelled",
    "session_reminder": "Reminder of a group meeting",
    "call_booked": "Initial call booked",
    "call_moved": "Initial call moved",
    "call_reminder": "Reminder of the initial call",
    "message_to_group": "Message to their group",
    "facilitator_digest": "Facilitators' list of meetings (to staff)",
    # Resources and outcomes
    "pack_sent": "Resource pack",
    "resources_review_due": "Resources due for review (to staff)",
    "questions_at_exit": "Questions at the end of their group",
    # Accounts
    "sign_in_paused": "Sign-in paused (to staff)",
}

CHANNEL_LABELS = {"email": "Email", "text": "Text message"}


def message_label(template: str) -> str:
    if template in LABELS:
        return LABELS[template]
    words = template.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Message"


def channel_label(channel: str) -> str:
    if not channel:
        return "No channel"
    return CHANNEL_LABELS.get(channel, channel[:1].upper() + channel[1:])
