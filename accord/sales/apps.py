from django.apps import AppConfig


def move_sales_records(primary_id: int, duplicate_id: int) -> None:
    """Merge hook: the duplicate contact's deals and activities now belong to the primary."""
    from accord.sales.models import Activity, Deal

    Deal.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)
    Activity.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)


class SalesConfig(AppConfig):
    name = "accord.sales"
    label = "sales"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core import merge, panels, timeline
        from accord.sales.activity_views import contact_panel
        from accord.sales.home import home_pipeline
        from accord.sales.timeline import activity_entries

        timeline.register_source("sales", activity_entries)
        merge.register_hook("sales", move_sales_records)
        panels.register(
            "contact", "sales", template="sales/_contact_panel.html", context=contact_panel, order=20
        )
        panels.register(
            "home", "pipeline", template="sales/_home_pipeline.html", context=home_pipeline, order=20
        )
