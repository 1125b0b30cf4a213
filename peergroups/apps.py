from django.apps import AppConfig


class PeergroupsConfig(AppConfig):
    name = "peergroups"
    verbose_name = "Peer groups"

    def ready(self) -> None:
        from . import message_kinds, receivers, reminders  # noqa: F401
