"""Every setting in one table: name, environment variable, default, help.

The CLI reads options and environment through this table, and a test checks that
each setting is documented in the README.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Any

from kg.uris import DEFAULT_BASE


@dataclass(frozen=True)
class Setting:
    """One setting: its environment variable, default and help, and the option that sets it on each command."""

    name: str
    env: str
    default: str
    help: str
    flags: tuple[str, ...] = ()  # command-line spellings; none: environment only
    commands: tuple[str, ...] = ()  # the commands that take the option
    type: type = str
    choices: tuple[str, ...] | None = None
    metavar: str | None = None
    # per command, argparse keywords that differ from the above (a different help, an optional value)
    on: dict[str, dict[str, Any]] = field(default_factory=dict)


_REMOTE = ("build", "push", "serve")
SETTINGS: tuple[Setting, ...] = (
    Setting("base_iri", "KG_BASE_IRI", DEFAULT_BASE,
            "Base under which every entity IRI is minted (must end in '/').",
            ("--base-iri",), ("build", "push", "load", "serve")),
    Setting("validator", "KG_VALIDATOR", "shacl",
            "SHACL engine on the build path: 'shacl' (Rust, fast) or 'pyshacl' (the reference).",
            ("--validator",), ("build", "validate"), choices=("shacl", "pyshacl")),
    Setting("jobs", "KG_JOBS", "auto",
            "Worker processes for builds of 8 reports or more: a number, or 'auto' for one per CPU.",
            ("-j", "--jobs"), ("build",)),
    Setting("store", "KG_STORE", "kg-store",
            "Folder of the embedded store that kg build --store, kg load and kg serve use.",
            ("--store",), ("build", "push", "load", "serve"), metavar="PATH",
            on={"build": {"nargs": "?", "const": "", "env_note": False,  # KG_STORE alone does not pick the store
                          "help": "publish into the embedded store at PATH (default KG_STORE or ./kg-store) instead "
                                  "of a file; each report's graph is replaced, readers see the old version or the "
                                  "new one"}}),
    Setting("endpoint", "KG_ENDPOINT", "",
            "SPARQL 1.1 query endpoint of a remote store; when set, kg build, kg push and kg serve use it "
            "instead of the embedded store.", ("--endpoint",), _REMOTE, metavar="URL",
            on={"build": {"help": "build straight into the remote SPARQL store at URL (graphs are pushed only once "
                                  "every report has read and validated)"},
                "push": {"help": "SPARQL 1.1 query endpoint of the remote store"},
                "serve": {"help": "serve from the remote SPARQL store at URL instead of the embedded store"}}),
    Setting("graph_store", "KG_GRAPH_STORE", "",
            "SPARQL 1.1 Graph Store Protocol URL of the remote store, for writing named graphs.",
            ("--graph-store",), _REMOTE, metavar="URL"),
    Setting("update_endpoint", "KG_UPDATE_ENDPOINT", "",
            "SPARQL 1.1 Update endpoint of the remote store, used for writing where there is no Graph Store URL.",
            ("--update",), _REMOTE, metavar="URL"),
    Setting("remote_timeout", "KG_REMOTE_TIMEOUT", "300",
            "Seconds one write or check request to the remote store may take (queries use KG_QUERY_TIMEOUT)."),
    Setting("host", "KG_HOST", "127.0.0.1", "Address kg serve listens on.", ("--host",), ("serve",)),
    Setting("port", "KG_PORT", "8080", "Port kg serve listens on.", ("--port",), ("serve",), type=int),
    Setting("web_workers", "KG_WEB_WORKERS", "2", "Worker processes of kg serve: a number, or auto (one per CPU).",
            ("--workers",), ("serve",), metavar="N|auto"),
    Setting("web_threads", "KG_WEB_THREADS", "8",
            "Python threads per worker (more than its query executors, so pages are served while queries wait).",
            ("--threads",), ("serve",), type=int, metavar="N"),
    Setting("query_timeout", "KG_QUERY_TIMEOUT", "10",
            "Seconds a SPARQL query may run before it is stopped (its process is killed) and 503 returned.",
            ("--query-timeout",), ("serve",), type=float, metavar="S"),
    Setting("max_rows", "KG_MAX_ROWS", "10000",
            "Most result rows (or triples) a query returns; a larger result is refused (422), never cut."),
    Setting("max_query_length", "KG_MAX_QUERY_LENGTH", "20000", "Longest SPARQL query accepted, in characters."),
    Setting("query_executors", "KG_QUERY_EXECUTORS", "2",
            "Query processes per web worker: queries run there so a runaway one can be killed."),
    Setting("query_sandbox", "KG_QUERY_SANDBOX", "1",
            "1: run query processes in a network namespace of their own (unshare -rn) where the system allows "
            "it; 0: never (the query check is then the only guard against outbound requests)."),
)
BY_NAME = {s.name: s for s in SETTINGS}

# Credentials for the remote store: read from the environment only (never options, so they do not
# show in process lists), and never printed or logged.
CREDENTIALS: tuple[Setting, ...] = (
    Setting("remote_user", "KG_REMOTE_USER", "", "User name for HTTP basic authentication to the remote store."),
    Setting("remote_password", "KG_REMOTE_PASSWORD", "", "Password for HTTP basic authentication."),
    Setting("remote_token", "KG_REMOTE_TOKEN", "", "Bearer token for the remote store (used instead of basic)."),
)


def credential(name: str) -> str:
    s = next(c for c in CREDENTIALS if c.name == name)
    return os.environ.get(s.env, "")


def get(name: str, override: str | None = None) -> str:
    """An option given on the command line wins over the environment, which wins over the default."""
    if override is not None:
        return override
    s = BY_NAME[name]
    return os.environ.get(s.env) or s.default


def add_options(parser: argparse.ArgumentParser, command: str) -> None:
    """The options of ``command`` that set a setting, generated from the table (help names the variable)."""
    for s in SETTINGS:
        if command not in s.commands:
            continue
        kwargs: dict[str, Any] = {"help": f"{s.help} [env {s.env}]", "dest": s.name}
        if s.type is not str:
            kwargs["type"] = s.type
        if s.choices:
            kwargs["choices"] = s.choices
        if s.metavar:
            kwargs["metavar"] = s.metavar
        extra = dict(s.on.get(command, {}))
        env_note = extra.pop("env_note", True)
        if "help" in extra and env_note:
            extra["help"] = f"{extra['help']} [env {s.env}]"
        kwargs.update(extra)
        parser.add_argument(*s.flags, **kwargs)


def resolve(name: str, args: argparse.Namespace | None = None) -> str:
    """A setting's value for a command: its option if given, else the environment, else the default."""
    value = getattr(args, name, None) if args is not None else None
    return get(name, None if value is None else str(value))


def given(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on a command line, by setting name (what ``kg.store.open_configured`` takes)."""
    return {s.name: v for s in SETTINGS if (v := getattr(args, s.name, None)) is not None}
