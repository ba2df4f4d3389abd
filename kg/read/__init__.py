"""Readers: one per input format. They know formats, nothing about RDF."""

from kg.read.report import OutcomeSection, Repair, ReportRecord, parse_report, read_report

__all__ = ["OutcomeSection", "ReportRecord", "Repair", "read_report", "parse_report"]
