from django.contrib import admin

from accord.sales.models import Activity, Deal, Pipeline, PipelineStage


class StageInline(admin.TabularInline):
    model = PipelineStage
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default")
    inlines = [StageInline]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("name", "pipeline", "stage", "status", "amount", "expected_close", "owner")
    list_filter = ("pipeline", "status", "stage")
    search_fields = ("name",)
    raw_id_fields = ("contact", "company", "owner", "source_campaign")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject", "owner", "contact", "due_at", "done_at")
    list_filter = ("kind",)
    search_fields = ("subject",)
    raw_id_fields = ("contact", "company", "deal", "owner")
