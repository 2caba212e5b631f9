from pathlib import Path

import pytest
from rdflib import Namespace

from cvgraph.build import build
from cvgraph.graph import load_graph

ROOT = Path(__file__).resolve().parents[1]
ID = Namespace("https://w3id.org/cvgraph/id/")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "graph"
    build(ROOT / "data", out)
    return out


@pytest.fixture(scope="session")
def g(built):
    return load_graph(built)
