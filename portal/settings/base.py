"""Settings shared by every environment, read from the environment with django-environ."""

from datetime import date, timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from portal.core.client_address import proxy_settings_check

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOCAL_DIR = BASE_DIR / ".local"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The address people reach the portal at, for links in emails and texts.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
PORTAL_NAME = env.str("PORTAL_NAME", default="Family Support Portal")
# Where the quick-exit control sends a visitor: an everyday site that gives nothing away.
QUICK_EXIT_URL = env.str("QUICK_EXIT_URL", default="https://www.bbc.co.uk/weather")
# A meeting's register opens this many minutes before it starts (never for one to come).
REGISTER_OPENS_BEFORE_MINUTES = env.int("REGISTER_OPENS_BEFORE_MINUTES", default=15)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "allauth",
    "allauth.account",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "csp",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Cross-cutting parts of the portal
    "portal.accounts",
    "portal.organisations",
    "portal.audit",
    "portal.public",
    "portal.operations",
    "portal.staff",
    "portal.notifications",
    "portal.api",
    "portal.retention",
    "portal.outcomes",
    "portal.reports",
    # Domain apps
    "referrals",
    "peergroups",
    "resources",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.organisations.middleware.MembershipsPerRequestMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.RequireTwoFactorMiddleware",
    # After the second factor: staff pages for charity staff, referrer pages for referrers.
    "portal.accounts.middleware.StaffAreaMiddleware",
    "portal.public.middleware.NoStoreMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "portal.api.middleware.ApiCallLogMiddleware",
    # Any body sent as JSON: too large or too deeply nested is a 400 before any view.
    "portal.core.json_limits.JsonBodyLimitMiddleware",
    # Axes last, so it can turn a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.public.context_processors.portal",
                "portal.staff.context_processors.staff_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has a web server and a worker writing to one file: wait for
    # locks instead of failing, and let readers carry on while a write is in progress.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits count in the cache: in production it must be shared (Redis).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# A Redis that is down or hangs must not hold a family's page: the rate limits let the
# request through when the cache fails (portal/core/rate_limits.py), and a socket wait
# of at most this long (a CACHE_URL's own ?socket_timeout= wins) is when it fails.
CACHE_SOCKET_TIMEOUT_SECONDS = env.float("CACHE_SOCKET_TIMEOUT_SECONDS", default=0.5)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    for _option in ("socket_connect_timeout", "socket_timeout"):
        CACHES["default"].setdefault("OPTIONS", {}).setdefault(
            _option, CACHE_SOCKET_TIMEOUT_SECONDS
        )
    # Redis unreachable is an empty cache, not an error: signing in, staff pages and a
    # password reset keep answering (portal/core/cache.py).
    CACHES["default"]["BACKEND"] = "portal.core.cache.OutageTolerantRedisCache"
# A count the cache could not keep lets the request through, as a cache error does.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "portal.public.views.rate_limited"
# Count by the client's address as portal/core/client_address.py decides it, the same
# answer the sign-in lockouts and the audit log get.
RATELIMIT_IP_META_KEY = "portal.core.client_address.rate_limit_address"

# --- The client's address behind reverse proxies (portal/core/client_address.py).
# X-Forwarded-For is read only from a peer in TRUSTED_PROXIES, and only as far back as
# TRUSTED_PROXY_COUNT proxies; 0 (here, in development) means never.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
proxy_settings_check(TRUSTED_PROXY_COUNT, TRUSTED_PROXIES)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "staff:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# --- django-allauth: email is the login; staff accounts come only from invitations.
ACCOUNT_ADAPTER = "portal.accounts.adapters.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Invitation links prove the address, so no separate confirmation email is needed.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
# Never email an address that has no account: the form must not become a way to send mail.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
# Allauth's own account-changing pages ask for the password again first.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS = {
    # Per client address only. allauth's default also counts failures per account ("key")
    # from every address together, which let anyone who knows a staff member's email
    # address keep them signed out; the per-account lockout is django-axes', per address
    # and browser (below). The hourly limit stops one address guessing at many accounts,
    # or at one account while changing its browser's name.
    "login_failed": "10/m/ip,100/h/ip",
    "reset_password": "20/m/ip,5/m/key",  # a rate, not a password  # nosec B105
}

# --- Two-factor (django-otp)
OTP_TOTP_ISSUER = PORTAL_NAME
# Each wrong code doubles the wait before the next try (1s, 2s, 4s, ...).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# No admin page shows a TOTP key, a backup code or a passkey's key; the portal's own
# admin classes (portal/accounts/admin.py) hide them whatever this says.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Passkeys (WebAuthn) as a phishing-resistant second factor, never instead of the password.
# A passkey is bound to the relying party id (the site's domain): changing it later means
# everyone registers their passkeys again.
OTP_WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default="localhost")
OTP_WEBAUTHN_RP_NAME = PORTAL_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=["http://localhost:8000"])
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
BACKUP_CODE_COUNT = 10

