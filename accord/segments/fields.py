"""The allow-list of what a segment filter may look at: fields, their kinds and their operators.

A filter condition names a field by its public key (``lifecycle_stage``, ``company.size``,
``properties.plan``) and an operator. Nothing else reaches the compiler: an unknown key or an
operator the field's kind does not offer is refused while parsing (:mod:`accord.segments.filters`).

Custom properties come from ``contacts.PropertyDefinition`` rows; scores from the ``scoring`` app's
``ContactScore`` table once that app defines it (:data:`SCORE_LOOKUPS` is the one place that knows
its shape).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.apps import apps

from accord.contacts.models import CompanySize, PropertyDefinition, RevenueBand
from accord.lifecycle.stages import LifecycleStage


class Kind(StrEnum):
    """What a field holds; decides its operators and how values are read."""

    TEXT = "text"
    CHOICE = "choice"
    NUMBER = "number"
    DATETIME = "datetime"  # a timestamp column; compared by UTC calendar day
    DATE = "date"  # an ISO date string in a custom property
    BOOLEAN = "boolean"
    USER = "user"  # a user id (the owner)


class Op(StrEnum):
    EQ = "eq"
    NEQ = "neq"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    STARTS_WITH = "starts_with"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    BETWEEN = "between"
    IS_NULL = "is_null"
    IS_NOT_NULL = "is_not_null"
    BEFORE = "before"
    AFTER = "after"
    WITHIN_LAST_DAYS = "within_last_days"


# Operators that are the complement of another one; the compiler negates the positive form.
NEGATIONS: dict[Op, Op] = {
    Op.NEQ: Op.EQ,
    Op.NOT_IN: Op.IN,
    Op.NOT_CONTAINS: Op.CONTAINS,
    Op.IS_NOT_NULL: Op.IS_NULL,
}
NO_VALUE_OPS = frozenset({Op.IS_NULL, Op.IS_NOT_NULL})
LIST_OPS = frozenset({Op.IN, Op.NOT_IN})

OPS_BY_KIND: dict[Kind, tuple[Op, ...]] = {
    Kind.TEXT: (
        Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.CONTAINS, Op.NOT_CONTAINS, Op.STARTS_WITH,
        Op.IS_NULL, Op.IS_NOT_NULL,
    ),
    Kind.CHOICE: (Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.IS_NULL, Op.IS_NOT_NULL),
    Kind.NUMBER: (
        Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN, Op.IN, Op.NOT_IN,
        Op.IS_NULL, Op.IS_NOT_NULL,
    ),
    Kind.DATETIME: (Op.EQ, Op.BEFORE, Op.AFTER, Op.BETWEEN, Op.WITHIN_LAST_DAYS),
    Kind.DATE: (Op.EQ, Op.BEFORE, Op.AFTER, Op.BETWEEN, Op.WITHIN_LAST_DAYS, Op.IS_NULL, Op.IS_NOT_NULL),
    Kind.BOOLEAN: (Op.EQ, Op.NEQ, Op.IS_NULL, Op.IS_NOT_NULL),
    Kind.USER: (Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.IS_NULL, Op.IS_NOT_NULL),
}  # fmt: skip

# Words the builder shows for each operator, per kind where the word differs.
OP_LABELS: dict[Op, str] = {
    Op.EQ: "is",
    Op.NEQ: "is not",
    Op.IN: "is any of",
    Op.NOT_IN: "is none of",
    Op.CONTAINS: "contains",
    Op.NOT_CONTAINS: "does not contain",
    Op.STARTS_WITH: "starts with",
    Op.GT: "is greater than",
    Op.GTE: "is at least",
    Op.LT: "is less than",
    Op.LTE: "is at most",
    Op.BETWEEN: "is between",
    Op.IS_NULL: "is empty",
    Op.IS_NOT_NULL: "is set",
    Op.BEFORE: "is before",
    Op.AFTER: "is after",
    Op.WITHIN_LAST_DAYS: "is in the last … days",
}
_KIND_OP_LABELS: dict[tuple[Kind, Op], str] = {
    (Kind.DATETIME, Op.EQ): "is on",
    (Kind.DATE, Op.EQ): "is on",
    (Kind.USER, Op.IS_NULL): "is unassigned",
    (Kind.USER, Op.IS_NOT_NULL): "is assigned",
}


def op_label(kind: Kind, op: Op) -> str:
    return _KIND_OP_LABELS.get((kind, op), OP_LABELS[op])


# --------------------------------------------------------------------------- where values live
@dataclass(frozen=True)
class Column:
    """A model field reached from Contact by a Django lookup path, e.g. ``company__size``.

    ``via`` is the nullable relation on the way (``company``): when it is missing, the value is unknown.
    """

    path: str
    via: str | None = None


@dataclass(frozen=True)
class JsonKey:
    """A key of a JSON column reached from Contact, e.g. ``properties`` → ``plan``."""

    column: str
    key: str
    via: str | None = None


@dataclass(frozen=True)
class Score:
    """A column of ``scoring.ContactScore``; a contact without a score row counts as 0."""

    path: str


Source = Column | JsonKey | Score


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    group: str
    kind: Kind
    source: Source
    choices: tuple[tuple[str, str], ...] = ()
    ops: tuple[Op, ...] = ()
    normalise: Callable[[str], str] | None = field(default=None, compare=False)

    @property
    def operators(self) -> tuple[Op, ...]:
        return self.ops or OPS_BY_KIND[self.kind]

    @property
    def choice_values(self) -> frozenset[str]:
        return frozenset(value for value, _ in self.choices)


def _lower(value: str) -> str:
    return value.strip().lower()


def _upper(value: str) -> str:
    return value.strip().upper()


_CODE_OPS = (Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.IS_NULL, Op.IS_NOT_NULL)
_CONTACT, _COMPANY = "Contact", "Company"
_CUSTOM, _COMPANY_CUSTOM, _SCORE = "Contact custom property", "Company custom property", "Score"

STATIC_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("email", "Email", _CONTACT, Kind.TEXT, Column("email"), normalise=_lower),
    FieldSpec("first_name", "First name", _CONTACT, Kind.TEXT, Column("first_name")),
    FieldSpec("last_name", "Last name", _CONTACT, Kind.TEXT, Column("last_name")),
    FieldSpec("title", "Job title", _CONTACT, Kind.TEXT, Column("title")),
    FieldSpec("country", "Country", _CONTACT, Kind.TEXT, Column("country"), ops=_CODE_OPS, normalise=_upper),
    FieldSpec(
        "lifecycle_stage",
        "Lifecycle stage",
        _CONTACT,
        Kind.CHOICE,
        Column("lifecycle_stage"),
        choices=tuple(LifecycleStage.choices),
        ops=(Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN),
    ),
    FieldSpec("owner", "Owner", _CONTACT, Kind.USER, Column("owner_id")),
    FieldSpec("created_at", "Created", _CONTACT, Kind.DATETIME, Column("created_at")),
    FieldSpec("company.name", "Company name", _COMPANY, Kind.TEXT, Column("company__name", via="company")),
    FieldSpec(
        "company.domain",
        "Company domain",
        _COMPANY,
        Kind.TEXT,
        Column("company__domain", via="company"),
        normalise=_lower,
    ),
    FieldSpec(
        "company.industry", "Industry", _COMPANY, Kind.TEXT, Column("company__industry", via="company")
    ),
    FieldSpec(
        "company.size",
        "Company size",
        _COMPANY,
        Kind.CHOICE,
        Column("company__size", via="company"),
        choices=tuple(CompanySize.choices),
    ),
    FieldSpec(
        "company.revenue_band",
        "Revenue band",
        _COMPANY,
        Kind.CHOICE,
        Column("company__revenue_band", via="company"),
        choices=tuple(RevenueBand.choices),
    ),
    FieldSpec(
        "company.country",
        "Company country",
        _COMPANY,
        Kind.TEXT,
        Column("company__country", via="company"),
        ops=_CODE_OPS,
        normalise=_upper,
    ),
)

# The scoring app's table, as segments see it: public key → (label, lookup path from Contact).
SCORE_MODEL = ("scoring", "contactscore")
SCORE_LOOKUPS: dict[str, tuple[str, str]] = {
    "score": ("Score (total)", "score__total"),
    "score.fit": ("Fit score", "score__fit"),
    "score.engagement": ("Engagement score", "score__engagement"),
}
_SCORE_OPS = (Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN)

# Custom property keys usable in filters (PropertyDefinition.key is a slug).
PROPERTY_KEY_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$")
CONTACT_PROPERTY_PREFIX = "properties."
COMPANY_PROPERTY_PREFIX = "company.properties."

_PROPERTY_KINDS: dict[str, Kind] = {
    PropertyDefinition.Type.TEXT: Kind.TEXT,
    PropertyDefinition.Type.NUMBER: Kind.NUMBER,
    PropertyDefinition.Type.BOOLEAN: Kind.BOOLEAN,
    PropertyDefinition.Type.DATE: Kind.DATE,
    PropertyDefinition.Type.CHOICE: Kind.CHOICE,
}


def scores_available() -> bool:
    """Whether the scoring app has its ``ContactScore`` model yet."""
    app_label, model_name = SCORE_MODEL
    return model_name in apps.all_models.get(app_label, {})


def property_field(definition: PropertyDefinition) -> FieldSpec | None:
    """The filter field for a custom property definition; None for keys filters cannot address."""
    if not PROPERTY_KEY_RE.match(definition.key or ""):
        return None
    kind = _PROPERTY_KINDS.get(definition.type, Kind.TEXT)
    choices: tuple[tuple[str, str], ...] = ()
    if kind is Kind.CHOICE:
        choices = tuple((str(c), str(c)) for c in definition.choices or () if isinstance(c, str))
    if definition.object_type == PropertyDefinition.ObjectType.COMPANY:
        return FieldSpec(
            COMPANY_PROPERTY_PREFIX + definition.key,
            definition.label,
            _COMPANY_CUSTOM,
            kind,
            JsonKey("company__properties", definition.key, via="company"),
            choices=choices,
        )
    return FieldSpec(
        CONTACT_PROPERTY_PREFIX + definition.key,
        definition.label,
        _CUSTOM,
        kind,
        JsonKey("properties", definition.key),
        choices=choices,
    )


def score_fields() -> tuple[FieldSpec, ...]:
    return tuple(
        FieldSpec(key, label, _SCORE, Kind.NUMBER, Score(path), ops=_SCORE_OPS)
        for key, (label, path) in SCORE_LOOKUPS.items()
    )


@dataclass(frozen=True)
class Catalog:
    """Every field a filter may use, by public key."""

    fields: Mapping[str, FieldSpec]

    @classmethod
    def of(cls, specs: Iterable[FieldSpec]) -> Catalog:
        return cls({spec.key: spec for spec in specs})

    def get(self, key: str) -> FieldSpec | None:
        return self.fields.get(key)

    def grouped(self) -> list[tuple[str, list[FieldSpec]]]:
        """Fields by group, in catalogue order (for the builder's select)."""
        groups: dict[str, list[FieldSpec]] = {}
        for spec in self.fields.values():
            groups.setdefault(spec.group, []).append(spec)
        return list(groups.items())


def load_catalog() -> Catalog:
    """The catalogue for this workspace: static fields, defined custom properties and scores."""
    specs: list[FieldSpec] = list(STATIC_FIELDS)
    definitions = PropertyDefinition.objects.order_by("object_type", "label", "key")
    specs.extend(spec for spec in map(property_field, definitions) if spec is not None)
    if scores_available():
        specs.extend(score_fields())
    return Catalog.of(specs)
