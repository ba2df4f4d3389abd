"""Users' SPARQL queries, run safely: read-only, no federation, bounded time and size.

``check`` inspects a query before anything runs it, ``results`` serialises results
under the row cap, ``executor`` is the killable process a local query runs in, and
``service`` holds the query services the web app asks (local executors or the remote).
"""
from __future__ import annotations

from kg.query.check import Inspection, check_query, form_of, inspect
from kg.query.results import BOOLEAN_TYPES, GRAPH_MEDIA_TYPES, RESULT_TYPES, QueryResult, serialize_result

__all__ = ["BOOLEAN_TYPES", "GRAPH_MEDIA_TYPES", "RESULT_TYPES", "Inspection", "QueryResult", "check_query", "form_of",
           "inspect", "serialize_result"]
