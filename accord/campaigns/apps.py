from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "accord.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"
