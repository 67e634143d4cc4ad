from django.contrib import admin

from accord.lifecycle.models import StageChange


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("contact", "from_stage", "to_stage", "changed_at", "changed_by", "rule")
    list_filter = ("to_stage",)
    raw_id_fields = ("contact", "changed_by")
    date_hierarchy = "changed_at"
