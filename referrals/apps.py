from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from portal.notifications.registry import register_recipient

        from . import receivers  # noqa: F401  (connects the withdrawal receiver)
        from .notifications import referral_recipient_by_id

        register_recipient("referrals.referral", referral_recipient_by_id)
