"""Validating a graph against the SHACL shapes of `shapes/` with pySHACL.

Each result of the `sh:ValidationReport` becomes a `Finding` placed in its contract and orientation,
with the label of what it is about, the French and English messages of its shape, and the source
document, section and line of the resource it concerns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef

from ._paths import resource_dir
from .errors import SourceError, parse_failure
from .progress import progress
from .vocab import CV, DCTERMS, RDF, RDFS, SKOS, french_text

SH = Namespace("http://www.w3.org/ns/shacl#")
CVS = Namespace("https://w3id.org/cvgraph/shapes#")
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
SEVERITY_FR = {"Violation": "violation", "Warning": "avertissement", "Info": "information"}


@dataclass(frozen=True)
class Finding:
    severity: str         # Violation, Warning or Info
    shape: str            # IRI of the shape that produced it
    gap: str              # its `cvgraph gaps` category (completeness shapes), else ""
    focus: str            # IRI of the focus node
    path: str             # IRI of the result path, or ""
    value: str            # the offending value, or ""
    contract: str         # id of the contract the finding belongs to; "" for registry resources
    orientation: str      # orientation number, or ""
    subject: str          # label of the resource concerned (organisation, figure…), or ""
    message: str          # French message of the shape, {?value} replaced by the value's label
    message_en: str
    file: str             # file name of the source document
    section: str          # section of the document
    line: int | None      # line in the source document

    @property
    def source(self) -> str:
        return source_text(self.file, self.section, self.line)

    def as_dict(self) -> dict:
        return {**asdict(self), "source": self.source}


def source_text(file: str, section: str, line: int | str | None) -> str:
    """"002_x.txt, fiche orientation 5, l. 1729": where a finding comes from, for people."""
    parts = [p for p in (file, section) if p]
    if line not in (None, ""):
        parts.append(f"l. {line}")
    return ", ".join(parts)


@dataclass
class Report:
    findings: list[Finding]
    source: object  # the sh:ValidationReport graph, or a function that makes it (see `graph`)
    context: object = None  # the data the findings were read from (rdflib Graph or fastshacl.StoreGraph)

    @property
    def graph(self) -> Graph:
        """The sh:ValidationReport (made when first asked for: on a large graph, only `--format
        ttl` needs it)."""
        if not isinstance(self.source, Graph):
            self.source = self.source()
        return self.source

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def conforms(self) -> bool:
        return self.count("Violation") == 0


def parse_turtle(path: Path, what: str) -> Graph:
    """Parse a Turtle file; an error names the file and, when the parser gives it, the line."""
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError:
        raise SourceError(f"{what} not found", file=path) from None
    except Exception as err:  # rdflib raises several parser exception types
        text, line = parse_failure(err)
        raise SourceError(f"invalid Turtle in {what}: {text[:200]}", file=path, line=line) from None
    return g


def shape_files(path: Path | None = None) -> list[Path]:
    path = Path(path) if path else resource_dir("shapes")
    if path.is_dir():
        files = sorted(path.glob("*.ttl"))
        if not files:
            raise SourceError("no shapes file (*.ttl) in this folder", file=path)
        return files
    if not path.is_file():
        raise SourceError("shapes file or folder not found", file=path)
    return [path]


def load_shapes(path: Path | None = None) -> Graph:
    """The shapes graph: every .ttl of `shapes/` (or of the file or folder given)."""
    g = Graph()
    for file in shape_files(path):
        g += parse_turtle(file, "shapes file")
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    if not shapes:
        raise SourceError("no SHACL shape (sh:NodeShape or sh:PropertyShape) found", file=path or "shapes/")
    return g


ENGINES = ("pyshacl", "shacl-rust")
AUTO_THRESHOLD = 200_000   # triples: above, `auto` picks shacl-rust (pySHACL takes minutes there)


def pick_engine(engine: str, triples: int) -> str:
    """The engine to run: the one asked for, or with `auto` shacl-rust above AUTO_THRESHOLD
    triples (when installed) and pySHACL below."""
    if engine == "auto":
        return "shacl-rust" if triples > AUTO_THRESHOLD and _has_shacl_rust() else "pyshacl"
    if engine not in ENGINES:
        raise SourceError(f"unknown validation engine {engine!r} (use {', '.join(ENGINES)} or auto)")
    return engine


def with_citations(report: Report, data_dir: Path | None, sources) -> list[str]:
    """Add to `report` the citation check of `data_dir` (default: the embedded data) against the
    texts of `sources` (`citations`); the files the sources folder does not hold."""
    from .citations import findings

    found, absent = findings(Path(data_dir) if data_dir else resource_dir("data"), sources)
    report.findings = sorted(report.findings + found, key=sort_key)
    return absent


def validate_files(files, shapes_path: Path | None = None, engine: str = "auto") -> tuple[Report, str]:
    """Validate RDF files (the last build when none) with the engine asked for, or by size with
    `auto`; returns the report and the engine that ran."""
    from .graph import graph_file, load_graphs

    paths = [graph_file(f) for f in files] if files else [graph_file(None)]
    store = None
    size = 0
    if engine == "auto":
        if len(paths) == 1 and paths[0].suffix == ".nt":
            with open(paths[0], "rb") as fh:
                size = sum(1 for _ in fh)
        else:
            store = _load_union(paths)
            size = len(store)
    engine = pick_engine(engine, size)
    shapes = load_shapes(shapes_path)
    if engine == "pyshacl":
        return validate_graph(load_graphs(files), shapes), engine
    return validate_fast(paths, shapes, store), engine


def validate_input(files, shapes_path: Path | None = None, engine: str = "auto") -> tuple[Report, str]:
    """What `cvgraph validate` reads: a build folder (the last build when no file is given) through
    the results kept per contract (`validate_build`); RDF files, or a build of an older cvgraph,
    by running the shapes on their whole graph (`validate_files`)."""
    from ._paths import default_build_dir
    from .store import open_build

    files = list(files)
    folder = Path(files[0]) if files else default_build_dir()
    if len(files) <= 1 and folder.is_dir():
        view = open_build(folder)
        if view is not None:
            return validate_build(view, shapes_path, engine)
    return validate_files(files, shapes_path, engine)


def validate_build(view, shapes_path: Path | None = None, engine: str = "auto") -> tuple[Report, str]:
    """The whole build's findings (`view` from `cvgraph.store.open_build`), assembled from each
    contract's (those of `validate_contract`) and the registries' (the shapes on the shared graph
    alone: registry resources are checked against registry data), each kept in the build folder
    under the hash of what it reads. Only those whose graph, shapes or cvgraph's version changed
    are computed again: a few, each on its own graphs over the cores; many (above
    `SCOPED_AT_MOST`), with one run on the whole graph, split. The same findings as the whole
    graph's validation (tested); the engine(s) that computed them."""
    from .fastshacl import StoreGraph
    from .store import catalogue, content_key, each_contract, kept_per_contract

    texts = [f.read_text(encoding="utf-8") for f in shape_files(shapes_path)]
    keys = {c: content_key(view, [c], *texts) for c in catalogue(view).ids}
    keys[None] = content_key(view, [], *texts)   # the registries' findings

    def whole(missing):   # many to compute: the whole graph at once, then split
        every, used = validate_files([view.folder], shapes_path, engine)
        return {c: {"engine": used, "findings": [asdict(f) for f in every.findings if f.contract == (c or "")]}
                for c in missing}

    def each(missing):   # a few: each contract on its graph and the shared graph, the registries on theirs
        return each_contract(_validate_part, view.folder, missing, shapes_path, engine, label="validate: contracts")
    found = kept_per_contract(view, _kept_as, keys, whole, each)
    findings = sorted((Finding(**f) for value in found.values() for f in value["findings"]), key=sort_key)
    used = "+".join(sorted({value["engine"] for value in found.values()}))
    return Report(findings, lambda: validate_files([view.folder], shapes_path, engine)[0].graph,
                  StoreGraph(view)), used


