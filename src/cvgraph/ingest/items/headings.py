"""Which headings open the fiches: fiche headings by their words and rank, numbered headings of any
word or of an outline's level when the text has none, axes, and the number of each fiche."""

from __future__ import annotations

import re
from collections import Counter

from ..reading import Line
from ..sections import CAPS_PART, FUNDING_KINDS, TOC_LINE, axis_heading, fiche_heading, fiche_numeral, fiche_rank, generic_heading, heading_word, section_of
from .base import ReaderBase


# the sections that make a heading a fiche's rather than an axis'
CARRIED = {"pilots", "services", *FUNDING_KINDS}


def carries(lines: list[Line]) -> bool:
    """Whether lines under a heading hold a fiche's sections (pilots, partners, funding): not a
    sentence going on in lower case ("… il arrête la programmation des" / "crédits spécifiques et
    suit le droit commun.")."""
    before = ""
    for l in lines:
        text = l.text.strip()
        if (section_of(l.key) or ("",))[0] in CARRIED and not (
                re.match(r"^[a-zà-ÿ]", text) and before and not before.endswith((".", ":", ";"))):
            return True
        before = text or before
    return False


class Headings(ReaderBase):
    """Finding the fiches' headings (a part of `Reader`, under `Fiches`)."""

    def heading_of(self, line: Line):
        """The fiche heading a line is (`fiche_heading`), or, in a text with none, the numbered
        heading of the word that opens its fiches (`generic_heading`); None for other lines."""
        m = fiche_heading(line.key)
        if m or not hasattr(self, "_rank"):
            return m
        g = generic_heading(line.key) if self._generic is not None and line.n in self._generic_lines else None
        return g[1] if g and g[0] == self._generic else None

    def heading_like(self, line: Line) -> bool:
        """A fiche heading by its words and number, not a table of contents' line."""
        m = self.heading_of(line)
        return bool(m) and not TOC_LINE.search(line.text) and ("." in m[0] or fiche_numeral(m[0]) is not None)

    def is_head(self, line: Line) -> bool:
        """Whether a line opens an orientation's fiche: a fiche heading of the highest rank the text
        has (`fiche_rank`) and, when headings of that rank use several words ("AMBITION 1 —" over
        "FICHE-OBJECTIF 1 —"), of a word whose headings carry the sections of a fiche (pilots,
        partners, funding) rather than only other headings: the others are axes (`axis_like`)."""
        if not hasattr(self, "_rank"):
            self._rank, self._words, self._generic = self._fiche_level()
        if not self.heading_like(line):
            return False
        if self._generic is not None:
            return True
        if line.n in getattr(self, "_fill", ()):
            return True
        if not (fiche_rank(line.key) == self._rank and heading_word(line.key) in self._words):
            return False
        if not hasattr(self, "_plain"):   # the numbers of the fiches numbered "N"
            self._plain = set()           # (while it is computed, no dotted heading is a part)
            self._plain = {m[0] for l in self.lines if (m := self.heading_of(l)) and "." not in m[0] and self.is_head(l)}
        # "Priorité 1.1" under "Enjeu 1": a part of that fiche
        number = self.heading_of(line)[0]
        return "." not in number or number.split(".")[0] not in self._plain

    def _fiche_level(self) -> tuple[int, set[str], str | None]:
        like = [i for i, l in enumerate(self.lines) if self.heading_like(l)]
        if not like:   # no fiche heading: numbered headings of the word whose lines carry the sections
            return 0, set(), self._generic_level()
        ranks = sorted({fiche_rank(self.lines[i].key) for i in like})
        # "Orientation 1 : …" listed in an article, the fiches "FICHE 1" below: the highest rank two of
        # whose headings carry a fiche's sections
        rank = next((r for r in ranks if self._carrying(like, r) >= 2), ranks[0])
        self._fill = self._filling(like, rank)
        like = [i for i in like if fiche_rank(self.lines[i].key) == rank or self.lines[i].n in self._fill]
        words = {heading_word(self.lines[i].key) for i in like}
        carrying = set()
        carried = 0
        for j, start in enumerate(like):
            end = like[j + 1] if j + 1 < len(like) else len(self.lines)
            if carries(self.lines[start + 1:end]):
                carrying.add(heading_word(self.lines[start].key))
                carried += 1
        if carried < 2:   # one fiche heading or none carrying: numbered headings may carry them
            generic = self._generic_level()
            if generic is not None:
                return 0, set(), generic
        return rank, (carrying or words), None

    def _carrying(self, like: list[int], rank: int) -> int:
        """How many fiche headings of `rank` carry a fiche's sections before the next heading of that rank."""
        level = [i for i in like if fiche_rank(self.lines[i].key) == rank]
        return sum(carries(self.lines[start + 1:(level[j + 1] if j + 1 < len(level) else len(self.lines))])
                   for j, start in enumerate(level))

    def _filling(self, like: list[int], rank: int) -> set[int]:
        """Headings of the rank below that fill the gaps of the fiches' numbering: "FICHE 2 –" and
        "FICHE 3 –" between "Orientation n°1" and "Orientation n°4", carrying a fiche's sections."""
        top = [i for i in like if fiche_rank(self.lines[i].key) == rank and not TOC_LINE.search(self.lines[i].text)]
        numbers = {fiche_numeral(self.heading_of(self.lines[i])[0]) for i in top}
        out = set()
        for i in like:
            n = fiche_numeral(self.heading_of(self.lines[i])[0]) if fiche_rank(self.lines[i].key) == rank + 1 else None
            if not n or n in numbers:
                continue
            before = [fiche_numeral(self.heading_of(self.lines[j])[0]) or 0 for j in top if j < i]
            after = [fiche_numeral(self.heading_of(self.lines[j])[0]) or 99 for j in top if j > i]
            end = next((j for j in like if j > i), len(self.lines))
            if before and after and before[-1] < n < after[0] and carries(self.lines[i + 1:end]):
                out.add(self.lines[i].n)
        return out

    def _generic_level(self) -> str | None:
        """The word ("Volet", "Thématique", "" for a bare number) of the numbered headings most of
        which carry a fiche's sections (at least two of them), or None."""
        found = {i: g[0] for i, l in enumerate(self.lines)   # (not "4. GOUVERNANCE", a part of the document)
                 if not TOC_LINE.search(l.text) and not CAPS_PART.match(l.text) and (g := generic_heading(l.key))}

        def listed(i: int) -> bool:   # an item of a list: under a heading alone ("Actions :"), or next to another item
            before = next((l for l in reversed(self.lines[:i]) if l.text.strip()), None)
            return bool(before and (s := section_of(before.key)) and not s[1]) or any(
                j in found and found[j] == found[i] and self.lines[j].text.strip() for j in (i - 1, i + 1))
        heads = [(i, w) for i, w in found.items() if not listed(i)]
        total, carrying, carried = Counter(w for _, w in heads), Counter(), set()
        for word in total:
            # a heading's span runs to the next of its word (of an outline's level, to the next heading
            # of that level or a higher one: "3.2", "4.")
            level = [i for i, w in heads if w == word or word.startswith("#") and (w == "" or w.startswith("#") and w <= word)]
            for j, start in enumerate(level):
                end = level[j + 1] if j + 1 < len(level) else len(self.lines)
                if found[start] == word and carries(self.lines[start + 1:end]):
                    carrying[word] += 1
                    carried.add(start)
        best = [w for w in carrying if carrying[w] >= 2 and (carrying[w] >= 0.6 * total[w] or w.startswith("#"))]
        if not best:
            return None
        # the word whose headings carry the most; of a numbered outline, the highest level two of whose
        # headings carry them ("3.1 Title" over its "3.1.2 Gouvernance"), its headings that carry them
        # the fiches (not "1.1 Le cadre", "4.1 Le comité de pilotage")
        outline = sorted(w for w in best if w.startswith("#"))
        word = outline[0] if outline else max(best, key=lambda w: (carrying[w], -total[w]))
        self._generic_lines = {self.lines[i].n for i, w in heads if w == word and (i in carried or not outline)}
        return word

    def axis_like(self, line: Line) -> tuple[str, str] | None:
        """An axis heading: "AXE 2 – HABITAT" (`axis_heading`), or a fiche-like heading of the fiches'
        rank whose word does not open fiches ("AMBITION 2 — GRANDIR, APPRENDRE")."""
        axis = axis_heading(line.key)
        if axis or not self.heading_like(line) or self.is_head(line) or fiche_rank(line.key) != self._rank:
            return axis
        number, title = self.heading_of(line)
        n = fiche_numeral(number)
        return ("abcdefgh"[n - 1], title) if n and n <= 8 else None

    def fiche_number(self, line: Line) -> int | None:
        """The number of the orientation a fiche heading opens; "1.2"-style numbers are numbered in
        the order of the text (and kept as written in the title)."""
        m = self.heading_of(line)
        if not m:
            return None
        if "." not in m[0]:
            return fiche_numeral(m[0])
        if not hasattr(self, "_dotted"):
            dotted = list(dict.fromkeys(self.heading_of(l)[0] for l in self.lines
                                        if self.is_head(l) and "." in self.heading_of(l)[0]))
            self._dotted = {d: i for i, d in enumerate(dotted, start=1)}
        return self._dotted.get(m[0])

    def part_in_capitals(self, line: Line) -> bool:
        """A heading in capitals with no number that names no section of a fiche ("GOUVERNANCE,
        SUIVI ET ÉVALUATION", "SIGNATURES"), alone between blank lines."""
        text = line.text.strip()
        i = self.lines.index(line)
        blank = lambda j: not (0 <= j < len(self.lines)) or not self.lines[j].text.strip()
        return bool(re.fullmatch(r"[^a-zà-ÿ\d]{6,80}", text)) and len(re.findall(r"[A-ZÀ-Ý]{2,}", text)) >= 1 \
            and not section_of(line.key) and not self.axis_like(line) and not self.heading_of(line) \
            and blank(i - 1) and blank(i + 1)

