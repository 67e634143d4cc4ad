"""The segment builder form: what the page edits, as plain data.

The page shows a two-level tree: groups of conditions. Contacts match *all* or *any* of the groups;
a group matches when *all*, *any* or *none* of its conditions hold. Deeper trees (from the API)
are edited as JSON. The state lives entirely in the form fields (``g0-match``, ``g0-c1-field``, …),
so the builder works as a plain HTML form; htmx only swaps the re-rendered form in place.

:func:`BuilderState.from_post` reads the fields, :meth:`BuilderState.apply` runs a button
(add/remove a condition or group), :meth:`BuilderState.to_tree` gives the JSON filter tree (then
validated by :mod:`accord.segments.filters`, whose errors are mapped back to the rows), and
:func:`BuilderState.from_tree` loads a saved filter.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from accord.core.numbers import ascii_int
from accord.segments.fields import LIST_OPS, NO_VALUE_OPS, Catalog, Kind, Op, op_label

ROW_KINDS = ("field", "event", "campaign", "segment")
GROUP_MATCHES = ("all", "any", "none")
_ROW_KEY = re.compile(r"^g([0-9]{1,3})-c([0-9]{1,3})-kind$")
_GROUP_KEY = re.compile(r"^g([0-9]{1,3})-match$")
MAX_ROWS = 100


@dataclass
class Row:
    kind: str = "field"
    field: str = "lifecycle_stage"
    op: str = ""
    value: list[str] = dataclasses.field(default_factory=list)  # one text box, or a multiple select
    value2: str = ""
    event_type: str = "page"
    event_name: str = ""
    prop_key: str = ""
    prop_op: str = "contains"
    prop_value: str = ""
    count_op: str = "gte"
    count: str = "1"
    days: str = ""
    ref: str = ""  # campaign or segment id
    negate: bool = False
    errors: list[str] = dataclasses.field(default_factory=list)
    # Set by BuilderState.normalise for the template: field names and the widgets to show.
    prefix: str = ""
    ops: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    choices: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    widget: str = "text"  # none, text, list, number, date, days, boolean, choice, choices, user, users
    between: bool = False

    @property
    def text_value(self) -> str:
        return ", ".join(self.value)

    @property
    def is_blank(self) -> bool:
        """Nothing typed or chosen yet where the condition needs it (a row just added)."""
        if self.kind in ("campaign", "segment"):
            return not self.ref
        if self.kind == "event":
            return False
        if self.widget == "none":
            return False
        return not self.value or (self.between and not self.value2)


@dataclass
class Group:
    match: str = "all"
    rows: list[Row] = dataclasses.field(default_factory=list)
    prefix: str = ""


@dataclass
class BuilderState:
    match: str = "all"
    groups: list[Group] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)

    # ------------------------------------------------------------------ reading the form
    @classmethod
    def from_post(cls, data: QueryDict) -> BuilderState:
        state = cls(match=_pick(data.get("match"), ("all", "any"), "all"))
        group_ids = sorted({int(m.group(1)) for k in data for m in [_GROUP_KEY.match(k)] if m})
        rows_by_group: dict[int, list[int]] = {}
        for key in data:
            m = _ROW_KEY.match(key)
            if m:
                rows_by_group.setdefault(int(m.group(1)), []).append(int(m.group(2)))
        total = 0
        for g in group_ids:
            group = Group(match=_pick(data.get(f"g{g}-match"), GROUP_MATCHES, "all"))
            for c in sorted(rows_by_group.get(g, [])):
                if total >= MAX_ROWS:
                    break
                group.rows.append(_row_from_post(data, f"g{g}-c{c}-"))
                total += 1
            state.groups.append(group)
        return state

    def normalise(self, catalog: Catalog) -> None:
        """Make every row consistent with its field (a known field, an operator it offers) and
        note what the template shows for it."""
        for gi, group in enumerate(self.groups):
            group.prefix = f"g{gi}"
            for ci, row in enumerate(group.rows):
                row.prefix = f"g{gi}-c{ci}-"
                if row.kind == "field":
                    _describe_field_row(row, catalog)

    # ------------------------------------------------------------------ buttons
    def apply(self, action: str) -> None:
        parts = action.split(":")
        if parts[0] == "add-group":
            self.groups.append(Group(rows=[Row()]))
        elif parts[0] == "add" and len(parts) == 3 and parts[2] in ROW_KINDS:
            group = self._group(parts[1])
            if group is not None and self.row_count() < MAX_ROWS:
                group.rows.append(Row(kind=parts[2]))
        elif parts[0] == "remove" and len(parts) == 3:
            group = self._group(parts[1])
            row = ascii_int(parts[2])
            if group is not None and row is not None and row < len(group.rows):
                del group.rows[row]
                if not group.rows:
                    self.groups.remove(group)
        elif parts[0] == "remove-group" and len(parts) == 2:
            group = self._group(parts[1])
            if group is not None:
                self.groups.remove(group)

    def _group(self, index: str) -> Group | None:
        number = ascii_int(index)
        if number is not None and number < len(self.groups):
            return self.groups[number]
        return None

    def forgive_blank_rows(self) -> bool:
        """Drop the errors of rows nobody has filled in yet; True if there were such rows."""
        blank = False
        for group in self.groups:
            for row in group.rows:
                if row.errors and row.is_blank:
                    row.errors.clear()
                    blank = True
        return blank

    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.errors for g in self.groups for row in g.rows)

    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    # ------------------------------------------------------------------ to and from the tree
    def to_tree(self, catalog: Catalog) -> tuple[dict[str, Any], dict[tuple[int, int], str]]:
        """The JSON filter tree, and each row's path in it (to place validation errors)."""
        groups = [(gi, g) for gi, g in enumerate(self.groups) if g.rows]
        paths: dict[tuple[int, int], str] = {}
        if not groups:
            return {"and": []}, paths
        root_op = "and" if self.match == "all" else "or"
        trees: list[dict[str, Any]] = []
        for position, (gi, group) in enumerate(groups):
            prefix = "filter" if len(groups) == 1 else f"filter.{root_op}.{position}"
            rows = [_row_tree(row, catalog) for row in group.rows]
            op = "or" if group.match in ("any", "none") else "and"
            if len(rows) == 1:
                tree, row_prefix = rows[0], prefix
            else:
                tree, row_prefix = {op: rows}, f"{prefix}.{op}"
            if group.match == "none":
                tree, row_prefix = {"not": tree}, f"{prefix}.not" + (f".{op}" if len(rows) > 1 else "")
            for ci in range(len(group.rows)):
                paths[(gi, ci)] = row_prefix if len(rows) == 1 else f"{row_prefix}.{ci}"
            trees.append(tree)
        return (trees[0] if len(trees) == 1 else {root_op: trees}), paths

    def attach_errors(
        self, field_errors: Mapping[str, list[str]], paths: Mapping[tuple[int, int], str]
    ) -> None:
        """Put each validation message on the row it is about (the longest matching path)."""
        for path, messages in field_errors.items():
            best: tuple[int, int] | None = None
            for key, row_path in paths.items():
                if (path == row_path or path.startswith(row_path + ".")) and (
                    best is None or len(row_path) > len(paths[best])
                ):
                    best = key
            if best is None:
                self.errors.extend(messages)
            else:
                gi, ci = best
                self.groups[gi].rows[ci].errors.extend(messages)

    @classmethod
    def from_tree(cls, tree: Mapping[str, Any]) -> BuilderState | None:
        """The builder state for a saved filter, or None when it is too deep for the builder."""
        if tree in ({}, {"and": []}):
            return cls()
        root_op = next(iter(tree), "")
        if root_op in ("and", "or") and len(tree) == 1 and isinstance(tree[root_op], list):
            children = tree[root_op]
            if all(_row_from_tree(c) is not None for c in children):
                group = _group_from_tree(tree)
                return cls(groups=[group]) if group else None
            groups = [_group_from_tree(c) for c in children]
            if any(g is None for g in groups):
                return None
            return cls(match="all" if root_op == "and" else "any", groups=[g for g in groups if g])
        group = _group_from_tree(tree)
        return cls(groups=[group]) if group else None


