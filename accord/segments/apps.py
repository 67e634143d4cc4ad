from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "accord.segments"
    label = "segments"
    verbose_name = "Segments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core import merge
        from accord.segments import signals
        from accord.segments.actions import move_memberships

        signals.connect()
        merge.register_hook("segments", move_memberships)
