"""The embedded store: pyoxigraph (RocksDB) on disk, published in immutable versions.

Layout of a store folder::

    CURRENT                 the name of the published version, e.g. "v000003"
    versions/v000003/       an Oxigraph database, never written again once published
    versions/v000003.dumps/ compressed dumps of that version (N-Triples, Turtle, TriG)
    versions/v000003.pieces/ each graph compressed in each dump syntax (the dumps' parts)
    versions/v000003.index.sqlite the browse index of that version (kg/store/index.py)
    .lock                   held by the one process writing a new version

A writer copies the published version (a RocksDB checkpoint: hard links, instant),
replaces graphs in the copy, writes its dumps, and only then switches CURRENT with an
atomic rename. Readers open versions read-only; since a published version never
changes, any number of processes (web workers, query executors) can read it while a
build writes the next one, and each sees the old data or the new, never a mix. A
failed or killed build leaves a stray ``versions/.new-*`` folder and CURRENT untouched.
"""
from __future__ import annotations

import fcntl
import gzip
import hashlib
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.formats import BY_NAME, NTRIPLES, TRIG, TURTLE
from kg.store.index import INDEX_SUFFIX, build_index
from kg.vocab import OUTPUT_PREFIXES

_CONTRIBUTION = "contribution.json.gz"  # a report graph's part of the merged graphs (kg/build/merge.py)
_KEEP_VERSIONS = 3  # readers that opened an older version may still be reading it
_RECHECK_SECONDS = 0.2  # how often a reader looks for a newer version
# the dumps of every version: results-kg.nt.gz, results-kg.ttl.gz, results-kg.trig.gz
DUMPS = {f.extensions[0][1:]: (f"results-kg{f.extensions[0]}.gz", f.oxigraph)
         for f in (NTRIPLES, TURTLE, TRIG, BY_NAME["nquads"])}


def damaged(path: Path, detail: str) -> StoreError:
    """The one message for a store that cannot be read: what is wrong and what to do."""
    return StoreError(f"the store is damaged ({detail}). Published versions are kept in {path / 'versions'}; to "
                      f"recover, build into a new folder ('kg build --store NEW_FOLDER') and serve that, or move "
                      f"this folder away and run 'kg build --store {path}' again", source=str(path))


class EmbeddedSnapshot:
    """One published version, opened read-only."""

    def __init__(self, version: str, location: Path) -> None:
        self.version = version
        self.location = location
        if not location.is_dir():
            raise damaged(location.parent.parent, f"CURRENT names version {version!r}, which is not in versions/")
        try:
            self._db = ox.Store.read_only(str(location))
        except (OSError, ValueError, RuntimeError) as e:  # RuntimeError: RocksDB found corruption
            raise damaged(location.parent.parent, f"version {version} cannot be opened: {e}") from None

    def query(self, sparql: str, *, bindings: dict | None = None, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, union_default: bool = True, timeout: float | None = None):
        """One of the library's queries, in this process (``timeout`` is the remote store's; users' queries
        run in the query service, which bounds them)."""
        kwargs: dict = {}
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif union_default:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._db.query(sparql, **kwargs)

    def quads(self, subject=None, predicate=None, obj=None, graph=None) -> Iterator[ox.Quad]:
        return self._db.quads_for_pattern(subject, predicate, obj, graph)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._db.named_graphs() if isinstance(g, ox.NamedNode))

    def prefetch(self, nodes: Iterable) -> None:
        """Nothing to do: lookups in the embedded store are local (the remote store batches them)."""

    def __len__(self) -> int:
        return len(self._db)