def _kept_as(contract: str | None) -> tuple[str, str]:
    """Where a part's findings are kept in the build folder: `cache/validate/<contract>.json`, and
    the registries' in `cache/validate-shared/shared.json`."""
    return ("validate", contract) if contract else ("validate-shared", "shared")


def _validate_part(folder: Path, contract: str | None, shapes_path: Path | None, engine: str) -> dict:
    """One contract's findings, or the registries' when `contract` is None, computed (the caller
    keeps them in the build folder)."""
    from .graph import load_store
    from .store import open_build

    if contract is not None:
        report, used = validate_contract(load_store(folder, [contract]), contract, shapes_path, engine, kept=False)
        return {"engine": used, "findings": [asdict(f) for f in report.findings]}
    whole, used = _validate_view(open_build(folder).shared(), shapes_path, engine)
    return {"engine": used, "findings": [asdict(f) for f in whole.findings if not f.contract]}


def _validate_view(view, shapes_path: Path | None, engine: str) -> tuple[Report, str]:
    """The shapes run on the triples a store view reads (written to a temporary file for the
    engine); the engine picked by their number."""
    import tempfile

    shapes = load_shapes(shapes_path)
    engine = pick_engine(engine, len(view))
    with tempfile.TemporaryDirectory() as tmp:
        data_file = Path(tmp) / "view.nt"
        view.write_ntriples(data_file)
        if engine == "pyshacl":
            from .graph import load_graph
            return validate_graph(load_graph(data_file), shapes), engine
        return validate_fast([data_file], shapes, view), engine


