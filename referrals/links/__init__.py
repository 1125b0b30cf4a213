"""Private links for the referred person: opaque, revocable, and live only while needed.

A message that needs a link gets a new one (``link_issue``): a random secret of which
only the SHA-256 is stored (``PrivateLink``), so nothing in a link says whose it is and
a copy of the database opens nothing.

A link is redeemed as Django's password-reset link is: the one request that carries the
secret (``link_open``) checks it, keeps a grant in the visitor's session and redirects
to an address without the secret. Every later request (pages, actions, the calendar
file) is answered from the grant (``link_from_session``), which is checked against the
stored link each time, so revoking a link, or its purpose ending, stops it at once. The
secret therefore appears in one request line, and never in a later address, a page, or
a Referer sent on. It is in the address the person opened, which browsers may keep in
their history (they record an address that redirected); the link then works until it
is revoked, expires or its purpose ends. On a shared device it is the quick exit, the
public pages' single history entry and stopping the link that protect the person. The
pack links of ``resources`` use the same grants.

A link works until the first of:

- it is revoked: by staff, one at a time or all of the person's links at once
  (``links_stop_all``, which also refuses every link issued or signed before that
  moment); every place link when consent is withdrawn; every link when the person is
  erased;
- ``LIVE_LINKS_PER_PURPOSE`` newer links of its kind were issued to the person: each new
  link stops the oldest beyond that number, so old messages open nothing;
- its purpose ends: a place link once the person has no offer, place, waiting-list
  place, call or questions left and ``PLACE_LINK_GRACE`` has passed (or the referral
  closed that long ago), or at once when consent is withdrawn; a withdrawal link once
  the person's details are no longer held (it then confirms, and changes nothing);
- its own limit, ``expires_at``.

Links sent before links were stored were signed with the site's key and carried the
referral's id. They are still accepted within their year while their purpose lives,
until ``LEGACY_PRIVATE_LINKS_UNTIL`` begins (or never, if ``LEGACY_PRIVATE_LINKS_ACCEPTED``
is False), and recorded on first use so that staff can revoke them one by one.

The package's modules, each owning one part: ``rules`` (purposes, limits, and whether a
link works now), ``issuing`` (links and codes), ``redeeming`` (a link's one request, and
the older signed links), ``grants`` (what the session keeps), ``revoking`` and
``listing`` (what staff do and see). Import from ``referrals.links`` itself.
"""

from .grants import (
    GRANT_IDLE_LIMIT,
    GRANT_TOUCH_INTERVAL_SECONDS,
    GRANTS_SESSION_KEY,
    Grant,
    grant_forget,
    grant_read,
    grant_store,
)
from .issuing import (
    CODE_ALPHABET,
    CODE_LENGTH,
    code_issue,
    format_code,
    is_code_shaped,
    link_issue,
    normalise_code,
    participant_url,
    support_url,
    withdraw_url,
)
from .listing import (
    LinkList,
    LinkPage,
    LinkRow,
    private_link_for_staff,
    private_links_for_referral,
    private_links_page,
)
from .redeeming import TOKEN_MAX_LENGTH, link_from_session, link_open, link_redeem
from .revoking import LinksStopped, link_revoke, links_revoke_on_withdrawal, links_stop_all
from .rules import (
    LEGACY_LIFETIME,
    LEGACY_SALTS,
    LIFETIMES,
    LIVE_LINKS_PER_PURPOSE,
    PLACE_LINK_GRACE,
    PLACE_LINK_LIFETIME,
    WITHDRAW_LINK_LIFETIME,
    LinkError,
    LinkExpired,
    LinkInvalid,
    Purpose,
    hash_token,
    is_live,
    legacy_links_end,
    link_check,
    purpose_lives,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "GRANTS_SESSION_KEY",
    "GRANT_IDLE_LIMIT",
    "GRANT_TOUCH_INTERVAL_SECONDS",
    "LEGACY_LIFETIME",
    "LEGACY_SALTS",
    "LIFETIMES",
    "LIVE_LINKS_PER_PURPOSE",
    "PLACE_LINK_GRACE",
    "PLACE_LINK_LIFETIME",
    "TOKEN_MAX_LENGTH",
    "WITHDRAW_LINK_LIFETIME",
    "Grant",
    "LinkError",
    "LinkExpired",
    "LinkInvalid",
    "LinkList",
    "LinkPage",
    "LinkRow",
    "LinksStopped",
    "Purpose",
    "code_issue",
    "format_code",
    "grant_forget",
    "grant_read",
    "grant_store",
    "hash_token",
    "is_code_shaped",
    "is_live",
    "legacy_links_end",
    "link_check",
    "link_from_session",
    "link_issue",
    "link_open",
    "link_redeem",
    "link_revoke",
    "links_revoke_on_withdrawal",
    "links_stop_all",
    "normalise_code",
    "participant_url",
    "private_link_for_staff",
    "private_links_for_referral",
    "private_links_page",
    "purpose_lives",
    "support_url",
    "withdraw_url",
]
