from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "accord.sales"
    label = "sales"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core import timeline
        from accord.sales.timeline import activity_entries

        timeline.register_source("sales", activity_entries)
