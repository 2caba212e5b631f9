"""Source texts as inputs: checksums and the sources folder, rights and redactions, provenance that
links to its line (publish, serve, reports), the citation check, and the data the audit mended.

Tests that need a seed text find it through CVGRAPH_SOURCES (`seed_text`) and skip without it;
the others use a text written for the tests (tests/fixtures/texts/quartier-a.txt), registered in a
copy of data/ as a document of its own."""

from __future__ import annotations

import os
import shutil
import urllib.request

import pytest
import yaml

from conftest import ROOT, run_cli, seed_text
from cvgraph.errors import SourceError
from cvgraph.sources import REDACTED, DocumentInfo, Redaction, Sources, checksum
from test_ingest import place_in_coutras
from test_query import one_line_error

TEXTS = ROOT / "tests" / "fixtures" / "texts"
BASE = "https://data.example.org/cv/"


# --- 1. checksums and the sources folder -----------------------------------------------------------

def test_checksum_ignores_line_ends_and_encoding_but_not_a_changed_word(tmp_path):
    text = "Contrat de ville\nOrientation n°1 : Améliorer l’habitat\n"
    unix = checksum(text.encode("utf-8"))
    assert checksum(text.replace("\n", "\r\n").encode("utf-8")) == unix
    assert checksum(b"\xef\xbb\xbf" + text.encode("utf-8")) == unix            # a BOM
    assert checksum(text.replace("’", "'").encode("cp1252")) == checksum(text.replace("’", "'").encode("utf-8"))
    assert checksum(text.replace("habitat", "habitats").encode("utf-8")) != unix


def test_a_text_with_another_checksum_is_refused(tmp_path):
    (tmp_path / "t.txt").write_text("ligne 1\nligne 2\n", encoding="utf-8")
    info = DocumentInfo("t", "t.txt", checksum("ligne 1\nligne 2\n".encode()))
    assert Sources(tmp_path).find(info).lines == ["ligne 1", "ligne 2"]
    (tmp_path / "t.txt").write_text("ligne 1\r\nligne 2\r\n", encoding="utf-8")   # Windows line ends: same text
    assert Sources(tmp_path).find(info).lines == ["ligne 1", "ligne 2"]
    (tmp_path / "t.txt").write_text("ligne 0\nligne 1\nligne 2\n", encoding="utf-8")
    with pytest.raises(SourceError, match="line numbers would lie"):
        Sources(tmp_path).find(info)
    assert Sources(tmp_path).find(DocumentInfo("u", "absent.txt", "0" * 64)) is None


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/passwd", "sub/../../secret.txt", "link.txt"])
def test_a_file_name_that_leaves_the_sources_folder_is_refused(tmp_path, name):
    folder = tmp_path / "sources"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("secret\n")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(SourceError, match="leaves the sources folder"):
        Sources(folder).find(DocumentInfo("x", name, checksum(b"secret\n")))


def test_ingest_refuses_a_text_that_is_not_the_registered_one(tmp_path):
    """A file named as a registered document but with another text: its lines would not be the
    document's, so nothing is written."""
    fake = tmp_path / "002_ac9efd2afd3fa111.txt"
    shutil.copy(TEXTS / "quartier-a.txt", fake)
    one_line_error(run_cli("ingest", str(fake), "--contract", "x", "--out", str(tmp_path / "x.yaml")),
                   "not the text of document 'seed-002'", "nothing written")
    assert not (tmp_path / "x.yaml").exists()