# --- Brute-force protection on passwords (django-axes)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
# One account from one address and one browser (user agent) together: a stranger's wrong
# passwords elsewhere never lock the person out of their own device. The person is
# emailed when it happens (portal/accounts/notifications.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address", "user_agent"]]
AXES_USERNAME_CALLABLE = "portal.accounts.axes.username_from_request"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "portal.core.client_address.client_address"
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "token", "otp_token"]
# Axes' log lines name an attempt by a keyed pseudonym, not the username and address.
AXES_CLIENT_STR_CALLABLE = "portal.core.log_scrubbing.axes_client_str"

# --- Sessions: staff sessions end after 30 minutes idle and 12 hours in all.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "portal_session"
CSRF_COOKIE_NAME = "portal_csrf"
CSRF_COOKIE_HTTPONLY = True
# Gone when the browser closes: nothing lingers on a shared device.
CSRF_COOKIE_AGE = None
# Messages ride in the session rather than a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_FAILURE_VIEW = "portal.public.views.csrf_failure"

# --- Invitations
INVITATION_VALIDITY = timedelta(days=env.int("INVITATION_VALIDITY_DAYS", default=7))

# --- Private links to a person's page and to stop contact (referrals/links/). Links
# signed with the site's key before links were stored are accepted within their year
# while their purpose lives, and only until LEGACY_PRIVATE_LINKS_UNTIL begins (UK time;
# 30 days after the release that stored links); False retires every one of them at once.
LEGACY_PRIVATE_LINKS_ACCEPTED = env.bool("LEGACY_PRIVATE_LINKS_ACCEPTED", default=True)
try:
    LEGACY_PRIVATE_LINKS_UNTIL = date.fromisoformat(
        env.str("LEGACY_PRIVATE_LINKS_UNTIL", default="2027-01-02")
    )
except ValueError as error:
    raise ImproperlyConfigured(
        "LEGACY_PRIVATE_LINKS_UNTIL must be a date written like 2027-01-02."
    ) from error

# --- Encryption of personal data at rest. The first key encrypts; every key decrypts,
# so a new key can be put first and old rows re-encrypted before the old key is dropped.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Keys for the keyed hashes that let encrypted contact details be matched.
LOOKUP_HASH_KEYS = env.list("LOOKUP_HASH_KEYS", default=[])

