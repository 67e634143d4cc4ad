"""Write operations on contacts and companies. Views and the API call these, nothing else writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from accord.accounts.models import User
from accord.contacts.bulk_sql import _pairs, _Table
from accord.contacts.models import (
    Company,
    Contact,
    ContactIdentity,
    ContactMergeRecord,
    IdentityKind,
    PropertyDefinition,
)
from accord.core import merge
from accord.core.errors import Conflict, Invalid, NotFound, from_django_validation
from accord.lifecycle.actions import change_stage, record_initial_stage, record_initial_stages
from accord.lifecycle.stages import rank

CONTACT_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "title",
    "company",
    "owner",
    "country",
    "properties",
)
COMPANY_FIELDS = (
    "name", "domain", "industry", "size", "revenue_band", "country", "owner", "properties", "lifecycle_stage",
)  # fmt: skip


def normalise_email(email: str) -> str:
    """Trim and lower-case. Emails are compared case-insensitively everywhere in Accord."""
    return email.strip().lower()


def normalise_domain(domain: str | None) -> str | None:
    if domain is None:
        return None
    d = domain.strip().lower()
    for prefix in ("https://", "http://"):
        if d.startswith(prefix):
            d = d[len(prefix) :]
    d = d.split("/", 1)[0]
    if d.startswith("www."):
        d = d[4:]
    return d or None


def _coerce_property(defn: PropertyDefinition, value: Any) -> Any:
    if value is None:
        return None
    if defn.type == PropertyDefinition.Type.NUMBER:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError("must be a number") from exc
        return int(number) if number == number.to_integral_value() else float(number)
    if defn.type == PropertyDefinition.Type.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if defn.type == PropertyDefinition.Type.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise ValueError("must be a date like 2026-01-31") from exc
    if defn.type == PropertyDefinition.Type.CHOICE:
        if value not in defn.choices:
            raise ValueError(f"must be one of {', '.join(map(str, defn.choices))}")
        return value
    if not isinstance(value, str | int | float):
        raise ValueError("must be text")
    text = str(value)
    if len(text) > 1000:
        raise ValueError("must be at most 1000 characters")
    return text


def clean_properties(object_type: str, properties: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate custom properties against their definitions; unknown keys are refused."""
    if not properties:
        return {}
    if not isinstance(properties, Mapping):
        raise Invalid(
            "Custom properties must be an object.", field_errors={"properties": ["Must be an object."]}
        )
    defs = {
        d.key: d for d in PropertyDefinition.objects.filter(object_type=object_type, key__in=list(properties))
    }
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in properties.items():
        defn = defs.get(key)
        if defn is None:
            errors[f"properties.{key}"] = [f"Unknown custom property {key!r}; define it first."]
            continue
        try:
            cleaned[key] = _coerce_property(defn, value)
        except ValueError as exc:
            errors[f"properties.{key}"] = [f"{defn.label} {exc}."]
    if errors:
        raise Invalid("Some custom properties are not valid.", field_errors=errors)
    return cleaned


