"""Development's message backends print each message as a short block in the terminal
running ``make run``, so that what a family would receive, and the private links in it,
can be read and opened from there:

    ┌── Email to s…@example.org ───────────────────────────────
    │ From:    Support team <no-reply@localhost>
    │ Subject: We have your message
    │
    │ Hello, …
    │
    │ Links:
    │   http://127.0.0.1:8000/support/…/
    └──────────────────────────────────────────────────────────

The address or number is shortened (the terminal of a demo is often shown on a shared
screen); the links are printed whole, since opening them is the point.

They write to the terminal itself, past the log scrubbing: in the worker, Celery turns
what is printed into log lines, whose scrubbing would hide the very links these exist to
show. So they work only with DEBUG on. Production never uses them: the SMS one is
refused at start-up (``portal/settings/production.py``), as is ``consolemail://``, which
only the development settings turn into this email backend.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

WIDTH = 78
_LINK = re.compile(r"https?://[^\s<>\"')]+")
_lock = threading.Lock()


def masked_email(address: str) -> str:
    """``sam@example.org`` → ``s…@example.org``: enough to tell demo families apart."""
    local, at, domain = address.rpartition("@")
    if not at:
        return "…"
    return f"{local[:1]}…@{domain}"


def masked_phone(number: str) -> str:
    """``+447700900101`` → ``number ending 101``."""
    digits = re.sub(r"\D", "", number)
    return f"number ending {digits[-3:]}" if len(digits) > 3 else "…"


def links_in(text: str) -> list[str]:
    """The web addresses in ``text``, in order, each once."""
    found = []
    for match in _LINK.finditer(text):
        link = match.group(0).rstrip(".,;:")
        if link not in found:
            found.append(link)
    return found


def message_block(*, channel: str, to: str, body: str, sender: str = "", subject: str = "") -> str:
    """One message as a block: who it is to (shortened), by which channel, from whom,
    the subject, the body and, listed again at the end, its links."""
    title = f"┌── {channel} to {to} "
    lines = [title + "─" * max(3, WIDTH - len(title))]
    if sender:
        lines.append(f"│ From:    {sender}")
    if subject:
        lines.append(f"│ Subject: {subject}")
    lines.append("│")
    lines.extend(f"│ {line}".rstrip() for line in body.strip().splitlines())
    links = links_in(body)
    if links:
        lines.append("│")
        lines.append("│ Links:")
        lines.extend(f"│   {link}" for link in links)
    lines.append("└" + "─" * (WIDTH - 1))
    return "\n".join(lines) + "\n"


def terminal() -> TextIO:
    """Standard output, or the real one where Celery has turned it into log lines."""
    from celery.utils.log import LoggingProxy

    return sys.__stdout__ if isinstance(sys.stdout, LoggingProxy) else sys.stdout


def print_block(block: str, stream: TextIO | None = None) -> None:
    stream = stream or terminal()
    with _lock:
        stream.write("\n" + block)
        stream.flush()


def require_debug(what: str) -> None:
    if not settings.DEBUG:
        # Not even where the production settings were not used: the message holds a
        # private link and an address or number, and standard output is a server's log.
        raise ImproperlyConfigured(
            f"The console {what} backend prints messages and works only with DEBUG on."
        )


class ConsoleEmailBackend(BaseEmailBackend):
    """Development only: prints each email as a block (its plain-text part) instead of
    sending it."""

    def __init__(self, *args, stream: TextIO | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream

    def send_messages(self, email_messages) -> int:
        require_debug("email")
        sent = 0
        for message in email_messages:
            for recipient in message.recipients():
                print_block(
                    message_block(
                        channel="Email",
                        to=masked_email(recipient),
                        sender=message.from_email,
                        subject=message.subject,
                        body=message.body,
                    ),
                    self.stream,
                )
            sent += 1
        return sent
