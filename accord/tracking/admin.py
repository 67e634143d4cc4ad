from django.contrib import admin

from accord.tracking.models import Touchpoint


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ("type", "name", "contact", "campaign", "occurred_at", "received_at")
    list_filter = ("type",)
    raw_id_fields = ("contact", "campaign")
    search_fields = ("message_id", "anonymous_id")
    date_hierarchy = "occurred_at"
