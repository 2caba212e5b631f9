"""`cvgraph build`: compile ontology and data into one graph, written as an on-disk store with one
named graph per contract and a shared graph (`cvgraph.store`). The whole graph is dumped as Turtle,
N-Triples or JSON-LD on demand (`cvgraph export`, `cvgraph.export`).

The build is incremental: it keeps each sheet's compiled triples (`cache/sheets/`) with the hash of
what they were compiled from, and the next build compiles again only the sheets whose hash changed,
then replaces only the named graphs they touch, in one transaction; a change of a registry, the
reference, the ontology, the base or cvgraph's code compiles everything again. Either way the store
holds the same quads as a cold build of the same sources.

The build is atomic: it is written into a folder beside the target (the previous store hard-linked
into it, for an incremental build), which replaces the target only once everything is written, so
a failed or killed build leaves the previous one whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from ._paths import default_build_dir, resource_dir
from . import compile as compile_
from .dcat import read_release
from .errors import SourceError, UsageError, parse_failure
from .output import new_folder_beside, swap_folder
from .progress import progress
from .store import (PARTS_DIR, SHARED, STORE_DIR, code_hash, content_hash, cvgraph_version, describe_part, part_of,
                    part_path, read_meta, store_meta, update_store, write_meta, write_store)
from .vocab import CV, DEFAULT_BASE, french_text

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
    compiled: tuple[int, int] | None = None   # (sheets compiled, sheets) of an incremental build

    def lines(self) -> list[str]:
        again = [] if self.compiled is None else \
            [f"  incremental: {self.compiled[0]} of {self.compiled[1]} sheets compiled again, the others kept"]
        return again + [
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
    from .store import to_ox

    def term(x):
        o = cache.get(x)
        if o is None:
            o = to_ox(x)
            if not isinstance(x, Literal):
                cache[x] = o   # IRIs recur (predicates, classes, organisations); literals rarely
        return o
    return [f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples]


def build(data_dir: Path | None = None, out_dir: Path | None = None, *,
          base: str = DEFAULT_BASE, jobs: int | None = None, incremental: bool = True) -> BuildSummary:
    """Compile `data_dir` (default: the embedded data) and write the graph to `out_dir`. Contract
    sheets are compiled one at a time, over `jobs` processes (default: one per core when there are
    more than a few sheets); with `incremental` (the default), only the sheets that changed since
    the previous build of `out_dir` are. The outputs are written into a folder beside `out_dir`
    that replaces it at once, so that a failed or interrupted build leaves the previous one whole."""
    check_base(base)
    data_dir = Path(data_dir) if data_dir else resource_dir("data")
    out_dir = (Path(out_dir) if out_dir else default_build_dir()).resolve()
    with _only_build(out_dir):
        return _build(data_dir, out_dir, base, jobs, incremental)


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


def _build(data_dir: Path, out_dir: Path, base: str, jobs: int | None, incremental: bool) -> BuildSummary:
    comp, sheets = compile_.prepare(data_dir, base)
    registries = comp.g
    for triple in load_ontology():
        registries.add(triple)
    unresolved = sorted(french_label(registries, s) for s in registries.subjects(CV.unresolved, Literal(True)))
    contract_ns = base + "contract/"
    fixed = split_parts(nt_lines(registries, {}), contract_ns)   # what the registries give each part
    keys = {path.name: sheet_key(path) for path in sheets}
    inputs = inputs_key(data_dir, base)
    prev = previous_build(out_dir, base, inputs) if incremental else None
    before = prev["build"]["sheets"] if prev else {}
    todo = [path for path in sheets if before.get(path.name, {}).get("key") != keys[path.name]]
    tmp = new_folder_beside(out_dir)
    try:
        sheet_dir = tmp / SHEET_CACHE
        sheet_dir.mkdir(parents=True)
        done: dict[str, dict] = {}                           # sheet -> what the build records of it
        compiled: dict[str, dict[str, list[str]]] = {}       # sheet compiled now -> its part -> its lines
        for path, cid, parts, links in progress(_compile_sheets(comp, todo, jobs, contract_ns), len(todo),
                                                "build: contract sheets"):
            compiled[path.name] = parts
            done[path.name] = {"key": keys[path.name], "contract": cid, "parts": sorted(parts),
                               "links": [[str(p), str(o)] for p, o in links]}
        for path in sheets:
            if path.name not in done:   # unchanged since the previous build: its compiled triples are kept
                done[path.name] = before[path.name]
                _link_tree(out_dir / SHEET_CACHE / path.stem, sheet_dir / path.stem)
        contracts = [done[path.name]["contract"] for path in sheets]
        links = [(URIRef(p), URIRef(o)) for path in sheets for p, o in done[path.name]["links"]]
        for part, lines in split_parts(nt_lines(compile_.finish(comp, data_dir, contracts, links), {}),
                                       contract_ns).items():
            fixed.setdefault(part, []).extend(lines)
        fixed = {part: sorted(set(lines)) for part, lines in fixed.items()}
        fixed_hashes = {part: content_hash(lines) for part, lines in sorted(fixed.items())}
        # the parts to write: every one in a cold build; else those a changed sheet or registry touches
        if prev is None:
            affected = set(fixed) | {part for info in done.values() for part in info["parts"]}
        else:
            affected = {part for parts in compiled.values() for part in parts}
            affected |= {part for name, info in before.items() if name not in keys or name in compiled
                         for part in info["parts"]}
            affected |= {part for part in set(fixed) | set(prev["build"]["registries"])
                         if fixed_hashes.get(part) != prev["build"]["registries"].get(part)}
        contributors: dict[str, list[Path]] = {}
        for path in sheets:
            for part in done[path.name]["parts"]:
                contributors.setdefault(part, []).append(path)
        new_parts: dict[str, list[str]] = {}
        for part in sorted(affected):
            lines = list(fixed.get(part, ()))
            for path in contributors.get(part, ()):
                lines += compiled[path.name][part] if path.name in compiled else \
                    _read_contribution(sheet_dir / path.stem, part)
            new_parts[part] = sorted(set(lines))
        info = {} if prev is None else dict(prev["parts"])
        for part, lines in new_parts.items():
            if lines:
                info[part] = describe_part(lines)
            else:
                info.pop(part, None)
        (tmp / PARTS_DIR).mkdir()
        for part in info:   # the dumps per named graph: written when changed, else kept
            if part in new_parts:
                with open(part_path(tmp, part), "w", encoding="utf-8") as fh:
                    fh.writelines(new_parts[part])
            else:
                _link(part_path(out_dir, part), part_path(tmp, part))
        for name, parts in compiled.items():   # what each sheet compiled now gives each part
            folder = sheet_dir / Path(name).stem
            folder.mkdir()
            for part, lines in parts.items():
                if part in info and part not in fixed and len(contributors[part]) == 1:
                    _link(part_path(tmp, part), part_path(folder, part, ""))   # the part is the sheet's alone
                else:
                    with open(part_path(folder, part, ""), "w", encoding="utf-8") as fh:
                        fh.writelines(sorted(lines))
        recompiled = len(compiled)
        compiled.clear()   # the lines of the store are now those of new_parts only
        if prev is None:
            write_store(tmp, new_parts, base)
        else:
            changed = {part: lines for part, lines in new_parts.items()
                       if (info[part]["hash"] if part in info else None) != prev["parts"].get(part, {}).get("hash")}
            update_store(out_dir, tmp, base, changed)
        _check_retired(comp.retired, tmp)
        _keep_results(out_dir, tmp, {part[len("contract/"):] for part in info if part != SHARED} | {SHARED})
        meta = store_meta(base, info)
        meta["release"] = read_release(data_dir)   # what `publish` states of this release (data/release.yaml)
        meta["build"] = {"inputs": inputs, "data": str(Path(data_dir).resolve()),
                         "sheets": {name: done[name] for name in sorted(done)},
                         "registries": fixed_hashes}
        totals = dict.fromkeys(COUNTED, 0)
        for part in info.values():
            for cls in COUNTED:
                totals[cls] += part["counts"].get(cls, 0)
        summary = BuildSummary(triples=sum(part["triples"] for part in info.values()),
                               contracts=totals["Contract"], orientations=totals["Orientation"],
                               organisations=totals["Organisation"], instruments=totals["FinancingInstrument"],
                               funding_lines=totals["FundingLine"], unresolved_names=unresolved,
                               out_dir=str(out_dir))
        facts = asdict(summary)
        facts.pop("out_dir")
        facts.pop("compiled")
        facts["base"] = base
        (tmp / SUMMARY_FILE).write_text(json.dumps(facts, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
        write_meta(tmp, meta)   # last: a store without it is a build cut short
        swap_folder(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary.compiled = (recompiled, len(sheets)) if prev is not None else None
    return summary


SHEET_CACHE = "cache/sheets"   # each sheet's compiled triples, per part, for the next build


def split_parts(lines: list[str], contract_ns: str) -> dict[str, list[str]]:
    """N-Triples lines grouped by the part (named graph) of their subject."""
    parts: dict[str, list[str]] = {}
    for line in lines:
        part = part_of(line[1:line.index(">")], contract_ns) if line.startswith("<") else SHARED
        parts.setdefault(part, []).append(line)
    return parts


def sheet_key(path: Path) -> str:
    """The hash of what a sheet's triples are compiled from: its bytes, and those of the contract
    it amends (an amendment reads its contract's sheet)."""
    data = path.read_bytes()
    h = hashlib.sha256(data)
    m = re.search(rb"(?m)^amends:[ \t]*['\"]?([^\s'\"#]+)", data)
    if m:
        target = path.with_name(m.group(1).decode("utf-8", "replace") + ".yaml")
        h.update(b"\0" + (target.read_bytes() if target.is_file() else b""))
    return h.hexdigest()


def inputs_key(data_dir: Path, base: str) -> str:
    """The hash of everything every sheet is compiled with: the registries and reference of
    `data_dir` (every file but the contract sheets), the ontology, the base and cvgraph's code. When
    it changes, the next build compiles every sheet again."""
    h = hashlib.sha256(f"{base}\n{cvgraph_version()}\n{code_hash()}\n".encode())
    sheets = (data_dir / "contracts").resolve()
    roots = [(data_dir, "data", "*"), (resource_dir("ontology"), "ontology", "*")]
    for root, label, pattern in roots:
        for f in sorted(root.rglob(pattern)):
            if not f.is_file() or (f.parent.resolve() == sheets and f.suffix == ".yaml"):
                continue
            h.update(f"\n{label}/{f.relative_to(root).as_posix()}\n".encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def previous_build(out_dir: Path, base: str, inputs: str) -> dict | None:
    """The record of the previous build of `out_dir`, when the next one can start from it: same
    store format, cvgraph, base and inputs, and whole. Anything else: None (a cold build)."""
    meta = read_meta(out_dir)
    if not meta or meta.get("base") != base or not isinstance(meta.get("build"), dict) \
            or meta["build"].get("inputs") != inputs or not isinstance(meta.get("parts"), dict):
        return None
    sheets = meta["build"].get("sheets")
    if not isinstance(sheets, dict) or not (out_dir / SHEET_CACHE).is_dir() \
            or not isinstance(meta["build"].get("registries"), dict):
        return None
    if any(not (out_dir / SHEET_CACHE / Path(name).stem).is_dir() for name in sheets):
        return None
    return meta


def _read_contribution(folder: Path, part: str) -> list[str]:
    with open(part_path(folder, part, ""), encoding="utf-8") as fh:
        return fh.readlines()


# per contract (and the registries' findings, under `shared`), keyed by the hash of what they read
KEPT_RESULTS = ("cache/gaps", "cache/validate", "cache/validate-shared")


def _keep_results(previous: Path, folder: Path, contracts: set[str]) -> None:
    """The results the previous build's commands kept per contract, carried into the new build
    (hard-linked): each names the hash of everything it was computed from, so one whose inputs
    changed is computed again when next asked for; those of removed contracts are left behind."""
    for sub in KEPT_RESULTS:
        src = previous / sub
        if not src.is_dir():
            continue
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for f in src.glob("*.json"):
            if f.stem in contracts:
                _link(f, folder / sub / f.name)


def _link_tree(src: Path, dst: Path) -> None:
    """`dst` holding the files of `src`, hard-linked (copied where links are refused)."""
    dst.mkdir()
    for f in src.iterdir():
        _link(f, dst / f.name)


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _check_retired(moves: dict, folder: Path) -> None:
    """A retired IRI must no longer name a resource, and its chain of successors must end on one
    (read in the new store of `folder`)."""
    if not moves:
        return
    store = ox.Store.read_only(str(folder / STORE_DIR))
    retiring = {ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated"),
                ox.NamedNode("http://purl.org/dc/terms/isReplacedBy")}

    def described(iri: str) -> bool:
        return any(q.predicate not in retiring for q in store.quads_for_pattern(ox.NamedNode(iri), None, None, None))
    for old, (new, node) in moves.items():
        if described(old):
            raise node.error(f"{old} is retired but still names a resource of the graph", "old")
        final = new
        while final in moves:
            final = moves[final][0]
        if not described(final):
            raise node.error(f"the new IRI {final} names no resource of the graph", "new")


COUNTED = {"Contract", "Orientation", "Organisation", "FinancingInstrument", "FundingLine"}
PARALLEL_MIN = 8   # fewer sheets than this are compiled in this process: a pool costs more than it saves

_WORKER: dict = {}   # the compiler, handed to forked workers


def _compile_one(path: Path):
    """In a worker: one sheet's path, id, N-Triples lines per part and links, or its error."""
    try:
        cid, part, links = compile_.compile_sheet(_WORKER["comp"], path)
        return path, cid, split_parts(nt_lines(part, _WORKER["cache"]), _WORKER["contract_ns"]), links
    except SourceError as err:
        return err   # raised again, unchanged, by the parent


def _compile_sheets(comp, sheets: list[Path], jobs: int | None, contract_ns: str):
    """Each sheet's (path, id, lines per part, links), in sheet order; the first error is raised."""
    jobs = jobs or min(os.cpu_count() or 1, 8)
    _WORKER.update(comp=comp, cache={}, contract_ns=contract_ns)
    parallel = jobs >= 2 and len(sheets) >= PARALLEL_MIN and "fork" in mp.get_all_start_methods()
    try:
        with mp.get_context("fork").Pool(jobs) if parallel else contextlib.nullcontext() as pool:
            for r in pool.imap(_compile_one, sheets, chunksize=2) if parallel else map(_compile_one, sheets):
                if isinstance(r, SourceError):
                    raise r
                yield r
    finally:
        _WORKER.clear()
