"""The Data Cube checker (tests/datacube.py) can both pass and fail: a tiny hand-made well-formed cube passes,
and each way of breaking it trips the integrity constraint made for that breakage, and only that one."""
from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from datacube import CONSTRAINTS, IC_12_AS_PUBLISHED, NORMALIZE_PHASE_1, NORMALIZE_PHASE_2, check, violations

PREFIXES = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix qb:   <http://purl.org/linked-data/cube#> .
@prefix ex:   <http://example.org/> .
"""

# One statement a line, so that a case can drop exactly one (and must find it first).
CUBE = PREFIXES + """
ex:dataset a qb:DataSet .
ex:dataset qb:structure ex:dsd .
ex:dsd a qb:DataStructureDefinition .
ex:dsd qb:component [ qb:dimension ex:refArea ; qb:order 1 ] .
ex:dsd qb:component [ qb:dimension ex:sex ; qb:order 2 ] .
ex:dsd qb:component [ qb:measure ex:count ] .
ex:dsd qb:component [ qb:attribute ex:upperBound ; qb:componentRequired true ] .
ex:refArea a qb:DimensionProperty .
ex:refArea rdfs:range ex:Area .
ex:sex a qb:DimensionProperty .
ex:sex rdfs:range skos:Concept .
ex:sex qb:codeList ex:sexes .
ex:count a qb:MeasureProperty .
ex:count rdfs:range xsd:integer .
ex:upperBound a qb:AttributeProperty .
ex:upperBound rdfs:range xsd:boolean .
ex:sexes a skos:ConceptScheme .
ex:F a skos:Concept ; skos:inScheme ex:sexes .
ex:M a skos:Concept ; skos:inScheme ex:sexes .
ex:T a skos:Concept ; skos:inScheme ex:sexes .
ex:o1 a qb:Observation .
ex:o1 qb:dataSet ex:dataset .
ex:o1 ex:refArea ex:Kenya .
ex:o1 ex:sex ex:F .
ex:o1 ex:count 10 .
ex:o1 ex:upperBound false .
ex:o2 a qb:Observation .
ex:o2 qb:dataSet ex:dataset .
ex:o2 ex:refArea ex:Kenya .
ex:o2 ex:sex ex:M .
ex:o2 ex:count 12 .
ex:o2 ex:upperBound false .
ex:o3 a qb:Observation .
ex:o3 qb:dataSet ex:dataset .
ex:o3 ex:refArea ex:Peru .
ex:o3 ex:sex ex:T .
ex:o3 ex:count 7 .
ex:o3 ex:upperBound true .
"""

AREA_SLICE_KEY = "ex:dsd qb:sliceKey ex:byArea . ex:byArea a qb:SliceKey ; qb:componentProperty ex:refArea .\n"


def edit(drop: tuple[str, ...] = (), add: str = "") -> bytes:
    """The cube without the statements `drop` (each a whole line, which must be there) and with `add`."""
    lines = CUBE.splitlines()
    for statement in drop:
        assert statement in lines, f"not in the cube: {statement}"
        lines.remove(statement)
    return ("\n".join(lines) + "\n" + PREFIXES + add).encode()


def test_the_cube_is_well_formed():
    assert check(CUBE.encode()) == []


@pytest.mark.parametrize("cube", [
    pytest.param(edit(drop=("ex:o1 a qb:Observation .", "ex:o2 a qb:Observation .", "ex:o3 a qb:Observation .",
                            "ex:dataset a qb:DataSet .")), id="types-left-to-phase-1"),
    pytest.param(edit(drop=("ex:o1 ex:upperBound false .", "ex:o2 ex:upperBound false .", "ex:o3 ex:upperBound true .",
                            "ex:dsd qb:component [ qb:attribute ex:upperBound ; qb:componentRequired true ] ."),
                      add="ex:dsd qb:component [ qb:attribute ex:upperBound ; qb:componentRequired true ;"
                          " qb:componentAttachment qb:DataSet ] . ex:dataset ex:upperBound false ."),
                 id="attribute-attached-to-the-data-set"),
    pytest.param(edit(drop=("ex:o1 ex:refArea ex:Kenya .", "ex:o2 ex:refArea ex:Kenya ."),
                      add=AREA_SLICE_KEY + "ex:dataset qb:slice ex:kenya . ex:kenya qb:sliceStructure ex:byArea ;"
                                           " ex:refArea ex:Kenya ; qb:observation ex:o1, ex:o2 ."),
                 id="dimension-value-on-a-slice"),
    pytest.param(edit(drop=("ex:sex qb:codeList ex:sexes .",),
                      add="ex:sex qb:codeList ex:sexCodes . ex:sexCodes a skos:Collection ;"
                          " skos:member ex:F, ex:M, ex:both . ex:both a skos:Collection ; skos:member ex:T ."),
                 id="code-list-a-skos-collection"),
])
def test_abbreviated_forms_normalise_to_a_well_formed_cube(cube: bytes):
    """The checker normalises first (section 10.2), so a cube in abbreviated form is not reported."""
    assert check(cube) == []


BREAKAGES = [
    pytest.param(edit(drop=("ex:o3 qb:dataSet ex:dataset .",)), ["IC-1"], id="IC-1-observation-without-data-set"),
    pytest.param(edit(add="ex:o3 qb:dataSet ex:dataset2 . ex:dataset2 qb:structure ex:dsd ."), ["IC-1"],
                 id="IC-1-observation-in-two-data-sets"),
    pytest.param(edit(drop=("ex:dataset qb:structure ex:dsd .",)), ["IC-2"], id="IC-2-data-set-without-structure"),
    pytest.param(edit(add="ex:dataset qb:structure ex:dsd2 . ex:dsd2 qb:component [ qb:measure ex:count ] ."),
                 ["IC-2"], id="IC-2-data-set-with-two-structures"),
    pytest.param(edit(drop=("ex:dsd qb:component [ qb:measure ex:count ] .",)), ["IC-3"],
                 id="IC-3-structure-without-measure"),
    pytest.param(edit(drop=("ex:refArea rdfs:range ex:Area .",)), ["IC-4"], id="IC-4-dimension-without-range"),
    pytest.param(edit(drop=("ex:sex qb:codeList ex:sexes .",)), ["IC-5"],
                 id="IC-5-concept-dimension-without-code-list"),
    pytest.param(edit(drop=("ex:dsd qb:component [ qb:measure ex:count ] .",),
                      add="ex:dsd qb:component [ qb:measure ex:count ; qb:componentRequired false ] ."), ["IC-6"],
                 id="IC-6-optional-measure"),
    pytest.param(edit(add="ex:byArea a qb:SliceKey ; qb:componentProperty ex:refArea ."), ["IC-7"],
                 id="IC-7-slice-key-of-no-structure"),
    pytest.param(edit(add="ex:dsd qb:sliceKey ex:byYear . ex:byYear a qb:SliceKey ; qb:componentProperty ex:year ."),
                 ["IC-8"], id="IC-8-slice-key-on-a-component-not-in-the-structure"),
    pytest.param(edit(add="ex:dataset qb:slice ex:kenya . ex:kenya ex:refArea ex:Kenya ; qb:observation ex:o1 ."),
                 ["IC-9"], id="IC-9-slice-without-key"),
    pytest.param(edit(add=AREA_SLICE_KEY + "ex:dataset qb:slice ex:kenya ."
                                           " ex:kenya qb:sliceStructure ex:byArea ; qb:observation ex:o1 ."),
                 ["IC-10"], id="IC-10-slice-without-its-key-dimension"),
    pytest.param(edit(drop=("ex:o3 ex:sex ex:T .",)), ["IC-11"], id="IC-11-observation-without-a-dimension"),
    pytest.param(edit(drop=("ex:o3 ex:refArea ex:Peru .", "ex:o3 ex:sex ex:T ."),
                      add="ex:o3 ex:refArea ex:Kenya . ex:o3 ex:sex ex:F ."), ["IC-12"],
                 id="IC-12-two-observations-with-the-same-dimension-values"),
    pytest.param(edit(drop=("ex:o2 ex:upperBound false .",)), ["IC-13"], id="IC-13-required-attribute-missing"),
    pytest.param(edit(drop=("ex:o2 ex:count 12 .",)), ["IC-14"], id="IC-14-measure-missing"),
    pytest.param(edit(drop=("ex:o3 qb:dataSet ex:dataset .",),
                      add=AREA_SLICE_KEY + "ex:o3 qb:dataSet ex:dataset2 . ex:dataset2 qb:structure ex:dsd ."
                      " ex:dataset qb:slice ex:peru . ex:peru qb:sliceStructure ex:byArea ; ex:refArea ex:Peru ;"
                      " qb:observation ex:o3 ."), ["IC-18"], id="IC-18-slice-observation-of-another-data-set"),
    pytest.param(edit(drop=("ex:o3 ex:sex ex:T .",), add="ex:o3 ex:sex ex:X ."), ["IC-19"],
                 id="IC-19-code-not-a-concept-of-the-scheme"),
    pytest.param(edit(add="ex:U a skos:Concept ; skos:inScheme ex:otherScheme . ex:o3 ex:sex ex:U ."), ["IC-19"],
                 id="IC-19-code-of-another-scheme"),
    pytest.param(edit(drop=("ex:sex qb:codeList ex:sexes .",),
                      add="ex:sex qb:codeList ex:sexCodes . ex:sexCodes a skos:Collection ; skos:member ex:F, ex:M ."),
                 ["IC-19"], id="IC-19-code-not-a-member-of-the-collection"),
]


@pytest.mark.parametrize(("cube", "tripped"), BREAKAGES)
def test_each_breakage_trips_its_constraint(cube: bytes, tripped: list[str]):
    found = check(cube)
    assert tripped[0] in found
    assert found == tripped  # and nothing else: the constraints tell breakages apart


def test_the_breakages_cover_at_least_eight_constraints():
    assert len({case.values[1][0] for case in BREAKAGES}) >= 8


def test_inputs_may_be_bytes_triples_or_a_file(tmp_path: Path):
    broken = edit(drop=("ex:o2 ex:count 12 .",))
    store = ox.Store()
    store.load(broken, ox.RdfFormat.TURTLE)
    triples = [q.triple for q in store]
    nt = tmp_path / "cube.nt"
    nt.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    ttl = tmp_path / "cube.ttl"
    ttl.write_bytes(broken)
    assert check(triples) == check(nt) == check(str(ttl)) == check(nt.read_bytes()) == ["IC-14"]


def test_violations_normalises_the_given_store_in_place():
    store = ox.Store()
    store.load(edit(drop=("ex:o1 a qb:Observation .",)), ox.RdfFormat.TURTLE)
    o1_is_typed = "ASK { <http://example.org/o1> a <http://purl.org/linked-data/cube#Observation> }"
    assert not store.query(o1_is_typed)
    assert violations(store) == []
    assert store.query(o1_is_typed)


def test_the_queries_parse_with_their_own_prefixes():
    """Oxigraph has no predeclared prefixes: each query must declare every prefix it uses."""
    store = ox.Store()
    store.update(NORMALIZE_PHASE_1)
    store.update(NORMALIZE_PHASE_2)
    assert list(CONSTRAINTS) == [f"IC-{i}" for i in range(1, 20)]
    for query in [*CONSTRAINTS.values(), IC_12_AS_PUBLISHED]:
        assert not store.query(query)


DIMENSION_VALUES = ["ex:a", "ex:b", "_:b", "1", "1.0", '"1"', '"01"^^xsd:integer', '"2015"^^xsd:gYear',
                    '"2015Z"^^xsd:gYear', '"x"^^ex:dt', '"y"^^ex:dt', '"a"@en', '"a"', '"NaN"^^xsd:double', "true",
                    '"1"^^xsd:boolean']


def random_cube(rng: random.Random) -> str:
    """A small cube built to stress IC-12: observations in one or two data sets, dimensions missing, repeated in a
    structure or given two values, and values that compare equal, unequal or in error under SPARQL's `=`."""
    lines = [PREFIXES]
    dims = [f"ex:d{i}" for i in range(rng.randint(0, 3))]
    datasets = rng.randint(1, 2)
    for j in range(datasets):
        used = [d for d in dims if rng.random() < 0.85]
        used += used[:1] if rng.random() < 0.1 else []
        lines.append(f"ex:ds{j} qb:structure ex:dsd{j} .")
        lines += [f"ex:dsd{j} qb:component [ qb:dimension {d} ] ." for d in used]
    values = rng.sample(DIMENSION_VALUES, rng.randint(1, 5))
    for o in range(rng.randint(0, 6)):
        lines += [f"ex:o{o} qb:dataSet ex:ds{k} ." for k in range(datasets) if rng.random() < (0.2 if k else 0.9)]
        for d in dims:
            r = rng.random()
            count = 0 if r < 0.1 else 2 if r > 0.9 else 1  # mostly one value, sometimes none or two
            lines += [f"ex:o{o} {d} {v} ." for v in rng.sample(values, min(len(values), count))]
    return "\n".join(lines)


def test_ic12_agrees_with_the_query_as_published():
    """IC-12 is reformulated to run in linear time: on many small random cubes it answers as the published
    (quadratic) query does."""
    rng = random.Random(12)
    answers = []
    for _ in range(300):
        store = ox.Store()
        store.load(random_cube(rng).encode(), ox.RdfFormat.TURTLE)
        store.update(NORMALIZE_PHASE_1)
        store.update(NORMALIZE_PHASE_2)
        published, ours = bool(store.query(IC_12_AS_PUBLISHED)), bool(store.query(CONSTRAINTS["IC-12"]))
        assert ours == published
        answers.append(published)
    assert 30 < sum(answers) < 270  # both answers were exercised
