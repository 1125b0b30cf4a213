"""The environment the production settings load under, for tests that start them in
another process (``manage.py check``, gunicorn, a probe run with ``python -c``).

One copy, so that a variable production comes to require is added here once and every
such test keeps starting. The values only have to be accepted: nothing connects to the
database, broker, cache or mail server they name unless a test overrides them.
"""

from __future__ import annotations

import os

PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    # Long and varied enough for check --deploy (security.W009).
    "SECRET_KEY": "x" * 20 + "production-like-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://portal:secret@db:5432/portal",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "CACHE_URL": "redis://redis:6379/1",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.org:587",
    "DEFAULT_FROM_EMAIL": "portal@example.org",
    "FIELD_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1saWtlLWtleS1mb3ItdGVzdGluZyE=",
    "LOOKUP_HASH_KEYS": "production-like-lookup-key",
    # Texts go through GOV.UK Notify by default in production.
    "NOTIFY_API_KEY": "production-like-00000000-0000-4000-8000-000000000000-"
    "00000000-0000-4000-8000-000000000000",
    "NOTIFY_SMS_TEMPLATE_ID": "00000000-0000-4000-8000-000000000001",
}

# Set by the test run itself, never by a production server: the browser tests allow
# synchronous ORM calls beside Playwright's loop, and production must not.
TEST_RUN_ONLY = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def production_environment(
    *, leave_out: tuple[str, ...] = (), **variables: str | None
) -> dict[str, str]:
    """This process's environment with the production settings' variables in place of
    any it has, then ``variables`` (a value of None removes that variable, as for a
    missing secret); ``leave_out`` names more of this process's variables to drop."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENVIRONMENT and key not in TEST_RUN_ONLY and key not in leave_out
    }
    environment.update(PRODUCTION_ENVIRONMENT)
    for key, value in variables.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return environment
