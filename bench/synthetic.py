"""Pieces of the synthetic 1M-contact / 10M-event workload that the score-recompute and
segment-rebuild benchmarks both generate in SQL (the same shape of data for both)."""

from __future__ import annotations

CONTEXT = (
    '{"ip":"203.0.113.7","locale":"en-US","library":{"name":"analytics.js","version":"5.2.0"},'
    '"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",'
    '"page":{"referrer":"https://www.google.com/"}}'
)
PATHS = [
    "/",
    "/pricing",
    "/docs/getting-started",
    "/blog/revenue-funnels",
    "/customers",
    "/contact",
    "/features",
    "/about",
]
INDUSTRIES = ["Software", "Finance", "Healthcare", "Retail", "Manufacturing", "Education", "Media"]
SIZES = ["1-10", "11-50", "51-200", "201-1000", "1001-5000", "5001+"]

# Deterministic pseudo-random draws per row number i (multiplicative hashing, fits in 64 bits).
X = "((i * 2654435761) % 4294967296)"
Y = "((i * 2246822519 + 3266489917) % 4294967296)"


def case_sql(expr: str, values: list[str]) -> str:
    """``CASE expr WHEN 0 THEN 'values[0]' …`` — the values are the scripts' own constants."""
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"CASE {expr} {whens} END"


def event_type_sql(roll: str) -> str:
    """An event type for a 0–99 ``roll``: half page views, then emails, forms, custom events…"""
    return (
        f"CASE WHEN {roll} < 50 THEN 'page' WHEN {roll} < 65 THEN 'email_open' WHEN {roll} < 73 THEN 'email_click' "
        f"WHEN {roll} < 76 THEN 'form_submit' WHEN {roll} < 88 THEN 'track' WHEN {roll} < 92 THEN 'content_download' "
        f"WHEN {roll} < 93 THEN 'event_attended' WHEN {roll} < 98 THEN 'ad_click' ELSE 'identify' END"
    )
