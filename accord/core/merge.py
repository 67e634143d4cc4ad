"""Hooks that run when two contacts are merged.

``contacts.actions.merge_contacts`` moves what contacts owns (identities, fields, properties)
and then calls every registered hook with ``(primary_id, duplicate_id)`` inside the same
transaction, so apps above contacts (tracking, sales, lifecycle, …) move their own rows without
contacts importing them. Apps register in ``AppConfig.ready``, like :mod:`accord.core.timeline`.

A hook must move (or deliberately drop) every row of its app that points at the duplicate: the
merge refuses to delete a duplicate that still has rows which would be cascade-deleted.
"""

from __future__ import annotations

from collections.abc import Callable

MergeHook = Callable[[int, int], None]
_hooks: dict[str, MergeHook] = {}


def register_hook(name: str, hook: MergeHook) -> None:
    """Register ``hook(primary_id, duplicate_id)`` under a unique name (idempotent)."""
    _hooks[name] = hook


def run_hooks(primary_id: int, duplicate_id: int) -> list[str]:
    """Call every hook, in name order, and return the names called."""
    names = sorted(_hooks)
    for name in names:
        _hooks[name](primary_id, duplicate_id)
    return names