class EmbeddedStore:
    kind = "embedded"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError("not a folder: a store is a folder (give a new or empty one to create it)",
                             source=str(self.path))
        if self.path.is_dir() and any(self.path.iterdir()) and not (self.path / "versions").is_dir():
            raise StoreError("not a Results KG store (no versions/ folder): give a new or empty folder",
                             source=str(self.path))
        self._snapshot: EmbeddedSnapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # ---- reading -------------------------------------------------------------------------
    def current(self) -> str | None:
        try:
            version = (self.path / "CURRENT").read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None
        except UnicodeDecodeError:
            raise damaged(self.path, "its CURRENT file is not a version name") from None
        except OSError as e:
            raise StoreError(f"cannot read the store: {e.strerror}", source=str(self.path)) from None
        if version is not None and not (version.startswith("v") and version[1:].isdigit()):
            raise damaged(self.path, f"its CURRENT file holds {version[:40]!r}, not a version name")
        return version

    def is_empty(self) -> bool:
        return self.current() is None

    def version_dir(self, version: str) -> Path:
        return self.path / "versions" / version

    def dumps_dir(self, version: str) -> Path:
        return self.path / "versions" / f"{version}.dumps"

    def pieces_dir(self, version: str) -> Path:
        return self.path / "versions" / f"{version}.pieces"

    def dates(self) -> tuple[datetime | None, datetime | None]:
        """(when the store first published a version, when the version now served was published), in UTC.
        ``ISSUED`` is written at the first publish; a store older than that file has its oldest version's
        time. The published time is CURRENT's: it is replaced at each publish and at nothing else."""
        def when(p: Path) -> datetime | None:
            try:
                return datetime.fromtimestamp(p.stat().st_mtime, tz=UTC).replace(microsecond=0)
            except OSError:
                return None
        try:
            issued = datetime.fromisoformat((self.path / "ISSUED").read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            kept = [p for p in (self.path / "versions").glob("v*") if _version_number(p.name) is not None]
            issued = min(filter(None, map(when, kept)), default=None)
        return issued, when(self.path / "CURRENT")

    def snapshot(self) -> EmbeddedSnapshot:
        """The published version (re-read at most every 0.2 s, so a new build shows up quickly)."""
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked < _RECHECK_SECONDS:
            return snap
        with self._lock:
            self._checked = now
            version = self.current()
            if version is None:
                raise StoreError("the store is empty: build it with 'kg build --store PATH'", source=str(self.path))
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = EmbeddedSnapshot(version, self.version_dir(version))
            return self._snapshot

    def ntriples(self, snapshot: EmbeddedSnapshot, graph: str) -> bytes:
        """One graph of a version as N-Triples: its dump piece as built (fast), else read from the database."""
        piece = self.pieces_dir(snapshot.version) / f"{_piece_name(ox.NamedNode(graph))}.nt.gz"
        try:
            return gzip.decompress(piece.read_bytes())
        except (FileNotFoundError, gzip.BadGzipFile, EOFError):
            return snapshot._db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))

    def query_service(self, **limits):  # kg.query.service.QueryService
        """Users' queries run in killable, sandboxed executor processes that open this store read-only."""
        from kg.query.service import QueryService

        return QueryService(self, **limits)

    # ---- writing -------------------------------------------------------------------------
    def sink(self, *, replace_all: bool = False, dumps: bool = True) -> StoreSink:
        return StoreSink(self, replace_all=replace_all, dumps=dumps)


