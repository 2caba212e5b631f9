from pathlib import Path

import pytest
from rdflib import Namespace

from cvgraph.build import build
from cvgraph.export import export_all
from cvgraph.graph import load_graph

ROOT = Path(__file__).resolve().parents[1]
ID = Namespace("https://w3id.org/cvgraph/id/")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "graph"
    build(ROOT / "data", out)
    export_all(out)   # graph.nt, graph.ttl, graph.jsonld, as `cvgraph export` writes them
    return out


PUBLISHED_BASE = "https://data.example.org/cvgraph/"


@pytest.fixture(scope="session")
def published(built, tmp_path_factory):
    """The seed graph published as a site (`cvgraph publish`) for PUBLISHED_BASE; read, never changed."""
    out = tmp_path_factory.mktemp("pub") / "site"
    result = run_cli("publish", "--graph", str(built), "--out", str(out), "--base-uri", PUBLISHED_BASE)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def g(built):
    return load_graph(built)


GOLDEN = ROOT / "tests" / "golden"


def check_golden(name: str, text: str) -> None:
    """Compare `text` with tests/golden/NAME; CVGRAPH_UPDATE_GOLDEN=1 rewrites the file instead.

    Golden files pin whole outputs against regressions; the values users rely on are also checked
    by hand against the seed text in the tests themselves (with line numbers)."""
    import os

    path = GOLDEN / name
    if os.environ.get("CVGRAPH_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing (run with CVGRAPH_UPDATE_GOLDEN=1 once, then read it)"
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"


@pytest.fixture(scope="session")
def store(built):
    from cvgraph.graph import load_store

    return load_store(built)


def seed_text(document: str) -> Path:
    """The path of a source text (a document id of data/documents.yaml), found through the project's
    sources setting (CVGRAPH_SOURCES) and checked against its SHA-256. Without the setting the test
    is skipped with a one-line reason; with it, an absent text is a failure (that is how `.ci/run`
    runs the suite, with ../shared/seeds beside the checkout)."""
    from cvgraph.registry import load_registries
    from cvgraph.sources import SOURCES_ENV, documents_from_registry, sources_folder

    info = documents_from_registry(load_registries(ROOT / "data"))[document]
    sources = sources_folder()
    if sources is None:
        pytest.skip(f"source text {info.file} not available: set {SOURCES_ENV} to the folder of the source texts")
    text = sources.find(info)
    if text is None:
        pytest.fail(f"{SOURCES_ENV}={sources.root} does not hold {info.file} ({document})")
    return text.path


def run_cli(*args: str):
    """Run the cvgraph CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from cvgraph.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)
