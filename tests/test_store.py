"""The build's on-disk store (issue 17): one named graph per contract and a shared graph, opened
read-only by every command; a command given contracts reads only their graphs and the shared graph,
and gives the same rows as the whole graph."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, run_cli
from cvgraph.export import export_all
from cvgraph.graph import load_store
from cvgraph.query import named_queries, run_embedded
from cvgraph.store import STORE_META, GraphStore, graph_name, open_build
from test_query import one_line_error

BASE = "https://w3id.org/cvgraph/id/"


def scoped_queries():
    """The named queries with a contract parameter, and the other parameters they need."""
    return [q for q in named_queries().values() if any(p.kind == "contract" for p in q.params)]


def params_for(q, contracts: list[str]) -> dict[str, str]:
    values = {}
    names = iter(contracts * 2)
    for p in q.params:
        if p.kind == "contract":
            values[p.name] = next(names)
        elif p.name == "orientation":
            values[p.name] = "1"
        elif p.name == "funder":
            values[p.name] = "etat"
    return values


def same_rows_scoped_and_whole(folder: Path, contracts: list[str]) -> int:
    """Every contract-scoped output, read from the store's graphs of that contract (and the shared
    graph) and from the whole graph loaded from the dump: the same rows. Returns the rows compared."""
    from cvgraph import matrix as mx
    from cvgraph import network as nw
    from cvgraph.gaps import find_gaps

    scoped_store = open_build(folder)                # the on-disk store, read-only
    dump = export_all(folder)["nt"]                  # the dump, as `cvgraph export` writes it
    whole = load_store(dump)                         # in memory, one default graph
    assert scoped_store.named and not whole.named
    in_memory = load_store(folder)                   # the whole build, as commands given no contract read it
    assert not in_memory.named and {q.triple for q in in_memory} == {q.triple for q in whole}
    compared = 0
    for cid in contracts:
        for q in scoped_queries():
            values = params_for(q, [cid] + [c for c in contracts if c != cid])
            a, b = run_embedded(scoped_store, q, values), run_embedded(whole, q, values)
            assert (a.variables, a.rows) == (b.variables, b.rows), (q.name, cid)
            compared += len(a.rows)
        for level in ("organisation", "unit"):
            m_scoped = mx.to_csv(mx.matrices(load_store(folder, [cid]), cid, level)[0])
            m_whole = mx.to_csv(mx.matrices(whole, cid, level)[0])
            assert m_scoped == m_whole, (cid, level)
            compared += m_scoped.count("\n")
        g_scoped = find_gaps(folder, cid, store=load_store(folder, [cid]))
        g_whole = find_gaps(dump, cid, store=whole)
        assert g_scoped == g_whole, cid
        compared += len(g_scoped)
        n_scoped, n_whole = nw.co_engagement(load_store(folder, [cid]), cid), nw.co_engagement(whole, cid)
        assert sorted(n_scoped.edges(data=True)) == sorted(n_whole.edges(data=True)), cid
    return compared


def test_the_build_writes_a_store_of_named_graphs(built):
    meta = json.loads((built / STORE_META).read_text(encoding="utf-8"))
    assert meta["contracts"] == ["contrat-003-2015", "coutras-2015-2023", "coutras-2024-2030", "valenciennes-2015-2022"]
    store = open_build(built)
    names = {g.value for g in store.named_graphs()}
    assert names == {graph_name(BASE, "shared")} | {graph_name(BASE, f"contract/{c}") for c in meta["contracts"]}
    # every triple in one graph: the store holds the dump's triples, no more, no fewer
    dump = ox.Store()
    dump.bulk_load(path=str(built / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    assert len(store.store) == len(dump)
    assert {q.triple for q in store} == {q.triple for q in dump}
    # a contract's graph holds the contract and what lies under its IRI, nothing of another contract
    c24 = ox.NamedNode(graph_name(BASE, "contract/coutras-2024-2030"))
    subjects = {q.subject.value for q in store.store.quads_for_pattern(None, None, None, c24)}
    assert BASE + "contract/coutras-2024-2030" in subjects
    assert all(s.startswith(BASE + "contract/coutras-2024-2030") for s in subjects)
    shared = ox.NamedNode(graph_name(BASE, "shared"))
    assert not any(q.subject.value.startswith(BASE + "contract/")
                   for q in store.store.quads_for_pattern(None, None, None, shared))


def test_scoped_commands_give_the_rows_of_the_whole_graph_on_the_seeds(built):
    assert same_rows_scoped_and_whole(built, ["coutras-2024-2030", "coutras-2015-2023", "valenciennes-2015-2022",
                                              "contrat-003-2015"]) > 500


def test_scoped_commands_give_the_rows_of_the_whole_graph_on_a_generated_sample(tmp_path):
    from cvgraph.build import build
    from cvgraph.synth import generate

    out = tmp_path / "build"
    build(generate(tmp_path / "data", 3, seed=4), out)
    assert same_rows_scoped_and_whole(out, ["synth-0001", "synth-0002", "synth-0003"]) > 100


def test_a_scoped_view_reads_only_its_contract(built):
    view = load_store(built, ["coutras-2015-2023"])
    ids = {r[0].value for r in view.query("SELECT ?id WHERE { ?c a <https://w3id.org/cvgraph/ontology#Contract> ; "
                                          "<http://purl.org/dc/terms/identifier> ?id }")}
    assert ids == {"coutras-2015-2023"}
    assert 0 < len(view) < len(load_store(built))


def test_commands_open_the_store_read_only_and_leave_it_as_it_was(built, tmp_path):
    folder = tmp_path / "b"
    shutil.copytree(built, folder)
    before = {p.relative_to(folder): p.read_bytes() for p in (folder / "store").rglob("*") if p.is_file()}
    for args in (("matrix", "--contract", "coutras-2024-2030", "--format", "csv"),
                 ("gaps", "--contract", "coutras-2024-2030", "--format", "csv"),
                 ("query", "who-funds-what", "--format", "csv")):
        assert run_cli(*args, "--graph", str(folder)).exit_code == 0, args
    after = {p.relative_to(folder): p.read_bytes() for p in (folder / "store").rglob("*") if p.is_file()
             if p.relative_to(folder) in before}
    assert after == before


def test_an_unknown_contract_is_one_error_with_a_hint(built):
    one_line_error(run_cli("matrix", "--graph", str(built), "--contract", "coutras-2024-2031"),
                   "unknown contract 'coutras-2024-2031' (did you mean 'coutras-2024-2030'?)")


@pytest.mark.parametrize("damage,message", [
    (lambda f: (f / STORE_META).unlink(), "the store has no readable store.json"),
    (lambda f: (f / STORE_META).write_text('{"format": 0, "cvgraph": "0.0", "base": "x", "contracts": []}'),
     "the store was written by another cvgraph"),
    (lambda f: (f / STORE_META).write_text(json.dumps({k: v for k, v in json.loads((f / STORE_META).read_text()).items()
                                                       if k != "hashes"})),
     "store.json does not record the store's contracts and hashes"),
])
def test_a_half_written_or_foreign_store_is_refused(built, tmp_path, damage, message):
    folder = tmp_path / "b"
    shutil.copytree(built, folder)
    damage(folder)
    one_line_error(run_cli("query", "who-funds-what", "--graph", str(folder)), message)


def test_a_file_still_works_with_graph(built, tmp_path):
    result = run_cli("matrix", "--graph", str(built / "graph.ttl"), "--contract", "coutras-2024-2030", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.count("\n") > 20
    assert isinstance(load_store(built / "graph.nt"), GraphStore)
    # an N-Quads file keeps its graphs: a contract read from it alone gives the same matrix
    nq = tmp_path / "graph.nq"
    open_build(built).store.dump(output=str(nq), format=ox.RdfFormat.N_QUADS)
    from_nq = run_cli("matrix", "--graph", str(nq), "--contract", "coutras-2024-2030", "--format", "csv")
    assert from_nq.exit_code == 0 and from_nq.stdout == result.stdout


def test_two_builds_of_one_folder_at_once_the_second_is_refused(tmp_path):
    """While a build writes a folder, a second build of it stops with one line; the first ends whole."""
    import fcntl

    out = tmp_path / "graph"
    lock = tmp_path / ".graph.lock"
    with open(lock, "w") as held:   # what a running build holds
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        one_line_error(run_cli("build", "--out", str(out)), "another `cvgraph build` is writing this folder")
        assert not out.exists()
    assert run_cli("build", "--out", str(out)).exit_code == 0 and (out / "store.json").is_file()
    assert not lock.exists()


def test_gap_results_are_kept_per_contract_and_a_changed_shape_or_query_recomputes_them(built, tmp_path, monkeypatch):
    """Issue 17, point 3: one contract's gaps are kept in the build folder, keyed by the hash of its
    graph, the shared graph, the shapes, the gap queries and cvgraph's version."""
    import cvgraph.gaps as gaps_module
    import cvgraph.validate as validate_module
    from cvgraph.gaps import find_gaps

    folder = tmp_path / "b"
    shutil.copytree(built, folder)
    c = "coutras-2024-2030"
    first = find_gaps(folder, c)
    kept = folder / "cache" / "gaps" / f"{c}.json"
    entry = json.loads(kept.read_text(encoding="utf-8"))
    assert [tuple(g.values()) for g in entry["value"]] == [tuple(vars(g).values()) for g in first]
    # the kept result is what the next command reads: a marked copy shows it
    entry["value"] = entry["value"][:1]
    kept.write_text(json.dumps(entry), encoding="utf-8")
    assert find_gaps(folder, c) == first[:1]
    # a shape changed (one more shapes file): computed again
    extra = tmp_path / "extra.ttl"
    extra.write_text("# a comment is enough to change the shapes' bytes\n", encoding="utf-8")
    files = validate_module.shape_files
    monkeypatch.setattr(validate_module, "shape_files", lambda path: [*files(path), extra])
    assert find_gaps(folder, c) == first
    monkeypatch.setattr(validate_module, "shape_files", files)
    entry["value"] = entry["value"][:1]
    kept.write_text(json.dumps(entry), encoding="utf-8")
    assert find_gaps(folder, c) == first[:1]   # the original inputs: the original key again
    # a gap query changed: computed again
    cats = gaps_module.categories

    def changed(shapes=None):
        out = dict(cats(shapes))
        q = out["unresolved-name"]
        out["unresolved-name"] = type(q)(q.id, q.title, q.description, q.query + "\n# changed")
        return out
    monkeypatch.setattr(gaps_module, "categories", changed)
    assert find_gaps(folder, c) == first


