"""A standalone well-formedness checker for RDF Data Cubes, for the tests to run on the cubes we publish.

The queries are those of the W3C Recommendation "The RDF Data Cube Vocabulary" of 16 January 2014
(https://www.w3.org/TR/2014/REC-vocab-data-cube-20140116/): the normalisation algorithm of section 10.2
(two SPARQL Update phases, run in order on the cube) and the integrity constraints IC-1 to IC-19 of
section 11.1, each an ASK that is true when the constraint is violated. They are copied in meaning, with
every prefix declared in each query (Oxigraph has no predeclared prefixes); IC-19, which the Recommendation
prints as two ASK queries (a code list that is a skos:ConceptScheme, and one that is a skos:Collection), is
their disjunction in one ASK; IC-12 is reformulated to run in about linear rather than quadratic time, with
the argument for its equivalence beside it (the published text is kept as IC_12_AS_PUBLISHED, which the tests
compare it against).

IC-20 and IC-21 (codes from a qb:HierarchicalCodeList) are out of scope: they are templates to instantiate
per parent-child property, and our cubes use flat code lists only.

The queries reproduce a W3C Recommendation: Copyright © 2014 W3C® (MIT, ERCIM, Keio, Beihang), used under the
W3C Document License (https://www.w3.org/Consortium/Legal/2015/doc-license).
"""
from __future__ import annotations

import os
from collections.abc import Iterable

import pyoxigraph as ox

PREFIXES = """\
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb:   <http://purl.org/linked-data/cube#>
"""

# Section 10.2, phase 1: type and property closure.
NORMALIZE_PHASE_1 = PREFIXES + """
INSERT {
    ?o rdf:type qb:Observation .
} WHERE {
    [] qb:observation ?o .
};

INSERT {
    ?o  rdf:type qb:Observation .
    ?ds rdf:type qb:DataSet .
} WHERE {
    ?o qb:dataSet ?ds .
};

INSERT {
    ?s rdf:type qb:Slice .
} WHERE {
    [] qb:slice ?s.
};

INSERT {
    ?cs qb:componentProperty ?p .
    ?p  rdf:type qb:DimensionProperty .
} WHERE {
    ?cs qb:dimension ?p .
};

INSERT {
    ?cs qb:componentProperty ?p .
    ?p  rdf:type qb:MeasureProperty .
} WHERE {
    ?cs qb:measure ?p .
};

INSERT {
    ?cs qb:componentProperty ?p .
    ?p  rdf:type qb:AttributeProperty .
} WHERE {
    ?cs qb:attribute ?p .
}
"""

# Section 10.2, phase 2: push down attachment levels (run after phase 1, whose qb:componentProperty it reads).
NORMALIZE_PHASE_2 = PREFIXES + """
# Dataset attachments
INSERT {
    ?obs  ?comp ?value
} WHERE {
    ?spec    qb:componentProperty ?comp ;
             qb:componentAttachment qb:DataSet .
    ?dataset qb:structure [qb:component ?spec];
             ?comp ?value .
    ?obs     qb:dataSet ?dataset.
};

# Slice attachments
INSERT {
    ?obs  ?comp ?value
} WHERE {
    ?spec    qb:componentProperty ?comp;
             qb:componentAttachment qb:Slice .
    ?dataset qb:structure [qb:component ?spec];
             qb:slice ?slice .
    ?slice ?comp ?value;
           qb:observation ?obs .
};

# Dimension values on slices
INSERT {
    ?obs  ?comp ?value
} WHERE {
    ?spec    qb:componentProperty ?comp .
    ?comp a  qb:DimensionProperty .
    ?dataset qb:structure [qb:component ?spec];
             qb:slice ?slice .
    ?slice ?comp ?value;
           qb:observation ?obs .
}
"""

# IC-12 as the Recommendation prints it: every pair of observations of a data set is grouped and its
# dimension values compared, so it is quadratic in the number of observations (minutes at 5,000).
IC_12_AS_PUBLISHED = PREFIXES + """
ASK {
  FILTER( ?allEqual )
  {
    # For each pair of observations test if all the dimension values are the same
    SELECT (MIN(?equal) AS ?allEqual) WHERE {
        ?obs1 qb:dataSet ?dataset .
        ?obs2 qb:dataSet ?dataset .
        FILTER (?obs1 != ?obs2)
        ?dataset qb:structure/qb:component/qb:componentProperty ?dim .
        ?dim a qb:DimensionProperty .
        ?obs1 ?dim ?value1 .
        ?obs2 ?dim ?value2 .
        BIND( ?value1 = ?value2 AS ?equal)
    } GROUP BY ?obs1 ?obs2
  }
}
"""


