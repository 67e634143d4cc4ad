from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "accord.lifecycle"
    label = "lifecycle"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core import timeline
        from accord.lifecycle.timeline import stage_entries

        timeline.register_source("lifecycle", stage_entries)
