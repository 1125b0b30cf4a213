from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "portal.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
