from django.contrib import admin

from accord.campaigns.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "status", "budget", "start_date", "end_date", "owner")
    list_filter = ("channel", "status")
    search_fields = ("name", "utm_campaign")
