"""Checking the citations of `data/` against the source texts.

Every entry of a sheet or registry cites a line of a document (`line`, `start_line`,
`protocol_line`, `end_line`; the document is the entry's own `document`, else that of the
nearest entry holding it, else the sheet's). Given the texts, the check finds

- a cited line beyond the end of its document (`cvs:CitedLineExists`);
- a `written` quote that is not found at its line, give or take two lines (`cvs:QuoteAtLine`).
  Whitespace, line breaks, hyphenation and typographic variants of apostrophes and quotation
  marks are ignored; an elision ("…", "(…)") in the quote matches any text, so a quote that
  shows a redacted span (`documents.yaml`) as "(…)" matches the text it hides.

Each miss is a validation finding that names the sheet and its line, and the source line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .sheets import Node, read_yaml
from .sources import DocumentInfo, REDACTED, SourceText, Sources

CVS = "https://w3id.org/cvgraph/shapes#"
LINE_SHAPE = CVS + "CitedLineExists"
QUOTE_SHAPE = CVS + "QuoteAtLine"
LINE_KEYS = {"line": "document", "start_line": "document", "protocol_line": "document", "end_line": "end_document"}
SLACK = 2   # lines either side where a quote may start


@dataclass(frozen=True)
class Citation:
    sheet: str            # the file that cites
    sheet_line: int       # where it cites
    field: str            # which field holds the line
    document: str         # document id
    line: int             # cited line
    quote: str | None     # the `written` text said to be at that line
    contract: str         # contract id of the sheet, "" for registries
    orientation: str      # orientation number, or ""


def collect(data_dir: Path) -> list[Citation]:
    """Every line cited by the sheets and registries of `data_dir`."""
    data_dir = Path(data_dir)
    out: list[Citation] = []
    for name in ("organisations.yaml", "instruments.yaml", "territories.yaml", "agreements.yaml"):
        path = data_dir / name
        if path.is_file():
            _walk(read_yaml(path), None, "", "", out)
    for path in sorted((data_dir / "contracts").glob("*.yaml")):
        root = read_yaml(path)
        if isinstance(root, Node):
            _walk(root, None, str(root.get("id", "")), "", out)
    return out


def _walk(node, doc: str | None, contract: str, orientation: str, out: list[Citation]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, doc, contract, orientation, out)
        return
    if not isinstance(node, Node):
        return
    own = node.get("document") if isinstance(node.get("document"), str) else doc
    source = node.get("source")
    inherited = source["document"] if isinstance(source, Node) and isinstance(source.get("document"), str) else own
    for key, doc_key in LINE_KEYS.items():
        value = node.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            cited = node.get(doc_key) if doc_key != "document" and isinstance(node.get(doc_key), str) else own
            if cited:
                quote = node.get("written") if key == "line" and isinstance(node.get("written"), str) else None
                out.append(Citation(node.file, node.line_of(key) or 0, key, cited, value, quote,
                                    contract, orientation))
    for key, value in node.items():
        here = orientation
        if key == "orientations" and isinstance(value, list):
            for item in value:
                n = item.get("number") if isinstance(item, Node) else None
                _walk(item, inherited, contract, str(n) if isinstance(n, int) else "", out)
            continue
        if isinstance(value, (Node, list)):
            _walk(value, inherited, contract, here, out)


# --- matching --------------------------------------------------------------------------------------

_DROP = re.compile(r"[\s\-‐‑‒–—­]+")
_SAME = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "«": '"', "»": '"', "“": '"',
                       "”": '"', "„": '"', "\u00a0": " ", "\u202f": " "})
_ELISION = re.compile(r"\s*(?:\(…\)|\[…\]|\(\.\.\.\)|…|\.\.\.)\s*")


def _key(text: str) -> str:
    return _DROP.sub("", text.translate(_SAME)).replace('"', "")


class Index:
    """A document's text as one matching key, with the line each of its characters comes from."""

    def __init__(self, lines: list[str]):
        parts, starts, self.line_of_start = [], [], []
        pos = 0
        for n, line in enumerate(lines, start=1):
            k = _key(line)
            if k:
                starts.append(pos)
                self.line_of_start.append(n)
                parts.append(k)
                pos += len(k)
        self.text = "".join(parts)
        self.starts = starts

    def line_at(self, pos: int) -> int:
        return self.line_of_start[bisect.bisect_right(self.starts, pos) - 1]

    def positions(self, key: str, lo: int = 0, hi: int | None = None):
        """Where `key` starts, from `lo` up to (not including) `hi`; it may end beyond `hi`."""
        hi = len(self.text) if hi is None else hi
        i = self.text.find(key, lo)
        while 0 <= i < hi:
            yield i
            i = self.text.find(key, i + 1)

    def start_of_line(self, n: int) -> int:
        """The position of the first character of line `n` or of the first later line with text."""
        i = bisect.bisect_left(self.line_of_start, n)
        return self.starts[i] if i < len(self.starts) else len(self.text)


