"""Every example query runs against the seed's graph and an IATI file and returns rows; each says its question."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from helpers import SEED
from kg import resources
from kg.build import build

QUERIES = sorted(resources.queries_dir().glob("*.rq"))
MALI_IATI = Path(__file__).resolve().parent / "iati" / "mali-2021.xml"


@pytest.fixture(scope="module")
def both() -> ox.Store:
    """The seed report and an IATI activity file about the same outcome."""
    s = ox.Store()
    s.extend(build([SEED, MALI_IATI]).quads())
    return s


def test_there_are_example_queries():
    assert len(QUERIES) >= 5


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_example_query_runs_and_returns_rows(both, path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# question: ")
    rows = list(both.query(text, use_default_graph_as_union=True))
    assert rows, path.name


def test_the_analysts_question_is_answered(store):
    text = (resources.queries_dir() / "partially-achieved.rq").read_text(encoding="utf-8")
    res = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    rows = {r[names.index("identifier")].value.rsplit("-", 1)[1]: r for r in res}
    assert set(rows) == {"MLI_D_2.1", "MLI_D_1.1", "MLI_D_3.1", "MLI_D_4.1", "MLI_D_4.2"}
    women = {k: int(r[names.index("womenReached")].value) for k, r in rows.items()}
    # 41 NTC members + 827 women sensitised (the women of Bamako, Ségou and Mopti are among them)
    assert women["MLI_D_1.1"] == 868
    assert women["MLI_D_4.2"] == 5162
    assert "Ségou" in rows["MLI_D_1.1"][names.index("regions")].value
