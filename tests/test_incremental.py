"""Incremental builds (issue 17, point 3): a build compiles again only the sheets whose content
changed since the previous build of its folder, replaces only the named graphs they touch, and
ends with the same quads, the same store.json, summary and dumps as a cold build of the same
sources; a registry change compiles everything; a build killed half-way leaves the previous one."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from cvgraph.build import build
from cvgraph.export import export_all, sorted_lines
from cvgraph.graph import load_store
from cvgraph.store import part_path
from cvgraph.synth import generate

from conftest import ROOT
from test_faults import KILLS, digest, kill_at_points, timed


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def same_build(a, b):
    """Two build folders hold the same graph: the same quads, store.json, summary, dumps per named
    graph, and whole dumps written from them."""
    assert sorted_lines(load_store(a), quads=True) == sorted_lines(load_store(b), quads=True)
    for name in ("store.json", "summary.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    parts_a = {p.name: p.read_bytes() for p in (a / "parts").iterdir()}
    assert parts_a == {p.name: p.read_bytes() for p in (b / "parts").iterdir()}
    dumps_a, dumps_b = export_all(a), export_all(b)
    for fmt in dumps_a:
        assert dumps_a[fmt].read_bytes() == dumps_b[fmt].read_bytes(), fmt


def test_editing_adding_and_removing_sheets_builds_what_a_cold_build_does(tmp_path):
    data = generate(tmp_path / "data", 9, seed=11)
    sheets = sorted((data / "contracts").glob("synth-*.yaml"))
    out, cold = tmp_path / "inc", tmp_path / "cold"
    first = build(data, out)
    assert first.compiled is None and first.contracts == 9              # no previous build: a cold one
    untouched = part_path(out, "contract/synth-0005").stat().st_ino
    edit(sheets[2], "title: Contrat de ville synthétique synth-0003", "title: Contrat de ville de Trifouilly")
    edit(sheets[3], "line: 1\n", "line: 7\n")                         # a source line: every IRI stays, a fact moves
    added = data / "contracts" / "synth-0042.yaml"
    added.write_text(sheets[0].read_text(encoding="utf-8").replace("synth-0001", "synth-0042"), encoding="utf-8")
    sheets[8].unlink()
    again = build(data, out)
    assert again.compiled == (3, 9)                                   # the two edited sheets and the new one
    assert again.contracts == 9
    store = load_store(out)
    assert "synth-0042" in store.catalogue.ids and "synth-0009" not in store.catalogue.ids
    title = ('PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?t WHERE { ?c dcterms:identifier "synth-0003" ; '
             'dcterms:title ?t }')
    assert [r["t"].value for r in store.query(title)] == ["Contrat de ville de Trifouilly"]
    # a graph no changed sheet touches is kept as it was: its dump is the same file, not a copy
    assert part_path(out, "contract/synth-0005").stat().st_ino == untouched
    build(data, cold, incremental=False)
    same_build(out, cold)


def test_a_registry_change_compiles_every_sheet_again(tmp_path):
    data = generate(tmp_path / "data", 3, seed=12)
    out = tmp_path / "inc"
    build(data, out)
    assert build(data, out).compiled == (0, 3)                        # nothing changed: nothing compiled
    registry = data / "instruments.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "\n# a comment is a change\n", encoding="utf-8")
    assert build(data, out).compiled is None                          # everything again
    build(data, tmp_path / "cold", incremental=False)
    same_build(out, tmp_path / "cold")


def test_an_amendment_is_compiled_again_when_its_contract_changes(tmp_path):
    """An amendment adds to its contract's named graph and reads its contract's sheet: editing
    either one gives the graph of a cold build."""
    from cvgraph.cli import main
    from click.testing import CliRunner

    fixtures = ROOT / "tests" / "fixtures"
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    run = CliRunner().invoke
    assert run(main, ["ingest", str(fixtures / "ingest" / "fiche-action.txt"), "--contract", "chatellerault",
                      "--into", str(data)]).exit_code == 0
    assert run(main, ["ingest", str(fixtures / "amendment" / "avenant-1.txt"), "--contract", "chatellerault-avenant-1",
                      "--amends", "chatellerault", "--into", str(data)]).exit_code == 0
    out = tmp_path / "inc"
    build(data, out)
    contract, amendment = data / "contracts" / "chatellerault.yaml", data / "contracts" / "chatellerault-avenant-1.yaml"
    edit(contract, "title: ", "title: (révisé) ")
    assert build(data, out).compiled == (2, 6)      # the contract, and its amendment, which reads it
    build(data, tmp_path / "cold1", incremental=False)
    same_build(out, tmp_path / "cold1")
    edit(amendment, "title: ", "title: (révisé) ")
    assert build(data, out).compiled == (1, 6)      # the amendment alone; its contract's graph is made again
    build(data, tmp_path / "cold2", incremental=False)
    same_build(out, tmp_path / "cold2")


def test_an_incremental_build_killed_at_any_point_leaves_the_old_build_or_the_new(tmp_path):
    data = generate(tmp_path / "data", 12, seed=13)
    out = tmp_path / "out" / "graph"
    sheet = data / "contracts" / "synth-0004.yaml"
    before, after = sheet.read_text(encoding="utf-8"), None
    command = [sys.executable, "-m", "cvgraph.cli", "build", "--data", str(data), "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    old = digest(out)
    edit(sheet, "title: Contrat de ville synthétique synth-0004", "title: Contrat de ville de Trifouilly")
    after = sheet.read_text(encoding="utf-8")
    full = timed(command)
    new = digest(out)
    assert old != new

    def back_to_old():
        sheet.write_text(before, encoding="utf-8")
        subprocess.run(command, check=True, capture_output=True)
        assert digest(out) == old                 # incremental, back: byte for byte the first build
        sheet.write_text(after, encoding="utf-8")
    back_to_old()

    def check(i):
        state = digest(out)
        assert state in (old, new), f"kill {i}: the build folder is neither the old build nor the new"
        if state == new:
            back_to_old()
    assert kill_at_points(command, full, check) >= KILLS // 2
    subprocess.run(command, check=True, capture_output=True)
    assert digest(out) == new
    assert [p.name for p in out.parent.iterdir() if p.name != "graph"] == []


def test_gap_results_are_kept_per_contract_across_builds_and_only_changed_contracts_computed_again(tmp_path):
    """The whole gap report keeps each contract's gaps in the build folder; the next build carries
    them over, and the next report computes again only the contracts whose graph changed (two
    here, over the cores), with the rows the whole graph gives."""
    from cvgraph.gaps import find_gaps
    from cvgraph.store import SCOPED_AT_MOST

    data = generate(tmp_path / "data", SCOPED_AT_MOST + 2, seed=14)
    out = tmp_path / "build"
    build(data, out)
    kept = out / "cache" / "gaps"

    def reference():   # the whole graph's gaps, from a dump: nothing kept, nothing read from a cache
        return find_gaps(export_all(out)["nt"])
    first = find_gaps(out)
    assert first == reference() and len({g.contract for g in first}) == SCOPED_AT_MOST + 2
    assert len(list(kept.glob("*.json"))) == SCOPED_AT_MOST + 2
    before = {f.name: f.stat().st_ino for f in kept.glob("*.json")}
    for n in (3, 7):   # orientation 1 loses its pilots: one more gap
        sheet = data / "contracts" / f"synth-000{n}.yaml"
        text = sheet.read_text(encoding="utf-8")
        sheet.write_text(re.sub(r"  pilots:\n(  - line: \d+\n    name: \S+\n)+", "", text, count=1), encoding="utf-8")
    assert build(data, out).compiled == (2, SCOPED_AT_MOST + 2)
    assert {f.name: f.stat().st_ino for f in kept.glob("*.json")} == before   # carried over, not copied
    again = find_gaps(out)
    assert again == reference()
    assert {(g.contract, g.orientation) for g in again if g.gap == "orientation-without-pilot"} - \
        {(g.contract, g.orientation) for g in first if g.gap == "orientation-without-pilot"} == \
        {("synth-0003", "1"), ("synth-0007", "1")}
    changed = {name for name, ino in before.items() if (kept / name).stat().st_ino != ino}
    assert changed == {"synth-0003.json", "synth-0007.json"}


def test_validation_findings_are_kept_per_contract_across_builds_and_only_changed_contracts_computed_again(tmp_path):
    """Issue 17, point 3: the whole validation keeps each contract's findings and the registries'
    in the build folder (computed with one run on the whole graph when more than SCOPED_AT_MOST are
    missing); the next build carries them over, and the next validation computes again only the
    two contracts whose graph changed (over the cores), with the findings of the whole graph."""
    from cvgraph.store import SCOPED_AT_MOST
    from cvgraph.validate import validate_files, validate_input

    data = generate(tmp_path / "data", SCOPED_AT_MOST + 2, seed=15)
    out = tmp_path / "build"
    build(data, out)
    kept = out / "cache" / "validate"

    def reference():   # the shapes on the whole graph, from a dump: nothing kept
        return validate_files([export_all(out)["nt"]], engine="shacl-rust")[0].findings
    first = validate_input([out], engine="shacl-rust")[0].findings
    assert first == reference() and len({f.contract for f in first if f.contract}) == SCOPED_AT_MOST + 2
    assert len(list(kept.glob("*.json"))) == SCOPED_AT_MOST + 2
    assert (out / "cache" / "validate-shared" / "shared.json").is_file()
    before = {f.name: f.stat().st_ino for f in [*kept.glob("*.json"), out / "cache" / "validate-shared" / "shared.json"]}
    for n in (3, 7):   # orientation 1 loses its objectives: one more finding
        sheet = data / "contracts" / f"synth-000{n}.yaml"
        text = sheet.read_text(encoding="utf-8")
        sheet.write_text(re.sub(r"  objectives:\n(  - line: \d+\n    text: .*\n(      .*\n)*)+", "", text, count=1),
                         encoding="utf-8")
    assert build(data, out).compiled == (2, SCOPED_AT_MOST + 2)
    files = [*kept.glob("*.json"), out / "cache" / "validate-shared" / "shared.json"]
    assert {f.name: f.stat().st_ino for f in files} == before   # carried over, not copied
    again = validate_input([out], engine="shacl-rust")[0].findings
    assert again == reference()
    assert {(f.contract, f.orientation, f.shape) for f in set(again) ^ set(first)} == \
        {(c, "1", "https://w3id.org/cvgraph/shapes#Orientation-objective") for c in ("synth-0003", "synth-0007")}
    changed = {f.name for f in files if f.stat().st_ino != before[f.name]}
    assert changed == {"synth-0003.json", "synth-0007.json"}
