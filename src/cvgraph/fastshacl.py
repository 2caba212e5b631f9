"""The fast validation path: the same shapes run by shacl-rust (a SHACL engine written in Rust, on
PyPI), with the context of each finding read from a pyoxigraph store instead of an rdflib graph.

pySHACL stays the reference: `tests/test_engines.py` checks that both engines give the same
findings on the seed graph, on each broken fixture of the shapes and on a generated sample.
shacl-rust reports one result per failing value where pySHACL may merge some; findings are
compared and reported as sets of (severity, shape, focus, path, value), which both give alike.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from .errors import SourceError
from .progress import progress
from .store import from_nt, to_ox, to_rdflib  # noqa: F401  (the store layer converts terms)


class StoreGraph:
    """The few rdflib Graph reads the report needs (value, objects, subjects, `in`), on a store."""

    def __init__(self, store: ox.Store):
        self.store = store

    def _quads(self, s, p, o):
        return self.store.quads_for_pattern(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())

    def __contains__(self, triple) -> bool:
        return next(iter(self._quads(*triple)), None) is not None

    def objects(self, s=None, p=None):
        return (to_rdflib(q.object) for q in self._quads(s, p, None))

    def subjects(self, p=None, o=None):
        return (to_rdflib(q.subject) for q in self._quads(None, p, o))

    def value(self, subject=None, predicate=None, object=None):
        for q in self._quads(subject, predicate, object):
            return to_rdflib(q.object if object is None else q.subject if subject is None else q.predicate)
        return None

    def __len__(self) -> int:
        return len(self.store)


SH = "http://www.w3.org/ns/shacl#"


class Result(NamedTuple):
    """One validation result, as either engine gives it (rdflib terms)."""
    severity: URIRef
    shape: object       # the sh:sourceShape (an IRI or a blank node)
    focus: object
    value: object
    path: object
    component: object
    constraint: object  # the sh:sourceConstraint, when the engine names one
    messages: tuple     # sh:resultMessage literals

    @classmethod
    def read(cls, report: Graph, node) -> Result:
        v = lambda local: report.value(node, URIRef(SH + local))  # noqa: E731
        return cls(v("resultSeverity"), v("sourceShape"), v("focusNode"), v("value"), v("resultPath"),
                   v("sourceConstraintComponent"), v("sourceConstraint"),
                   tuple(report.objects(node, URIRef(SH + "resultMessage"))))


def run(data_file: Path, shapes: Graph, load_store) -> list[Result]:
    """Run shacl-rust on the core shapes, and each SHACL-SPARQL constraint as one whole-graph query
    on the store (shacl-rust runs them once per focus node: 55 of its 60 s on 50 contracts);
    the results (`report_graph` makes them a `sh:ValidationReport`). `load_store` gives the data
    as a pyoxigraph store; it is called once shacl-rust is done, so that the two copies of a large
    graph are not in memory at once."""
    try:
        import shacl_rust
    except ImportError:
        raise SourceError("the shacl-rust engine is not installed (pip install shacl-rust)") from None
    sparql_shapes = sorted(set(shapes.subjects(URIRef(SH + "sparql"), None)), key=str)
    core = Graph()
    for triple in shapes:
        if triple[0] in sparql_shapes and str(triple[1]).startswith(SH + "target"):
            continue   # its targets removed: the store query below does its work
        core.add(triple)
    with tempfile.NamedTemporaryFile("wb", suffix=".ttl", delete=False) as tmp:
        tmp.write(core.serialize(format="turtle", encoding="utf-8"))
    try:
        raw = shacl_rust.validate_file(str(data_file), tmp.name, experimental_index=True)
    except Exception as err:  # the engine's errors: unreadable shapes or data
        raise SourceError(f"shacl-rust: {' '.join(str(err).split())[:200]}", file=str(data_file)) from None
    finally:
        Path(tmp.name).unlink(missing_ok=True)
    results = list(raw.get("results", []))
    del raw
    store = load_store()
    for shape in progress(sparql_shapes, len(sparql_shapes), "validate: SPARQL constraints"):
        results += sparql_results(store, shapes, shape)
    return [Result(severity=term(r.get("severity") or f"<{SH}Violation>"), shape=term(r.get("sourceShape")),
                   focus=term(r.get("focusNode")), value=term(r.get("value")),
                   # a complex path (inverse, sequence) is reported without a path, as pySHACL's findings are
                   path=term(r["resultPath"]) if str(r.get("resultPath", "")).startswith("<") else None,
                   component=term(r.get("sourceConstraintComponent")), constraint=None,
                   messages=tuple(Literal(m) for m in r.get("messages", [])))
            for r in results]


def term(text: str | None):
    """An N-Triples term as an rdflib term; IRIs, the usual case, without a parser."""
    if not text:
        return None
    if text[0] == "<" and text[-1] == ">" and ">" not in text[1:-1]:
        return URIRef(text[1:-1])
    return from_nt(text)


def report_graph(results: list[Result]) -> Graph:
    """The results as an `sh:ValidationReport` rdflib graph."""
    report = Graph()
    sh = lambda local: URIRef(SH + local)  # noqa: E731
    root = BNode()
    report.add((root, RDF.type, sh("ValidationReport")))
    report.add((root, sh("conforms"), Literal(not any(r.severity == sh("Violation") for r in results))))
    for i, r in enumerate(results):
        node = BNode(f"r{i}")
        report.add((root, sh("result"), node))
        report.add((node, RDF.type, sh("ValidationResult")))
        for prop, value in (("focusNode", r.focus), ("resultPath", r.path), ("value", r.value),
                            ("sourceShape", r.shape), ("resultSeverity", r.severity),
                            ("sourceConstraintComponent", r.component)):
            if value is not None:
                report.add((node, sh(prop), value))
        for m in r.messages:
            report.add((node, sh("resultMessage"), m))
    return report


def sparql_results(store: ox.Store, shapes: Graph, shape) -> list[dict]:
    """A node shape's SPARQL constraints run once over the whole graph: its `sh:select` with
    `$this` free, joined with the shape's target class."""
    out = []
    severity = shapes.value(shape, URIRef(SH + "severity")) or URIRef(SH + "Violation")
    classes = list(shapes.objects(shape, URIRef(SH + "targetClass")))
    for constraint in shapes.objects(shape, URIRef(SH + "sparql")):
        select = str(shapes.value(constraint, URIRef(SH + "select")))
        prefixes = []
        for holder in shapes.objects(constraint, URIRef(SH + "prefixes")):
            for decl in shapes.objects(holder, URIRef(SH + "declare")):
                prefixes.append(f"PREFIX {shapes.value(decl, URIRef(SH + 'prefix'))}: "
                                f"<{shapes.value(decl, URIRef(SH + 'namespace'))}>")
        for cls in classes:
            query = ("\n".join(prefixes) + f"\nSELECT ?this ?value WHERE {{ ?this a <{cls}> . {{ "
                     + select.replace("$this", "?this") + " } }")
            for row in store.query(query):
                r = {"focusNode": str(row["this"]), "sourceShape": f"<{shape}>", "severity": f"<{severity}>",
                     "sourceConstraintComponent": f"<{SH}SPARQLConstraintComponent>", "messages": []}
                if row["value"] is not None:
                    r["value"] = str(row["value"])
                out.append(r)
    return out
