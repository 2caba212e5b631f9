"""The exceptions cvgraph raises.

Every error the library raises on purpose derives from one base class, so that the CLI can turn any
of them into a one-line message and an exit code in one place::

    CvgraphError                 base class; `str(err)` is the one-line message
    ├── SourceError              a source file is wrong: carries file, line and field
    ├── GraphError               a built graph or RDF file cannot be found or read
    └── UsageError               a request that cannot be served (unknown id, bad option value)
"""

from __future__ import annotations

import re
from pathlib import Path


class CvgraphError(Exception):
    """Base class of every error cvgraph raises on purpose."""

    exit_code = 2


class SourceError(CvgraphError):
    """A hand-edited source (data sheet, registry, ontology) is malformed or inconsistent."""

    def __init__(self, message: str, *, file: str | Path | None = None,
                 line: int | None = None, field: str | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __reduce__(self):  # so that it crosses from a worker process unchanged
        return _source_error, (self.message, self.file, self.line, self.field)

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {self.message}"


def _source_error(message, file, line, field) -> SourceError:
    return SourceError(message, file=file, line=line, field=field)


def parse_failure(err: Exception) -> tuple[str, int | None]:
    """A parser's error on one line, and the line it names if it names one (rdflib and pyoxigraph
    word it "at line 3", "line: 3" or "line 3")."""
    text = " ".join(str(err).split())
    match = re.search(r"line:? (\d+)", text)
    return text, int(match.group(1)) if match else None


class GraphError(CvgraphError):
    """A built graph or an RDF file cannot be found or read."""


class UsageError(CvgraphError):
    """A request that cannot be served: an unknown contract id, a bad option value."""


def did_you_mean(name: str, known) -> str:
    """" (did you mean 'x'?)" for the nearest of the known names, or ""."""
    from difflib import get_close_matches

    near = get_close_matches(name, list(known), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""