# ---------------------------------------------------------------------- helpers
_WIDGETS: dict[Kind, tuple[str, str]] = {  # kind → (one value, a list of values)
    Kind.TEXT: ("text", "list"),
    Kind.CHOICE: ("choice", "choices"),
    Kind.NUMBER: ("number", "list"),
    Kind.DATETIME: ("date", "date"),
    Kind.DATE: ("date", "date"),
    Kind.BOOLEAN: ("boolean", "boolean"),
    Kind.USER: ("user", "users"),
}


def _describe_field_row(row: Row, catalog: Catalog) -> None:
    spec = catalog.get(row.field) or catalog.get("lifecycle_stage")
    if spec is None:  # pragma: no cover - lifecycle_stage is a static field
        return
    row.field = spec.key
    if row.op not in spec.operators:
        row.op = spec.operators[0].value
    op = Op(row.op)
    row.ops = [(o.value, op_label(spec.kind, o)) for o in spec.operators]
    row.choices = list(spec.choices)
    single, many = _WIDGETS[spec.kind]
    row.between = op is Op.BETWEEN
    if op in NO_VALUE_OPS:
        row.widget = "none"
    elif op is Op.WITHIN_LAST_DAYS:
        row.widget = "days"
    else:
        row.widget = many if op in LIST_OPS else single
    # A select shows its first option when nothing is chosen: make that the value too.
    if not row.value and row.widget == "choice" and row.choices:
        row.value = [row.choices[0][0]]
    elif not row.value and row.widget == "boolean":
        row.value = ["true"]


