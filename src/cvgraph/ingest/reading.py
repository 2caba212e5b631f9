"""Reading a contract's text: lines with their numbers (a PDF's pages through `cvgraph.pdftext`),
page numbers and running headers and footers set aside, words cut across lines joined, bulleted items."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
import re
import unicodedata

from ..errors import UsageError
from ..names import strip_accents



def pdfplumber_version() -> str:
    from importlib.metadata import version
    return version("pdfplumber")


BULLET = re.compile(r"^\s*(?:[•\-–—→▪◦●*>»·§\ue000-\uf8ff]|o(?=\s)|\d+[.)](?=\s))\s*")  # PUA: Symbol-font bullets


INLINE_PAGE = re.compile(r"\s+page\s*[|/-]?\s*\d{1,4}\s*$", re.I)


NOISE = [re.compile(p, re.I) for p in (r"^\s*\d{1,4}\s*$", r"^\s*(?:page|p\.)\s*[|/-]?\s*\d+(?:\s*(?:/|sur)\s*\d+)?\s*$",
                                  r"^\s*\d+\s*/\s*\d+\s*$", r"^\s*https?://\S+\s*$", r"^\s*www\.\S+\s*$")]


def key_of(text: str) -> str:
    """Accents and case dropped, spaces collapsed: how headings are matched."""
    return re.sub(r"\s+", " ", strip_accents(text).replace("’", "'")).strip().casefold()


@dataclass
class Line:
    n: int
    text: str

    @property
    def key(self) -> str:
        return key_of(self.text)


# --- reading ---------------------------------------------------------------------------------------

def read_lines(path: Path) -> list[Line]:
    return lines_of(read_text(path))


def lines_of(text: str) -> list[Line]:
    """The numbered lines of a text, split on line ends only (a form feed, which separates the
    pages of an extracted PDF, stays on its line as a space), as `sources` numbers them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raws = text.split("\n")
    if raws and raws[-1] == "":
        raws.pop()
    return [Line(i, INLINE_PAGE.sub("", raw.replace("\f", " ")).rstrip()) for i, raw in enumerate(raws, 1)]


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UsageError(f"{path}: cannot read: {err.strerror or err}") from None
    if not data.strip():
        raise UsageError(f"{path}: the file is empty")
    if b"\x00" in data[:65536]:
        raise UsageError(f"{path}: a binary file, not plain text nor a PDF")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UsageError(f"{path}: not UTF-8 or Windows-1252 text") from None
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if controls > max(10, len(text) // 100):
        raise UsageError(f"{path}: a binary file, not plain text")
    return text


def drop_noise(lines: list[Line]) -> list[Line]:
    """Page numbers, bare URLs and page footers (the same line seen on three pages or more)."""
    from .sections import ORIENT_FICHE, section_of   # headings are never footers
    counts = Counter(l.key for l in lines if l.key)
    # where pages end: a form feed, or a page number standing alone. A line seen three times is a
    # running header or footer, unless it is a row of cells ("État    BOP 147    subvention", the
    # same row in several fiches' tables) away from any page end
    marks = [i for i, l in enumerate(lines) if "\f" in l.text or any(p.match(l.text) for p in NOISE)]
    near = set()
    for i in marks:
        near.update(range(i - 3, i + 4))
    out = []
    for i, line in enumerate(lines):
        k = line.key
        if any(p.match(line.text) for p in NOISE):
            continue
        if k and counts[k] >= 3 and len(k) > 3 and not section_of(k) and not BULLET.match(line.text) \
                and not ORIENT_FICHE.match(k) and (i in near or not re.search(r"\S\s{3,}\S", line.text)):
            continue
        out.append(line)
    return out


def join_cut_words(a: str, b: str) -> str:
    """Join two lines; a word cut by a hyphen at the end of the first is made whole again."""
    a, b = a.rstrip(), b.strip()
    if re.search(r"[a-zà-ÿ]-$", a) and re.match(r"[a-zà-ÿ]", b):
        return a[:-1] + b
    return f"{a} {b}".strip()


def items(lines: list[Line]) -> list[tuple[int, str]]:
    """Bulleted items (a bullet starts one; other lines continue it), or paragraphs when there is
    no bullet; each with the line it starts on."""
    out: list[list] = []
    bulleted = any(BULLET.match(l.text) and len(BULLET.sub("", l.text, 1).strip()) > 1 for l in lines)
    blank_before = True
    for line in lines:
        text = line.text.strip()
        if not text:
            blank_before = True
            continue
        starts = bool(BULLET.match(line.text)) if bulleted else blank_before
        if starts or not out:
            out.append([line.n, BULLET.sub("", text, 1).strip()])
        else:
            out[-1][1] = join_cut_words(out[-1][1], text)
        blank_before = False
    return [(n, t) for n, t in out if t and re.search(r"\w", t)]


BREAK = "\u2029"   # between the lines of two headings of the same section: never joined
