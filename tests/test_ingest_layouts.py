"""`cvgraph ingest` on layouts it was not written from (issue 16, in progress): the heading
vocabulary, PDF input, funding tables, proposed bodies, and drafts that build.

tests/fixtures/ingest/ holds three contract texts in distinct layouts (a metropolitan contract
whose funding tables a PDF tool flattened, a 2015 contract by piliers, a fiche-action layout), each
with its expected items read by hand by someone who had not read the code, and PDF versions made
by LibreOffice (see its README). The scores are printed by `cvgraph ingest … --compare`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli
from cvgraph.ingest import compare, key_of, section_of, table_row
from cvgraph.sources import checksum
from test_query import one_line_error

LAYOUTS = ROOT / "tests" / "fixtures" / "ingest"
PDFS = ROOT / "tests" / "fixtures" / "pdf"
NAMES = ("metropole-tables", "pilier-2015", "fiche-action")
FOREIGN = re.compile(r"gironde|coutras|cali\b|la-cali|libourn|valenciennes", re.I)


@pytest.mark.parametrize("heading,section,rest", [
    ("Pilote(s) : Ville, CAF", "pilots", "ville, caf"), ("Pilotage", "pilots", ""),
    ("Porteur : la Ville", "pilots", "la ville"), ("Partenaires associés : CAF", "services", "caf"),
    ("Partenaires : DDETS", "services", "ddets"), ("Services associés", "services", ""),
    ("Droit commun :", "funding-dc", ""), ("Financements de droit commun", "funding-dc", ""),
    ("Moyens mobilisés (droit commun)", "funding-dc", ""), ("Crédits spécifiques : BOP 147", "funding-sp", "bop 147"),
    ("CREDITS POLITIQUE DE LA VILLE", "funding-sp", ""), ("Financements mobilisables", "funding-np", ""),
    ("Financeurs : Etat (BOP 147)", "funding-np", "etat (bop 147)"), ("Co Financements", "funding", ""),
    ("Financements", "funding", ""), ("Chiffres clés", "data", ""), ("DONNÉES", "data", ""),
    ("Constat", "constat", ""), ("Enjeux", "enjeux", ""), ("Objectifs opérationnels :", "objectives", ""),
    ("Plan d'actions", "actions", ""), ("ACTIONS À CONDUIRE", "actions", ""), ("Indicateurs de suivi", "indicators", "")])
def test_headings_by_meaning(heading, section, rest):
    assert section_of(key_of(heading)) == (section, rest)


@pytest.mark.parametrize("line", ["Partenaires institutionnels du quartier ont signé", "Actions menées par la ville",
                                  "Porteurs de projet nombreux dans les quartiers"])
def test_words_that_start_sentences_are_no_headings(line):
    assert section_of(key_of(line)) is None


def test_funding_table_rows():
    assert table_row("Région Auvergne-Rhône-Alpes     Plan régional de formation ; FSE+            subvention") == \
        "Région Auvergne-Rhône-Alpes : Plan régional de formation ; FSE+"
    assert table_row("Région | FEDER | investissement") == "Région : FEDER"          # cells from a PDF table
    assert table_row("Financeur                           Dispositif                         Nature") == ""
    assert table_row("Mur|Mur subvention") is None and table_row("- Etat : DSIL") is None


def draft_of(tmp: Path, name: str, source: Path) -> Path:
    out = tmp / f"{name}.yaml"
    result = run_cli("ingest", str(source), "--contract", name, "--out", str(out), "--force")
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("name", NAMES)
def test_each_layout_is_read_and_scored(tmp_path, name, capsys):
    draft = draft_of(tmp_path, name, LAYOUTS / f"{name}.txt")
    scores = compare(draft, LAYOUTS / f"{name}.expected.yaml")
    with capsys.disabled():
        print(f"\n{name}: " + ", ".join(f"{k} P {s['precision']:.2f} R {s['recall']:.2f}" for k, s in scores.items()))
    assert scores["orientations"]["recall"] == scores["orientations"]["precision"] == 1.0
    # what this session reached (issue 16's target is 0.90 everywhere): a floor against regressions
    assert scores["pilots"]["recall"] >= 0.6 and scores["services"]["recall"] >= 0.7
    assert scores["signatories"]["recall"] >= 0.7 and scores["funding lines"]["recall"] >= 0.3


def test_drafts_of_new_layouts_build_with_their_place_and_name_no_foreign_body(tmp_path):
    """The three drafts, with the place their text states (what a person adds), build; an unknown
    name is a body proposed for its contract (à valider), and no name resolves to a body of the
    seed contracts' territory."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with open(data / "documents.yaml", "a", encoding="utf-8") as fh:
        for name in NAMES:
            fh.write(f"  - id: {name}\n    file: {name}.txt\n    sha256: {checksum((LAYOUTS / f'{name}.txt').read_bytes())}\n"
                     f"    title: Texte de test {name}\n    kind: contract-text\n")
    for name in NAMES:
        sheet = yaml.safe_load(draft_of(tmp_path, name, LAYOUTS / f"{name}.txt").read_text(encoding="utf-8"))
        sheet["place"] = yaml.safe_load((LAYOUTS / f"{name}.expected.yaml").read_text(encoding="utf-8"))["place"]
        (data / "contracts" / f"{name}.yaml").write_text(yaml.safe_dump(sheet, allow_unicode=True), encoding="utf-8")
    result = run_cli("build", "--data", str(data), "--out", str(tmp_path / "build"))
    assert result.exit_code == 0, result.output
    from cvgraph.graph import load_store
    store = load_store(tmp_path / "build")
    for name in NAMES:
        rows = run_cli("query", "partner-roles", "-p", f"contract={name}", "--graph", str(tmp_path / "build"),
                       "--format", "csv").stdout
        assert rows.count("\n") > 10
        assert not FOREIGN.search(rows), name
    proposed = list(store.query("PREFIX cv: <https://w3id.org/cvgraph/ontology#> SELECT ?o WHERE { ?o cv:toValidate true }"))
    assert proposed   # the names no registry knows are there, to be confirmed


