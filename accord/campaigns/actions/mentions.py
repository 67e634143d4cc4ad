"""Brand mentions ingest: bulk, checked row by row, idempotent on the mention's external id."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accord.campaigns.actions._checks import text
from accord.campaigns.destinations import check_http_url
from accord.campaigns.models import BrandMention, Campaign, MentionChannel, Sentiment
from accord.core.errors import ActionError, Invalid
from accord.core.numbers import ascii_int

MAX_BATCH = 5000
ROWS_PER_STATEMENT = 500
MAX_REACH = 2**63 - 1
# A mention dated further ahead than this is a mistake (a wrong date format, a wrong year).
FUTURE_SLACK = timedelta(days=1)
FIELDS = frozenset(
    {"external_id", "campaign_id", "campaign", "channel", "source", "url", "title", "sentiment", "reach",
     "occurred_at"}
)  # fmt: skip
SENTIMENT_WORDS = {"negative": -1, "neutral": 0, "positive": 1}

RowErrors = dict[str, list[str]]


@dataclass
class MentionIngest:
    """The outcome of :func:`ingest_mentions`. ``errors`` maps a row's index to its field errors."""

    created: int = 0
    duplicates: int = 0
    errors: dict[int, RowErrors] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _channel(value: Any) -> str:
    channel = str(value or "").strip().lower()
    if channel not in MentionChannel.values:
        raise _RowError("channel", f"Must be one of: {', '.join(MentionChannel.values)}.")
    return channel