def validate_contract(view, contract: str, shapes_path: Path | None = None, engine: str = "auto",
                      kept: bool = True) -> tuple[Report, str]:
    """One contract's findings: the shapes run on its graph and the shared graph only (`view` is the
    build scoped to it, `cvgraph.graph.load_store(path, [contract])`), keeping the findings of that
    contract (those of registry resources belong to the whole graph's validation). The result is
    kept in the build folder (`cache/validate/<id>.json`) under the hash of the contract's graph, the
    shared graph, the shapes and cvgraph's version: the next call reads it; a change of any of them
    computes it again (`kept=False`: always computed). The same findings as the whole graph's for
    that contract (tested). Its `graph` is the sh:ValidationReport of the shapes on the contract's
    graph and the shared graph."""
    from .fastshacl import StoreGraph
    from .store import cached, content_key, keep

    key = content_key(view, [contract], *(f.read_text(encoding="utf-8") for f in shape_files(shapes_path))) \
        if kept else None
    hit = cached(view, *_kept_as(contract), key)
    if hit is None:
        whole, engine = _validate_view(view, shapes_path, engine)
        findings = [f for f in whole.findings if f.contract == contract]
        keep(view, *_kept_as(contract), key, {"engine": engine, "findings": [asdict(f) for f in findings]})
        return Report(findings, lambda: whole.graph, whole.context), engine
    findings = [Finding(**f) for f in hit["findings"]]
    return Report(findings, lambda: validate_contract(view, contract, shapes_path, engine, kept=False)[0].graph,
                  StoreGraph(view)), hit["engine"]


def _has_shacl_rust() -> bool:
    import importlib.util
    return importlib.util.find_spec("shacl_rust") is not None


def _load_union(paths: list[Path]):
    """One pyoxigraph store holding every file."""
    import pyoxigraph as ox

    from .graph import load_store

    if len(paths) == 1:
        return load_store(paths[0])
    store = ox.Store()
    for p in paths:
        store.bulk_extend(q for q in load_store(p))
    return store


def validate_fast(paths: list[Path], shapes: Graph, store=None) -> Report:
    """shacl-rust on the files (the SHACL-SPARQL constraints as whole-graph queries on the store),
    the findings' context read from a pyoxigraph store (`store`, when given, is those files already
    loaded)."""
    import tempfile

    import pyoxigraph as ox

    from . import fastshacl

    def load():   # the store, loaded when first needed (after shacl-rust, for a file it reads itself)
        nonlocal store
        if store is None:
            store = _load_union(paths)
        return store
    data_file = paths[0]
    temporary = []
    if len(paths) > 1 or paths[0].suffix != ".nt":
        tmp = tempfile.NamedTemporaryFile(suffix=".nt", delete=False)
        tmp.close()
        ox.serialize((q.triple for q in load()), output=tmp.name, format=ox.RdfFormat.N_TRIPLES)
        data_file = Path(tmp.name)
        temporary.append(data_file)
    try:
        results = fastshacl.run(data_file, shapes, load)
    finally:
        for f in temporary:
            f.unlink(missing_ok=True)
    ctx = Context(fastshacl.StoreGraph(load()), shapes)
    findings = {ctx.finding(r) for r in progress(results, len(results), "validate: findings")}
    return Report(sorted(findings, key=sort_key), lambda: fastshacl.report_graph(results), ctx.data)


