"""Loading a built graph, as an rdflib Graph or a pyoxigraph Store.

`path` may be a build folder (the one `cvgraph build` writes) or a single RDF file; without it, the
default build folder is used.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from ._paths import default_build_dir
from .store import FORMATS, GraphStore, load_file, open_build
from .errors import GraphError, parse_failure

# rdflib's name of each format pyoxigraph reads (cvgraph.store.FORMATS)
_RDFLIB = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".jsonld": "json-ld", ".json": "json-ld",
           ".rdf": "xml", ".xml": "xml"}


def graph_file(path: Path | str | None = None) -> Path:
    """The RDF file behind `path` (a build folder or a file): a build's whole graph is exported
    from its store once (`cvgraph.export.graph_file`); a folder without a store (an older build)
    gives its `graph.nt`."""
    path = Path(path) if path else default_build_dir()
    if path.is_dir():
        view = open_build(path)
        if view is not None:
            from .export import graph_file as exported
            return exported(view, path)
        path = path / "graph.nt"
        if not path.is_file():
            raise GraphError(f"{path.parent}: no built graph here (run `cvgraph build` first)")
    elif not path.is_file():
        hint = " (run `cvgraph build` first)" if path == default_build_dir() else ""
        raise GraphError(f"{path}: no such file or folder{hint}")
    if path.suffix not in FORMATS:
        raise GraphError(f"{path}: unknown RDF format (use .ttl, .nt, .nq, .jsonld or .rdf)")
    return path


def load_graph(path: Path | str | None = None) -> Graph:
    """The graph as an rdflib Graph."""
    file = graph_file(path)
    g = Graph()
    try:
        if file.suffix == ".nq":   # the graphs of a dataset, as one graph
            ds = Dataset()
            ds.parse(file, format="nquads")
            for s, p, o, _ in ds.quads((None, None, None, None)):
                g.add((s, p, o))
        else:
            g.parse(file, format=_RDFLIB[file.suffix])
    except Exception as err:  # rdflib raises several parser exception types
        text, line = parse_failure(err)
        where = f"{file}:{line}" if line is not None else str(file)
        raise GraphError(f"{where}: cannot parse RDF: {text[:200]}") from None
    return g


def load_graphs(paths) -> Graph:
    """One rdflib Graph holding every RDF file given (the last build when none is)."""
    if not paths:
        return load_graph(None)
    g = Graph()
    for path in paths:
        g += load_graph(path)
    return g


def load_store(path: Path | str | None = None, contracts=()) -> GraphStore:
    """The graph opened for reading. Given contracts, a build's on-disk store (read-only, no
    parsing), reading only their graphs and the shared graph (an unknown id is one "unknown
    contract" error); else the whole graph, loaded in memory from the build's dumps per named graph
    (`GraphStore.in_memory`). An RDF file is loaded in memory."""
    folder = Path(path) if path else default_build_dir()
    view = open_build(folder) if folder.is_dir() else None
    if view is None:
        view = load_file(graph_file(path))
    contracts = [c for c in contracts if c]
    if not contracts:   # the whole graph: in memory, where whole-graph queries run much faster
        return view.in_memory()
    return view.scope(contracts)


def graph_base(store: ox.Store) -> str:
    """The base the graph was built with, read off its contract IRIs."""
    for s in store.query("SELECT ?c WHERE { ?c a <https://w3id.org/cvgraph/ontology#Contract> } LIMIT 1"):
        iri = s["c"].value
        if "/contract/" in iri:
            return iri[: iri.index("/contract/") + 1]
    from .vocab import DEFAULT_BASE

    return DEFAULT_BASE