def _hex8(var: str) -> str:
    """A SPARQL expression for the number the first 8 hex digits of the MD5 digest in `var` spell."""
    digit = 'STRLEN(STRBEFORE("0123456789abcdef", SUBSTR({v}, {i}, 1)))'
    return " + ".join(f"{16 ** (8 - i)} * " + digit.format(v=var, i=i) for i in range(1, 9))


def _signature(obs: str, tag: str) -> str:
    """A group binding `obs`, ?dataset and ?sig: the sum, over the data set's dimensions, of a hash of each
    dimension and a key of the observation's value for it (the value if an IRI, "" for any other term).

    The sum is never unbound (every summand is an integer), but Oxigraph's planner cannot know that, and it
    hash-joins only on variables that are always bound: the COALESCE, a no-op here, is what keeps the join of
    the two signatures linear rather than a nested loop."""
    return f"""{{
      {{
        SELECT {obs} ?dataset (SUM(?h{tag}) AS ?sum{tag}) WHERE {{
          {obs} qb:dataSet ?dataset .
          ?dataset qb:structure/qb:component/qb:componentProperty ?dim{tag} .
          ?dim{tag} a qb:DimensionProperty .
          {obs} ?dim{tag} ?v{tag} .
          BIND (MD5(CONCAT(STR(?dim{tag}), " ", IF(isIRI(?v{tag}), STR(?v{tag}), ""))) AS ?md5{tag})
          BIND ({_hex8(f"?md5{tag}")} AS ?h{tag})
        }} GROUP BY {obs} ?dataset
      }}
      BIND (COALESCE(?sum{tag}, 0) AS ?sig)
    }}"""


def _irregular(obs: str) -> str:
    """A FILTER true when `obs` is in more than one data set, or lacks a dimension of one of them, or has two
    values for one."""
    dims = f"""{obs} qb:dataSet ?i_ds .
          ?i_ds qb:structure/qb:component/qb:componentProperty ?i_dim .
          ?i_dim a qb:DimensionProperty ."""
    return f"""FILTER EXISTS {{
        {{ {obs} qb:dataSet ?i_ds1, ?i_ds2 . FILTER (!sameTerm(?i_ds1, ?i_ds2)) }}
        UNION {{ {dims}
          FILTER NOT EXISTS {{ {obs} ?i_dim [] }} }}
        UNION {{ {dims}
          {obs} ?i_dim ?i_v1, ?i_v2 . FILTER (!sameTerm(?i_v1, ?i_v2)) }}
      }}"""


_PAIR_ROWS = """?obs1 qb:dataSet ?t_ds .
      ?obs2 qb:dataSet ?t_ds .
      ?t_ds qb:structure/qb:component/qb:componentProperty ?t_dim .
      ?t_dim a qb:DimensionProperty .
      ?obs1 ?t_dim ?t_v1 .
      ?obs2 ?t_dim ?t_v2 ."""

# IC-12, linear. Equivalent to IC_12_AS_PUBLISHED on every graph, by this argument.
#   The published query is violated iff some pair obs1 != obs2 has a non-empty group of rows (shared data set,
#   dimension of it, a value of each) in which every `?value1 = ?value2` is true: one false row makes MIN false,
#   and one error leaves ?equal unbound, which makes the MIN an error (SPARQL 1.1 aggregates; Oxigraph too) and
#   the FILTER false. The last two FILTERs below state exactly that for a pair (COALESCE counts an error as a
#   failed row), with fresh variables so that the rows range over all shared data sets, as in the GROUP BY.
#   So the query is equivalent if the pairs it tests include every violating pair. A pair is tested when
#   (b, c) either observation is irregular, paired with every other observation of each of its data sets; or
#   (a) both are regular (one data set, one value for each of its dimensions) with the same ?dataset and ?sig.
#   A violating regular pair shares its one data set, so it has one row per dimension (times the same path
#   multiplicities for both), each with `v1 = v2` true. `=` is true between an IRI and a term only when the term
#   is that IRI (RDFterm-equal; no operator overload takes an IRI), so the key of each value (its IRI, or "" for
#   any other term) is the same for both, hence every summand of ?sig, hence ?sig. Hash collisions only add pairs
#   to test. It is fast when a dimension takes IRI values (all our cubes: area, outcome, sex, status); with only
#   literal dimensions every pair of a data set is tested, as in the published query. Measured on 5,000
#   observations (IRI area and sex, xsd:gYear year): 1 to 1.5 s, against 284 s for the published query.
IC_12 = PREFIXES + f"""
ASK {{
  {{
    {_signature("?obs1", "1")}
    {_signature("?obs2", "2")}
  }} UNION {{
    {{ ?obs1 qb:dataSet ?dataset . {_irregular("?obs1")} }}
    ?obs2 qb:dataSet ?dataset .
  }} UNION {{
    {{ ?obs2 qb:dataSet ?dataset . {_irregular("?obs2")} }}
    ?obs1 qb:dataSet ?dataset .
  }}
  FILTER (?obs1 != ?obs2)
  FILTER NOT EXISTS {{
      {_PAIR_ROWS}
      FILTER (!COALESCE(?t_v1 = ?t_v2, false))
  }}
  FILTER EXISTS {{
      {_PAIR_ROWS}
  }}
}}
"""

