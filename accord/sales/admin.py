from django.contrib import admin

from accord.sales.models import (
    Activity,
    Deal,
    DealStageChange,
    OnboardingTaskItem,
    OnboardingTemplate,
    Pipeline,
    PipelineStage,
)


class StageInline(admin.TabularInline):
    model = PipelineStage
    extra = 0
    readonly_fields = ("archived_at",)  # archived and restored by the pipeline actions only


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default")
    inlines = [StageInline]


class StageChangeInline(admin.TabularInline):
    model = DealStageChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_stage", "to_stage", "changed_at", "changed_by", "reason")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # history is written by the sales actions only


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("name", "pipeline", "stage", "status", "amount", "expected_close", "owner")
    list_filter = ("pipeline", "status", "stage")
    search_fields = ("name",)
    raw_id_fields = ("contact", "company", "owner", "source_campaign", "competitor")
    inlines = [StageChangeInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject", "owner", "contact", "due_at", "done_at")
    list_filter = ("kind",)
    search_fields = ("subject",)
    raw_id_fields = ("contact", "company", "deal", "owner")


class OnboardingItemInline(admin.TabularInline):
    model = OnboardingTaskItem
    extra = 1


@admin.register(OnboardingTemplate)
class OnboardingTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default", "follow_up_days")
    inlines = [OnboardingItemInline]
