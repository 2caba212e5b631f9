"""`cvgraph gaps` and `cvgraph validate` on the seed data.

The expected findings were read off the seed text (line numbers of seed 002 unless said otherwise),
not copied from the program's output.
"""

import csv
import io
import json
import re
from collections import Counter

import pytest
from click.testing import CliRunner
from rdflib import Graph

from cvgraph.cli import main
from cvgraph.gaps import HEADER, Gap, find_gaps
from cvgraph.graph import load_graph
from cvgraph.validate import validate_graph
from conftest import ROOT

C24 = "coutras-2024-2030"
FIXTURE = ROOT / "tests" / "fixtures" / "complete.ttl"


@pytest.fixture(scope="session")
def gaps(built):
    return find_gaps(built)


def rows(gaps, gap, contract=C24):
    return [g for g in gaps if g.gap == gap and g.contract == contract]


def orientations(gaps, gap, contract=C24):
    return {int(g.orientation) for g in rows(gaps, gap, contract)}


def subjects(gaps, gap, contract=C24, orientation=None):
    return {g.subject for g in rows(gaps, gap, contract) if orientation is None or g.orientation == str(orientation)}


def test_orientations_without_associated_service(gaps):
    # "SERVICES ASSOCIES" followed by nothing: O8 l. 1944, O9 l. 2116, O12 l. 2368, O16 l. 2628;
    # no such heading at all in O13 (l. 2385-2428) and O14 (l. 2429-2493).
    assert orientations(gaps, "orientation-without-service") == {8, 9, 12, 13, 14, 16}


def test_orientations_without_figure(gaps):
    # No DONNÉES heading in O7 (l. 1798-1852), O8, O10 (l. 2158: "pas de données spécifiques"), O13,
    # O16; O6's DONNÉES (l. 1737) only points at a "fiche SIG Logement" and gives no figure.
    assert orientations(gaps, "orientation-without-figure") == {6, 7, 8, 10, 13, 16}


def test_orientations_without_specific_funding(gaps):
    # O1 (l. 1428) and O2 (l. 1517) have "Financements mobilisables", not "Financements spécifiques",
    # but their line names the BOP 147 (l. 1429, 1518), a specific credit: the kind comes from it
    assert orientations(gaps, "orientation-without-specific-funding") == set()


def test_orientation_16_has_no_action(gaps):
    # Every fiche has an "ACTIONS À CONDUIRE" heading (l. 1357 … 2539) except O16 (l. 2584-2642).
    assert orientations(gaps, "orientation-without-action") == {16}


def test_funders_named_without_instrument(gaps):
    # O5, l. 1729-1731: "-BPI", "-BM :", "-Commune"; O8, l. 1963-1965: "BPI", "CDC :", "Commune";
    # O9, l. 2145-2146: "Communauté d'agglomération du Libournais", "Ville de Coutras".
    o5 = {s.lower() for s in subjects(gaps, "funder-without-instrument", orientation=5)}
    assert any("bpifrance" in s for s in o5) and "bm" in o5 and any("coutras" in s for s in o5)
    o8 = {s.lower() for s in subjects(gaps, "funder-without-instrument", orientation=8)}
    assert any("dépôts" in s for s in o8) and any("bpifrance" in s for s in o8)
    o9 = {s.lower() for s in subjects(gaps, "funder-without-instrument", orientation=9)}
    assert any("la cali" in s for s in o9) and any("coutras" in s for s in o9)
    # O1's BPI line names its instruments (l. 1426: "Les Déterminés"…): not a gap
    assert not any("bpifrance" in s.lower() for s in subjects(gaps, "funder-without-instrument", orientation=1))


def test_signatories_without_role(gaps):
    # The MSA (section 9, l. 995) and the CMA (section 13, l. 1114) sign, but no fiche names them:
    # fiches only say "les chambres consulaires (CCM, CCI, CCMA)" (l. 1368). ÉPIDE is a funder in O2
    # (l. 1511) and the three landlords serve through "Bailleurs sociaux" (O5 l. 1710, O6 l. 1778).
    found = {s.split(" ")[0] for s in subjects(gaps, "signatory-without-role")}
    assert found == {"MSA", "Chambre"}


