"""Who may see and change scoring, as :mod:`accord.accounts.permissions` decides it
(``Resource.SCORING_RULE``).

Seeing rules, scores and the win model needs the scoring-rule view grant (every role has it).
Changing rules or the threshold, starting a recompute or a retrain needs the scoring-rule change
grant (marketing managers and admins, superusers included as they act as admins).
"""

from __future__ import annotations

from typing import Any

from accord.accounts.permissions import Action, PermissionDenied, Resource, can
from accord.core.errors import Forbidden


def can_view(user: Any) -> bool:
    return can(user, Action.VIEW, Resource.SCORING_RULE)


def can_manage(user: Any) -> bool:
    return can(user, Action.CHANGE, Resource.SCORING_RULE)


def check_view(user: Any) -> None:
    if not can_view(user):
        raise PermissionDenied(Action.VIEW, Resource.SCORING_RULE)


def check_manage(user: Any) -> None:
    if not can_manage(user):
        raise Forbidden("Only admins and marketing managers can change lead scoring.")
