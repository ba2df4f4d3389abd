"""Mapping records to RDF: the only place that writes triples."""

from kg.rdf.graph import NamedGraph
from kg.rdf.reference import ReferenceData, reference_graph
from kg.rdf.report import map_report

__all__ = ["NamedGraph", "ReferenceData", "map_report", "reference_graph"]
