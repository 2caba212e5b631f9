"""`cvgraph build`: compile ontology and data into one graph, written as Turtle, N-Triples, JSON-LD.

The output is deterministic (the same sources give byte-identical files) and atomic: files are
written to a temporary folder beside the target, which replaces the target only once everything is
written, so a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal

from ._paths import default_build_dir, resource_dir
from .errors import SourceError, parse_failure
from .vocab import CV, DEFAULT_BASE, PREFIXES, RDF, french_text

OUTPUTS = {"ttl": "graph.ttl", "nt": "graph.nt", "jsonld": "graph.jsonld"}
SUMMARY_FILE = "summary.json"


@dataclass
class BuildSummary:
    triples: int
    contracts: int
    orientations: int
    organisations: int
    instruments: int
    funding_lines: int
    unresolved_names: list[str]
    out_dir: str

    def lines(self) -> list[str]:
        return [
            f"built {self.out_dir}",
            f"  triples        {self.triples}",
            f"  contracts      {self.contracts}",
            f"  orientations   {self.orientations}",
            f"  organisations  {self.organisations}",
            f"  instruments    {self.instruments}",
            f"  funding lines  {self.funding_lines}",
            f"  unresolved names ({len(self.unresolved_names)}): {', '.join(self.unresolved_names)}",
        ]


def check_base(base: str) -> str:
    if not re.match(r"^https?://[^\s/]+(/\S*)?/$", base):
        raise SourceError("the base IRI must be an absolute http(s) IRI ending with '/'",
                          field="base")
    return base


def load_ontology(path: Path | None = None) -> Graph:
    """Parse the ontology; a syntax error names file, line and the parser's message."""
    path = path or resource_dir("ontology") / "cvgraph.ttl"
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError:
        raise SourceError("ontology file not found", file=path) from None
    except Exception as err:  # rdflib raises several parser exception types
        text, line = parse_failure(err)
        raise SourceError(f"invalid Turtle: {text[:200]}", file=path, line=line) from None
    return g


def french_label(g, s) -> str:
    """The French rdfs:label of `s` (else any label, else its IRI)."""
    return french_text(g, s) or str(s)


def nt_lines(triples, cache: dict) -> list[str]:
    """N-Triples lines of rdflib-term triples, written by pyoxigraph's terms."""
    from .fastshacl import to_ox

    def term(x):
        o = cache.get(x)
        if o is None:
            o = to_ox(x)
            if not isinstance(x, Literal):
                cache[x] = o   # IRIs recur (predicates, classes, organisations); literals rarely
        return o
    return [f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples]


def serialise_lines(lines: list[str]) -> dict[str, bytes]:
    """The three serialisations from sorted, unique N-Triples lines, each deterministic: pyoxigraph
    writes the Turtle (rdflib's writers took minutes at a few hundred contracts), the JSON-LD is
    written node by node, compacted with the project's prefixes."""
    nt = "".join(lines).encode("utf-8")
    prefixes = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
    ttl = ox.serialize(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                       prefixes=prefixes)
    jsonld = jsonld_text(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), prefixes)
    return {"ttl": ttl, "nt": nt, "jsonld": jsonld.encode("utf-8")}


def jsonld_text(triples, prefixes: dict[str, str]) -> str:
    """Compact JSON-LD, one node per subject, from triples sorted by subject."""
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
    parts = ['{\n "@context": ' + json.dumps(dict(prefixes), ensure_ascii=False, sort_keys=True) + ',\n "@graph": [\n']
    node, first = None, True

    def flush():
        nonlocal first
        if node is not None:
            parts.append(("" if first else ",\n") + "  " + json.dumps(node, ensure_ascii=False, sort_keys=True))
            first = False
    for t in triples:
        sid = compact(t.subject.value) if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
        if node is None or node["@id"] != sid:
            flush()
            node = {"@id": sid}
        if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact(t.object.value))
        else:
            node.setdefault(compact(t.predicate.value), []).append(value(t.object))
    flush()
    parts.append("\n ]\n}\n")
    return "".join(parts)


def write_atomically(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write `files` (name → content) as the whole content of `out_dir`, replacing it at once."""
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    os.chmod(tmp, 0o755)
    try:
        for name, content in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.rename(out_dir, old)
        os.rename(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def build(data_dir: Path | None = None, out_dir: Path | None = None, *,
          base: str = DEFAULT_BASE) -> BuildSummary:
    """Compile `data_dir` (default: the embedded data) and write the graph to `out_dir`, one
    contract at a time (see compile.compile_chunks), the outputs replacing the folder at once."""
    from .compile import compile_chunks

    check_base(base)
    out_dir = Path(out_dir) if out_dir else default_build_dir()
    counts = {cls: 0 for cls in (CV.Contract, CV.Orientation, CV.Organisation, CV.FinancingInstrument,
                                 CV.FundingLine)}
    unresolved: list[str] = []
    lines: list[str] = []
    cache: dict = {}
    first = True
    for part in compile_chunks(Path(data_dir) if data_dir else resource_dir("data"), base):
        if first:   # the registries: the ontology goes with them
            for triple in load_ontology():
                part.add(triple)
            unresolved = sorted(french_label(part, s) for s in part.subjects(CV.unresolved, Literal(True)))
            first = False
        for cls in counts:
            counts[cls] += len(set(part.subjects(RDF.type, cls)))
        lines += nt_lines(part, cache)
    lines.sort()
    lines = [line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]]
    summary = BuildSummary(triples=len(lines), contracts=counts[CV.Contract], orientations=counts[CV.Orientation],
                           organisations=counts[CV.Organisation], instruments=counts[CV.FinancingInstrument],
                           funding_lines=counts[CV.FundingLine], unresolved_names=unresolved, out_dir=str(out_dir))
    files = {OUTPUTS[k]: v for k, v in serialise_lines(lines).items()}
    del lines
    meta = asdict(summary)
    meta.pop("out_dir")
    meta["base"] = base
    files[SUMMARY_FILE] = (json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    write_atomically(out_dir, files)
    return summary
