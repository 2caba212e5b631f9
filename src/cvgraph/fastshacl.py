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

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .errors import SourceError


def to_rdflib(term):
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
        return Literal(term.value, datatype=None if dt == str(XSD.string) else URIRef(dt))
    return None


def to_ox(term):
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


def from_nt(text: str):
    """An N-Triples term ("<iri>", "\"x\"@fr", "\"1\"^^<…>", "_:b") as an rdflib term."""
    triple = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES)))
    return to_rdflib(triple.object)


def run(data_file: Path, shape_files: list[Path]) -> Graph:
    """Run shacl-rust; the results as an `sh:ValidationReport` rdflib graph."""
    try:
        import shacl_rust
    except ImportError:
        raise SourceError("the shacl-rust engine is not installed (pip install shacl-rust)") from None
    with tempfile.NamedTemporaryFile("w", suffix=".ttl", encoding="utf-8", delete=False) as tmp:
        for f in shape_files:
            tmp.write(Path(f).read_text(encoding="utf-8") + "\n")
    try:
        raw = shacl_rust.validate_file(str(data_file), tmp.name)
    except Exception as err:  # the engine's errors: unreadable shapes or data
        raise SourceError(f"shacl-rust: {' '.join(str(err).split())[:200]}", file=str(data_file)) from None
    finally:
        Path(tmp.name).unlink(missing_ok=True)
    report = Graph()
    sh = lambda local: URIRef(SH + local)  # noqa: E731
    root = BNode()
    report.add((root, RDF.type, sh("ValidationReport")))
    report.add((root, sh("conforms"), Literal(bool(raw.get("conforms")))))
    for i, r in enumerate(raw.get("results", [])):
        node = BNode(f"r{i}")
        report.add((root, sh("result"), node))
        report.add((node, RDF.type, sh("ValidationResult")))
        for key, prop in (("focusNode", "focusNode"), ("resultPath", "resultPath"), ("value", "value"),
                          ("sourceShape", "sourceShape"), ("severity", "resultSeverity"),
                          ("sourceConstraintComponent", "sourceConstraintComponent")):
            text = r.get(key)
            if not text or (key == "resultPath" and not text.startswith("<")):
                continue  # a complex path (inverse, sequence): reported without a path, as pySHACL's findings are
            report.add((node, sh(prop), from_nt(text)))
        for m in r.get("messages", []):
            report.add((node, sh("resultMessage"), Literal(m)))
    return report
