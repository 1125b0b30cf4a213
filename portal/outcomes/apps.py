from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "portal.outcomes"
    label = "outcomes"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        from .exit_questions import register

        register()
