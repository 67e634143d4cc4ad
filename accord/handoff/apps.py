from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "accord.handoff"
    label = "handoff"
    verbose_name = "Handoff (routing, SLA, verdicts, BANT)"
    default_auto_field = "django.db.models.BigAutoField"
