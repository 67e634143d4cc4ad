"""The one place where Accord decides who may do what.

Pages and the REST API both call :func:`can` (or :func:`check`). A permission has two parts:

1. the *role grant*: what a role may do with a kind of record (``ROLE_GRANTS``), either on
   every record (``ALL``), only on records the user owns (``OWN``), or on records owned by the
   user or belonging to the user's team (``TEAM``);
2. the *ownership test*, for ``OWN`` grants: the record's ``owner_id`` is the user; for ``TEAM``
   grants also: the record's ``team_id`` is the user's team.

Anything not granted is denied.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from accord.accounts.models import Role


class Resource(StrEnum):
    CONTACT = "contact"
    COMPANY = "company"
    CAMPAIGN = "campaign"
    TOUCHPOINT = "touchpoint"
    DEAL = "deal"
    ACTIVITY = "activity"
    USER = "user"
    API_KEY = "api_key"
    WRITE_KEY = "write_key"  # tracking write keys: workspace-wide, not per user
    FORM = "form"  # web forms and gated content
    LEAD = "lead"  # an MQL's assignment in the handoff: inbox, verdict, BANT
    ROUTING = "routing"  # routing rules, SLA policies, rep capacity and availability
    PRODUCT = "product"  # catalog: products, price lists, positioning, competitors, battle cards
    QUOTE = "quote"  # quotes and discount approvals (APPROVE)
    PIPELINE = "pipeline"  # pipelines and their stages (probability, rotting days)
    SEGMENT = "segment"  # segments and static lists (OWN: the segment's owner)
    SCORING_RULE = "scoring_rule"  # lead scoring: fit/engagement rules, threshold, recompute, win model


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    APPROVE = "approve"  # e.g. a discount above the threshold; never one's own request


ALL = "all"
OWN = "own"
TEAM = "team"
_Grant = dict[Action, str]

_READ = {Action.VIEW: ALL}
_FULL = {Action.VIEW: ALL, Action.ADD: ALL, Action.CHANGE: ALL, Action.DELETE: ALL}
_WORK_ALL_CHANGE_OWN = {Action.VIEW: ALL, Action.ADD: ALL, Action.CHANGE: OWN}
_WORK_ALL_NO_DELETE = {Action.VIEW: ALL, Action.ADD: ALL, Action.CHANGE: ALL}
_OWN_WORK = {Action.VIEW: ALL, Action.ADD: ALL, Action.CHANGE: OWN, Action.DELETE: OWN}
_TEAM_LEADS = {Action.VIEW: TEAM, Action.CHANGE: OWN}
_MANAGE = {**_FULL, Action.APPROVE: ALL}

ROLE_GRANTS: dict[str, dict[Resource, _Grant]] = {
    Role.MARKETER: {
        Resource.CONTACT: _WORK_ALL_NO_DELETE,
        Resource.COMPANY: _WORK_ALL_NO_DELETE,
        Resource.CAMPAIGN: _OWN_WORK,
        Resource.TOUCHPOINT: _READ,
        Resource.DEAL: _READ,
        Resource.ACTIVITY: _READ,
        Resource.FORM: _OWN_WORK,
        Resource.LEAD: _READ,
        Resource.PRODUCT: _READ,
        Resource.PIPELINE: _READ,
        Resource.SEGMENT: _OWN_WORK,
        Resource.SCORING_RULE: _READ,
    },
    Role.MARKETING_MANAGER: {
        Resource.WRITE_KEY: _FULL,
        Resource.CONTACT: _FULL,
        Resource.COMPANY: _FULL,
        Resource.CAMPAIGN: _FULL,
        Resource.TOUCHPOINT: _READ,
        Resource.DEAL: _READ,
        Resource.ACTIVITY: _READ,
        Resource.USER: _READ,
        Resource.FORM: _FULL,
        Resource.LEAD: _READ,
        Resource.ROUTING: _READ,
        Resource.PRODUCT: _FULL,
        Resource.QUOTE: _READ,
        Resource.PIPELINE: _READ,
        Resource.SEGMENT: _FULL,
        Resource.SCORING_RULE: _FULL,
    },
    Role.SDR: {
        Resource.CONTACT: _WORK_ALL_CHANGE_OWN,
        Resource.COMPANY: _WORK_ALL_CHANGE_OWN,
        Resource.CAMPAIGN: _READ,
        Resource.TOUCHPOINT: _READ,
        Resource.DEAL: _WORK_ALL_CHANGE_OWN,
        Resource.ACTIVITY: _OWN_WORK,
        Resource.FORM: _READ,
        Resource.LEAD: _TEAM_LEADS,
        Resource.ROUTING: _READ,
        Resource.PRODUCT: _READ,
        Resource.QUOTE: _READ,
        Resource.PIPELINE: _READ,
        Resource.SEGMENT: _OWN_WORK,
        Resource.SCORING_RULE: _READ,
    },
    Role.ACCOUNT_EXECUTIVE: {
        Resource.CONTACT: _WORK_ALL_CHANGE_OWN,
        Resource.COMPANY: _WORK_ALL_CHANGE_OWN,
        Resource.CAMPAIGN: _READ,
        Resource.TOUCHPOINT: _READ,
        Resource.DEAL: _OWN_WORK,
        Resource.ACTIVITY: _OWN_WORK,
        Resource.FORM: _READ,
        Resource.LEAD: _TEAM_LEADS,
        Resource.ROUTING: _READ,
        Resource.PRODUCT: _READ,
        Resource.QUOTE: _OWN_WORK,
        Resource.PIPELINE: _READ,
        Resource.SEGMENT: _OWN_WORK,
        Resource.SCORING_RULE: _READ,
    },
    Role.SALES_MANAGER: {
        Resource.CONTACT: _FULL,
        Resource.COMPANY: _FULL,
        Resource.CAMPAIGN: _READ,
        Resource.TOUCHPOINT: _READ,
        Resource.DEAL: _FULL,
        Resource.ACTIVITY: _FULL,
        Resource.USER: _READ,
        Resource.FORM: _READ,
        Resource.LEAD: _FULL,
        Resource.ROUTING: _FULL,
        Resource.PRODUCT: _FULL,
        Resource.QUOTE: _MANAGE,
        Resource.PIPELINE: _FULL,
        Resource.SEGMENT: _FULL,
        Resource.SCORING_RULE: _READ,
    },
    Role.ADMIN: dict.fromkeys(Resource, _MANAGE),
}
# Everyone manages their own API keys (and sees only those); admins manage all.
_SELF_SERVICE = {Action.VIEW: OWN, Action.ADD: ALL, Action.CHANGE: OWN, Action.DELETE: OWN}
for _grants in ROLE_GRANTS.values():
    _grants.setdefault(Resource.API_KEY, _SELF_SERVICE)


class _Owned(Protocol):
    @property
    def owner_id(self) -> Any: ...


class _Actor(Protocol):
    pk: Any
    is_active: bool

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def effective_role(self) -> str: ...


class PermissionDenied(Exception):
    def __init__(self, action: Action, resource: Resource) -> None:
        super().__init__(
            f"You do not have permission to {action.value} this {resource.value.replace('_', ' ')}."
        )
        self.action = action
        self.resource = resource


def grant(user: _Actor, action: Action, resource: Resource) -> str | None:
    """``ALL``, ``OWN`` or None for what ``user``'s role allows."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return ROLE_GRANTS.get(user.effective_role, {}).get(resource, {}).get(action)


def can(user: _Actor, action: Action, resource: Resource, obj: _Owned | None = None) -> bool:
    """May ``user`` do ``action`` on ``resource`` (or on the record ``obj`` of that kind)?

    Without ``obj`` the answer is "on at least some records" (used to show a button or a menu).
    """
    scope = grant(user, action, resource)
    if scope is None:
        return False
    if scope == ALL or obj is None:
        return True
    if obj.owner_id is not None and obj.owner_id == user.pk:
        return True
    if scope == TEAM:
        team_id = getattr(user, "team_id", None)
        return team_id is not None and getattr(obj, "team_id", None) == team_id
    return False


def check(user: _Actor, action: Action, resource: Resource, obj: _Owned | None = None) -> None:
    """Raise :class:`PermissionDenied` unless :func:`can`."""
    if not can(user, action, resource, obj):
        raise PermissionDenied(action, resource)
