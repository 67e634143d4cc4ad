from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "accord.scoring"
    label = "scoring"
    default_auto_field = "django.db.models.BigAutoField"
