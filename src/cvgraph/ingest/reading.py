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


BULLET = re.compile(r"^\s*(?:[•\-–—→▪◦●*>»·§\ue000-\uf8ff]|[o+](?=\s)|\d+[.)](?=\s))\s*")  # PUA: Symbol-font bullets


INLINE_PAGE = re.compile(r"\s+page\s*[|/-]?\s*\d{1,4}\s*$", re.I)


NOISE = [re.compile(p, re.I) for p in (r"^\s*\d{1,4}\s*$", r"^\s*[-–—]\s*\d{1,4}\s*[-–—]\s*$", r"^\s*(?:page|p\.)\s*[|/-]?\s*\d+(?:\s*(?:/|sur)\s*\d+)?\s*$",
                                  r"^\s*\d+\s*/\s*\d+\s*$", r"^\s*https?://\S+\s*$", r"^\s*www\.\S+\s*$")]
# a rule drawn across the page, or the rule under a table's first row ("|---|---|", "+----+----+")
RULE = re.compile(r"^\s*[_=*·.–—-]{5,}\s*$|^\s*[|+]?(?:\s*:?-{3,}:?\s*[|+])+\s*(?::?-{3,}:?\s*)?$")


def key_of(text: str) -> str:
    """Accents and case dropped, spaces collapsed, an em dash read as an en dash: how headings are
    matched."""
    return re.sub(r"\s+", " ", strip_accents(text).replace("’", "'").replace("—", "–")).strip().casefold()


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


# what a PDF's extraction leaves in words: ligatures ("ﬁnancements"), soft hyphens and zero-width
# spaces ("Dé\u00adpartement"), the bullets of a symbol font in the private use area ("\uf0b7")
_EXTRACTED = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
                            "\ufb06": "st", "\u00ad": None, "\u200b": None, "\u2060": None, "\ufeff": None,
                            **{chr(c): "•" for c in (0xF0B7, 0xF0A8, 0xF076, 0xF0FC, 0xF06E, 0xF0A2)}, "\uf0a7": "▪"})


