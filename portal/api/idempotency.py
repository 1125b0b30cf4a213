"""``Idempotency-Key``: a retried request gets the first answer instead of a second referral.

The first successful answer is stored against the caller and the key. The same key with
the same body replays it; the same key with a different body is refused with 409, so a
client bug cannot silently drop the second referral.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.db import IntegrityError, transaction
from rest_framework import exceptions

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyConflict(exceptions.APIException):
    status_code = 409
    default_code = "idempotency_key_reused"
    default_detail = (
        "This Idempotency-Key was already used with a different request body. Use a new "
        "key for a new referral."
    )


def idempotency_key_from(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.match(key):
        raise exceptions.ValidationError(
            {HEADER: ["Use 1 to 255 printable characters with no spaces, such as a UUID."]},
            code="invalid",
        )
    return key


def fingerprint(data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def previous_answer(*, caller: str, key: str, request_hash: str) -> IdempotentRequest | None:
    stored = IdempotentRequest.objects.filter(caller=caller, idempotency_key=key).first()
    if stored is not None and stored.request_hash != request_hash:
        raise IdempotencyConflict()
    return stored


def answer_store(
    *, caller: str, key: str, request_hash: str, status_code: int, body: dict
) -> IdempotentRequest:
    """Keep the first answer; if a concurrent twin stored one first, that one wins."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                caller=caller,
                idempotency_key=key,
                request_hash=request_hash,
                status_code=status_code,
                response_body=body,
            )
    except IntegrityError:
        stored = previous_answer(caller=caller, key=key, request_hash=request_hash)
        if stored is None:  # the racing request rolled back after all: nothing to replay
            raise
        return stored