def test_documents_registry_checks_file_names_and_checksums(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    docs = data / "documents.yaml"
    original = docs.read_text(encoding="utf-8")
    for old, new, message in (("file: 000_ffb7f24d8a87707a.txt", "file: ../000_ffb7f24d8a87707a.txt", "no '..'"),
                              ("sha256: 5688d6c945", "sha256: 5688", "SHA-256"),
                              ("    republish: false\n", "    republish: no way\n", "true or false")):
        docs.write_text(original.replace(old, new, 1), encoding="utf-8")
        one_line_error(run_cli("build", "--data", str(data), "--out", str(tmp_path / "out")), str(docs), message)
    assert not (tmp_path / "out").exists()


def test_every_document_records_its_checksum_and_rights():
    docs = yaml.safe_load((ROOT / "data" / "documents.yaml").read_text(encoding="utf-8"))["documents"]
    assert {d["id"] for d in docs} == {"seed-000", "seed-001", "seed-002", "seed-003", "seed-004",
                                       "decoupage-administratif-6-0-0"}
    for d in docs:
        assert len(d["sha256"]) == 64 and isinstance(d["rights"]["republish"], bool) and d["rights"]["statement"]
    assert [d["id"] for d in docs if d["rights"]["republish"]] == ["seed-002"]


def test_seed_texts_match_their_checksums():
    """Each registered text, where the sources setting gives them, is the one the data was read from."""
    for doc in ("seed-000", "seed-001", "seed-002", "seed-003", "seed-004"):
        assert seed_text(doc).is_file()


def test_nothing_in_the_project_reads_the_shared_folder():
    """The seed texts are found through the sources setting only (.ci/run sets it)."""
    import re

    path_to_seeds = re.compile(r"""["']shared["']\s*/\s*["']seeds|["'][^"'\n]*shared/seeds""")
    offenders = [str(path.relative_to(ROOT)) for path in
                 [*ROOT.glob("src/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/*.py")]
                 if path.name != "test_sources.py" and path_to_seeds.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
    assert "CVGRAPH_SOURCES" in (ROOT / ".ci" / "run").read_text()


# --- a small data folder with a text of its own ---------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """data/ plus the test text quartier-a.txt as document `texte-a` (republishable, with one
    redaction), its draft sheet from `cvgraph ingest`, built; and a sources folder holding only
    that text."""
    tmp = tmp_path_factory.mktemp("small")
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    sources = tmp / "sources"
    sources.mkdir()
    shutil.copy(TEXTS / "quartier-a.txt", sources / "texte-a.txt")
    with open(data / "documents.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"""  - id: texte-a
    file: texte-a.txt
    sha256: {checksum((TEXTS / "quartier-a.txt").read_bytes())}
    title: "Texte de test A"
    kind: contract-text
    rights: {{republish: true, statement: "Texte écrit pour les tests de cvgraph, librement réutilisable."}}
    redactions:
      - {{line: 31, after: "Mission Locale, ", reason: "test"}}
""")
    result = run_cli("ingest", str(sources / "texte-a.txt"), "--contract", "quartier-a", "--document", "texte-a",
                     "--data", str(data), "--out", str(data / "contracts" / "quartier-a.yaml"))
    assert result.exit_code == 0, result.output
    place_in_coutras(data / "contracts" / "quartier-a.yaml")
    result = run_cli("build", "--data", str(data), "--out", str(tmp / "build"))
    assert result.exit_code == 0, result.output
    return tmp


def test_quartier_a_line_31_is_what_the_redaction_expects():
    assert (TEXTS / "quartier-a.txt").read_text(encoding="utf-8").split("\n")[30] == "Mission Locale, Pôle emploi"


# --- 2. rights and redactions; 3. provenance you can click ------------------------------------------

@pytest.fixture(scope="module")
def small_site(small):
    site = small / "site"
    result = run_cli("publish", "--graph", str(small / "build"), "--out", str(site), "--base-uri", BASE,
                     "--sources", str(small / "sources"))
    assert result.exit_code == 0, result.output
    return site


def test_a_text_is_published_with_its_redactions_under_its_own_rights(small_site):
    page = (small_site / "document/texte-a/text.html").read_text(encoding="utf-8")
    assert '<tr id="L31">' in page and f"Mission Locale, {REDACTED}" in page
    assert "Pôle emploi" not in page.split('<tr id="L31">')[1].split("</tr>")[0]
    assert "Droits : Texte écrit pour les tests de cvgraph, librement réutilisable." in page
    assert "Texte : Texte écrit pour les tests" in page and "Licence Ouverte" not in page   # its own rights
    lines = (small_site / "document/texte-a/text.txt").read_text(encoding="utf-8").split("\n")
    assert lines[30] == f"Mission Locale, {REDACTED}" and lines[0] == (TEXTS / "quartier-a.txt").read_text(
        encoding="utf-8").split("\n")[0]


def test_a_text_whose_rights_forbid_it_or_that_is_absent_is_not_published(small_site):
    assert not (small_site / "document/seed-000").exists()      # its rights: not republished
    assert not (small_site / "document/seed-002/text.html").exists()   # not in this sources folder
    seed0 = (small_site / "document/seed-000.html").read_text(encoding="utf-8")
    assert "Texte non publié : ses droits n’en permettent pas la republication" in seed0
    seed2 = (small_site / "document/seed-002.html").read_text(encoding="utf-8")
    assert "n’est pas dans le dossier des sources" in seed2
    orientation = (small_site / "contract/coutras-2024-2030/orientation/5.html").read_text(encoding="utf-8")
    assert "#L" not in orientation and "Texte source non consultable ici" in orientation


def test_provenance_links_to_the_line_of_the_text(small_site, small):
    sheet = yaml.safe_load((small / "data/contracts/quartier-a.yaml").read_text(encoding="utf-8"))
    line = next(o for o in sheet["orientations"] if o["number"] == 1)["line"]
    page = (small_site / "contract/quartier-a/orientation/1.html").read_text(encoding="utf-8")
    assert f'href="../../../document/texte-a/text.html#L{line}"' in page
    text = (small_site / "document/texte-a/text.html").read_text(encoding="utf-8")
    row = text.split(f'<tr id="L{line}">')[1].split("</tr>")[0]
    assert "Favoriser l" in row   # the fiche's heading is at that line
    doc = (small_site / "document/texte-a.html").read_text(encoding="utf-8")
    assert 'href="texte-a/text.html"' in doc


def test_without_sources_nothing_links_and_the_pages_say_so(small, tmp_path, monkeypatch):
    monkeypatch.delenv("CVGRAPH_SOURCES", raising=False)
    site = tmp_path / "site"
    assert run_cli("publish", "--graph", str(small / "build"), "--out", str(site)).exit_code == 0
    assert not (site / "document/texte-a/text.html").exists()
    page = (site / "contract/quartier-a/orientation/1.html").read_text(encoding="utf-8")
    assert "#L" not in page and "publié sans les textes sources" in page


def test_reports_link_their_source_to_the_line(small):
    graph = str(small / "build")
    result = run_cli("query", "orientation-sheet", "-p", "contract=quartier-a", "-p", "orientation=1", "--format", "md",
                     "--graph", graph, "--sources", str(small / "sources"))
    assert result.exit_code == 0, result.output
    assert "](https://w3id.org/cvgraph/id/document/texte-a/text.html#L" in result.stdout
    result = run_cli("gaps", "--graph", graph, "--contract", "quartier-a", "--format", "md",
                     "--sources", str(small / "sources"))
    assert result.exit_code == 0 and "/document/texte-a/text.html#L" in result.stdout
    plain = run_cli("gaps", "--graph", graph, "--contract", "quartier-a", "--format", "md", "--sources", str(small))
    assert "text.html#L" not in plain.stdout   # without sources: no link


def test_serve_shows_the_text_and_links_to_it(small, tmp_path):
    from servers import cvgraph_server

    with cvgraph_server(small / "build", tmp_path / "serve.log", "--sources", str(small / "sources")) as base:
        with urllib.request.urlopen(base + "document/texte-a/text", timeout=30) as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
            assert '<tr id="L31">' in r.read().decode()
        req = urllib.request.Request(base + "document/texte-a/text", headers={"Accept": "text/plain"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.read().decode().split("\n")[30] == f"Mission Locale, {REDACTED}"
        with urllib.request.urlopen(base + "contract/quartier-a/orientation/1", timeout=30) as r:
            assert "../../../document/texte-a/text.html#L" in r.read().decode()


def test_publish_with_the_seed_texts_links_orientation_5_to_line_1653(built, tmp_path):
    seed = seed_text("seed-002")
    site = tmp_path / "site"
    assert run_cli("publish", "--graph", str(built), "--out", str(site), "--sources", str(seed.parent)).exit_code == 0
    page = (site / "contract/coutras-2024-2030/orientation/5.html").read_text(encoding="utf-8")
    assert 'href="../../../document/seed-002/text.html#L1653"' in page
    text = (site / "document/seed-002/text.html").read_text(encoding="utf-8")
    row = text.split('<tr id="L1653">')[1].split("</tr>")[0]
    assert "ORIENTATION STRATÉGIQUE N°5 :  Accompagner l’amélioration de l’habitat en" in row
    assert seed.read_text(encoding="utf-8").split("\n")[1652].strip() in row
    # the person's name of l. 1650 is shown nowhere
    line_1650 = seed.read_text(encoding="utf-8").split("\n")[1649]
    name = line_1650.split("au lancement ")[1].strip()
    assert name and not [p for p in site.rglob("*") if p.is_file() and name.encode() in p.read_bytes()]
    assert f"au lancement {REDACTED}" in text
    for doc in ("seed-000", "seed-001", "seed-003", "seed-004"):   # rights: not republished
        assert not (site / f"document/{doc}/text.html").exists()


# --- 4. citations checked ----------------------------------------------------------------------------

def test_citations_of_the_curated_data_hold():
    """With the seed texts: no cited line beyond its text, no quote away from its line."""
    from cvgraph.citations import check_data

    seed_text("seed-002")
    misses, absent = check_data(ROOT / "data", Sources(os.environ["CVGRAPH_SOURCES"]))
    assert [m.message for m in misses] == [] and absent == []


def test_a_broken_citation_is_a_finding(small, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(small / "data", data)
    sheet = data / "contracts" / "quartier-a.yaml"
    text = sheet.read_text(encoding="utf-8")
    ok = run_cli("validate", "--graph", str(small / "build"), "--sources", str(small / "sources"), "--data", str(data),
                 "--format", "csv")
    assert "CitedLineExists" not in ok.stdout and "QuoteAtLine" not in ok.stdout
    doc = yaml.safe_load(text)
    line = next(o for o in doc["orientations"] if o["number"] == 1)["funding"][0]["line"]
    assert f"line: {line}," in text or f"line: {line}\n" in text
    broken = text.replace(f"line: {line}", "line: 3", 1)       # the funding line now cites l. 3
    broken = broken.replace("line: 13", "line: 9999", 1)          # and the axis a line past the end
    sheet.write_text(broken, encoding="utf-8")
    result = run_cli("validate", "--graph", str(small / "build"), "--sources", str(small / "sources"),
                     "--data", str(data), "--format", "csv")
    assert result.exit_code == 1
    rows = [r for r in result.stdout.splitlines() if "Citation" in r or "QuoteAtLine" in r or "CitedLineExists" in r]
    assert any("QuoteAtLine" in r and f"{sheet}:" in r and "l. 3" in r for r in rows), rows
    assert any("CitedLineExists" in r and "9999" in r and "texte-a.txt" in r for r in rows), rows


def test_citation_matching_ignores_layout_not_words():
    from cvgraph.citations import Index, quote_found

    lines = ["Titre", "Financements : amélio-", "ration de l’habitat, FEDER", "", "suite du texte", "fin"]
    index = Index(lines)
    assert quote_found(index, "Financements : amélioration de l'habitat, FEDER", 2)
    assert quote_found(index, "Financements : amélioration de l’habitat, FEDER", 4)        # ± 2 lines
    assert not quote_found(index, "Financements : amélioration de l’habitat, FEDER", 6)    # too far
    assert not quote_found(index, "Financements : amélioration du logement, FEDER", 2)      # other words
    assert quote_found(index, "Financements : (…), FEDER", 2)                               # an elision
    raw = "une chargée de mission = Jeanne Dupont)"
    assert Redaction(1, after="chargée de mission = ", before=")").apply(raw) == "une chargée de mission = (…))"
    assert quote_found(Index([raw]), "une chargée de mission = (…))", 1)     # a redaction counts as a match


# --- 5. the data the audit mended ----------------------------------------------------------------------

def test_mended_2015_contract(g):
    from rdflib import Literal, URIRef

    from cvgraph.vocab import CV, DCTERMS, RDFS
    c15 = "https://w3id.org/cvgraph/id/contract/coutras-2015-2023"
    lines = {int(g.value(URIRef(f"{c15}/principle/{i}"), CV.sourceLine)) for i in range(1, 5)}
    assert lines == {19, 20, 21, 22}   # seed 001 has 42 lines: the principles are at l. 19-22
    for org in ("etat", "la-cali", "coutras"):   # inferred, not cited as signed
        s = URIRef(f"{c15}/commitment/{org}")
        assert g.value(s, CV.inferred) == Literal(True) and g.value(s, CV.flag) is not None
        assert int(g.value(s, CV.sourceLine)) == 88 and str(g.value(s, DCTERMS.source)).endswith("seed-002")
    pillars = {str(g.value(a, RDFS.label)) for a in g.subjects(CV.contract, URIRef(c15))
               if (a, CV.axisKind, URIRef("https://w3id.org/cvgraph/vocab/axis-kind/pilier")) in g}
    assert pillars == {"Dimension sociale", "Dimension urbaine", "Dimension économique", "Dimension républicaine"}
    for i in (1, 2, 3):   # no period the text does not give (the three figures of seed 001 l. 13)
        fig = URIRef(f"{c15}/figure/13-{i}")
        assert g.value(fig, CV.period) is None and g.value(fig, CV.periodNotStated) == Literal(True)


def test_mended_la_cali_budget_and_valenciennes(g):
    from rdflib import Literal, URIRef

    from cvgraph.vocab import CV, DCTERMS, RDFS
    base = "https://w3id.org/cvgraph/id/"
    cali = URIRef(base + "contract/coutras-2024-2030/commitment/la-cali")
    budget = [x for x in g.objects(cali, CV.item) if "budget spécifique" in str(g.value(x, RDFS.label))]
    assert len(budget) == 1 and int(g.value(budget[0], CV.sourceLine)) == 16
    assert str(g.value(budget[0], DCTERMS.source)) == base + "document/seed-000"
    ptcs = URIRef(base + "agreement/ptcs-valenciennes-2011")
    assert URIRef(base + "organisation/communes-ptcs-valenciennes") in set(g.objects(ptcs, CV.party))
    events = {str(g.value(e, CV.dateText)): str(g.value(e, RDFS.label))
              for e in g.subjects(CV.contract, URIRef(base + "contract/valenciennes-2015-2022"))
              if g.value(e, CV.dateText) is not None}
    assert events == {"février 2018": "Rapport à mi-parcours du contrat de ville (2015 et 2016)",
                      "mai 2019": "Rapport annuel 2017"}
    assert g.value(URIRef(base + "contract/valenciennes-2015-2022/event/1"), CV.sourceLine) == Literal(31)


def test_mended_facts_read_as_the_texts_say():
    """The lines the mended facts cite say what the data says they do."""
    seed1 = seed_text("seed-001").read_text(encoding="utf-8").split("\n")
    assert seed1[18].strip().startswith("• Un contrat unique : le Contrat de Ville, intégrant les dimensions sociales")
    assert "circulaire du Premier Ministre du 30 juillet 2014" in seed1[16]
    assert "inscrite en « territoire entrant »" in seed1[12] and "1 150 habitants" in seed1[12]
    seed0 = seed_text("seed-000").read_text(encoding="utf-8").split("\n")
    assert "Elle allouera également chaque année un budget spécifique" in seed0[15]
    seed2 = seed_text("seed-002").read_text(encoding="utf-8").split("\n")
    assert "ont coordonné avec l’État leur 1er contrat" in seed2[87]
    assert "quatre piliers constitutifs" in seed2[305] + seed2[306]
    seed4 = seed_text("seed-004").read_text(encoding="utf-8").split("\n")
    assert "les communes et Valenciennes Métropole" in seed4[4]
    assert "réalisé en février 2018" in seed4[30] and "réalisé en mai 2019" in seed4[30]