def validate_graph(data: Graph, shapes: Graph | None = None) -> Report:
    """Run pySHACL on `data`; the findings, sorted by contract, orientation, shape and focus."""
    from pyshacl import validate as shacl_validate   # here: a command that does not run it does not load it

    shapes = shapes if shapes is not None else load_shapes()
    try:
        _, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                      allow_warnings=True)
    except Exception as err:  # pySHACL reports bad shapes with several exception types
        raise SourceError(f"the shapes cannot be used: {' '.join(str(err).split())[:200]}",
                          file="shapes") from None
    from .fastshacl import Result

    ctx = Context(data, shapes)
    findings = [ctx.finding(Result.read(report, r)) for r in report.subjects(RDF.type, SH.ValidationResult)]
    return Report(sorted(findings, key=sort_key), report, data)


def french_number(value) -> str:
    """A decimal as people write it in French, the same whichever engine read it: "15" for 15.0,
    "332,9" for 332.9."""
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(number.normalize(), "f").replace(".", ",")


def figure_value(value, notation: str, unit_label: str = "") -> str:
    """A figure's value and unit as people write them: "45,7 %", "12 000 €" is "12000 €", "1 250 personnes"
    is "1250 personnes"."""
    shown = {"percent": " %", "euro": " €"}.get(notation, f" {unit_label.lower()}" if unit_label else "")
    return f"{french_number(value)}{shown}"


def sort_key(f: Finding):
    return (f.contract, int(f.orientation) if f.orientation.isdigit() else -1, f.shape,
            SEVERITY_ORDER.get(f.severity, 3), f.subject, f.focus, f.value, f.message)