_CONSTRAINTS = {
    # IC-1. Unique DataSet: every qb:Observation has exactly one associated qb:DataSet.
    "IC-1": """
ASK {
  {
    # Check observation has a data set
    ?obs a qb:Observation .
    FILTER NOT EXISTS { ?obs qb:dataSet ?dataset1 . }
  } UNION {
    # Check has just one data set
    ?obs a qb:Observation ;
       qb:dataSet ?dataset1, ?dataset2 .
    FILTER (?dataset1 != ?dataset2)
  }
}""",
    # IC-2. Unique DSD: every qb:DataSet has exactly one associated qb:DataStructureDefinition.
    "IC-2": """
ASK {
  {
    # Check dataset has a dsd
    ?dataset a qb:DataSet .
    FILTER NOT EXISTS { ?dataset qb:structure ?dsd . }
  } UNION {
    # Check has just one dsd
    ?dataset a qb:DataSet ;
       qb:structure ?dsd1, ?dsd2 .
    FILTER (?dsd1 != ?dsd2)
  }
}""",
    # IC-3. DSD includes measure.
    "IC-3": """
ASK {
  ?dsd a qb:DataStructureDefinition .
  FILTER NOT EXISTS { ?dsd qb:component [qb:componentProperty [a qb:MeasureProperty]] }
}""",
    # IC-4. Dimensions have range.
    "IC-4": """
ASK {
  ?dim a qb:DimensionProperty .
  FILTER NOT EXISTS { ?dim rdfs:range [] }
}""",
    # IC-5. Concept dimensions have code lists.
    "IC-5": """
ASK {
  ?dim a qb:DimensionProperty ;
       rdfs:range skos:Concept .
  FILTER NOT EXISTS { ?dim qb:codeList [] }
}""",
    # IC-6. Only attributes may be optional.
    "IC-6": """
ASK {
  ?dsd qb:component ?componentSpec .
  ?componentSpec qb:componentRequired "false"^^xsd:boolean ;
                 qb:componentProperty ?component .
  FILTER NOT EXISTS { ?component a qb:AttributeProperty }
}""",
    # IC-7. Slice Keys must be declared.
    "IC-7": """
ASK {
    ?sliceKey a qb:SliceKey .
    FILTER NOT EXISTS { [a qb:DataStructureDefinition] qb:sliceKey ?sliceKey }
}""",
    # IC-8. Slice Keys consistent with DSD.
    "IC-8": """
ASK {
  ?slicekey a qb:SliceKey;
      qb:componentProperty ?prop .
  ?dsd qb:sliceKey ?slicekey .
  FILTER NOT EXISTS { ?dsd qb:component [qb:componentProperty ?prop] }
}""",
    # IC-9. Unique slice structure.
    "IC-9": """
ASK {
  {
    # Slice has a key
    ?slice a qb:Slice .
    FILTER NOT EXISTS { ?slice qb:sliceStructure ?key }
  } UNION {
    # Slice has just one key
    ?slice a qb:Slice ;
           qb:sliceStructure ?key1, ?key2;
    FILTER (?key1 != ?key2)
  }
}""",
    # IC-10. Slice dimensions complete.
    "IC-10": """
ASK {
  ?slice qb:sliceStructure [qb:componentProperty ?dim] .
  FILTER NOT EXISTS { ?slice ?dim [] }
}""",
    # IC-11. All dimensions required.
    "IC-11": """
ASK {
    ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
    ?dim a qb:DimensionProperty;
    FILTER NOT EXISTS { ?obs ?dim [] }
}""",
    # IC-12. No duplicate observations (see IC_12 above).
    "IC-12": None,
    # IC-13. Required attributes.
    "IC-13": """
ASK {
    ?obs qb:dataSet/qb:structure/qb:component ?component .
    ?component qb:componentRequired "true"^^xsd:boolean ;
               qb:componentProperty ?attr .
    FILTER NOT EXISTS { ?obs ?attr [] }
}""",
    # IC-14. All measures present (in a cube without a measure dimension).
    "IC-14": """
ASK {
    # Observation in a non-measureType cube
    ?obs qb:dataSet/qb:structure ?dsd .
    FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty qb:measureType }

    # verify every measure is present
    ?dsd qb:component/qb:componentProperty ?measure .
    ?measure a qb:MeasureProperty;
    FILTER NOT EXISTS { ?obs ?measure [] }
}""",
    # IC-15. Measure dimension consistent.
    "IC-15": """
ASK {
    # Observation in a measureType-cube
    ?obs qb:dataSet/qb:structure ?dsd ;
         qb:measureType ?measure .
    ?dsd qb:component/qb:componentProperty qb:measureType .
    # Must have value for its measureType
    FILTER NOT EXISTS { ?obs ?measure [] }
}""",
    # IC-16. Single measure on measure dimension observation.
    "IC-16": """
ASK {
    # Observation with measureType
    ?obs qb:dataSet/qb:structure ?dsd ;
         qb:measureType ?measure ;
         ?omeasure [] .
    # Any measure on the observation
    ?dsd qb:component/qb:componentProperty qb:measureType ;
         qb:component/qb:componentProperty ?omeasure .
    ?omeasure a qb:MeasureProperty .
    # Must be the same as the measureType
    FILTER (?omeasure != ?measure)
}""",
    # IC-17. All measures present in measures dimension cube.
    "IC-17": """
ASK {
  {
      # Count number of other measures found at each point
      SELECT ?numMeasures (COUNT(?obs2) AS ?count) WHERE {
          {
              # Find the DSDs and check how many measures they have
              SELECT ?dsd (COUNT(?m) AS ?numMeasures) WHERE {
                  ?dsd qb:component/qb:componentProperty ?m.
                  ?m a qb:MeasureProperty .
              } GROUP BY ?dsd
          }

          # Observation in measureType cube
          ?obs1 qb:dataSet/qb:structure ?dsd;
                qb:dataSet ?dataset ;
                qb:measureType ?m1 .

          # Other observation at same dimension value
          ?obs2 qb:dataSet ?dataset ;
                qb:measureType ?m2 .
          FILTER NOT EXISTS {
              ?dsd qb:component/qb:componentProperty ?dim .
              FILTER (?dim != qb:measureType)
              ?dim a qb:DimensionProperty .
              ?obs1 ?dim ?v1 .
              ?obs2 ?dim ?v2.
              FILTER (?v1 != ?v2)
          }

      } GROUP BY ?obs1 ?numMeasures
        HAVING (?count != ?numMeasures)
  }
}""",
    # IC-18. Consistent data set links.
    "IC-18": """
ASK {
    ?dataset qb:slice       ?slice .
    ?slice   qb:observation ?obs .
    FILTER NOT EXISTS { ?obs qb:dataSet ?dataset . }
}""",
    # IC-19. Codes from code list: the Recommendation's two queries (a skos:ConceptScheme code list, and a
    # skos:Collection one), joined by UNION since the constraint is violated when either is true.
    "IC-19": """
ASK {
  {
    ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
    ?dim a qb:DimensionProperty ;
        qb:codeList ?list .
    ?list a skos:ConceptScheme .
    ?obs ?dim ?v .
    FILTER NOT EXISTS { ?v a skos:Concept ; skos:inScheme ?list }
  } UNION {
    ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
    ?dim a qb:DimensionProperty ;
        qb:codeList ?list .
    ?list a skos:Collection .
    ?obs ?dim ?v .
    FILTER NOT EXISTS { ?v a skos:Concept . ?list skos:member+ ?v }
  }
}""",
}

CONSTRAINTS: dict[str, str] = {name: IC_12 if q is None else PREFIXES + q for name, q in _CONSTRAINTS.items()}


def violations(store: ox.Store) -> list[str]:
    """Normalise the cube in `store` in place (phase 1, then phase 2) and name the constraints it violates, in order.

    The store is changed: pass a throwaway one holding only the cube, in its default graph."""
    store.update(NORMALIZE_PHASE_1)
    store.update(NORMALIZE_PHASE_2)
    return [name for name, query in CONSTRAINTS.items() if bool(store.query(query))]


def check(cube: bytes | str | os.PathLike[str] | Iterable[ox.Triple]) -> list[str]:
    """The constraints a cube violates: `cube` is Turtle (or N-Triples) bytes, a file path, or pyoxigraph Triples.

    The cube is loaded into a fresh in-memory store's default graph, so the caller's data is never changed."""
    store = ox.Store()
    if isinstance(cube, bytes):
        store.load(cube, ox.RdfFormat.TURTLE)  # N-Triples is a subset of Turtle
    elif isinstance(cube, (str, os.PathLike)):
        store.load(path=cube)  # the format from the file's extension
    else:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in cube)
    return violations(store)
