"""The embedded default: SQLite, console email, filesystem broker. Never for production."""

import os

# Development defaults are set before base reads the environment, so a real
# environment variable still wins.
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault(
    # A fixed development key: demo data only, never used with real people's details.
    "FIELD_ENCRYPTION_KEYS",
    "ZGV2ZWxvcG1lbnQtb25seS1kZW1vLWRhdGEta2V5ISE=",
)
os.environ.setdefault("LOOKUP_HASH_KEYS", "development-lookup-key-demo-data-only")

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-not-for-real-data")