class StoreSink:
    """A new version under construction; ``commit`` publishes it, ``abort`` throws it away.

    Implements the build's Sink: each graph written replaces the graph of that name. Graphs
    are gathered in one N-Quads file and bulk-loaded at commit (nobody reads an unpublished
    version, so the load need not be transactional). Each graph is also kept as compressed
    N-Triples, Turtle and TriG pieces; a version's dumps are those pieces concatenated (gzip
    members and these syntaxes both concatenate), so writing dumps never reads the store.
    """

    format = BY_NAME["ntriples"]

    def __init__(self, store: EmbeddedStore, *, replace_all: bool = False, dumps: bool = True) -> None:
        self.store = store
        self.dumps = dumps
        self._done = False
        versions = store.path / "versions"
        try:
            versions.mkdir(parents=True, exist_ok=True)
            self._lockfile = open(store.path / ".lock", "a+")  # noqa: SIM115 - held until commit/abort
        except OSError as e:
            raise StoreError(f"cannot write to the store: {e.strerror}", source=str(store.path)) from None
        try:
            fcntl.flock(self._lockfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lockfile.close()
            raise StoreError(f"the store is locked: another process (a kg build or kg load) is writing a new version "
                             f"of it; wait until it is done and try again (the lock, {store.path / '.lock'}, is "
                             "released by the system when that process ends, even if it is killed)",
                             source=str(store.path)) from None
        for stray in versions.glob(".new-*"):  # left by a writer that was killed; we hold the lock, none is live
            shutil.rmtree(stray, ignore_errors=True) if stray.is_dir() else stray.unlink(missing_ok=True)
        for stray in store.path.glob(".CURRENT.*"):  # a switch of CURRENT that a killed writer did not finish
            stray.unlink(missing_ok=True)
        self._new = versions / f".new-{os.getpid()}-{int(time.time() * 1000)}"
        self._pieces = self._new.with_name(self._new.name + ".pieces")
        current = store.current()
        _drop_unpublished(store, current)
        if current and not replace_all and not store.version_dir(current).is_dir():
            self._release()
            raise damaged(store.path, f"CURRENT names version {current!r}, which is not in versions/")
        try:
            self._pieces.mkdir(parents=True)
            if current and not replace_all:
                try:
                    ox.Store.read_only(str(store.version_dir(current))).backup(str(self._new))
                except (OSError, ValueError, RuntimeError) as e:  # RuntimeError: RocksDB found corruption
                    raise damaged(store.path, f"version {current} cannot be read: {e}") from None
                old = store.pieces_dir(current)
                if old.is_dir():
                    for f in old.iterdir():  # unchanged graphs keep their pieces: hard links, no copy
                        os.link(f, self._pieces / f.name)
            self._nq = open(self._new.with_name(self._new.name + ".nq"), "wb")  # noqa: SIM115
        except (OSError, StoreError) as e:
            self._release()
            shutil.rmtree(self._new, ignore_errors=True)
            shutil.rmtree(self._pieces, ignore_errors=True)
            if isinstance(e, StoreError):
                raise
            raise StoreError(f"cannot prepare a new version of the store: {e}", source=str(store.path)) from None
        self.replaced: list[str] = []
        self.removed: list[str] = []

    def write_graph(self, name: str, chunk: bytes) -> None:
        """Replace graph ``name`` with the N-Triples in ``chunk``."""
        g = ox.NamedNode(name)
        # N-Triples lines end in " .\n" (newlines inside literals are escaped): add the graph name
        self._nq.write(chunk.replace(b" .\n", b" " + str(g).encode("utf-8") + b" .\n"))
        self.replaced.append(name)
        if self.dumps:
            triples = list(ox.parse(chunk, format=ox.RdfFormat.N_TRIPLES)) if chunk else []
            _write_pieces(self._pieces, g, triples)

    def write_contribution(self, name: str, data: bytes) -> None:
        """Keep a report graph's contribution beside its pieces, so a later build merges it without the report."""
        path = self._pieces / f"{_piece_name(ox.NamedNode(name))}.{_CONTRIBUTION}"
        path.unlink(missing_ok=True)  # a hard link to the previous version's: never write through it
        path.write_bytes(gzip.compress(data, compresslevel=1, mtime=0))

    def contributions(self, exclude: set[str]) -> Iterator[bytes]:
        """The kept contributions of the report graphs in this version, but those in ``exclude``."""
        skip = {_piece_name(ox.NamedNode(g)) for g in exclude}
        for path in sorted(self._pieces.glob(f"*.{_CONTRIBUTION}")):
            if path.name.split(".", 1)[0] not in skip:
                yield gzip.decompress(path.read_bytes())

    def remove_graph(self, name: str) -> None:
        """Take a graph, its pieces and its contribution out of the new version."""
        self.removed.append(name)
        for path in self._pieces.glob(f"{_piece_name(ox.NamedNode(name))}.*"):
            path.unlink()

    def write_quads(self, quads: Iterable[ox.Quad], graph: str | None = None) -> None:
        """Replace the graphs the quads belong to (or ``graph``) with them (kg load)."""
        by_graph: dict = {}
        for q in quads:
            name = ox.NamedNode(graph) if graph else q.graph_name
            by_graph.setdefault(name, []).append(q.triple)
        for name, triples in by_graph.items():
            if isinstance(name, ox.NamedNode):
                self.write_graph(name.value, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
            else:  # triples of a dataset file's default graph stay in the default graph
                self._nq.write(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
                self.replaced.append("(default graph)")

    def commit(self) -> str:
        """Load, write the dumps, then publish the new version atomically; returns its name."""
        store = self.store
        try:
            self._nq.close()
            db = ox.Store(str(self._new))
            for name in dict.fromkeys(self.replaced + self.removed):
                if name != "(default graph)":
                    db.remove_graph(ox.NamedNode(name))
            nq = self._nq.name
            if os.path.getsize(nq):
                db.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
            db.flush()
            db.optimize()
            del db  # close the database before it is opened read-only
            os.unlink(nq)
            index_tmp = self._new.with_name(self._new.name + INDEX_SUFFIX)
            build_index(EmbeddedSnapshot("new", self._new), index_tmp)
            version = _next_version(store)
            dumps_tmp = self._new.with_name(self._new.name + ".dumps")
            if self.dumps:
                _write_dumps(self._pieces, dumps_tmp)
            final = store.version_dir(version)
            os.rename(index_tmp, final.with_name(final.name + INDEX_SUFFIX))
            os.rename(self._new, final)
            os.rename(self._pieces, store.pieces_dir(version))
            if self.dumps:
                os.rename(dumps_tmp, store.dumps_dir(version))
            if not (store.path / "ISSUED").exists():  # the dataset's first publication (dcterms:issued)
                (store.path / "ISSUED").write_text(datetime.now(UTC).replace(microsecond=0).isoformat() + "\n",
                                                   encoding="ascii")
            tmp = store.path / f".CURRENT.{os.getpid()}"
            with open(tmp, "w", encoding="ascii") as f:
                f.write(version + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, store.path / "CURRENT")
        except (OSError, ValueError, SyntaxError) as e:
            self.abort()
            raise StoreError(f"cannot publish the new version: {e}", source=str(store.path)) from None
        self._done = True
        _prune(store)
        self._release()
        return version

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        try:
            self._nq.close()
        except (OSError, AttributeError):
            pass
        for suffix in ("", ".pieces", ".dumps", ".nq", INDEX_SUFFIX):
            p = self._new.with_name(self._new.name + suffix)
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
        self._release()

    def _release(self) -> None:
        try:
            fcntl.flock(self._lockfile, fcntl.LOCK_UN)
            self._lockfile.close()
        except (OSError, ValueError):
            pass


def _piece_name(graph: ox.NamedNode) -> str:
    return hashlib.sha256(graph.value.encode("utf-8")).hexdigest()[:24]


def _write_pieces(folder: Path, graph: ox.NamedNode, triples: list[ox.Triple]) -> None:
    """One graph as gzip members in each dump syntax (replacing its earlier pieces)."""
    prefixes = OUTPUT_PREFIXES
    base = _piece_name(graph)
    for key, (_name, fmt) in DUMPS.items():
        path = folder / f"{base}.{key}.gz"
        path.unlink(missing_ok=True)  # a hard link to the previous version's piece: never write through it
        if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
            data = ox.serialize([ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples], format=fmt,
                                prefixes=prefixes)
        elif fmt == ox.RdfFormat.TURTLE:
            data = ox.serialize(triples, format=fmt, prefixes=prefixes)
        else:
            data = ox.serialize(triples, format=fmt)
        with open(path, "wb") as f:
            f.write(gzip.compress(data + b"\n", compresslevel=1, mtime=0))


def _next_version(store: EmbeddedStore) -> str:
    numbers = [int(p.name[1:]) for p in (store.path / "versions").iterdir()
               if p.name.startswith("v") and p.name[1:].isdigit()]
    return f"v{max(numbers, default=0) + 1:06d}"


def _write_dumps(pieces: Path, out: Path) -> None:
    """Each dump is its graphs' pieces concatenated: valid gzip, valid N-Triples/Turtle/TriG/N-Quads. A syntax
    some graph has no piece in (pieces carried over from a version written before that syntax was added) gets
    no dump: a dump missing graphs would pass for the whole dataset."""
    out.mkdir(parents=True, exist_ok=True)
    graphs = {p.name.split(".", 1)[0] for p in pieces.glob("*.nt.gz")}  # N-Triples pieces were always written
    for key, (name, _fmt) in DUMPS.items():
        if {p.name.split(".", 1)[0] for p in pieces.glob(f"*.{key}.gz")} != graphs:
            continue
        with open(out / name, "wb") as dump:
            for piece in sorted(pieces.glob(f"*.{key}.gz")):
                with open(piece, "rb") as f:
                    shutil.copyfileobj(f, dump, 1 << 20)


def _version_number(name: str) -> int | None:
    return int(name[1:]) if name.startswith("v") and name[1:].isdigit() else None


def _drop_unpublished(store: EmbeddedStore, current: str | None) -> None:
    """Remove versions numbered above the published one: a killed writer renamed them but never switched
    CURRENT to them, and nobody has read them. Left in place, they would count among the versions
    ``_prune`` keeps, and the next publish could delete the version readers were using until then."""
    top = _version_number(current) if current else 0
    if top is None:
        return
    for p in (store.path / "versions").iterdir():  # vNNNNNN and its .dumps and .pieces
        n = _version_number(p.name.split(".", 1)[0])
        if n is not None and n > top:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def _prune(store: EmbeddedStore) -> None:
    versions = sorted(p for p in (store.path / "versions").iterdir() if p.name.startswith("v") and p.name[1:].isdigit())
    for old in versions[:-_KEEP_VERSIONS]:
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(store.dumps_dir(old.name), ignore_errors=True)
        shutil.rmtree(store.pieces_dir(old.name), ignore_errors=True)
        old.with_name(old.name + INDEX_SUFFIX).unlink(missing_ok=True)
