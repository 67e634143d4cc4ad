from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "accord.scoring"
    label = "scoring"
    verbose_name = "Scoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core import merge
        from accord.scoring import signals
        from accord.scoring.actions import drop_merged_score

        signals.connect()
        merge.register_hook("scoring", drop_merged_score)
