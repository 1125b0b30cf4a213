"""Production settings refuse to start without secrets and pass Django's deploy checks."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.production_environment import production_environment

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env=None):
    """``manage.py`` under the production settings, with ``env``'s changes to their
    environment (a value of None removes a variable)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_environment(**(env or {})),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_its_secrets():
    result = run_manage("check", env={"SECRET_KEY": None, "FIELD_ENCRYPTION_KEYS": None})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_production_refuses_the_example_placeholders():
    result = run_manage("check", env={"SECRET_KEY": "change-me"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_sqlite():
    result = run_manage("check", env={"DATABASE_URL": "sqlite:///x.db"})
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"EMAIL_URL": "consolemail://"}, "EMAIL_URL is consolemail://"),
        ({"EMAIL_URL": "filemail:///tmp/portal-mail"}, "EMAIL_URL is filemail://"),
        (
            {"SMS_BACKEND": "portal.notifications.sms.ConsoleSmsBackend"},
            "SMS_BACKEND is the console backend",
        ),
    ],
    ids=["console email", "file email", "console texts"],
)
def test_production_refuses_to_print_or_file_messages(variables, named):
    """Messages carry private links, phone numbers and addresses; printed, they would be
    in the server's log, past its scrubbing."""
    result = run_manage("check", env=variables)
    assert result.returncode != 0
    assert "Production cannot print or file messages" in result.stderr
    assert named in result.stderr


def test_production_sends_texts_through_a_provider_unless_told_another():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SMS_BACKEND)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "portal.notifications.sms.NotifySmsBackend"


@pytest.mark.parametrize(
    "missing",
    [
        ("NOTIFY_API_KEY",),
        ("NOTIFY_SMS_TEMPLATE_ID",),
        ("NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID"),
    ],
)
def test_production_refuses_notify_without_its_key_and_template(missing):
    """Otherwise a family's first text would be the first to find out."""
    result = run_manage("check", env=dict.fromkeys(missing, ""))
    assert result.returncode != 0
    assert "Texts go through GOV.UK Notify (SMS_BACKEND), which needs" in result.stderr
    for name in missing:
        assert name in result.stderr


def test_another_text_provider_needs_no_notify_settings():
    result = run_manage(
        "check",
        env={
            "SMS_BACKEND": "portal.notifications.sms.LocmemSmsBackend",
            "NOTIFY_API_KEY": None,
            "NOTIFY_SMS_TEMPLATE_ID": None,
        },
    )
    assert result.returncode == 0, result.stderr


def test_the_console_sms_backend_prints_only_in_development(settings, capsys):
    from portal.notifications.sms import ConsoleSmsBackend

    text = dict(to="+447700900123", body="Your link: https://x.example/l/abc", sender="Team")
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        ConsoleSmsBackend().send(**text)
    assert capsys.readouterr().out == ""
    # make run: the link is in the terminal, to be opened from there.
    settings.DEBUG = True
    ConsoleSmsBackend().send(**text)
    assert "https://x.example/l/abc" in capsys.readouterr().out


def test_deploy_checks_pass_with_a_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


def test_uk_defaults_and_strong_hashing():
    from django.conf import settings

    assert settings.TIME_ZONE == "Europe/London"
    assert settings.LANGUAGE_CODE == "en-gb"
    from portal.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
