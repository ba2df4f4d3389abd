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
                   help="report files or folders of .txt reports (default: the bundled reports)")
    b.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                   help="output file; the extension picks the format: .ttl .nt .nq .trig .jsonld .rdf, "
                        f"optionally .gz (default: {DEFAULT_OUTPUT})")
    b.add_argument("--country", help="country name or ISO code, for reports without a title line")
    b.add_argument("--year", type=int, help="reporting year, for reports without a title line")
    b.add_argument("--base-iri", help=settings.BY_NAME["base_iri"].help + " [env KG_BASE_IRI]")
    b.add_argument("--validator", choices=("shacl", "pyshacl"),
                   help=settings.BY_NAME["validator"].help + " [env KG_VALIDATOR]")
    b.add_argument("-j", "--jobs", help=settings.BY_NAME["jobs"].help + " [env KG_JOBS]")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress or summary")

    v = sub.add_parser("validate", help="validate RDF files against the Results KG shapes",
                       description="Validate RDF files (any format of the registry) against ontology/shapes.ttl.")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.add_argument("--validator", choices=("shacl", "pyshacl"),
                   help=settings.BY_NAME["validator"].help + " [env KG_VALIDATOR]")
    return p


def _progress(i: int, n: int, path: str) -> None:
    if n > 1 and (i == n or i % max(1, n // 20) == 0 or sys.stderr.isatty()):
        print(f"\r[{i}/{n}] {path[-60:]:<60}", end="" if i < n else "\n", file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    from kg.pipeline import FileSink, build
    from kg.uris import IRIs

    inputs = args.inputs or [resources.bundled_reports_dir()]
    iris = IRIs(settings.get("base_iri", args.base_iri))
    engine = settings.get("validator", args.validator)
    output = Path(args.output)
    from kg.formats import for_path

    for_path(output)  # an unknown extension is a usage error before any work
    sink = FileSink(output)
    result = build(inputs, iris=iris, engine=engine, country=args.country, year=args.year, sink=sink,
                   keep=False, jobs=settings.get("jobs", args.jobs), progress=None if args.quiet else _progress)
    if not args.quiet:
        print(f"built {output} ({sink.format.label}), validated with {engine}")
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


COMMANDS = {"build": cmd_build, "validate": cmd_validate}


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
