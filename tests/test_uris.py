"""IRIs: minted in one place, deterministic, and parsed back by the inverse."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.errors import UsageError
from kg.uris import DEFAULT_BASE, IRIs, statement_digest

keys = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)


@given(st.sampled_from(["report", "org", "place", "sp", "scheme", "graph"]), keys)
def test_single_key_round_trip(kind, key):
    iris = IRIs()
    iri = getattr(iris, {"graph": "graph"}.get(kind, kind))(key)
    parsed = iris.parse(str(iri))
    assert parsed is not None and parsed.kind == kind and parsed.keys == (key,)


def test_every_kind_round_trips_with_non_ascii():
    iris = IRIs("http://localhost:8080/id/")
    cases = {
        "note": iris.note("MLI-2021", "XM-DAC-41146-MLI_D_1.2"),
        "figure": iris.figure("MLI-2021", "XM-DAC-41146-MLI_D_1.2", 0),
        "mention": iris.mention("MLI-2021", "XM-DAC-41146-MLI_D_1.2", 42),
        "span": iris.span("MLI-2021", 3, 9),
        "finding": iris.finding("MLI-2021", 0),
        "report-graph": iris.report_graph("MLI-2021"),
        "place": iris.place("ML-4-ségou"),
    }
    for kind, iri in cases.items():
        assert iri.startswith("http://localhost:8080/id/")
        assert iris.parse(str(iri)).kind == kind
    assert iris.parse(str(cases["place"])).keys == ("ML-4-ségou",)
    assert iris.parse("https://example.org/other") is None
    assert iris.parse(str(cases["span"]) + "#quote").kind == "span"


def test_outcome_identity_is_identifier_plus_statement():
    iris = IRIs()
    a = iris.outcome("XM-DAC-41146-MLI_D_1.1", "By 2024, people live in a rule of law")
    b = iris.outcome("XM-DAC-41146-MLI_D_1.1", "By 2024,  people live\nin a rule of law")
    c = iris.outcome("XM-DAC-41146-MLI_D_1.1", "Vulnerable people have access to basic social services")
    d = iris.outcome("XM-DAC-41146-MLI_D_1.2", "By 2024, people live in a rule of law")
    assert a == b
    assert len({a, c, d}) == 3
    assert statement_digest("Ségou women") != statement_digest("segou women")


@pytest.mark.parametrize("base", ["ftp://x/", "https://x/id", "not an iri/"])
def test_bad_base_is_a_usage_error(base):
    with pytest.raises(UsageError):
        IRIs(base)
    assert IRIs(DEFAULT_BASE).base == DEFAULT_BASE