def _pick(value: Any, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def _row_from_post(data: QueryDict, prefix: str) -> Row:
    def get(name: str, default: str = "") -> str:
        return (data.get(prefix + name) or default).strip()[:1000]

    field_key = get("field", "lifecycle_stage")
    # Another field was just picked: the value typed for the previous one means nothing here.
    switched = get("shown_field") not in ("", field_key)
    values = [] if switched else [v.strip()[:1000] for v in data.getlist(prefix + "value") if v.strip()]
    return Row(
        kind=_pick(get("kind"), ROW_KINDS, "field"),
        field=field_key,
        op=get("op"),
        value=values,
        value2="" if switched else get("value2"),
        event_type=get("event_type", "page"),
        event_name=get("event_name"),
        prop_key=get("prop_key"),
        prop_op=get("prop_op", "contains"),
        prop_value=get("prop_value"),
        count_op=_pick(get("count_op"), ("gte", "lte", "eq"), "gte"),
        count=get("count", "1"),
        days=get("days"),
        ref=get("ref"),
        negate=get("negate") == "1",
    )


def _number(text: str) -> Any:
    """A number typed in a box; anything else stays text, so validation can say what is wrong."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _integer(text: str) -> Any:
    """A whole number typed in a box (ASCII digits, bounded); anything else stays text for validation."""
    number = ascii_int(text)
    return text if number is None else number


def _scalar(kind: Kind, text: str) -> Any:
    if kind is Kind.NUMBER:
        return _number(text)
    if kind is Kind.USER:
        return _integer(text)
    if kind is Kind.BOOLEAN:
        return {"true": True, "false": False}.get(text, text)
    return text


def _row_tree(row: Row, catalog: Catalog) -> dict[str, Any]:
    if row.kind == "event":
        event: dict[str, Any] = {"type": row.event_type}
        if row.event_name:
            event["name"] = row.event_name
        if row.prop_key:
            prop: dict[str, Any] = {"key": row.prop_key, "op": row.prop_op}
            if row.prop_op not in ("is_null", "is_not_null"):
                numeric = row.prop_op in ("gt", "gte", "lt", "lte")
                prop["value"] = _number(row.prop_value) if numeric else row.prop_value
            event["properties"] = [prop]
        tree: dict[str, Any] = {"event": event, "op": row.count_op, "count": _integer(row.count or "1")}
        if row.days:
            tree["within_days"] = _integer(row.days)
        return tree
    if row.kind == "campaign":
        tree = {"campaign_touched": _integer(row.ref)}
        if row.days:
            tree["within_days"] = _integer(row.days)
        return tree
    if row.kind == "segment":
        tree = {"in_segment": _integer(row.ref)}
        return {"not": tree} if row.negate else tree
    spec = catalog.get(row.field)
    kind = spec.kind if spec else Kind.TEXT
    tree = {"field": row.field, "op": row.op}
    try:
        op = Op(row.op)
    except ValueError:
        return tree
    if op in NO_VALUE_OPS:
        return tree
    texts = row.value
    if op in LIST_OPS:
        if len(texts) == 1 and kind is not Kind.CHOICE:
            texts = [t.strip() for t in texts[0].split(",") if t.strip()]
        tree["value"] = [_scalar(kind, t) for t in texts]
    elif op is Op.BETWEEN:
        tree["value"] = [_scalar(kind, texts[0] if texts else ""), _scalar(kind, row.value2)]
    elif op is Op.WITHIN_LAST_DAYS:
        tree["value"] = _integer(texts[0] if texts else "")
    else:
        tree["value"] = _scalar(kind, texts[0] if texts else "")
    return tree


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _row_from_tree(tree: Any) -> Row | None:
    if not isinstance(tree, Mapping):
        return None
    if "field" in tree:
        value = tree.get("value")
        row = Row(field=str(tree["field"]), op=str(tree.get("op", "")))
        if tree.get("op") == "between" and isinstance(value, list) and len(value) == 2:
            row.value, row.value2 = [_text(value[0])], _text(value[1])
        elif isinstance(value, list):
            row.value = [_text(v) for v in value]
        elif value is not None:
            row.value = [_text(value)]
        return row
    if "event" in tree and isinstance(tree["event"], Mapping):
        event = tree["event"]
        props = event.get("properties") or []
        if len(props) > 1 or not all(isinstance(p, Mapping) for p in props):
            return None
        prop = props[0] if props else {}
        if isinstance(prop.get("value"), list):
            return None
        return Row(
            kind="event",
            event_type=str(event.get("type", "page")),
            event_name=str(event.get("name", "")),
            prop_key=str(prop.get("key", "")),
            prop_op=str(prop.get("op", "contains")),
            prop_value=_text(prop["value"]) if "value" in prop else "",
            count_op=str(tree.get("op", "gte")),
            count=_text(tree.get("count", 1)),
            days=_text(tree["within_days"]) if tree.get("within_days") is not None else "",
        )
    if "campaign_touched" in tree:
        days = tree.get("within_days")
        return Row(
            kind="campaign", ref=_text(tree["campaign_touched"]), days="" if days is None else _text(days)
        )
    if "in_segment" in tree:
        return Row(kind="segment", ref=_text(tree["in_segment"]))
    inner = tree.get("not")
    if len(tree) == 1 and isinstance(inner, Mapping) and set(inner) == {"in_segment"}:
        return Row(kind="segment", ref=_text(inner["in_segment"]), negate=True)
    return None


def _group_from_tree(tree: Any) -> Group | None:
    row = _row_from_tree(tree)
    if row is not None:
        return Group(rows=[row])
    if not isinstance(tree, Mapping) or len(tree) != 1:
        return None
    ((op, inner),) = tree.items()
    match = {"and": "all", "or": "any"}.get(op)
    if op == "not" and isinstance(inner, Mapping) and len(inner) == 1 and isinstance(inner.get("or"), list):
        match, inner = "none", inner["or"]
    elif op == "not":
        inner_row = _row_from_tree(inner)
        return Group(match="none", rows=[inner_row]) if inner_row else None
    if match is None or not isinstance(inner, list) or not inner:
        return None
    rows = [_row_from_tree(child) for child in inner]
    if any(r is None for r in rows):
        return None
    return Group(match=match, rows=[r for r in rows if r])


def pretty_json(tree: Mapping[str, Any]) -> str:
    return json.dumps(tree, indent=2, ensure_ascii=False)
