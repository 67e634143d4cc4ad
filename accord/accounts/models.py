"""Users, teams, roles and API keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    MARKETER = "marketer", "Marketer"
    SDR = "sdr", "Sales development rep"
    ACCOUNT_EXECUTIVE = "ae", "Account executive"
    SALES_MANAGER = "sales_manager", "Sales manager"
    MARKETING_MANAGER = "marketing_manager", "Marketing manager"
    ADMIN = "admin", "Admin (RevOps)"


class Team(models.Model):
    class Kind(models.TextChoices):
        MARKETING = "marketing", "Marketing"
        SALES = "sales", "Sales"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    manager = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.MARKETER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    title = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def effective_role(self) -> str:
        """Superusers act as admins whatever their stored role."""
        return Role.ADMIN if self.is_superuser else self.role


class ApiKey(models.Model):
    """A per-user API key. Only a SHA-256 hash of the secret is stored.

    Keys are 256-bit random secrets, so a fast hash is the right tool (a slow password hash
    would cost every API request tens of milliseconds without adding safety).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    hashed_secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def owner_id(self) -> int:
        """Keys are owned by their user (for the permission module's ownership test)."""
        return self.user_id


class Notification(models.Model):
    """An in-app notice for one user (new lead assigned, SLA breached, approval requested…).

    ``key`` makes a notice idempotent: notifying the same user twice with the same key stores one row
    and sends one email (e.g. an SLA escalation fires once even when the check runs again).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, help_text="e.g. lead_assigned, sla_breach, approval_requested")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="A path inside Accord.")
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notification_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_id(self) -> int:
        return self.user_id
