"""Clients nobody here wrote, reading the live server from URLs: raptor's rapper (Debian's raptor2-utils) and
Apache Jena's riot where installed. SPARQLWrapper, rdflib, PyLD and Oxigraph federating through the endpoint
are driven in test_protocol.py and test_links.py; this module adds the command-line clients linked-data
people use to check a publisher.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest
import rdflib

RAPPER = shutil.which("rapper")
RIOT = shutil.which("riot")
DOCUMENTS = ["/id/report/MLI-2021", "/id/org/undp", "/id/place/ML-4", "/id/graph/report/MLI-2021",
             "/.well-known/void", "/sparql"]


def _rdflib_count(url: str) -> int:
    return len(rdflib.Graph().parse(url))


@pytest.mark.skipif(RAPPER is None, reason="rapper is not installed: apt-get install raptor2-utils")
@pytest.mark.parametrize("path", DOCUMENTS)
def test_rapper_reads_each_document_from_its_url_as_rdflib_does(live_server, path):
    """rapper fetches the URL itself (its own Accept header, the syntax guessed from our Content-Type) and
    counts the same triples rdflib reads: no warning, no error."""
    r = subprocess.run([RAPPER, "-g", "-c", live_server + path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr.lower() and "error" not in r.stderr.lower(), r.stderr
    counted = int(r.stderr.split("returned")[1].split()[0])
    assert counted == _rdflib_count(live_server + path) > 0


@pytest.mark.skipif(RAPPER is None, reason="rapper is not installed: apt-get install raptor2-utils")
def test_rapper_loads_the_dump_from_its_url(live_server):
    r = subprocess.run([RAPPER, "-i", "ntriples", "-c", live_server + "/dumps/results-kg.nt"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and int(r.stderr.split("returned")[1].split()[0]) > 10_000, r.stderr


@pytest.mark.skipif(RIOT is None, reason="Apache Jena's riot is not installed (Debian has no package for it); its "
                                        "Accept headers are tested in test_protocol.py")
def test_riot_reads_an_entity_and_the_dump_from_their_urls(live_server):
    for url in (live_server + "/id/report/MLI-2021", live_server + "/dumps/results-kg.nt"):
        r = subprocess.run([RIOT, "--count", url], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and "WARN" not in r.stderr and "ERROR" not in r.stderr, r.stderr
