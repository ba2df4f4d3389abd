"""Mapping records to RDF (the only place that writes triples) and RDF formats."""

from kg.rdf.mapping import ReferenceData, map_report, reference_quads

__all__ = ["ReferenceData", "map_report", "reference_quads"]