def test_a_pdf_is_read_and_its_items_cite_their_page(tmp_path):
    out = tmp_path / "quartier-a.yaml"
    result = run_cli("ingest", str(PDFS / "quartier-a.pdf"), "--contract", "quartier-a", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "2 PDF pages read (pdfplumber" in result.stdout
    text = out.with_suffix(".txt").read_text(encoding="utf-8")
    sheet = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert sheet["source_pdf"]["text_sha256"] == checksum(text.encode()) and sheet["source_pdf"]["pages"] == 2
    lines = text.split("\n")
    o1 = next(o for o in sheet["orientations"] if o["number"] == 1)
    assert "Favoriser l" in lines[o1["line"] - 1] and o1["page"] == 1
    pages = {f["page"] for o in sheet["orientations"] for f in o.get("funding", [])}
    assert pages <= {1, 2} and 2 in {o["page"] for o in sheet["orientations"]}   # a fiche on page 2


@pytest.mark.parametrize("name", ["metropole-tables", "fiche-action"])
def test_pdfs_with_two_columns_and_tables_read_as_the_text(tmp_path, name):
    scores_pdf = compare(draft_of(tmp_path, name, LAYOUTS / f"{name}.pdf"), LAYOUTS / f"{name}.expected.yaml")
    assert scores_pdf["orientations"]["recall"] >= 0.85 and scores_pdf["services"]["recall"] >= 0.5


@pytest.mark.parametrize("file,args,message", [
    ("encrypted.pdf", (), "the PDF is encrypted"), ("scan.pdf", (), "no text layer"),
    ("quartier-a.pdf", ("--max-pages", "1"), "2 pages, over the bound of 1 (--max-pages raises it)")])
def test_pdfs_that_cannot_be_read_are_refused_and_nothing_is_written(tmp_path, file, args, message):
    one_line_error(run_cli("ingest", str(PDFS / file), "--contract", "x", "--out", str(tmp_path / "x.yaml"), *args),
                   message)
    assert list(tmp_path.iterdir()) == []


def test_ingest_into_a_data_folder_builds_with_no_hand_edit(tmp_path):
    """`--into DATA`: the draft, the text and the PDF land in the data folder, the document is
    registered with its checksums, and `cvgraph build --data DATA` takes it as it is."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    for name, source in (("grenoble-2024-2030", LAYOUTS / "metropole-tables.txt"),
                         ("chatellerault-2024-2030", LAYOUTS / "fiche-action.pdf"),
                         ("lunel-2015", LAYOUTS / "pilier-2015.pdf")):
        result = run_cli("ingest", str(source), "--contract", name, "--into", str(data))
        assert result.exit_code == 0, result.output
        assert (data / "contracts" / f"{name}.yaml").is_file()
    docs = {d["id"]: d for d in yaml.safe_load((data / "documents.yaml").read_text(encoding="utf-8"))["documents"]}
    assert docs["fiche-action"]["pdf"]["file"] == "fiche-action.pdf" and not docs["fiche-action"]["rights"]["republish"]
    assert checksum((data / "sources" / "fiche-action.txt").read_bytes()) == docs["fiche-action"]["sha256"]
    assert (data / "sources" / "metropole-tables.txt").read_bytes() == (LAYOUTS / "metropole-tables.txt").read_bytes()
    result = run_cli("build", "--data", str(data), "--out", str(tmp_path / "build"))
    assert result.exit_code == 0, result.output
    assert "contracts      7" in result.stdout


def test_ingest_into_refuses_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    source = LAYOUTS / "fiche-action.txt"
    one_line_error(run_cli("ingest", str(source), "--contract", "../x", "--into", str(data)), "ids are lower-case")
    one_line_error(run_cli("ingest", str(source), "--contract", "a b", "--into", str(data)), "ids are lower-case")
    one_line_error(run_cli("ingest", str(source), "--contract", "x", "--into", str(tmp_path)), "not a data folder")
    one_line_error(run_cli("ingest", str(source), "--contract", "coutras-2024-2030", "--into", str(data)),
                   "already used")
    one_line_error(run_cli("ingest", str(PDFS / "scan.pdf"), "--contract", "x", "--into", str(data)), "no text layer")
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before
