"""The store layer: a built graph opened for reading, and the on-disk store `cvgraph build` writes.

A build folder holds, beside its dumps, `store/`: a pyoxigraph store on disk with one named graph
per contract (`<base>graph/contract/<id>`: the contract and every resource under its IRI, as `push`
names them) and one shared graph (`<base>graph/shared`: ontology, registries, organisations,
instruments, territories), and `store.json`, written last, which records cvgraph's version, the
base and the contracts. Commands open the store read-only (no parsing); a command given contracts
reads only their graphs and the shared graph, everything else reads the union. `--graph FILE`
(.ttl, .nt, .jsonld, .rdf, .nq) still works: the file is loaded in memory.

The one catalogue of contracts (`Catalogue`) lives here too, with the one "unknown contract" error.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import GraphError, UsageError

OUTPUTS = {"ttl": "graph.ttl", "nt": "graph.nt", "jsonld": "graph.jsonld"}   # the dumps of a build
STORE_DIR = "store"
STORE_META = "store.json"
STORE_FORMAT = 1   # bumped when the layout of the store changes: an older store is refused
SHARED = "shared"

FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
           ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
           ".xml": ox.RdfFormat.RDF_XML}


def part_of(subject: str, contract_ns: str) -> str:
    """The part a triple belongs to, by its subject's IRI: `contract/<id>` for a contract and every
    resource under its IRI, else `shared`."""
    if subject.startswith(contract_ns):
        return "contract/" + subject[len(contract_ns):].split("/", 1)[0]
    return SHARED


def graph_name(base: str, part: str) -> str:
    return f"{base}graph/{part}"


def cvgraph_version() -> str:
    """The installed cvgraph's version (recorded in the store: another version's store is refused)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("cvgraph")
    except PackageNotFoundError:
        return "unknown"


def write_store(folder: Path, lines: list[str], base: str, version: str) -> dict:
    """Write `folder/store/` from sorted N-Triples lines, each in the named graph of its part, then
    `folder/store.json`; returns the metadata. The folder is the build's temporary folder: the
    store becomes visible only when the build swaps it in."""
    import hashlib

    contract_ns = base + "contract/"
    nq = folder / "graph.nq.tmp"
    contracts = set()
    names: dict[str, str] = {}
    hashes: dict[str, "hashlib._Hash"] = {}
    with open(nq, "w", encoding="utf-8") as fh:
        for line in lines:
            part = part_of(line[1:line.index(">")], contract_ns) if line.startswith("<") else SHARED
            name = names.get(part)
            if name is None:
                name = names[part] = f"<{graph_name(base, part)}>"
                hashes[part] = hashlib.sha256()
                if part != SHARED:
                    contracts.add(part[len("contract/"):])
            hashes[part].update(line.encode("utf-8"))
            fh.write(f"{line[:-3]} {name} .\n")
    try:
        store = ox.Store(str(folder / STORE_DIR))
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    finally:
        nq.unlink(missing_ok=True)
    meta = {"format": STORE_FORMAT, "cvgraph": version, "base": base, "contracts": sorted(contracts),
            "hashes": {part: h.hexdigest() for part, h in sorted(hashes.items())}}   # each graph's content
    (folder / STORE_META).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return meta


@dataclass
class Catalogue:
    """The contracts of a graph, and the one error for an id that is not among them."""
    ids: tuple[str, ...]

    def check(self, contract: str | None) -> str | None:
        if contract is not None and contract not in self.ids:
            from difflib import get_close_matches
            near = get_close_matches(contract, self.ids, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            known = ", ".join(self.ids[:8]) + (" …" if len(self.ids) > 8 else "")
            raise UsageError(f"unknown contract {contract!r}{hint}; known: {known}")
        return contract


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
    except (OSError, ValueError):
        raise GraphError(f"{folder}: the store has no readable {STORE_META} (a build cut short?): "
                         "run `cvgraph build` again") from None
    if meta.get("format") != STORE_FORMAT or meta.get("cvgraph") != cvgraph_version():
        raise GraphError(f"{folder}: the store was written by another cvgraph ({meta.get('cvgraph')!r}, format "
                         f"{meta.get('format')!r}; this is {cvgraph_version()!r}, format {STORE_FORMAT}): run "
                         "`cvgraph build` again")
    try:
        store = ox.Store.read_only(str(store_dir))
    except OSError as err:
        raise GraphError(f"{store_dir}: cannot open the store: {err}") from None
    return GraphStore(store, meta["base"], True, tuple(meta.get("contracts", ())), folder, meta.get("hashes"))


# --- results kept per contract ------------------------------------------------------------------

def content_key(view: GraphStore, contracts: list[str], *inputs: str) -> str | None:
    """The key of a result computed from these contracts' graphs and the shared graph: the hash of
    their contents and of every other input (shapes, queries, cvgraph's version); None when the
    graph has no recorded hashes (a file, an older build)."""
    import hashlib

    parts = [f"contract/{c}" for c in contracts] + [SHARED]
    if not view.hashes or any(p not in view.hashes for p in parts):
        return None
    h = hashlib.sha256(cvgraph_version().encode())
    for part in parts:
        h.update(f"\n{part} {view.hashes[part]}".encode())
    for text in inputs:
        h.update(b"\n" + hashlib.sha256(text.encode("utf-8")).digest())
    return h.hexdigest()


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


__all__ = ["Catalogue", "GraphStore", "cached", "content_key", "keep", "FORMATS", "OUTPUTS", "cvgraph_version", "SHARED", "STORE_DIR", "STORE_META", "graph_name", "load_file",
           "open_build", "part_of", "write_store", "store_size"]
