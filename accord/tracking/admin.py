from django.contrib import admin
from django.http import HttpRequest

from accord.tracking.models import Touchpoint, WriteKey


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ("type", "name", "contact", "campaign", "occurred_at", "received_at")
    list_filter = ("type",)
    raw_id_fields = ("contact", "campaign", "write_key")
    search_fields = ("message_id", "anonymous_id", "user_id")
    date_hierarchy = "occurred_at"


@admin.register(WriteKey)
class WriteKeyAdmin(admin.ModelAdmin):
    """Read-only here: keys are created (and shown once) on the write keys page or by the command."""

    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = (
        "name",
        "prefix",
        "hashed_secret",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
