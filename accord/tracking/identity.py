"""Identity resolution for one ingest batch: which contact each event belongs to.

Ids a contact is known by are :class:`accord.contacts.models.ContactIdentity` rows (contacts owns
them); this module decides, from a batch of Segment events, which ids to link and which contacts
to create or merge, and calls contacts' actions to do it. It is set-based: a batch costs a fixed
number of queries whatever its size (plus one per contact created and a few per merge).

Rules (docs/tracking.md, "Identity resolution"):

- ``identify`` with ``traits.email`` finds the contact by email (case-insensitive, current or an
  earlier email) or creates it at stage *subscriber*; its traits fill blank fields only.
- An event's ``userId`` and ``anonymousId`` link to the contact the other one (or the email) found.
  An id already linked to a contact stays with it: the first claim wins.
- ``identify`` whose ``userId`` belongs to one contact and whose email to another merges them
  (the email's contact is kept, rule ``identify``); ``alias`` whose ``previousId`` and ``userId``
  belong to two contacts merges them (the ``userId``'s contact is kept, rule ``alias``).
  An ``anonymousId`` never causes a merge: a shared browser is not proof of one person.
- Touchpoints stored earlier under an id linked now get their contact in one UPDATE per id kind.
- ``group`` with a company domain in its traits (``website`` or ``domain``; personal mail domains
  ignored) finds or creates that company and sets it as the contact's company when the contact has
  none yet (an existing company is never overwritten by a visitor's call).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from accord.contacts.actions import (
    ContactTraits,
    add_identities,
    companies_for_domains,
    contacts_for_identities,
    merge_contacts,
    normalise_domain,
    upsert_contacts,
)
from accord.contacts.models import Contact, ContactIdentity, IdentityKind
from accord.core.errors import ActionError
from accord.tracking.ingest.parse import Event
from accord.tracking.models import Touchpoint

logger = logging.getLogger(__name__)
ANON = IdentityKind.ANONYMOUS_ID.value
USER = IdentityKind.USER_ID.value


@dataclass
class Resolution:
    anonymous: dict[str, int] = field(default_factory=dict)  # anonymous id → contact id
    users: dict[str, int] = field(default_factory=dict)  # user id → contact id
    emails: dict[str, int] = field(default_factory=dict)  # normalised email → contact id
    new_links: list[tuple[str, str, int]] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # contacts created, updated or merged into
    may_merge: bool = False

    def contact_for(self, event: Event) -> int | None:
        return (
            (event.user_id and self.users.get(event.user_id))
            or (event.anonymous_id and self.anonymous.get(event.anonymous_id))
            or None
        )

    def link(self, kind: str, value: str, contact_id: int) -> None:
        table = self.anonymous if kind == ANON else self.users
        if value and value not in table:
            table[value] = contact_id
            self.new_links.append((kind, value, contact_id))

    def repoint(self, old: int, new: int) -> None:
        for table in (self.anonymous, self.users, self.emails):
            for key, cid in table.items():
                if cid == old:
                    table[key] = new
        self.new_links = [(k, v, new if c == old else c) for k, v, c in self.new_links]
        self.touched.discard(old)
        self.touched.add(new)


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def traits_of(event: Event) -> ContactTraits | None:
    """Contact fields an identify's traits carry (Segment's reserved trait names), if it has an email."""
    t = event.traits
    email = t.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None
    first = _text(t.get("firstName") or t.get("first_name"), 100)
    last = _text(t.get("lastName") or t.get("last_name"), 100)
    full = _text(t.get("name"), 200)
    if full and not (first or last):
        first, _, last = full.partition(" ")
        first, last = first[:100], last.strip()[:100]
    company = t.get("company")
    company_name = _text(company.get("name") if isinstance(company, dict) else company, 200)
    domain = ""
    if isinstance(company, dict):
        domain = _text(company.get("domain") or company.get("website"), 253)
    return ContactTraits(
        email=email[:254],
        first_name=first,
        last_name=last,
        title=_text(t.get("title"), 150),
        phone=_text(t.get("phone"), 40),
        company_name=company_name,
        company_domain=domain,
    )


def resolve(events: Sequence[Event], *, may_merge: bool = False) -> Resolution:
    """Link the batch's ids to contacts (creating and merging contacts as the rules say) and set
    ``event.contact_id`` on every event whose contact is known. Merges happen only when the write
    key ``may_merge`` (a server-side key); otherwise the conflicting ids stay with their contacts."""
    res = Resolution(may_merge=may_merge)
    identifies = [e for e in events if e.type == "identify"]
    profiles = [p for p in map(traits_of, identifies) if p is not None]
    if profiles:
        res.emails = upsert_contacts(profiles, rule="identify").contact_ids
        res.touched.update(res.emails.values())

    keys: set[tuple[str, str]] = set()
    for e in events:
        if e.anonymous_id:
            keys.add((ANON, e.anonymous_id))
        if e.user_id:
            keys.add((USER, e.user_id))
        if e.previous_id:
            keys.update(((ANON, e.previous_id), (USER, e.previous_id)))
    for (kind, value), cid in contacts_for_identities(keys).items():
        (res.anonymous if kind == ANON else res.users)[value] = cid

    for e in events:
        if e.type == "identify":
            _identify(e, res)
        elif e.type == "alias":
            _alias(e, res)
        else:
            target = res.contact_for(e)
            if target:
                res.link(USER, e.user_id, target)
                res.link(ANON, e.anonymous_id, target)

    if res.new_links:
        add_identities(res.new_links)
        res.touched.update(cid for _, _, cid in res.new_links)
    for e in events:
        e.contact_id = res.contact_for(e)
    _join_companies(events, res)
    return res


def _join_companies(events: Sequence[Event], res: Resolution) -> None:
    """Give contacts without a company the company their ``group`` call names: one find-or-create
    for the batch's domains, one UPDATE per company."""
    wanted: dict[int, tuple[str, str]] = {}  # contact id → (domain, name)
    for e in events:
        if e.type != "group" or not e.contact_id:
            continue
        traits = e.properties.get("traits") or {}
        if not isinstance(traits, dict):
            continue
        domain = normalise_domain(_text(traits.get("website") or traits.get("domain"), 253) or None)
        if domain and "." in domain:
            wanted[e.contact_id] = (domain, _text(traits.get("name"), 200))
    if not wanted:
        return
    company_ids = companies_for_domains(dict(wanted.values()))
    by_company: dict[int, list[int]] = {}
    for contact_id, (domain, _) in wanted.items():
        if domain in company_ids:
            by_company.setdefault(company_ids[domain], []).append(contact_id)
    for company_id, contact_ids in by_company.items():
        if Contact.objects.filter(pk__in=contact_ids, company__isnull=True).update(company_id=company_id):
            res.touched.update(contact_ids)