def test_funders_without_written_commitment(gaps):
    # BPI is mobilised in O1 (l. 1426) and later fiches; seed 000 (l. 7) lists it as a new signatory,
    # but section C (l. 533-1320) has no BPI commitments. INAE (O1, l. 1422) signs nothing.
    found = subjects(gaps, "funder-without-commitment")
    assert any("Bpifrance" in s for s in found) and "INAE" in found
    assert not any(s in found for s in ("État", "Département de la Gironde", "Région Nouvelle-Aquitaine"))
    bpi = next(g for g in rows(gaps, "funder-without-commitment") if "Bpifrance" in g.subject)
    assert "signataire sans engagement" in bpi.detail and "l. 1426" in bpi.source


def test_unresolved_names(gaps):
    # "-BM :" (O5, l. 1730) and the pilot "Mission ville" (O5, l. 1706) are never spelled out.
    o5 = subjects(gaps, "unresolved-name", orientation=5)
    assert {"BM", "Mission ville"} <= o5


def test_figure_out_of_range(gaps):
    # O2, l. 1436: "29,6% dont 332,9% de femmes" — a share above 100 %, kept as written.
    (g,) = rows(gaps, "figure-out-of-range")
    assert g.orientation == "2" and "332.9" in g.detail and "332,9%" in g.detail
    assert g.source == "002_ac9efd2afd3fa111.txt, fiche orientation 2, données, l. 1436"


def test_titles_differ_between_protocol_and_fiche(gaps):
    # Protocol l. 39 "Ancrer le Conseil Citoyen…" vs fiche l. 2385 "Maintenir le Conseil Citoyen…";
    # O11 ("aux droits"/"au droit"), O14 ("Lutter"/"Lutte"), O15 ("femme/homme"/"femmes/hommes") differ
    # by words too (l. 38-43 vs the fiche headings).
    assert orientations(gaps, "title-mismatch") == {11, 13, 14, 15}
    o13 = next(g for g in rows(gaps, "title-mismatch") if g.orientation == "13")
    assert "Ancrer le Conseil Citoyen" in o13.detail and "Maintenir le Conseil Citoyen" in o13.detail


def test_titles_that_differ_only_in_case_accents_or_typography_are_information(gaps):
    """Issue 18, point 1: O16's protocol (l. 43) writes "république", its fiche "République": not a
    gap, kept as information (category title-variant, severity Info)."""
    from cvgraph.gaps import categories

    assert orientations(gaps, "title-variant") == {16}
    o16 = rows(gaps, "title-variant")[0]
    assert "valeurs de la république" in o16.detail and "valeurs de la République" in o16.detail
    cats = categories()
    assert cats["title-variant"].severity == "Info" and cats["title-mismatch"].severity == "Warning"


def test_valenciennes_lists_orientations_only(gaps):
    # Seed 004 l. 8-14 names 6 orientations and nothing else about them.
    for gap in ("orientation-without-pilot", "orientation-without-indicator", "orientation-without-service"):
        assert orientations(gaps, gap, "valenciennes-2015-2022") == {1, 2, 3, 4, 5, 6}
    # while every Coutras orientation has a pilot and indicators (annex l. 2643-2690, by groups of 4)
    assert orientations(gaps, "orientation-without-pilot") == set()
    assert orientations(gaps, "orientation-without-indicator") == set()


def test_shacl_and_gap_queries_agree(built, gaps):
    """Categories found both by a query and by a completeness shape: the same gaps."""
    report = validate_graph(load_graph(built))
    for gap in ("orientation-without-service", "orientation-without-figure", "orientation-without-pilot",
                "orientation-without-indicator", "orientation-without-specific-funding",
                "funder-without-commitment", "signatory-without-role", "title-mismatch", "figure-out-of-range"):
        # contract-level categories: validate places the finding where the organisation is first named
        level = gap in ("funder-without-commitment", "signatory-without-role")
        shacl = {(f.contract, "" if level else f.orientation, f.subject) for f in report.findings if f.gap == gap}
        query = {(g.contract, g.orientation, g.subject) for g in gaps if g.gap == gap}
        assert shacl == query, gap
    shacl = {(f.contract, f.orientation, f.subject) for f in report.findings if f.gap == "funder-without-instrument"}
    assert shacl == {(g.contract, g.orientation, g.subject) for g in gaps if g.gap == "funder-without-instrument"}
    unresolved = {f.subject for f in report.findings if f.gap == "unresolved-name"}
    assert {g.subject for g in gaps if g.gap == "unresolved-name"} <= unresolved


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_gaps_csv_contract(built, gaps):
    result = invoke("gaps", "--graph", built, "--contract", C24, "--format", "csv")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "contract,gap,orientation,subject,detail,source"
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["contract"] for r in table} == {C24}
    assert [Gap(**r).key() for r in table] == sorted(Gap(**r).key() for r in table)
    assert len(table) == len([g for g in gaps if g.contract == C24])
    assert all(r["detail"] and r["source"].startswith(("002_", "000_")) for r in table)
    assert tuple(lines[0].split(",")) == HEADER


