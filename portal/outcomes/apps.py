from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "portal.outcomes"
    label = "outcomes"
    verbose_name = "Outcome measures"
