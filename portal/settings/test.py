"""Settings for the test suite: fast hashing, in-memory email, fixed test keys."""

import os

os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1zdWl0ZS1vbmx5LWZpZWxkLWVuY3J5cHRpb24=")
os.environ.setdefault("LOOKUP_HASH_KEYS", "test-lookup-key")

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-secret-key-not-for-production"  # tests only  # nosec B105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
}
CELERY_TASK_ALWAYS_EAGER = False
# allauth's own rate limits would make the lockout tests depend on wall-clock time;
# axes and django-otp throttling are what the tests exercise.
ACCOUNT_RATE_LIMITS = False
# Serve static files from the source folders, as in development: no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.notifications.sms.LocmemSmsBackend")
