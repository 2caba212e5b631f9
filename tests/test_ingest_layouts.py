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
from cvgraph.ingest import amounts_in, compare, key_of, row_kind, section_of, table_row
from cvgraph.sources import checksum
from test_query import one_line_error

LAYOUTS = ROOT / "tests" / "fixtures" / "ingest"
PDFS = ROOT / "tests" / "fixtures" / "pdf"
NAMES = ("metropole-tables", "pilier-2015", "fiche-action")
# the bodies of the seeds' territories: by their ids' words, and the associations the registry keeps
# to La Cali's territory (a "CIDFF de l'Allier" is not La Cali's CIDFF)
FOREIGN = re.compile(r"gironde|coutras|cali\b|la-cali|libourn|valenciennes|(?:^|/)(?:cidff|alifs|info-droits|victaid|le-lien"
                     r"|ruelle|cygnes-de-vie|ceid|portraits-de-famille|isle-et-dronne|esprit-de-solidarite|imagin-action)$", re.I)


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
    ("Plan d'actions", "actions", ""), ("ACTIONS À CONDUIRE", "actions", ""), ("Indicateurs de suivi", "indicators", ""),
    ("Chef de file : la Ville", "pilots", "la ville"), ("Maître d'ouvrage : Bailleur", "pilots", "bailleur"),
    ("Co-pilotes : État, Ville", "pilots", "etat, ville"), ("Acteurs mobilisés :", "services", ""),
    ("Chef(s) de file : Ville", "pilots", "ville"), ("Partenaire(s) mobilisé(s) :", "services", ""),
    ("Partenaires financiers :", "funding-np", ""), ("Plan de financement", "funding-np", ""),
    ("Calendrier : 2024-2026", "other", "2024-2026"), ("Public visé : jeunes", "other", "jeunes"),
    # a qualifier before the colon is part of the heading
    ("Crédits spécifiques (politique de la ville) :", "funding-sp", ""), ("Droit commun des partenaires :", "funding-dc", ""),
    ("Crédits du contrat de ville :", "funding-sp", ""), ("Partenaires de l'action :", "services", ""),
    ("Financements envisagés :", "funding-np", ""), ("Moyens / Financements", "funding-np", ""),
    ("Les financements mobilisables sont les suivants :", "funding-np", ""), ("Co-chef de file : Ville", "pilots", "ville"),
    # the words of other layouts, and a dash before the kind ("— Droit commun :" in a grid's cell)
    ("— Droit commun :", "funding-dc", ""), ("— Crédits politique de la ville :", "funding-sp", ""),
    ("Structures mobilisées :", "services", ""), ("Référent(s) : Ville", "pilots", "ville"),
    ("Tableau de financement", "funding-np", ""), ("Tableau des moyens", "funding-np", ""),
    ("Moyens mobilisables", "funding-np", ""), ("Crédits mobilisés :", "funding-np", ""),
    ("Modalités de financement", "funding-np", ""), ("Partenaires financeurs :", "funding-partners", ""),
    # what a role is of ("de l'objectif"), other partners' words, "Politique de la ville" alone
    ("Responsable(s) de l'objectif : Ville", "pilots", "ville"), ("Pilote de l'action : CAF", "pilots", "caf"),
    ("Acteurs contributeurs :", "services", ""), ("Autres acteurs mobilisés : CPAM", "services", "cpam"),
    ("Partenaires impliqués :", "services", ""), ("Politique de la ville", "funding-sp", ""),
    ("Crédits de l'État politique de la ville :", "funding-sp", "")])
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
    # a cell stating the kind gives the row's kind and is no instrument; a sum stays on the line
    assert table_row("État | BOP 147 | Crédits spécifiques | 30 000 €") == "État : BOP 147, 30 000 €"
    assert row_kind("État | BOP 147 | Crédits spécifiques | 30 000 €") == "specifique"
    assert row_kind("CAF     CLAS     Droit commun") == "droit-commun"
    assert row_kind("Région | FEDER | investissement") is None
    # the header's columns say which cell is which (metropole-tables.txt l. 83-86): a "Nature" cell
    # two spaces from the instrument, or alone under "Nature", is no instrument
    from cvgraph.ingest.sections import header_columns
    lines = (LAYOUTS / "metropole-tables.txt").read_text(encoding="utf-8").split("\n")
    columns = header_columns(lines[82])
    assert [c for _, c in columns] == ["financeur", "dispositif", "nature"]
    assert table_row(lines[84], columns) == "Département de l’Isère : Programme départemental d’insertion"
    assert table_row(lines[85], columns) == "France Travail"
    assert table_row("                                   aux bailleurs", columns) is None   # a wrapped cell


@pytest.mark.parametrize("text,sums", [
    ("Etat (BOP 147, 12 000 €)", [("12 000 €", 12000)]), ("1,5 M€", [("1,5 M€", 1500000)]),
    ("15 k€ par an", [("15 k€", 15000)]), ("7 500,50 €", [("7 500,50 €", 7500.5)]),
    ("20 000€ au lancement", [("20 000€", 20000)]), ("Etat (adultes-relais, 2 postes)", []),
    ("BOP 147 : 4 000 € et FIPD : 1 000 euros", [("4 000 €", 4000), ("1 000 euros", 1000)])])
def test_sums_of_money_as_written_and_as_numbers(text, sums):
    assert amounts_in(text) == sums


def test_amounts_stated_in_the_text_are_kept_on_their_funding_line(tmp_path):
    """fiche-action.txt l. 49 "Etat (BOP 147, 12 000 €)", l. 86 "CAF de la Vienne – REAAP : 9 000 €",
    l. 103-104 "… Région Nouvelle-Aquitaine / (FEDER, 400 000 €) … Habitat de la Vienne (1 500 000 €)"."""
    sheet = yaml.safe_load(draft_of(tmp_path, "fiche-action", LAYOUTS / "fiche-action.txt").read_text(encoding="utf-8"))
    lines = {(f["line"], f["funder"]): f for o in sheet["orientations"] for f in o.get("funding", [])}
    assert lines[(49, "Etat")]["amount"] == 12000 and lines[(49, "Etat")]["instruments"] == ["BOP 147"]
    assert lines[(86, "CAF de la Vienne")]["amount"] == 9000
    assert lines[(103, "Région Nouvelle-Aquitaine")]["amount"] == 400000
    assert lines[(103, "Habitat de la Vienne")]["amount"] == 1500000 and "instruments" not in lines[(103, "Habitat de la Vienne")]
    assert "amount" not in lines[(103, "Banque des Territoires")]


def test_signature_pages_in_two_columns(tmp_path):
    """"Pour X, / le Président" side by side (fiche-action l. 185-199) and a numbered list read across
    two columns (metropole-tables.pdf, "1. L'État, représenté par … 7. Le Département"): every
    signatory once, the signers' titles no commitment, a generic name made particular kept whole."""
    sheet = yaml.safe_load(draft_of(tmp_path, "fiche-action", LAYOUTS / "fiche-action.txt").read_text(encoding="utf-8"))
    orgs = [s["org"] for s in sheet["signatories"]]
    assert "Mission locale Nord Vienne" in orgs and len(orgs) == len(set(orgs)) == 11
    assert not any(s["commitments"] for s in sheet["signatories"])
    ca = next(s for s in sheet["signatories"] if "Grand Châtellerault" in s["org"])
    assert not ca.get("proposed")   # found in the reference (the build resolves it again), not proposed
    pdf = yaml.safe_load(draft_of(tmp_path, "metropole-tables", LAYOUTS / "metropole-tables.pdf").read_text(encoding="utf-8"))
    assert len(pdf["signatories"]) == 12 and {"etat", "pole-emploi"} <= {s["org"] for s in pdf["signatories"]}


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
    # issue 16's targets: pilots, services, funding lines by (orientation, kind, funder), signatories
    for key in ("pilots", "services", "funding kinds", "signatories"):
        assert scores[key]["precision"] >= 0.9 and scores[key]["recall"] >= 0.9, (key, scores[key])


# The second to nineteenth rounds of texts (see tests/fixtures/ingest/README.md), used to develop the
# reader: the floors are the scores reached, issue 16's 0.90 where it is met. toulon-prose's expected
# signatories are the offices as written ("Préfet du Var"), which --compare reads as the bodies
# they sign for, as the reader does ("Le Procureur de la République près le tribunal judiciaire
# de Toulon": the office as written; "La Directrice de la délégation départementale du Var de l'ARS …",
# cut over two lines: the agency).
SECOND_ROUND = {
    "dreux-word-2015": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 0.9},
    "troyes-cellules-2030": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.95, "signatories": 0.95},
    "est-ensemble-2030": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "grand-chalon-tableaux": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.9, "signatories": 0.9},
    "toulon-prose": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.95, "signatories": 0.95},
    "lorient-objectifs": {"pilots": 1.0, "services": 0.9, "funding kinds": 1.0, "signatories": 1.0},
    "grid-limoges": {"pilots": 1.0, "services": 0.9, "funding kinds": 1.0, "signatories": 0.9},
    "piliers-calais": {"pilots": 1.0, "services": 0.9, "funding kinds": 0.95, "signatories": 0.9},
    "montbeliard-financements": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.95, "signatories": 1.0},
    "bourges-piliers-annexe": {"pilots": 1.0, "services": 0.9, "funding kinds": 0.9, "signatories": 0.9},
    "castres-outline": {"pilots": 0.9, "services": 0.95, "funding kinds": 0.95, "signatories": 1.0},
    "castres-mazamet-fiches-grille": {"pilots": 1.0, "services": 0.9, "funding kinds": 0.95, "signatories": 1.0},
    "le-mans-word-tableaux": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.95, "signatories": 0.9},
    "montlucon-deux-colonnes": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "charleville-grille-pdf": {"pilots": 1.0, "services": 0.95, "funding kinds": 1.0, "signatories": 1.0},
    "blois-pandoc-grilles": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "saint-quentin-markdown": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.95, "signatories": 1.0},
    "evreux-word-cellules": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "nevers-pdftotext-fiches": {"pilots": 1.0, "services": 0.9, "funding kinds": 1.0, "signatories": 1.0},
    "epinal-lynx-web": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "matrice-responsabilites": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "engagements-signataires": {"pilots": 1.0, "services": 1.0, "funding kinds": 0.95, "signatories": 1.0},
    "tabulations-word": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "formulaire-pointilles": {"pilots": 1.0, "services": 1.0, "funding kinds": 0.95, "signatories": 1.0},
    "sigles-glossaire": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "articles-juridiques": {"pilots": 1.0, "services": 1.0, "funding kinds": 0.85, "signatories": 0.9},
    "questions-fiches": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "contributions-partenaires": {"pilots": 1.0, "services": 1.0, "funding kinds": 0.95, "signatories": 1.0},
    "partenaires-categories": {"pilots": 0.9, "services": 0.9, "funding kinds": 0.95, "signatories": 0.95},
    "annexe-tableur": {"pilots": 1.0, "services": 1.0, "funding kinds": 0.95, "signatories": 1.0},
    "gouvernance-amiens": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 1.0},
    "actions-en-ligne": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.95, "signatories": 1.0},
    "roles-valence": {"pilots": 1.0, "services": 1.0, "funding kinds": 1.0, "signatories": 0.9},
    "artefacts-extraction": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.95, "signatories": 1.0},
    "annexe-roles-colonnes": {"pilots": 1.0, "services": 0.95, "funding kinds": 1.0, "signatories": 1.0},
    "moyens-chiffres-prose": {"pilots": 1.0, "services": 1.0, "funding kinds": 0.95, "signatories": 0.95},
    "montants-par-nature": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.95, "signatories": 0.95},
    "signataires-en-prose": {"pilots": 1.0, "services": 0.95, "funding kinds": 0.9, "signatories": 1.0},
    "plan-financement": {"pilots": 1.0, "services": 0.9, "funding kinds": 0.95, "signatories": 1.0},
    "verbes-prose": {"pilots": 0.9, "services": 0.85, "funding kinds": 0.85, "signatories": 1.0},
    "matrice-financeurs": {"pilots": 1.0, "services": 0.95, "funding kinds": 1.0, "signatories": 1.0},
}


