"""Brand mentions: bulk ingest (idempotent on external id), CSV import with per-row errors, counts."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.campaigns import actions, reports
from accord.campaigns.mentions_csv import import_mentions_csv
from accord.campaigns.models import BrandMention
from accord.core.errors import Invalid

pytestmark = pytest.mark.django_db

AT = "2026-03-04T10:00:00Z"


def row(**fields):
    return {"channel": "pr", "source": "TechCrunch", "occurred_at": AT, **fields}


def test_ingest_stores_mentions(campaign):
    result = actions.ingest_mentions(
        [
            row(external_id="tc-1", campaign_id=campaign.pk, url="https://techcrunch.test/accord",
                title="Accord raises", sentiment=1, reach=250000),
            row(external_id="li-9", channel="SOCIAL", source="LinkedIn", campaign="SPRING-PUSH", sentiment="negative"),
            row(external_id="blog-3", channel="blog", source="Finance blog", campaign="spring search push",
                occurred_at=datetime(2026, 3, 5, tzinfo=UTC), sentiment="0", reach="1200"),
        ]
    )  # fmt: skip
    assert (result.created, result.duplicates, result.errors) == (3, 0, {})
    tc = BrandMention.objects.get(external_id="tc-1")
    assert (tc.campaign, tc.channel, tc.sentiment, tc.reach, tc.title) == (
        campaign,
        "pr",
        1,
        250000,
        "Accord raises",
    )
    assert tc.occurred_at == datetime(2026, 3, 4, 10, tzinfo=UTC)
    li = BrandMention.objects.get(external_id="li-9")
    assert (li.campaign, li.channel, li.sentiment, li.reach) == (campaign, "social", -1, None)
    assert BrandMention.objects.get(external_id="blog-3").campaign == campaign


def test_ingest_is_idempotent_on_the_external_id(campaign):
    rows = [row(external_id="a"), row(external_id="b"), row(external_id="a", title="repeated in the batch")]
    first = actions.ingest_mentions(rows)
    assert (first.created, first.duplicates) == (2, 1)
    again = actions.ingest_mentions([row(external_id="a", title="changed"), row(external_id="c")])
    assert (again.created, again.duplicates) == (1, 1)
    assert BrandMention.objects.count() == 3
    assert BrandMention.objects.get(external_id="a").title == ""  # the stored mention is left alone


def test_without_an_external_id_one_is_derived_from_the_url_or_the_content():
    actions.ingest_mentions([row(url="https://news.test/a"), row(title="Radio piece")])
    result = actions.ingest_mentions(
        [row(url="https://news.test/a", title="same URL"), row(title="Radio piece")]
    )
    assert (result.created, result.duplicates) == (0, 2)
    ids = sorted(BrandMention.objects.values_list("external_id", flat=True))
    assert ids[0].startswith("row:") and ids[1].startswith("url:")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"channel": "tv"}, "channel"),
        ({"source": ""}, "source"),
        ({"source": "s" * 201}, "source"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://x.test/"}, "url"),
        ({"sentiment": 2}, "sentiment"),
        ({"sentiment": "great"}, "sentiment"),
        ({"reach": -5}, "reach"),
        ({"reach": "12k"}, "reach"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": ""}, "occurred_at"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"campaign_id": 987654}, "campaign_id"),
        ({"campaign_id": "abc"}, "campaign_id"),
        ({"campaign": "no-such-campaign"}, "campaign"),
        ({"external_id": "e" * 201}, "external_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_rows_are_reported_by_index_and_field(fields, field):
    result = actions.ingest_mentions([row(external_id="ok"), row(**fields)])
    assert list(result.errors) == [1] and field in result.errors[1]
    assert result.created == 0 and not BrandMention.objects.exists()  # all or nothing by default


def test_partial_ingest_stores_the_valid_rows():
    result = actions.ingest_mentions([row(external_id="ok"), row(channel="tv")], partial=True)
    assert (result.created, list(result.errors)) == (1, [1])
    assert list(BrandMention.objects.values_list("external_id", flat=True)) == ["ok"]


def test_dates_without_a_zone_are_utc_and_a_date_alone_is_midnight():
    actions.ingest_mentions(
        [row(external_id="a", occurred_at="2026-03-04 08:30"), row(external_id="b", occurred_at="2026-03-05")]
    )
    stored = dict(BrandMention.objects.values_list("external_id", "occurred_at"))
    assert stored == {"a": datetime(2026, 3, 4, 8, 30, tzinfo=UTC), "b": datetime(2026, 3, 5, tzinfo=UTC)}


def test_a_campaign_id_naming_another_campaign_than_the_code_is_refused(campaign, make_campaign):
    other = make_campaign(utm_campaign="other-code")
    result = actions.ingest_mentions([row(campaign_id=campaign.pk, campaign="other-code")])
    assert "campaign" in result.errors[0]
    assert other.pk != campaign.pk


def test_too_many_rows_at_once_are_refused():
    with pytest.raises(Invalid):
        actions.ingest_mentions([row()] * 5001)


# ---------------------------------------------------------------- counts
def test_counts_per_week_and_month(campaign, make_campaign):
    other = make_campaign()
    mentions = [
        ("a", "2026-03-02T08:00:00Z", campaign.pk, 1, 100),  # Monday
        ("b", "2026-03-08T23:59:00Z", campaign.pk, -1, 50),  # Sunday, same week
        ("c", "2026-03-09T00:00:00Z", campaign.pk, 0, None),  # next week
        ("d", "2026-04-01T12:00:00Z", campaign.pk, 1, 10),
        ("e", "2026-03-03T12:00:00Z", other.pk, 0, None),
        ("f", "2026-03-03T12:00:00Z", None, 0, None),
    ]
    actions.ingest_mentions(
        [
            row(external_id=x, occurred_at=at, campaign_id=c, sentiment=s, reach=r)
            for x, at, c, s, r in mentions
        ]
    )
    weekly = reports.mention_counts("week", campaign_id=campaign.pk)
    assert [(w.period, w.count, w.reach, w.positive, w.negative) for w in weekly] == [
        (date(2026, 3, 2), 2, 150, 1, 1),
        (date(2026, 3, 9), 1, 0, 0, 0),
        (date(2026, 3, 30), 1, 10, 1, 0),
    ]
    filled = reports.mention_counts(
        "week", campaign_id=campaign.pk, start=date(2026, 3, 1), end=date(2026, 3, 20), fill=True
    )
    assert [(w.period, w.count) for w in filled] == [
        (date(2026, 2, 23), 0), (date(2026, 3, 2), 2), (date(2026, 3, 9), 1), (date(2026, 3, 16), 0),
    ]  # fmt: skip
    monthly = reports.mention_counts("month")
    assert [(m.period, m.count) for m in monthly] == [(date(2026, 3, 1), 5), (date(2026, 4, 1), 1)]
    by_campaign = reports.mention_counts_by_campaign("month")
    assert (campaign.pk, date(2026, 3, 1), 3) in by_campaign
    assert (other.pk, date(2026, 3, 1), 1) in by_campaign and (None, date(2026, 3, 1), 1) in by_campaign


def test_month_periods_cross_years():
    assert reports.periods_between(date(2025, 11, 15), date(2026, 2, 1), "month") == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1),
    ]  # fmt: skip


# ---------------------------------------------------------------- CSV
CSV_OK = """\ufeffExternal_ID,Channel,Source,URL,Title,Sentiment,Reach,Occurred_At,Campaign
tc-1,pr,TechCrunch,https://techcrunch.test/a,"Accord raises, finally",positive,250000,2026-03-04T10:00:00Z,spring-push
li-2,social,LinkedIn,,Founder post,1,,2026-03-05,
"""

CSV_WITH_ERRORS = """channel,source,occurred_at,url,external_id
pr,TechCrunch,2026-03-04,https://techcrunch.test/a,ok-1
tv,Channel 5,2026-03-04,,bad-channel
blog,,2026-03-04,,no-source
news,Reuters,not a date,,bad-date
forum,HN,2026-03-04,javascript:alert(1),bad-url
forum,HN,2026-03-04,https://news.test/1,ok-2,extra-value
social,X,2026-03-06,,ok-3
"""


def test_csv_import_with_a_campaign_by_code(campaign):
    result = import_mentions_csv(io.StringIO(CSV_OK.removeprefix("\ufeff")))
    assert (result.rows, result.created, result.duplicates, result.errors) == (2, 2, 0, [])
    assert BrandMention.objects.get(external_id="tc-1").campaign == campaign
    assert BrandMention.objects.get(external_id="tc-1").title == "Accord raises, finally"
    assert BrandMention.objects.get(external_id="li-2").campaign is None
    again = import_mentions_csv(io.StringIO(CSV_OK.removeprefix("\ufeff")))
    assert (again.created, again.duplicates) == (0, 2)


def test_csv_import_reports_bad_rows_by_line_and_imports_the_rest():
    result = import_mentions_csv(io.StringIO(CSV_WITH_ERRORS))
    assert result.rows == 7 and result.created == 2 and result.failed == 5
    lines = dict(result.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7]
    assert lines[3].startswith("channel:") and lines[4].startswith("source:")
    assert lines[5].startswith("occurred_at:") and lines[6].startswith("url:")
    assert lines[7] == "More values than columns."
    assert sorted(BrandMention.objects.values_list("external_id", flat=True)) == ["ok-1", "ok-3"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "empty"),
        ("channel,source\npr,X\n", "missing column(s): occurred_at"),
        ("channel,source,occurred_at,colour\n", "unknown column(s): colour"),
    ],
)
def test_csv_header_problems_stop_the_import(content, expected):
    result = import_mentions_csv(io.StringIO(content))
    assert len(result.errors) == 1 and expected in result.errors[0][1]
    assert not BrandMention.objects.exists()


def test_the_import_mentions_command(tmp_path, campaign, capsys):
    good = tmp_path / "good.csv"
    good.write_text(CSV_OK, encoding="utf-8")
    call_command("import_mentions", str(good))
    assert "2 row(s): 2 imported, 0 already known, 0 with errors." in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_WITH_ERRORS, encoding="utf-8")
    with pytest.raises(CommandError, match="5 problem"):
        call_command("import_mentions", str(bad), "--campaign", str(campaign.pk))
    captured = capsys.readouterr()
    assert "line 3: channel:" in captured.err and "line 7: More values than columns." in captured.err
    assert BrandMention.objects.get(external_id="ok-3").campaign == campaign


def test_the_command_refuses_a_missing_file_or_campaign(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_mentions", str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="no campaign"):
        call_command("import_mentions", str(tmp_path / "nope.csv"), "--campaign", "424242")
    binary = tmp_path / "latin1.csv"
    binary.write_bytes("channel,source,occurred_at\npr,Zürich Zeitung,2026-03-04\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_mentions", str(binary))


def test_a_mention_in_the_future_within_a_day_is_accepted():
    soon = (timezone.now() + timedelta(hours=2)).isoformat()
    assert actions.ingest_mentions([row(occurred_at=soon)]).created == 1
