"""The shared cache (Redis in production), and what happens when it cannot be reached.

Nothing kept in the cache is the only copy of anything: rate-limit counts (allauth's
sign-in limits, django-ratelimit's), the passkey policy's version (a lost one means "read
the database", ``portal/accounts/passkeys.py``) and Zoom's access tokens (fetched again).
So a Redis that is down, refusing, or slower than the client's socket timeouts
(``CACHE_SOCKET_TIMEOUT_SECONDS``) is taken as an empty cache that forgets whatever it is
given, as Django's DummyCache is, with a warning in the log. Django's own RedisCache
raises instead, and each caller turned that into a 500: signing in, every staff page
(they ask for the passkey policy) and a password reset all failed while Redis did.

While it lasts nothing is counted in the cache, so allauth's per-address sign-in limits
lapse; django-axes' lockouts, kept in the database, still hold (docs/security.md).

After a failure Redis is left alone for ``RETRY_AFTER_SECONDS``, so one that hangs costs
one request one timeout, not every cache call of every request one timeout each.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
# Only a cache that cannot be reached; any other error is a fault to be seen.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# Per process: every thread's connection to the cache meets the same Redis.
_unreachable_until = 0.0


def _forgetting(name: str):
    def method(self, *args, **kwargs):
        global _unreachable_until
        if time.monotonic() >= _unreachable_until:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as error:
                _unreachable_until = time.monotonic() + RETRY_AFTER_SECONDS
                # The error's type only: its text names the cache server's address.
                logger.warning(
                    "The cache could not be reached (%s): it is taken as empty for %s seconds.",
                    type(error).__name__,
                    RETRY_AFTER_SECONDS,
                )
        return getattr(self._forgetful, name)(*args, **kwargs)

    method.__name__ = name
    return method


class OutageTolerantRedisCache(RedisCache):
    """Django's RedisCache, empty and forgetful while Redis cannot be reached."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._forgetful = DummyCache(server, params)

    add = _forgetting("add")
    get = _forgetting("get")
    set = _forgetting("set")
    touch = _forgetting("touch")
    delete = _forgetting("delete")
    get_many = _forgetting("get_many")
    has_key = _forgetting("has_key")
    incr = _forgetting("incr")
    set_many = _forgetting("set_many")
    delete_many = _forgetting("delete_many")
    clear = _forgetting("clear")
