from django.apps import AppConfig


def move_stage_history(primary_id: int, duplicate_id: int) -> None:
    """Merge hook: the duplicate contact's stage history joins the primary's."""
    from accord.lifecycle.models import StageChange

    StageChange.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)


class LifecycleConfig(AppConfig):
    name = "accord.lifecycle"
    label = "lifecycle"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core import merge, timeline
        from accord.lifecycle.timeline import stage_entries

        timeline.register_source("lifecycle", stage_entries)
        merge.register_hook("lifecycle", move_stage_history)
