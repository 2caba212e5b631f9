"""What analysts trip over (issue 18): every report in the formats they work with, a summary of
every contract in French, hints for mistyped names and for a build older than its data."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import time

from openpyxl import load_workbook

from conftest import ROOT, run_cli
from cvgraph.tables import REPORTS, sorted_labels
from test_query import one_line_error

C24 = "coutras-2024-2030"


def test_every_report_declares_its_formats_and_the_cli_offers_exactly_those():
    """Point 4: one formats registry; each command's --format is built from it."""
    for command, spec in REPORTS.items():
        result = run_cli(command, "--help")
        assert result.exit_code == 0
        offered = result.stdout.split("--format [", 1)[1].split("]", 1)[0].replace("\n", "").replace(" ", "")
        assert offered.split("|") == list(spec.formats), command
        assert spec.default in spec.formats
    assert {"text", "table", "csv", "tsv", "json", "md", "html", "xlsx"} == \
        {f for spec in REPORTS.values() for f in spec.formats} - {"ttl", "graphml", "gexf", "png", "svg"}


def test_query_and_validate_write_xlsx_html_and_csv_for_french_excel(built, tmp_path):
    """Point 4: a query result and the validation as xlsx (French headers, frozen header, filters),
    html (a French page) and CSV for French Excel (BOM, ';', decimal comma)."""
    out = tmp_path / "financeurs.xlsx"
    result = run_cli("query", "who-funds-what", "--graph", str(built), "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Contrat", "Orientation", "Titre de l’orientation", "Financeur (IRI)"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    plain = list(csv.reader(io.StringIO(run_cli("query", "who-funds-what", "--graph", str(built), "--format",
                                                "csv").stdout)))
    assert ws.max_row == len(plain)
    assert isinstance(ws.cell(row=2, column=2).value, int)   # orientation numbers are numbers in Excel
    page = run_cli("query", "contracts", "--graph", str(built), "--format", "html").stdout
    assert '<html lang="fr">' in page and "<th>Contrat</th>" in page and "<th>Signataires</th>" in page
    excel = run_cli("query", "observations", "--graph", str(built), "--format", "csv", "--excel").stdout
    assert excel.startswith("\ufeff") and ";" in excel.splitlines()[0]
    rows = list(csv.reader(io.StringIO(excel.lstrip("\ufeff")), delimiter=";"))
    plain = list(csv.reader(io.StringIO(run_cli("query", "observations", "--graph", str(built), "--format",
                                                "csv").stdout)))
    for a, b in zip(rows, plain):   # the same cells, decimals written with a comma
        assert a == [v.replace(".", ",") if v.replace(".", "", 1).lstrip("-").isdigit() else v for v in b]
    assert any("," in v and v.replace(",", "", 1).isdigit() for r in rows for v in r)
    out = tmp_path / "validation.xlsx"
    folder = tmp_path / "b"   # validate keeps its findings in the build folder: a copy of the shared build
    shutil.copytree(built, folder)
    result = run_cli("validate", "--graph", str(folder), "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    ws = load_workbook(out).active
    assert [c.value for c in ws[1]][:3] == ["Gravité", "Contrat", "Orientation"]
    assert ws.cell(row=2, column=1).value == "avertissement"
    md = run_cli("validate", "--graph", str(folder), "--format", "md").stdout
    assert md.startswith("| severity | contract |")
    one_line_error(run_cli("validate", "--graph", str(folder), "--format", "xlsx"), "--format xlsx needs --out")


def test_summary_names_every_contract_in_french(built):
    """Point 3: every contract, its facts, who funds what with whole labels, its gaps by category;
    --contract for one; json for programs."""
    text = run_cli("summary", "--graph", str(built)).stdout
    for c in ("contrat-003-2015", "coutras-2015-2023", C24, "valenciennes-2015-2022"):
        assert f"== {c} – " in text, c
    assert "Période : 2024-2030" in text and "Orientations : 16" in text and "Qui finance quoi" in text
    assert "Département de la Gironde" in text   # a whole label, not cut
    one = json.loads(run_cli("summary", "--graph", str(built), "--contract", C24, "--format", "json").stdout)
    assert [c["contract"] for c in one] == [C24]
    gaps = list(csv.DictReader(io.StringIO(run_cli("gaps", "--graph", str(built), "--contract", C24, "--format",
                                                   "csv").stdout)))
    assert {g["gap"]: g["count"] for g in one[0]["gaps"]} == \
        {k: sum(1 for g in gaps if g["gap"] == k) for k in {g["gap"] for g in gaps}}
    lines = [f["funding_lines"] for f in one[0]["funders"]]
    assert lines == sorted(lines, reverse=True) and one[0]["funders"][0]["funder"] == "État"
    md = run_cli("summary", "--graph", str(built), "--contract", C24, "--format", "md").stdout
    assert md.startswith(f"## {C24} – ") and "| Financeur (organisation de tête) | Lignes |" in md
    one_line_error(run_cli("summary", "--graph", str(built), "--contract", "coutras-2024"), "did you mean")


def test_sorting_is_accent_aware():
    """Point 4: "État" among the E's, "BM" after "Banque"."""
    assert sorted_labels(["Région", "État", "Banque des territoires", "BM", "Education", "Département"]) == \
        ["Banque des territoires", "BM", "Département", "Education", "État", "Région"]


def test_a_build_older_than_its_data_is_named(tmp_path):
    """Point 8: a command reading a build warns when a file of its data folder changed after it."""
    data, out = tmp_path / "data", tmp_path / "build"
    shutil.copytree(ROOT / "data", data)
    assert run_cli("build", "--data", str(data), "--out", str(out)).exit_code == 0
    quiet = run_cli("query", "contracts", "--graph", str(out), "--format", "csv")
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
    sheet = data / "contracts" / f"{C24}.yaml"
    later = time.time() + 5
    os.utime(sheet, (later, later))
    import cvgraph.store as store_module
    store_module._WARNED.clear()
    warned = run_cli("query", "contracts", "--graph", str(out), "--format", "csv")
    assert warned.exit_code == 0
    assert f"cvgraph: warning: {sheet} changed after the build in {out}; run `cvgraph build`" in warned.stderr
