"""A blind index of people's names, so staff can find a person by name without the
portal ever reading names in bulk.

A name is normalised (accents removed, case folded, punctuation and extra spaces
dropped) and split into words; each word is kept only as a keyed hash
(``ReferralNameToken``), beside the referral's organisation. "Sam Jones" is found by
"jones", by "sam", by "SAM  JONES" and by "Sám Jönes": each word searched must be one of
the person's words. Names themselves stay encrypted and are never scanned or compared.

The hashes use the lookup key (``LOOKUP_HASH_KEYS``) with a purpose prefix, so a name's
hash can never match an email's or a phone's. Searches try every configured key, as the
duplicate check does, so a key being rotated still finds people; ``name_index_rebuild``
rewrites every row with the current key (``manage.py name_index_rebuild``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from portal.crypto.keys import lookup_hash, lookup_keys

# Words longer than this are cut: nobody types more of one name than this.
WORD_MAX_LENGTH = 40
# More words than this in one name or one search are ignored.
WORDS_MAX = 8
_SPLIT = re.compile(r"[^\w]+")
# Apostrophes join a word ("O'Brien" is "obrien"); hyphens and spaces separate words.
_JOINERS = str.maketrans("", "", "'\u2019\u2018`\u00b4")


def normalise_name(name: str) -> str:
    """``name`` as the index sees it: no accents, case folded, one space between words."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.casefold().translate(_JOINERS)
    return " ".join(word for word in _SPLIT.split(plain) if word)


def name_words(name: str) -> list[str]:
    """The distinct words of a normalised name, in order, each cut to its longest."""
    words: list[str] = []
    for word in normalise_name(name).replace("_", " ").split():
        word = word[:WORD_MAX_LENGTH]
        if word not in words:
            words.append(word)
    return words[:WORDS_MAX]


def word_hash(word: str, *, key: bytes | None = None) -> str:
    return lookup_hash(f"name-word:{word}", key=key)


def name_hashes(name: str, *, key: bytes | None = None) -> list[str]:
    """The hashes kept for ``name`` (with the current key unless ``key`` is given)."""
    return [word_hash(word, key=key) for word in name_words(name)]


def search_hashes(text: str) -> list[list[str]]:
    """For each word searched, its hash under every configured key."""
    keys = lookup_keys()
    return [[word_hash(word, key=key) for key in keys] for word in name_words(text)]


def name_index_set(referral, *, name: str | None = None) -> None:
    """Replace ``referral``'s index with the words of ``name`` (its ``full_name`` if not
    given). Called by every service that sets or changes a person's name; inside the
    caller's transaction."""
    from .models import ReferralNameToken

    name = referral.full_name if name is None else name
    ReferralNameToken.objects.filter(referral=referral).delete()
    ReferralNameToken.objects.bulk_create(
        [
            ReferralNameToken(
                referral_id=referral.pk, organisation_id=referral.organisation_id, hash=h
            )
            for h in name_hashes(name)
        ]
    )


def name_index_tokens_for(referrals: Iterable) -> list:
    """Unsaved index rows for referrals just made in bulk (``bulk_create``)."""
    from .models import ReferralNameToken

    key = lookup_keys()[0]
    return [
        ReferralNameToken(referral_id=r.pk, organisation_id=r.organisation_id, hash=h)
        for r in referrals
        if r.full_name
        for h in name_hashes(r.full_name, key=key)
    ]


def name_index_rebuild(
    *, batch_size: int = 500, progress: Callable[[str], None] = lambda message: None
) -> int:
    """Rewrite every referral's index with the current key: after a key rotation, or to
    fill it for referrals made before it existed. Returns how many referrals it read."""
    from django.db import transaction

    from .models import Referral, ReferralNameToken

    done = 0
    last = None
    total = Referral.objects.count()
    while True:
        batch = Referral.objects.order_by("pk").only("pk", "organisation_id", "full_name")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        rows = list(batch[:batch_size])
        if not rows:
            break
        with transaction.atomic():
            ReferralNameToken.objects.filter(referral_id__in=[r.pk for r in rows]).delete()
            ReferralNameToken.objects.bulk_create(name_index_tokens_for(rows))
        done += len(rows)
        last = rows[-1].pk
        progress(f"Name index: {done} of {total} referrals")
    return done
