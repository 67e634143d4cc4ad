"""The campaigns app's tables, one module per concept; import them from here."""

from accord.campaigns.models.affiliates import (
    Affiliate,
    AffiliateConversion,
    AffiliateLink,
    CommissionRule,
)
from accord.campaigns.models.campaigns import (
    Campaign,
    CampaignCost,
    Channel,
    CostCategory,
    UtmRule,
)
from accord.campaigns.models.events import EventRegistration, EventSession
from accord.campaigns.models.links import MAX_DESTINATION_LENGTH, LinkClick, TrackingLink
from accord.campaigns.models.mentions import BrandMention, MentionChannel, Sentiment

__all__ = [
    "MAX_DESTINATION_LENGTH",
    "Affiliate",
    "AffiliateConversion",
    "AffiliateLink",
    "BrandMention",
    "Campaign",
    "CampaignCost",
    "Channel",
    "CommissionRule",
    "CostCategory",
    "EventRegistration",
    "EventSession",
    "LinkClick",
    "MentionChannel",
    "Sentiment",
    "TrackingLink",
    "UtmRule",
]
