"""Extractors: facts found in a report section, with source offsets. No RDF here."""
from __future__ import annotations

from kg.extract.alignment import find_alignment, strip_alignment
from kg.extract.checks import check
from kg.extract.figures import link, number_words_last, scan
from kg.extract.model import Evidence, FigureFact, FindingFact, MentionFact, SectionFacts
from kg.extract.orgs import report_orgs, with_national_branches
from kg.extract.places import find_more_places, report_places
from kg.extract.references import find_resolutions, find_sdgs
from kg.extract.roles import find_roles
from kg.extract.status import find_status
from kg.gazetteer import Gazetteer, Organisation
from kg.read.report import OutcomeSection, ReportRecord
from kg.text import sentences

__all__ = ["Evidence", "FigureFact", "FindingFact", "MentionFact", "SectionFacts", "extract_section",
           "strip_alignment"]

_MALFORMED_HINT = "broken digit grouping (expected groups of three digits, e.g. 1,024,517); the value is not guessed"


def extract_section(report: ReportRecord, section: OutcomeSection, gazetteer: Gazetteer) -> SectionFacts:
    view = section.narrative
    text = view.text
    sents = sentences(text)
    sent_starts = [s.start for s in sents]

    def evidence(a: int, b: int) -> Evidence:
        import bisect
        k = max(bisect.bisect_right(sent_starts, a) - 1, 0)
        s = sents[k] if sents else None
        sentence = view.to_source(s.start, s.end) if s else view.to_source(a, b)
        return Evidence(view.to_source(a, b), sentence)

    findings: list[FindingFact] = []
    status = find_status(view, sents)
    if status.candidate is not None:
        words = view.source[status.candidate.span[0]:status.candidate.span[1]]
        findings.append(FindingFact(
            "unread-status", f"'{words}' seems to state the outcome's status in words data/status_phrases.tsv does not "
            "have; published as not stated", status.candidate.sentence, "note"))
    st_s, st_e = section.statement_span
    alignment = find_alignment(st_s, report.text[st_s:st_e], section.kind, section.number, report.year)
    if alignment is not None and alignment.inferred:
        findings.append(FindingFact(
            "inferred-alignment",
            f"no '(related to SP_…)' in the statement; {alignment.code} inferred from the identifier suffix "
            f"of {section.identifier}", section.heading_span, "outcome"))

    mentions: list[MentionFact] = []
    discovered: dict[str, Organisation] = {}
    country = report.country.alpha2 if report.country is not None else ""
    org_hits = gazetteer.find_orgs(text, country)
    local = report_orgs(report.text, gazetteer, country)
    for m in local.find(text):
        if not any(h.start < m.end and m.start < h.end for h in org_hits):
            discovered[m.key] = local.orgs[m.key]
            org_hits.append(m)
    org_hits.sort(key=lambda h: h.start)
    if report.country is not None:
        org_hits = with_national_branches(text, org_hits, gazetteer.places[country])
    reporting = gazetteer.reporting_org.key if gazetteer.reporting_org else None
    roles = find_roles(text, org_hits, sents)
    for k, h in enumerate(org_hits):
        if h.key != reporting:
            role, cue = roles.get(k, (None, None))
            mentions.append(MentionFact("org", h.key, evidence(h.start, h.end), role,
                                        evidence(*cue) if cue is not None else None))
    org_spans = [(h.start, h.end) for h in org_hits]
    place_hits = gazetteer.find_places(text, country, org_spans)
    found = [(h.start, h.end) for h in place_hits]
    # an office reporting for no country: its towns are those of the countries it names
    countries = [country] if country else list(dict.fromkeys(
        h.key for h in place_hits if gazetteer.places[h.key].type == "country"))
    reported = report_places(report.text, country, gazetteer, local) if country else None
    more = find_more_places(text, countries, gazetteer, org_spans + found, found, reported)
    place_hits = [h for h in place_hits if not any(m.start <= h.start and h.end <= m.end for m in more)] + more
    place_hits.sort(key=lambda h: h.start)
    for h in place_hits:
        mentions.append(MentionFact("place", h.key, evidence(h.start, h.end)))
    for a, b, code in find_sdgs(text):
        mentions.append(MentionFact("sdg", code, evidence(a, b)))
    for a, b, symbol in find_resolutions(text):
        mentions.append(MentionFact("resolution", symbol, evidence(a, b)))

    raw = scan(text, sents, country)
    link(text, sents, raw, [(h.start, h.end, h.key) for h in place_hits])
    raw = number_words_last(raw)
    figures = []
    for f in raw:
        figures.append(FigureFact(
            index=f.index, source_text=f.raw, value=f.value, unit=f.unit, counts=f.counts,
            evidence=evidence(f.start, f.end), sex=f.sex, places=list(f.places),
            part_of=f.part_of, breakdown=f.part_kind if f.part_of is not None else None,
            share_of=f.share_of))
        if f.ambiguous:
            findings.append(FindingFact(
                "malformed-number", f"'{f.raw}' counts {f.counts or 'things'} but has a fractional part: "
                "the '.' may separate thousands; the value is not guessed",
                view.to_source(f.start, f.end), f"figure:{f.index}"))
        elif f.value is None:
            findings.append(FindingFact("malformed-number", f"'{f.raw}' has {_MALFORMED_HINT}",
                                        view.to_source(f.start, f.end), f"figure:{f.index}"))
        if f.glued:
            a = max(f.start - 12, 0)
            findings.append(FindingFact(
                "glued-number", f"'{text[a:f.end].split()[-1]}': a word or full stop is glued to the number "
                f"{f.raw}; read as two tokens", view.to_source(f.start - 1, f.end), f"figure:{f.index}"))
    for kind, message, index in check(raw, text):
        f = raw[index]
        findings.append(FindingFact(kind, message, view.to_source(f.start, f.end), f"figure:{index}"))
    for r in section.repairs:
        findings.append(FindingFact(r.kind, r.detail, r.span, "note"))
    return SectionFacts(status, alignment, mentions, figures, findings, discovered)
