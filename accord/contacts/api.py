"""REST endpoints for contacts and companies.

Each endpoint validates input (schemas), checks permission (:mod:`accord.accounts.permissions`),
and calls one or two actions from :mod:`accord.contacts.actions` inside one transaction.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from accord.accounts.api_auth import api_user
from accord.accounts.models import User
from accord.accounts.permissions import OWN, Action, Resource, check, grant
from accord.contacts import actions
from accord.contacts.models import Company, Contact
from accord.contacts.schemas import (
    CompanyCreate,
    CompanyOut,
    CompanyQuery,
    CompanyUpdate,
    ContactCreate,
    ContactOut,
    ContactQuery,
    ContactUpdate,
)
from accord.core.api_support import Page, error_responses, paginate
from accord.core.errors import Invalid, NotFound
from accord.lifecycle.actions import StageChangeError

router = Router()
M = TypeVar("M", bound=Model)

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


def _check(user: User, action: Action, resource: Resource, obj: Contact | Company | None = None) -> None:
    # permissions._Actor declares ``is_authenticated`` as a settable attribute while Django's User
    # has a read-only property, so mypy refuses a typed User; the runtime rule is the same.
    check(user, action, resource, obj)


def _get(queryset: QuerySet[M], pk: int, label: str) -> M:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{label} {pk} does not exist.")
    return obj


def _visible(user: User, resource: Resource, queryset: QuerySet[M]) -> QuerySet[M]:
    """Records ``user`` may list: all of them, or only their own for an ``OWN`` view grant."""
    _check(user, Action.VIEW, resource)
    return queryset.filter(owner=user) if grant(user, Action.VIEW, resource) == OWN else queryset


def _resolve_references(data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``owner_id`` / ``company_id`` into the rows the actions take; 422 if they don't exist."""
    errors: dict[str, list[str]] = {}
    for field, model, label in (("owner_id", User, "user"), ("company_id", Company, "company")):
        if field not in data:
            continue
        pk = data.pop(field)
        obj = model.objects.filter(pk=pk).first() if pk is not None else None
        if pk is not None and obj is None:
            errors[field] = [f"There is no {label} with id {pk}."]
        data[field.removesuffix("_id")] = obj
    if errors:
        raise Invalid("Some fields are not valid.", field_errors=errors)
    return data


# ------------------------------------------------------------------ contacts
@router.get(
    "/contacts", response={200: Page[ContactOut], **error_responses(401, 403, 422)}, tags=["contacts"]
)
def list_contacts(request: HttpRequest, query: Query[ContactQuery]) -> dict[str, Any]:
    """Contacts, newest first."""
    contacts = _visible(api_user(request), Resource.CONTACT, Contact.objects.all())
    if query.q:
        for term in query.q.split():
            contacts = contacts.filter(
                Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
            )
    if query.lifecycle_stage:
        contacts = contacts.filter(lifecycle_stage=query.lifecycle_stage)
    if query.owner_id is not None:
        contacts = contacts.filter(owner_id=query.owner_id)
    if query.company_id is not None:
        contacts = contacts.filter(company_id=query.company_id)
    return paginate(request, contacts, query)


@router.post("/contacts", response={201: ContactOut, **WRITE_ERRORS}, tags=["contacts"])
def create_contact(request: HttpRequest, payload: ContactCreate) -> Status[Contact]:
    user = api_user(request)
    _check(user, Action.ADD, Resource.CONTACT)
    data = _resolve_references(payload.model_dump(exclude_unset=True))
    with transaction.atomic():
        contact = actions.create_contact(by=user, **data)
    return Status(201, contact)


@router.get("/contacts/{int:contact_id}", response={200: ContactOut, **READ_ERRORS}, tags=["contacts"])
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    contact = _get(Contact.objects.all(), contact_id, "Contact")
    _check(api_user(request), Action.VIEW, Resource.CONTACT, contact)
    return contact


