"""`cvgraph export`: the whole graph of a build (or the graphs of some contracts) as one RDF file,
N-Triples, Turtle, JSON-LD or N-Quads, read from the build's store.

The build writes no whole-graph dump (at national scale that is most of a cold build's time and
all of an incremental one's): a dump is written when it is asked for. Each is deterministic: the
triples are sorted, so the same graph gives the same bytes whatever built it (a cold or an
incremental build). Files are written beside their target and renamed into place.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox

from .errors import UsageError
from .store import PARTS_DIR, GraphStore, graph_name, part_path
from .vocab import PREFIXES

EXPORTS = {"nt": ".nt", "ttl": ".ttl", "jsonld": ".jsonld", "nq": ".nq"}   # format -> file suffix


def sorted_lines(view: GraphStore, quads: bool = False) -> list[str]:
    """The triples the view reads as sorted N-Triples lines (with their named graph: N-Quads): a
    build's from its dumps per named graph (`parts/`, reading the store term by term is some ten
    times slower), a file's by pyoxigraph's own writer."""
    if view.folder is not None and view.base is not None and (view.folder / PARTS_DIR).is_dir():
        lines = []
        for part in view.parts():
            with open(part_path(view.folder, part), encoding="utf-8") as fh:
                if quads:
                    name = f" <{graph_name(view.base, part)}> .\n"
                    lines += [line[:-3] + name for line in fh]
                else:
                    lines += fh.readlines()
        lines.sort()
        return lines
    if not view.named:
        graphs = [ox.DefaultGraph()]
    elif view.graphs is not None:
        graphs = view.graphs
    else:
        graphs = sorted((g for g in view.store.named_graphs() if isinstance(g, ox.NamedNode)), key=str)
    lines: list[str] = []
    for g in graphs:
        data = view.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).decode("utf-8")
        if quads and view.named:
            lines += [f"{line[:-2]}{g} .\n" for line in data.splitlines(keepends=True)]
        else:
            lines += data.splitlines(keepends=True)
    lines.sort()
    return lines


def export(view: GraphStore, out: Path, fmt: str) -> int:
    """Write the graph the view reads to `out` in `fmt` (one of EXPORTS); the number of triples."""
    if fmt not in EXPORTS:
        raise UsageError(f"unknown export format {fmt!r} (use {', '.join(EXPORTS)})")
    out = Path(out)
    lines = sorted_lines(view, quads=fmt == "nq")
    n = len(lines)
    nt = out.with_name(f".{out.name}.{os.getpid()}.nt.tmp")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with open(nt, "w", encoding="utf-8") as fh:
            fh.writelines(lines)
        del lines[:]
        if fmt in ("nt", "nq"):
            os.replace(nt, tmp)
        else:
            triples = ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
            prefixes = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
            if fmt == "ttl":
                # not cvv: its IRIs have a path (vocab/role/pilot) that a prefixed name writes "cvv:role\/pilot"
                ox.serialize(triples, output=str(tmp), format=ox.RdfFormat.TURTLE,
                             prefixes={k: v for k, v in prefixes.items() if k != "cvv"})
            else:
                with open(tmp, "w", encoding="utf-8") as fh:
                    for part in jsonld_parts(triples, prefixes):
                        fh.write(part)
        os.replace(tmp, out)
    finally:
        nt.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    return n


def export_all(folder: Path, view: GraphStore | None = None) -> dict[str, Path]:
    """graph.nt, graph.ttl and graph.jsonld of a build, written into its folder."""
    from .store import open_build

    folder = Path(folder)
    view = view if view is not None else open_build(folder)
    if view is None:
        raise UsageError(f"{folder}: no build store here (run `cvgraph build` first)")
    out = {}
    for fmt in ("nt", "ttl", "jsonld"):
        out[fmt] = folder / f"graph{EXPORTS[fmt]}"
        export(view, out[fmt], fmt)
    return out


def graph_file(view: GraphStore, folder: Path) -> Path:
    """The build's whole graph as an N-Triples file, for the tools that read files (pySHACL's
    loader, shacl-rust): written once per content into the build folder's cache
    (`cache/export/graph-<hash>.nt`, so that it can never outlive the graph it was written from),
    or into a temporary folder when the build folder cannot be written."""
    import hashlib
    import tempfile

    key = hashlib.sha256(json.dumps(view.hashes, sort_keys=True).encode()).hexdigest()[:16]
    target = folder / "cache" / "export" / f"graph-{key}.nt"
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for old in target.parent.glob("graph-*.nt"):
            old.unlink(missing_ok=True)
    except OSError:
        target = Path(tempfile.mkdtemp(prefix="cvgraph-export-")) / target.name
    export(view, target, "nt")
    return target


def jsonld_parts(triples, prefixes: dict[str, str]):
    """Compact JSON-LD, one node per subject, from triples sorted by subject, a node at a time."""
    by_length = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    cache: dict[str, str] = {}

    def compact(iri: str) -> str:
        hit = cache.get(iri)
        if hit is None:
            hit = iri
            for prefix, ns in by_length:
                if iri.startswith(ns) and len(iri) > len(ns) and ":" not in iri[len(ns):]:
                    hit = f"{prefix}:{iri[len(ns):]}"
                    break
            cache[iri] = hit
        return hit

    def value(o):
        if isinstance(o, ox.Literal):
            v = {"@value": o.value}
            if o.language:
                v["@language"] = o.language
            elif o.datatype and o.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                v["@type"] = compact(o.datatype.value)
            return v
        return {"@id": compact(o.value) if isinstance(o, ox.NamedNode) else f"_:{o.value}"}

    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    yield '{\n "@context": ' + json.dumps(dict(prefixes), ensure_ascii=False, sort_keys=True) + ',\n "@graph": [\n'
    node, sep = None, ""
    for t in triples:
        sid = compact(t.subject.value) if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
        if node is None or node["@id"] != sid:
            if node is not None:
                yield sep + "  " + json.dumps(node, ensure_ascii=False, sort_keys=True)
                sep = ",\n"
            node = {"@id": sid}
        if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact(t.object.value))
        else:
            node.setdefault(compact(t.predicate.value), []).append(value(t.object))
    if node is not None:
        yield sep + "  " + json.dumps(node, ensure_ascii=False, sort_keys=True)
    yield "\n ]\n}\n"