@pytest.mark.parametrize("name", sorted(SECOND_ROUND))
def test_a_second_round_of_layouts_is_read_and_scored(tmp_path, name, capsys):
    """A box of labels in two columns, recap tables per axis, roles and funding in sentences: every
    orientation found, and each category at its floor (precision and recall)."""
    draft = draft_of(tmp_path, name, LAYOUTS / f"{name}.txt")
    expected = yaml.safe_load((LAYOUTS / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    expected["place"] = {k: v for k, v in expected["place"].items() if not isinstance(v, dict) or "code" in v}
    curated = tmp_path / "expected.yaml"   # (Est Ensemble's territory is not an EPCI of the reference)
    curated.write_text(yaml.safe_dump(expected, allow_unicode=True), encoding="utf-8")
    scores = compare(draft, curated)
    with capsys.disabled():
        print(f"\n{name}: " + ", ".join(f"{k} P {s['precision']:.2f} R {s['recall']:.2f}" for k, s in scores.items()))
    assert scores["orientations"]["recall"] == scores["orientations"]["precision"] == 1.0
    for key, floor in SECOND_ROUND[name].items():
        assert scores[key]["precision"] >= floor and scores[key]["recall"] >= floor, (key, scores[key])


@pytest.mark.parametrize("heading,number", [
    ("Orientation stratégique n° 4 – Emploi", 4), ("ORIENTATION IV : EMPLOI", 4), ("3.2. Deuxième orientation – Réussite", 2),
    ("1ère orientation : Emploi", 1), ("Engagement n°3 : Santé", 3), ("Fiche action 6 – Tranquillité", 6),
    ("Défi 2 – Habitat", 2), ("Orientation B – Cadre de vie", 2), ("Ambition 5", 5),
    ("FICHE-OBJECTIF 3 — Réussite", 3), ("ENJEU N°2      Santé", 2)])
def test_fiche_headings_in_the_words_of_other_layouts(heading, number):
    from cvgraph.ingest.sections import fiche_heading, fiche_numeral
    written, _ = fiche_heading(key_of(heading))
    assert fiche_numeral(written) == number
    assert fiche_heading(key_of("Orientation à conduire en 2025")) is None


def test_the_fiches_are_the_headings_of_the_highest_rank():
    """Under "Orientation N" fiches, "Objectif 1" lines are objectives; alone, they are the fiches."""
    from cvgraph.ingest.items import Found, Reader
    from cvgraph.ingest.reading import lines_of
    from cvgraph.registry import load_registries
    regs = load_registries(ROOT / "data")
    both = lines_of("Orientation 1 : Emploi\nObjectif 1 : aller vers\nObjectif 2 : former\nOrientation 2 : Santé\n")
    assert Reader(both, regs, Found()).fiche_heads() == [0, 3]
    alone = lines_of("Objectif 1 : aller vers\ntexte\nObjectif 2 : former\n")
    assert Reader(alone, regs, Found()).fiche_heads() == [0, 2]
    # "Priorité 1.1" under "Enjeu 1" (of the same rank) is a part of that fiche, not one of its own
    parts = lines_of("Enjeu 1 : Emploi\nPriorité 1.1 : aller vers\nPilote : Ville\nEnjeu 2 : Santé\nPilote : ARS\n")
    assert Reader(parts, regs, Found()).fiche_heads() == [0, 3]


def test_running_headers_with_the_page_number_and_boxes_in_two_columns():
    from cvgraph.ingest.reading import drop_noise, lines_of, unbox
    text = "\n".join(["Contrat de ville X 2024-2030 | 1", "Orientation stratégique n° 1", "SYNTHÈSE",
                      "Pilotage :          Ville de Bondy", "Partenaires        CAF de la Seine-Saint-Denis, Région",
                      "mobilisés :        Île-de-France, centres sociaux", "                   associations de quartier",
                      "Moyens             Droit commun :", "mobilisés :        - CAF : CLAS", "",
                      "Contrat de ville X 2024-2030 | 2", "", "                   - Ville : médiation", "Texte suivant.",
                      "Contrat de ville X 2024-2030 | 3", "Orientation stratégique n° 2", "Texte.", "",
                      "Contrat de ville X 2024-2030 | 4"])
    lines = unbox(drop_noise(lines_of(text)))
    assert [(l.n, l.text) for l in lines] == [
        (2, "Orientation stratégique n° 1"), (3, "SYNTHÈSE"), (4, "Pilotage : Ville de Bondy"),
        (5, "Partenaires mobilisés : CAF de la Seine-Saint-Denis, Région"), (6, "Île-de-France, centres sociaux"),
        (7, "associations de quartier"), (8, "Moyens mobilisés :"), (8, "Droit commun :"), (9, "- CAF : CLAS"),
        (13, "- Ville : médiation"), (14, "Texte suivant."), (16, "Orientation stratégique n° 2"), (17, "Texte."),
        (18, "")]
    # a table's header row is no box, and the same words with one number are no running header
    table = lines_of("Financeur          Dispositif          Nature\n• État : BOP 147\n• État : BOP 147\n• État : BOP 147\n")
    assert unbox(drop_noise(table)) == table


def test_recap_tables_become_fiches():
    from cvgraph.ingest.recap import recap_tables
    from cvgraph.ingest.reading import lines_of
    text = "\n".join([
        "Objectif                 Pilote(s)           Partenaires               Financements (DC / PV)",
        "",
        "1. Accompagner les       Mission locale du   Cap emploi 71, DDETS de   DC : Région (PRF) ;",
        "jeunes vers l'emploi     Chalonnais          Saône-et-Loire, CCI       France Travail (CEJ)",
        "                         France Travail                                PV : Etat (BOP 147)",
        "",
        "2. Habiter mieux         Ville de            ANRU, bailleurs           Cofinancements : ANRU",
        "                         Chalon-sur-Saône                              (NPNRU)",
        "",
        "Les actions de l'axe 1 s'inscrivent dans le pacte territorial d'insertion du Département."])
    got = [(l.n, l.text) for l in recap_tables(lines_of(text))]
    assert got == [
        (3, "Objectif 1 : Accompagner les"), (4, "jeunes vers l'emploi"), (3, ""),
        (3, "Pilote(s) :"), (3, "Mission locale du Chalonnais"), (5, "France Travail"),
        (3, "Partenaires :"), (3, "Cap emploi 71, DDETS de Saône-et-Loire, CCI"),
        (3, "Droit commun :"), (3, "• Région (PRF)"), (4, "• France Travail (CEJ)"),
        (5, "Crédits spécifiques :"), (5, "• Etat (BOP 147)"), (3, ""),
        (7, "Objectif 2 : Habiter mieux"), (7, ""), (7, "Pilote(s) :"), (7, "Ville de Chalon-sur-Saône"),
        (7, "Partenaires :"), (7, "ANRU, bailleurs"), (7, "Cofinancements :"), (7, "• ANRU (NPNRU)"), (7, ""),
        (10, "Les actions de l'axe 1 s'inscrivent dans le pacte territorial d'insertion du Département.")]


def test_roles_and_funding_stated_in_sentences():
    from cvgraph.ingest.prose import END, roles_in_sentences, sentences_as_sections
    from cvgraph.ingest.reading import lines_of
    body = lines_of("Les jeunes sont nombreux.\n\nCette orientation est pilotée par France Travail et la Ville de\n"
                    "Toulon, en lien avec la Mission locale, la DDETS du Var et les centres sociaux.\n\n"
                    "Elle mobilise les crédits de droit commun de la CAF du Var (CLAS, REAAP) et du Département\n"
                    "du Var. Au titre de la politique de la ville, l’État (BOP 147, adultes-relais) soutient les\n"
                    "associations.\n")
    assert roles_in_sentences(body) == {"pilots", "services"}
    got = [(l.n, l.text) for l in sentences_as_sections(body, roles_in_sentences(body))]
    assert got == [(1, "Les jeunes sont nombreux."), (2, ""),
                   (3, "Pilotes : France Travail ; Ville de Toulon"),   # (";" apart: a name may have its own comma)
                   (4, "Partenaires : Mission locale ; DDETS du Var ; centres sociaux"), (4, END), (5, ""),
                   (6, "Droit commun :"), (6, "• CAF du Var : CLAS, REAAP"), (6, "• Département du Var"),
                   (7, "Crédits spécifiques :"), (7, "• État : BOP 147, adultes-relais"), (8, END)]
    headed = lines_of("Pilote : la Ville\nCette orientation est pilotée par la Ville.\n")
    assert not roles_in_sentences(headed)
    # a heading gives the pilots, a sentence the partners: only the partners come from the sentence,
    # and the heading stays; "Le pilotage de cette orientation est assuré par", partners run in
    headed = lines_of("Chef de file : ARS\nY sont associés la CPAM du Var et la CAF du Var.\n")
    assert roles_in_sentences(headed) == {"services"}
    assert [(l.n, l.text) for l in sentences_as_sections(headed, {"services"})] == \
        [(1, "Chef de file : ARS"), (2, "Partenaires : CPAM du Var ; CAF du Var"), (2, END)]
    run_in = lines_of("Le pilotage de cette orientation est assuré par la DSDEN du Var et la Ville de Toulon\n"
                      "(direction de l’éducation). Partenaires mobilisés : CAF du Var, Mission locale.\n\n"
                      "Cette orientation mobilise les crédits de droit commun de la CAF du Var (CLAS), ainsi que les\n"
                      "crédits spécifiques de l’État (BOP 147).\n")
    assert [(l.n, l.text) for l in sentences_as_sections(run_in, roles_in_sentences(run_in))] == \
        [(1, "Pilotes : DSDEN du Var ; Ville de Toulon (direction de l’éducation)"),
         (2, "Partenaires : CAF du Var ; Mission locale"), (2, END), (3, ""),
         (4, "Droit commun :"), (4, "• CAF du Var : CLAS"), (5, "Crédits spécifiques :"), (5, "• État : BOP 147"), (5, END)]


def test_a_table_of_signatories():
    from cvgraph.ingest.items.signatories import Signatories
    from cvgraph.ingest.reading import lines_of
    rows = Signatories.table_rows(lines_of("\n".join([
        "Signataire                                   Représenté par", "L’État                                       Le Préfet",
        "La Caisse d’allocations familiales de la     Le Directeur", "Seine-Saint-Denis",
        "France Travail                               La Directrice", "                                             territoriale"])))
    assert [(l.n, l.text) for l in rows] == [(2, "• L’État"), (3, "• La Caisse d’allocations familiales de la Seine-Saint-Denis"),
                                             (5, "• France Travail")]


def test_tables_read_as_cells_with_pipes_and_numbers_before_the_heading_word():
    from cvgraph.ingest.reading import drop_noise, lines_of, pipe_rows
    from cvgraph.ingest.sections import fiche_heading, fiche_numeral
    rows = pipe_rows(lines_of("\n".join([
        "| Orientation 1 | Accompagner les jeunes |", "| Chef(s) de file | Ville de Troyes |",
        "| Partenaires | Mission locale, France Travail, |", "|  | CCI Troyes et Aube |",
        "| Pour l'État, | Pour la Ville de Troyes, |", "|  |  |"])))
    assert [(l.n, l.text.strip()) for l in rows] == [
        (1, "Orientation 1 : Accompagner les jeunes"), (2, "Chef(s) de file : Ville de Troyes"),
        (3, "Partenaires : Mission locale, France Travail,"), (4, "CCI Troyes et Aube"),
        (5, "Pour l'État,    Pour la Ville de Troyes,"), (6, "")]
    heading = fiche_heading(key_of("III.2 Objectif stratégique : Améliorer l’accès aux soins"))
    assert heading.before and heading[0] == "iii.2" and heading[1] == "ameliorer l'acces aux soins"
    assert fiche_numeral(fiche_heading(key_of("4. Orientation – Santé"))[0]) == 4
    # "Page N sur M" and "–N–" footers are page furniture
    footers = lines_of("\n".join(["Contrat de ville X – Engagements Quartiers 2030     Page 1 sur 7", "texte", "",
                                   "                –2–", "Contrat de ville X – Engagements Quartiers 2030     Page 2 sur 7",
                                   "suite", "", "Contrat de ville X – Engagements Quartiers 2030     Page 3 sur 7"]))
    assert [l.text for l in drop_noise(footers)] == ["texte", "", "suite", ""]
    listed = lines_of("\n".join(["Indicateur de résultat n° 1", "Indicateur de résultat n° 2", "Indicateur de résultat n° 3"]))
    assert drop_noise(listed) == listed   # a numbered list is no running footer


def test_a_financing_plan_with_amounts_and_a_total():
    """dreux-word-2015.txt l. 141-155: "Financeur | Montant | %": the funder's instruments in
    parentheses, its cell wrapped onto the next line, the sum kept, the total row no funder."""
    from cvgraph.ingest.sections import header_columns
    columns = header_columns("  Financeur                                            Montant                %")
    assert table_row("  Caisse des Dépôts (prêts PRU, ingénierie)          120 000 €              15 %", columns) == \
        "Caisse des Dépôts : prêts PRU, ingénierie, 120 000 €"
    assert table_row("  Région Centre-Val de Loire (Contrat régional de    100 000 €              12 %", columns,
                     "solidarité territoriale)") == "Région Centre-Val de Loire : Contrat régional de solidarité territoriale, 100 000 €"
    assert table_row("  Agglomération du Pays de Dreux                      90 000 €              11 %", columns) == \
        "Agglomération du Pays de Dreux : 90 000 €"
    assert table_row("  Total                                              820 000 €             100 %", columns) == ""


def test_funders_in_a_row_apart_by_semicolons():
    from cvgraph.ingest.items.funding import semicolon_funders
    from cvgraph.ingest.reading import lines_of
    lines = semicolon_funders(lines_of("Région Grand Est : PRF, FSE+ ; France Travail : Contrat\n"
                                       "        d’engagement jeune ; Conseil départemental de l’Aube\n"))
    assert [(l.n, l.text) for l in lines] == [(1, "• Région Grand Est : PRF, FSE+"),
                                              (1, "• France Travail : Contrat d’engagement jeune"),
                                              (2, "• Conseil départemental de l’Aube")]
    # "Funder (a, b)" pieces, a funder alone among them
    lines = semicolon_funders(lines_of("Banque des Territoires (ingénierie, prêts) ; Bpifrance (prêt d’honneur) ;\n"
                                       "        Région Grand Est ; Troyes Champagne Métropole (aide à l’immobilier)\n"))
    assert [l.text for l in lines] == ["• Banque des Territoires (ingénierie, prêts)", "• Bpifrance (prêt d’honneur)",
                                       "• Région Grand Est", "• Troyes Champagne Métropole (aide à l’immobilier)"]
    assert semicolon_funders(lines_of("CLAS ; REAAP\n"))[0].text == "CLAS ; REAAP"


def test_a_financing_plan_written_sum_first():
    """"62 000 € – État (BOP 147)", "9 000 € Conseil départemental – droit commun", a tab, "p.m.",
    "à définir", a name cut over two lines: each a funder's line with its sum; totals are no funders."""
    from cvgraph.ingest.items.funding import sums_first
    from cvgraph.ingest.reading import lines_of
    lines = lines_of("   62 000 € – État (BOP 147, programme de réussite éducative)\n"
                     "   9 000 € Conseil départemental – droit commun\n"
                     "   4 000 € Conférence des financeurs de la prévention de la perte\n"
                     "   d’autonomie de Lot-et-Garonne\n"
                     "   15 000 €\tÉtat (fonds de participation des habitants)\n"
                     "   p.m. – France Travail (PEC)\n"
                     "   à définir\tRégion Nouvelle-Aquitaine\n"
                     "Sous-total droit commun : 90 000 €\n"
                     "Total : 138 500 €\n")
    assert [l.text for l in sums_first(lines)] == [
        "• État (BOP 147, programme de réussite éducative) : 62 000 €",
        "• Conseil départemental – droit commun : 9 000 €",
        "• Conférence des financeurs de la prévention de la perte d’autonomie de Lot-et-Garonne : 4 000 €",
        "• État (fonds de participation des habitants) : 15 000 €",
        "• France Travail (PEC)", "• Région Nouvelle-Aquitaine"]
    assert [l.text for l in sums_first(lines_of("Droit commun : 20 000 €\n"))] == ["Droit commun : 20 000 €"]


@pytest.mark.parametrize("office,body", [
    ("Le Préfet du Var,", "État"), ("La Préfète de la Drôme,", "État"), ("Le Maire de Toulon,", "Ville de Toulon"),
    ("Pour le Maire de La Seyne-sur-Mer et par délégation,", "Ville de La Seyne-sur-Mer"),
    ("Le Président du Conseil départemental du Var,", "Conseil départemental du Var"),
    ("La Directrice de la Caisse d’allocations familiales du Var,", "Caisse d’allocations familiales du Var"),
    ("Le Directeur territorial de France Travail dans le Var,", "France Travail"),
    ("Le Directeur académique des services de l’éducation nationale du Var,", "DSDEN du Var"),
    ("La Directrice de la délégation départementale du Var de l’Agence régionale de santé Provence-Alpes-Côte d’Azur,",
     "Agence régionale de santé Provence-Alpes-Côte d’Azur"),
    ("Le Procureur de la République près le tribunal judiciaire de Toulon,", "Procureur de la République près le tribunal judiciaire de Toulon"),
    ("L’Inspecteur d’académie, directeur académique des services de l’Éducation nationale de Lot-et-Garonne,", "DSDEN de Lot-et-Garonne"),
    ("Les partenaires,", None), ("le Préfet", None), ("Le Procureur,", None)])
def test_signatories_by_their_office(office, body):
    """A signature page that names offices ("Le Préfet du Var," then the person): the body each signs for."""
    from cvgraph.ingest.items.signatories import office_body
    assert office_body(office) == body


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


# --- done when: ingest --into, build, and the new contract's matrix and who-funds-what ---------------

TARGET = 0.90


def proposed_bodies(data: Path) -> dict[str, str]:
    """The bodies `ingest --into` proposed in the data folder's registry, as `compare` names a name
    no registry knows: "?" and the name as written."""
    from cvgraph.names import normalise
    entries = yaml.safe_load((data / "organisations.yaml").read_text(encoding="utf-8"))["organisations"]
    return {e["id"]: "?" + normalise(e["local_names"][0]) for e in entries if e.get("proposed")}


def built_items(graph: Path, contract: str, data: Path) -> dict[str, set]:
    """Pilots, services and signatories from the matrix (unit level), funding lines (orientation,
    kind as built, funder rolled up) from who-funds-what: what an analyst gets from the build. A body
    proposed from a name no registry knew (by ingest, in the data folder's registry, or for the
    contract alone) is named "?" and the name as written, as `compare` does."""
    import csv
    import io

    from cvgraph.names import normalise
    proposed = proposed_bodies(data)

    def graph_key(iri: str, label: str) -> str:
        ident = iri.rsplit("/", 1)[-1]
        return proposed.get(ident) or ("?" + normalise(label) if ident.startswith("propose-") else ident)

    matrix = list(csv.DictReader(io.StringIO(run_cli("matrix", "--graph", str(graph), "--contract", contract,
                                                     "--level", "unit", "--format", "csv").stdout)))
    out = {"pilots": set(), "services": set(), "signatories": set(), "funding": set()}
    for row in matrix:
        key = graph_key(row["partner"], row["partner_label"])
        if row["signatory"] == "yes":
            out["signatories"].add(key)
        for col, cell in row.items():
            if re.fullmatch(r"O\d+", col or "") and cell:
                roles = cell.split(";")
                if "pilot" in roles:
                    out["pilots"].add((int(col[1:]), key))
                if "service" in roles:
                    out["services"].add((int(col[1:]), key))
    funding = csv.DictReader(io.StringIO(run_cli("query", "who-funds-what", "-p", f"contract={contract}",
                                                 "--graph", str(graph), "--format", "csv").stdout))
    for row in funding:   # the kind as the graph gives it, inferred or stated, as `compare` reads both sheets
        out["funding"].add((int(row["orientation"]), row["kind"], graph_key(row["funder"], row["funder_label"])))
    return out


def expected_items(name: str, data: Path) -> dict[str, set]:
    """The hand-read items of a layout, resolved in its place; funders rolled up to their top
    organisation, as who-funds-what shows them."""
    from cvgraph.ingest import curated_scope, sheet_items
    from cvgraph.registry import load_registries
    regs = load_registries(data)
    expected = LAYOUTS / f"{name}.expected.yaml"
    scope = curated_scope(expected, regs, data)
    items = sheet_items(expected, regs, scope)

    def top(ident: str) -> str:   # a registry unit's organisation, a found body's (the préfecture's State)
        seen = set()
        while ident not in seen:
            seen.add(ident)
            entry = regs.organisations.entries.get(ident)
            parent = entry.get("part_of") if entry else (scope.made[ident].kind.part_of if ident in scope.made else None)
            if not parent:
                break
            ident = parent
        return ident
    proposed = proposed_bodies(data)   # the hand-read names, as the comparison names what no registry knew
    named = lambda ident: proposed.get(ident, ident)   # noqa: E731
    return {"pilots": {(n, named(i)) for n, i in items["pilots"]}, "services": {(n, named(i)) for n, i in items["services"]},
            "signatories": {named(i) for i in items["signatories"]},
            "funding": {(n, kind, named(top(f))) for n, kind, f in items["funding kinds"]}}


def ingest_into_one_folder_and_build(tmp: Path, names, suffix: str = "txt") -> tuple[Path, Path]:
    """Each text (or PDF) ingested --into one copy of data/ under its own id, then built once,
    with no hand edit: the data folder and the build."""
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    for name in names:
        result = run_cli("ingest", str(LAYOUTS / f"{name}.{suffix}"), "--contract", name, "--into", str(data))
        assert result.exit_code == 0, result.output
    result = run_cli("build", "--data", str(data), "--out", str(tmp / "build"))
    assert result.exit_code == 0, result.output
    return data, tmp / "build"


@pytest.fixture(scope="module", params=["txt", "pdf"])
def ingested(request, tmp_path_factory):
    """The three layouts (text, or PDF), each ingested into a copy of data/ under its own id, and
    built once, with no hand edit."""
    data, build = ingest_into_one_folder_and_build(tmp_path_factory.mktemp(request.param), NAMES, request.param)
    return request.param, data, build


@pytest.mark.parametrize("name", NAMES)
def test_ingested_contracts_build_and_their_matrix_and_funding_meet_the_targets(ingested, name, capsys):
    fmt, data, graph = ingested
    got, want = built_items(graph, name, data), expected_items(name, data)
    scores = {}
    for key in want:
        hit = len(got[key] & want[key])
        scores[key] = (hit / len(got[key]) if got[key] else 1.0, hit / len(want[key]) if want[key] else 1.0)
    with capsys.disabled():
        print(f"\n{name}.{fmt} built: " + ", ".join(f"{k} P {p:.2f} R {r:.2f}" for k, (p, r) in scores.items()))
    for key, (p, r) in scores.items():
        assert p >= TARGET and r >= TARGET, (key, sorted(map(str, want[key] - got[key])), sorted(map(str, got[key] - want[key])))
    assert not [k for k in got["signatories"] | {x[1] for x in got["pilots"] | got["services"]} if FOREIGN.search(str(k))]


def test_the_later_rounds_ingest_into_a_data_folder_and_build(tmp_path):
    """The development texts of the later rounds, ingested --into one data folder and built with
    no hand edit; their matrices name no body of another contract's territory."""
    data, build = ingest_into_one_folder_and_build(tmp_path, SECOND_ROUND)
    for name in SECOND_ROUND:
        got = built_items(build, name, data)
        assert len(got["pilots"]) >= 8 and len(got["services"]) >= 25 and len(got["funding"]) >= 20, (name, got)
        assert not [k for k in got["signatories"] | {x[1] for x in got["pilots"] | got["services"]} if FOREIGN.search(str(k))]


def test_ingest_into_proposes_the_unknown_local_bodies_once_for_their_territory(tmp_path):
    """Names no registry knows ("centre socioculturel d'Ozon", "Cap emploi" of Châtellerault, where the
    registry's Cap emploi is the Gironde's) go into the data folder's registry as bodies of the
    text's territory, proposed (à valider); a second contract of that territory shares them."""
    from cvgraph.graph import load_store
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = yaml.safe_load((data / "organisations.yaml").read_text(encoding="utf-8"))["organisations"]
    assert run_cli("ingest", str(LAYOUTS / "fiche-action.txt"), "--contract", "a", "--into", str(data)).exit_code == 0
    after = yaml.safe_load((data / "organisations.yaml").read_text(encoding="utf-8"))["organisations"]
    added = {e["id"]: e for e in after[len(before):]}
    assert after[:len(before)] == before and added and all(e["proposed"] for e in added.values())
    ozon = added["centre-socioculturel-d-ozon-86066"]
    assert ozon["territory"] == {"commune": "86066"} and ozon["local_names"] == ["centre socioculturel d’Ozon"]
    assert ozon["source"] == {"document": "fiche-action", "line": 48}   # "Partenaires : … centre socioculturel d’Ozon"
    assert added["cap-emploi-86066"]["label"] == "Cap emploi (Châtellerault)"
    assert run_cli("ingest", str(LAYOUTS / "fiche-action.txt"), "--contract", "b", "--document", "b",
                   "--into", str(data)).exit_code == 0
    assert yaml.safe_load((data / "organisations.yaml").read_text(encoding="utf-8"))["organisations"] == after
    assert run_cli("build", "--data", str(data), "--out", str(tmp_path / "build")).exit_code == 0
    store = load_store(tmp_path / "build")
    rows = {(r[0].value.rsplit("/", 1)[-1], r[1].value) for r in store.query("""
        PREFIX cv: <https://w3id.org/cvgraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?org ?c WHERE { ?p cv:participant ?org ; cv:orientation/cv:contract/dcterms:identifier ?c .
                               ?org cv:toValidate true }""")}
    assert {("centre-socioculturel-d-ozon-86066", "a"), ("centre-socioculturel-d-ozon-86066", "b")} <= rows


def test_every_item_has_a_confidence_and_the_command_ends_with_what_to_check(tmp_path):
    """Each pilot, service, funding line and signatory carries page (PDF), line and a confidence; the
    command lists what a person must check; low-confidence items and proposed bodies are built
    "à valider" and listed by the gap report (category to-validate)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    result = run_cli("ingest", str(LAYOUTS / "fiche-action.pdf"), "--contract", "fa", "--into", str(data))
    assert result.exit_code == 0, result.output
    sheet = yaml.safe_load((data / "contracts" / "fa.yaml").read_text(encoding="utf-8"))
    items = [x for o in sheet["orientations"] for k in ("pilots", "services", "funding") for x in o.get(k, [])] \
        + sheet["signatories"]
    assert items and all(x["confidence"] in ("low", "medium", "high") and x["line"] and x["page"] for x in items)
    low = [x for x in items if x["confidence"] == "low"]
    assert low and all(x["confidence_note"] for x in low)
    # "Partenaires : Mission locale Nord Vienne, centre socioculturel d’Ozon, …" (PDF text l. 46, page 1)
    assert re.search(r"\[low-confidence\] p\. 1, l\. 46 O1 service Mission locale Nord Vienne: Nom inconnu", result.stdout)
    assert re.search(r"to check \(\d+: \d+ low-confidence, \d+ medium-confidence, \d+ unclear\)", result.stdout)
    assert run_cli("build", "--data", str(data), "--out", str(tmp_path / "build")).exit_code == 0
    gaps = run_cli("gaps", "--graph", str(tmp_path / "build"), "--contract", "fa", "--format", "csv").stdout
    rows = [r for r in gaps.splitlines() if ",to-validate," in r]
    assert any("Mission locale Nord Vienne" in r and "l. 46" in r for r in rows)
    assert any("confiance faible" in r for r in rows)   # a funding line with a part not read


AMENDMENT = ROOT / "tests" / "fixtures" / "amendment" / "avenant-1.txt"


def test_an_amendment_is_ingested_as_a_revision_of_its_contract(tmp_path):
    """tests/fixtures/amendment/avenant-1.txt amends the Châtellerault contract (fiche-action.txt):
    l. 9 adds a partner to orientation 2, l. 10 a CAF funding line (CLAS, 6 000 €), l. 13 a pilot
    to orientation 5, l. 15 an action; l. 17 names an orientation 9 the contract does not have."""
    from cvgraph.graph import load_store
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    assert run_cli("ingest", str(LAYOUTS / "fiche-action.txt"), "--contract", "chatellerault", "--into", str(data)).exit_code == 0
    result = run_cli("ingest", str(AMENDMENT), "--contract", "chatellerault-avenant-1", "--amends", "chatellerault",
                     "--into", str(data))
    assert result.exit_code == 0, result.output
    assert "orientation 9 (l. 17): not an orientation of chatellerault; left out" in result.stdout
    sheet = yaml.safe_load((data / "contracts" / "chatellerault-avenant-1.yaml").read_text(encoding="utf-8"))
    assert sheet["amends"] == "chatellerault" and [o["number"] for o in sheet["orientations"]] == [2, 5]
    built = run_cli("build", "--data", str(data), "--out", str(tmp_path / "build"))
    assert built.exit_code == 0, built.output
    assert "contracts      5" in built.stdout   # the four seed contracts and Châtellerault: no new contract
    store = load_store(tmp_path / "build")
    rows = list(store.query("""
        PREFIX cv: <https://w3id.org/cvgraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?n ?what ?line ?amount WHERE {
          ?a a cv:Amendment ; cv:amends/dcterms:identifier "chatellerault" ; dcterms:identifier "chatellerault-avenant-1" .
          ?x cv:fromAmendment ?a ; cv:orientation ?o ; cv:sourceLine ?line ; dcterms:source/dcterms:identifier "avenant-1" .
          ?o cv:number ?n ; cv:contract/dcterms:identifier "chatellerault" .
          OPTIONAL { ?x cv:participant|cv:funder ?org . ?org dcterms:identifier ?what }
          OPTIONAL { ?x cv:amount ?amount }
        }"""))
    got = {(int(r[0].value), r[1].value if r[1] else None, int(r[2].value), r[3].value if r[3] else None) for r in rows}
    assert (2, "caf-vienne", 10, "6000") in got
    assert (5, "centre-hospitalier-camille-guerin-86066", 13, None) in got   # the body the contract's ingest proposed
    assert (5, None, 15, None) in got                                           # the action
    assert any(n == 2 and line == 9 for n, _, line, _ in got)
    ask = ('PREFIX cv: <https://w3id.org/cvgraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> '
           'ASK { ?c a cv:Contract ; dcterms:identifier "chatellerault-avenant-1" }')
    assert not bool(store.query(ask))   # a revision of the contract, not a new contract


def test_an_amendment_of_an_unknown_contract_is_refused_and_nothing_is_written(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    one_line_error(run_cli("ingest", str(AMENDMENT), "--contract", "x-avenant", "--amends", "nowhere", "--into", str(data)),
                   "--amends 'nowhere': no such contract")
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before


def test_the_reader_is_a_package_whose_parts_are_named():
    """Issue 16, point 6: reading, sections, items (one module per kind), the sheet writer and the
    comparison, each a module of its own, none of them one large class."""
    import ast
    pkg = ROOT / "src" / "cvgraph" / "ingest"
    parts = {p.relative_to(pkg).as_posix() for p in pkg.rglob("*.py")}
    assert {"reading.py", "sections.py", "naming.py", "sheet.py", "comparison.py", "items/fiches.py",
            "items/participants.py", "items/funding.py", "items/funders.py", "items/signatories.py", "items/annexes.py",
            "items/headings.py", "items/instruments.py", "items/engagements.py", "items/lines.py", "items/glossary.py", "items/spreadsheet.py", "items/parties.py",
            "recap.py", "prose.py", "converted.py", "contributions.py", "runon.py", "prose_names.py", "prose_funding.py"} <= parts
    for path in pkg.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno - node.lineno < 300, (path.name, node.name)


# --- the fourth round (lorient-objectifs.txt) and numbered headings of any word ------------------

def draft_of_text(tmp: Path, text: str) -> dict:
    source = tmp / "contrat.txt"
    source.write_text(text, encoding="utf-8")
    return yaml.safe_load(draft_of(tmp, "essai", source).read_text(encoding="utf-8"))


def funding_of(orientation: dict) -> list[tuple]:
    return [(f["kind"], f["funder"], set(f.get("instruments", []))) for f in orientation.get("funding", [])]


ANGOULEME = """CONTRAT DE VILLE 2024-2030 – GRANDANGOULÊME

PILIER 1 – COHÉSION SOCIALE

1. Favoriser la réussite éducative
Les élèves des quartiers prioritaires réussissent moins bien que les autres.
Actions :
1. Créer des ateliers
2. Développer le soutien scolaire
Pilote : Ville d'Angoulême
Partenaires associés : CAF de la Charente, Mission locale
Financements de droit commun :
• CAF de la Charente : CLAS

2. Améliorer l'accès à la santé
Pilote : ARS Nouvelle-Aquitaine
Crédits spécifiques :
• État : BOP 147

PILIER 2 – CADRE DE VIE

3. Rénover l'habitat
Pilote : GrandAngoulême
Financements de droit commun :
• ANRU : NPNRU
"""


def test_numbered_headings_of_no_heading_word_are_the_fiches_when_they_carry_the_sections(tmp_path):
    """No "Orientation N" anywhere: the numbered headings that carry pilots and funding are the
    fiches; "1." / "2." items of a list under "Actions :" are not, nor are the piliers."""
    draft = draft_of_text(tmp_path, ANGOULEME)
    got = [(o["number"], o["line"], o["title"]) for o in draft["orientations"]]
    assert got == [(1, 5, "Favoriser la réussite éducative"), (2, 15, "Améliorer l'accès à la santé"),
                   (3, 22, "Rénover l'habitat")]
    o1, o2, o3 = draft["orientations"]
    assert [p["name"] for p in o1["pilots"]] == ["Ville d'Angoulême"] and [a["text"] for a in o1["actions"]] == \
        ["Créer des ateliers", "Développer le soutien scolaire"]
    assert [p["name"] for p in o2["pilots"]] == ["ARS Nouvelle-Aquitaine"]
    assert funding_of(o2) == [("specifique", "État", {"BOP 147"})]
    assert [(a["line"], a["title"]) for a in draft["axes"]] == [(3, "COHÉSION SOCIALE"), (20, "CADRE DE VIE")]
    assert (o1["axis"], o2["axis"], o3["axis"]) == ("a", "a", "b")


LORIENT_LIKE = """AMBITION 1 — L’EMPLOI POUR TOUS
_____________________________________________

FICHE-OBJECTIF 1 — Lever les freins vers l’emploi

Chef de file : France Travail
Partenaires mobilisés : Mission locale, CCAS de Lanester

Financement
Au titre du droit commun, la CAF du Morbihan finance les CLAS et le Fonds publics et territoires ;
le Département du Morbihan apportera son concours, dont le montant reste à arrêter. Au titre des
crédits spécifiques, l’État mobilise les crédits de la Cité éducative, ainsi que le BOP 147 pour les
actions de soutien à la parentalité.

AMBITION 2 — DES QUARTIERS APAISÉS
_____________________________________________

FICHE-OBJECTIF 2 — Transformer l’habitat

Co-pilotage : Ville de Lorient ; Lorient Habitat
Partenaires : DDTM du Morbihan

Moyens mobilisables
     Financeur                  Droit commun                                Crédits spécifiques
     État                       DSIL, Fonds vert                            BOP 147
     Banque des Territoires     prêts renouvellement urbain, Éco-prêt       –
                                logement social
     Ville de Lorient           (à préciser)                                –

FICHE-OBJECTIF 3 — Renforcer la tranquillité publique

Porteur : Ville de Lorient (police municipale et service prévention)
Financements
Droit commun : État – FIPD ; Département du Morbihan – prévention spécialisée ;
Ville de Lorient ; Lorient Habitat – abattement de TFPB.
Crédits spécifiques : État – adultes-relais, BOP 147.

5. GOUVERNANCE, ANIMATION ET ÉVALUATION

Enveloppes prévisionnelles 2024 au titre des crédits spécifiques
     État – BOP 147 ........................................................... 1 240 000 €
"""


def test_axes_over_fiches_whose_headings_carry_the_sections(tmp_path):
    """"AMBITION N —" and "FICHE-OBJECTIF N —" are of the same rank: the words whose headings carry
    the pilots and funding open the fiches, the others are axes; em dashes are dashes; a numbered
    part in capitals ends the last fiche."""
    draft = draft_of_text(tmp_path, LORIENT_LIKE)
    got = [(o["number"], o["title"], o.get("axis")) for o in draft["orientations"]]
    assert got == [(1, "Lever les freins vers l’emploi", "a"), (2, "Transformer l’habitat", "b"),
                   (3, "Renforcer la tranquillité publique", "b")]
    assert [a["title"] for a in draft["axes"]] == ["L’EMPLOI POUR TOUS", "DES QUARTIERS APAISÉS"]
    o1, o2, o3 = draft["orientations"]
    # the last fiche ends at "5. GOUVERNANCE …": the envelopes below are not its funding
    assert max(f["line"] for f in o3["funding"]) < 38
    # "Porteur : Ville de Lorient (police municipale et service prévention)": one name
    assert [p.get("written", p.get("name")) for p in o3["pilots"]] == \
        ["Ville de Lorient (police municipale et service prévention)"]


def test_funding_in_sentences_in_kind_columns_and_as_funder_dash_instrument(tmp_path):
    draft = draft_of_text(tmp_path, LORIENT_LIKE)
    o1, o2, o3 = draft["orientations"]
    # "Au titre du droit commun, … ; … Au titre des crédits spécifiques, …" under "Financement"
    assert funding_of(o1) == [("droit-commun", "CAF du Morbihan", {"CLAS", "Fonds publics et territoires"}),
                              ("droit-commun", "Département du Morbihan", set()),
                              ("specifique", "État", {"Cité éducative", "BOP 147"})]
    # a table whose columns are the kinds: a line per filled cell, a wrapped cell joined, "–" none
    assert funding_of(o2) == [("droit-commun", "État", {"DSIL", "Fonds vert"}), ("specifique", "État", {"BOP 147"}),
                              ("droit-commun", "Banque des Territoires",
                               {"prêts renouvellement urbain", "Éco-prêt logement social"}),
                              ("droit-commun", "Ville de Lorient", set())]
    # "Droit commun : État – FIPD ; Département – … ;" wrapped onto the next line
    assert funding_of(o3) == [("droit-commun", "État", {"FIPD"}),
                              ("droit-commun", "Département du Morbihan", {"prévention spécialisée"}),
                              ("droit-commun", "Ville de Lorient", set()),
                              ("droit-commun", "Lorient Habitat", {"abattement de TFPB"}),
                              ("specifique", "État", {"adultes-relais", "BOP 147"})]


def test_a_kind_table_becomes_a_table_whose_nature_cell_states_the_kind():
    from cvgraph.ingest.items.funding import kind_columns
    from cvgraph.ingest.reading import lines_of
    lines = kind_columns(lines_of("     Financeur        Droit commun        Crédits spécifiques\n"
                                  "     ANRU             NPNRU               –\n"
                                  "     État             DSIL                BOP 147\n"))
    rows = [(l.n, re.split(r"\s{3,}", l.text.strip())) for l in lines]
    assert rows == [(2, ["Financeur", "Dispositif", "Nature"]), (2, ["ANRU", "NPNRU", "Droit commun"]),
                    (3, ["État", "DSIL", "Droit commun"]), (3, ["État", "BOP 147", "Crédits spécifiques"])]
    assert [row_kind(l.text) for l in lines[1:]] == ["droit-commun", "droit-commun", "specifique"]


def test_a_running_header_without_the_page_number_and_names_cut_in_signature_columns(tmp_path):
    """lorient-objectifs.txt: the header "Contrat de ville « … »   Lorient Agglomération" repeats
    next to the footers "Pays de Lorient · 2024-2030   N / 14" and is never read; "Pour la Caisse
    primaire d'assurance maladie" / "du Morbihan, le Directeur," in a column is one signatory."""
    from cvgraph.ingest.reading import drop_noise, read_lines
    kept = drop_noise(read_lines(LAYOUTS / "lorient-objectifs.txt"))
    assert not [l for l in kept if "Engagements Quartiers 2030 »  " in l.text or "/ 14" in l.text]
    draft = yaml.safe_load(draft_of(tmp_path, "lorient-objectifs", LAYOUTS / "lorient-objectifs.txt").read_text(encoding="utf-8"))
    assert ("Caisse primaire d’assurance maladie du Morbihan", 378) in [(s["org"], s["line"]) for s in draft["signatories"]]


def test_an_indented_grid_of_labels_and_values_and_cells_wrapped_in_a_table():
    """grid-limoges.txt: the grid of a fiche indented, a label cut over two lines, values wrapped in
    their column; a table's cell cut onto the next line before the row's sum."""
    from cvgraph.ingest.reading import lines_of, unbox
    from cvgraph.ingest.sections import header_columns
    grid = unbox(lines_of("   Chef de file               Ville de Limoges\n"
                          "   Structures                 CAF de la Haute-Vienne,\n"
                          "   mobilisées                 Mission locale\n"
                          "   Moyens mobilisés           — Droit commun :\n"
                          "                              État : FIPD\n"))
    assert [(l.n, l.text) for l in grid] == [(1, "Chef de file : Ville de Limoges"),
                                             (2, "Structures mobilisées : CAF de la Haute-Vienne,"), (3, "Mission locale"),
                                             (4, "Moyens mobilisés :"), (4, "— Droit commun :"), (5, "État : FIPD")]
    columns = header_columns("   Partenaire                 Type de crédit        Dispositif                      Montant indicatif")
    row = "   Région Nouvelle-Aquitaine  Droit commun          FEDER, aide au commerce de      90 000 €"
    more = {2: "proximité"}
    assert table_row(row, columns, "", more) == "Région Nouvelle-Aquitaine : FEDER, aide au commerce de proximité, 90 000 €"
    assert row_kind(row, columns) == "droit-commun"


def test_a_line_repeated_in_fiches_far_from_page_ends_is_no_running_header():
    """"Ville de Limoges" alone in three fiches' funding is a funder each time; the running header
    next to the "Page N sur M" footers is dropped, even where the first page has no footer."""
    from cvgraph.ingest.reading import drop_noise, lines_of
    text = ("Contrat de ville de Limoges\nPréambule\n\n\n\n\n\n"
            + "".join(f"Fiche {n}\nÉtat : FIPD\nVille de Limoges\nCAF : CLAS\n\n\nPage {n} sur 3\nContrat de ville de Limoges\n"
                      for n in (1, 2, 3)))
    kept = [l.text for l in drop_noise(lines_of(text))]
    assert kept.count("Ville de Limoges") == 3 and "Contrat de ville de Limoges" not in kept and "Page 2 sur 3" not in kept


def test_lists_of_names_and_instruments_that_hold_et_or_a_plus():
    from cvgraph.ingest.naming import split_list
    from cvgraph.ingest.prose_funding import specific_of
    assert split_list("FEDER, FSE+, moyens REP+ ; Bus en + CD") == ["FEDER", "FSE+", "moyens REP+", "Bus en", "CD"]
    # the verb left out for a second funder
    assert specific_of("l’État apporte le BOP 147 et Ville Vie Vacances, et Grand Calais Terres et Mers le fonds de "
                       "participation des habitants") == ["État : BOP 147, Ville Vie Vacances",
                                                          "Grand Calais Terres et Mers : fonds de participation des habitants"]


def test_the_fifth_round_signatures_and_names_with_et(tmp_path):
    """grid-limoges.txt: "Pour l'Agence régionale de santé" / "Nouvelle-Aquitaine," is one
    signatory; piliers-calais.txt: "Grand Calais Terres et Mers (direction …)" is one pilot, "Plan
    local pour l'insertion et l'emploi du Calaisis" one service."""
    draft = yaml.safe_load(draft_of(tmp_path, "grid-limoges", LAYOUTS / "grid-limoges.txt").read_text(encoding="utf-8"))
    assert ("ars-nouvelle-aquitaine", 338) in [(s["org"], s["line"]) for s in draft["signatories"]]
    draft = yaml.safe_load(draft_of(tmp_path, "piliers-calais", LAYOUTS / "piliers-calais.txt").read_text(encoding="utf-8"))
    o4, o6 = draft["orientations"][3], draft["orientations"][5]
    assert "Grand Calais Terres et Mers (direction de l’habitat et du renouvellement urbain)" in \
        [p.get("written", p.get("name")) for p in o4["pilots"]]
    assert "Plan local pour l’insertion et l’emploi du Calaisis" in [p.get("name") for p in o6["services"]]


def test_compare_reads_a_qualified_name_as_its_body(tmp_path):
    """"Lorient Agglomération (direction de l'habitat)" in a curated sheet and the agglomeration
    in a draft are the same pilot; an unknown body with a qualifier is that body as written."""
    sheet = ("id: essai\nplace:\n  communes: [{code: '56121', line: 1}]\norientations:\n- number: 1\n  line: 1\n"
             "  title: Emploi\n  pilots:\n  - {name: %s, line: 2}\n  - {name: %s, line: 2}\n")
    curated, draft = tmp_path / "curated.yaml", tmp_path / "draft.yaml"
    curated.write_text(sheet % ("Lorient Agglomération (direction de l’habitat)", "Agglo X (NPNRU)"), encoding="utf-8")
    draft.write_text(sheet % ("Lorient Agglomération", "Agglo X"), encoding="utf-8")
    assert compare(draft, curated)["pilots"]["matched"] == 2
    draft.write_text(sheet % ("Ville de Lorient", "Agglo Y"), encoding="utf-8")
    assert compare(draft, curated)["pilots"]["matched"] == 0
    # "État – CGET" is the State; "« Devoirs faits »" and "Programme de réussite éducative (PRE)"
    # are those instruments; "1.2 Emploi" is the title "Emploi"
    funded = ("id: essai\nplace:\n  communes: [{code: '56121', line: 1}]\norientations:\n- number: 1\n  line: 1\n"
              "  title: %s\n  funding:\n  - {line: 2, kind: specifique, funder: %s, instruments: [%s, %s]}\n")
    curated.write_text(funded % ("Emploi", "État – CGET", "« Devoirs faits »", "Programme de réussite éducative (PRE)"),
                       encoding="utf-8")
    draft.write_text(funded % ("1.2 Emploi", "État", "Devoirs faits", "PRE"), encoding="utf-8")
    scores = compare(draft, curated)
    assert [scores[k]["matched"] for k in ("orientations", "funding lines", "funding kinds")] == [1, 2, 1]
    # an office is the body it signs for: "Le Préfet du Var" the State, "Le Maire de Lorient" the commune
    signed = "id: essai\nplace:\n  communes: [{code: '56121', line: 1}]\nsignatories:\n- {org: %s, line: 3}\n- {org: %s, line: 4}\n"
    curated.write_text(signed % ("Le Préfet du Morbihan", "Le Maire de Lorient"), encoding="utf-8")
    draft.write_text(signed % ("État", "Ville de Lorient"), encoding="utf-8")
    assert compare(draft, curated)["signatories"]["matched"] == 2
    curated.write_text(funded % ("Emploi", "État – CGET", "« Devoirs faits »", "Programme de réussite éducative (PRE)"),
                       encoding="utf-8")
    draft.write_text(funded % ("1.2 Santé", "Région Bretagne", "Devoirs faits", "CLAS"), encoding="utf-8")
    scores = compare(draft, curated)
    assert [scores[k]["matched"] for k in ("orientations", "funding lines", "funding kinds")] == [0, 0, 0]


def test_names_in_lists_a_kind_with_its_bodies_and_a_territory_after_et(tmp_path):
    """"bailleurs sociaux (Troyes Habitat, Mon Logis, Aube Immobilier)" names three bodies, "CCI
    Troyes et Aube" one; "des actions portées par les associations" names no pilot."""
    draft = draft_of_text(tmp_path, "CONTRAT DE VILLE DE TROYES\n\nOrientation 1 : Habitat\nPilote : Ville de Troyes\n"
                                    "Partenaires : CCI Troyes et Aube, bailleurs sociaux (Troyes Habitat, Mon Logis, Aube Immobilier)\n\n"
                                    "Orientation 2 : Prévention\nCette orientation est pilotée par la Ville de Troyes. Elle "
                                    "soutient des actions de prévention portées par les associations.\n")
    o1, o2 = draft["orientations"]
    assert [s["name"] for s in o1["services"]] == ["CCI Troyes et Aube", "Troyes Habitat", "Mon Logis", "Aube Immobilier"]
    assert [p.get("name") for p in o2["pilots"]] == ["Ville de Troyes"]


def test_a_funding_table_with_no_heading_above_it_is_funding(tmp_path):
    """A table "Partenaire | Type de crédit | Dispositif" right under the partners: its rows are
    funding lines, not partners."""
    draft = draft_of_text(tmp_path, "CONTRAT DE VILLE DE TROYES\n\nOrientation 1 : Emploi\nPilote : Ville de Troyes\n"
                                    "Partenaires : CAF de l’Aube\n"
                                    "   Partenaire          Type de crédit          Dispositif\n"
                                    "   État                Crédits spécifiques     BOP 147\n"
                                    "   CAF de l’Aube       Droit commun            CLAS\n")
    (o1,) = draft["orientations"]
    assert [s["name"] for s in o1["services"]] == ["CAF de l’Aube"]
    assert funding_of(o1) == [("specifique", "État", {"BOP 147"}), ("droit-commun", "CAF de l’Aube", {"CLAS"})]


KINDS_ON_THE_LINE = """CONTRAT DE VILLE 2024-2030 – NANTES MÉTROPOLE

OBJECTIF STRATÉGIQUE 1 – FAVORISER LA RÉUSSITE ÉDUCATIVE

Responsable(s) de l'objectif : Ville de Nantes ; DSDEN de la Loire-Atlantique
Acteurs contributeurs : CAF de la Loire-Atlantique, Mission locale Nantes Métropole

Partenaires financiers :
– État (crédits politique de la ville) : BOP 147, adultes-relais
– Ville de Nantes (droit commun) : service jeunesse
– CAF de la Loire-Atlantique (crédits de droit commun) : CLAS, REAAP (25 000 €)
– Région Pays de la Loire, au titre du droit commun : programme régional de formation
– Nantes Métropole : fonds de participation des habitants

OBJECTIF STRATÉGIQUE 2 – RÉNOVER L'HABITAT

Maître(s) d'ouvrage : Nantes Métropole
Autres acteurs mobilisés : CPAM de la Loire-Atlantique

Plan de financement prévisionnel
Financeur              Nature des crédits     Dispositif              2024        2025        Total
État                   CS                     BOP 147                 20 000 €    20 000 €    40 000 €
Ville de Nantes        DC                     Service habitat         15 000 €    15 000 €    30 000 €
Nantes Métropole       PV                     Fonds de participation  5 000 €     5 000 €     10 000 €

Financeurs : Etat (BOP 147), Ville de Nantes (droit commun), Nantes Métropole

OBJECTIF STRATÉGIQUE 3 – DÉVELOPPER L'EMPLOI

Responsable(s) de l'objectif : France Travail

Droit commun
• France Travail : accompagnement global
Politique de la ville
• État : BOP 147
"""


def test_the_kind_a_funding_line_states_and_nature_cells_in_short(tmp_path):
    """Under a heading that does not say the kind, a line that states its own ("(crédits politique
    de la ville)", "(droit commun)", ", au titre du droit commun") has that kind, and the words are
    no instrument; a Nature cell says "DC", "CS" or "PV"; "Politique de la ville" alone heads the
    crédits spécifiques; roles "of the objective" and other partners' words are read."""
    draft = draft_of_text(tmp_path, KINDS_ON_THE_LINE)
    o1, o2, o3 = draft["orientations"]
    assert funding_of(o1) == [("specifique", "État", {"BOP 147", "adultes-relais"}),
                              ("droit-commun", "Ville de Nantes", {"service jeunesse"}),
                              ("droit-commun", "CAF de la Loire-Atlantique", {"CLAS", "REAAP"}),
                              ("droit-commun", "Région Pays de la Loire", {"programme régional de formation"}),
                              ("non-precise", "Nantes Métropole", {"fonds de participation des habitants"})]
    assert o1["funding"][2]["amount"] == 25000 and o1["funding"][4]["heading"] == "Partenaires financiers :"
    assert [f["kind"] for f in o2["funding"]] == ["specifique", "droit-commun", "specifique",
                                                 "non-precise", "droit-commun", "non-precise"]
    assert funding_of(o3) == [("droit-commun", "France Travail", {"accompagnement global"}),
                              ("specifique", "État", {"BOP 147"})]
    assert [p["name"] for p in o1["pilots"]] == ["Ville de Nantes", "DSDEN de la Loire-Atlantique"]
    assert [p["name"] for p in o1["services"]] == ["CAF de la Loire-Atlantique", "Mission locale Nantes Métropole"]
    assert [p["name"] for p in o2["services"]] == ["CPAM de la Loire-Atlantique"]


PILIERS_AND_MAQUETTE = """CONTRAT DE VILLE 2015-2020 – AGGLOMÉRATION DE VIERZON

LES ORIENTATIONS
   Orientation 1.1   Réussite éducative
   Orientation 2.1   Emploi et insertion

PILIER 1 – COHÉSION SOCIALE

Orientation 1.1 – Favoriser la réussite éducative des enfants

Indicateurs : nombre d’enfants suivis ; taux de réussite.

Le pilotage de cette orientation est assuré par la Ville de Vierzon, dans le cadre du projet
éducatif local, et par la DSDEN du Cher. La CAF du Cher et les centres sociaux y sont associés.

Cette orientation mobilise les crédits de droit commun de la CAF du Cher (CLAS), ainsi que les
crédits spécifiques de l’État (BOP 147).

PILIER 2 – EMPLOI

Orientation 2.1 – Rapprocher les habitants de l’emploi

Chef de file : Pôle emploi.
Y sont associés la Mission locale du Cher et le Conseil régional du Centre-Val de Loire.

V. SIGNATURES

Pour l’État, le Préfet du Cher, Jean DUPONT

Pour la Ville de Vierzon, le Maire, Anne MARTIN

ANNEXE 2 – MAQUETTE FINANCIÈRE PRÉVISIONNELLE

Orientation   Financeur                      Nature     Dispositif                       Montant 2015
                                             (DC / CS)
1.1           État – CGET                    CS         Programme de réussite              85 000 €
                                                        éducative (PRE)
1.1           Caisse d’allocations           DC         CLAS                               96 000 €
              familiales du Cher
              Ville de Vierzon               DC         Projet éducatif local                  n.c.
2.1           Pôle emploi                    DC         Accompagnement global          valorisation
              Caisse des dépôts                         Prêts renouvellement urbain        12 000 €

              Total                                                                      193 000 €

n.c. : non communiqué.
"""


def test_a_maquette_financiere_by_orientation_and_roles_in_sentences_beside_headings(tmp_path):
    """Funding set out in an annex table by orientation ("1.1", a blank cell under the row before):
    each row is a funding line of its orientation, its kind from the Nature cell (none: non-precise
    under the annex's title), a first cell cut over two rows made whole, "État – CGET" the State,
    "Programme … (PRE)" one instrument. The fiches are "Orientation 1.1 –" (the list above them is
    "Orientation 1.1   title"), their pilots and partners in sentences beside headings, and the
    signatures end at the annex."""
    draft = draft_of_text(tmp_path, PILIERS_AND_MAQUETTE)
    o1, o2 = draft["orientations"]
    assert (o1["number"], o1["line"], o2["number"], o2["line"]) == (1, 9, 2, 21)
    assert [p["name"] for p in o1["pilots"]] == ["Ville de Vierzon", "DSDEN du Cher"]
    assert [p["name"] for p in o1["services"]] == ["CAF du Cher", "centres sociaux"]
    assert [p["name"] for p in o2["pilots"]] == ["Pôle emploi"]
    assert [p["name"] for p in o2["services"]] == ["Mission locale du Cher", "Conseil régional du Centre-Val de Loire"]
    assert funding_of(o1) == [("droit-commun", "CAF du Cher", {"CLAS"}), ("specifique", "État", {"BOP 147"}),
                              ("specifique", "État", {"PRE"}),
                              ("droit-commun", "Caisse d’allocations familiales du Cher", {"CLAS"}),
                              ("droit-commun", "Ville de Vierzon", {"Projet éducatif local"})]
    assert [f["line"] for f in o1["funding"][2:]] == [36, 38, 40]
    assert funding_of(o2) == [("droit-commun", "Pôle emploi", {"Accompagnement global"}),
                              ("non-precise", "Caisse des dépôts", {"Prêts renouvellement urbain"})]
    assert o2["funding"][1]["heading"] == "ANNEXE 2 – MAQUETTE FINANCIÈRE PRÉVISIONNELLE"
    assert [s["line"] for s in draft["signatories"]] == [28, 30]
    assert all(not s.get("commitments") for s in draft["signatories"])


FUNDING_IN_SENTENCES = """CONTRAT DE VILLE 2024-2030 – VIERZON

OBJECTIF STRATÉGIQUE 1 – GARANTIR LA TRANQUILLITÉ PUBLIQUE

Indicateurs de suivi
   – faits constatés ; interventions de médiation.

Responsable(s) de l’objectif : Ville de Vierzon
Autres acteurs mobilisés : Police nationale

Financement de l’objectif
L’État mobilisera au titre de la politique de la ville le programme 147 et les adultes-relais
(deux postes). Au titre du droit commun, l’État apporte en outre le FIPD, soit 30 000 € par an
pour la vidéoprotection. La Ville de Vierzon finance sur son droit commun la police municipale.
Le Département du Cher consacre 80 000 € par an à la prévention spécialisée au titre de ses
compétences de droit commun.

GOUVERNANCE ET ÉVALUATION

Le comité de pilotage, présidé par le Préfet, réunit les signataires une fois par an. Il
arrête la programmation des crédits spécifiques.
"""


def test_funding_in_the_sentences_of_a_funding_section(tmp_path):
    """Under a funding heading, each sentence whose subject is a body is a funding line: its kind
    from the words of the sentence ("au titre de la politique de la ville", "sur son droit
    commun"), its instruments from the object (no sum, no "en outre", no count of posts); an
    "Indicateurs de suivi" heading above the roles is the fiche's; a part in capitals after the
    last fiche's sections ends it."""
    draft = draft_of_text(tmp_path, FUNDING_IN_SENTENCES)
    (o1,) = draft["orientations"]
    assert [p["name"] for p in o1["pilots"]] == ["Ville de Vierzon"]
    assert funding_of(o1) == [("specifique", "État", {"programme 147", "adultes-relais"}),
                              ("droit-commun", "État", {"FIPD"}),
                              ("droit-commun", "Ville de Vierzon", {"police municipale"}),
                              ("droit-commun", "Département du Cher", {"prévention spécialisée"})]
    assert [f["line"] for f in o1["funding"]] == [12, 13, 14, 15]
    assert max(f["line"] for f in o1["funding"]) < 19   # the governance below is no funding


OUTLINE = """CONTRAT DE VILLE 2024-2030 – GRAND ALBIGEOIS

1. LE CONTEXTE

Les quartiers de Cantepau et Lapanouse comptent 6 000 habitants.

2. LES ORIENTATIONS DU CONTRAT

2.1 Favoriser la réussite éducative

2.1.1 Constat
Les élèves des quartiers réussissent moins bien.

2.1.2 Pilotage et partenaires
Pilote : Ville d'Albi
Partenaires : CAF du Tarn, DSDEN du Tarn

2.1.3 Financements
- CAF du Tarn : CLAS

2.2 Améliorer l'accès à l'emploi

2.2.1 Constat
Le chômage atteint 30 %.

2.2.2 Pilotage et partenaires
Pilote : France Travail

2.2.3 Financements de droit commun
- Région Occitanie : programme régional de formation

3. GOUVERNANCE

Le comité de pilotage se réunit une fois par an.
"""


def test_the_fiches_are_a_level_of_a_numbered_outline(tmp_path):
    """No heading word: "2.1 Title" are the fiches, the level of the outline whose headings carry
    the pilots and funding; "2.1.3 Financements" is a section of its fiche."""
    draft = draft_of_text(tmp_path, OUTLINE)
    got = [(o["number"], o["line"], o["title"]) for o in draft["orientations"]]
    assert got == [(1, 9, "2.1 Favoriser la réussite éducative"), (2, 21, "2.2 Améliorer l'accès à l'emploi")]
    o1, o2 = draft["orientations"]
    assert [p["name"] for p in o1["pilots"]] == ["Ville d'Albi"]
    assert funding_of(o1) == [("non-precise", "CAF du Tarn", {"CLAS"})]
    assert funding_of(o2) == [("droit-commun", "Région Occitanie", {"programme régional de formation"})]


def test_python_dash_m_cvgraph_is_the_command():
    """`python -m cvgraph` runs the same command line (the held-out scorers fall back on it when
    no `cvgraph` is on the PATH)."""
    import subprocess
    import sys
    got = subprocess.run([sys.executable, "-m", "cvgraph", "ingest", "--help"], capture_output=True, text=True)
    assert got.returncode == 0 and "--contract" in got.stdout


WORD_TABLES_WITH_KINDS = """CONTRAT DE VILLE 2024-2030 – SAINT-QUENTIN

| Fiche n°1 | Réussite éducative |
|---|---|
| Porteur(s) | Ville de Saint-Quentin (direction de l'éducation) |
| Financeurs | État (BOP 147) – crédits spécifiques ; Ville de Saint-Quentin (droit commun) ; CAF de |
|  | l'Aisne (CLAS) – droit commun |
| Coût | 120 000 € par an |

| Fiche n°2 | Emploi |
|---|---|
| Porteur(s) | France Travail |
| Financeurs | Droit commun : Région Hauts-de-France (PRF) ; Crédits spécifiques : État (adultes-relais) |
"""


def test_kinds_stated_inside_a_list_of_funders_in_a_table(tmp_path):
    """"État (BOP 147) – crédits spécifiques", "Ville (droit commun)", "Droit commun : Région (PRF)"
    in a list apart by ";": each funder with the kind it states; the rule under a table's first row
    ("|---|---|") is no part of the title; a second funding heading ("Coût") is read on its own,
    its sum no part of the line above."""
    draft = draft_of_text(tmp_path, WORD_TABLES_WITH_KINDS)
    o1, o2 = draft["orientations"]
    assert (o1["title"], o2["title"]) == ("Réussite éducative", "Emploi")
    assert funding_of(o1) == [("specifique", "État", {"BOP 147"}), ("droit-commun", "Ville de Saint-Quentin", set()),
                              ("droit-commun", "CAF de l'Aisne", {"CLAS"})]
    assert "amount" not in o1["funding"][2]
    assert funding_of(o2) == [("droit-commun", "Région Hauts-de-France", {"PRF"}), ("specifique", "État", {"adultes-relais"})]


MAQUETTE_AS_CELLS = """CONTRAT DE VILLE 2024-2030 – SAINT-QUENTIN

| Fiche n°1 | Réussite éducative |
| Porteur(s) | Ville de Saint-Quentin |

| Fiche n°2 | Emploi |
| Porteur(s) | France Travail |

ANNEXE 1 – MAQUETTE FINANCIÈRE

| Fiche | Financeur | Nature | Dispositif | Montant |
| 1 | État | CS | BOP 147 | 20 000 € |
|  | CAF de l'Aisne | DC | CLAS | 10 000 € |
| 2 | Région Hauts-de-France | DC | PRF | n.c. |
"""


def test_a_maquette_financiere_read_as_cells(tmp_path):
    """The maquette as a table read as cells ("| 1 | État | CS | BOP 147 | 20 000 € |", the first
    cell empty under the row before): each row a funding line of its fiche, with its kind and sum."""
    draft = draft_of_text(tmp_path, MAQUETTE_AS_CELLS)
    o1, o2 = draft["orientations"]
    assert funding_of(o1) == [("specifique", "État", {"BOP 147"}), ("droit-commun", "CAF de l'Aisne", {"CLAS"})]
    assert [(f["line"], f.get("amount")) for f in o1["funding"]] == [(12, 20000), (13, 10000)]
    assert funding_of(o2) == [("droit-commun", "Région Hauts-de-France", {"PRF"})]


OUTLINE_WITH_SUBLEVELS = """CONTRAT DE VILLE 2024-2030 – RODEZ AGGLOMÉRATION

1. LE CONTRAT

1.1 Le cadre
Le contrat s'applique au quartier des Quatre-Saisons.

3. LES ORIENTATIONS

3.1 Ouvrir l'accès à l'emploi

3.1.1 Constat
Le chômage est élevé.

3.1.2 Gouvernance de l'action
Pilote : France Travail
Le pilotage est partagé avec la Mission locale, en lien avec la CAF de l'Aveyron et le CCAS de Rodez.

3.1.3 Moyens
| Financeur | Nature | Dispositif | 2024 |
| Région Occitanie | Droit commun | Programme régional de formation, | 90 000 € |
|  |  | FSE+ |  |
| Rodez Agglomération | Politique de la ville | Fonds d'appui aux initiatives | 15 000 € |
|  |  | locales |  |

3.2 Soutenir le commerce

3.2.2 Gouvernance de l'action
Pilote : Rodez Agglomération

3.2.3 Moyens
Au titre du droit commun, la Région Occitanie mobilise le FEDER, la Banque des Territoires les
CitésLab et les prêts aux foncières commerciales, et Bpifrance la garantie Création.

4. GOUVERNANCE

4.1 Le comité de pilotage
Il se réunit une fois par an.

5. SIGNATURES

Pour la Direction des services    Pour Rodez Agglomération,
départementaux de l’Éducation     le Président,
nationale de l’Aveyron,
l’Inspecteur d’académie,
"""


def test_a_numbered_outline_whose_sub_levels_carry_the_roles(tmp_path):
    """"3.1 Title" are the fiches though their "3.1.2 Gouvernance de l'action" carry the roles: the
    higher level whose headings carry the sections, only those that do ("1.1 Le cadre", "4.1 Le
    comité" are none); "en lien avec" in a sentence on the pilotage names partners beside a
    "Pilote :" heading; cells wrapped onto rows whose first cells are empty are their row's; the
    verb left out for the next funders; a signatory's name over three lines of its column."""
    draft = draft_of_text(tmp_path, OUTLINE_WITH_SUBLEVELS)
    assert [(o["number"], o["line"]) for o in draft["orientations"]] == [(1, 10), (2, 26)]
    o1, o2 = draft["orientations"]
    assert [p["name"] for p in o1["pilots"]] == ["France Travail"]
    assert [p["name"] for p in o1["services"]] == ["CAF de l'Aveyron", "CCAS de Rodez"]
    assert funding_of(o1) == [("droit-commun", "Région Occitanie", {"Programme régional de formation", "FSE+"}),
                              ("specifique", "Rodez Agglomération", {"Fonds d'appui aux initiatives locales"})]
    assert funding_of(o2) == [("droit-commun", "Région Occitanie", {"FEDER"}),
                              ("droit-commun", "Banque des Territoires", {"CitésLab", "prêts aux foncières commerciales"}),
                              ("droit-commun", "Bpifrance", {"garantie Création"})]
    assert [s.get("written", s["org"]) for s in draft["signatories"]][0].startswith(
        "Direction des services départementaux de l’Éducation nationale de l’Aveyron")


GRID_WITH_RECAP = """CONTRAT DE VILLE 2024-2030 – RODEZ AGGLOMÉRATION

FICHE ACTION N° 1

Intitulé                   Rénover l'habitat des Quatre-Saisons et du
                           Faubourg
Contexte et                Les logements sont anciens.
constat
Porteur(s)                 Rodez Agglomération
Financeurs                 Sud Massif Central Habitat (DC) : fonds propres
                           Anah (DC) : OPAH-RU
                           État (PV) : BOP 147 – 18 000 €
Coût                       2,4 M€ sur la durée du contrat, dont 1,9 M€ de travaux des
estimatif                  bailleurs

FICHE ACTION N° 2

Intitulé                   Soutenir l'emploi
Porteur(s)                 France Travail
Financeurs                 Région Occitanie – Pass Commerce (DC) : 40 000 €
                           Bpifrance – garantie Création (DC)

TABLEAU RÉCAPITULATIF DES FINANCEMENTS

   N° fiche  Financeur                                   Type de crédits          Montant
   1         État – BOP 147                              Politique de la ville    18 000 €
   2         Région Occitanie                            Droit commun             40 000 €
   Total                                                                           58 000 €
"""


def test_fiche_action_grids_whose_title_is_the_intitule_and_a_recap_by_fiche(tmp_path):
    """"FICHE ACTION N° 1" with no title: the "Intitulé" value is the title; labels cut over two
    lines ("Contexte et" / "constat", "Coût" / "estimatif"); a cost is no funding line; funders no
    registry knows, each on its line with "(DC)"/"(PV)" or "Funder – dispositif"; a recap table by
    fiche whose headings are two spaces apart ("N° fiche  Financeur")."""
    draft = draft_of_text(tmp_path, GRID_WITH_RECAP)
    o1, o2 = draft["orientations"]
    assert (o1["title"], o2["title"]) == ("Rénover l'habitat des Quatre-Saisons et du Faubourg", "Soutenir l'emploi")
    assert funding_of(o1) == [("droit-commun", "Sud Massif Central Habitat", {"fonds propres"}),
                              ("droit-commun", "Anah", {"OPAH-RU"}), ("specifique", "État", {"BOP 147"}),
                              ("specifique", "État", {"BOP 147"})]
    assert [f["line"] for f in o1["funding"]] == [10, 11, 12, 26]
    assert funding_of(o2) == [("droit-commun", "Région Occitanie", {"Pass Commerce"}),
                              ("droit-commun", "Bpifrance", {"garantie Création"}),
                              ("droit-commun", "Région Occitanie", set())]


FICHE_TABLES_WITH_SUB_HEADINGS = """CONTRAT DE VILLE 2024-2030 – SAINT-QUENTIN

| Orientation 1 | Favoriser la réussite éducative |
|---|---|
| Pilote(s) | Ville de Saint-Quentin ; DSDEN de l'Aisne |
| Financements | Droit commun : |
|  | - CAF de l'Aisne : CLAS, REAAP |
|  | Crédits spécifiques : |
|  | - État : BOP 147, cité éducative |

| Orientation 2 | Améliorer l'accès à l'emploi |
|---|---|
| Pilote(s) | France Travail |
| Financements | Région Hauts-de-France (droit commun) : PRF ; État (crédits spécifiques) : BOP |
|  | 147 ; France Travail (droit commun) |
"""


def test_kind_sub_headings_and_kinds_in_a_list_inside_the_cells_of_a_fiche_table(tmp_path):
    """"| Financements | Droit commun : |" opens the droit commun, not a line of it; a list apart by
    ";" whose pieces state their kind ("Région (droit commun) : PRF ; État (crédits spécifiques) :
    BOP" / "147 ; …") wrapped onto the next row gives a line per funder."""
    draft = draft_of_text(tmp_path, FICHE_TABLES_WITH_SUB_HEADINGS)
    o1, o2 = draft["orientations"]
    assert funding_of(o1) == [("droit-commun", "CAF de l'Aisne", {"CLAS", "REAAP"}),
                              ("specifique", "État", {"BOP 147", "cité éducative"})]
    assert funding_of(o2) == [("droit-commun", "Région Hauts-de-France", {"PRF"}), ("specifique", "État", {"BOP 147"}),
                              ("droit-commun", "France Travail", set())]


PARTNERS_IN_LISTS = """CONTRAT DE VILLE 2024-2030 – SAINT-QUENTIN

Orientation 1 – Favoriser la réussite éducative

Pilote : Ville de Saint-Quentin
Partenaires opérationnels :
• bailleurs sociaux : Clésence, Partenord Habitat ;
• Éducation nationale.

Orientation 2 – Emploi

Pilote : France Travail, en lien avec la Mission locale
Partenaires : Région Hauts-de-France et Département de l'Aisne
"""


def test_a_kind_then_its_bodies_and_partners_named_beside_the_pilot(tmp_path):
    """"bailleurs sociaux : Clésence, Partenord Habitat" names the two landlords; "Pilote : France
    Travail, en lien avec la Mission locale": the Mission locale is a partner, not a pilot."""
    draft = draft_of_text(tmp_path, PARTNERS_IN_LISTS)
    o1, o2 = draft["orientations"]
    assert [p["name"] for p in o1["services"]] == ["Clésence", "Partenord Habitat", "Éducation nationale"]
    assert [p.get("name") for p in o2["pilots"]] == ["France Travail"]
    assert [p.get("name") or p["written"] for p in o2["services"]] == \
        ["Région Hauts-de-France", "Département de l'Aisne", "Mission locale"]   # (listed without its article)


WORD_FICHES_OF_TWO_WORDS = """CONTRAT DE VILLE 2024-2030 – LE MANS MÉTROPOLE

| Orientation n°1 | Accompagner la réussite éducative |
| Pilotage | Ville du Mans |
| Financements | Au titre du droit commun, l’ARS Pays de la Loire mobilise le Fonds d’intervention |
|  | régional et la CPAM de la Sarthe sa mission accompagnement santé ; l’État mobilise, en |
|  | crédits spécifiques, le BOP 147 et l’ANCT le programme Entrepreneuriat Quartiers 2030. |

| FICHE 2 – ACCÈS AUX DROITS | |
| Intitulé | Améliorer l’accès aux droits et à la santé |
| Pilote(s) | ARS Pays de la Loire |
| Financements | Droit commun : |
|  | - Le Mans Métropole Habitat : abattement de TFPB |
|  | - Région Pays de la |
|  | Loire : Visa métiers |

| Orientation n°3 | Garantir la tranquillité publique |
| Pilotage | Ville du Mans |

Le projet s’appuie sur le CLSPD. La Police nationale et le Parquet du Mans y contribuent.
"""


def test_a_fiche_of_another_word_in_the_gap_of_the_numbering_and_names_going_on(tmp_path):
    """"FICHE 2 –" between "Orientation n°1" and "Orientation n°3" is the second fiche (its
    "Intitulé" its title); in sentences, "la CPAM … sa mission" and "l'ANCT le programme" are funders
    whose verb is left out, "en crédits spécifiques" says the kind, and a line beginning in lower
    case ("crédits spécifiques, le BOP 147") goes on with the sentence; "Le Mans Métropole Habitat"
    is a body of its own, not the metropolis; "Région Pays de la" / "Loire" is one name; "… y
    contribuent" names partners."""
    draft = draft_of_text(tmp_path, WORD_FICHES_OF_TWO_WORDS)
    o1, o2, o3 = draft["orientations"]
    assert [(o["number"], o["title"]) for o in (o1, o2, o3)] == [
        (1, "Accompagner la réussite éducative"), (2, "Améliorer l’accès aux droits et à la santé"),
        (3, "Garantir la tranquillité publique")]
    assert funding_of(o1) == [("droit-commun", "ARS Pays de la Loire", {"Fonds d’intervention régional"}),
                              ("droit-commun", "CPAM de la Sarthe", {"mission accompagnement santé"}),
                              ("specifique", "État", {"BOP 147"}),
                              ("specifique", "ANCT", {"programme Entrepreneuriat Quartiers 2030"})]
    assert funding_of(o2) == [("droit-commun", "Le Mans Métropole Habitat", {"abattement de TFPB"}),
                              ("droit-commun", "Région Pays de la Loire", {"Visa métiers"})]
    assert [p["name"] for p in o3["services"]] == ["Police nationale", "Parquet du Mans"]


# --- the ninth round: grid tables (pandoc), grids of labels over page breaks ------------------------

PANDOC_GRIDS = """Contrat de ville 2024-2030 de Vendôme

1. Le cadre du contrat

Le contrat couvre le quartier des Rottes, à Vendôme (Loir-et-Cher).

2. Les orientations

2.1 Garantir la réussite éducative

2.1.1 Mise en œuvre

+---------------+--------------------------------+
| Pilote(s)     | Ville de Vendôme               |
|               | DSDEN de Loir-et-Cher          |
+---------------+--------------------------------+
| Partenaires   | CAF de Loir-et-Cher, centre    |
|               | social des Rottes              |
+---------------+--------------------------------+

Financements mobilisés :

+----------------+------------------+--------------+------------+
| Financeur      | Dispositif       | Nature       | Montant    |
+================+==================+==============+============+
| CAF de         | CLAS, prestation | Droit commun | 38 000 €   |
| Loir-et-Cher   | de service       |              |            |
|                | jeunes           |              |            |
+----------------+------------------+--------------+------------+
| Ville de       |                  | Droit commun | 12 000 €   |
| Vendôme        |                  |              |            |
+----------------+------------------+--------------+------------+
| État (ANCT)    | PRE              | Crédits      | 40 000 €   |
|                |                  | spécifiques  |            |
+----------------+------------------+--------------+------------+

2.2 Améliorer l'accès aux soins

2.2.1 Mise en œuvre

+---------------+--------------------------------+
| Pilote(s)     | ARS Centre-Val de Loire        |
+---------------+--------------------------------+
| Partenaires   | CPAM de Loir-et-Cher           |
+---------------+--------------------------------+

Financements mobilisés :

+----------------+------------------+--------------+------------+
| Financeur      | Dispositif       | Nature       | Montant    |
+================+==================+==============+============+
| État           | BOP 147          | Politique de | 30 000 €   |
|                |                  | la ville     |            |
+----------------+------------------+--------------+------------+

3. Gouvernance

3.1 Les instances

Le comité de pilotage réunit les signataires ; il arrête la programmation des
crédits spécifiques et suit le droit commun.

Annexe – Maquette financière par orientation

+----------------+-------------------------+-------------------------+
| Orientation    | Droit commun            | Crédits spécifiques     |
+================+=========================+=========================+
| 2.1 Éducation  | CAF de Loir-et-Cher :   | État (PRE) : 40 000     |
|                | 38 000                  |                         |
+----------------+-------------------------+-------------------------+
| 2.2 Santé      | non chiffré             | État (BOP 147) : 30 000 |
+----------------+-------------------------+-------------------------+
"""


def test_grid_tables_as_pandoc_writes_a_word_documents_tables(tmp_path):
    """"+----+" grid tables whose cells wrap over the row's lines: a row is one line, its cells whole
    ("CAF de" / "Loir-et-Cher"), a cell of one name a line ("Ville de Vendôme" / "DSDEN de
    Loir-et-Cher", where the next name would have fitted) a list; the tables' heading rows, the same
    in each fiche, are no running header; "3." ends the outline's last fiche, and "3.1 Les
    instances", whose sentence only goes on with the words "crédits spécifiques", is no fiche; the
    annex by orientation whose columns are the kinds gives each orientation its funders."""
    draft = draft_of_text(tmp_path, PANDOC_GRIDS)
    o1, o2 = draft["orientations"]
    assert (o1["title"], o2["title"]) == ("2.1 Garantir la réussite éducative", "2.2 Améliorer l'accès aux soins")
    assert [p.get("name") for p in o1["pilots"]] == ["Ville de Vendôme", "DSDEN de Loir-et-Cher"]
    assert {p.get("name") for p in o1["services"]} == {"CAF de Loir-et-Cher", "centre social des Rottes"}
    assert funding_of(o1)[:3] == [("droit-commun", "CAF de Loir-et-Cher", {"CLAS", "prestation de service jeunes"}),
                                  ("droit-commun", "Ville de Vendôme", set()),
                                  ("specifique", "État", {"PRE"})]
    assert [f.get("amount") for f in o1["funding"][:3]] == [38000, 12000, 40000]
    # the annex: its rows under their orientation, the kind from the column, the sums in euros
    assert funding_of(o1)[3:] == [("droit-commun", "CAF de Loir-et-Cher", set()), ("specifique", "État", {"PRE"})]
    assert funding_of(o2) == [("specifique", "État", {"BOP 147"}), ("specifique", "État", {"BOP 147"})]
    assert [f.get("amount") for f in o1["funding"][3:]] == [38000, 40000]


def test_a_line_on_the_credits_of_the_politique_de_la_ville_and_kinds_compared_as_built(tmp_path):
    """Under "Financeurs", a heading that does not say the kind: "État (BOP 147) : adultes-relais"
    names the credits of the politique de la ville it draws on, so the line is of the crédits
    spécifiques, flagged as inferred, its heading kept; "Ville : 10 000 €" stays non précisée.
    `compare` compares kinds as the graph gives them: "État : BOP 147" under "Financeurs" is of the
    crédits spécifiques, however the curated sheet writes it."""
    text = """CONTRAT DE VILLE DE VENDÔME

Orientation 1 – Santé
Pilote : ARS Centre-Val de Loire
Financeurs :
• État (BOP 147) : adultes-relais – 2 postes de médiateurs
• Ville de Vendôme : 10 000 €

Orientation 2 – Emploi
Pilote : France Travail
Financeurs :
• État : BOP 147
"""
    draft = draft_of_text(tmp_path, text)
    o1, o2 = draft["orientations"]
    state, town = o1["funding"]
    assert (state["kind"], state["inferred"], state["heading"], state["instruments"]) == (
        "specifique", True, "Financeurs :", ["BOP 147", "adultes-relais"])
    assert "« État (BOP 147) »" in state["flag"]
    assert (town["kind"], town.get("inferred")) == ("non-precise", None)
    assert o2["funding"][0]["kind"] == "non-precise"
    curated = yaml.safe_load((tmp_path / "essai.yaml").read_text(encoding="utf-8"))
    curated["orientations"][1]["funding"][0]["kind"] = "specifique"   # as a person reads it
    (tmp_path / "curated.yaml").write_text(yaml.safe_dump(curated, allow_unicode=True), encoding="utf-8")
    assert compare(tmp_path / "essai.yaml", tmp_path / "curated.yaml")["funding kinds"]["recall"] == 1.0


# --- the tenth round: Markdown from a PDF converter, Word tables one cell a line -------------------

MARKDOWN = """# CONTRAT DE VILLE 2024-2030

## Sommaire

1. Le cadre du contrat
2. Les orientations
3. Signatures

# 2. Les orientations

### Orientation stratégique 1 : Favoriser la *réussite* éducative

**Pilote(s) :** DSDEN de l’Aisne, Ville de Saint-Quentin

**Partenaires associés**

- CAF de l’Aisne
- Centre social Europe

#### Financements

| Financeur | Dispositif | Nature | Montant |
|---|---|---|---|
| CAF de l’Aisne | CLAS<br>Promeneurs du Net | DC | 64 000 € |
| Région<br>Hauts-de-France | FSE+ | DC | |
| État | BOP 147 | PV | 72 000 € |

# 3. Signatures

| Pour l’État | Pour la Ville de Saint-Quentin |
|---|---|
| Le Préfet de l’Aisne | La Maire |
| **Pour la Région Hauts-de-France** | **Pour la Caisse d’allocations familiales<br>de l’Aisne** |
| Le Président | La Directrice |
"""


def test_markdown_as_pdf_to_markdown_converters_write_a_contract(tmp_path):
    """"#" headings, bold labels and emphasis, pipe tables whose cells hold "<br>" (a list, or a
    name cut: "Région<br>Hauts-de-France", "… familiales<br>de l'Aisne"); the table of contents'
    "3. Signatures" is no section of signatories, the one at the end is."""
    draft = draft_of_text(tmp_path, MARKDOWN)
    (o1,) = draft["orientations"]
    assert o1["title"] == "Favoriser la réussite éducative"
    assert [p.get("name") for p in o1["pilots"]] == ["DSDEN de l’Aisne", "Ville de Saint-Quentin"]
    assert {p.get("name") for p in o1["services"]} == {"CAF de l’Aisne", "Centre social Europe"}
    assert funding_of(o1) == [("droit-commun", "CAF de l’Aisne", {"CLAS", "Promeneurs du Net"}),
                              ("droit-commun", "Région Hauts-de-France", {"FSE+"}),
                              ("specifique", "État", {"BOP 147"})]
    signed = [s["org"] for s in draft["signatories"]]
    assert len(signed) == 4 and "Caisse d’allocations familiales de l’Aisne" in signed


CELLS_A_LINE = """CONTRAT DE VILLE D’ÉVREUX PORTES DE NORMANDIE
Axe 1 – Emploi
Objectif stratégique 1.1 : Lever les freins d’accès à l’emploi
Enjeux
Rapprocher les services publics de l’emploi des habitants.
Pilote(s)
DDETS de l’Eure
France Travail
Partenaires
Mission locale de l’agglomération d’Évreux
conseil citoyen de Nétreville
Financements mobilisables
Financeur
Dispositif
Nature
Montant
France Travail
Accompagnement intensif des jeunes
Aide à la mobilité
Droit commun
valorisation
Caisse d’allocations familiales
de l’Eure
CLAS
Droit commun

Évreux Portes de Normandie

Crédits spécifiques
30 000 €
État
BOP 147
Crédits spécifiques
62 000 €

Objectif stratégique 1.2 : Soutenir l’entrepreneuriat
Pilote(s)
Évreux Portes de Normandie
"""


def test_a_word_table_whose_cells_come_one_a_line(tmp_path):
    """A DOCX-to-text tool writes each table cell on a line of its own, an empty cell as an empty
    line, nothing between rows: the rows are found by their Nature and Montant cells, a cell of two
    paragraphs is a list, a funder's name cut over two lines ("… familiales" / "de l'Eure") whole;
    "Enjeux" is a section, not "Enjeu X"; a partner in lower case on a line of its own is one."""
    draft = draft_of_text(tmp_path, CELLS_A_LINE)
    o1, o2 = draft["orientations"]
    assert [o["title"] for o in (o1, o2)] == ["1.1 Lever les freins d’accès à l’emploi", "1.2 Soutenir l’entrepreneuriat"]
    assert [p.get("name") for p in o1["pilots"]] == ["DDETS de l’Eure", "France Travail"]
    assert [p.get("name") for p in o1["services"]] == ["Mission locale de l’agglomération d’Évreux", "conseil citoyen de Nétreville"]
    assert funding_of(o1) == [
        ("droit-commun", "France Travail", {"Accompagnement intensif des jeunes", "Aide à la mobilité"}),
        ("droit-commun", "Caisse d’allocations familiales de l’Eure", {"CLAS"}),
        ("specifique", "Évreux Portes de Normandie", set()),
        ("specifique", "État", {"BOP 147"})]
    assert [f.get("amount") for f in o1["funding"]] == [None, None, 30000, 62000]


# --- the eleventh round: a web page saved by a text browser, fiches actions with tables by year ------

WEB_PAGE = """   [1]Aller au contenu   [2]Menu   [3]Rechercher

   [5]Accueil > [6]Vivre > [7]Politique de la ville > Contrat de ville

Le contrat de ville d’Épinal
============================

Orientation n°1 – Réussir à l’école, de la petite enfance à l’insertion
des jeunes
------------------------------------------------------------------------

   Constat. Les écoles des quartiers relèvent de l’[8]éducation prioritaire
   et le [9]programme de réussite éducative y suit 180 enfants.

Qui pilote ?

  * [18]DSDEN des Vosges
  * Ville d’Épinal (direction de l’éducation)

Avec qui ?

   [19]CAF des Vosges, Ville de Golbey.

Quels moyens ?

  * Droit commun
    + CAF des Vosges : CLAS
  * Crédits spécifiques (politique de la ville)
    + État : BOP 147

Orientation n°2 – Garantir la tranquillité publique
---------------------------------------------------

   Le pilotage est partagé entre la Ville d’Épinal et la Préfecture des
   Vosges.

QUELS MOYENS ?

   Droit commun des partenaires et crédits de la politique de la ville
   confondus :

   Partenaire         Dispositif                           Montant
   État               FIPD                                 64 000 €
   Conseil            Prévention spécialisée               120 000 €
   départemental des
   Vosges
   Ville d’Épinal     —                                    valorisation

Les signataires
---------------

   Le présent contrat est signé par : l’État, représenté par la préfète des
   Vosges ; la Ville d’Épinal, représentée par son maire ; Vosgelis et Le
   Toit Vosgien, représentés par leurs directeurs généraux.

   [24]Mentions légales | [25]Plan du site
   © 2024 Agglomération d’Épinal

References

   1. https://www.agglo-epinal.fr/
  18. https://www.ac-nancy-metz.fr/dsden-des-vosges
"""


def test_a_web_page_saved_by_a_text_browser(tmp_path):
    """`lynx -dump`: link numbers and navigation gone, headings underlined over two lines, the
    questions "Qui pilote ?" / "Avec qui ?" / "Quels moyens ?", "* Droit commun" over "+ …" lines, a
    table whose first cell wraps over three lines and whose "—" and "valorisation" cells hold no
    value, a table of both kinds "confondus" (no kind), "Le pilotage est partagé entre A et B", and
    the signatories in one sentence."""
    draft = draft_of_text(tmp_path, WEB_PAGE)
    o1, o2 = draft["orientations"]
    assert o1["title"] == "Réussir à l’école, de la petite enfance à l’insertion des jeunes"
    assert [p.get("name") for p in o1["pilots"]] == ["DSDEN des Vosges", "Ville d’Épinal (direction de l’éducation)"]
    assert {p.get("name") for p in o1["services"]} == {"CAF des Vosges", "Ville de Golbey"}
    assert funding_of(o1) == [("droit-commun", "CAF des Vosges", {"CLAS"}), ("specifique", "État", {"BOP 147"})]
    assert {p.get("name") for p in o2["pilots"]} == {"Ville d’Épinal", "Préfecture des Vosges"}
    assert funding_of(o2) == [("non-precise", "État", {"FIPD"}),
                              ("non-precise", "Conseil départemental des Vosges", {"Prévention spécialisée"}),
                              ("non-precise", "Ville d’Épinal", set())]
    assert [s["org"] for s in draft["signatories"]][:2] == ["etat", "Ville d’Épinal"]
    assert len(draft["signatories"]) == 4


FICHES_ACTIONS = """CONTRAT DE VILLE 2024-2030 – NEVERS AGGLOMÉRATION

ORIENTATION 1 : Favoriser la réussite éducative
Constat
Les élèves des quartiers réussissent moins bien.

Fiche action 1.1 – Parcours de réussite éducative
Porteur : Ville de Nevers
Partenaires : CAF de la Nièvre, Lire et faire lire 58
Plan de financement (en euros)
Financeur    2024    2025    2026    Total
Droit commun
CAF de la Nièvre – CLAS    9 000    9 000    9 000    27 000
Crédits politique de la ville
État – BOP 147, programme de    62 000    62 000    62 000 (à confirmer)    186 000
réussite éducative
Total    71 000    71 000    71 000    213 000

Fiche action 1.2 – Lieux d’accueil parents
L’action est portée par l’association Parents 58, avec l’appui de la CPAM de
la Nièvre, du Centre hospitalier de l’agglomération de Nevers et de l’atelier
santé ville. L’ARS Bourgogne-Franche-Comté en assure le co-pilotage.

ORIENTATION 2 : Rapprocher les habitants de l’emploi
Porteur : Nevers Agglomération (service emploi)
"""


def test_fiches_actions_inside_an_orientation_and_tables_by_year(tmp_path):
    """Each "Fiche action N.M" inside "ORIENTATION N" ends the section above it, and its roles and
    funding are the orientation's; a table by year gives a line per row, its sums in euros though
    written with no "€", the scheme after the funder's dash, a first cell cut over two lines whole;
    roles in sentences ("portée par", "avec l'appui de A, du B et de l'atelier …", "en assure le
    co-pilotage")."""
    draft = draft_of_text(tmp_path, FICHES_ACTIONS)
    o1, o2 = draft["orientations"]
    assert {p.get("name") or p.get("written") for p in o1["pilots"]} == {
        "Ville de Nevers", "association Parents 58", "ARS Bourgogne-Franche-Comté"}
    assert [p.get("name") for p in o1["services"]] == [
        "CAF de la Nièvre", "Lire et faire lire 58", "CPAM de la Nièvre",
        "Centre hospitalier de l’agglomération de Nevers", "atelier santé ville"]
    assert funding_of(o1) == [("droit-commun", "CAF de la Nièvre", {"CLAS"}),
                              ("specifique", "État", {"BOP 147", "programme de réussite éducative"})]
    assert o1["funding"][0]["amount_note"] == "9 000 € ; 9 000 € ; 9 000 € ; 27 000 €"


MATRIX = """CONTRAT DE VILLE 2024-2030 – COMMUNAUTÉ D'AGGLOMÉRATION DU GRAND ANGOULÊME

Orientation stratégique n°1 : Favoriser la réussite éducative et accompagner les parents
Constat
Les écarts de réussite scolaire restent forts.
L'association Les Petits Débrouillards Charente sera associée aux ateliers du mercredi.
Objectifs opérationnels
   • développer l'accompagnement à la scolarité.

Orientation stratégique n°2 : Rapprocher les habitants de l'emploi, de la formation et des services
publics
Constat
Le chômage des jeunes est deux fois plus élevé dans les quartiers.

ANNEXE 1 – MATRICE DES RESPONSABILITÉS

  N°   Orientation stratégique        État    EPCI    CAF     DSDEN    Bailleurs

  1    Réussite éducative et            A               A       P
       parentalité
  2    Emploi, formation               C       P                         A

Légende
Rôles : P = pilote ; C = co-pilote ; A = partenaire associé.
Abréviations :
   État : État (Préfecture de la Charente)        DSDEN : Direction des services départementaux
   EPCI : GrandAngoulême                                  de l'Éducation nationale de la Charente
   CAF : Caisse d'allocations familiales          Bailleurs : Logélia Charente, Noalis
         de la Charente

ANNEXE 2 – MAQUETTE FINANCIÈRE PRÉVISIONNELLE

  Financeur                   Dispositif                         Nature         2024       2025-2030
                                                                                            (prév.)
  Orientation n°1 – Réussite éducative et parentalité
  État                        Programme de réussite éducative     CS         118 000         708 000
  CAF de la Charente          CLAS, REAAP                         DC          86 000         516 000
  Sous-total orientation n°1                                                 204 000       1 224 000
  Orientation n°2 – Emploi, formation
  État                        BOP 147                             CS          92 000         552 000
  Ville d'Angoulême           Maison de l'emploi                              35 000         210 000

Nature : DC = droit commun ; CS = crédits spécifiques. Une case vide : nature non arrêtée.
"""


def test_a_matrix_of_responsibilities_and_a_maquette_whose_rows_come_under_their_orientation(tmp_path):
    """Fiches with no roles and no money: the roles come from the annex's matrix (a column per
    partner, "P", "C" or "A" in its cells, the columns' abbreviations explained by a legend set in
    two columns), the money from a maquette whose rows come under a row naming their orientation
    (the Nature cell "DC"/"CS" gives the kind, an empty one leaves it non précisé, a sub-total is no
    line); an association named in a sentence "sera associée à" is a service."""
    draft = draft_of_text(tmp_path, MATRIX)
    o1, o2 = draft["orientations"]
    assert o2["title"] == "Rapprocher les habitants de l'emploi, de la formation et des services publics"

    def names(items):
        return sorted(x.get("name") or x["written"] for x in items)

    assert names(o1["pilots"]) == ["Direction des services départementaux de l'Éducation nationale de la Charente"]
    assert names(o1["services"]) == ["Caisse d'allocations familiales de la Charente",
                                     "association Les Petits Débrouillards Charente", "État (Préfecture de la Charente)"]
    assert [x.get("orgs") for x in o1["services"] if x.get("written", "").startswith("État")] == [["etat"]]
    assert names(o2["pilots"]) == ["GrandAngoulême", "État (Préfecture de la Charente)"]
    assert names(o2["services"]) == ["Logélia Charente", "Noalis"]
    assert [p["line"] for p in o2["pilots"]] == [21, 21]
    assert funding_of(o1) == [("specifique", "État", {"Programme de réussite éducative"}),
                              ("droit-commun", "CAF de la Charente", {"CLAS", "REAAP"})]
    assert [(k, f) for k, f, _ in funding_of(o2)] == [("specifique", "État"), ("non-precise", "Ville d'Angoulême")]
    assert [f["line"] for f in o2["funding"]] == [40, 41]
    assert o2["funding"][1]["heading"] == "ANNEXE 2 – MAQUETTE FINANCIÈRE PRÉVISIONNELLE"


NEVERS_SPACED = """Fiche action 1.1 – Insertion par l'activité économique
Porteur : Nevers Agglomération (service emploi-insertion)
Partenaires : Mission locale Nivernais Morvan
Plan de financement (en euros)
Financeur 2024 2025 2026 Total
Droit commun
Autofinancement 35 000 35 000 35 000 105 000
Département de la Nièvre – PDI 15 000 15 000 (à confirmer) 15 000 45 000
Crédits politique de la ville
État – BOP 147 100 000 100 000 — 200 000
Total 150 000 150 000 50 000 350 000
"""


def test_a_table_whose_cells_are_one_space_apart_and_a_porteur_funding_itself(tmp_path):
    """A table as a PDF-to-text tool gives it without its layout: the header says how many sums a
    row ends with, so "État – BOP 147 100 000 100 000 — 200 000" is the State's BOP 147 (its "147"
    no sum: the total adds up only so); an "Autofinancement" row is the fiche's porteur funding
    itself, flagged."""
    from cvgraph.ingest.converted import spaced_sums
    assert spaced_sums("État – BOP 147 100 000 100 000 — 200 000", 4, True) == ["État – BOP 147", "100 000", "100 000", "—", "200 000"]
    assert spaced_sums("Ville de Nevers 6 000 6 000 (à confirmer) 18 000", 3, True) == \
        ["Ville de Nevers", "6 000", "6 000 (à confirmer)", "18 000"]
    assert spaced_sums("Soutien scolaire renforcé", 4, True) is None
    draft = draft_of_text(tmp_path, "ORIENTATION 1 : Emploi et insertion\n\n" + NEVERS_SPACED)
    (o1,) = draft["orientations"]
    assert funding_of(o1) == [("droit-commun", "Nevers Agglomération", set()),
                              ("droit-commun", "Département de la Nièvre", {"PDI"}),
                              ("specifique", "État", {"BOP 147"})]
    own = o1["funding"][0]
    assert own["line"] == 9 and "Autofinancement" in own["flag"] and "l. 4" in own["flag"]
    assert o1["funding"][1]["amount_note"] == "15 000 € ; 15 000 € ; 15 000 € ; 45 000 €"   # four sums, as the header says


ENGAGEMENTS = """CONTRAT DE VILLE 2024-2030 – GRANDANGOULÊME

Article 3 – Les orientations
Orientation 1 – Garantir à chaque enfant un parcours éducatif de réussite, de la petite
enfance à la sortie du lycée
Dans les écoles des quartiers, classées en REP et REP+, un élève de sixième sur trois ne
maîtrise pas les attendus en français. Le Département est un acteur de ce champ.
Orientation 2 – Rapprocher les habitants de l’emploi
Le chômage des jeunes reste élevé.

DEUXIÈME PARTIE – LES ENGAGEMENTS DES SIGNATAIRES

2.1 Engagements de l’État
L’État veille à la cohérence d’ensemble du contrat.
• Orientation 2 : l’État assure le pilotage de l’orientation. Il mobilise en droit
commun les parcours emploi compétences, et en crédits spécifiques le BOP 147.
• Orientations 1 et 2 : partenaire ; crédits spécifiques : adultes-relais.

2.2 Engagements de la Ville de Soyaux
La Ville de Soyaux participe à l’orientation 2. Elle finance en droit commun
l’accompagnement à la scolarité (orientation 1) et le centre socioculturel (orientation 2).
Pour l’orientation 1, la Ville de Soyaux est cheffe de file du projet éducatif.

2.3 Engagements du Département de la Charente
Orientation    Rôle          Financement
O1             Partenaire    Droit commun : protection maternelle et infantile
O2             Partenaire    Soutien aux centres sociaux : 25 000 € par an
Le Département ne mobilise pas de crédits spécifiques.

2.4 Engagements des autres partenaires
La CPAM de la Charente participe à l’orientation n°1 ; elle y engage des crédits de droit
commun dont le montant sera précisé chaque année.
Les conseils citoyens sont associés à l’ensemble des orientations.

TROISIÈME PARTIE – GOUVERNANCE
Le comité de pilotage se réunit une fois par an.
"""


def test_roles_and_money_set_out_signatory_by_signatory(tmp_path):
    """Orientations that give no roles, then a section per signatory: each statement that names
    orientations ("Orientation 2 :", "Orientations 1 et 2", "l'orientation n°1", a table's "O1")
    gives its subject (the body it names, else the section's) as a pilot ("assure le pilotage",
    "cheffe de file"), a service ("participe", "partenaire") and a funder by each kind it names; a
    sentence opened by a pronoun goes on with the same body and orientations; sums beside
    "(orientation N)" go to that orientation; a statement naming no orientation gives nothing."""
    draft = draft_of_text(tmp_path, ENGAGEMENTS)
    o1, o2 = draft["orientations"]
    assert o1["title"] == "Garantir à chaque enfant un parcours éducatif de réussite, de la petite enfance à la sortie du lycée"

    def names(items):
        return sorted((x.get("name") or x["written"], x["line"]) for x in items)

    assert names(o1["pilots"]) == [("Ville de Soyaux", 22)]
    assert names(o2["pilots"]) == [("État", 15)]
    assert names(o1["services"]) == [("CPAM de la Charente", 31), ("Département de la Charente", 26), ("État", 17)]
    assert names(o2["services"]) == [("Département de la Charente", 27), ("Ville de Soyaux", 20), ("État", 17)]
    assert sorted(funding_of(o1)) == sorted([
        ("specifique", "État", {"adultes-relais"}),
        ("droit-commun", "Ville de Soyaux", {"accompagnement à la scolarité"}),
        ("droit-commun", "Département de la Charente", {"protection maternelle et infantile"}),
        ("droit-commun", "CPAM de la Charente", set())])
    assert sorted(funding_of(o2)) == sorted([
        ("droit-commun", "État", {"parcours emploi compétences"}),
        ("specifique", "État", {"BOP 147"}),
        ("specifique", "État", {"adultes-relais"}),
        ("droit-commun", "Ville de Soyaux", {"centre socioculturel"}),
        ("non-precise", "Département de la Charente", {"Soutien aux centres sociaux"})])
    cell = next(f for f in o2["funding"] if f["kind"] == "non-precise")
    assert cell["heading"] == "Financement" and cell["amount"] == 25000
    assert "missing_sections" not in o1 or "pilots" not in o1["missing_sections"]


WORD_PASTE = ("Orientation 1 – Lever les freins à l’emploi\n"
              "Pilote(s)\tDDETS de l’Oise\n"
              "France Travail\n"
              "Partenaires associés\t•\tCCI de l’Oise\n"
              "•\tInitiative Oise Sud\n"
              "Public cible\tDemandeurs d’emploi des QPV\n"
              "Financements mobilisables\n"
              "Financeur\tDispositif\tNature du financement\tMontant annuel\n"
              "France Travail\tAccompagnement intensif des jeunes\n"
              "Contrat d’engagement jeune\tDroit commun\t140 000 €\n"
              "Département de l’Oise\tProgramme départemental d’insertion\t\t60 000 €\n"
              "Bailleurs sociaux\n"
              "(OPAC de l’Oise, Clésence)\tAbattement de TFPB\tDroit commun\t1 200 000 €\n"
              "État\tBOP 147\tCrédits spécifiques PV\t95 000 €\n"
              "Le Département de l’Oise mobilise en outre, au titre de son droit commun, le fonds d’aide aux jeunes.\n")


def test_a_word_document_pasted_as_text_its_tables_a_tab_between_cells(tmp_path):
    """A word processor's table pasted as text: cells a tab apart, a cell of several paragraphs going
    on on the next line with no tab before it (the row's other cells after it), a bullet and a tab
    inside a cell, an empty cell kept in its column, a first cell of two paragraphs; a sentence under
    the table is read as the section's funding."""
    from cvgraph.ingest.converted import tab_cells
    from cvgraph.ingest.reading import Line
    rows = tab_cells([Line(i, t) for i, t in enumerate(WORD_PASTE.splitlines(), 1)])
    assert [r.n for r in rows] == [1, 2, 4, 6, 7, 8, 9, 11, 12, 14, 15]   # a row's paragraphs go up to its first line
    assert re.split(r"\s{3,}", rows[1].text) == ["Pilote(s)", "DDETS de l’Oise, France Travail"]
    assert re.split(r"\s{3,}", rows[6].text) == ["France Travail", "Accompagnement intensif des jeunes, Contrat d’engagement jeune",
                                                "Droit commun", "140 000 €"]
    assert rows[7].text.index("60 000 €") == rows[5].text.index("Montant annuel")   # the empty Nature cell keeps its column
    draft = draft_of_text(tmp_path, WORD_PASTE)
    (o1,) = draft["orientations"]
    assert [p["name"] for p in o1["pilots"]] == ["DDETS de l’Oise", "France Travail"]
    assert [p["name"] for p in o1["services"]] == ["CCI de l’Oise", "Initiative Oise Sud"]
    assert sorted(funding_of(o1)) == sorted([
        ("droit-commun", "France Travail", {"Accompagnement intensif des jeunes", "Contrat d’engagement jeune"}),
        ("non-precise", "Département de l’Oise", {"Programme départemental d’insertion"}),
        ("droit-commun", "Bailleurs sociaux", {"Abattement de TFPB"}),
        ("specifique", "État", {"BOP 147"}),
        ("droit-commun", "Département de l’Oise", {"fonds d’aide aux jeunes"})])


FORM = """FICHE ORIENTATION N°1

Intitulé de l’orientation ....... : Favoriser la réussite éducative des enfants et des jeunes, de la
                                    petite enfance à l’insertion
Quartier(s) ..................... : Prés-Saint-Jean ; Cévennes
Service référent / pilote ....... : Ville d’Alès (direction de l’éducation)
Partenaires opérationnels ....... : Caisse d’allocations familiales du Gard ; Département du
                                    Gard (PMI) ; association Lire et Grandir en Cévennes
Co-financeurs ................... : État ; CAF ; Bpifrance

Nature des crédits : [ ] droit commun  [X] crédits spécifiques

Plan de financement prévisionnel (annuel) .. : 100 000 €
    - État – programme de réussite éducative : 40 000 € (40 %)
    - CAF (droit commun – CLAS) : 15 %
    - Autofinancement du porteur : 10 %

Observations .................... : La Mission locale d’Alès est associée au repérage des jeunes.
"""


def test_a_form_whose_labels_are_led_by_dots_with_a_box_ticked_for_the_kind(tmp_path):
    """A filled-in form as text: "Label ..... : value", values wrapped under them (the item cut at the
    line end joined); "Service référent / pilote" a pilot; the box ticked for the kind of the whole
    plan gives the lines that state none theirs, flagged; "(droit commun – CLAS)" states the kind and
    the scheme; "Autofinancement du porteur" is the pilot; a list of co-funders recalls the plan and
    only adds the funders the plan does not name; a sentence of a field adds a partner."""
    draft = draft_of_text(tmp_path, FORM)
    (o1,) = draft["orientations"]
    assert o1["title"] == "Favoriser la réussite éducative des enfants et des jeunes, de la petite enfance à l’insertion"
    assert [p.get("name") or p["written"] for p in o1["pilots"]] == ["Ville d’Alès (direction de l’éducation)"]
    assert [p.get("name") or p["written"] for p in o1["services"]] == [
        "Caisse d’allocations familiales du Gard", "Département du Gard (PMI)", "association Lire et Grandir en Cévennes",
        "Mission locale d’Alès"]
    assert sorted(funding_of(o1)) == sorted([
        ("specifique", "État", {"programme de réussite éducative"}),
        ("droit-commun", "CAF", {"CLAS"}),
        ("specifique", "Ville d’Alès", set()),
        ("non-precise", "Bpifrance", set())])
    boxed = next(f for f in o1["funding"] if f["funder"] == "État")
    assert "Nature cochée" in boxed["flag"] and "l. 11" in boxed["flag"] and "heading" not in boxed
    own = next(f for f in o1["funding"] if f["funder"] == "Ville d’Alès")
    assert "Autofinancement du porteur" in own["flag"]


ACRONYMS = """CONTRAT DE VILLE 2024-2030 – VILLE DE SAINT-DIZIER

ARTICLE 2 – ORIENTATIONS
Orientation 1 : Réussite éducative
Orientation 2 : Emploi

------------------------------------------------------------
FICHE 1
Faire réussir chaque enfant des quartiers, de la crèche au lycée
------------------------------------------------------------
Actions :
1.1 Pilotage du programme de réussite éducative.
Pilote(s) : DSDEN ; Ville de Saint-Dizier
Partenaires : CAF ; CCAS
Financements DC : CAF (CLAS, REAAP) ; DSDEN (Devoirs faits)
Financements PV : État (BOP 147 – PRE)

------------------------------------------------------------
FICHE 2
Rapprocher les habitants de l’emploi
------------------------------------------------------------
Pilote(s) : France Travail
Partenaires : Mission locale
CS :
- État (BOP 147)
"""


def test_fiches_boxed_in_rules_below_a_list_of_the_orientations_and_kinds_by_their_abbreviations(tmp_path):
    """Issue 16, point 1: "FICHE N" in a box of dashed rules, its title on the next line, under an
    article that only lists the orientations (the fiches are the headings that carry the sections);
    "Financements DC :", "Financements PV :", "CS :" give the kinds; "1.1 Pilotage du programme …"
    under "Actions :" is an action, no heading of pilots."""
    draft = draft_of_text(tmp_path, ACRONYMS)
    o1, o2 = draft["orientations"]
    assert (o1["number"], o1["line"], o1["title"]) == (1, 8, "Faire réussir chaque enfant des quartiers, de la crèche au lycée")
    assert o2["title"] == "Rapprocher les habitants de l’emploi"
    assert [p["name"] for p in o1["pilots"]] == ["DSDEN", "Ville de Saint-Dizier"]
    assert funding_of(o1) == [("droit-commun", "CAF", {"CLAS", "REAAP"}), ("droit-commun", "DSDEN", {"Devoirs faits"}),
                              ("specifique", "État", {"BOP 147", "PRE"})]
    assert funding_of(o2) == [("specifique", "État", {"BOP 147"})]


LEGAL = """CONTRAT DE VILLE « ENGAGEMENTS QUARTIERS 2030 » – VILLE DE DIEPPE

Article 4 – Orientation n°1 : Favoriser la réussite éducative

4.1 Les écarts de réussite restent forts dans les quartiers.

4.2 Le pilotage de l’orientation est confié conjointement à la Ville de Dieppe et à la
Direction des services départementaux de l’Éducation nationale de la Seine-Maritime.

4.3 Contribuent à sa mise en œuvre la Direction départementale de l’emploi, du travail et des
solidarités de la Seine-Maritime, la Chambre de commerce et d’industrie Rouen Métropole et les
conseils citoyens du Val Druel et de Neuville.

4.4 Les parties mobilisent : au titre du droit commun, les moyens de la CAF (CLAS ; REAAP) et
la Ville de Dieppe ; au titre des crédits spécifiques de la politique de la ville, les crédits
de l’État (programme 147) pour le programme de réussite éducative.

Article 5 – Orientation n°2 : Rapprocher les habitants de l’emploi

5.1 France Travail est chef de file de l’orientation. Il en assure l’animation en lien avec la
Mission locale de Dieppe, qui en est co-pilote pour les jeunes.

5.2 L’État mobilise, au titre du droit commun, les parcours emploi compétences ; il apporte en
outre, au titre des crédits spécifiques de la politique de la ville, des postes d’adultes-relais.
Le droit commun est mobilisé par le Département de la Seine-Maritime pour le programme
départemental d’insertion.

Fait au Havre, le 8 octobre 2024.

Le Directeur de la Caisse primaire                  Le Directeur général de l’Agence régionale
d’assurance maladie du Havre,                       de santé Normandie,
Jean DUPONT                                         Paul MARTIN
"""


def test_a_legal_text_whose_articles_are_the_orientations_and_whose_roles_are_in_numbered_paragraphs(tmp_path):
    """Issue 16, point 1: "Article 4 – Orientation n°1 :" opens a fiche; its numbered paragraphs
    ("4.2 Le pilotage … est confié conjointement à A et à B", "X est chef de file", "…, qui en est
    co-pilote", "Contribuent à sa mise en œuvre …") give pilots and partners, names with their own
    commas and "et" kept whole; a funding clause with no verb ("au titre du droit commun, les moyens
    de la CAF (…) et la Ville") gives its funders, and so does a funder's sentence that says the kind
    ("L'État mobilise, au titre du droit commun, … ; il apporte en outre, au titre des crédits
    spécifiques, …", "Le droit commun est mobilisé par X pour …"); offices signed in two columns
    after "Fait au …"."""
    draft = draft_of_text(tmp_path, LEGAL)
    o1, o2 = draft["orientations"]
    assert [p["name"] for p in o1["pilots"]] == \
        ["Ville de Dieppe", "Direction des services départementaux de l’Éducation nationale de la Seine-Maritime"]
    assert [s["name"] for s in o1["services"]] == [
        "Direction départementale de l’emploi, du travail et des solidarités de la Seine-Maritime",
        "Chambre de commerce et d’industrie Rouen Métropole", "conseils citoyens du Val Druel et de Neuville"]
    assert funding_of(o1) == [("droit-commun", "CAF", {"CLAS", "REAAP"}), ("droit-commun", "Ville de Dieppe", set()),
                              ("specifique", "État", {"programme 147", "programme de réussite éducative"})]
    assert {p["name"] for p in o2["pilots"]} == {"France Travail", "Mission locale de Dieppe"}
    assert not [s for s in o2.get("services", []) if "Mission locale" in s["name"]]   # a co-pilot, not a partner
    # a funder's sentence that says the kind, a pronoun for the funder before, a passive
    assert funding_of(o2) == [("droit-commun", "État", {"parcours emploi compétences"}), ("specifique", "État", {"adultes-relais"}),
                              ("droit-commun", "Département de la Seine-Maritime", {"programme départemental d’insertion"})]
    assert [s["org"] for s in draft["signatories"]] == ["Caisse primaire d’assurance maladie du Havre",
                                                        "Agence régionale de santé Normandie"]


def test_a_name_matches_its_registered_spelling_with_apostrophes_as_spaces_and_a_maire_signs_for_his_ville():
    """"Pass'Sport" (as the ministry writes it) is the registry's "Pass sport", for the reader, the
    build and the comparison alike; "Le Maire du Havre," signs for the Ville du Havre (not "de
    Havre"), "Le Maire de La Seyne-sur-Mer," for the Ville de La Seyne-sur-Mer; "Le Directeur
    régional Normandie de la Banque des Territoires," for the Banque des Territoires."""
    from cvgraph._paths import resource_dir
    from cvgraph.ingest.items.signatories import office_body
    from cvgraph.registry import load_registries
    regs = load_registries(resource_dir("data"))
    assert regs.instruments.resolve("Pass’Sport", None, "instruments") == regs.instruments.resolve("Pass sport", None, "x") == "pass-sport"
    assert office_body("Le Maire du Havre,") == "Ville du Havre"
    assert office_body("Le Maire de La Seyne-sur-Mer,") == "Ville de La Seyne-sur-Mer"
    assert office_body("Le Directeur régional Normandie de la Banque des Territoires,") == "Banque des Territoires"


QUESTIONS = """Contrat de ville 2024-2030 – Mulhouse
FICHE ORIENTATION N° 1
Réussir à l’école

Pourquoi ?
Les écarts de réussite restent forts.

Qui pilote ? La Ville de Mulhouse (direction de l’éducation).

Avec qui ? La Caisse d’allocations familiales du Haut-Rhin, la Régie de quartier
Mulhouse-Péricentre et l’EPIDE y sont associés.

Quels financements ?
• l’ARS Grand Est (droit commun : Fonds d’intervention régional)
• l’État (crédits de la politique de la ville : BOP 147, adultes-relais)

Comment mesurer ?
• Nombre d’élèves suivis.
"""


def test_a_fiche_written_as_questions_with_answers_after_them(tmp_path):
    """Issue 16, point 1: "Qui pilote ? A.", "Avec qui ? A, B et C y sont associés." (answers on the
    question's line, a name cut over two lines), "Quels financements ?" over lines stating their kind
    in their parentheses ("(droit commun : …)"), "Comment mesurer ?" the indicators, no funder."""
    draft = draft_of_text(tmp_path, QUESTIONS)
    (o1,) = draft["orientations"]
    assert [p["name"] for p in o1["pilots"]] == ["Ville de Mulhouse (direction de l’éducation)"]
    assert [s["name"] for s in o1["services"]] == ["Caisse d’allocations familiales du Haut-Rhin",
                                                   "Régie de quartier Mulhouse-Péricentre", "EPIDE"]
    assert [(k, f) for k, f, _ in funding_of(o1)] == [("droit-commun", "ARS Grand Est"), ("specifique", "État")]


CONTRIBUTIONS = """CONTRAT DE VILLE 2024-2030 – ORLÉANS MÉTROPOLE

ORIENTATION 1 – Favoriser la réussite éducative

Les écoles des quartiers relèvent de l’éducation prioritaire.

Engagements des partenaires

• Ville d’Orléans (chef de file) : coordination de l’orientation.
• DSDEN du Loiret (co-pilote) :
  – pilotage pédagogique de la Cité éducative ;
  – formation commune des enseignants.
• État – crédits politique de la ville (BOP 147) : financement du PRE, appel à projets annuel.
• Caisse d’allocations familiales du Loiret :
  – financement des CLAS au titre du droit commun ;
  – appui technique aux lieux d’accueil enfants-parents.
• Association Passerelles Argonne : accompagnement à la scolarité.

ORIENTATION 2 – Transformer l’habitat

Partenaire                        | Rôle                 | Moyens
----------------------------------+----------------------+--------------------------------
Orléans Métropole                 | Chef de file         | Direction de projet NPNRU ;
                                  |                      | crédits de droit commun
Les Résidences de                 | Partenaire           | Abattement de TFPB (droit
l’Orléanais                       |                      | commun)
Conseils citoyens                 | Partenaire           | Participation aux revues

SIGNATURES

Fait à Orléans, le 29 mars 2024.

Pour l’État : Mme Claire Montendre, préfète du Loiret
Pour Orléans Métropole : M. Bertrand Lemaire, président
"""


def test_a_list_of_what_each_partner_brings_bullets_or_a_table_gives_roles_and_money(tmp_path):
    """Issue 16, point 1: "Engagements des partenaires" inside a fiche (not the signatories' part):
    a bullet a body, its qualifier saying who leads ("(chef de file)", "(co-pilote)"), the others
    partners; a bullet or sub-bullet that states money a funding line of its body, of the kind it
    states, else the kind its head states ("État – crédits politique de la ville"); a table
    "Partenaire | Rôle | Moyens" read the same way, a name cut over two rows joined."""
    draft = draft_of_text(tmp_path, CONTRIBUTIONS)
    o1, o2 = draft["orientations"]
    assert [p["name"] for p in o1["pilots"]] == ["Ville d’Orléans", "DSDEN du Loiret"]
    assert [s["name"] for s in o1["services"]] == ["État", "Caisse d’allocations familiales du Loiret",
                                                   "Association Passerelles Argonne"]
    assert [(k, f) for k, f, _ in funding_of(o1)] == [("specifique", "État"), ("droit-commun", "Caisse d’allocations familiales du Loiret")]
    assert [p["name"] for p in o2["pilots"]] == ["Orléans Métropole"]
    assert [s["name"] for s in o2["services"]] == ["Résidences de l’Orléanais", "Conseils citoyens"]
    assert [(k, f) for k, f, _ in funding_of(o2)] == [("droit-commun", "Orléans Métropole"), ("droit-commun", "Résidences de l’Orléanais")]
    assert [s["org"] for s in draft["signatories"]] == ["etat", "Orléans Métropole"]   # (not the fiche's "Engagements des partenaires")


def test_a_name_keeps_its_first_word_when_it_only_starts_like_an_article():
    """"Les Résidences de l'Orléanais" matches without its article, "Lens" and "Laval" whole (they
    were "ns" and "val" when "le"/"la" came off with no space after them)."""
    from cvgraph.names import normalise
    assert normalise("Les Résidences de l’Orléanais") == normalise("Résidences de l'Orléanais") == "residences de l'orleanais"
    assert normalise("Lens") == "lens" and normalise("Laval") == "laval" and normalise("l’ARS") == "ars"


GLOSSARY = """CONTRAT DE VILLE 2024-2030 – VILLE DE SAINT-DIZIER

GLOSSAIRE DES SIGLES

CD52 : Conseil départemental de la Haute-Marne (Département)
VdSD : Ville de Saint-Dizier
CC : conseil citoyen
XYZ : Association des amis du quartier

FICHE 1 – Réussite éducative
Pilote(s) : VdSD (direction de l’éducation) ; CD52
Partenaires : CAF ; XYZ
Financements DC : CAF (CLAS) ; CD52
"""


def test_a_glossary_of_acronyms_teaches_the_reader_the_bodies_of_the_texts_territory(tmp_path):
    """Issue 16, points 1 and 3: "VdSD : Ville de Saint-Dizier" makes "VdSD" that body in this text;
    "CD52" (the département's number glued to its kind) is the Conseil départemental de la
    Haute-Marne without the glossary (a pilot, and a funder alone at a list's end); a kind ("CC :
    conseil citoyen") or a body no reference knows ("XYZ : Association …") teaches nothing; the
    draft lists what it learnt (not what it knew), with lines, and the comparison reads the curated
    sheet's acronyms by it."""
    draft = draft_of_text(tmp_path, GLOSSARY)
    assert draft["glossary"] == [{"acronym": "VdSD", "name": "Ville de Saint-Dizier", "line": 6}]
    (o1,) = draft["orientations"]
    # ("CD52" kept as written, as a pilot and as a funder: the build finds the département's body by it)
    assert [p.get("orgs", [p.get("name")]) for p in o1["pilots"]] == [["Commune de Saint-Dizier"], ["CD52"]]
    assert [(s["name"], s.get("proposed", False)) for s in o1["services"]] == [("CAF", False), ("XYZ", True)]
    assert [(f["funder"], f["written"]) for f in o1["funding"]] == [("CAF", "• CAF : CLAS"), ("CD52", "• CD52")]
    from cvgraph.ingest.comparison import draft_glossary
    path = tmp_path / "essai.yaml"
    assert draft_glossary(path) == {"vdsd": "Ville de Saint-Dizier"}


CATEGORIES = """CONTRAT DE VILLE 2024-2030 – PAU BÉARN PYRÉNÉES

FICHE N° 1 – RÉUSSITE ÉDUCATIVE

Pilotage
Pilotage politique : Ville de Pau
Pilotage technique : DSDEN des Pyrénées-Atlantiques
Référent État : DDETS des Pyrénées-Atlantiques

Partenaires institutionnels : CAF des Pyrénées-Atlantiques, Région Nouvelle-Aquitaine
Partenaires associatifs : association Parents Relais Saragosse
Partenaires financeurs : Banque des Territoires

Moyens mobilisés
- au titre du droit commun : CAF des Pyrénées-Atlantiques (CLAS, REAAP), Ville de Pau
- au titre de la politique de la ville : État (BOP 147)

TITRE V – LES SIGNATAIRES

Fait à Pau, le 12 avril 2024.

1. Pour l’État, le préfet des Pyrénées-Atlantiques, Julien MARCELLIN
2. Pour la Ville de Pau, le maire, Thierry ESCOUBET
"""


def test_typed_pilots_partners_by_category_and_numbered_signatures_for_a_body(tmp_path):
    """Issue 16, point 1: "Pilotage politique :", "Pilotage technique :", "Référent État :" are pilots;
    "Partenaires institutionnels :", "Partenaires associatifs :" partners, and so is "Partenaires
    financeurs :" beside the fiche's own funding ("Moyens mobilisés"); "- au titre du droit commun :"
    and "- au titre de la politique de la ville :" state the kinds; "1. Pour l'État, le préfet …,
    NAME" signs for the State."""
    draft = draft_of_text(tmp_path, CATEGORIES)
    (o1,) = draft["orientations"]
    assert [p["name"] for p in o1["pilots"]] == ["Ville de Pau", "DSDEN des Pyrénées-Atlantiques", "DDETS des Pyrénées-Atlantiques"]
    assert [s["name"] for s in o1["services"]][-1:] == ["Banque des Territoires"] and len(o1["services"]) == 4
    assert [(k, f) for k, f, _ in funding_of(o1)] == [("droit-commun", "CAF des Pyrénées-Atlantiques"), ("droit-commun", "Ville de Pau"),
                                                      ("specifique", "État")]
    assert [s["org"] for s in draft["signatories"]] == ["etat", "Ville de Pau"]


SPREADSHEET = '''CONTRAT DE VILLE 2024-2030 – LA ROCHELLE

Article 3 – Les orientations
Orientation 1 : Réussite éducative
Orientation 2 : Emploi

ANNEXE 1 – Tableau de programmation

N° orientation;Orientation;Action;Pilote;Partenaires associés;Financeurs droit commun;Financeurs politique de la ville;Montant (€)
1;Réussite éducative;Programme de réussite éducative;Ville de La Rochelle;"DSDEN 17; CAF 17";;Etat (PRE);185 000
;;Accompagnement à la scolarité;CAF de la Charente-Maritime;"centre social Les Embruns
conseils citoyens de Mireuil, Villeneuve-les-Salines et Port-Neuf";"CAF 17 (CLAS ; REAAP) / Ville de La Rochelle";;60 000
2;Emploi;Repérage des publics invisibles;Mission locale La Rochelle Ré Pays d'Aunis;France Travail, DDTM 17;DDETS 17 (CEJ);Etat (BOP 147);95 000

ANNEXE 2 – Signataires

Organisme;Représentant;Qualité
État;Hélène CORMIER;Préfète de la Charente-Maritime
"Caisse d'allocations familiales
de la Charente-Maritime";Karim BENSALEM;Directeur
'''


def test_a_spreadsheet_pasted_as_text_gives_each_orientation_its_rows(tmp_path):
    """Issue 16, point 1: a ';' table whose header names the orientation's number, the pilot, the
    partners and the funders by kind gives each orientation the roles and funding lines of its rows
    (the number left empty under its first row, a quoted cell over lines, names ',' ';' ' / ' or a
    line apart, "conseils citoyens de A, B et C" one entry); "CAF 17", "DSDEN 17", "DDTM 17" are the
    bodies of département 17; a ';' table "Organisme;Représentant;Qualité" gives the signatories."""
    draft = draft_of_text(tmp_path, SPREADSHEET)
    o1, o2 = draft["orientations"]
    assert [(p["name"], p["line"]) for p in o1["pilots"]] == [("Ville de La Rochelle", 10), ("CAF de la Charente-Maritime", 11)]
    services = [s.get("name") or s.get("orgs") for s in o1["services"]]
    assert len(services) == 4 and services[-1] == "conseils citoyens de Mireuil, Villeneuve-les-Salines et Port-Neuf"
    assert [(k, f) for k, f, _ in funding_of(o1)] == [("specifique", "Etat"), ("droit-commun", "CAF 17"),
                                                      ("droit-commun", "Ville de La Rochelle")]
    assert [(k, f) for k, f, _ in funding_of(o2)] == [("droit-commun", "DDETS 17"), ("specifique", "Etat")]
    assert [(s["org"], s["line"]) for s in draft["signatories"]] == [("etat", 18), ("Caisse d'allocations familiales de la Charente-Maritime", 19)]


def test_a_body_of_a_departement_named_by_its_kind_and_the_departement_number():
    """"CAF 17", "DSDEN 17", "DDTM 17", "CD 18" name the body of that kind of the département of that
    number, and so do "CAF51" and "CD51" (the number glued); "Mission locale 17" (a kind with no
    département rule) names none."""
    from cvgraph._paths import resource_dir
    from cvgraph.registry import load_registries
    from cvgraph.resolve import Resolver
    data = resource_dir("data")
    r = Resolver(load_registries(data).organisations, data)
    assert [(k.kind, code) for k, code in (r.named_body(x) for x in ("CAF 17", "DSDEN 17", "DDTM 17", "CD 18"))] == \
        [("caf", "17"), ("dsden", "17"), ("ddt", "17"), ("departement", "18D")]
    assert r.named_body("Mission locale 17") is None and r.named_body("CAF 99") is None
    assert [(k.kind, code) for k, code in (r.named_body(x) for x in ("CAF51", "CD51"))] == [("caf", "51"), ("departement", "51D")]


ROLE_FIRST = '''CONTRAT DE VILLE 2024-2030 – VALENCE ROMANS AGGLO

Priorité n°1 – Réussite éducative

Diagnostic partagé
Les écoles des quartiers relèvent toutes de l'éducation prioritaire.

Rôle des acteurs
Pilote — Ville de Valence (direction de l'éducation)
Copilote — DSDEN de la Drôme
Partenaires — centres sociaux, conseils citoyens
Financeur (droit commun) — CAF de la Drôme : CLAS, prestation de service
Financeur (crédits spécifiques) — État : BOP 147
Financeur — Région Auvergne-Rhône-Alpes

Priorité n°2 – Participation des habitants

Rôle des acteurs
PILOTE : Valence Romans Agglo
Copilote et financeur (crédits spécifiques) — Ville de Romans-sur-Isère : fonds de participation des habitants
Financeur (droit commun)       Action Logement

Priorité n°3 – Santé

Rôle des acteurs
La Ville de Valence pilote cette priorité avec l'ARS Auvergne-Rhône-Alpes, copilote, et y associe
la CPAM de la Drôme et le centre hospitalier de Valence, partenaires de la démarche. Les actions
sont financées au titre du droit commun par l'ARS Auvergne-Rhône-Alpes (fonds d'intervention
régional) et par la CPAM de la Drôme, au titre des crédits spécifiques par l'État (adultes-relais),
ainsi que par le Département de la Drôme, dont la participation reste à préciser.
'''


def test_roles_written_role_first_and_in_sentences_that_name_the_kind_of_each_funding(tmp_path):
    """Issue 16, point 1: "Pilote — X", "PILOTE : X", "Financeur (droit commun) — CAF : a, b" (the
    kind in the role's parentheses), "Financeur — X" (no kind said: the heading's word kept),
    "Copilote et financeur (…) — X : …" (both roles) and "Financeur (droit commun)    X" in columns;
    in sentences, "X pilote cette priorité avec Y, copilote, et y associe A et B, partenaires …" and
    "Les actions sont financées au titre du droit commun par A (…) et par B, au titre des crédits
    spécifiques par C (…), ainsi que par D" (D's kind unsaid)."""
    draft = draft_of_text(tmp_path, ROLE_FIRST)
    o1, o2, o3 = draft["orientations"]
    assert [p.get("name") for p in o1["pilots"]] == ["Ville de Valence (direction de l'éducation)", "DSDEN de la Drôme"]
    assert [s.get("name") for s in o1["services"]] == ["centres sociaux", "conseils citoyens"]
    assert funding_of(o1) == [("droit-commun", "CAF de la Drôme", {"CLAS", "prestation de service"}),
                              ("specifique", "État", {"BOP 147"}), ("non-precise", "Région Auvergne-Rhône-Alpes", set())]
    assert o1["funding"][-1]["heading"] == "Financeur :"
    assert [p.get("name") for p in o2["pilots"]] == ["Valence Romans Agglo", "Ville de Romans-sur-Isère"]
    assert funding_of(o2) == [("specifique", "Ville de Romans-sur-Isère", {"fonds de participation des habitants"}),
                              ("droit-commun", "Action Logement", set())]
    assert [(p.get("name"), p["line"]) for p in o3["pilots"]] == [("Ville de Valence", 26), ("ARS Auvergne-Rhône-Alpes", 26)]
    assert [s.get("name") for s in o3["services"]] == ["CPAM de la Drôme", "centre hospitalier de Valence"]
    assert [(k, f, i, l["line"]) for (k, f, i), l in zip(funding_of(o3), o3["funding"])] == [
        ("droit-commun", "ARS Auvergne-Rhône-Alpes", {"fonds d'intervention régional"}, 28),
        ("droit-commun", "CPAM de la Drôme", set(), 29), ("specifique", "État", {"adultes-relais"}, 29),
        ("non-precise", "Département de la Drôme", set(), 30)]


SEQUELS = '''CONTRAT DE VILLE 2024-2030 – AMIENS MÉTROPOLE

Article 4 – Orientations stratégiques
I.   Garantir la réussite éducative
II.  Favoriser l'accès à l'emploi

TITRE III – LES ORIENTATIONS

ORIENTATION I – Garantir la réussite éducative de chaque enfant

Constat
Les élèves des quartiers entrent en sixième avec des acquis fragiles.

Actions envisagées
1. Étendre l'accueil des moins de trois ans.

ORIENTATION II – Favoriser l'accès à l'emploi et à la formation

Constat
Le taux d'emploi est de 42 % dans les quartiers prioritaires.

TITRE IV – GOUVERNANCE PAR ORIENTATION

Orientation I (réussite éducative) :
Pilotes : Ville d'Amiens ; Direction des services départementaux de l'Éducation nationale de la Somme.
Partenaires mobilisés : Caisse d'allocations familiales de la Somme ; Département de la Somme
(protection maternelle et infantile) ; centres sociaux.

Orientation II (emploi) :
La Ville d'Amiens et la DDETS co-pilotent l'orientation II, en lien avec France Travail et la
Mission locale de l'Amiénois.
Partenaires mobilisés : Région Hauts-de-France.

ANNEXE FINANCIÈRE

Orientation II – Emploi, formation, insertion
Financeur | Dispositif | 2024 | 2025
Droit commun
France Travail | Accompagnement global | 150 000 | 150 000
Crédits spécifiques politique de la ville
État | BOP 147 | 110 000 | 110 000
Sous-total crédits spécifiques |  | 110 000 | 110 000
Total orientation II |  | 260 000 | 260 000
'''


def test_an_orientation_headed_again_in_a_chapter_of_governance_and_an_annex_adds_to_its_fiche(tmp_path):
    """Issue 16, point 1: fiches with no roles, then a chapter that gives each orientation's roles
    under "Orientation I (réussite éducative) :" (lists and sentences), then a financial annex with
    a block a orientation ("Orientation II – Emploi…", its rows under "Droit commun" and "Crédits
    spécifiques…", sub-totals no lines): each orientation keeps its fiche's heading and title and
    gets the items of the later parts; the list of Article 4 is no fiche."""
    draft = draft_of_text(tmp_path, SEQUELS)
    o1, o2 = draft["orientations"]
    assert [(o["number"], o["line"], o["title"]) for o in (o1, o2)] == [
        (1, 9, "Garantir la réussite éducative de chaque enfant"), (2, 17, "Favoriser l'accès à l'emploi et à la formation")]
    assert [p.get("name") for p in o1["pilots"]] == ["Ville d'Amiens", "Direction des services départementaux de l'Éducation nationale de la Somme"]
    assert [s.get("name") for s in o1["services"]] == ["Caisse d'allocations familiales de la Somme",
                                                       "Département de la Somme (protection maternelle et infantile)", "centres sociaux"]
    assert [p.get("name") for p in o2["pilots"]] == ["Ville d'Amiens", "DDETS"]
    assert [s.get("name") for s in o2["services"]] == ["France Travail", "Mission locale de l'Amiénois", "Région Hauts-de-France"]
    assert funding_of(o2) == [("droit-commun", "France Travail", {"Accompagnement global"}), ("specifique", "État", {"BOP 147"})]
    assert "funding" not in o1


RUN_ON = '''CONTRAT DE VILLE 2024-2030 – SAINT-NAZAIRE

Orientation stratégique 1 : Favoriser la réussite éducative

Objectif opérationnel 1.1 – Agir dès la petite enfance

Action 1.1.1 – Renforcer l'accompagnement à la scolarité. Pilote : Ville de Saint-Nazaire ; partenaires : CAF de
Loire-Atlantique, centres sociaux ; financements : État (BOP 147 – crédits spécifiques), CAF (CLAS,
droit commun).

Action 1.1.2 – Ouvrir un lieu d'accueil enfants-parents, copiloté par la DSDEN 44 et la Ville de Saint-Nazaire,
avec l'association Escale Parents 44 ; crédits politique de la ville de l'État et de la CARENE.

Action 1.1.3 – Proposer des stages de troisième. Porté par la CARENE, en lien avec la DSDEN 44 ; financement à définir.

SIGNATURES

┌──────────────────────────────┬──────────────────┬──────────────────────┐
│ Signataire                   │ Représenté par   │ Fonction             │
├──────────────────────────────┼──────────────────┼──────────────────────┤
│ État                         │ Hervé DANTEC     │ Préfet               │
├──────────────────────────────┼──────────────────┼──────────────────────┤
│ Caisse d'allocations         │ Nadia BOUZIANE   │ Directrice           │
│ familiales de                │                  │                      │
│ Loire-Atlantique             │                  │                      │
└──────────────────────────────┴──────────────────┴──────────────────────┘
'''


def test_roles_run_into_the_paragraph_of_each_action_and_signatories_in_a_drawn_table(tmp_path):
    """Issue 16, point 1: an action a paragraph, its roles run into it ("…. Pilote : A ; partenaires :
    B, C ; financements : D (… – crédits spécifiques), E (…, droit commun)", ", copiloté par A et B,
    avec C", "Porté par A, en lien avec B", "crédits politique de la ville de A et de B",
    "financement à définir": none), each item at the line it stands on; a table drawn with
    box-drawing characters gives the signatories, a body cut over the lines of its cell one name."""
    draft = draft_of_text(tmp_path, RUN_ON)
    (o1,) = draft["orientations"]
    assert [(p.get("name") or p.get("org"), p["line"]) for p in o1["pilots"]] == [
        ("Ville de Saint-Nazaire", 7), ("DSDEN 44", 11), ("Ville de Saint-Nazaire", 11), ("CARENE", 14)]
    assert [(s.get("name") or s.get("org"), s["line"]) for s in o1["services"]] == [
        ("CAF de Loire-Atlantique", 7), ("centres sociaux", 8), ("association Escale Parents 44", 12), ("DSDEN 44", 14)]
    assert [(k, f) for k, f, _ in funding_of(o1)] == [("specifique", "État"), ("droit-commun", "CAF"),
                                                      ("specifique", "État"), ("specifique", "CARENE")]
    assert [(s["org"], s["line"]) for s in draft["signatories"]] == [("etat", 21), ("Caisse d'allocations familiales de Loire-Atlantique", 23)]


EXTRACTED = ('CONTRAT DE VILLE 2024-2030 – BREST MÉTROPOLE\n\n'
             'ORIENTATION 1 – Réussite éducative\n\n'
             'Pilotes\u00a0:\n'
             '\uf0b7\tVille de Brest\n'
             'Parte-\nnaires :\n'
             '\uf0a7\tCaisse d\'allocations fami-\n  liales du Finistère\n'
             '\uf0a7\tAssociation Le Con\ufb02uent\n'
             '\uf0a7\tMaison de quartier de Saint-\n  Pierre\n'
             'Financements de droit commun :\n'
             '\uf0b7\tDé\u00adpartement du Finistère : PMI\n'
             'Crédits spéci\ufb01ques :\n'
             '\uf0b7\tÉtat : BOP 147\n\n'
             'ORIENTATION 2 – Emploi\n\n'
             'Pilote : France Travail\n')


def test_what_a_pdf_extraction_leaves_in_words_is_read_as_the_letters_it_stands_for(tmp_path):
    """Issue 16, point 2: ligatures ("Con\ufb02uent", "spéci\ufb01ques"), soft hyphens ("Dé\u00adpartement"),
    symbol-font bullets and a tab ("\uf0b7\t"), a no-break space before ":" and words cut at the end
    of a line ("Parte-" / "naires :", "fami-" / "liales", "Saint-" / "Pierre", its hyphen kept) are
    read as a person reads them, at the lines they stand on."""
    draft = draft_of_text(tmp_path, EXTRACTED)
    o1 = draft["orientations"][0]
    assert [p.get("name") for p in o1["pilots"]] == ["Ville de Brest"]
    assert [(s.get("name"), s["line"]) for s in o1["services"]] == [
        ("Caisse d'allocations familiales du Finistère", 9), ("Association Le Confluent", 11), ("Maison de quartier de Saint-Pierre", 12)]
    assert funding_of(o1) == [("droit-commun", "Département du Finistère", {"PMI"}), ("specifique", "État", {"BOP 147"})]


SUMS = '''CONTRAT DE VILLE 2024-2030 – GRAND AVIGNON

Axe 1 : Réussite éducative

Gouvernance de l’axe
L’axe est animé par la DSDEN de Vaucluse, avec la Ville d’Avignon comme co-pilote. Y sont associés
la CAF de Vaucluse et le centre social Les Cigalières.

Moyens mobilisés
Au titre du droit commun, l’Éducation nationale consacre 420 000 € par an au dédoublement des
classes, la CAF de Vaucluse 95 000 € à l’accompagnement à la scolarité (CLAS) et la Ville
70 000 € à ses accueils périscolaires. Les crédits spécifiques de l’État (BOP 147) s’élèvent à
165 000 €, dont 60 000 € pour le programme de réussite éducative.

Axe 2 : Emploi

Gouvernance de l’axe
Le chef de file est France Travail ; il associe la Mission locale du Grand Avignon.

Moyens mobilisés
Sur leurs crédits de droit commun, France Travail et la Région Provence-Alpes-Côte d’Azur
mobilisent respectivement 260 000 € pour l’accompagnement intensif des jeunes et 185 000 € pour
le programme régional de formation ; la DDETS de Vaucluse, 150 000 € pour les parcours emploi
compétences. Ces moyens sont complétés par 80 000 € de crédits politique de la ville de l’État
(BOP 147).
'''


def test_funding_in_sentences_that_state_sums(tmp_path):
    """Issue 16, point 1: roles and funding written as prose with sums: "est animé par A, avec B comme
    co-pilote", "Le chef de file est A ; il associe B"; "Au titre du droit commun, A consacre N € à
    x, B N € à y et C N € à z" (the verb and the kind shared), "Les crédits spécifiques de D (BOP 147)
    s'élèvent à …", "A et B mobilisent respectivement N € pour x et N € pour y ; C, N € pour z",
    "complétés par N € de crédits politique de la ville de D (BOP 147)"; each funder at its line."""
    draft = draft_of_text(tmp_path, SUMS)
    o1, o2 = draft["orientations"]
    assert [p.get("name") for p in o1["pilots"]] == ["DSDEN de Vaucluse", "Ville d’Avignon"]
    assert [s.get("name") for s in o1["services"]] == ["CAF de Vaucluse", "centre social Les Cigalières"]
    assert [(k, f, l["line"]) for (k, f, _), l in zip(funding_of(o1), o1["funding"])] == [
        ("droit-commun", "Éducation nationale", 10), ("droit-commun", "CAF de Vaucluse", 11), ("droit-commun", "Ville", 11),
        ("specifique", "État", 12)]
    assert "BOP 147" in funding_of(o1)[-1][2]
    assert [p.get("name") for p in o2["pilots"]] == ["France Travail"]
    assert [s.get("name") for s in o2["services"]] == ["Mission locale du Grand Avignon"]
    assert [(k, f, l["line"]) for (k, f, _), l in zip(funding_of(o2), o2["funding"])] == [
        ("droit-commun", "France Travail", 21), ("droit-commun", "Région Provence-Alpes-Côte d’Azur", 21),
        ("droit-commun", "DDETS de Vaucluse", 23), ("specifique", "État", 24)]


ROLES_TABLE = '''CONTRAT DE VILLE 2024-2030 – CLERMONT AUVERGNE MÉTROPOLE

Article 4 – Contenu des orientations

Orientation 1 – Garantir la réussite éducative de chaque enfant

Dans les quartiers prioritaires de la Métropole, 38 % des élèves de sixième entrent au collège
avec des acquis fragiles en français. Les familles monoparentales y sont nombreuses.

Orientation 2 – Lever les freins à l'emploi

Le taux d'emploi des habitants des quartiers reste inférieur de vingt points à celui de la
Métropole, et un jeune sur trois n'est ni en emploi ni en formation.

ANNEXE 1 – PILOTAGE ET PARTENARIATS PAR ORIENTATION

Orientation                   Pilote(s)                                      Partenaires associés

1. Réussite éducative et       Ville de Clermont-Ferrand, DSDEN du          CAF du Puy-de-Dôme, centres sociaux,
parentalité                    Puy-de-Dôme                                  Réseau Canopé

2. Emploi, formation et        France Travail                                 Mission locale Clermont Métropole et Volcans,
insertion                                                                     Région Auvergne-Rhône-Alpes

ANNEXE 2 – ENGAGEMENTS FINANCIERS

 N°   Financeur                      Dispositif                                       Nature       Montant annuel

 1   État (ANCT)                       Programme de réussite éducative (PRE)         CS                  180 000 €
       CAF du Puy-de-Dôme           Contrat local d'accompagnement à la             DC                    95 000 €
                                     scolarité (CLAS)

 2    DDETS du Puy-de-Dôme           Contrat d'engagement jeune (CEJ)                 DC              valorisation
     Région Auvergne-Rhône-Alpes       Programme régional de formation                  DC               60 000 €

DC : droit commun ; CS : crédits spécifiques de la politique de la ville.
'''


def test_a_table_of_roles_by_orientation_and_an_annex_of_funding_whose_columns_move(tmp_path):
    """Issue 16, point 1: orientations described in prose ("Orientation 1 – …", no roles), then a
    table "Orientation | Pilote(s) | Partenaires associés" in columns of spaces (cells wrapped) and
    an annex "N° | Financeur | Dispositif | Nature | Montant" whose columns move by a character or
    two: the orientations keep their headings, the table and the annex give their roles and funding."""
    draft = draft_of_text(tmp_path, ROLES_TABLE)
    o1, o2 = draft["orientations"]
    assert [(o["line"], o["title"]) for o in (o1, o2)] == [(5, "Garantir la réussite éducative de chaque enfant"),
                                                          (10, "Lever les freins à l'emploi")]
    assert [p.get("name") for p in o1["pilots"]] == ["Ville de Clermont-Ferrand", "DSDEN du Puy-de-Dôme"]
    assert [s.get("name") for s in o1["services"]] == ["CAF du Puy-de-Dôme", "centres sociaux", "Réseau Canopé"]
    assert [p.get("name") for p in o2["pilots"]] == ["France Travail"]
    assert [(k, f) for k, f, _ in funding_of(o1)] == [("specifique", "État"), ("droit-commun", "CAF du Puy-de-Dôme")]
    assert [(k, f) for k, f, _ in funding_of(o2)] == [("droit-commun", "DDETS du Puy-de-Dôme"), ("droit-commun", "Région Auvergne-Rhône-Alpes")]


PARTIES_AND_KIND_COLUMNS = '''CONTRAT DE VILLE 2024-2030 – TOURS MÉTROPOLE VAL DE LOIRE

ENTRE LES SOUSSIGNÉS :

L'État, représenté par Mme Hélène DARRIGADE, préfète d'Indre-et-Loire ; Tours Métropole
Val de Loire, représentée par M. Gérard BOUTELIER, son président ; la Ville de Tours,
représentée par M. Olivier FERRANDIN, son maire, la Caisse d'allocations familiales de
Touraine, représentée par M. Bertrand ROUSSEL, son directeur,

ci-après « les signataires »,

Orientation stratégique 1 : Réussite éducative

Chef de file : Ville de Tours

Moyens mobilisés :

Financeur                    Dispositif                  Droit commun (€)   Crédits spécifiques (€)   Total (€)
Éducation nationale          Devoirs faits               120 000            –                         120 000
État                         Cité éducative              –                  150 000                   150 000
Ville de Tours               Accueils périscolaires      80 000             20 000                    100 000
Total fiche                                              200 000            170 000                   370 000

Orientation stratégique 2 : Emploi

Chef de file : France Travail

Fait à Tours, le 12 juin 2024.

Le préfet d'Indre-et-Loire
Le président de Tours Métropole Val de Loire
'''


def test_parties_named_in_the_opening_and_a_table_whose_columns_are_the_kinds(tmp_path):
    """Issue 16, point 1: the signatories as the parties of "ENTRE LES SOUSSIGNÉS :" ("X,
    représenté(e) par M. …, …", ";" or "," between them, names cut over lines), each at the line
    its name starts on, when the closing block gives offices only; a funding table whose columns
    are the kinds ("Droit commun (€) | Crédits spécifiques (€)"): each row's kind by the column its
    sum stands in, a line of each when both hold one, no line for the total."""
    draft = draft_of_text(tmp_path, PARTIES_AND_KIND_COLUMNS)
    assert [(s["org"], s["line"]) for s in draft["signatories"]] == [
        ("etat", 5), ("Tours Métropole Val de Loire", 5), ("Ville de Tours", 6), ("Caisse d'allocations familiales de Touraine", 7)]
    o1 = draft["orientations"][0]
    assert [(k, f) for k, f, _ in funding_of(o1)] == [("droit-commun", "Éducation nationale"), ("specifique", "État"),
                                                      ("droit-commun", "Ville de Tours"), ("specifique", "Ville de Tours")]
    assert funding_of(o1)[0][2] == {"Devoirs faits"}
