"""Bad sources: one-line error naming file, line and field; exit 2; previous build untouched."""

import shutil

import pytest
from click.testing import CliRunner

from cvgraph.cli import main
from conftest import ROOT


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(ROOT / "data", d)
    return d


def run_build(data, out):
    return CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out)])


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check_refused(data, tmp_path, expected):
    out = tmp_path / "out"
    assert run_build(ROOT / "data", out).exit_code == 0
    before = build_files(out)
    result = run_build(data, out)
    assert result.exit_code == 2
    message = result.output.strip()
    assert "\n" not in message and "Traceback" not in message
    for part in expected:
        assert part in message, message
    assert build_files(out) == before


def build_files(out):
    """Every file of a build folder, with its bytes (the store's included)."""
    return {f.relative_to(out): f.read_bytes() for f in sorted(out.rglob("*")) if f.is_file()}


def test_malformed_sheet(data, tmp_path):
    sheet = data / "contracts" / "coutras-2015-2023.yaml"
    edit(sheet, "pilot: la-cali", "pilot: [la-cali")
    check_refused(data, tmp_path, ["coutras-2015-2023.yaml:", "invalid YAML"])


def test_unknown_organisation_name(data, tmp_path):
    edit(data / "contracts" / "coutras-2024-2030.yaml", "funder: BPI", "funder: Banque Inconnue")
    check_refused(data, tmp_path, ["coutras-2024-2030.yaml:", "field 'funder'", "unknown organisation 'Banque Inconnue'"])


def test_duplicate_id(data, tmp_path):
    edit(data / "organisations.yaml", "  - id: clairsienne\n", "  - id: mesolia\n")
    check_refused(data, tmp_path, ["organisations.yaml:", "field 'id'", "duplicate organisation id 'mesolia'"])


def test_reference_to_missing_orientation(data, tmp_path):
    sheet = data / "contracts" / "coutras-2024-2030.yaml"
    edit(sheet, "orientations: [13, 14, 15, 16]", "orientations: [13, 14, 15, 17]")
    check_refused(data, tmp_path, ["coutras-2024-2030.yaml:", "field 'orientations'", "orientation 17 does not exist"])


def test_invalid_turtle_in_ontology(tmp_path, monkeypatch):
    import cvgraph.build as b
    bad = tmp_path / "cvgraph.ttl"
    bad.write_text("@prefix cv: <x#> .\ncv:A a cv:B ;\n  cv:c \"unterminated .\n", encoding="utf-8")
    real = b.load_ontology
    monkeypatch.setattr(b, "load_ontology", lambda path=None: real(bad))
    out = tmp_path / "out"
    assert run_build(ROOT / "data", out).exit_code == 2
    result = run_build(ROOT / "data", out)
    assert "cvgraph.ttl" in result.output and "invalid Turtle" in result.output
    assert not out.exists()
