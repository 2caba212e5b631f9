"""The store layer: a built graph opened for reading, and the on-disk store `cvgraph build` writes.

A build folder holds `store/`: a pyoxigraph store on disk with one named graph
per contract (`<base>graph/contract/<id>`: the contract and every resource under its IRI, as `push`
names them) and one shared graph (`<base>graph/shared`: ontology, registries, organisations,
instruments, territories), and `store.json`, written last, which records cvgraph's version, the
base, the contracts and each graph's content hash; `parts/` holds each graph's triples as sorted
N-Triples. A command given contracts opens the store read-only (no parsing) and reads only their
graphs and the shared graph; a command given none reads the whole graph in memory, loaded from
`parts/`. `--graph FILE` (.ttl, .nt, .jsonld, .rdf, .nq) still works: the file is loaded in memory.

The one catalogue of contracts (`Catalogue`) lives here too, with the one "unknown contract" error.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .errors import GraphError, UsageError, did_you_mean

STORE_DIR = "store"
STORE_META = "store.json"
STORE_FORMAT = 2   # bumped when the layout of the store changes: an older store is refused
SHARED = "shared"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PARTS_DIR = "parts"   # each named graph's triples, sorted N-Triples (the dumps per named graph)

FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
           ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
           ".xml": ox.RdfFormat.RDF_XML}


# --- terms: pyoxigraph's and rdflib's ----------------------------------------------------------

def to_rdflib(term):
    """A pyoxigraph term as an rdflib term (None stays None)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value if term.datatype else None
        return Literal(term.value, datatype=None if dt == _XSD_STRING else URIRef(dt))
    return None


def to_ox(term):
    """An rdflib term as a pyoxigraph term (None stays None)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(term)


def from_nt(text: str):
    """An N-Triples term ("<iri>", "\"x\"@fr", "\"1\"^^<…>", "_:b") as an rdflib term."""
    triple = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES)))
    return to_rdflib(triple.object)


def part_of(subject: str, contract_ns: str) -> str:
    """The part a triple belongs to, by its subject's IRI: `contract/<id>` for a contract and every
    resource under its IRI, else `shared`."""
    if subject.startswith(contract_ns):
        return "contract/" + subject[len(contract_ns):].split("/", 1)[0]
    return SHARED


def part_path(folder: Path, part: str, sub: str = PARTS_DIR) -> Path:
    """The N-Triples file of a part in a build folder: `parts/shared.nt`, `parts/contract%2F<id>.nt`."""
    return (folder / sub if sub else folder) / (part.replace("/", "%2F") + ".nt")


def graph_name(base: str, part: str) -> str:
    return f"{base}graph/{part}"


def cvgraph_version() -> str:
    """The installed cvgraph's version (recorded in the store: another version's store is refused)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("cvgraph")
    except PackageNotFoundError:
        return "unknown"


_CODE: list[str] = []


def code_hash() -> str:
    """The hash of cvgraph's own code (its .py files): a kept result computed by other code is
    computed again, even under the same version number (a checkout being worked on)."""
    if not _CODE:
        h = hashlib.sha256()
        root = Path(__file__).parent
        for f in sorted(root.rglob("*.py")):
            h.update(f"\n{f.relative_to(root).as_posix()}\n".encode())
            h.update(f.read_bytes())
        _CODE.append(h.hexdigest())
    return _CODE[0]


def content_hash(lines: list[str]) -> str:
    """The hash of a part's content: its sorted, unique N-Triples lines."""
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8"))
    return h.hexdigest()


_TYPE = " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cvgraph/ontology#"


def describe_part(lines: list[str]) -> dict:
    """What the build records of a part: its content hash, its number of triples and of instances
    of each cvgraph class (the summary's counts)."""
    counts: dict[str, int] = {}
    for line in lines:
        i = line.find(_TYPE)
        if i > 0:
            cls = line[i + len(_TYPE):-4]
            counts[cls] = counts.get(cls, 0) + 1
    return {"hash": content_hash(lines), "triples": len(lines), "counts": dict(sorted(counts.items()))}


