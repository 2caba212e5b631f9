"""Where the hand-edited sources (ontology, shapes, queries, data) are found.

From a checkout (or an editable install) they are the top-level folders of the checkout, so that
edits are live; from a regular install they are the copies shipped inside the package.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

RESOURCE_NAMES = ("ontology", "shapes", "queries", "data")
_CHECKOUT = Path(__file__).resolve().parents[2]


def checkout_root() -> Path | None:
    """The root of the source checkout this package runs from, or None when installed."""
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "ontology").is_dir():
        return _CHECKOUT
    return None


def resource_dir(name: str) -> Path:
    """The folder holding the named resource (one of RESOURCE_NAMES)."""
    if name not in RESOURCE_NAMES:
        raise ValueError(f"unknown resource folder {name!r}")
    root = checkout_root()
    if root is not None:
        return root / name
    spec = importlib.util.find_spec(f"cvgraph.resources.{name}")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"cvgraph resource folder {name!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def default_build_dir() -> Path:
    """The default build folder: `build/graph` in a checkout, else `./cvgraph-build`."""
    root = checkout_root()
    return (root / "build" / "graph") if root is not None else Path.cwd() / "cvgraph-build"
