"""A cache whose server is down, for the tests of what still works without it."""

from __future__ import annotations

from django.core.cache.backends.base import BaseCache
from redis.exceptions import ConnectionError as RedisConnectionError

BROKEN_CACHES = {"default": {"BACKEND": "tests.broken_cache.BrokenCache"}}


class BrokenCache(BaseCache):
    """Every call raises, as Django's RedisCache does when Redis refuses connections."""

    def __init__(self, location, params):
        super().__init__(params)

    def _refuse(self, *args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    add = get = set = touch = delete = has_key = incr = decr = clear = _refuse
    get_many = set_many = delete_many = get_or_set = _refuse
