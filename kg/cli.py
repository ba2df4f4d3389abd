"""The ``kg`` command: a thin layer over the library, the same functions the web app uses.

Exit codes (stable): 0 ok, 1 invalid data (a report, an RDF file, a graph that
violates the shapes), 2 usage, 3 storage or environment failure.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kg import __version__, resources, settings
from kg.errors import KGError, UsageError

DEFAULT_OUTPUT = "out/results-kg.trig"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage and exits 2; keep that, add our prefix
        self.print_usage(sys.stderr)
        print(f"kg: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="kg", description="Results KG: UN Women results reports as a validated knowledge graph.")
    p.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    b = sub.add_parser("build", help="read reports, extract facts, map to RDF, validate, write the graph",
                       description="Build a validated RDF graph from results reports. Nothing is written unless "
                                   "every report reads and validates.")
    b.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="report files (.txt), IATI activity files (.xml), or folders of them (default: the bundled "
                        "reports)")
    b.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                   help="output file; the extension picks the format: .ttl .nt .nq .trig .jsonld .rdf, "
                        f"optionally .gz (default: {DEFAULT_OUTPUT})")
    b.add_argument("--country", help="country name or ISO code, for reports without a title line")
    b.add_argument("--year", type=int, help="reporting year, for reports without a title line")
    b.add_argument("--base-iri", help=settings.BY_NAME["base_iri"].help + " [env KG_BASE_IRI]")
    b.add_argument("--validator", choices=("shacl", "pyshacl"),
                   help=settings.BY_NAME["validator"].help + " [env KG_VALIDATOR]")
    b.add_argument("-j", "--jobs", help=settings.BY_NAME["jobs"].help + " [env KG_JOBS]")
    b.add_argument("--store", nargs="?", const="", metavar="PATH",
                   help="publish into the embedded store at PATH (default KG_STORE or ./kg-store) instead of a "
                        "file; each report's graph is replaced, readers see the old version or the new one")
    _remote_options(b, "build straight into the remote SPARQL store at URL (graphs are pushed only once every "
                       "report has read and validated)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress or summary")

    pu = sub.add_parser("push", help="publish the embedded store's graphs to a remote SPARQL store",
                        description="Publish every named graph of the embedded store (reports, reference, ontology) "
                                    "to a remote SPARQL 1.1 store, replacing each graph in one request (Graph Store "
                                    "Protocol PUT, or SPARQL Update). Graphs already there with the same digest are "
                                    "skipped, so pushing twice changes nothing and a rerun finishes an interrupted "
                                    "push. Ends by checking the triple count of every graph on the remote. "
                                    "Credentials: KG_REMOTE_USER and KG_REMOTE_PASSWORD, or KG_REMOTE_TOKEN.")
    _remote_options(pu, "SPARQL 1.1 query endpoint of the remote store")
    pu.add_argument("--store", metavar="PATH", help=settings.BY_NAME["store"].help + " [env KG_STORE]")
    pu.add_argument("--base-iri", help=settings.BY_NAME["base_iri"].help + " [env KG_BASE_IRI]")
    pu.add_argument("-q", "--quiet", action="store_true", help="no progress")

    ld = sub.add_parser("load", help="add an RDF file to a named graph of the store",
                        description="Load any RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) into "
                                    "the store, replacing the graph(s) it goes into. Triples go into --graph (default: "
                                    "<base>graph/load/<file name>); quads keep their graphs unless --graph is given.")
    ld.add_argument("file", metavar="FILE")
    ld.add_argument("--graph", metavar="IRI", help="the named graph to put the data in")
    ld.add_argument("--store", metavar="PATH", help=settings.BY_NAME["store"].help + " [env KG_STORE]")
    ld.add_argument("--base-iri", help=settings.BY_NAME["base_iri"].help + " [env KG_BASE_IRI]")

    sv = sub.add_parser("serve", help="serve the store: SPARQL endpoint, linked data, browser",
                        description="Serve the store over HTTP with gunicorn. If the store is empty, the bundled "
                                    "reports are built into it first.")
    sv.add_argument("--host", help=settings.BY_NAME["host"].help + " [env KG_HOST]")
    sv.add_argument("--port", type=int, help=settings.BY_NAME["port"].help + " [env KG_PORT]")
    sv.add_argument("--store", metavar="PATH", help=settings.BY_NAME["store"].help + " [env KG_STORE]")
    sv.add_argument("--base-iri", help=settings.BY_NAME["base_iri"].help + " [env KG_BASE_IRI]")
    sv.add_argument("--workers", type=int, help=settings.BY_NAME["web_workers"].help + " [env KG_WEB_WORKERS]")
    sv.add_argument("--threads", type=int, help=settings.BY_NAME["web_threads"].help + " [env KG_WEB_THREADS]")
    _remote_options(sv, "serve from the remote SPARQL store at URL instead of the embedded store")
    sv.add_argument("--query-timeout", type=float, help=settings.BY_NAME["query_timeout"].help + " [env KG_QUERY_TIMEOUT]")

    cl = sub.add_parser("codelists", help="the IATI codelists the graph uses (SKOS schemes)",
                        description="The IATI codelists Results KG turns into SKOS concept schemes (result type, "
                                    "indicator measure, organisation type and role, activity status, sector, "
                                    "sector category, region) are bundled as tables. 'update' rebuilds them from an "
                                    "IATI codelist checkout; rebuild the graph afterwards.")
    cl_sub = cl.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser, required=True)
    up = cl_sub.add_parser("update", help="rebuild the bundled tables from a folder of IATI codelist XML files",
                           description="Read <Codelist>.xml files (the xml/ folders of IATI-Codelists and "
                                       "IATI-Codelists-NonEmbedded) and rewrite the tables. Every file is read "
                                       "before any table is replaced; bad input changes nothing.")
    up.add_argument("--from", dest="source", required=True, metavar="DIR", help="folder of IATI codelist XML files")
    up.add_argument("--to", dest="target", metavar="DIR",
                    help="folder of the tables to rewrite (default: the installed data/iati/codelists)")

    v = sub.add_parser("validate", help="validate RDF files against the Results KG shapes",
                       description="Validate RDF files (any format of the registry) against ontology/shapes.ttl.")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.add_argument("--validator", choices=("shacl", "pyshacl"),
                   help=settings.BY_NAME["validator"].help + " [env KG_VALIDATOR]")
    return p


def _remote_options(p: argparse.ArgumentParser, endpoint_help: str) -> None:
    p.add_argument("--endpoint", metavar="URL", help=endpoint_help + " [env KG_ENDPOINT]")
    p.add_argument("--graph-store", metavar="URL", help=settings.BY_NAME["graph_store"].help + " [env KG_GRAPH_STORE]")
    p.add_argument("--update", metavar="URL", help=settings.BY_NAME["update_endpoint"].help +
                   " [env KG_UPDATE_ENDPOINT]")


def _open_remote(args: argparse.Namespace):  # noqa: ANN202 - kg.store.remote.RemoteStore
    from kg.store.remote import open_remote

    return open_remote(args.endpoint, graph_store=args.graph_store, update=args.update,
                       base_iri=getattr(args, "base_iri", None))


def _push_progress(quiet: bool):  # noqa: ANN202
    if quiet:
        return None

    def show(i: int, n: int, name: str, state: str) -> None:
        print(f"[{i}/{n}] {state:<9} {name}", file=sys.stderr, flush=True)
    return show


def _progress(i: int, n: int, path: str) -> None:
    if n > 1 and (i == n or i % max(1, n // 20) == 0 or sys.stderr.isatty()):
        print(f"\r[{i}/{n}] {path[-60:]:<60}", end="" if i < n else "\n", file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    from kg.pipeline import FileSink, build
    from kg.uris import IRIs

    inputs = args.inputs or [resources.bundled_reports_dir()]
    iris = IRIs(settings.get("base_iri", args.base_iri))
    engine = settings.get("validator", args.validator)
    remote = args.endpoint or (settings.get("endpoint") and args.store is None and args.output == DEFAULT_OUTPUT)
    if remote:
        if args.store is not None:
            raise UsageError("give either --store or --endpoint, not both")
        store = _open_remote(args)
        store.current()  # an unreachable remote fails now, not after the build
        sink = store.sink()
        sink.progress = _push_progress(args.quiet)
        target = f"remote store {store.path}"
    elif args.store is not None:
        from kg.store import open_store

        store = open_store(settings.get("store", args.store or None))
        sink = store.sink()
        target = f"store {store.path}"
    else:
        output = Path(args.output)
        from kg.formats import for_path

        for_path(output)  # an unknown extension is a usage error before any work
        sink = FileSink(output)
        target = f"{output} ({sink.format.label})"
    result = build(inputs, iris=iris, engine=engine, country=args.country, year=args.year, sink=sink,
                   keep=False, jobs=settings.get("jobs", args.jobs), progress=None if args.quiet else _progress)
    for problem in result.skipped:  # the rest of each file was built; say what was left out and why
        print(f"kg build: skipped {problem}", file=sys.stderr)
    for warning in result.warnings:
        print(f"kg build: warning: {warning}", file=sys.stderr)
    if remote:
        r = sink.result
        target += (f": {len(r.pushed)} graphs pushed, {len(r.unchanged)} unchanged, {r.verified} verified, "
                   f"version {r.version[:12]}")
    elif args.store is not None:
        target += f", version {store.current()}"
    if not args.quiet:
        print(f"built {target}, validated with {engine}")
        for k, v in result.summary().items():
            print(f"  {k:<15} {v:>9,}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from kg.validate import validate_file

    engine = settings.get("validator", args.validator)
    worst = 0
    for f in args.files:
        report = validate_file(Path(f), engine)
        if report.conforms:
            print(f"{f}: {report.text()}")
        else:
            print(f"{f}: {report.text()}", file=sys.stderr)
            worst = 1
    return worst


def cmd_load(args: argparse.Namespace) -> int:
    from kg.store import open_store
    from kg.uris import IRIs
    from kg.validate import parse_rdf_file

    path = Path(args.file)
    quads = parse_rdf_file(path)
    graph = args.graph
    if graph is None and not any(isinstance(q.graph_name, ox_named()) for q in quads):
        graph = str(IRIs(settings.get("base_iri", args.base_iri)).graph(f"load/{path.name}"))
    if graph is not None:
        try:
            ox_named()(graph)
        except ValueError:
            raise UsageError(f"--graph {graph!r} is not an IRI") from None
    store = open_store(settings.get("store", args.store))
    sink = store.sink()
    try:
        sink.write_quads(quads, graph)
        version = sink.commit()
    except BaseException:
        sink.abort()
        raise
    print(f"loaded {len(quads):,} quads from {path} into {', '.join(sorted(set(sink.replaced))) or 'the default graph'}"
          f" (store {store.path}, version {version})")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from kg.store import open_store
    from kg.store.remote import publish

    local = open_store(settings.get("store", args.store))
    snap = local.snapshot()
    remote = _open_remote(args)
    if not remote.remote.writable:
        raise UsageError("give --graph-store URL (SPARQL 1.1 Graph Store Protocol) or --update URL (SPARQL 1.1 "
                         "Update) to write to the remote store")
    names = snap.graph_names()

    def graphs():  # noqa: ANN202 - one graph in memory at a time
        for name in names:
            yield name, local.ntriples(snap, name)

    print(f"pushing {len(names)} graphs of {local.path} (version {snap.version}) to {remote.path}",
          file=sys.stderr, flush=True)
    r = publish(remote, graphs(), total=len(names), progress=_push_progress(args.quiet))
    rate = r.triples / r.seconds if r.seconds else 0
    print(f"pushed {len(r.pushed)} graphs ({r.triples:,} triples, {rate:,.0f} triples/s), {len(r.unchanged)} "
          f"unchanged, in {r.seconds:.1f} s; verified the triple counts of {r.verified} graphs on {remote.path}; "
          f"remote version {r.version[:12]}")
    return 0


def ox_named():  # noqa: ANN201 - pyoxigraph's NamedNode, imported late to keep --help fast
    from pyoxigraph import NamedNode

    return NamedNode


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.pipeline import build
    from kg.serve import serve
    from kg.store import open_store
    from kg.uris import IRIs

    base = settings.get("base_iri", args.base_iri)
    endpoint = settings.get("endpoint", args.endpoint)
    app_config: dict[str, str] = {"base_iri": base}
    if endpoint:
        store = _open_remote(args)
        # the web app gets the query URL only: it never writes, and an empty remote is an error
        # (run kg push), never filled with the bundled demo reports behind the operator's back
        app_config.update(endpoint=endpoint)
        empty = False
    else:
        store = open_store(settings.get("store", args.store))
        app_config["store"] = str(store.path)
        empty = store.is_empty()
    if empty:
        print(f"the store {store.path} is empty: building the bundled reports into it", file=sys.stderr)
        build([resources.bundled_reports_dir()], iris=IRIs(base), sink=store.sink(), keep=False,
              engine=settings.get("validator"), jobs=settings.get("jobs"))
    else:
        store.snapshot()  # fail now, with a clear message, if the store cannot be read
    host = settings.get("host", args.host)
    port = int(settings.get("port", str(args.port) if args.port else None))
    timeout = float(settings.get("query_timeout", str(args.query_timeout) if args.query_timeout else None))
    print(f"serving {store.path} on http://{host}:{port}/ (SPARQL at /sparql)", file=sys.stderr, flush=True)
    serve(host=host, port=port, workers=int(settings.get("web_workers", str(args.workers) if args.workers else None)),
          threads=int(settings.get("web_threads", str(args.threads) if args.threads else None)), timeout=timeout,
          app_config={**app_config, "query_timeout": str(timeout)})
    return 0


def cmd_codelists(args: argparse.Namespace) -> int:
    from kg import codelists

    counts = codelists.update(Path(args.source), Path(args.target) if args.target else None)
    where = Path(args.target) if args.target else codelists.codelists_dir()
    print(f"updated {len(counts)} codelist tables in {where} from {args.source}")
    for key, n in counts.items():
        print(f"  {key:<26} {n:>5,} codes")
    return 0


COMMANDS = {"codelists": cmd_codelists, "build": cmd_build, "validate": cmd_validate, "load": cmd_load, "serve": cmd_serve, "push": cmd_push}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args)
    except KGError as e:
        print(f"kg {args.command}: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        if args.command == "push" or (args.command == "build" and args.endpoint):
            print("kg: interrupted; every graph on the remote is wholly old or wholly new: run the same command "
                  "again to finish", file=sys.stderr)
        else:
            print("kg: interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (kg build | head): not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as e:  # stdout or stderr unwritable (a full disk behind a redirect)
        try:
            print(f"kg {args.command}: cannot write output: {e.strerror}", file=sys.stderr)
        except OSError:
            pass
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
