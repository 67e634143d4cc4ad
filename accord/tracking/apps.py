from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "accord.tracking"
    label = "tracking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core import merge, timeline
        from accord.tracking.actions import move_touchpoints
        from accord.tracking.timeline import touchpoint_entries

        timeline.register_source("tracking", touchpoint_entries)
        merge.register_hook("tracking", move_touchpoints)