def test_validate_one_contract_gives_its_findings_of_the_whole_graph_and_keeps_them(built, tmp_path, monkeypatch):
    """Issue 17, points 2 and 3: `validate --contract` runs the shapes on the contract's graph and
    the shared graph only, with the findings the whole graph's validation gives for that contract;
    they are kept in the build folder, and a changed shape computes them again."""
    import cvgraph.validate as validate_module
    from cvgraph.validate import validate_contract, validate_files

    folder = tmp_path / "b"
    shutil.copytree(built, folder)
    whole, _ = validate_files([folder], engine="shacl-rust")
    ids = load_store(folder).catalogue.ids
    assert len(ids) == 4
    for c in ids:
        report, engine = validate_contract(load_store(folder, [c]), c, engine="shacl-rust")
        assert engine == "shacl-rust"
        assert report.findings == [f for f in whole.findings if f.contract == c], c
    c = "coutras-2024-2030"
    reference, _ = validate_contract(load_store(folder, [c]), c, engine="pyshacl", kept=False)
    assert reference.findings == [f for f in whole.findings if f.contract == c] and len(reference.findings) > 100
    kept = folder / "cache" / "validate" / f"{c}.json"
    entry = json.loads(kept.read_text(encoding="utf-8"))
    entry["value"]["findings"] = entry["value"]["findings"][:1]   # a marked copy: the next call reads it
    kept.write_text(json.dumps(entry), encoding="utf-8")
    result = run_cli("validate", "--graph", str(folder), "--contract", c, "--format", "csv")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2
    extra = tmp_path / "extra.ttl"
    extra.write_text("# a comment is enough to change the shapes' bytes\n", encoding="utf-8")
    files = validate_module.shape_files
    monkeypatch.setattr(validate_module, "shape_files", lambda path: [*files(path), extra])
    again, _ = validate_contract(load_store(folder, [c]), c, engine="shacl-rust")
    assert again.findings == reference.findings
    one_line_error(run_cli("validate", "--graph", str(folder), "--contract", "coutras-2024-2031"),
                   "unknown contract 'coutras-2024-2031' (did you mean 'coutras-2024-2030'?)")


