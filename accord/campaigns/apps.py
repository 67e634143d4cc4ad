from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "accord.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.campaigns.actions.merge import move_contact_records
        from accord.core import merge

        merge.register_hook("campaigns", move_contact_records)