@router.patch("/contacts/{int:contact_id}", response={200: ContactOut, **WRITE_ERRORS}, tags=["contacts"])
def update_contact(request: HttpRequest, contact_id: int, payload: ContactUpdate) -> Contact:
    """Change the fields sent. A `lifecycle_stage` change is recorded in the stage history."""
    user = api_user(request)
    data = payload.model_dump(exclude_unset=True)
    stage = data.pop("lifecycle_stage", None)
    reason = data.pop("stage_reason", None) or ""
    if reason and stage is None:
        raise Invalid(
            "stage_reason is only used with lifecycle_stage.",
            field_errors={"stage_reason": ["Send it together with lifecycle_stage."]},
        )
    with transaction.atomic():
        contact = _get(Contact.objects.select_for_update(), contact_id, "Contact")
        _check(user, Action.CHANGE, Resource.CONTACT, contact)
        fields = _resolve_references(data)
        if fields:
            actions.update_contact(contact, by=user, **fields)
        if stage is not None:
            try:
                actions.set_contact_stage(
                    contact, stage, by=user, reason=reason, allow_backwards=bool(reason)
                )
            except StageChangeError as exc:
                raise Invalid(
                    str(exc), field_errors={"lifecycle_stage": [str(exc)]}, code="invalid_stage_change"
                ) from exc
    contact.refresh_from_db()
    return contact


@router.delete("/contacts/{int:contact_id}", response={204: None, **READ_ERRORS}, tags=["contacts"])
def delete_contact(request: HttpRequest, contact_id: int) -> Status[None]:
    user = api_user(request)
    with transaction.atomic():
        contact = _get(Contact.objects.select_for_update(), contact_id, "Contact")
        _check(user, Action.DELETE, Resource.CONTACT, contact)
        actions.delete_contact(contact)
    return Status(204, None)


# ------------------------------------------------------------------ companies
@router.get(
    "/companies", response={200: Page[CompanyOut], **error_responses(401, 403, 422)}, tags=["companies"]
)
def list_companies(request: HttpRequest, query: Query[CompanyQuery]) -> dict[str, Any]:
    """Companies by name."""
    companies = _visible(api_user(request), Resource.COMPANY, Company.objects.all())
    if query.q:
        for term in query.q.split():
            companies = companies.filter(Q(name__icontains=term) | Q(domain__icontains=term))
    if query.industry:
        companies = companies.filter(industry__iexact=query.industry)
    if query.owner_id is not None:
        companies = companies.filter(owner_id=query.owner_id)
    return paginate(request, companies, query)


@router.post("/companies", response={201: CompanyOut, **WRITE_ERRORS}, tags=["companies"])
def create_company(request: HttpRequest, payload: CompanyCreate) -> Status[Company]:
    user = api_user(request)
    _check(user, Action.ADD, Resource.COMPANY)
    data = _resolve_references(payload.model_dump(exclude_unset=True))
    with transaction.atomic():
        company = actions.create_company(by=user, **data)
    return Status(201, company)


@router.get("/companies/{int:company_id}", response={200: CompanyOut, **READ_ERRORS}, tags=["companies"])
def get_company(request: HttpRequest, company_id: int) -> Company:
    company = _get(Company.objects.all(), company_id, "Company")
    _check(api_user(request), Action.VIEW, Resource.COMPANY, company)
    return company


@router.patch("/companies/{int:company_id}", response={200: CompanyOut, **WRITE_ERRORS}, tags=["companies"])
def update_company(request: HttpRequest, company_id: int, payload: CompanyUpdate) -> Company:
    user = api_user(request)
    data = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        company = _get(Company.objects.select_for_update(), company_id, "Company")
        _check(user, Action.CHANGE, Resource.COMPANY, company)
        fields = _resolve_references(data)
        if fields:
            actions.update_company(company, by=user, **fields)
    company.refresh_from_db()
    return company


@router.delete("/companies/{int:company_id}", response={204: None, **READ_ERRORS}, tags=["companies"])
def delete_company(request: HttpRequest, company_id: int) -> Status[None]:
    user = api_user(request)
    with transaction.atomic():
        company = _get(Company.objects.select_for_update(), company_id, "Company")
        _check(user, Action.DELETE, Resource.COMPANY, company)
        actions.delete_company(company)
    return Status(204, None)
