"""Brand mentions: press and social coverage, counted per campaign and period."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accord.campaigns.models.campaigns import Campaign
from accord.campaigns.models.links import MAX_DESTINATION_LENGTH


class MentionChannel(models.TextChoices):
    PR = "pr", "PR / press"
    SOCIAL = "social", "Social media"
    BLOG = "blog", "Blog"
    FORUM = "forum", "Forum / community"
    NEWS = "news", "News"


class Sentiment(models.IntegerChoices):
    NEGATIVE = -1, "Negative"
    NEUTRAL = 0, "Neutral"
    POSITIVE = 1, "Positive"


class BrandMention(models.Model):
    """One mention of the brand somewhere. Ingest is idempotent on ``external_id`` (a unique
    constraint): the same mention sent twice is stored once."""

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    channel = models.CharField(max_length=10, choices=MentionChannel.choices)
    source = models.CharField(max_length=200, help_text="Publication, network or site, e.g. TechCrunch.")
    url = models.CharField(max_length=MAX_DESTINATION_LENGTH, blank=True)
    title = models.CharField(max_length=500, blank=True)
    sentiment = models.SmallIntegerField(choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    reach = models.PositiveBigIntegerField(null=True, blank=True, help_text="Audience size, if known.")
    occurred_at = models.DateTimeField()
    external_id = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "occurred_at"], name="mention_by_campaign"),
            models.Index(fields=["occurred_at"], name="mention_by_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sentiment__gte=-1, sentiment__lte=1), name="mention_sentiment_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.source} ({self.occurred_at:%Y-%m-%d})"