def store_meta(base: str, parts: dict[str, dict]) -> dict:
    """store.json: the store's format, cvgraph's version, the base, the contracts, each part's
    content hash (`hashes`, the key of results kept per contract) and what the build records."""
    parts = dict(sorted(parts.items()))
    return {"format": STORE_FORMAT, "cvgraph": cvgraph_version(), "base": base,
            "contracts": [p[len("contract/"):] for p in parts if p != SHARED],
            "hashes": {p: info["hash"] for p, info in parts.items()}, "parts": parts}


def write_meta(folder: Path, meta: dict) -> None:
    (folder / STORE_META).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_meta(folder: Path) -> dict | None:
    """The store.json of a build folder with a store, when it can be read; else None."""
    if not (folder / STORE_DIR).is_dir():
        return None
    try:
        meta = json.loads((folder / STORE_META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != STORE_FORMAT or meta.get("cvgraph") != cvgraph_version():
        return None
    return meta


def write_store(folder: Path, parts: dict[str, list[str]], base: str) -> None:
    """Write `folder/store/` from each part's sorted N-Triples lines, each part in its named graph.
    `parts` is emptied as it is written, so that its memory is free for the bulk load. The folder is
    the build's temporary folder: the store becomes visible only when the build swaps it in."""
    nq = folder / "graph.nq.tmp"
    with open(nq, "w", encoding="utf-8") as fh:
        for part in list(parts):
            name = f" <{graph_name(base, part)}> .\n"
            fh.writelines(line[:-3] + name for line in parts.pop(part))
    try:
        store = ox.Store(str(folder / STORE_DIR))
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    finally:
        nq.unlink(missing_ok=True)


def update_store(previous: Path, folder: Path, base: str, parts: dict[str, list[str]]) -> None:
    """`folder/store/`: the store of the build folder `previous`, copied by hard links (pyoxigraph's
    backup), with each of `parts` replaced by its new lines (none: the graph is dropped), in one
    SPARQL update, so one transaction. The previous store is not touched."""
    ox.Store.read_only(str(previous / STORE_DIR)).backup(str(folder / STORE_DIR))
    if not parts:
        return
    store = ox.Store(str(folder / STORE_DIR))
    ops = []
    for part, lines in sorted(parts.items()):
        name = graph_name(base, part)
        ops.append(f"DROP SILENT GRAPH <{name}>")
        if lines:
            ops.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{''.join(lines)}}} }}")
    store.update(" ;\n".join(ops))
    store.flush()
    del store


@dataclass
class Catalogue:
    """The contracts of a graph, and the one error for an id that is not among them."""
    ids: tuple[str, ...]

    def check(self, contract: str | None, where: str = "") -> str | None:
        """`contract` when it is one of the graph's; else the one error, prefixed with `where`
        (e.g. "--param contract: "), with the nearest id and the first few known."""
        if contract is not None and contract not in self.ids:
            hint = did_you_mean(contract, self.ids)
            known = (", ".join(self.ids[:8]) + (" …" if len(self.ids) > 8 else "")) or "none"
            raise UsageError(f"{where}unknown contract {contract!r}{hint}; known: {known}")
        return contract


CONTRACT_IDS = ("SELECT ?id WHERE { ?c a <https://w3id.org/cvgraph/ontology#Contract> ; "
                "<http://purl.org/dc/terms/identifier> ?id }")


def catalogue(store) -> Catalogue:
    """The contracts of a graph: a build's, from its store.json; any other's, read off the graph."""
    own = getattr(store, "catalogue", None)
    if isinstance(own, Catalogue):
        return own
    return Catalogue(tuple(sorted({s["id"].value for s in store.query(CONTRACT_IDS)})))


