"""make run prints each message to a family as a short block in its terminal: who it is
to (shortened), the channel, the subject, the text and its links, and nothing when DEBUG
is off. In the worker, where Celery turns what is printed into scrubbed log lines, the
block still reaches the terminal whole, links and all."""

import io
import logging
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.notifications.console import (
    ConsoleEmailBackend,
    links_in,
    masked_email,
    masked_phone,
    message_block,
    terminal,
)
from portal.notifications.senders import SenderHeaders, email_message

SUPPORT = "http://127.0.0.1:8090/support/Gk3cL27siatrY-N06ojH_JVdspAUwJtELKIJ07WqO1w/"
WITHDRAW = "http://127.0.0.1:8090/refer/withdraw/NHMzoTM1ab9DQy5lcK_KGbc68iiuK2xbk1u_zWc9YxA/"
BODY = (
    "Hello,\n\nWe have a place for you in one of our groups. You can see the details and "
    f"accept it here:\n{SUPPORT}\n\nSupport team\n\nTo stop all contact from us, use this "
    f"link.\n{WITHDRAW}\n"
)


def test_a_message_is_one_block_with_who_it_is_to_the_subject_the_text_and_its_links():
    block = message_block(
        channel="Email",
        to="d…@example.org",
        sender="Support team <no-reply@localhost>",
        subject="A place is ready for you",
        body=BODY,
    )
    lines = block.splitlines()
    assert lines[0].startswith("┌── Email to d…@example.org ──")
    assert lines[1:4] == [
        "│ From:    Support team <no-reply@localhost>",
        "│ Subject: A place is ready for you",
        "│",
    ]
    assert (
        "│ We have a place for you in one of our groups. You can see the details and "
        "accept it here:" in lines
    )
    assert lines[-4:] == ["│ Links:", f"│   {SUPPORT}", f"│   {WITHDRAW}", "└" + "─" * 77]
    assert all(line.startswith(("┌", "│", "└")) for line in lines)


def test_a_text_has_no_subject_and_a_block_without_links_has_no_list():
    block = message_block(channel="Text", to="number ending 101", sender="Team", body="Hi.")
    lines = block.splitlines()
    assert len(lines[0]) == len(lines[-1]) == 78  # the top and the bottom line up
    assert lines == [
        "┌── Text to number ending 101 " + "─" * 48,
        "│ From:    Team",
        "│",
        "│ Hi.",
        "└" + "─" * 77,
    ]


@pytest.mark.parametrize(
    ("address", "shown"),
    [("sam@example.org", "s…@example.org"), ("a.b+c@mail.example", "a…@mail.example"), ("x", "…")],
)
def test_an_address_is_shortened_enough_to_tell_the_demo_families_apart(address, shown):
    assert masked_email(address) == shown


def test_a_number_shows_only_its_last_three_digits():
    assert masked_phone("+447700900101") == "number ending 101"
    assert masked_phone("07700 900 123") == "number ending 123"
    assert masked_phone("12") == "…"


def test_links_are_listed_once_each_without_trailing_punctuation():
    text = f"Open {SUPPORT}. Or {SUPPORT}, and (see https://x.example/a)."
    assert links_in(text) == [SUPPORT, "https://x.example/a"]


def test_the_email_backend_prints_the_plain_text_part_only_in_development(settings):
    message = email_message(
        headers=SenderHeaders(from_email="Support team <no-reply@localhost>", reply_to=None),
        to="dana@example.org",
        subject="A place is ready for you",
        text=BODY,
        html=f'<p><a href="{SUPPORT}">accept it</a></p>',
    )
    out = io.StringIO()
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        ConsoleEmailBackend(stream=out).send_messages([message])
    assert out.getvalue() == ""

    settings.DEBUG = True
    assert ConsoleEmailBackend(stream=out).send_messages([message]) == 1
    printed = out.getvalue()
    assert "┌── Email to d…@example.org" in printed
    assert "dana@example.org" not in printed
    assert "│ Subject: A place is ready for you" in printed
    assert f"│   {SUPPORT}" in printed and f"│   {WITHDRAW}" in printed
    assert "<p>" not in printed and "Content-Type" not in printed


def test_the_sms_backend_prints_a_block(settings, capsys):
    from portal.notifications.sms import ConsoleSmsBackend

    settings.DEBUG = True
    ConsoleSmsBackend().send(to="+447700900101", body=f"Your place: {SUPPORT}", sender="Team")
    printed = capsys.readouterr().out
    assert "┌── Text to number ending 101" in printed
    assert "900101" not in printed
    assert f"│   {SUPPORT}" in printed


def test_in_the_worker_a_block_reaches_the_terminal_not_the_scrubbed_log(monkeypatch):
    """Celery's worker replaces standard output with a proxy that logs each line, and
    every log line is scrubbed of links: the block goes to the real terminal instead."""
    from celery.utils.log import LoggingProxy

    real = io.StringIO()
    proxy = LoggingProxy(logging.getLogger("celery.redirected"), logging.WARNING)
    monkeypatch.setattr(sys, "__stdout__", real)
    monkeypatch.setattr(sys, "stdout", proxy)
    assert terminal() is real
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert terminal() is sys.stdout
