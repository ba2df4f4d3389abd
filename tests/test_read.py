"""The report reader: both layouts, repairs, and clear errors for bad input."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import ReportFormatError
from kg.read import parse_report, read_report

MINI = """Progress in Mali country in 2021

Data as of: 2 May 2024

OUTCOME XM-DAC-41146-MLI_D_1.2

By 2024, people live in a rule of law (related to SP_D_1.2: More national and local plans and budgets are gender-responsive)

The outcome was not achieved. 115 members (41 women) were trained with UNDP in Ségou.
"""


def test_seed_has_eight_outcomes_with_title_and_date(seed_path):
    r = read_report(seed_path)
    assert (r.country.alpha3, r.year, r.data_as_of) == ("MLI", 2021, date(2024, 5, 2))
    assert r.key == "MLI-2021"
    assert [s.identifier.rsplit("-", 1)[1] for s in r.sections] == [
        "MLI_D_1.2", "MLI_D_2.1", "MLI_D_1.1", "MLI_D_2.2", "MLI_D_3.1", "MLI_D_4.1", "MLI_D_4.2", "MLI_D_6.1"]


def test_offsets_point_into_the_source(seed_path, seed_text):
    r = read_report(seed_path)
    for s in r.sections:
        a, b = s.heading_span
        assert seed_text[a:b].strip().endswith(s.identifier)
        a, b = s.statement_span
        assert " ".join(seed_text[a:b].split()) == s.statement
        for p in s.narrative.pieces:
            assert seed_text[p.source_start : p.source_start + p.length] == \
                s.narrative.text[p.logical_start : p.logical_start + p.length]


def test_stray_quote_is_dropped_from_statement(seed_path):
    r = read_report(seed_path)
    s = next(s for s in r.sections if s.identifier.endswith("MLI_D_2.1"))
    assert s.statement.startswith("By 2024, Malian people")


def test_paragraph_split_mid_sentence_is_rejoined(seed_path):
    r = read_report(seed_path)
    s = next(s for s in r.sections if s.identifier.endswith("MLI_D_4.1"))
    assert "capacity building programme by providing technical" in s.narrative.text
    assert [x.kind for x in s.repairs] == ["rejoined-paragraph"]
    # a paragraph that ends a sentence is not joined to the next (MLI_D_4.2)
    s42 = next(s for s in r.sections if s.identifier.endswith("MLI_D_4.2"))
    assert "relevant in 2021.\n\nThe strategy" in s42.narrative.text


def test_passage_repeated_across_page_break_is_kept_once(seed_path, seed_text):
    r = read_report(seed_path)
    s = next(s for s in r.sections if s.identifier.endswith("MLI_D_1.1"))
    text = s.narrative.text
    assert text.count("1149 women and young people") == 1
    assert text.count("These sessions allowed men to understand") == 1
    assert text.count("The capacities of 120 other members") == 1
    # of the two copies of the 1149 sentence we keep the well-formed one ("211 men", not "21) men")
    assert "(749 including 211 men and 578 women)" in text
    dups = [x for x in s.repairs if x.kind == "duplicate-passage"]
    assert dups and all(x.kept for x in dups)
    for d in dups:  # both the dropped copy and the kept one are real source text
        assert seed_text[d.span[0] : d.span[1]].strip()
    assert seed_text.count("1149 women and young people") == 2


def test_portal_variant_with_furniture_and_lowercase_headings():
    text = ("Skip to main content\nOur reach\nProgress notes\n\n"
            "outcome XM-DAC-41146-NER_D_2.1\n\nWomen have income security.\n\n"
            "The outcome was achieved. 300 women received training.\n\n"
            "outcome XM-DAC-41146-NER_D_3.1\n\nNo violence.\n")
    r = parse_report(text, source="ner.txt", country="Niger", year=2022)
    assert (r.country.alpha3, r.year, r.title) == ("NER", 2022, None)
    assert [s.identifier for s in r.sections] == ["XM-DAC-41146-NER_D_2.1", "XM-DAC-41146-NER_D_3.1"]
    assert r.sections[1].narrative.text == ""


def test_title_without_the_word_country_bom_and_crlf():
    text = "\ufeffProgress in Burkina Faso in 2020\r\n\r\nOUTCOME XM-DAC-41146-BFA_D_1.1\r\n\r\nStatement.\r\n\r\nNarrative here.\r\n"
    r = parse_report(text.encode("utf-8"), source="bfa.txt")
    assert (r.country.alpha2, r.year) == ("BF", 2020)
    s = r.sections[0]
    assert s.narrative.text == "Narrative here."
    a, b = s.statement_span
    assert r.text[a:b] == "Statement."  # offsets count from after the BOM


@pytest.mark.parametrize("data, line, rule", [
    (b"", None, "empty report"),
    (b"   \n\n  \n", None, "empty report"),
    (b"Progress in Mali country in 2021\n\nJust text, no sections.\n", 3, "no outcome heading"),
    (b"Progress in Mali country in 2021\n\nOUTCOME\n\nStatement\n", 3, "heading without identifier"),
    (b"Progress in Mali country in 2021\n\nOUTCOME MLI-1.2\n\nStatement\n", 3, "not an IATI result identifier"),
    (b"Progress in Mali country in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\n", 3, "has no statement"),
    (b"Progress in Mali country in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\nok\n\nbad \xff byte\n", 7, "not valid UTF-8"),
    (b"Progress in Atlantis country in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\nS\n", None, "unknown country"),
    (b"Data as of: someday\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\nS\n", 1, "unreadable 'Data as of' date"),
    (b"OUTCOME XM-DAC-41146-MLI_D_1.2\n\nS\n", None, "no year"),
    (b"Progress in Mali country in 2021\n\nOUTCOME XM-DAC-41146-QQQ_D_1.2\n\nS\n", 3, "unknown office code 'QQQ'"),
    (b"Progress in Niger country in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\nS\n", None,
     "contradicts the office MLI"),
    (b"Progress in Mali country in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\nS\n\nOUTCOME XM-DAC-41146-NER_D_1.1"
     b"\n\nT\n", 7, "several offices"),
    (b"Progress in Mali country in 2021\n\noutcome XM-DAC-411\n\nS\n", 3, "every outcome heading is cut off"),
    (b"Progress in Mali country in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\nA\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\nB\n",
     7, "appears twice with different statements"),
])
def test_bad_input_names_file_line_and_rule(data, line, rule):
    with pytest.raises(ReportFormatError) as e:
        parse_report(data, source="bad.txt")
    assert e.value.source == "bad.txt"
    assert e.value.line == line
    assert rule in e.value.message
    assert str(e.value).startswith("bad.txt")


def test_options_fill_in_and_must_not_contradict_the_title():
    r = parse_report(MINI, country="MLI", year=2021)
    assert r.key == "MLI-2021"
    with pytest.raises(ReportFormatError, match="contradicts"):
        parse_report(MINI, country="NER")
    with pytest.raises(ReportFormatError, match="contradicts"):
        parse_report(MINI, year=2020)


def test_repeated_heading_continues_the_section_and_drops_only_repeated_text():
    stmt = "By 2024, people live in a rule of law (related to SP_D_1.2: More national and local plans and budgets are gender-responsive)"
    text = MINI + f"\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\n{stmt}\n\nThe outcome was not achieved. 115 members (41 women) were trained with UNDP in Ségou. Later, 55 women joined the network of the region.\n"
    r = parse_report(text)
    assert len(r.sections) == 1
    s = r.sections[0]
    assert s.narrative.text.count("115 members (41 women)") == 1
    assert "55 women joined" in s.narrative.text
    assert [x.kind for x in s.repairs] == ["duplicate-passage", "duplicate-passage"]


@pytest.mark.parametrize("heading", ["OUTCOME: XM-DAC-41146-MLI_D_1.1", "OUTCOME - XM-DAC-41146-MLI_D_1.1",
                                     "Outcome XM-DAC-41146-MLI_D_1.1"])
def test_heading_variants_are_headings(heading):
    r = parse_report(f"Progress in Mali in 2021\n\n{heading}\n\nStatement.\n\nText.\n")
    assert [s.identifier for s in r.sections] == ["XM-DAC-41146-MLI_D_1.1"]


@pytest.mark.parametrize("heading, rule", [
    ("OUTCOME XM-DAC-41146-MLI_D_6.1 extra", "unexpected text 'extra' after the identifier"),
    ("OUTCOME XM-DAC-41146-MLI_D_6.1 (continued)", "unexpected text '(continued)'"),
    ("OUTCOME 6.1", "'6.1' is not an IATI result identifier"),
])
def test_near_miss_headings_are_errors_not_narrative(heading, rule):
    text = f"Progress in Mali in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.1\n\nS.\n\n{heading}\n\nT.\n"
    with pytest.raises(ReportFormatError) as e:
        parse_report(text, source="x.txt")
    assert e.value.line == 7 and rule in e.value.message


def test_menu_word_outcome_is_not_a_heading():
    r = parse_report("Outcome\nOutcomes\noutcome XM-DAC-41146-NER_D_1.1\n\nS.\n", country="NER", year=2022)
    assert len(r.sections) == 1


@pytest.mark.parametrize("brk", ["\f", "\u2028", "\x85", "\v"])
def test_line_numbers_count_only_cr_and_lf(brk):
    text = f"Progress in Mali in 2021\n{brk}\nOUTCOME XM-DAC-41146-MLI_D_1.1\n\nS.\n\nOUTCOME\n\nX\n"
    with pytest.raises(ReportFormatError) as e:
        parse_report(text)
    assert e.value.line == 7


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda s: s.encode("utf-8")))
def test_any_bytes_give_records_or_a_clear_error(data):
    try:
        r = parse_report(data, source="fuzz.txt", country="MLI", year=2021)
    except ReportFormatError as e:
        assert e.source == "fuzz.txt" and e.message
    else:
        assert r.sections


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60), min_size=1, max_size=6))
def test_any_narrative_round_trips_through_offsets(paragraphs):
    body = "\n\n".join(p.replace("\r", " ").replace("\n", " ").strip() or "x" for p in paragraphs)
    text = f"Progress in Mali in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.1\n\nStatement here.\n\n{body}\n"
    try:
        r = parse_report(text)
    except ReportFormatError:
        return  # a paragraph may itself look like a heading; the error is the contract
    for s in r.sections:
        for p in s.narrative.pieces:
            assert r.text[p.source_start : p.source_start + p.length] == s.narrative.text[p.logical_start : p.logical_start + p.length]


# ---- the statement and the narrative without a blank line between them (issue 11) ------------------


def _one_section(body: str):
    r = parse_report(f"Progress in Niger country in 2022\n\nOUTCOME XM-DAC-41146-NER_D_2.1\n\n{body}", source="ner.txt")
    [sec] = r.sections
    return r, sec


@pytest.mark.parametrize("body, statement, narrative_starts", [
    # the narrative starts on the statement's next line
    ("Women have income security and decent work.\nIn 2022, 1,200 women received seed funds in Tillabéri.\n",
     "Women have income security and decent work.", "In 2022, 1,200 women"),
    # the statement says what it is related to, and the narrative follows at once
    ("Women lead (related to SP_D_1.1: More women lead)\nThe outcome was not reached in 2022. 40 mayors met.\n",
     "Women lead (related to SP_D_1.1: More women lead)", "The outcome was not reached"),
    # ... also when the statement is wrapped over two lines before it
    ("By 2025, women and girls\nlive free of violence (related to SP_D_3.1: Violence ends).\n300 police officers were trained.\n",
     "By 2025, women and girls live free of violence (related to SP_D_3.1: Violence ends).", "300 police officers"),
    # CRLF line ends
    ("Women have income security.\r\n200 women were trained.\r\n", "Women have income security.", "200 women"),
])
def test_the_narrative_right_after_the_statement_is_read_as_narrative(body, statement, narrative_starts):
    r, sec = _one_section(body)
    assert sec.statement == statement
    assert sec.narrative.text.startswith(narrative_starts)
    s, e = sec.statement_span
    assert " ".join(r.text[s:e].split()) == statement  # offsets still point at the source
    first = sec.narrative.pieces[0]
    assert r.text[first.source_start:first.source_start + first.length].startswith(narrative_starts)


def test_a_statement_wrapped_over_lines_stays_one_statement():
    r, sec = _one_section("By 2025, women and girls live free of violence and\nharmful practices in all regions\n\n"
                          "The outcome was achieved.\n")
    assert sec.statement == "By 2025, women and girls live free of violence and harmful practices in all regions"
    assert sec.narrative.text == "The outcome was achieved."


def test_a_section_with_nothing_to_read_is_said_not_built_empty_in_silence():
    r, sec = _one_section("Women have income security and decent work.\n")
    assert [x.kind for x in sec.repairs] == ["empty-narrative"]
    assert "NER_D_2.1" in sec.repairs[0].detail and "line 3" in sec.repairs[0].detail
    long = "By 2025, women " + "and girls " * 100 + "live free of violence"  # one line, no full stop, 1,000+ chars
    r, sec = _one_section(long + "\n\nThe outcome was achieved.\n")
    assert [x.kind for x in sec.repairs] == ["long-statement"]
    s, e = sec.repairs[0].span
    assert r.text[s:e] == long


def test_outcome_label_lines_are_labels_not_narrative():
    r = parse_report("Outcome 2: Political participation\n\noutcome XM-DAC-41146-NER_D_1.2\nWomen lead.\n"
                     "The outcome was achieved.\nOutcome 3 - Economic empowerment\noutcome XM-DAC-41146-NER_D_2.1\n"
                     "Women earn.\nThe outcome was not reached.\n", source="p.txt", year=2022)
    assert [(s.identifier[-9:], s.label, s.narrative.text) for s in r.sections] == [
        ("NER_D_1.2", "Outcome 2: Political participation", "The outcome was achieved."),
        ("NER_D_2.1", "Outcome 3 - Economic empowerment", "The outcome was not reached.")]
    a, b = r.sections[0].label_span
    assert r.text[a:b] == "Outcome 2: Political participation"


def test_footnote_markers_are_not_text():
    r = parse_report("Progress in Niger country in 2022\n\nOUTCOME XM-DAC-41146-NER_D_1.2\n\nWomen lead.\n\n"
                     "The outcome was achieved in 2022.[1] 45 women were elected[2] in Zinder.\n",
                     source="p.txt")
    view = r.sections[0].narrative
    assert "[" not in view.text and "45 women were elected in Zinder." in view.text
    i = view.text.index("45")
    assert r.text[view.to_source(i, i + 2)[0]:][:2] == "45"


def test_a_cut_heading_leaves_its_section_out_and_keeps_the_rest():
    r = parse_report("OUTCOME XM-DAC-41146-MLI_D_1.1\n\nA.\n\nNarrative one.\n\noutcome XM-DAC-41146-ML\n\nB.\n\n"
                     "OUTCOME XM-DAC-41146-MLI_D_1.3\n\nC.\n\nNarrative three.\n", source="p.txt", year=2023)
    assert [s.identifier[-9:] for s in r.sections] == ["MLI_D_1.1", "MLI_D_1.3"]
    assert [(d.kind, d.line) for d in r.damage] == [("cut-heading", 7)]
    assert r.country is not None and r.country.alpha2 == "ML" and r.office.code == "MLI"
    with pytest.raises(ReportFormatError) as e:
        parse_report(r.text, source="p.txt", year=2023, strict=True)
    assert e.value.line == 7 and "cut off" in e.value.message


def test_a_label_opening_the_statement_is_not_part_of_it():
    r = parse_report("outcome XM-DAC-41146-RD_D_2.1\nOutcome 2: By 2022, women in Kenya earn more.\n"
                     "The outcome was delayed.\n", source="p.txt", year=2020)
    sec = r.sections[0]
    assert (sec.label, sec.statement) == ("Outcome 2", "By 2022, women in Kenya earn more.")
    assert r.text[sec.statement_span[0]:sec.statement_span[1]] == "By 2022, women in Kenya earn more."
    assert r.country is not None and r.country.alpha2 == "KE"  # RD is Kenya's office (data/offices.tsv)


def test_portal_footer_lines_are_not_narrative():
    r = parse_report("Skip to main content\noutcome XM-DAC-41146-NER_D_1.1\nWomen lead.\n"
                     "The outcome was achieved. 40 women were elected.\nDownload data\nDisclaimer\nTerms of use\n"
                     "Back to top\n", source="p.txt", year=2022)
    assert r.sections[0].narrative.text == "The outcome was achieved. 40 women were elected."