# --- Email
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds to wait for the mail server to connect or answer. Some messages (a
# self-referral's acknowledgement) are sent while a person waits for their page: a
# hanging server must not hold it past gunicorn's 30 seconds (Django's default: for ever).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Text messages: in development the console backend prints them, as the console email
# backend prints emails, so the private links in them can be opened from the terminal.
# Both write outside the log scrubbing: the SMS one prints only with DEBUG on, and
# production refuses both at start-up and sends texts through a provider's client.
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.notifications.sms.ConsoleSmsBackend")
# For portal.notifications.sms.NotifySmsBackend (GOV.UK Notify).
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")

# --- Background jobs (Celery). Production points CELERY_BROKER_URL at Redis; the
# embedded default uses kombu's filesystem transport so no server is needed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# One message at a time per worker process: with late acknowledgement, a worker that
# dies hands back only what it was working on.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
# How long Redis waits for a worker's acknowledgement before giving the task to another;
# and how long queueing a job waits for a Redis that has stopped answering (by default
# for ever), after which the request goes on without it (portal/core/background.py).
# Above a worker's one-second wait for new jobs, so an idle worker is never cut off.
CELERY_BROKER_SOCKET_TIMEOUT_SECONDS = env.float("CELERY_BROKER_SOCKET_TIMEOUT_SECONDS", default=3)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    "socket_connect_timeout": CELERY_BROKER_SOCKET_TIMEOUT_SECONDS,
    "socket_timeout": CELERY_BROKER_SOCKET_TIMEOUT_SECONDS,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = LOCAL_DIR / "celery" / "queue"
    _processed = LOCAL_DIR / "celery" / "processed"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "store_processed": False,
        # Exchange tables; by default a "control" folder wherever the process started.
        "control_folder": str(LOCAL_DIR / "celery" / "control"),
    }
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(LOCAL_DIR / "celerybeat-schedule")
)
# A worker's claim to be sending a message lasts this long; after it, the message is
# checked with the provider and, if it never arrived there, sent by another worker.
MESSAGE_IN_FLIGHT_SECONDS = env.int("MESSAGE_IN_FLIGHT_SECONDS", default=120)
# Every periodic job is defined here, in one place.
CELERY_BEAT_SCHEDULE = {
    "record-beat-heartbeat": {
        "task": "portal.operations.tasks.record_heartbeat",
        "schedule": 30.0,
    },
    "send-session-reminders": {
        "task": "peergroups.tasks.send_session_reminders",
        "schedule": 60.0,
    },
    "send-call-reminders": {
        "task": "peergroups.tasks.send_call_reminders",
        "schedule": 5 * 60.0,
    },
    "escalate-overdue-first-contacts": {
        "task": "referrals.tasks.escalate_overdue_first_contacts",
        "schedule": crontab(minute=0, hour=9, day_of_week="mon-fri"),
    },
    "facilitator-digests": {
        "task": "peergroups.tasks.send_facilitator_digests",
        "schedule": crontab(minute=0, hour=17),
    },
    # A message waiting for the person's safe time goes within a minute of it starting.
    "release-waiting-messages": {
        "task": "portal.notifications.tasks.release_waiting_messages",
        "schedule": 60.0,
    },
    "requeue-stalled-messages": {
        "task": "portal.notifications.tasks.requeue_stalled_messages",
        "schedule": 10 * 60.0,
    },
    "expire-group-offers": {
        "task": "peergroups.tasks.expire_offers",
        "schedule": 5 * 60.0,
    },
    # A failed Zoom update is tried again after 1, 5, 15 and 60 minutes (zoom_retry).
    "retry-meeting-syncs": {
        "task": "peergroups.tasks.retry_meeting_syncs",
        "schedule": 60.0,
    },
    "remind-coordinators-of-reviews": {
        "task": "resources.tasks.remind_coordinators_of_reviews",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    "apply-retention": {
        "task": "portal.retention.tasks.apply_retention",
        "schedule": crontab(minute=30, hour=2),
    },
    "clear-expired-sessions": {
        "task": "portal.operations.tasks.clear_expired_sessions",
        "schedule": 60.0 * 60,
    },
    # Unsent self-referral answers are unreadable after their idle hour; this deletes
    # them within five minutes more.
    "delete-expired-self-referral-drafts": {
        "task": "referrals.tasks.delete_expired_self_referral_drafts",
        "schedule": 5 * 60.0,
    },
}

# --- Zoom (Server-to-Server OAuth; each organisation's credentials are stored encrypted)
ZOOM_API_BASE = env.str("ZOOM_API_BASE", default="https://api.zoom.us/v2")
ZOOM_OAUTH_URL = env.str("ZOOM_OAUTH_URL", default="https://zoom.us/oauth/token")

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.AgencyKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Staff only unless an endpoint says otherwise (referrers: /me/, referrals, services).
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.IsVerifiedCharityStaff"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser with limits on size and nesting (portal/core/json_limits.py).
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.LimitedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.CallerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "caller": env.str("API_RATE", default="600/hour"),
        "submit": env.str("API_SUBMIT_RATE", default="120/hour"),
    },
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Caseworker portal API",
    "DESCRIPTION": (
        "Send referrals from a police force's or partner's case system, check their status, "
        "list the services accepting referrals (Open Referral UK shape), and, for staff, "
        "read groups, meetings and places and record attendance. Agency callers send "
        '"Authorization: Api-Key <key>"; staff use their signed-in session with a verified '
        "second factor. See docs/api.md for a worked example."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {"ReferralStatusStatusEnum": "referrals.api.SHARED_STATUSES"},
}

# --- Security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin": no other site is ever told which page someone came from. Not
# "no-referrer": with it browsers send "Origin: null" on form posts and Django's CSRF
# origin check rightly refuses them.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# --- Internationalisation: UK English, UK time.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Read from the environment so that a server started beside another (the benchmark's
# load test) can be given static files collected into a folder of its own.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Every handler scrubs: no private-link secret, query value, email address or telephone
# number reaches a log line (portal/core/log_scrubbing.py). A handler added here without
# the "scrub" filter fails tests/portal/test_log_scrubbing.py. gunicorn's own log lines
# are scrubbed by portal/gunicorn_conf.py, and Celery logs through this configuration.
# Python's warnings are logged through it too (LOGGING_CONFIG).
LOGGING_CONFIG = "portal.core.log_scrubbing.configure_logging"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "portal.core.log_scrubbing.ScrubbingFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]},
        # The development server's request lines, as Django's own configuration has them.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["scrub"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default configuration gives these handlers of its own (a console in
        # DEBUG, email to ADMINS), which would not scrub: here they log through the
        # root's handler, or the development server's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "py.warnings": {"handlers": [], "propagate": True},
        # Axes names each attempt by a pseudonym (AXES_CLIENT_STR_CALLABLE), never by the
        # username or address; the audit log keeps those for coordinators.
        "axes": {"level": "WARNING"},
    },
}
