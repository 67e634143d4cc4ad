"""Column mapping: what each CSV column fills, suggested from its header, and the conversion of a
record's cells into a row for :mod:`accord.contacts.bulk`.

A mapping is a list aligned with the header: per column a target key (``"email"``,
``"property:plan"``) or ``""`` to ignore the column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from accord.accounts.models import User
from accord.contacts.bulk import CompanyRow, ContactRow
from accord.contacts.models import CompanySize, PropertyDefinition, RevenueBand
from accord.core.errors import Invalid
from accord.lifecycle.stages import LifecycleStage

PROPERTY_PREFIX = "property:"
IGNORE = ""
# A cell an export neutralised (see export.py): the quote is dropped again on import.
_NEUTRALISED = re.compile(r"'[=+\-@\t\r]")
_TRUE = frozenset({"true", "yes", "y", "1", "on", "x"})
_FALSE = frozenset({"false", "no", "n", "0", "off"})


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    group: str = "Fields"


CONTACT_TARGETS: tuple[Target, ...] = (
    Target("email", "Email", ("email", "e mail", "email address", "e mail address", "mail", "work email")),
    Target("first_name", "First name", ("first name", "firstname", "first", "given name", "forename")),
    Target("last_name", "Last name", ("last name", "lastname", "last", "surname", "family name")),
    Target("full_name", "Full name (split at the first space)", ("name", "full name", "fullname", "contact name")),
    Target("phone", "Phone", ("phone", "phone number", "telephone", "tel", "mobile", "mobile phone")),
    Target("title", "Job title", ("title", "job title", "position", "job")),
    Target("company", "Company name", ("company", "company name", "organisation", "organization", "account", "account name")),
    Target("domain", "Company domain", ("domain", "company domain", "website", "company website", "web site", "url")),
    Target("country", "Country (two-letter code)", ("country", "country code")),
    Target("lifecycle_stage", "Lifecycle stage", ("stage", "lifecycle stage", "lifecycle", "lifecyclestage", "lifecycle stage value")),
    Target("owner_email", "Owner (user's email)", ("owner email", "owner", "contact owner", "owner e mail")),
)  # fmt: skip
COMPANY_TARGETS: tuple[Target, ...] = (
    Target("name", "Name", ("name", "company", "company name", "organisation", "organization", "account name")),
    Target("domain", "Domain", ("domain", "company domain", "website", "web site", "url")),
    Target("industry", "Industry", ("industry", "sector")),
    Target("size", "Size (employees)", ("size", "company size", "employees", "headcount")),
    Target("revenue_band", "Revenue band", ("revenue band", "revenue", "annual revenue")),
    Target("country", "Country (two-letter code)", ("country", "country code")),
    Target("lifecycle_stage", "Lifecycle stage", ("stage", "lifecycle stage", "lifecycle")),
    Target("owner_email", "Owner (user's email)", ("owner email", "owner", "company owner")),
)  # fmt: skip


def normalise_header(name: str) -> str:
    return " ".join(re.sub(r"[_\-./:]+", " ", name.lower()).split())


def targets_for(object_type: str) -> list[Target]:
    """Standard fields, then the custom properties defined for ``object_type``."""
    base = CONTACT_TARGETS if object_type == PropertyDefinition.ObjectType.CONTACT else COMPANY_TARGETS
    props = [
        Target(
            f"{PROPERTY_PREFIX}{d.key}",
            d.label,
            (normalise_header(d.key), normalise_header(d.label), normalise_header(f"properties.{d.key}")),
            group="Custom properties",
        )
        for d in PropertyDefinition.objects.filter(object_type=object_type).order_by("label")
    ]
    return [*base, *props]


def suggest(headers: Sequence[str], targets: Sequence[Target]) -> list[str]:
    """A target per column by its header name; each target for one column at most (the first)."""
    by_name: dict[str, str] = {}
    for target in targets:
        for synonym in target.synonyms:
            by_name.setdefault(synonym, target.key)
    used: set[str] = set()
    out = []
    for header in headers:
        key = by_name.get(normalise_header(header), IGNORE)
        if key in used:
            key = IGNORE
        used.add(key)
        out.append(key)
    return out


def check_mapping(
    object_type: str, headers: Sequence[str], mapping: Sequence[str], targets: Sequence[Target]
) -> None:
    """Raise :class:`Invalid` (``field_errors`` keyed ``col-<index>`` or ``__all__``) unless usable."""
    if len(mapping) != len(headers):
        raise Invalid(f"The mapping has {len(mapping)} entries for {len(headers)} columns.")
    known = {t.key: t for t in targets}
    errors: dict[str, list[str]] = {}
    first: dict[str, int] = {}
    for i, key in enumerate(mapping):
        if key == IGNORE:
            continue
        if key not in known:
            errors[f"col-{i}"] = [f"Unknown field {key!r} for column {headers[i]!r}."]
        elif key in first:
            errors[f"col-{i}"] = [
                f"{known[key].label} is already filled from column {headers[first[key]]!r}; "
                "map each field from one column only."
            ]
        else:
            first[key] = i
    if object_type == PropertyDefinition.ObjectType.CONTACT and "email" not in first:
        errors["__all__"] = [
            "Map a column to Email: contacts are matched and created by their email address."
        ]
    if object_type == PropertyDefinition.ObjectType.COMPANY and not {"name", "domain"} & first.keys():
        errors["__all__"] = ["Map a column to Name or Domain: companies are matched by domain, else by name."]
    if errors:
        message = errors.get("__all__", ["Some columns are not mapped correctly."])[0]
        raise Invalid(message, field_errors=errors)


def mapping_from_names(headers: Sequence[str], names: Mapping[str, Any]) -> list[str]:
    """A mapping from ``{header: target}`` (the CLI's ``--mapping`` JSON); other columns ignored."""
    lowered = {h.lower(): i for i, h in enumerate(headers)}
    out = [IGNORE] * len(headers)
    for header, key in names.items():
        i = lowered.get(str(header).strip().lower())
        if i is None:
            raise Invalid(f"The mapping names a column {header!r} that is not in the header row.")
        out[i] = "" if key in (None, "", "ignore") else str(key)
    return out


# ---------------------------------------------------------------- cell conversion
def clean_cell(value: str) -> str:
    value = value.strip()
    return value[1:] if value[:1] == "'" and _NEUTRALISED.match(value) else value


class _Choices:
    """Accepts a choice's value or label, ignoring case (and en dashes typed as hyphens)."""

    def __init__(self, choices: Sequence[tuple[str, str]], what: str) -> None:
        self.what = what
        self.values = [str(key) for key, _ in choices]
        self.lookup: dict[str, str] = {}
        for key, label in choices:
            self.lookup[str(key).lower()] = str(key)
            self.lookup[str(label).lower().replace("–", "-")] = str(key)

    def __call__(self, value: str) -> str:
        found = self.lookup.get(value.lower().replace("–", "-"))
        if found is None:
            raise ValueError(f"{self.what} {value!r} is not one of {', '.join(self.values)}")
        return found


_STAGES = _Choices(LifecycleStage.choices, "stage")
_SIZES = _Choices(CompanySize.choices, "size")
_REVENUE_BANDS = _Choices(RevenueBand.choices, "revenue band")


def stage_value(value: str) -> str:
    try:
        return _STAGES(value)
    except ValueError:
        stages = ", ".join(_STAGES.values)
        raise ValueError(f"stage {value!r} is not a lifecycle stage (use one of {stages})") from None


def property_value(defn: PropertyDefinition, value: str) -> Any:
    """A cell's text as the property's type; ValueError says what is expected."""
    kind = defn.type
    if kind == PropertyDefinition.Type.NUMBER:
        try:
            number = Decimal(value.replace(" ", ""))
        except InvalidOperation as exc:
            raise ValueError(f"{defn.label} must be a number (got {value!r})") from exc
        if not number.is_finite():
            raise ValueError(f"{defn.label} must be a number (got {value!r})")
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == PropertyDefinition.Type.BOOLEAN:
        lowered = value.lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        raise ValueError(f"{defn.label} must be yes or no (got {value!r})")
    if kind == PropertyDefinition.Type.DATE:
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise ValueError(f"{defn.label} must be a date like 2026-01-31 (got {value!r})") from exc
    if kind == PropertyDefinition.Type.CHOICE:
        for choice in defn.choices:
            if str(choice).lower() == value.lower():
                return choice
        raise ValueError(f"{defn.label} {value!r} is not one of {', '.join(map(str, defn.choices))}")
    if len(value) > 1000:
        raise ValueError(f"{defn.label} is {len(value):,} characters long; the limit is 1000")
    return value


Setter = Callable[[Any, str], None]


@dataclass(frozen=True)
class ConverterSpec:
    """What a :class:`RowConverter` checks cells against, loaded once per run (no queries per row)."""

    object_type: str
    headers: tuple[str, ...]
    mapping: tuple[str, ...]
    owners: tuple[tuple[str, int], ...]  # (lower-cased email, id) of active users
    definitions: tuple[dict[str, Any], ...]  # custom properties: key, label, type, choices

    @classmethod
    def load(cls, object_type: str, headers: Sequence[str], mapping: Sequence[str]) -> ConverterSpec:
        """The spec for a mapping, with today's users and custom properties."""
        users = User.objects.filter(is_active=True).exclude(email="").order_by("pk")
        definitions = PropertyDefinition.objects.filter(object_type=object_type).order_by("key")
        return cls(
            object_type=object_type,
            headers=tuple(headers),
            mapping=tuple(mapping),
            owners=tuple((email.lower(), pk) for email, pk in users.values_list("email", "pk")),
            definitions=tuple(dict(d) for d in definitions.values("key", "label", "type", "choices")),
        )


# Mapping targets that are plain attributes of the row, per object type.
_CONTACT_ATTRS = {
    "email": "email", "first_name": "first_name", "last_name": "last_name", "phone": "phone",
    "title": "title", "company": "company_name", "domain": "company_domain", "country": "country",
}  # fmt: skip
_COMPANY_ATTRS = {"name": "name", "domain": "domain", "industry": "industry", "country": "country"}


class RowConverter:
    """Turns a record's cells into a :class:`ContactRow` / :class:`CompanyRow`, or problems.

    Empty cells mean "not given" (an update leaves that field alone). Rows with fewer cells than
    the header are padded (some tools drop trailing empty cells); more cells is an error.
    """

    def __init__(self, spec: ConverterSpec) -> None:
        self.contact = spec.object_type == PropertyDefinition.ObjectType.CONTACT
        self.width = len(spec.headers)
        self.headers = list(spec.headers)
        self.owners = dict(spec.owners)
        definitions = {
            d["key"]: PropertyDefinition(object_type=spec.object_type, **d) for d in spec.definitions
        }
        mapping = spec.mapping
        # (column, attribute to set as it is, or a setter that converts); attributes are set
        # directly: this loop runs for every cell of the file.
        self.columns: list[tuple[int, str | None, Setter | None]] = []
        self.full_name_column: int | None = None
        attrs = _CONTACT_ATTRS if self.contact else _COMPANY_ATTRS
        for i, key in enumerate(mapping):
            if key == "full_name" and self.contact:
                self.full_name_column = i
            elif key in attrs:
                self.columns.append((i, attrs[key], None))
            elif key:
                self.columns.append((i, None, self._setter(key, definitions)))

    def _setter(self, key: str, definitions: Mapping[str, PropertyDefinition]) -> Setter:
        if key == "lifecycle_stage":
            return lambda row, value: setattr(row, "lifecycle_stage", stage_value(value))
        if key == "owner_email":
            return self._set_owner
        if key == "size":
            return lambda row, value: setattr(row, "size", _SIZES(value))
        if key == "revenue_band":
            return lambda row, value: setattr(row, "revenue_band", _REVENUE_BANDS(value))
        if key.startswith(PROPERTY_PREFIX):
            name = key.removeprefix(PROPERTY_PREFIX)
            defn = definitions.get(name)
            if defn is None:

                def gone(row: Any, value: str) -> None:
                    raise ValueError(f"custom property {name!r} no longer exists")

                return gone
            return lambda row, value: row.properties.__setitem__(name, property_value(defn, value))
        raise ValueError(f"unknown field {key!r}")

    def _set_owner(self, row: Any, value: str) -> None:
        owner = self.owners.get(value.lower())
        if owner is None:
            raise ValueError(f"owner {value!r} is not the email of an active Accord user")
        row.owner_id = owner

    def convert(self, cells: list[str]) -> ContactRow | CompanyRow | list[str] | None:
        """The row, a list of problems, or None for a blank line."""
        width = self.width
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            return [
                f"has {len(cells)} values but the header has {width} columns "
                "(is a value with the delimiter in it missing its quotes?)"
            ]
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        row: ContactRow | CompanyRow = ContactRow(ref=0, email="") if self.contact else CompanyRow(ref=0)
        problems: list[str] = []
        given = False
        for i, attr, setter in self.columns:
            value = cells[i].strip()
            if not value:
                continue
            if value[0] == "'" and _NEUTRALISED.match(value):
                value = value[1:]
            given = True
            if "\x00" in value:
                problems.append(f"column {self.headers[i]!r} contains a NUL character")
            elif attr is not None:
                setattr(row, attr, value)
            elif setter is not None:
                try:
                    setter(row, value)
                except ValueError as exc:
                    problems.append(str(exc))
        if self.full_name_column is not None and isinstance(row, ContactRow):
            full_name = clean_cell(cells[self.full_name_column])
            if full_name:
                given = True
                first, _, last = full_name.partition(" ")
                row.first_name = row.first_name if row.first_name is not None else first
                row.last_name = row.last_name if row.last_name is not None else last.strip()
        if not given and not any(c.strip() for c in cells):
            return None
        return problems or row
