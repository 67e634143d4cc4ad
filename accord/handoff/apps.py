from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "accord.handoff"
    label = "handoff"
    verbose_name = "Handoff (routing, SLA, verdicts, BANT)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core import merge, panels
        from accord.handoff import panels as handoff_panels
        from accord.handoff import signals
        from accord.lifecycle.actions import stages_changed
        from accord.sales.actions import activity_logged

        stages_changed.connect(signals.stages_changed, dispatch_uid="handoff.route_mql")
        activity_logged.connect(signals.activity_logged, dispatch_uid="handoff.first_touch")
        merge.register_hook("handoff", signals.merge_leads)
        panels.register(
            "campaign", "lead_quality", template="handoff/_campaign_quality.html",
            context=handoff_panels.campaign_quality, order=40,
        )  # fmt: skip
        panels.register(
            "home", "leads", template="handoff/_home_leads.html", context=handoff_panels.home_leads, order=10
        )
        panels.register(
            "contact",
            "lead",
            template="handoff/_contact_lead.html",
            context=handoff_panels.contact_lead,
            order=20,
        )
