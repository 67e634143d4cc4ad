"""Checking a filter tree against the database: referenced campaigns and segments exist, and
segment references form no cycle. :func:`clean_filter` is what actions and the API call."""

from __future__ import annotations

from typing import Any

from accord.campaigns.models import Campaign
from accord.core.errors import Invalid
from accord.segments import graph
from accord.segments.fields import Catalog, load_catalog
from accord.segments.filters import CampaignTouched, InSegment, Node, parse_filter, walk_with_paths
from accord.segments.models import Segment


def clean_filter(
    data: Any, *, segment_id: int | None = None, catalog: Catalog | None = None, path: str = "filter"
) -> Node:
    """Parse ``data`` and check its references; ``segment_id`` is the segment being edited, if any."""
    tree = parse_filter(data, catalog or load_catalog(), path=path)
    check_references(tree, segment_id=segment_id, path=path)
    return tree


def check_references(tree: Node, *, segment_id: int | None = None, path: str = "filter") -> None:
    campaigns: dict[int, list[str]] = {}
    segments: dict[int, list[str]] = {}
    for node_path, node in walk_with_paths(tree, path):
        if isinstance(node, CampaignTouched):
            campaigns.setdefault(node.campaign_id, []).append(f"{node_path}.campaign_touched")
        elif isinstance(node, InSegment):
            segments.setdefault(node.segment_id, []).append(f"{node_path}.in_segment")
    errors: dict[str, list[str]] = {}
    if campaigns:
        found = set(Campaign.objects.filter(pk__in=list(campaigns)).values_list("pk", flat=True))
        for campaign_id in sorted(set(campaigns) - found):
            for p in campaigns[campaign_id]:
                errors.setdefault(p, []).append(f"Campaign {campaign_id} does not exist.")
    if segments:
        found = set(Segment.objects.filter(pk__in=list(segments)).values_list("pk", flat=True))
        for ref in sorted(segments):
            if ref == segment_id:
                message = "A segment cannot include itself."
            elif ref not in found:
                message = f"Segment {ref} does not exist."
            else:
                continue
            for p in segments[ref]:
                errors.setdefault(p, []).append(message)
        if segment_id is not None and not errors:
            cycle = graph.find_cycle(segment_id, segments, graph.load_graph())
            if cycle:
                names = dict(Segment.objects.filter(pk__in=cycle).values_list("pk", "name"))
                loop = " → ".join(names.get(i, "this segment") for i in cycle)
                message = f"Segments would include each other in a loop: {loop}."
                for paths in segments.values():
                    for p in paths:
                        errors.setdefault(p, []).append(message)
    if errors:
        first_path, messages = next(iter(errors.items()))
        raise Invalid(f"The segment filter is not valid: {first_path}: {messages[0]}", field_errors=errors)