class Context:
    """Looks up, in the data and shapes graphs, what a report needs to say about a result."""

    def __init__(self, data: Graph, shapes: Graph):
        self.data = data
        self.shapes = shapes
        self._contracts = {}   # node -> its contract
        self._places = {}      # organisation -> {contract: its first place there}
        self._messages = {}    # (constraint, shape) -> the shapes' messages (fr, en)
        self._labels = {}      # node -> its label
        self._shapes = {}      # result's shape -> the named shape reported

    def label(self, node) -> str:
        if isinstance(node, Literal):
            return str(node)
        if node not in self._labels:
            self._labels[node] = french_text(self.data, node) or str(node).rsplit("/", 1)[-1]
        return self._labels[node]

    def figure(self, node) -> str:
        """A figure as people tell it from another of the same label: "Part des 15-24 ans (Quartier
        du Centre (Coutras) : 15,0 %)"."""
        said = []
        territory, value, unit = (self.data.value(node, p) for p in (CV.territory, CV.value, CV.unit))
        if territory is not None:
            said.append(self.label(territory))
        if value is not None:
            notation = str(self.data.value(unit, SKOS.notation) or "") if unit is not None else ""
            said.append(figure_value(value, notation, self.label(unit) if unit is not None else ""))
        return f"{self.label(node)} ({' : '.join(said)})" if said else self.label(node)

    def named_shape(self, shape):
        """The nearest shape with an IRI: a result of a nested blank shape (inside sh:or, a
        qualified value shape…) is reported on the named shape that holds it."""
        if shape not in self._shapes:
            self._shapes[shape] = self._named_shape(shape)
        return self._shapes[shape]

    def _named_shape(self, shape):
        seen = set()
        while isinstance(shape, BNode) and shape not in seen:
            seen.add(shape)
            parents = sorted(self.shapes.subjects(None, shape), key=str)  # list cells climb via rdf:rest
            if not parents:
                break
            shape = parents[0]
        return shape

    def messages(self, result, shape) -> tuple[str, str]:
        key = (result.constraint, shape)
        if key not in self._messages:
            self._messages[key] = self._shape_messages(result.constraint, shape)
        fr, en = self._messages[key]
        if fr is None:  # the shapes say nothing: the engine's message
            by_lang = {}
            for m in result.messages:
                by_lang.setdefault(getattr(m, "language", None) or "", str(m))
            fr = by_lang.get("fr") or by_lang.get("") or next(iter(by_lang.values()), "")
            en = by_lang.get("en") or fr
        return fr, en

    def _shape_messages(self, constraint, shape) -> tuple[str | None, str | None]:
        holders = [constraint, shape,
                   *sorted(self.shapes.objects(shape, SH.sparql), key=str)]  # engines that name no constraint
        by_lang = {}
        for holder in holders:
            if holder is None:
                continue
            for m in self.shapes.objects(holder, SH.message):
                by_lang.setdefault(getattr(m, "language", None) or "", str(m))
            if by_lang:
                break
        if not by_lang:
            return None, None
        fr = by_lang.get("fr") or by_lang.get("") or next(iter(by_lang.values()), "")
        en = by_lang.get("en") or fr
        return fr, en

    def one(self, s, p):
        """The first value of `p` on `s` in IRI order: the same whichever graph holds the data."""
        values = sorted(self.data.objects(s, p), key=str)
        return values[0] if values else None

    def contract_of(self, node):
        if node not in self._contracts:
            self._contracts[node] = self._contract_of(node)
        return self._contracts[node]

    def _contract_of(self, node):
        d = self.data
        if (node, RDF.type, CV.Contract) in d:
            return node
        c = self.one(node, CV.contract)
        if c is None and (o := self.one(node, CV.orientation)) is not None:
            c = self.one(o, CV.contract)
        if c is None:
            holders = sorted(d.subjects(CV.item, node), key=str)
            c = self.one(holders[0], CV.contract) if holders else None
        return c

    def orientation_of(self, node):
        if (node, RDF.type, CV.Orientation) in self.data:
            return node
        return self.one(node, CV.orientation)

    def locator(self, focus, value, contract):
        """The resource whose source the finding points at: the focus, or, for a finding on a
        contract about an organisation, the first place of the contract that names it."""
        if contract is None or focus != contract or not isinstance(value, URIRef):
            return focus
        if value not in self._places:  # every contract's first place of `value`, found once
            d, first = self.data, {}
            for prop in (CV.signatory, CV.funder, CV.participant):
                for x in d.subjects(prop, value):
                    c = self.contract_of(x)
                    if x != c:
                        place = (0 if prop == CV.signatory else 1, int(d.value(x, CV.sourceLine) or 0), str(x), x)
                        first[c] = min(first.get(c, place), place)
            self._places[value] = first
        place = self._places[value].get(contract)
        return place[3] if place else focus

    def section(self, node, orientation) -> str:
        d = self.data
        if orientation is not None:
            return f"fiche orientation {d.value(orientation, CV.number)}"
        if (node, RDF.type, CV.SignatoryCommitment) in d:
            written = d.value(node, CV.sourceSection)
            return f"engagements des signataires, {written}" if written else "engagements des signataires"
        if (node, RDF.type, CV.Contract) in d:
            return "contrat"
        if (node, RDF.type, CV.Organisation) in d:
            return "registre des organisations"
        if (node, RDF.type, CV.Observation) in d:
            return "données du territoire"
        if (node, RDF.type, CV.Indicator) in d:
            return "annexe : indicateurs"
        return ""

    def finding(self, result) -> Finding:
        d = self.data
        severity = str(result.severity).rsplit("#", 1)[-1]
        shape = self.named_shape(result.shape)
        focus, value, path = result.focus, result.value, result.path
        contract = self.contract_of(focus)
        where = self.locator(focus, value, contract)
        orientation = self.orientation_of(where)
        gap = self.shapes.value(shape, CVS.gap)
        subject_prop = self.shapes.value(shape, CVS.gapSubject)
        if isinstance(value, URIRef) and value != focus and (value, RDFS.label, None) in d:
            subject = self.label(value)
        elif subject_prop is not None and d.value(focus, subject_prop) is not None:
            subject = self.label(d.value(focus, subject_prop))
        elif (focus, RDF.type, CV.Orientation) in d or (focus, RDF.type, CV.Contract) in d:
            subject = ""
        else:
            subject = self.label(focus)
        fr, en = self.messages(result, shape)
        if value is not None:
            shown = self.label(value)
            fr, en = fr.replace("{?value}", shown), en.replace("{?value}", shown)
        doc = d.value(where, DCTERMS.source)
        line = d.value(where, CV.sourceLine)
        return Finding(
            severity=severity, shape=str(shape), gap=str(gap or ""), focus=str(focus),
            path=str(path) if isinstance(path, URIRef) else "", value="" if value is None else str(value),
            contract=str(d.value(contract, DCTERMS.identifier) or "") if contract is not None else "",
            orientation=str(d.value(orientation, CV.number) or "") if orientation is not None else "",
            subject=subject, message=fr, message_en=en,
            file=str(d.value(doc, CV.fileName) or "") if doc is not None else "",
            section=self.section(where, orientation), line=int(line) if line is not None else None)
