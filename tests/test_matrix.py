"""`cvgraph matrix`: the partner-responsibility matrix in CSV, Markdown, HTML and xlsx, checked
against the fiches of seed 002 and pinned by golden files."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest

from conftest import check_golden, run_cli
from servers import render
from cvgraph.matrix import ROLES, sort_key
from test_query import one_line_error

C24 = "coutras-2024-2030"
ORG = "https://w3id.org/cvgraph/id/organisation/"
ROLE_NAMES = set(ROLES)


def matrix(built, *args: str):
    result = run_cli("matrix", "--graph", str(built), *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def table(built):
    return list(csv.DictReader(io.StringIO(matrix(built, "--contract", C24, "--format", "csv"))))


def column(table, number: int) -> dict[str, str]:
    return {r["partner"].removeprefix(ORG): r[f"O{number}"] for r in table if r[f"O{number}"]}


def test_csv_header_rows_and_cells(built, table):
    text = matrix(built, "--contract", C24, "--format", "csv")
    assert text.splitlines()[0] == "partner,partner_label,signatory," + ",".join(f"O{n}" for n in range(1, 17))
    labels = [r["partner_label"] for r in table]
    assert labels == sorted(labels, key=sort_key)  # sorted by label, accents and case ignored
    for r in table:
        assert r["signatory"] in ("yes", "")
        for n in range(1, 17):
            roles = r[f"O{n}"].split(";") if r[f"O{n}"] else []
            assert set(roles) <= ROLE_NAMES and roles == sorted(roles)
    check_golden("matrix/coutras-2024-2030.csv", text)


def test_orientation_5_as_in_the_fiche(table):
    """Seed 002, fiche O5: pilots l. 1706 "Commune, Service habitat Cali, Mission ville"; services
    l. 1710 "Bailleurs sociaux, DDTM, ANAH, Service habitat Département"; droit commun l. 1713-1731
    (Région, Dpt, État with the DDETS and the DDTM, BPI, BM, Commune); crédits spécifiques l. 1733
    (Préfecture, i.e. the State). Units are rolled up: the DDTM is the State, the housing service
    of La Cali is La Cali. Issue 18, point 2: the group "Bailleurs sociaux" (its members Gironde
    Habitat, Clairsienne and Mesolia sign the contract, l. 1139 and after) is shown on their rows."""
    assert column(table, 5) == {
        "coutras": "funder-dc;pilot",
        "la-cali": "pilot",
        "mission-ville": "pilot",
        "gironde-habitat": "service",
        "clairsienne": "service",
        "mesolia": "service",
        "anah": "service",
        "departement-gironde": "funder-dc;service",
        "etat": "funder-dc;funder-sp;service",
        "region-nouvelle-aquitaine": "funder-dc",
        "bpi": "funder-dc",
        "bm": "funder-dc",
    }


def test_orientation_9_as_in_the_fiche(table):
    """Seed 002, fiche O9: pilots l. 2111 "Éducation Nationale, Ville de Coutras, La Cali, Mission
    Ville, Mission Locale"; no associated service (l. 2116 is empty); droit commun l. 2117-2144
    (CAF, Région, Département, État: EN, DRAC, SDJES, MILDECA, FIPD; BPI; La Cali; Ville de
    Coutras); crédits spécifiques l. 2147 (Préfecture, BOP 147). Issue 18, point 2: Éducation
    nationale signs, so it keeps its own row (with its DSDEN/SDJES); the State keeps the DRAC,
    MILDECA, FIPD and the Préfecture."""
    assert column(table, 9) == {
        "education-nationale": "funder-dc;pilot",
        "etat": "funder-dc;funder-sp",
        "coutras": "funder-dc;pilot",
        "la-cali": "funder-dc;pilot",
        "mission-ville": "pilot",
        "mission-locale-libournais": "pilot",
        "caf-gironde": "funder-dc",
        "region-nouvelle-aquitaine": "funder-dc",
        "departement-gironde": "funder-dc",
        "bpi": "funder-dc",
    }


def test_one_row_per_signatory_and_one_rule_for_groups(built, table):
    """Issue 18, point 2: at organisation level every signatory of Coutras 2024-2030 has its row (the
    19 of seed 002's signatures and Bpifrance, named by seed 000); a unit goes to its nearest
    signing ancestor (DDETS to the State); a group's roles go to its signing members, so the matrix
    and the gap report name the same signatories without role; the legend says so."""
    signing = {r["partner"].removeprefix(ORG) for r in table if r["signatory"] == "yes"}
    listed = list(csv.DictReader(io.StringIO(run_cli("query", "signatories", "--graph", str(built), "-p",
                                                     f"contract={C24}", "--format", "csv").stdout)))
    assert signing == {r["signatory"].removeprefix(ORG) for r in listed} and len(signing) == 20
    assert {"education-nationale", "etat", "bpi"} <= signing
    rows = {r["partner"].removeprefix(ORG) for r in table}
    assert "ddets" not in rows and "bailleurs-sociaux" not in rows
    without = {r["partner_label"] for r in table if r["signatory"] == "yes" and not any(r[f"O{n}"] for n in range(1, 17))}
    gaps = list(csv.DictReader(io.StringIO(run_cli("gaps", "--graph", str(built), "--contract", C24, "--format", "csv",
                                                   "--category", "signatory-without-role").stdout)))
    assert without == {g["subject"] for g in gaps} and len(without) == 2
    assert "chacun de ses membres qui signe le contrat" in matrix(built, "--contract", C24, "--format", "md")


def test_signatories_without_role_are_rows_too(table):
    """MSA and CMA sign (seed 002) but hold no role in any fiche: their rows are there, empty."""
    rows = {r["partner"].removeprefix(ORG): r for r in table}
    for org in ("msa-gironde", "cma-nouvelle-aquitaine"):
        assert rows[org]["signatory"] == "yes"
        assert not any(rows[org][f"O{n}"] for n in range(1, 17))
    assert rows["etat"]["signatory"] == "yes" and rows["anah"]["signatory"] == ""


def test_unit_level_keeps_services_apart(built):
    text = matrix(built, "--contract", C24, "--format", "csv", "--level", "unit")
    rows = {r["partner"].removeprefix(ORG): r for r in csv.DictReader(io.StringIO(text))}
    assert rows["ddtm"]["O5"] == "funder-dc;service"      # l. 1710 (service), l. 1728 (funder)
    assert rows["la-cali-habitat"]["O5"] == "pilot"       # l. 1706 "Service habitat Cali"
    assert rows["education-nationale"]["O9"] == "funder-dc;pilot"  # l. 2111 pilot, l. 2134 "→ EN :" funds
    assert rows["education-nationale"]["signatory"] == "yes"
    assert rows["prefecture-gironde"]["O9"] == "funder-sp"
    assert rows["etat"]["O9"] == "funder-dc"  # l. 2140-2141: the MILDECA and FIPD credits, under "-État :"
    check_golden("matrix/coutras-2024-2030-unit.csv", text)


def test_markdown_has_totals_and_legend(built, table):
    text = matrix(built, "--contract", C24, "--format", "md")
    check_golden("matrix/coutras-2024-2030.md", text)
    lines = text.splitlines()
    etat = next(line for line in lines if line.startswith("| État |"))
    cells = [c.strip() for c in etat.strip("|").split("|")]
    assert cells[-1] == "16"  # the State holds a role in every orientation
    total = next(line for line in lines if line.startswith("| **Total** |"))
    totals = [c.strip() for c in total.strip("|").split("|")]
    assert totals[2 + 8] == "10" and totals[2 + 4] == "12"  # O9: 10 partners, O5: 12 (tests above)
    assert "Légende : P = Pilote (pilot)" in text


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.depth = [], None, None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def test_html_is_standalone_and_readable_without_colour(built):
    text = matrix(built, "--contract", C24, "--format", "html")
    check_golden("matrix/coutras-2024-2030.html", text)
    assert text.startswith("<!DOCTYPE html>") and "<link" not in text and "<script" not in text
    parser = Cells()
    parser.feed(text)
    header, *rows = parser.rows
    assert header[:2] == ["Partenaire", "Signataire"] and header[-1] == "Total"
    by_label = {r[0]: r for r in rows}
    assert by_label["Commune de Coutras"][2 + 4] == "PD"  # O5: letters, not only colours
    assert by_label["État"][2 + 8] == "DC"                # O9: the State funds,
    assert by_label["Éducation nationale"][2 + 8] == "PD"  # Éducation nationale (a signatory) pilots and funds


def test_html_labels_are_escaped(built, tmp_path):
    """A label with markup is shown as text, never run."""
    from cvgraph.matrix import build_matrix, to_html
    import pyoxigraph as ox

    store = ox.Store()   # a copy in memory, to change a label (the build's store is read-only)
    store.bulk_load(path=str(built / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    store.update('PREFIX skos: <http://www.w3.org/2004/02/skos/core#> '
                 'DELETE { ?o skos:prefLabel ?l } INSERT { ?o skos:prefLabel "<script>alert(1)</script> & co"@fr } '
                 f'WHERE {{ ?o skos:prefLabel ?l FILTER(?o = <{ORG}anah>) }}')
    out = to_html([build_matrix(store, C24)])
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in out


def test_xlsx_opens_with_openpyxl(built, tmp_path, table):
    from openpyxl import load_workbook

    out = tmp_path / "matrice.xlsx"
    result = run_cli("matrix", "--graph", str(built), "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == [C24, "valenciennes-2015-2022", "Légende"]
    ws = wb[C24]
    assert ws.freeze_panes == "D2"
    header = [c.value for c in ws[1]]
    assert header == ["Partenaire", "IRI", "Signataire"] + [f"O{n}" for n in range(1, 17)] + ["Total"]
    body = list(ws.iter_rows(min_row=2, values_only=True))
    assert body[-1][0] == "Total"
    from cvgraph.matrix import letters

    # same partners, same order, same roles as the CSV, written with the html matrix's letters
    csv_cells = [[r["partner_label"], r["partner"]] + [letters(r[f"O{n}"].split(";")) if r[f"O{n}"] else ""
                                                       for n in range(1, 17)] for r in table]
    xlsx_cells = [[row[0], row[1]] + [v or "" for v in row[3:19]] for row in body[:-1]]
    assert xlsx_cells == csv_cells
    row = next(i for i, r in enumerate(body, 2) if r[1] == ORG + "coutras")
    o5 = ws.cell(row=row, column=3 + 5)   # issue 18, point 4: letters, colour and French role names
    assert o5.value == "PD" and o5.fill.fgColor.rgb.endswith(ROLES["pilot"][3])
    assert o5.comment.text == "Pilote ; Financeur (droit commun)"
    assert ws.column_dimensions["D"].width == 6 and ws.column_dimensions["C"].width == 11
    legend = [r for r in wb["Légende"].iter_rows(values_only=True) if r and r[0] in ROLES]
    assert {r[0]: r[1] for r in legend} == {role: v[0] for role, v in ROLES.items()}
    assert ws.cell(row=1, column=4).comment.text.startswith("Renforcer la coordination locale")
    check_golden("matrix/coutras-2024-2030.xlsx.csv",
                 "".join(",".join("" if v is None else str(v) for v in r) + "\n" for r in ws.iter_rows(values_only=True)))


def test_matrix_errors(built, tmp_path):
    one_line_error(run_cli("matrix", "--graph", str(built), "--contract", "lyon"), "unknown contract 'lyon'")
    one_line_error(run_cli("matrix", "--graph", str(built), "--format", "csv"), "holds one contract", C24)
    one_line_error(run_cli("matrix", "--graph", str(built), "--format", "xlsx"), "needs --out")
    one_line_error(run_cli("matrix", "--graph", str(built), "--format", "md", "--out", str(tmp_path / "no" / "m.md")),
                   "no such folder")


def test_html_renders_in_headless_chromium(built, tmp_path):
    page = tmp_path / "matrice.html"
    assert run_cli("matrix", "--graph", str(built), "--format", "html", "--out", str(page)).exit_code == 0
    dom = render(page.as_uri(), tmp_path / "matrice.png", 1500, 1100)
    assert dom.count("<tr>") + dom.count("<tr ") >= 50 and "Matrice des responsabilités" in dom
