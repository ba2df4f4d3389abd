"""Readers: one per input format. They know formats, nothing about RDF."""

from kg.read.report import OutcomeSection, ReportRecord, Repair, read_report, parse_report

__all__ = ["OutcomeSection", "ReportRecord", "Repair", "read_report", "parse_report"]
