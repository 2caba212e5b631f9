"""The published pages read like the contract (issue 18, point 6): an orientation's page as its
fiche, the contract's page as its table of contents with its signatories and reports, each
contract's matrix and gap report in the site, and funding lines with readable labels. The values
are those of seed 002's fiche of orientation 5 (l. 1653-1733), counted by hand."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import run_cli
from servers import render

C24 = "contract/coutras-2024-2030"


@pytest.fixture(scope="module")
def site(published):
    return published


class Sections(HTMLParser):
    """The sections of a page by id, with the text and the links of each."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.items: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("section", "nav"):
            self.stack.append(a.get("id") or a.get("class") or tag)
        if self.stack and tag == "a" and a.get("href"):
            self.links.setdefault(self.stack[-1], []).append(a["href"])
        if self.stack and tag == "li":
            self.items[self.stack[-1]] = self.items.get(self.stack[-1], 0) + 1

    def handle_endtag(self, tag):
        if tag in ("section", "nav") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack:
            self.text.setdefault(self.stack[-1], []).append(data)


def sections(path: Path) -> Sections:
    parser = Sections()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.joined = {k: " ".join(v) for k, v in parser.text.items()}
    return parser


def test_the_orientation_page_reads_like_its_fiche(site):
    page = site / C24 / "orientation/5.html"
    s = sections(page)
    html = page.read_text(encoding="utf-8")
    # the fiche's sections, in the fiche's order, before the generic property table
    order = [html.index(f'id="{x}"') for x in ("manques", "objectifs", "actions", "pilotes", "services",
                                                 "financements", "donnees", "indicateurs")]
    assert order == sorted(order) and order[-1] < html.index("Toutes les propriétés")
    assert "Objectifs (4)" in s.joined["objectifs"] and "Lutter contre l’habitat indigne" in s.joined["objectifs"]
    assert "Actions (8)" in s.joined["actions"]
    # l. 1706 "Commune, Service habitat Cali, Mission ville"; l. 1710 "Bailleurs sociaux, DDTM, ANAH, Service habitat Département"
    assert s.items["pilotes"] == 3 and "Commune de Coutras" in s.joined["pilotes"]
    assert s.items["services"] == 4 and "Bailleurs sociaux" in s.joined["services"]
    # l. 1713-1731: 23 lines of droit commun (Région 1, Département 9, État 4, DDETS 5, DDTM 1, BPI, BM, commune);
    # l. 1732-1733: one of crédits spécifiques, BOP 147 by the Préfecture
    money = s.joined["financements"]
    assert "Droit commun (23)" in money and "Crédits spécifiques (1)" in money
    assert re.search(r"Préfecture de la Gironde\s+—\s+BOP 147", money)
    assert re.search(r"État\s+—\s+DSIL", money) and "sans dispositif" in money   # "-BPI", "-Commune": no instrument
    # six figures of l. 1657-1659, none with a period: written as in French, with their unit
    assert "Données chiffrées (6)" in s.joined["donnees"] and "45,7 %" in s.joined["donnees"]
    assert "non précisée" in s.joined["donnees"]
    assert "Indicateurs (6)" in s.joined["indicateurs"]
    # its gaps highlighted: "-BM :" names no instrument (l. 1730) and BM is an unresolved name
    gaps = s.joined["manques"]
    assert "Financeurs cités sans instrument" in gaps and "funder-without-instrument" in gaps and "BM" in gaps
    assert "unresolved-name" in gaps
    # every item links to its own page (the funding lines) and to the contract and axis
    assert any(h.endswith("funding/1.html") or "/funding/" in h for h in s.links["financements"])


def test_the_contract_page_gives_axes_orientations_signatories_and_reports(site):
    page = site / (C24 + ".html")
    s = sections(page)
    reports = s.links["reports"]
    assert reports == ["../report/coutras-2024-2030/matrice.html", "../report/coutras-2024-2030/manques.html"]
    for href in reports:
        assert (page.parent / href).is_file()
    toc = s.joined["orientations"]
    assert "Axes et orientations (16 orientations)" in toc
    assert s.items["orientations"] == 16 and "O13 – Maintenir le Conseil Citoyen dans la gouvernance" in toc
    orientation_links = [h for h in s.links["orientations"] if "/orientation/" in h]
    assert len(orientation_links) == 16
    # the 19 signatories of seed 002 and Bpifrance (seed 000), each with its commitments
    assert "Signataires (20)" in s.joined["signataires"]
    assert "Éducation nationale" in s.joined["signataires"] and "engagements (32)" in s.joined["signataires"]
    assert "Banque publique d’investissement (Bpifrance)" in s.joined["signataires"]


def test_each_contract_has_its_matrix_and_gap_report_in_the_site(site):
    matrix = (site / "report/coutras-2024-2030/matrice.html").read_text(encoding="utf-8")
    assert matrix.count("<td>oui</td>") == 20 and 'class="r-pilot"' in matrix
    assert 'href="../../organisation/etat.html"' in matrix            # partners link to their pages
    gaps = (site / "report/coutras-2024-2030/manques.html").read_text(encoding="utf-8")
    assert "<th>Catégorie</th>" in gaps and "<th>Nombre</th>" in gaps
    assert (site / "report/coutras-2015-2023/matrice.html").read_text(encoding="utf-8").count("aucune orientation") == 1


def test_funding_lines_and_participations_have_readable_labels(built, tmp_path):
    query = tmp_path / "labels.rq"
    query.write_text("PREFIX cv: <https://w3id.org/cvgraph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                     "SELECT ?l WHERE { ?x a ?c ; rdfs:label ?l . VALUES ?c { cv:FundingLine cv:Participation } } ORDER BY ?l",
                     encoding="utf-8")
    rows = run_cli("query", str(query), "--graph", str(built), "--format", "tsv")
    labels = set(rows.stdout.splitlines()[1:])
    assert "État — DSIL (droit commun, O5)" in labels                    # l. 1723 "-Etat : DSIL, …"
    assert "Préfecture de la Gironde — BOP 147 « Politique de la ville » (crédits spécifiques, O5)" in labels
    assert "Pilote : Commune de Coutras (O5)" in labels                  # l. 1706
    assert not [x for x in labels if re.search(r"\(orientation \d+\)|^(pilot|service) [a-z-]+ ", x)]


@pytest.mark.parametrize("path, expected", [
    (C24 + "/orientation/5.html", ("Objectifs (4)", "Financements (24)", "Manques relevés")),
    (C24 + ".html", ("Axes et orientations", "Signataires (20)", "Rapport des manques")),
    ("report/coutras-2024-2030/matrice.html", ("Matrice des responsabilités", "Bpifrance", "Total")),
])
def test_the_reader_pages_render_in_chromium(site, tmp_path, path, expected):
    dom = render((site / path).as_uri(), tmp_path / (path.replace("/", "-") + ".png"), 1300, 1600)
    for text in expected:
        assert text in dom, (path, text)