def lines_of(text: str) -> list[Line]:
    """The numbered lines of a text, split on line ends only (a form feed, which separates the
    pages of an extracted PDF, stays on its line as a space), as `sources` numbers them; the
    ligatures, soft hyphens and symbol-font bullets of an extraction read as the letters and
    bullets they stand for."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_EXTRACTED)
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


PAGED = re.compile(r"^(.*?\S)[\s|/:–—-]*(?:\bp\.?|\bpage)?\s*(\d{1,4})(?:\s*(?:/|sur)\s*\d{1,4})?$")


def drop_noise(lines: list[Line]) -> list[Line]:
    """Page numbers, bare URLs, rules and page footers (the same line seen on three pages or more)."""
    from .sections import axis_heading, fiche_heading, section_of   # headings are never footers
    counts = Counter(l.key for l in lines if l.key)
    # a running header or footer with the page's number: "Contrat de ville X | 12", "… p. 3"; the
    # same words on three lines or more, each with another number, in increasing order
    # (a page apart: never a numbered list, "Indicateur de résultat n° 1", "… n° 2" on the next lines)
    numbered: dict[str, list[tuple[int, int]]] = {}
    for i, l in enumerate(lines):
        m = PAGED.match(l.key)
        if m and len(m.group(1)) >= 12 and not fiche_heading(l.key) and not axis_heading(l.key):
            numbered.setdefault(m.group(1), []).append((int(m.group(2)), i))
    running = {k for k, seen in numbered.items() if len({n for n, _ in seen}) >= 3
               and [n for n, _ in seen] == sorted(n for n, _ in seen)
               and all(b - a >= 3 for (_, a), (_, b) in zip(seen, seen[1:]))}
    # where pages end: a page number standing alone, or a running footer with the page's number
    marks = [i for i, l in enumerate(lines) if any(p.match(l.text) for p in NOISE)]
    marks += [i for k, seen in numbered.items() if k in running for _, i in seen]
    near = set()
    for i in marks:
        near.update(range(i - 3, i + 4))
    # a line seen three times is a running header or footer when most of its times are near page
    # ends (a header on the first page after a cover with no footer is one too), never a funder
    # alone on its line in several fiches ("Ville de Limoges") nor a row of cells ("État    BOP
    # 147    subvention", "| Financeur | Dispositif | Nature |": each table's heading row); in a text with no page ends, any such line but a row of cells
    paged = Counter(l.key for i, l in enumerate(lines) if i in near)
    out = []
    for i, line in enumerate(lines):
        k = line.key
        if any(p.match(line.text) for p in NOISE) or RULE.match(line.text):
            continue
        m = PAGED.match(k)
        if m and m.group(1) in running:
            continue
        if k and counts[k] >= 3 and len(k) > 3 and not section_of(k) and not BULLET.match(line.text) \
                and not fiche_heading(k) and not re.match(r"^\s*\|.*\|\s*$", line.text) and (i in near or 2 * paged[k] > counts[k]
                                              or not marks and not re.search(r"\S\s{3,}\S", line.text)):
            continue
        out.append(line)
    return out


def pipe_rows(lines: list[Line]) -> list[Line]:
    """A table read as cells, a row a line ("| Chef de file | Ville de Troyes |"): a heading and its
    value as "Chef de file : Ville de Troyes", a cell wrapped onto a row of its own ("|  | suite |")
    as its text, other rows with their cells apart ("Pour l'État,    Pour la Ville,")."""
    from .sections import CONNECTOR, fiche_heading, section_of
    out = []
    row: list[str] = []   # the cells of the table's row above
    for line in lines:
        text = line.text.strip()
        if not (text.startswith("|") and text.endswith("|") and len(text) > 2):
            out.append(line)
            row = []
            continue
        cells = [c.strip() for c in text[1:-1].split("|")]
        if len(cells) >= 3 and len(cells) == len(row) and any(cells) and all(
                not c or re.match(r"^[a-zà-ÿ]", c) or row[j].endswith((",", "-")) or CONNECTOR.search(row[j])
                for j, c in enumerate(cells)) and not all(cells):
            # "|  |  | aide individuelle à la formation |  |", "| de Castres-Mazamet |  | locales |": the
            # cells of the row above, wrapped onto a row of their own
            row = [join_cut_words(a, b) if a and b else a or b for a, b in zip(row, cells)]
            out[-1] = Line(out[-1].n, " | ".join(row))
        elif not any(cells):
            out.append(Line(line.n, ""))
            row = []
        elif len(cells) >= 3:
            out.append(Line(line.n, " | ".join(cells)))
            row = cells
        elif not cells[0]:
            row = []
            out.append(Line(line.n, " " * 8 + "    ".join(c for c in cells if c)))
        elif len(cells) == 2 and cells[1] and (section_of(key_of(cells[0])) or fiche_heading(key_of(cells[0]))):
            out.append(Line(line.n, f"{cells[0]} : {cells[1]}"))
        else:
            out.append(Line(line.n, "    ".join(c for c in cells if c)))
    return out


HEADING_WORDS = re.compile(r"^(?:fiche\s+)?(?:orientation(?:\s+strategique)?|objectif\s+strategique|enjeu|priorite|axe)$")


def join_split_headings(lines: list[Line]) -> list[Line]:
    """A fiche heading set over two lines ("ORIENTATION STRATÉGIQUE" / "N° 3 – Emploi"): one line."""
    out: list[Line] = []
    for line in lines:
        if out and HEADING_WORDS.match(out[-1].key) and re.match(r"^(?:n\s*[°o.]?\s*)?\d{1,2}\b", line.key):
            out[-1] = Line(out[-1].n, f"{out[-1].text.strip()} {line.text.strip()}")
            continue
        out.append(line)
    return out


LABELLED = re.compile(r"^ {0,8}(\S(?:.*?\S)?)\s{3,}(\S.*)$")   # a label, its value: the box may be indented


def unbox(lines: list[Line]) -> list[Line]:
    """A box of labels and values set in two columns, as a PDF's text gives it: "Pilotage :      A",
    a label cut over two lines ("Partenaires      A, B," / "mobilisés :      C"), values wrapped in
    their column ("                 D"). Each label becomes a heading with its value ("Partenaires
    mobilisés : A, B,", then "C" and "D" on their own lines), a value that is itself a heading
    ("Moyens    Droit commun :") a line of its own. A box starts at a line whose left cell is a
    section's heading (`section_of`), or becomes one with the next line's; other lines are kept."""
    from .sections import axis_heading, fiche_heading, section_of
    out: list[Line] = []
    column = None          # where the values start, inside a box
    label: list = []       # a label being read: [first line, its words, value lines]
    i = 0

    def flush():
        if not label:
            return
        first, words, values = label
        head = words if words.endswith(":") else words + " :"
        if values and not section_of(key_of(values[0].text)):
            out.append(Line(first, f"{head} {values[0].text}"))
            values = values[1:]
        else:
            out.append(Line(first, head))
        out.extend(values)
        label.clear()

    while i < len(lines):
        line = lines[i]
        m = LABELLED.match(line.text)
        indent = len(line.text) - len(line.text.lstrip())
        if fiche_heading(line.key) or axis_heading(line.key):   # a fiche's heading ends the box, as written
            flush()
            column = None
            out.append(line)
            i += 1
            continue
        if column is not None and line.text.strip() and indent >= column - 2 and not m:
            (label[2] if label else out).append(Line(line.n, line.text.strip()))   # a value wrapped in its column
            i += 1
            continue
        if m and not re.search(r"\S\s{3,}\S", m.group(2)):   # (a table's row has more cells)
            words, value_at = m.group(1), m.start(2)
            if column is not None and abs(value_at - column) <= 2 and label and not label[1].endswith(":") \
                    and re.match(r"^[a-zà-ÿ(]", words):   # "Partenaires" / "mobilisés :": one label
                label[1] += " " + words
                label[2].append(Line(line.n, m.group(2)))
                i += 1
                continue
            nxt = LABELLED.match(lines[i + 1].text) if i + 1 < len(lines) else None
            joined = words + (" " + nxt.group(1) if nxt and re.match(r"^[a-zà-ÿ(]", nxt.group(1)) else "")
            if section_of(key_of(words)) or section_of(key_of(joined)) and joined != words:
                flush()
                column = value_at
                label[:] = [line.n, words, [Line(line.n, m.group(2))]]
                i += 1
                continue
        if column is not None and not line.text.strip():
            # a blank line inside a box: the box goes on if the next line is a value of its column
            nxt = next((l for l in lines[i + 1:] if l.text.strip()), None)
            if nxt is not None and len(nxt.text) - len(nxt.text.lstrip()) >= column - 2 and not LABELLED.match(nxt.text):
                i += 1
                continue
        flush()
        column = None
        out.append(line)
        i += 1
    flush()
    return out


def line_at(starts: list[tuple[int, int]], offset: int) -> int:
    """The line an offset of a text joined from lines falls on, given where each line starts in it
    ((offset, line number) pairs, in order)."""
    return [n for at, n in starts if at <= offset][-1]


def cut_labels(lines: list[Line]) -> list[Line]:
    """A heading cut at a hyphen at the end of its line ("Parte-" / "naires :"): whole on its second
    line, where its value starts, the first left blank (so that the lines keep their numbers)."""
    from .sections import section_of
    out = list(lines)
    for i in range(len(out) - 1):
        a, b = out[i].text.rstrip(), out[i + 1].text.strip()
        if re.search(r"(?:^|\s)[A-Za-zà-ÿ]{2,}-$", a) and re.match(r"^[a-zà-ÿ]", b) and len(a.split()) <= 3 \
                and section_of(key_of(join_cut_words(a, b))) and not section_of(key_of(a[:-1])):
            out[i], out[i + 1] = Line(out[i].n, ""), Line(out[i + 1].n, join_cut_words(a, out[i + 1].text))
    return out


def join_cut_words(a: str, b: str) -> str:
    """Join two lines; a word cut by a hyphen at the end of the first is made whole again (a
    compound name, "Saint-" / "Pierre", keeps its hyphen)."""
    a, b = a.rstrip(), b.strip()
    if re.search(r"[a-zà-ÿ]-$", a) and re.match(r"[a-zà-ÿ]", b):
        return a[:-1] + b
    if re.search(r"[A-Za-zà-ÿ]-$", a) and re.match(r"[A-ZÀ-Ý]", b):   # "Saint-" / "Pierre": a compound name, its hyphen kept
        return a + b
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
