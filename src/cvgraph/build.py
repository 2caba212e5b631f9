"""`cvgraph build`: compile ontology and data into one graph, written as an on-disk store with one
named graph per contract and a shared graph (`cvgraph.store`), and dumped as Turtle, N-Triples and
JSON-LD.

The output is deterministic (the same sources give byte-identical files) and atomic: files are
written to a temporary folder beside the target, which replaces the target only once everything is
written, so a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal

from ._paths import default_build_dir, resource_dir
from . import compile as compile_
from .errors import GraphError, SourceError, UsageError, parse_failure
from .output import new_folder_beside, swap_folder
from .progress import progress
from .store import OUTPUTS, cvgraph_version, write_store
from .vocab import CV, DEFAULT_BASE, PREFIXES, RDF, french_text

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


def write_outputs(tmp: Path, lines: list[str]) -> None:
    """The three serialisations, from sorted, unique N-Triples lines, written into `tmp`. Each is
    deterministic: pyoxigraph writes the Turtle (rdflib's writers took minutes at a few hundred
    contracts), the JSON-LD is written node by node, compacted with the project's prefixes, in a
    second process while this one writes the Turtle. `lines` is emptied once written, to free its
    memory before the second process is forked."""
    nt_path = tmp / OUTPUTS["nt"]
    with open(nt_path, "w", encoding="utf-8") as fh:
        fh.writelines(lines)
    del lines[:]
    prefixes = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
    child = None
    if (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods():
        child = mp.get_context("fork").Process(target=_write_jsonld, args=(nt_path, tmp / OUTPUTS["jsonld"], prefixes))
        child.start()
    try:
        ox.serialize(ox.parse(path=nt_path, format=ox.RdfFormat.N_TRIPLES), output=tmp / OUTPUTS["ttl"],
                     format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        if child is None:
            _write_jsonld(nt_path, tmp / OUTPUTS["jsonld"], prefixes)
    finally:
        if child is not None:
            child.join()
    if child is not None and child.exitcode != 0:
        raise GraphError(f"writing {OUTPUTS['jsonld']} failed (exit {child.exitcode})")


def _write_jsonld(nt_path: Path, out: Path, prefixes: dict[str, str]) -> None:
    with open(out, "w", encoding="utf-8") as fh:
        for part in jsonld_parts(ox.parse(path=nt_path, format=ox.RdfFormat.N_TRIPLES), prefixes):
            fh.write(part)


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


def build(data_dir: Path | None = None, out_dir: Path | None = None, *,
          base: str = DEFAULT_BASE, jobs: int | None = None) -> BuildSummary:
    """Compile `data_dir` (default: the embedded data) and write the graph to `out_dir`. Contract
    sheets are compiled one at a time, over `jobs` processes (default: one per core when there are
    more than a few sheets); the outputs are written into a folder beside `out_dir` that replaces
    it at once, so that a failed or interrupted build leaves the previous output as it was."""
    check_base(base)
    data_dir = Path(data_dir) if data_dir else resource_dir("data")
    out_dir = (Path(out_dir) if out_dir else default_build_dir()).resolve()
    with _only_build(out_dir):
        return _build(data_dir, out_dir, base, jobs)


@contextlib.contextmanager
def _only_build(out_dir: Path):
    """One build of a folder at a time: a second one is refused with one line (the first goes on)."""
    try:
        import fcntl
    except ImportError:   # not on POSIX: no lock
        yield
        return
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"{out_dir}: another `cvgraph build` is writing this folder; wait for it to end") from None
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)


def _build(data_dir: Path, out_dir: Path, base: str, jobs: int | None) -> BuildSummary:
    comp, sheets = compile_.prepare(data_dir, base)
    counts = dict.fromkeys(COUNTED, 0)
    cache: dict = {}
    registries = comp.g
    for triple in load_ontology():
        registries.add(triple)
    unresolved = sorted(french_label(registries, s) for s in registries.subjects(CV.unresolved, Literal(True)))
    lines = _lines(registries, counts, cache)
    contracts, links = [], []
    for cid, part_lines, part_counts, part_links in progress(_compile_sheets(comp, sheets, jobs), len(sheets),
                                                             "build: contract sheets"):
        contracts.append(cid)
        links += part_links
        lines += part_lines
        for cls, n in part_counts.items():
            counts[cls] += n
    lines += _lines(compile_.finish(comp, data_dir, contracts, links), counts, cache)
    lines.sort()
    lines = [line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]]
    _check_retired(comp.retired, lines)
    summary = BuildSummary(triples=len(lines), contracts=counts[CV.Contract], orientations=counts[CV.Orientation],
                           organisations=counts[CV.Organisation], instruments=counts[CV.FinancingInstrument],
                           funding_lines=counts[CV.FundingLine], unresolved_names=unresolved, out_dir=str(out_dir))
    meta = asdict(summary)
    meta.pop("out_dir")
    meta["base"] = base
    tmp = new_folder_beside(out_dir)
    try:
        write_store(tmp, lines, base, cvgraph_version())   # before the dumps, which empty `lines`
        write_outputs(tmp, lines)
        (tmp / SUMMARY_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
        swap_folder(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


def _check_retired(moves: dict, lines: list[str]) -> None:
    """A retired IRI must no longer name a resource, and its chain of successors must end on one."""
    if not moves:
        return
    retiring = ("<http://www.w3.org/2002/07/owl#deprecated>", "<http://purl.org/dc/terms/isReplacedBy>")
    described = {line[1:line.index(">")] for line in lines
                 if line.startswith("<") and line.split(" ", 2)[1] not in retiring}
    for old, (new, node) in moves.items():
        if old in described:
            raise node.error(f"{old} is retired but still names a resource of the graph", "old")
        final = new
        while final in moves:
            final = moves[final][0]
        if final not in described:
            raise node.error(f"the new IRI {final} names no resource of the graph", "new")


COUNTED = (CV.Contract, CV.Orientation, CV.Organisation, CV.FinancingInstrument, CV.FundingLine)
PARALLEL_MIN = 8   # fewer sheets than this are compiled in this process: a pool costs more than it saves


def _lines(part, counts: dict, cache: dict) -> list[str]:
    """The N-Triples lines of a part; `counts` gains its instances of the COUNTED classes (each
    typed triple is unique in a part, so counting them counts the instances)."""
    rdf_type = RDF.type
    for _, p, o in part:
        if p == rdf_type and o in counts:
            counts[o] += 1
    return nt_lines(part, cache)


_WORKER: dict = {}   # the compiler, handed to forked workers


def _compile_one(path: Path):
    """In a worker: one sheet's id, N-Triples lines, class counts and links, or its error."""
    try:
        cid, part, links = compile_.compile_sheet(_WORKER["comp"], path)
        counts = dict.fromkeys(COUNTED, 0)
        return cid, _lines(part, counts, _WORKER["cache"]), counts, links
    except SourceError as err:
        return err   # raised again, unchanged, by the parent


def _compile_sheets(comp, sheets: list[Path], jobs: int | None):
    """Each sheet's (id, lines, counts, links), in sheet order; the first error is raised."""
    jobs = jobs or min(os.cpu_count() or 1, 8)
    _WORKER.update(comp=comp, cache={})
    parallel = jobs >= 2 and len(sheets) >= PARALLEL_MIN and "fork" in mp.get_all_start_methods()
    try:
        with mp.get_context("fork").Pool(jobs) if parallel else contextlib.nullcontext() as pool:
            for r in pool.imap(_compile_one, sheets, chunksize=2) if parallel else map(_compile_one, sheets):
                if isinstance(r, SourceError):
                    raise r
                yield r
    finally:
        _WORKER.clear()
