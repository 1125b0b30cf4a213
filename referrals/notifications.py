"""How the notification service sees a referral: who, what is safe, and their private links."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.conf import settings

from portal.notifications.models import MessageLog, StaffTask
from portal.notifications.services import NO_SAFE_TIME, Recipient, notify

from . import links
from .models import Referral


class PrivateLinks(Mapping):
    """The person's private links as a message's template asks for them.

    A link is issued only when a template uses it, and once per message however many
    parts (subject, text, HTML) use it, so no link exists that was not sent, and
    deciding whether a message could be sent issues nothing.
    """

    BUILDERS = {
        "withdraw": links.withdraw_url,
        "support": links.support_url,
        # The same page; the name messages about places used first.
        "my_place": links.participant_url,
    }

    def __init__(self, referral: Referral):
        self._referral = referral
        self._issued: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        if name not in self.BUILDERS:
            raise KeyError(name)
        if name not in self._issued:
            base = settings.PORTAL_BASE_URL.rstrip("/")
            self._issued[name] = base + self.BUILDERS[name](self._referral)
        return self._issued[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.BUILDERS)

    def __len__(self) -> int:
        return len(self.BUILDERS)

    def __repr__(self) -> str:
        # Never the secrets, wherever the mapping is printed.
        return f"<PrivateLinks for {self._referral.pk}: {sorted(self._issued)} issued>"


def referral_recipient(referral: Referral) -> Recipient:
    safe = referral.safe_contact
    return Recipient(
        organisation=referral.organisation,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        contactable=referral.is_contactable,
        safe_channels=frozenset(safe.safe_channels),
        email=referral.email,
        phone=referral.phone,
        name_to_use=safe.name_to_use,
        links=PrivateLinks(referral),
        windows=safe.windows,
    )


def referral_notify(
    *,
    referral: Referral,
    template: str,
    context: dict | None = None,
    channel: str | None = None,
    needed_by=None,
) -> MessageLog:
    """Send now, or at the person's next safe time (see ``notify``)."""
    return notify(
        recipient=referral_recipient(referral),
        template=template,
        context={"reference": referral.reference, **(context or {})},
        channel=channel,
        needed_by=needed_by,
    )


def referral_recipient_by_id(record_id: str) -> Recipient:
    referral = (
        Referral.objects.select_related("organisation", "safe_contact").filter(pk=record_id).first()
    )
    if referral is None:
        raise LookupError(record_id)
    return referral_recipient(referral)


def referral_acknowledge(*, referral: Referral) -> MessageLog:
    """Thank a person who referred themselves, with the link to their support page, by a
    way they said is safe to write to them.

    When none is (only calls, voicemail or post), nothing is sent: a staff task asks for a
    call, and the referral's page offers a code for the support page to read out then
    (``support_page.support_code_give``). It is sent while the person waits for their
    confirmation, so it is tried once: if the provider fails, a staff task says so,
    as it does for a queued message that could not be sent.

    It has no deadline: outside the person's safe times it waits for the next one
    (*waiting*), and no task is made then, since it will go by itself; a worker sends it
    and, if that fails, makes the task as for any queued message.
    """
    log = referral_notify(
        referral=referral,
        template="referral_received",
        context={"working_days": referral.organisation.first_contact_working_days},
    )
    task_kinds = {
        MessageLog.Status.REFUSED: StaffTask.Kind.CALL_NEEDED,
        MessageLog.Status.FAILED: StaffTask.Kind.MESSAGE_FAILED,
    }
    # A refusal for want of a safe time already has its own task (notify made it).
    if log.status in task_kinds and referral.is_contactable and log.reason != NO_SAFE_TIME:
        StaffTask.objects.get_or_create(
            organisation=referral.organisation,
            kind=task_kinds[log.status],
            record_type="referrals.referral",
            record_id=str(referral.pk),
            message=log,
        )
    return log