def _merge(res: Resolution, keep: int, gone: int, rule: str) -> bool:
    if not res.may_merge:
        logger.info("Not merging contact %s into %s (%s): the write key may not merge", gone, keep, rule)
        return False
    try:
        merge_contacts(keep, gone, rule=rule)
    except ActionError as exc:  # e.g. an app without a merge hook still points at ``gone``
        logger.warning("Not merging contact %s into %s (%s): %s", gone, keep, rule, exc)
        return False
    res.repoint(gone, keep)
    return True


def _identify(e: Event, res: Resolution) -> None:
    email = e.traits.get("email")
    email_cid = res.emails.get(email.strip().lower()) if isinstance(email, str) else None
    user_cid = res.users.get(e.user_id) if e.user_id else None
    if email_cid and user_cid and email_cid != user_cid and _merge(res, email_cid, user_cid, "identify"):
        user_cid = email_cid
    target = email_cid or user_cid or (res.anonymous.get(e.anonymous_id) if e.anonymous_id else None)
    if target:
        res.link(USER, e.user_id, target)
        res.link(ANON, e.anonymous_id, target)


def _alias(e: Event, res: Resolution) -> None:
    prev_cid = res.anonymous.get(e.previous_id) or res.users.get(e.previous_id)
    user_cid = res.users.get(e.user_id)
    if prev_cid and user_cid and prev_cid != user_cid and _merge(res, user_cid, prev_cid, "alias"):
        prev_cid = user_cid
    target = user_cid or prev_cid
    if target:
        res.link(USER, e.user_id, target)
        # previousId may have been an anonymous id or an earlier user id: link it as both.
        res.link(ANON, e.previous_id, target)
        res.link(USER, e.previous_id, target)
        res.link(ANON, e.anonymous_id, target)


def attach_earlier_touchpoints(res: Resolution) -> int:
    """Give touchpoints stored before their id was known their contact: one UPDATE per id kind.

    Raw SQL for one reason: the planner must find rows by the id's index. ``contact_id IS NULL``
    matches most of the table, and SQLite would otherwise walk the contact index through all of
    it; a unary ``+`` keeps that term out of index selection (PostgreSQL reads it the same way).
    The user-id term repeats the partial index's condition so that index qualifies.
    """
    qn = connection.ops.quote_name
    table = qn(Touchpoint._meta.db_table)
    identities = qn(ContactIdentity._meta.db_table)
    updated = 0
    for kind, column, extra in (
        (ANON, "anonymous_id", ""),
        (USER, "user_id", f" AND NOT ({qn('user_id')} = '')"),
    ):
        values = sorted({v for k, v, _ in res.new_links if k == kind})
        if not values:
            continue
        sql = (
            f"UPDATE {table} SET {qn('contact_id')} = (SELECT ci.{qn('contact_id')} FROM {identities} ci "  # noqa: S608
            f"WHERE ci.{qn('kind')} = %s AND ci.{qn('value')} = {table}.{qn(column)}) "
            f"WHERE {qn(column)} IN ({', '.join(['%s'] * len(values))}){extra} AND +{qn('contact_id')} IS NULL"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [kind, *values])
            updated += cursor.rowcount
    return updated