def test_gaps_other_formats(built):
    md = invoke("gaps", "--graph", built, "--contract", C24, "--format", "md")
    assert md.exit_code == 0 and "| Orientation | Manque | Source |" in md.output
    js = invoke("gaps", "--graph", built, "--format", "json")
    data = json.loads(js.output)
    assert {"contract", "gap", "orientation", "subject", "detail", "source", "title", "severity"} <= set(data[0])
    text = invoke("gaps", "--graph", built, "--contract", C24)
    assert "-- Orientations sans service associé (orientation-without-service, avertissement, 6)" in text.output


def test_a_gap_report_a_colleague_can_read(built):
    """Issue 18, point 5: the counts by category first; --category and --severity filter; the
    figures without period or source one line per orientation in text, md and html, one row per
    gap in CSV and xlsx."""
    csv_rows = list(csv.DictReader(io.StringIO(invoke("gaps", "--graph", built, "--contract", C24,
                                                      "--format", "csv").output)))
    per_category = Counter(r["gap"] for r in csv_rows)
    text = invoke("gaps", "--graph", built, "--contract", C24).output
    head = text.split("\n== Contrat")[0]
    for gap, n in per_category.items():   # the count table comes before any gap
        assert re.search(rf"^{re.escape(gap)} .* {n}$", head, re.M), gap
    assert head.index("figure-without-source") < head.index("title-mismatch")   # most first
    # O2's figures (fiche orientation 2, l. 1436-1445): one line for all of them, with their number
    figures = [r for r in csv_rows if r["gap"] == "figure-without-period" and r["orientation"] == "2"]
    assert len(figures) > 1
    lines = [ln for ln in text.splitlines() if ln.strip().startswith(f"O2 {len(figures)} : ")]
    assert len(lines) == 2   # once for the period, once for the source
    md = invoke("gaps", "--graph", built, "--contract", C24, "--format", "md").output
    assert md.index("| Catégorie | Intitulé | Gravité | Nombre |") < md.index("## Contrat")
    assert f"| O2 | {len(figures)} : " in md
    page = invoke("gaps", "--graph", built, "--contract", C24, "--format", "html").output
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page and "<th>Nombre</th>" in page
    only = invoke("gaps", "--graph", built, "--contract", C24, "--format", "csv", "--category", "title-mismatch",
                  "--category", "orientation-without-service")
    assert Counter(r["gap"] for r in csv.DictReader(io.StringIO(only.output))) == \
        {g: per_category[g] for g in ("title-mismatch", "orientation-without-service")}
    info = invoke("gaps", "--graph", built, "--format", "csv", "--severity", "info")
    assert {r["gap"] for r in csv.DictReader(io.StringIO(info.output))} == {"title-variant"}
    wrong = invoke("gaps", "--graph", built, "--category", "orientation-without-pilote")
    assert wrong.exit_code == 2 and "did you mean 'orientation-without-pilot'" in wrong.output