class GraphStore:
    """A built graph opened for reading. `query` sees, as its default graph, the graphs of the
    chosen contracts and the shared graph (`scope`), or the whole graph; the rest of pyoxigraph's
    Store reading API is delegated (`quads_for_pattern` on the default graph reads the same view)."""

    def __init__(self, store: ox.Store, base: str | None, named: bool, contracts: tuple[str, ...] = (),
                 folder: Path | None = None, hashes: dict | None = None):
        self.store = store
        self.base = base
        self.named = named                    # data in named graphs (a build's store, an .nq file)
        self.catalogue = Catalogue(contracts) if contracts else None
        self.graphs: list[ox.NamedNode] | None = None
        self.folder = folder                  # the build folder, for the cached results
        self.hashes = hashes or {}            # the content hash of each graph (store.json)

    def scope(self, contracts) -> "GraphStore":
        """The same store, reading only these contracts' graphs and the shared graph."""
        contracts = [c for c in contracts if c]
        if not contracts or not self.named or self.base is None:
            return self
        for c in contracts:
            if self.catalogue is not None:
                self.catalogue.check(c)
        view = GraphStore(self.store, self.base, self.named, self.catalogue.ids if self.catalogue else (),
                          self.folder, self.hashes)
        view.graphs = [ox.NamedNode(graph_name(self.base, f"contract/{c}")) for c in dict.fromkeys(contracts)] + \
            [ox.NamedNode(graph_name(self.base, SHARED))]
        return view

    def parts(self) -> list[str]:
        """The parts this view reads (`shared`, `contract/<id>`), in the order of their dumps."""
        if self.graphs is None:
            return [SHARED] + [f"contract/{c}" for c in (self.catalogue.ids if self.catalogue else ())]
        prefix = graph_name(self.base, "")
        return [g.value[len(prefix):] for g in self.graphs]

    def shared(self) -> "GraphStore":
        """The same store, reading only the shared graph (registries, territories, ontology)."""
        if not self.named or self.base is None:
            raise GraphError("this graph has no shared graph of its own (not a build)")
        view = GraphStore(self.store, self.base, self.named, self.catalogue.ids if self.catalogue else (),
                          self.folder, self.hashes)
        view.graphs = [ox.NamedNode(graph_name(self.base, SHARED))]
        return view

    def in_memory(self) -> "GraphStore":
        """The whole graph of a build loaded in memory (one default graph) from its dumps per named
        graph. A query over the whole graph runs on it some fifteen times faster than on the on-disk
        union of every named graph (gap queries at 500 contracts: 14 s instead of 217 s, for a load
        of 13 s); a query given contracts stays on disk (`scope`)."""
        if not self.named or self.folder is None or not (self.folder / PARTS_DIR).is_dir():
            return self
        return _WholeInMemory(self)

    def query(self, query: str, **options):
        if self.named and "default_graph" not in options and "use_default_graph_as_union" not in options:
            if self.graphs is not None:
                options["default_graph"] = self.graphs
            else:
                options["use_default_graph_as_union"] = True
        return self.store.query(query, **options)

    def quads_for_pattern(self, s=None, p=None, o=None, g=None):
        if not self.named or not isinstance(g, ox.DefaultGraph):
            return self.store.quads_for_pattern(s, p, o, g)
        if self.graphs is None:
            return (ox.Quad(q.subject, q.predicate, q.object) for q in self.store.quads_for_pattern(s, p, o, None))
        return (ox.Quad(q.subject, q.predicate, q.object)
                for name in self.graphs for q in self.store.quads_for_pattern(s, p, o, name))

    def __iter__(self):
        if not self.named:
            return iter(self.store)
        return (ox.Quad(q.subject, q.predicate, q.object) for q in self.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def __len__(self) -> int:
        return len(self.store) if self.graphs is None else sum(1 for _ in self)

    def write_ntriples(self, path: Path) -> None:
        """The triples this view reads, as an N-Triples file (for a validator that reads files)."""
        ox.serialize((q.triple for q in self), output=str(path), format=ox.RdfFormat.N_TRIPLES)

    def __getattr__(self, name):
        return getattr(self.store, name)


class _WholeInMemory(GraphStore):
    """A build's whole graph in memory, loaded from its dumps per named graph when first read: what
    needs only the build's record (its contracts, hashes, kept results) costs no load."""

    def __init__(self, view: GraphStore):
        self._memory = None
        super().__init__(None, view.base, False, view.catalogue.ids if view.catalogue else (), view.folder,
                         view.hashes)

    @property
    def store(self) -> ox.Store:
        if self._memory is None:
            files = [part_path(self.folder, part) for part in self.parts()]
            memory = ox.Store()
            memory.bulk_load(input=io.BufferedReader(_Files(files), 1 << 20), format=ox.RdfFormat.N_TRIPLES)
            self._memory = memory
        return self._memory

    @store.setter
    def store(self, value) -> None:
        if value is not None:
            self._memory = value


class _Files(io.RawIOBase):
    """Files read one after the other, as one stream."""

    def __init__(self, paths):
        self.paths, self.fh = list(paths), None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            if self.fh is None:
                if not self.paths:
                    return 0
                self.fh = open(self.paths.pop(0), "rb")
            n = self.fh.readinto(buffer)
            if n:
                return n
            self.fh.close()
            self.fh = None


def open_build(folder: Path) -> GraphStore | None:
    """The store of a build folder, opened read-only; None when the folder has no store (a build of
    an older cvgraph: its dumps are read instead). A store without its metadata, or of another
    format, is refused with one line."""
    store_dir = folder / STORE_DIR
    if not store_dir.is_dir():
        return None
    meta_file = folder / STORE_META
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a mapping")
    except (OSError, ValueError):
        raise GraphError(f"{folder}: the store has no readable {STORE_META} (a build cut short?): "
                         "run `cvgraph build` again") from None
    if meta.get("format") != STORE_FORMAT or meta.get("cvgraph") != cvgraph_version():
        raise GraphError(f"{folder}: the store was written by another cvgraph ({meta.get('cvgraph')!r}, format "
                         f"{meta.get('format')!r}; this is {cvgraph_version()!r}, format {STORE_FORMAT}): run "
                         "`cvgraph build` again")
    if not isinstance(meta.get("hashes"), dict) or not isinstance(meta.get("contracts"), list) \
            or not isinstance(meta.get("base"), str):
        raise GraphError(f"{folder}: {STORE_META} does not record the store's contracts and hashes (a build cut "
                         "short?): run `cvgraph build` again")
    try:
        store = ox.Store.read_only(str(store_dir))
    except OSError as err:
        raise GraphError(f"{store_dir}: cannot open the store: {err}") from None
    view = GraphStore(store, meta["base"], True, tuple(meta.get("contracts", ())), folder, meta.get("hashes"))
    built = meta.get("build") if isinstance(meta.get("build"), dict) else {}
    if isinstance(built.get("data"), str):
        warn_if_stale(Path(built["data"]), meta_file.stat().st_mtime, folder)
    return view


_WARNED: set[Path] = set()   # the build folders already warned about in this process


def warn_if_stale(data_dir: Path, built_at: float, folder: Path) -> None:
    """A warning on stderr when a file of the data folder the build was made from changed after it:
    the answers then describe the data as they were, not as they are."""
    import sys

    if not data_dir.is_dir() or folder in _WARNED:
        return
    _WARNED.add(folder)
    newer = [f for f in data_dir.rglob("*") if f.is_file() and f.stat().st_mtime > built_at]
    if newer:
        first = min(newer, key=lambda f: f.stat().st_mtime)
        more = f" and {len(newer) - 1} other file(s)" if len(newer) > 1 else ""
        sys.stderr.write(f"cvgraph: warning: {first}{more} changed after the build in {folder}; "
                         "run `cvgraph build` to see the changes\n")


# --- results kept per contract ------------------------------------------------------------------

def content_key(view: GraphStore, contracts: list[str], *inputs: str) -> str | None:
    """The key of a result computed from these contracts' graphs and the shared graph: the hash of
    their contents and of every other input (shapes, queries, cvgraph's version and code); None when the
    graph has no recorded hashes (a file, an older build)."""
    parts = [f"contract/{c}" for c in contracts] + [SHARED]
    if not view.hashes or any(p not in view.hashes for p in parts):
        return None
    h = hashlib.sha256(f"{cvgraph_version()} {code_hash()}".encode())
    for part in parts:
        h.update(f"\n{part} {view.hashes[part]}".encode())
    for text in inputs:
        h.update(b"\n" + hashlib.sha256(text.encode("utf-8")).digest())
    return h.hexdigest()


SCOPED_AT_MOST = 8   # contracts whose results a whole report computes one by one; above, it reads the whole graph


def kept_per_contract(view: GraphStore, where, keys: dict, whole, each) -> dict:
    """Results kept per contract in the build folder: for each `c` of `keys`, the one kept at
    `where(c)` (the kind and name of `cached`) under `keys[c]`; those missing are computed, more than
    SCOPED_AT_MOST of them at once by `whole(missing)` (a dict), fewer one by one by `each(missing)`
    (a list, in their order), and kept."""
    found = {c: cached(view, *where(c), key) for c, key in keys.items()}
    missing = [c for c in keys if found[c] is None]
    if missing:
        computed = whole(missing) if len(missing) > SCOPED_AT_MOST else dict(zip(missing, each(missing)))
        for c in missing:
            found[c] = computed[c]
            keep(view, *where(c), keys[c], found[c])
    return found


def each_contract(work, folder: Path, contracts: list, *args, label: str = "") -> list:
    """`work(folder, contract, *args)` for each contract, each reading its own graphs, over one
    worker process per core (in this process when there is one core or one contract). Workers are
    started afresh (`spawn`): forked from a process whose engines (shacl-rust, pyoxigraph) have
    started threads, a worker can wait forever on a lock held by a thread it does not have.
    `label` names the work on the progress bar."""
    import multiprocessing as mp

    from .progress import progress

    jobs = [(work, folder, c, *args) for c in contracts]
    workers = min(os.cpu_count() or 1, len(jobs))
    if workers < 2:
        return list(progress(map(_run_job, jobs), len(jobs), label))
    with mp.get_context("spawn").Pool(workers, initializer=_quiet) as pool:
        return list(progress(pool.imap(_run_job, jobs), len(jobs), label))


def _quiet() -> None:
    """A worker shows no bar of its own: one bar, the caller's, counts the contracts done."""
    from . import progress
    progress.SHOWN = False


def _run_job(job):
    work, *args = job
    return work(*args)


def cached(view: GraphStore, kind: str, name: str, key: str | None):
    """A result kept in the build folder (`cache/<kind>/<name>.json`) under `key`, or None."""
    if key is None or view.folder is None:
        return None
    try:
        entry = json.loads((view.folder / "cache" / kind / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry["value"] if entry.get("key") == key else None


def keep(view: GraphStore, kind: str, name: str, key: str | None, value) -> None:
    """Keep a result for the next command (written whole, then renamed; a folder one cannot write
    to keeps nothing)."""
    if key is None or view.folder is None:
        return
    folder = view.folder / "cache" / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"key": key, "value": value}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / f"{name}.json")
    except OSError:
        pass


def load_file(file: Path) -> GraphStore:
    """An RDF file loaded in memory (N-Quads keep their graphs; the others are one default graph)."""
    store = ox.Store()
    fmt = FORMATS[file.suffix]
    try:
        store.bulk_load(path=str(file), format=fmt)
    except SyntaxError as err:
        raise GraphError(f"{file}: cannot parse RDF: {err}") from None
    named = fmt == ox.RdfFormat.N_QUADS
    base = None
    if named:
        from .graph import graph_base
        base = graph_base(GraphStore(store, None, True))
    return GraphStore(store, base, named)


def store_size(folder: Path) -> int:
    """Bytes on disk of a build's store (for the bench)."""
    return sum(f.stat().st_size for f in (folder / STORE_DIR).rglob("*") if f.is_file()) \
        if (folder / STORE_DIR).is_dir() else 0


__all__ = ["Catalogue", "GraphStore", "cached", "catalogue", "content_hash", "content_key", "cvgraph_version", "describe_part",
           "keep", "FORMATS", "PARTS_DIR", "SHARED", "STORE_DIR", "STORE_META", "graph_name", "load_file", "open_build",
           "from_nt", "part_of", "part_path", "read_meta", "store_meta", "store_size", "to_ox", "to_rdflib", "update_store", "write_meta", "write_store"]
