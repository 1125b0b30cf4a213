"""What a message says it is from (the sender name and reply-to address), and the one
place an email is made.

Both are typed by a coordinator, and both end up in an email's headers, where a name
holding an address, angle brackets, quotes or a line break could change who the message
claims to be from, or add a recipient. So they are checked where they are entered (the
settings form and the admin), and the From and Reply-To headers are built here and only
here, through ``email.headerregistry.Address``, from values checked again at sending: a
bad value that reached the database some other way is replaced, never sent.

Every email the portal sends is made by ``email_message`` from these headers: messages
to families and staff (``notifications.services``), invitations, and, through the
account adapter's ``get_from_email``, django-allauth's own. A test fails if any other
module makes an email (``EmailMessage``, ``send_mail``...).
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email

logger = logging.getLogger(__name__)

DEFAULT_SENDER_NAME = "Support team"
SENDER_NAME_MAX_LENGTH = 60
# Beyond letters, numbers and spaces: what names of charities and teams use.
SENDER_NAME_PUNCTUATION = ".,'\u2019&()-!?/"


@dataclass(frozen=True)
class SenderHeaders:
    from_email: str
    reply_to: list[str] | None


def sender_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a sender name, in plain English; None if it can."""
    if not name or not name.strip():
        return "Enter the name messages come from."
    if len(name) > SENDER_NAME_MAX_LENGTH:
        return f"Keep the name to {SENDER_NAME_MAX_LENGTH} characters or fewer."
    if any(unicodedata.category(c).startswith("C") or c in "\u2028\u2029" for c in name):
        return "Keep the name on one line, with no special characters."
    if "@" in name or "<" in name or ">" in name:
        return (
            "The name cannot contain an email address or angle brackets (< >). Enter just "
            "a name, like 'Support team'."
        )
    if any(not (c.isalnum() or c == " " or c in SENDER_NAME_PUNCTUATION) for c in name):
        return "Use only letters, numbers, spaces and . , ' & ( ) - ! ? / in the name."
    if not any(c.isalpha() for c in name):
        return "The name needs at least one letter."
    return None


def validate_sender_name(name: str) -> None:
    problem = sender_name_problem(name)
    if problem:
        raise ValidationError(problem, code="invalid_sender_name")


def reply_to_problem(address: str) -> str | None:
    """Why ``address`` cannot be a reply-to address; None if it is one plain address."""
    message = "Enter one email address, like team@charity.example."
    if not address or any(c.isspace() or c in '<>",;:()[]\\' for c in address):
        return message
    try:
        validate_email(address)
        parsed = Address(addr_spec=address)
    except (ValidationError, HeaderParseError, ValueError, IndexError):
        return message
    if parsed.addr_spec != address:
        return message
    return None


def validate_reply_to(address: str) -> None:
    problem = reply_to_problem(address)
    if problem:
        raise ValidationError(problem, code="invalid_reply_to")


def portal_from_address() -> str:
    """The portal's own sending address (DEFAULT_FROM_EMAIL may carry a name too)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@localhost"


def safe_sender_name(organisation) -> str:
    """The organisation's sender name, or the neutral default if it would not be safe."""
    name = (organisation.discreet_sender_name or "").strip()
    if sender_name_problem(name):
        # Logged without the value: it was typed by a person and may be anything.
        logger.warning("Organisation %s has an unusable sender name", organisation.pk)
        return DEFAULT_SENDER_NAME
    return name


def sender_headers(*, organisation, reply_to: str = "") -> SenderHeaders:
    """From and Reply-To for an email sent for ``organisation``: the one place they are
    made. The From address is always the portal's own; only the name is the
    organisation's."""
    sender = Address(display_name=safe_sender_name(organisation), addr_spec=portal_from_address())
    replies = None
    if reply_to:
        if reply_to_problem(reply_to):
            logger.warning("Organisation %s has an unusable reply-to address", organisation.pk)
        else:
            replies = [str(Address(addr_spec=reply_to))]
    return SenderHeaders(from_email=str(sender), reply_to=replies)


def portal_sender_headers() -> SenderHeaders:
    """From for the portal's own emails to staff and referrers (invitations, password
    resets): the portal's address, with the name ``DEFAULT_FROM_EMAIL`` gives if it is
    one that cannot change the header."""
    name = parseaddr(settings.DEFAULT_FROM_EMAIL)[0].strip()
    if name and sender_name_problem(name):
        logger.warning("DEFAULT_FROM_EMAIL has an unusable name; the address is used alone")
        name = ""
    sender = Address(display_name=name, addr_spec=portal_from_address())
    return SenderHeaders(from_email=str(sender), reply_to=None)


def email_message(
    *,
    headers: SenderHeaders,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    message_id: str = "",
) -> EmailMultiAlternatives:
    """An email to one person, with From and Reply-To only from ``headers`` (made above),
    plain text and, if given, HTML. ``message_id`` names the message however often it is
    tried, so mail systems can recognise a repeat."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=headers.from_email,
        to=[to],
        reply_to=headers.reply_to,
        headers={"Message-ID": message_id} if message_id else None,
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message
