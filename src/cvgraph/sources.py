"""The source texts: where they are, whether they are the texts the data was read from, and what of
them may be shown.

The texts (a contract, a web page) are inputs, like the PDF a user brings: the project never
copies them. `data/documents.yaml` records each one's file name and SHA-256, computed on the text
normalised to UTF-8 with LF line ends (so that a copy with Windows line ends, or in Windows-1252,
still matches). A sources folder (`--sources DIR`, or the `CVGRAPH_SOURCES` environment variable)
says where the files are. A text whose checksum differs is refused: its line numbers would lie.
A file name that leaves the folder (`../`, an absolute path, a symbolic link out) is refused too.

Each document also states its rights (may its text be republished, under which statement) and its
redactions: spans of a line replaced by "(…)" wherever the text is shown (a private person's
name), given by the words around them so that the project never holds what it hides::

    redactions:
      - {line: 1650, after: "au lancement (", before: ")", reason: "nom d’une personne"}
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError, UsageError

SOURCES_ENV = "CVGRAPH_SOURCES"
REDACTED = "(…)"


def normalised_text(data: bytes) -> str:
    """The text of a file as cvgraph reads it: UTF-8 (a BOM dropped) or else Windows-1252, with LF
    line ends."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def checksum(data: bytes) -> str:
    """SHA-256 (hex) of the normalised text: the same for a copy with other line ends or encoding."""
    return hashlib.sha256(normalised_text(data).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Redaction:
    line: int
    after: str = ""
    before: str = ""
    reason: str = ""

    def apply(self, text: str) -> str | None:
        """`text` (one line) with the span between `after` and `before` replaced by "(…)"; None when
        the anchors are not on the line."""
        start = 0
        if self.after:
            i = text.find(self.after)
            if i < 0:
                return None
            start = i + len(self.after)
        end = len(text.rstrip())
        if self.before:
            j = text.find(self.before, start)
            if j < 0:
                return None
            end = j
        if end <= start:
            return None
        return text[:start] + REDACTED + text[end:]


@dataclass(frozen=True)
class DocumentInfo:
    """What the project knows of a source text: its id, file name, checksum, rights and redactions."""
    id: str
    file: str
    sha256: str
    republish: bool = False
    rights: str = ""
    redactions: tuple[Redaction, ...] = field(default_factory=tuple)


@dataclass
class SourceText:
    """A source text that matched its checksum: its lines (numbered from 1), and its lines with the
    redactions applied (the only form ever shown)."""
    info: DocumentInfo
    path: Path
    lines: list[str]

    @property
    def redacted(self) -> list[str]:
        out = list(self.lines)
        for r in self.info.redactions:
            if 1 <= r.line <= len(out):
                changed = r.apply(out[r.line - 1])
                if changed is not None:
                    out[r.line - 1] = changed
        return out

    def unapplied(self) -> list[Redaction]:
        """Redactions whose line or words are not in the text."""
        return [r for r in self.info.redactions
                if not 1 <= r.line <= len(self.lines) or r.apply(self.lines[r.line - 1]) is None]


class Sources:
    """A folder of source texts."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        if not self.root.is_dir():
            raise UsageError(f"sources folder {self.root} not found")
        self._cache: dict[str, SourceText | None] = {}

    def path_of(self, file: str) -> Path:
        """The path of `file` inside the folder; a name that leaves it is refused."""
        if not file or os.path.isabs(file) or file.startswith(("/", "\\")) or \
                any(part in ("..", "") for part in file.replace("\\", "/").split("/")):
            raise SourceError(f"file name {file!r} leaves the sources folder", field="file")
        root = self.root.resolve()
        path = (self.root / file)
        resolved = path.resolve()
        if root not in resolved.parents:
            raise SourceError(f"file name {file!r} leaves the sources folder {self.root} "
                              "(a symbolic link out of it)", field="file")
        return path

    def find(self, info: DocumentInfo) -> SourceText | None:
        """The text of a document, or None when its file is not in the folder; a file whose
        checksum differs from the recorded one is refused."""
        if info.id in self._cache:
            return self._cache[info.id]
        path = self.path_of(info.file)
        if not path.is_file():
            self._cache[info.id] = None
            return None
        data = path.read_bytes()
        found = checksum(data)
        if found != info.sha256:
            raise SourceError(f"{path}: not the text document {info.id!r} was read from (SHA-256 "
                              f"{found[:12]}…, expected {info.sha256[:12]}…): its line numbers would lie",
                              field="sha256")
        text = SourceText(info, path, normalised_text(data).split("\n"))
        if text.lines and text.lines[-1] == "":
            text.lines.pop()   # the final line end does not start a line
        self._cache[info.id] = text
        return text


def sources_folder(option: Path | str | None = None) -> Sources | None:
    """The sources folder given (an option), else the one `CVGRAPH_SOURCES` names, else None."""
    value = option if option not in (None, "") else os.environ.get(SOURCES_ENV) or None
    return Sources(value) if value else None


def documents_from_registry(regs) -> dict[str, DocumentInfo]:
    """The DocumentInfo of every entry of a documents registry (`registry.Registries.documents`)."""
    from .sheets import mappings, optional, require

    out = {}
    for ident, e in regs.documents.entries.items():
        rights = optional(e, "rights", dict, {}) or {}
        reds = tuple(Redaction(require(r, "line", int), optional(r, "after", str, ""),
                               optional(r, "before", str, ""), optional(r, "reason", str, ""))
                     for r in mappings(e, "redactions"))
        out[ident] = DocumentInfo(ident, require(e, "file"), require(e, "sha256"),
                                  bool(rights.get("republish", False)), str(rights.get("statement", "")), reds)
    return out


def documents_from_graph(store) -> dict[str, DocumentInfo]:
    """The DocumentInfo of every source document of a built graph (a pyoxigraph store), keyed by
    the document's IRI."""
    q = """PREFIX cv: <https://w3id.org/cvgraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?d ?id ?file ?sha ?republish ?rights WHERE {
      ?d a cv:SourceDocument ; dcterms:identifier ?id ; cv:fileName ?file .
      OPTIONAL { ?d cv:sha256 ?sha } OPTIONAL { ?d cv:republishable ?republish }
      OPTIONAL { ?d dcterms:rights ?rights } } ORDER BY ?d"""
    reds: dict[str, list[Redaction]] = {}
    rq = """PREFIX cv: <https://w3id.org/cvgraph/ontology#>
    SELECT ?d ?line ?after ?before ?reason WHERE { ?d cv:redaction ?r . ?r cv:line ?line .
      OPTIONAL { ?r cv:after ?after } OPTIONAL { ?r cv:before ?before } OPTIONAL { ?r cv:reason ?reason } }
    ORDER BY ?d ?line ?after"""
    for s in store.query(rq):
        reds.setdefault(s["d"].value, []).append(Redaction(
            int(s["line"].value), s["after"].value if s["after"] else "", s["before"].value if s["before"] else "",
            s["reason"].value if s["reason"] else ""))
    out = {}
    for s in store.query(q):
        iri = s["d"].value
        out[iri] = DocumentInfo(s["id"].value, s["file"].value, s["sha"].value if s["sha"] else "",
                                bool(s["republish"]) and s["republish"].value == "true",
                                s["rights"].value if s["rights"] else "", tuple(reds.get(iri, ())))
    return out


@dataclass
class TextState:
    """What a site does with one source document's text: shown (`text` holds its redacted lines),
    or not, and why."""
    info: DocumentInfo
    text: list[str] | None = None
    why_not: str = ""


def text_states(documents: dict[str, DocumentInfo], sources: Sources | None) -> dict[str, TextState]:
    """Per document IRI: its text when the sources hold it and its rights allow it, else the reason."""
    out = {}
    for iri, info in documents.items():
        if not info.republish:
            out[iri] = TextState(info, why_not="ses droits n’en permettent pas la republication")
        elif sources is None:
            out[iri] = TextState(info, why_not="le site a été publié sans les textes sources (--sources)")
        else:
            found = sources.find(info)
            out[iri] = TextState(info, found.redacted, "") if found else \
                TextState(info, why_not=f"le fichier {info.file} n’est pas dans le dossier des sources")
    return out


class LineLinks:
    """Links from a report to the lines of the source texts, on the site `cvgraph publish
    --sources` writes for a graph: `url(file, line)` is `<base>document/<id>/text.html#L<line>`
    when the sources hold that text and its rights allow it to be shown, else None."""

    def __init__(self, store, sources: Sources | None, base: str | None = None):
        from .graph import graph_base

        source_base = graph_base(store)
        self.base = base or source_base
        self.shown: dict[str, tuple[str, int]] = {}   # file name -> (document path, number of lines)
        for iri, state in text_states(documents_from_graph(store), sources).items():
            if state.text is not None and iri.startswith(source_base):
                self.shown[state.info.file] = (iri[len(source_base):], len(state.text))

    def url(self, file: str, line) -> str | None:
        shown = self.shown.get(file)
        if shown is None or str(line).strip() in ("", "None") or not str(line).strip().isdigit():
            return None
        if not 1 <= int(line) <= shown[1]:
            return None
        return f"{self.base}{text_path(shown[0])}.html#L{int(line)}"


def text_path(doc_path: str) -> str:
    """Where a site puts the page of a document's text: beside the document's own page."""
    return doc_path + "/text"

