"""Production: PostgreSQL, Redis, HTTPS. Refuses to start without its secrets."""

from django.core.exceptions import ImproperlyConfigured

from portal.core.client_address import proxy_settings_check

from .base import *  # noqa: F403
from .base import DATABASES, EMAIL_BACKEND, env

# Every variable production cannot run without. The compose-file test checks that
# docker-compose.yml supplies each of them.
REQUIRED_ENVIRONMENT = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "FIELD_ENCRYPTION_KEYS",
    "LOOKUP_HASH_KEYS",
)


def _unset(name: str) -> bool:
    # Empty, or still the .env.example placeholder, counts as missing.
    value = env.str(name, default="")
    return not value or value.startswith("change-me")


_missing = [name for name in REQUIRED_ENVIRONMENT if _unset(name)]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: " + ", ".join(_missing)
    )

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
OTP_WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default=ALLOWED_HOSTS[0])
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "WEBAUTHN_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS]
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("Production needs a PostgreSQL DATABASE_URL, not SQLite.")

# Development's message backends write each message, private links, phone numbers,
# addresses and all, where it can be read: the console ones to standard output, which in
# production is the log (and outside its scrubbing), the file one to disk. Production
# refuses them, with no switch to allow them: a demo runs the development settings.
# Texts go through GOV.UK Notify unless SMS_BACKEND names another provider's client.
NOTIFY_SMS_BACKEND = "portal.notifications.sms.NotifySmsBackend"
SMS_BACKEND = env.str("SMS_BACKEND", default=NOTIFY_SMS_BACKEND)
MESSAGE_WRITING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": (
        "EMAIL_URL is consolemail://, which prints every email in the log"
    ),
    "django.core.mail.backends.filebased.EmailBackend": (
        "EMAIL_URL is filemail://, which keeps every email in a file"
    ),
    "portal.notifications.sms.ConsoleSmsBackend": (
        "SMS_BACKEND is the console backend, which prints every text message in the log"
    ),
}
_writing = [
    MESSAGE_WRITING_BACKENDS[backend]
    for backend in (EMAIL_BACKEND, SMS_BACKEND)
    if backend in MESSAGE_WRITING_BACKENDS
]
if _writing:
    raise ImproperlyConfigured(
        "Production cannot print or file messages, which carry people's private links "
        "and contact details: "
        + "; ".join(_writing)
        + ". Set EMAIL_URL to your mail server (smtp+tls://user:password@host:587) and "
        "SMS_BACKEND to a provider (portal.notifications.sms.NotifySmsBackend)."
    )
# Without its key and template Notify refuses every text, which would be found out only
# when a family's acknowledgement or reminder failed; found out here, at start-up.
_notify_missing = [name for name in ("NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID") if _unset(name)]
if SMS_BACKEND == NOTIFY_SMS_BACKEND and _notify_missing:
    raise ImproperlyConfigured(
        "Texts go through GOV.UK Notify (SMS_BACKEND), which needs "
        + " and ".join(_notify_missing)
        + ": the API key of your Notify service and the id of a text message template "
        "whose whole text is ((body)). Or set SMS_BACKEND to another provider's client."
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-portal_session"
CSRF_COOKIE_NAME = "__Host-portal_csrf"
# One TLS proxy in front (README, "Production"). docker-compose.yml publishes gunicorn on
# the host's loopback only, and Docker hands the proxy's connections over from the
# compose network's gateway, a private address that changes from host to host; so by
# default any loopback or private peer may be the proxy, and no public one can be.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
TRUSTED_PROXIES = env.list(
    "TRUSTED_PROXIES",
    default=[
        "127.0.0.0/8",
        "::1",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "fc00::/7",
    ],
)
proxy_settings_check(TRUSTED_PROXY_COUNT, TRUSTED_PROXIES)