def _sentiment(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Sentiment.NEUTRAL
    if isinstance(value, bool):
        raise _RowError("sentiment", "Use -1, 0 or 1 (or negative, neutral, positive).")
    if isinstance(value, int) and value in (-1, 0, 1):
        return value
    word = str(value).strip().lower().removeprefix("+")
    if word in SENTIMENT_WORDS:
        return SENTIMENT_WORDS[word]
    if word in ("-1", "0", "1"):
        return int(word)
    raise _RowError("sentiment", "Use -1, 0 or 1 (or negative, neutral, positive).")


def _reach(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _RowError("reach", "Use a whole number of people, e.g. 12000.")
    if isinstance(value, str):
        value = ascii_int(value)
        if value is None:
            raise _RowError("reach", "Use a whole number of people, e.g. 12000.")
    if not isinstance(value, int) or not 0 <= value <= MAX_REACH:
        raise _RowError("reach", "Use a whole number of people, e.g. 12000.")
    return value


def _occurred_at(value: Any, now: datetime) -> datetime:
    """An aware datetime; ISO text is parsed, a date alone is midnight, no zone means UTC."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        raw = value.strip()
        try:
            moment = parse_datetime(raw)
            if moment is None and (day := parse_date(raw)) is not None:
                moment = datetime.combine(day, time.min)
        except ValueError:
            moment = None
    if moment is None:
        raise _RowError("occurred_at", "Use an ISO date and time, e.g. 2026-03-01T09:30:00Z.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    if moment > now + FUTURE_SLACK:
        raise _RowError("occurred_at", "Is in the future.")
    return moment


def _text(row: Mapping[str, Any], name: str, max_length: int, *, required: bool = False) -> str:
    try:
        return text(row.get(name), name, max_length=max_length, required=required)
    except ActionError as exc:
        raise _RowError(name, exc.message) from exc


def _url(value: Any) -> str:
    try:
        return check_http_url(str(value or ""), field="url", required=False)
    except ActionError as exc:
        raise _RowError("url", exc.message) from exc


def _derived_id(mention: BrandMention) -> str:
    """An external id for a mention sent without one: its URL, else what it says and when."""
    basis = mention.url or "|".join(
        (mention.channel, mention.source.lower(), mention.title.lower(), mention.occurred_at.isoformat())
    )
    return ("url:" if mention.url else "row:") + hashlib.sha256(basis.encode()).hexdigest()[:40]


def _campaign_ids(rows: Sequence[Mapping[str, Any]]) -> tuple[set[int], dict[str, int]]:
    """Existing ids among the rows' ``campaign_id`` values, and ``campaign`` codes/names → id."""
    wanted_ids = {row.get("campaign_id") for row in rows} - {None, ""}
    ids = {v if isinstance(v, int) else ascii_int(v) for v in wanted_ids if not isinstance(v, bool)}
    ids = {v for v in ids if v is not None and 0 < v < MAX_REACH}
    codes = {str(row["campaign"]).strip().lower() for row in rows if row.get("campaign")}
    found: set[int] = set()
    by_code: dict[str, int] = {}
    if not (ids or codes):
        return found, by_code
    matches = Campaign.objects.annotate(code=Lower("utm_campaign"), lname=Lower("name")).filter(
        Q(pk__in=ids) | Q(code__in=codes) | Q(lname__in=codes)
    )
    for pk, code, lname in matches.values_list("pk", "code", "lname").order_by("pk"):
        if pk in ids:
            found.add(pk)
        for key in (code, lname):
            if key in codes:
                by_code.setdefault(key, pk)
    return found, by_code


def _campaign(row: Mapping[str, Any], found: set[int], by_code: dict[str, int]) -> int | None:
    raw_id, code = row.get("campaign_id"), str(row.get("campaign") or "").strip().lower()
    campaign_id: int | None = None
    if raw_id not in (None, ""):
        campaign_id = None if isinstance(raw_id, bool) else ascii_int(str(raw_id))
        if campaign_id is None or campaign_id not in found:
            raise _RowError("campaign_id", f"There is no campaign with id {raw_id}.")
    if code:
        if code not in by_code:
            raise _RowError("campaign", f"No campaign has the UTM code or name {code!r}.")
        if campaign_id is not None and by_code[code] != campaign_id:
            raise _RowError("campaign", "Names another campaign than campaign_id.")
        campaign_id = by_code[code]
    return campaign_id


def _mention(row: Mapping[str, Any], found: set[int], by_code: dict[str, int], now: datetime) -> BrandMention:
    unknown = sorted(set(row) - FIELDS)
    if unknown:
        raise _RowError(unknown[0], "Unknown field.")
    mention = BrandMention(
        campaign_id=_campaign(row, found, by_code),
        channel=_channel(row.get("channel")),
        source=_text(row, "source", 200, required=True),
        url=_url(row.get("url")),
        title=_text(row, "title", 500),
        sentiment=_sentiment(row.get("sentiment")),
        reach=_reach(row.get("reach")),
        occurred_at=_occurred_at(row.get("occurred_at"), now),
        external_id=_text(row, "external_id", 200),
    )
    mention.external_id = mention.external_id or _derived_id(mention)
    return mention


def ingest_mentions(rows: Sequence[Mapping[str, Any]], *, partial: bool = False) -> MentionIngest:
    """Store brand mentions in bulk. A mention whose ``external_id`` is stored already (or repeated
    in ``rows``) is a duplicate and left alone, so sending the same rows twice stores them once.

    Every row is checked first. With ``partial`` the valid rows are stored and the others reported;
    without it (the API) nothing is stored unless every row is valid.
    """
    if len(rows) > MAX_BATCH:
        raise Invalid(f"Send at most {MAX_BATCH} mentions at once.", field_errors={"mentions": ["Too many."]})
    result = MentionIngest()
    found, by_code = _campaign_ids(rows)
    now = timezone.now()
    valid: dict[str, BrandMention] = {}
    for index, row in enumerate(rows):
        try:
            mention = _mention(row, found, by_code, now)
        except _RowError as exc:
            result.errors[index] = {exc.field: [exc.message]}
            continue
        if mention.external_id in valid:
            result.duplicates += 1
        else:
            valid[mention.external_id] = mention
    if result.errors and not partial:
        return result
    ids = list(valid)
    with transaction.atomic():
        stored_before = _count_stored(ids)
        BrandMention.objects.bulk_create(valid.values(), batch_size=ROWS_PER_STATEMENT, ignore_conflicts=True)
        result.created = _count_stored(ids) - stored_before
    result.duplicates += len(ids) - result.created
    return result


def _count_stored(external_ids: list[str]) -> int:
    return sum(
        BrandMention.objects.filter(external_id__in=external_ids[i : i + ROWS_PER_STATEMENT]).count()
        for i in range(0, len(external_ids), ROWS_PER_STATEMENT)
    )