def _validate_and_save(obj: Contact | Company, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise from_django_validation(exc) from exc
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        if isinstance(obj, Contact):
            raise Conflict(
                f"A contact with email {obj.email} already exists.",
                field_errors={"email": ["A contact with this email already exists."]},
                code="duplicate_email",
            ) from exc
        raise Conflict(
            f"A company with domain {obj.domain} already exists.",
            field_errors={"domain": ["A company with this domain already exists."]},
            code="duplicate_domain",
        ) from exc


def create_contact(*, by: User | None = None, lifecycle_stage: str | None = None, **fields: Any) -> Contact:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    email = fields.get("email") or ""
    fields["email"] = normalise_email(email)
    try:
        validate_email(fields["email"])
    except ValidationError as exc:
        raise Invalid(
            "Enter a valid email address.", field_errors={"email": ["Enter a valid email address."]}
        ) from exc
    fields["properties"] = clean_properties(PropertyDefinition.ObjectType.CONTACT, fields.get("properties"))
    contact = Contact(**fields)
    if lifecycle_stage:
        contact.lifecycle_stage = lifecycle_stage
    with transaction.atomic():
        _validate_and_save(contact)
        record_initial_stage(contact, by=by)
    return contact


def update_contact(contact: Contact, *, by: User | None = None, **fields: Any) -> Contact:
    """Update plain fields. Lifecycle changes go through :func:`set_contact_stage`."""
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if "email" in fields:
        fields["email"] = normalise_email(fields["email"] or "")
        try:
            validate_email(fields["email"])
        except ValidationError as exc:
            raise Invalid(
                "Enter a valid email address.", field_errors={"email": ["Enter a valid email address."]}
            ) from exc
    if "properties" in fields:
        merged = {**contact.properties, **(fields["properties"] or {})}
        fields["properties"] = {
            k: v
            for k, v in clean_properties(PropertyDefinition.ObjectType.CONTACT, merged).items()
            if v is not None
        }
    for name, value in fields.items():
        setattr(contact, name, value)
    with transaction.atomic():
        _validate_and_save(contact)
    return contact


def set_contact_stage(
    contact: Contact,
    to_stage: str,
    *,
    by: User | None = None,
    reason: str = "",
    rule: str = "",
    allow_backwards: bool = False,
) -> None:
    change_stage(contact, to_stage, by=by, rule=rule, reason=reason, allow_backwards=allow_backwards)


def delete_contact(contact: Contact) -> None:
    contact.delete()


def create_company(*, by: User | None = None, **fields: Any) -> Company:
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    fields["domain"] = normalise_domain(fields.get("domain"))
    fields["properties"] = clean_properties(PropertyDefinition.ObjectType.COMPANY, fields.get("properties"))
    company = Company(**fields)
    _validate_and_save(company)
    return company


def update_company(company: Company, *, by: User | None = None, **fields: Any) -> Company:
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if "domain" in fields:
        fields["domain"] = normalise_domain(fields["domain"])
    if "properties" in fields:
        merged = {**company.properties, **(fields["properties"] or {})}
        fields["properties"] = {
            k: v
            for k, v in clean_properties(PropertyDefinition.ObjectType.COMPANY, merged).items()
            if v is not None
        }
    for name, value in fields.items():
        setattr(company, name, value)
    _validate_and_save(company)
    return company


def delete_company(company: Company) -> None:
    company.delete()


# ---------------------------------------------------------------- identities
# Sent after commit when a merge is done: primary_id, duplicate_id, record_id.
contacts_merged = Signal()

# Free mail providers: an address there says nothing about the person's employer, so it never
# creates or matches a company. Compared on the registrable part, e.g. "mail.yahoo.com" → "yahoo.com".
PERSONAL_EMAIL_DOMAINS: frozenset[str] = frozenset(
    (
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr",
        "live.com", "live.co.uk", "msn.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de",
        "yahoo.co.jp", "ymail.com", "rocketmail.com", "aol.com", "icloud.com", "me.com", "mac.com",
        "proton.me", "protonmail.com", "pm.me", "tutanota.com", "tuta.io", "gmx.com", "gmx.de", "gmx.net",
        "web.de", "mail.com", "zoho.com", "yandex.com", "yandex.ru", "mail.ru", "inbox.ru", "qq.com",
        "163.com", "126.com", "naver.com", "fastmail.com", "hey.com",
    )
)  # fmt: skip
# Fields an identify may fill on a contact when they are blank there; never overwritten.
TRAIT_FIELDS = ("first_name", "last_name", "title", "phone")
# Fields a merge copies from the duplicate to the primary when the primary's are blank.
MERGE_FILL_FIELDS = ("first_name", "last_name", "phone", "title", "company_id", "owner_id", "country")


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def is_personal_domain(domain: str) -> bool:
    """True for free mail providers (gmail.com, outlook.com, …), including their sub-domains.
    Set look-ups of each parent domain (it is on the ingest and import hot paths)."""
    labels = domain.strip().lower().rstrip(".").split(".")
    return any(".".join(labels[i:]) in PERSONAL_EMAIL_DOMAINS for i in range(len(labels) - 1))


def company_domain_for(email: str) -> str | None:
    """The company domain an email address implies, or None for personal addresses."""
    domain = normalise_domain(email_domain(email))
    if not domain or "." not in domain or is_personal_domain(domain):
        return None
    return domain


def valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return len(email) <= 254


def contacts_for_identities(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Contact ids for ``(kind, value)`` pairs: one query per kind of identity asked for, and one
    more when emails are asked for (they match the contact's current email too).

    Emails match case-insensitively, on the contact's current email or an earlier one.
    """
    by_kind: dict[str, set[str]] = {}
    for kind, value in keys:
        if value:
            by_kind.setdefault(kind, set()).add(
                normalise_email(value) if kind == IdentityKind.EMAIL else value
            )
    found: dict[tuple[str, str], int] = {}
    for kind, values in by_kind.items():  # raw look-ups: the ORM's query building cost more
        found.update(
            ((kind, value), cid)
            for value, cid in _pairs(ContactIdentity, "value", "contact", values, kind=kind)
        )
    emails = by_kind.get(IdentityKind.EMAIL)
    if emails:
        found.update(
            ((IdentityKind.EMAIL, email), pk) for email, pk in _pairs(Contact, "email", "id", emails)
        )
    return found


def add_identities(links: Iterable[tuple[str, str, int]]) -> None:
    """Record ``(kind, value, contact_id)`` links in one insert. An id already claimed by a contact
    stays with it (first claim wins), so this never moves an id between contacts."""
    rows = [
        ContactIdentity(
            kind=kind, value=normalise_email(value) if kind == IdentityKind.EMAIL else value, contact_id=cid
        )
        for kind, value, cid in links
        if value and len(value) <= 254
    ]
    if rows:
        ContactIdentity.objects.bulk_create(rows, ignore_conflicts=True)


@dataclass
class ContactTraits:
    """What an identify (or a form) says about a person. Blank values say nothing."""

    email: str
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    phone: str = ""
    company_name: str = ""
    company_domain: str = ""

    def absorb(self, other: ContactTraits) -> None:
        """Fill this one's blanks from ``other`` (several identifies of one email in a batch)."""
        for name in (*TRAIT_FIELDS, "company_name", "company_domain"):
            if not getattr(self, name) and getattr(other, name):
                setattr(self, name, getattr(other, name))


@dataclass
class UpsertResult:
    contact_ids: dict[str, int] = field(default_factory=dict)  # normalised email → contact id
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)


def company_name_from_domain(domain: str) -> str:
    """A company's name when only its domain is known: ``acme-labs.io`` → ``Acme Labs``."""
    return domain.split(".")[0].replace("-", " ").title() or domain


def companies_for_domains(names: Mapping[str, str]) -> dict[str, int]:
    """Find or create a company for each domain (``{domain: name to use if created}``), set-based:
    one select, one insert of the missing ones, one select of what the insert (or a concurrent
    one) made. Personal mail domains are skipped."""
    wanted = {d: n for d, n in names.items() if d and not is_personal_domain(d)}
    if not wanted:
        return {}
    found: dict[str, int] = {str(d): pk for d, pk in _pairs(Company, "domain", "id", wanted)}
    missing = [d for d in wanted if d not in found]
    if missing:
        now = timezone.now()
        table = _Table(Company, ("domain", "name", "created_at", "updated_at"), ignore_conflicts=True)
        table.insert((d, (wanted[d] or company_name_from_domain(d))[:200], now, now) for d in missing)
        # a company a concurrent writer created meanwhile is found here as well
        found.update((str(d), pk) for d, pk in _pairs(Company, "domain", "id", missing))
    return found


def upsert_contacts(profiles: Sequence[ContactTraits], *, rule: str = "identify") -> UpsertResult:
    """Find or create the contact for each profile's email, and fill its blank fields from the traits.

    Set-based: whatever the number of profiles, a fixed number of queries (find by email, find or
    create companies, insert new contacts, one bulk update of the existing ones), plus one
    stage-history row per *new* contact. Traits never overwrite a value a contact already has:
    they come from visitors, so they are data to fill gaps, not the truth. Invalid emails are skipped.
    """
    merged: dict[str, ContactTraits] = {}
    for profile in profiles:
        email = normalise_email(profile.email)
        if not valid_email(email):
            continue
        if email in merged:
            merged[email].absorb(profile)
        else:
            merged[email] = ContactTraits(**{**profile.__dict__, "email": email})
    result = UpsertResult()
    if not merged:
        return result
    ids = contacts_for_identities((IdentityKind.EMAIL, e) for e in merged)
    domains: dict[str, str] = {}
    for email, traits in merged.items():
        domain = normalise_domain(traits.company_domain) or company_domain_for(email)
        if domain and not is_personal_domain(domain):
            traits.company_domain = domain
            domains.setdefault(domain, traits.company_name)
        else:
            traits.company_domain = ""
    company_ids = companies_for_domains(domains)

    existing = Contact.objects.in_bulk(
        {ids[(IdentityKind.EMAIL, e)] for e in merged if (IdentityKind.EMAIL, e) in ids}
    )
    changed: list[Contact] = []
    for email, traits in merged.items():
        cid = ids.get((IdentityKind.EMAIL, email))
        contact = existing.get(cid) if cid else None
        if contact is None:
            continue
        result.contact_ids[email] = contact.pk
        dirty = False
        for name in TRAIT_FIELDS:
            value = getattr(traits, name)
            if value and not getattr(contact, name):
                setattr(contact, name, value)
                dirty = True
        company_id = company_ids.get(traits.company_domain)
        if company_id and contact.company_id is None:
            contact.company_id = company_id
            dirty = True
        if dirty:
            changed.append(contact)
    if changed:
        Contact.objects.bulk_update(changed, [*TRAIT_FIELDS, "company"])
        result.updated = [c.pk for c in changed]

    new = [
        Contact(
            email=email,
            company_id=company_ids.get(traits.company_domain),
            **{name: getattr(traits, name) for name in TRAIT_FIELDS},
        )
        for email, traits in merged.items()
        if email not in result.contact_ids
    ]
    if new:
        created = _insert_contacts(new)
        record_initial_stages(created, rule=rule)
        for contact in created:
            result.contact_ids[contact.email] = contact.pk
            result.created.append(contact.pk)
        for contact in new:  # created meanwhile by a concurrent request: found, not created
            if contact.email not in result.contact_ids:
                found = Contact.objects.filter(email=contact.email).values_list("pk", flat=True).first()
                if found is not None:
                    result.contact_ids[contact.email] = found
    return result


def _insert_contacts(new: list[Contact]) -> list[Contact]:
    """Insert ``new`` in one statement and return them with their ids. If a concurrent request
    inserted one of the emails first, fall back to one insert per contact and return only those
    this call created."""
    try:
        with transaction.atomic():
            return Contact.objects.bulk_create(new)
    except IntegrityError:
        pass
    created = []
    for contact in new:
        contact.pk = None
        try:
            with transaction.atomic():
                contact.save(force_insert=True)
        except IntegrityError:
            continue
        created.append(contact)
    return created


# ---------------------------------------------------------------- merge
def _pk(contact: Contact | int) -> int:
    return contact if isinstance(contact, int) else int(contact.pk)


def _snapshot(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "phone": contact.phone,
        "title": contact.title,
        "company_id": contact.company_id,
        "owner_id": contact.owner_id,
        "lifecycle_stage": contact.lifecycle_stage,
        "country": contact.country,
        "properties": contact.properties,
        "created_at": contact.created_at.isoformat(),
        "identities": sorted(
            f"{kind}:{value}" for kind, value in contact.identities.values_list("kind", "value")
        ),
    }


def _rows_left_behind(contact_id: int) -> list[str]:
    """Labels of models that still point at the contact (a merge hook is missing for them)."""
    left = []
    for rel in Contact._meta.related_objects:
        if rel.related_model is ContactIdentity:
            continue
        model = rel.related_model
        if not isinstance(model, type):  # pragma: no cover - lazy string references are resolved by now
            continue
        if model._base_manager.filter(**{rel.field.name: contact_id}).exists():
            left.append(model._meta.label)
    return left


def merge_contacts(
    primary: Contact | int, duplicate: Contact | int, *, by: User | None = None, rule: str = ""
) -> ContactMergeRecord:
    """Merge ``duplicate`` into ``primary`` in one transaction and return the audit record.

    Moves the duplicate's identities (and its email, as an earlier email of the primary), fills the
    primary's blank fields from it, merges custom properties (the primary's values win), keeps the
    earlier ``created_at`` and the further lifecycle stage, and lets every app registered in
    :mod:`accord.core.merge` move its rows (touchpoints, deals, activities, stage history). Then the
    duplicate is deleted — refused if some app left rows pointing at it.

    Running it again for a pair already merged returns the existing record.
    """
    primary_id, duplicate_id = _pk(primary), _pk(duplicate)
    if primary_id == duplicate_id:
        raise Invalid("A contact cannot be merged into itself.", code="merge_into_itself")
    with transaction.atomic():
        contacts = {
            c.pk: c
            for c in Contact.objects.select_for_update()
            .filter(pk__in=[primary_id, duplicate_id])
            .order_by("pk")
        }
        if duplicate_id not in contacts:
            done = ContactMergeRecord.objects.filter(duplicate_id=duplicate_id).first()
            if done is not None and done.primary_id == primary_id:
                return done
            if done is not None:
                raise Conflict(f"Contact {duplicate_id} was already merged into another contact.")
            raise NotFound(f"There is no contact {duplicate_id}.")
        if primary_id not in contacts:
            raise NotFound(f"There is no contact {primary_id}.")
        keep, dup = contacts[primary_id], contacts[duplicate_id]
        snapshot = _snapshot(dup)

        ContactIdentity.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)
        add_identities([(IdentityKind.EMAIL, dup.email, primary_id)])
        ContactMergeRecord.objects.filter(primary_id=duplicate_id).update(primary_id=primary_id)
        merge.run_hooks(primary_id, duplicate_id)
        left = _rows_left_behind(duplicate_id)
        if left:
            raise Conflict(
                f"Cannot merge: {', '.join(left)} still point at contact {duplicate_id} (no merge hook moves them)."
            )
        Contact.objects.filter(pk=duplicate_id).delete()

        for name in MERGE_FILL_FIELDS:
            if not getattr(keep, name) and getattr(dup, name):
                setattr(keep, name, getattr(dup, name))
        keep.properties = {**(dup.properties or {}), **(keep.properties or {})}
        keep.created_at = min(keep.created_at, dup.created_at)
        keep.save(
            update_fields=[*(n.removesuffix("_id") for n in MERGE_FILL_FIELDS), "properties", "updated_at"]
        )
        Contact.objects.filter(pk=primary_id).update(created_at=keep.created_at)  # auto_now_add ignores save
        if rank(dup.lifecycle_stage) > rank(keep.lifecycle_stage):
            change_stage(keep, dup.lifecycle_stage, by=by, rule=f"merge:{rule}" if rule else "merge")
        record = ContactMergeRecord.objects.create(
            primary_id=primary_id,
            primary_email=keep.email,
            duplicate_id=duplicate_id,
            duplicate_email=dup.email,
            snapshot=snapshot,
            merged_by=by,
            rule=rule,
            merged_at=timezone.now(),
        )
    transaction.on_commit(
        lambda: contacts_merged.send(
            sender=ContactMergeRecord, primary_id=primary_id, duplicate_id=duplicate_id, record_id=record.pk
        )
    )
    return record
