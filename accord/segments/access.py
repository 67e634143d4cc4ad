"""Who may see and change segments: one place, so switching to a dedicated resource is one line.

Until ``accounts.permissions.Resource`` has a ``SEGMENT`` member, segments are governed by the
``CONTACT`` grants (a segment is a saved view of contacts). ``OWN`` grants apply to the segment's
owner.
"""

from __future__ import annotations

from accord.accounts.permissions import Resource

SEGMENT_RESOURCE: Resource = getattr(Resource, "SEGMENT", Resource.CONTACT)
