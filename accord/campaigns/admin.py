from django.contrib import admin
from django.http import HttpRequest

from accord.campaigns.models import (
    Affiliate,
    AffiliateConversion,
    BrandMention,
    Campaign,
    CampaignCost,
    EventRegistration,
    EventSession,
    TrackingLink,
    UtmRule,
)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "status", "budget", "start_date", "end_date", "owner")
    list_filter = ("channel", "status")
    search_fields = ("name", "utm_campaign")


@admin.register(CampaignCost)
class CampaignCostAdmin(admin.ModelAdmin):
    list_display = ("campaign", "date", "amount", "category")
    list_filter = ("category",)
    raw_id_fields = ("campaign", "created_by")


@admin.register(UtmRule)
class UtmRuleAdmin(admin.ModelAdmin):
    list_display = ("campaign", "source", "medium", "name", "priority")
    raw_id_fields = ("campaign", "created_by")


@admin.register(TrackingLink)
class TrackingLinkAdmin(admin.ModelAdmin):
    """Read-only: a link's destination is fixed when it is created (the redirect's only target)."""

    list_display = ("code", "label", "campaign", "destination", "created_at")
    search_fields = ("code", "label", "destination")
    readonly_fields = ("campaign", "code", "destination", "label", "created_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Affiliate)
class AffiliateAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "status")
    list_filter = ("status",)
    search_fields = ("name", "email")


@admin.register(AffiliateConversion)
class AffiliateConversionAdmin(admin.ModelAdmin):
    list_display = ("affiliate", "campaign", "deal_amount", "commission", "status", "occurred_at")
    list_filter = ("status",)
    raw_id_fields = ("affiliate", "campaign", "link", "contact", "rule")


@admin.register(EventSession)
class EventSessionAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "starts_at", "capacity")
    raw_id_fields = ("campaign",)


@admin.register(EventRegistration)
class EventRegistrationAdmin(admin.ModelAdmin):
    list_display = ("session", "contact", "email", "attended", "checked_in_at")
    raw_id_fields = ("session", "contact")


@admin.register(BrandMention)
class BrandMentionAdmin(admin.ModelAdmin):
    list_display = ("source", "channel", "campaign", "sentiment", "reach", "occurred_at")
    list_filter = ("channel", "sentiment")
    search_fields = ("source", "title", "external_id")
    raw_id_fields = ("campaign",)
