"""Validating the graph against the SHACL shapes of `shapes/` with pySHACL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Namespace

from ._paths import resource_dir
from .errors import SourceError

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass
class Finding:
    severity: str
    focus: str
    path: str
    message: str


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    g = Graph()
    for path in sorted((shapes_dir or resource_dir("shapes")).glob("*.ttl")):
        try:
            g.parse(path, format="turtle")
        except Exception as err:  # rdflib raises several parser exception types
            raise SourceError(f"invalid shapes file: {' '.join(str(err).split())[:200]}", file=path) from None
    return g


def validate_graph(data: Graph, shapes: Graph | None = None) -> list[Finding]:
    """Run pySHACL; every result as a Finding, sorted (violations first)."""
    _, report, _ = shacl_validate(data, shacl_graph=shapes if shapes is not None else load_shapes(),
                                  inference="none", advanced=True, allow_warnings=True)
    findings = []
    for result in report.subjects(SH.resultSeverity, None):
        severity = report.value(result, SH.resultSeverity).split("#")[-1]
        messages = sorted(report.objects(result, SH.resultMessage),
                          key=lambda m: (getattr(m, "language", None) != "fr", str(m)))
        findings.append(Finding(severity, str(report.value(result, SH.focusNode)),
                                str(report.value(result, SH.resultPath) or ""),
                                str(messages[0]) if messages else ""))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(findings, key=lambda f: (order.get(f.severity, 3), f.focus, f.path, f.message))
