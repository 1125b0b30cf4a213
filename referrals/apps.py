from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from portal.notifications.registry import register_recipient

        from . import message_kinds, receivers  # noqa: F401  (registers; connects receivers)
        from .notifications import referral_recipient_by_id

        register_recipient("referrals.referral", referral_recipient_by_id)
