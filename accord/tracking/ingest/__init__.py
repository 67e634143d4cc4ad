"""Segment-compatible ingest: parse and check a request (:mod:`.parse`, :mod:`.clock`), resolve
identities (:mod:`accord.tracking.identity`), store set-based (:mod:`.store`), over HTTP (:mod:`.http`)."""
