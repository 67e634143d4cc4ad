"""Who may import, export and see an import, decided by :mod:`accord.accounts.permissions`.

- Export contacts/companies: ``VIEW`` on that resource (an ``OWN`` view grant exports own records).
- Import: ``ADD`` on that resource. Updating existing records (``on_duplicate="update"``) also
  needs ``CHANGE``: with an ``OWN`` grant only records the importer owns are updated, the others
  are reported row by row; without ``CHANGE`` only "skip" is offered.
- An import job (its page, its error report, cancel, resume) belongs to its uploader; users whose
  ``CHANGE`` grant covers every record of that kind (``ALL``) may see and manage everyone's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accord.accounts.models import User
from accord.accounts.permissions import ALL, OWN, Action, Resource, can, grant
from accord.contacts.bulk import MayChange
from accord.integrations.models import ImportJob


def resource_for(object_type: str) -> Resource:
    return Resource.COMPANY if object_type == ImportJob.ObjectType.COMPANY else Resource.CONTACT


def _can(user: Any, action: Action, resource: Resource, obj: Any = None) -> bool:
    # permissions._Actor types is_authenticated as an attribute, django-stubs as a property.
    return can(user, action, resource, obj)


def _grant(user: Any, action: Action, resource: Resource) -> str | None:
    return grant(user, action, resource)


def may_import(user: User, object_type: str | None = None) -> bool:
    types = [object_type] if object_type else list(ImportJob.ObjectType.values)
    return any(_can(user, Action.ADD, resource_for(t)) for t in types)


def importable_types(user: User) -> list[tuple[str, str]]:
    return [(value, label) for value, label in ImportJob.ObjectType.choices if may_import(user, value)]


def may_export(user: User, object_type: str) -> bool:
    return _can(user, Action.VIEW, resource_for(object_type))


def exports_own_only(user: User, object_type: str) -> bool:
    return _grant(user, Action.VIEW, resource_for(object_type)) == OWN


def may_update_existing(user: User, object_type: str) -> bool:
    return _can(user, Action.CHANGE, resource_for(object_type))


def may_change_for(user: User | None, object_type: str) -> MayChange | None:
    """The per-record test an update-mode import applies (None: every record may be changed)."""
    if user is None:  # the command line: an operator of the installation
        return None
    scope = _grant(user, Action.CHANGE, resource_for(object_type))
    if scope == ALL:
        return None
    if scope == OWN:
        user_id = user.pk
        return lambda owner_id: owner_id is not None and owner_id == user_id
    return lambda owner_id: False


def may_see_job(user: User, job: ImportJob) -> bool:
    resource = resource_for(job.object_type)
    if not _can(user, Action.VIEW, resource):
        return False
    if job.uploaded_by_id is not None and job.uploaded_by_id == user.pk:
        return True
    return _grant(user, Action.CHANGE, resource) == ALL


def may_manage_job(user: User, job: ImportJob) -> bool:
    """Cancel or resume: the uploader (who may still import), or someone who sees every job."""
    return may_see_job(user, job) and may_import(user, job.object_type)


def visible_jobs(user: User) -> QuerySet[ImportJob]:
    """The jobs ``user`` may list."""
    query = Q(pk__in=[])
    for object_type in ImportJob.ObjectType.values:
        resource = resource_for(object_type)
        if not _can(user, Action.VIEW, resource):
            continue
        if _grant(user, Action.CHANGE, resource) == ALL:
            query |= Q(object_type=object_type)
        else:
            query |= Q(object_type=object_type, uploaded_by=user)
    return ImportJob.objects.filter(query)