def quote_found(index: Index, quote: str, line: int, slack: int = SLACK) -> bool:
    """Whether `quote` starts within `slack` lines of `line`: whole, or with its elisions matching
    any text (each piece in order, the whole within a span a little longer than the quote)."""
    key = _key(quote)
    if not key:
        return True
    lo, hi = index.start_of_line(line - slack), index.start_of_line(line + slack + 1)
    if any(True for _ in index.positions(key, lo, hi)):
        return True
    pieces = [k for k in (_key(p) for p in _ELISION.split(quote)) if k]
    if len(pieces) < 2 and not _ELISION.search(quote):
        return False
    for start in index.positions(pieces[0], lo, hi):
        pos, ok = start + len(pieces[0]), True
        for piece in pieces[1:]:
            nxt = index.text.find(piece, pos, pos + len(key) * 4 + 400)
            if nxt < 0:
                ok = False
                break
            pos = nxt + len(piece)
        if ok:
            return True
    return False


@dataclass(frozen=True)
class Miss:
    citation: Citation
    shape: str
    message: str
    message_en: str
    file: str


def check(citations: list[Citation], documents: dict[str, DocumentInfo], sources: Sources) -> tuple[list[Miss], list[str]]:
    """The citations that the texts do not bear out, and the documents whose text was not found
    in the sources folder (their citations are not checked)."""
    misses, absent = [], []
    texts: dict[str, tuple[SourceText, Index] | None] = {}
    for c in citations:
        if c.document not in texts:
            info = documents.get(c.document)
            found = sources.find(info) if info else None
            if info and found is None:
                absent.append(info.file)
            texts[c.document] = (found, Index(found.lines)) if found else None
        entry = texts[c.document]
        if entry is None:
            continue
        text, index = entry
        where = f"{c.sheet}:{c.sheet_line}"
        if not 1 <= c.line <= len(text.lines):
            misses.append(Miss(c, LINE_SHAPE,
                               f"{where} : champ « {c.field} » : la ligne {c.line} n’existe pas dans {text.info.file} "
                               f"({len(text.lines)} lignes)",
                               f"{where}: field '{c.field}': line {c.line} does not exist in {text.info.file} "
                               f"({len(text.lines)} lines)", text.info.file))
        elif c.quote is not None and not quote_found(index, c.quote, c.line):
            shown = c.quote if len(c.quote) <= 80 else c.quote[:77] + "…"
            misses.append(Miss(c, QUOTE_SHAPE,
                               f"{where} : citation introuvable à la ligne {c.line} (± {SLACK}) de {text.info.file} : "
                               f"« {shown} »",
                               f"{where}: quote not found at line {c.line} (± {SLACK}) of {text.info.file}: "
                               f"“{shown}”", text.info.file))
    return misses, sorted(set(absent))


def check_data(data_dir: Path, sources: Sources) -> tuple[list[Miss], list[str]]:
    """`check` on the sheets and registries of `data_dir`, against the texts of `sources`."""
    from .registry import load_registries
    from .sources import documents_from_registry

    regs = load_registries(Path(data_dir))
    documents = documents_from_registry(regs)
    citations = collect(data_dir)
    unknown = [c for c in citations if c.document not in documents]
    if unknown:
        c = unknown[0]
        raise SourceError(f"unknown document id {c.document!r}", file=c.sheet, line=c.sheet_line, field="document")
    return check(citations, documents, sources)


def findings(data_dir: Path, sources: Sources):
    """The misses as validation findings (`validate.Finding`, severity Violation), sorted as the
    report sorts them, and the files not found in the sources folder."""
    from .validate import Finding

    misses, absent = check_data(data_dir, sources)
    out = [Finding(severity="Violation", shape=m.shape, gap="", focus="", path="", value="",
                   contract=m.citation.contract, orientation=m.citation.orientation,
                   subject=f"{m.citation.sheet}:{m.citation.sheet_line}", message=m.message,
                   message_en=m.message_en, file=m.file, section="", line=m.citation.line) for m in misses]
    return out, absent


__all__ = ["Citation", "Miss", "check", "check_data", "collect", "findings", "quote_found", "REDACTED"]
