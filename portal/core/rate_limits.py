"""The portal's rate limits: the one way a request is counted against a limit.

django-ratelimit counts in the cache (Redis in production). A limit is there to slow a
flood, never to stand between a family and the help they came for, so when the cache
cannot count (Redis down, refusing, or slower than the timeouts in the settings' CACHES)
the request is let through and a warning is logged. The warning names the limit's group
and the error's type only: the key counted under is a client address or a browser's
draft, and the error's text may carry the cache's address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

RateLimitKey = str | Callable[[str, "HttpRequest"], str]


def rate_limit_reached(
    request: HttpRequest, *, group: str, key: RateLimitKey, rate: str, method: str = "POST"
) -> bool:
    """Count ``request`` under ``group`` and ``key``; True when it is over ``rate``.

    False, without counting, when the cache fails.
    """
    try:
        return is_ratelimited(
            request, group=group, key=key, rate=rate, method=method, increment=True
        )
    except ImproperlyConfigured:
        # A wrong rate or key is a fault in the code, not an outage: show it.
        raise
    except Exception as error:
        logger.warning(
            "Rate limit %s not counted: the cache failed (%s), so the request went through.",
            group,
            type(error).__name__,
        )
        return False


def rate_limit(
    *, group: str, rate: str, key: RateLimitKey = "ip", method: str = "POST"
) -> Callable:
    """Limit a view per client address (by default); over the limit, the kind 'please
    wait' page (``settings.RATELIMIT_VIEW``, a 429), whatever middleware is installed."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if rate_limit_reached(request, group=group, key=key, rate=rate, method=method):
                return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