def test_gaps_in_excel(built, tmp_path):
    """Issue 18, point 4: xlsx with French headers, filters, a frozen header and the counts; CSV for
    French Excel with --excel (BOM, ';'); xlsx needs --out, refused before any work."""
    from openpyxl import load_workbook

    out = tmp_path / "manques.xlsx"
    result = invoke("gaps", "--graph", built, "--format", "xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["Manques", "Nombre par catégorie"]
    ws = wb["Manques"]
    assert [c.value for c in ws[1]] == ["Contrat", "Catégorie", "Orientation", "Sujet", "Détail", "Source"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:F")
    plain = list(csv.reader(io.StringIO(invoke("gaps", "--graph", built, "--format", "csv").output)))
    assert ws.max_row == len(plain)   # one row per gap, as the CSV
    assert all(ws.column_dimensions[c].width >= 8 for c in "ABCDEF")
    counts = {r[0]: r[3] for r in wb["Nombre par catégorie"].iter_rows(min_row=2, values_only=True)}
    assert counts == Counter(r[1] for r in plain[1:])
    excel = invoke("gaps", "--graph", built, "--format", "csv", "--excel").output
    assert excel.startswith("\ufeffcontract;gap;orientation;subject;detail;source\n")
    refused = invoke("gaps", "--graph", built, "--format", "xlsx")
    assert refused.exit_code == 2 and "--format xlsx needs --out" in refused.output


def test_gaps_unknown_contract(built):
    result = invoke("gaps", "--graph", built, "--contract", "lyon-2024-2030")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "unknown contract 'lyon-2024-2030'" in result.output


def test_validate_seed_graph_exits_0_and_lists_warnings(built):
    result = invoke("validate", built / "graph.nt")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("Validation : 0 violation(s)") and "avertissement(s)" in first
    assert "== Contrat coutras-2024-2030" in result.output and "-- Orientation 8" in result.output
    assert "cvs:Orientation-service" in result.output and "002_ac9efd2afd3fa111.txt, fiche orientation 8" in result.output


def test_validate_exits_1_on_a_violation(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(FIXTURE.read_text(encoding="utf-8").replace("cv:number 1 ;", "cv:number 0 ;"), encoding="utf-8")
    result = invoke("validate", bad)
    assert result.exit_code == 1
    assert "1 violation(s)" in result.output.splitlines()[0] and "cvs:Orientation-number" in result.output
    for fmt in ("csv", "json", "ttl"):
        out = invoke("validate", bad, "--format", fmt)
        assert out.exit_code == 1
        if fmt == "csv":
            table = list(csv.DictReader(io.StringIO(out.output)))
            assert [(r["severity"], r["shape"].split("#")[1], r["source"]) for r in table] == [
                ("Violation", "Orientation-number", "test.txt, fiche orientation 0, l. 10")]
        elif fmt == "json":
            data = json.loads(out.output)
            assert data["conforms"] is False and data["violations"] == 1
        else:
            report = Graph().parse(data=out.output, format="turtle")
            assert len(report) > 5


def test_validate_complete_fixture_exits_0():
    result = invoke("validate", FIXTURE)
    assert result.exit_code == 0 and "0 violation(s), 0 avertissement(s)" in result.output


def test_validate_unusable_input(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix cv: <https://w3id.org/cvgraph/ontology#> .\n\ncv:a cv:b \"unterminated .\n",
                      encoding="utf-8")
    result = invoke("validate", broken)
    assert result.exit_code == 2 and "broken.ttl" in result.output and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<x> a sh:NodeShape ;\n  sh:path [ \n",
                      encoding="utf-8")
    result = invoke("validate", FIXTURE, "--shapes", shapes)
    assert result.exit_code == 2 and "shapes.ttl" in result.output and result.output.strip().count("\n") == 0
    missing = invoke("validate", tmp_path / "nope.ttl")
    assert missing.exit_code == 2 and "nope.ttl" in missing.output


def test_two_figures_of_one_label_on_one_line_stay_two_gaps(gaps):
    """Issue 18, point 1: seed 002 l. 153 gives the share of 15-24 year-olds twice, "15% sur le
    quartier contre 10% sur Coutras", with no period: two figures, two gap rows, each named with its
    place and value."""
    rows = [g for g in gaps if g.gap == "figure-without-period" and g.line == "153"]
    assert sorted(g.subject for g in rows) == ["Part des 15-24 ans (Coutras : 10 %)",
                                               "Part des 15-24 ans (Quartier du Centre (Coutras) : 15 %)"]


def test_the_xlsx_gap_report_links_each_source_to_its_line(built, tmp_path):
    """Issue 18, point 4: with the source texts, each xlsx source cell is a link to its line on the
    published site (seed 002, shown by its rights)."""
    from openpyxl import load_workbook

    from conftest import seed_text

    folder = seed_text("seed-002").parent
    out = tmp_path / "manques.xlsx"
    result = invoke("gaps", "--graph", built, "--contract", C24, "--format", "xlsx", "--out", out,
                    "--sources", folder)
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)["Manques"]
    cells = [ws.cell(row=r, column=6) for r in range(2, ws.max_row + 1)]
    linked = [c for c in cells if c.hyperlink]
    assert linked and all(c.hyperlink.target.endswith(f"text.html#L{c.value.rsplit('l. ', 1)[1]}") for c in linked)
    assert all(c.hyperlink for c in cells if c.value.startswith("002_"))
