from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from portal.notifications.registry import register_recipient

        from . import message_kinds, signals  # noqa: F401
        from .notifications import staff_recipient

        register_recipient("accounts.user", staff_recipient)