def test_the_whole_validation_is_assembled_from_each_contract_and_the_registries(built, tmp_path):
    """Issue 17, point 3: `cvgraph validate` on a build gives the findings of the shapes run on the
    whole graph, assembled from each contract's (on its graph and the shared graph) and the
    registries' (the shapes on the shared graph alone), each kept in the build folder; the next
    call reads them (a marked copy shows it)."""
    from cvgraph.validate import validate_files, validate_input

    folder = tmp_path / "b"
    shutil.copytree(built, folder)
    whole, _ = validate_files([folder], engine="shacl-rust")
    registries = [f for f in whole.findings if not f.contract]
    assert len(registries) >= 10 and {f.gap for f in registries} == {"unresolved-name"}
    report, used = validate_input([folder], engine="shacl-rust")
    assert used == "shacl-rust" and report.findings == whole.findings
    kept = folder / "cache" / "validate-shared" / "shared.json"
    assert sorted(p.name for p in (folder / "cache" / "validate").iterdir()) == \
        sorted(f"{c}.json" for c in open_build(folder).catalogue.ids)
    entry = json.loads(kept.read_text(encoding="utf-8"))
    entry["value"]["findings"] = entry["value"]["findings"][:1]
    kept.write_text(json.dumps(entry), encoding="utf-8")
    result = run_cli("validate", "--graph", str(folder), "--format", "json", "--engine", "shacl-rust")
    assert result.exit_code == 0, result.output
    assert sum(1 for f in json.loads(result.stdout)["findings"] if not f["contract"]) == 1
    # the default engine, on pySHACL for these small graphs, gives the same findings
    kept.unlink()
    shutil.rmtree(folder / "cache" / "validate")
    assert validate_input([folder])[0].findings == whole.findings


