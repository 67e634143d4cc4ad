"""Who may see and change scoring — the one place that decides, on top of
:mod:`accord.accounts.permissions`.

Seeing scores and rules follows the contact view grant. Changing rules, the threshold, starting a
recompute or a retrain is for admins and marketing managers: it needs the contact change grant *and*
one of those roles. (A ``Resource.SCORING_RULE`` in the permission matrix would replace the role test.)
"""

from __future__ import annotations

from typing import Any

from accord.accounts.models import Role
from accord.accounts.permissions import Action, PermissionDenied, Resource, can
from accord.core.errors import Forbidden

MANAGER_ROLES = frozenset({Role.ADMIN, Role.MARKETING_MANAGER})


def can_view(user: Any) -> bool:
    return can(user, Action.VIEW, Resource.CONTACT)


def can_manage(user: Any) -> bool:
    return (
        can(user, Action.CHANGE, Resource.CONTACT) and getattr(user, "effective_role", None) in MANAGER_ROLES
    )


def check_view(user: Any) -> None:
    if not can_view(user):
        raise PermissionDenied(Action.VIEW, Resource.CONTACT)


def check_manage(user: Any) -> None:
    if not can_manage(user):
        raise Forbidden("Only admins and marketing managers can change lead scoring.")
