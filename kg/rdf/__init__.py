"""Mapping records to RDF: the only place that writes triples."""

from kg.rdf.report import NamedGraph, ReferenceData, map_report, reference_graph

__all__ = ["NamedGraph", "ReferenceData", "map_report", "reference_graph"]