def test_export_writes_the_whole_graph_or_some_contracts_in_each_format(built, tmp_path):
    """Issue 17, point 1: the build writes no whole-graph dump; `cvgraph export` writes one per
    format from the dumps per named graph, the same triples as the store, and with --contract
    only those contracts' graphs and the shared graph."""
    folder = tmp_path / "b"
    shutil.copytree(built, folder)
    for f in folder.glob("graph.*"):
        f.unlink()
    result = run_cli("export", "--graph", str(folder))
    assert result.exit_code == 0, result.output
    store = open_build(folder)
    every = {q.triple for q in store}
    for name, fmt in (("graph.nt", ox.RdfFormat.N_TRIPLES), ("graph.ttl", ox.RdfFormat.TURTLE),
                      ("graph.jsonld", ox.RdfFormat.JSON_LD)):
        assert f"written {folder / name}" in result.stdout
        loaded = ox.Store()   # a store, which writes each literal in its canonical form as the build's does
        loaded.load(path=str(folder / name), format=fmt)
        assert {q.triple for q in loaded} == every, name
    assert "\\/" not in (folder / "graph.ttl").read_text(encoding="utf-8")   # no escaped slash in a prefixed name
    nq = tmp_path / "c.nq"
    result = run_cli("export", "--graph", str(folder), "--format", "nq", "--out", str(nq), "--contract", "coutras-2024-2030")
    assert result.exit_code == 0, result.output
    loaded = ox.Store()
    loaded.load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    quads = list(loaded)
    assert {q.graph_name.value for q in quads} == {graph_name(BASE, "shared"), graph_name(BASE, "contract/coutras-2024-2030")}
    assert {q.triple for q in quads} == {q.triple for q in store.scope(["coutras-2024-2030"])}
    one_line_error(run_cli("export", "--graph", str(folder), "--contract", "coutras"), "unknown contract 'coutras'")


def test_reading_a_build_loads_neither_the_compiler_nor_pyshacl(built):
    """Issue 17, point 5: the store layer opens a build without the compiler; a command loads what
    it runs (a contract's matrix: no compiler, no pySHACL, no networkx)."""
    import subprocess
    import sys

    code = ("import sys; from cvgraph.cli import main; from cvgraph.graph import load_store; "
            f"v = load_store({str(built)!r}, ['coutras-2024-2030']); import cvgraph.matrix as m; "
            "m.build_matrix(v, 'coutras-2024-2030'); "
            "print(sorted(x for x in ('cvgraph.compile', 'cvgraph.build', 'pyshacl', 'networkx') if x in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
