"""The structure of a contract: the protocol's list of orientations, the orientation fiches and
their sections, the annex of indicators."""

from __future__ import annotations

import re
from collections import Counter

from ..prose import END, roles_in_sentences, sentences_as_sections
from ..reading import BREAK, BULLET, RULE, Line, items, join_cut_words
from ..sections import ANNEX, AXIS_PROTO, CAPS_PART, FUNDING_KINDS, ORIENT_PROTO, PART, SIGNATORIES, TOC_LINE, axis_heading, fiche_heading, fiche_numeral, fiche_rank, funding_table_header, generic_heading, heading_word, orientation_table_header, rest_after, section_of
from .base import ReaderBase


# the sections that make a heading a fiche's rather than an axis'
CARRIED = {"pilots", "services", *FUNDING_KINDS}


def carries(lines: list[Line]) -> bool:
    """Whether lines under a heading hold a fiche's sections (pilots, partners, funding)."""
    return any((section_of(l.key) or ("",))[0] in CARRIED for l in lines)


class Fiches(ReaderBase):
    """Reading the fiches (a part of `Reader`)."""

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
        rank = min((fiche_rank(self.lines[i].key) for i in like), default=0)
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

    # protocol ---------------------------------------------------------------------------------------
    def protocol(self, end: int) -> tuple[dict[int, dict], list[dict]]:
        """The orientations listed before the first fiche, with their axes."""
        listed: dict[int, dict] = {}
        axes: list[dict] = []
        current_axis = None
        last = None
        for i, line in enumerate(self.lines):
            if line.n >= end:
                break
            k = BULLET.sub("", line.key, 1) if BULLET.match(line.text) else line.key
            m = AXIS_PROTO.match(k)
            if m:
                g = re.search(r"[«\"]\s*(.*?)\s*(?:[»\"]|$)", line.text)
                current_axis = {"title": (g.group(1) if g else m.group(1)).strip(), "line": line.n}
                axes.append(current_axis)
                last = None
                continue
            m = ORIENT_PROTO.match(k)
            if m:
                n = int(m.group(1))
                title = BULLET.sub("", line.text, 1).strip()
                title = re.split(r"\s*[:.\-–]\s*", title, maxsplit=1)[1] if re.search(r"[:]", title) else rest_after(line, m.group(2))
                last = listed[n] = {"number": n, "title": title.strip(), "line": line.n,
                                    "axis": len(axes) - 1 if current_axis else None}
                continue
            if last and line.text.strip() and not BULLET.match(line.text) and not AXIS_PROTO.match(k) \
                    and not re.match(r"^article\b", k) and line.n == last["line"] + 1 + last.get("more", 0):
                last["title"] = join_cut_words(last["title"], line.text)
                last["more"] = last.get("more", 0) + 1
            elif not line.text.strip():
                last = None
        return listed, axes

    # fiches -------------------------------------------------------------------------------------------
    def fiches(self) -> list[dict]:
        heads = self.fiche_heads()
        # a fiche ends at the annex, the signatories, "Fait à Châtellerault, le 3 mars 2025", or a part
        # of the document ("TITRE III – LA GOUVERNANCE")
        stops = [i for i, l in enumerate(self.lines) if ANNEX.match(l.key) or SIGNATORIES.match(l.key)
                 or re.match(r"^fait a\b.{2,60}\ble\b", l.key) or PART.match(l.key)
                 or CAPS_PART.match(l.text) and not self.heading_like(l) and not self.axis_like(l)]
        tables = [i for i, l in enumerate(self.lines) if orientation_table_header(l.text)]
        stops += tables[:1]   # a maquette financière by orientation ends the fiche before it
        out = []
        for j, start in enumerate(heads):
            end = heads[j + 1] if j + 1 < len(heads) else len(self.lines)
            # "Indicateurs de suivi" above the fiche's pilots and funding is its section, not the annex
            local = [s for s in stops if start < s < end and not self.lines[s].key.startswith("annexe")
                     and ANNEX.match(self.lines[s].key) and carries(self.lines[s + 1:end])]
            end = min([s for s in stops if s > start and s not in local] + [end])
            # "GOUVERNANCE, SUIVI ET ÉVALUATION" after the last fiche's sections: a part of the document
            end = next((i for i in range(start + 3, end) if self.part_in_capitals(self.lines[i])
                        and not carries(self.lines[i + 1:end])), end)
            out.append(self.fiche(start, end))
        if tables:
            self.funding_by_orientation(out, heads, tables)
        return out

    def part_in_capitals(self, line: Line) -> bool:
        """A heading in capitals with no number that names no section of a fiche ("GOUVERNANCE,
        SUIVI ET ÉVALUATION", "SIGNATURES"), alone between blank lines."""
        text = line.text.strip()
        i = self.lines.index(line)
        blank = lambda j: not (0 <= j < len(self.lines)) or not self.lines[j].text.strip()
        return bool(re.fullmatch(r"[^a-zà-ÿ\d]{6,80}", text)) and len(re.findall(r"[A-ZÀ-Ý]{2,}", text)) >= 1 \
            and not section_of(line.key) and not self.axis_like(line) and not self.heading_of(line) \
            and blank(i - 1) and blank(i + 1)

    def fiche_heads(self) -> list[int]:
        """The lines that open a fiche. A number headed twice is first a list of the orientations
        (a line or two each) and then a fiche: the longest stretch is the fiche."""
        # "Objectif opérationnel 1.2" lines under "Objectif stratégique 1" are its objectives (`is_head`)
        heads = [i for i, l in enumerate(self.lines) if self.is_head(l)]
        spans = {}
        for j, start in enumerate(heads):
            end = heads[j + 1] if j + 1 < len(heads) else len(self.lines)
            size = sum(1 for l in self.lines[start + 1:end] if l.text.strip())
            n = self.fiche_number(self.lines[start])
            if n not in spans or size > spans[n][1]:
                spans[n] = (start, size)
        return sorted(start for start, _ in spans.values())

    def fiche(self, start: int, end: int) -> dict:
        head = self.lines[start]
        heading = self.heading_of(head)
        number, rest = heading
        n = self.fiche_number(head)
        title = rest_after(head, rest)
        if "." in number and not heading.before:
            title = f"{number} {title}".strip()
        body = self.lines[start + 1:end]
        for i, line in enumerate(body):   # "B - Un territoire attractif" just before the next fiche
            if self.axis_like(line) and not any(l.text.strip() and not RULE.match(l.text) for l in body[i + 1:]):
                body = body[:i]
                break
        # the title runs on until a blank line, a heading or a sentence ("Les élèves … moins bien.")
        while body and body[0].text.strip() and not section_of(body[0].key) and not self.axis_like(body[0]) \
                and not self.heading_of(body[0]) \
                and not (body[0].text.strip().endswith(".") and len(body[0].text.split()) >= 6):
            title = join_cut_words(title, body[0].text)
            body = body[1:]
        # "Cette orientation est pilotée par A, en lien avec B.", "Y sont associés …", "Au titre du droit
        # commun, l'Éducation nationale mobilise …", "Elle mobilise les crédits de droit commun de …"
        body = sentences_as_sections(body, roles_in_sentences(body))
        parts: dict[str, list[Line]] = {}
        order: list[tuple[str, Line]] = []
        current = None
        before = ""   # the line above, for a sentence going on ("…, en" / "crédits spécifiques, le BOP 147")
        for line in body:
            if line.text == END:   # the end of what a sentence stated
                current = None
                continue
            s = section_of(line.key)
            if s and current and ":" not in line.text and re.match(r"^[a-zà-ÿ]", line.text.strip()) \
                    and before and not before.rstrip().endswith((".", ":", ";")):
                s = None
            before = line.text if line.text.strip() else before
            if not s and not (current or "").startswith("funding") and funding_table_header(line.text):
                # "Partenaire    Type de crédit    Dispositif    Montant" with no funding heading above
                # it: the table opens the funding, its header row the first of its lines
                current = "funding-np"
                order.append((current, line))
                parts.setdefault(current, []).append(line)
                continue
            inner = section_of(s[1]) if s and s[0].startswith("funding") and s[1] else None
            if inner and inner[0].startswith("funding"):   # "Financements : Droit commun :" (a table's row)
                s = (inner[0], inner[1])
            if s:
                name, k_rest = s
                current = name
                order.append((name, line))
                if parts.get(name):   # the same heading again (a second "Porteur :"): a new item
                    parts[name].append(Line(line.n, BREAK))
                parts.setdefault(name, [])
                rest = rest_after(line, k_rest)
                if name.startswith("funding"):   # "Crédits de droit commun de la CAF : CLAS": the CAF's line
                    rest = re.sub(r"^(?:de\s+la|du|de\s+l['’]|des|de)\s+(?=[A-ZÀ-Ý])", "", rest)
                if rest:
                    parts[name].append(Line(line.n, rest))
            elif current:
                parts[current].append(line)
        if any(l.text.strip() and l.text != BREAK for l in parts.get("title", [])):
            # "FICHE ACTION N° 1" or "FICHE 2 – ACCÈS AUX DROITS" / "Intitulé    Améliorer l'accès aux
            # droits …": the title is the label's value
            title = ""
            for line in parts["title"]:
                if line.text.strip() and line.text != BREAK:
                    title = join_cut_words(title, line.text) if title else line.text.strip()
        fiche = {"number": n, "line": head.n, "title": title.strip(" :")}
        self.found.counts["orientations"] += 1
        if parts.get("data"):   # DONNÉES kept as written, line by line, for a person to turn into figures
            fiche["data_written"] = [{"line": l.n, "text": l.text.strip()} for l in parts["data"] if l.text.strip()]
            self.found.counts["data lines"] += len(fiche["data_written"])
        for key in ("objectives", "actions"):
            if key in parts:
                fiche[key] = [{"line": ln, "text": t} for ln, t in items(parts[key])]
                self.found.counts[key] += len(fiche[key])
        for line in list(parts.get("pilots", [])):   # "Pilote : France Travail, en lien avec la Mission locale"
            m = re.search(r",?\s*\b(?:en lien avec|en partenariat avec|avec l['’]appui d[eu]s?|avec le concours d[eu]s?)\s+(.+)$",
                          line.text)
            if m and m.start() > 0:
                parts["pilots"][parts["pilots"].index(line)] = Line(line.n, line.text[:m.start()])
                if parts.get("services"):
                    parts["services"].append(Line(line.n, BREAK))
                parts.setdefault("services", []).append(Line(line.n, m.group(1)))
        for key in ("pilots", "services"):
            if key in parts:
                fiche[key] = self.participants(parts[key], n, key[:-1])
                self.found.counts[key] += len(fiche[key])
        funding = []
        chunks: dict[str, list[list[Line]]] = {}   # a heading's own lines: the same heading again starts anew
        for name in parts:
            if name.startswith("funding"):
                chunks[name] = [[]]
                for line in parts[name]:
                    chunks[name].append([]) if line.text == BREAK else chunks[name][-1].append(line)
        for name, heading in order:
            if name.startswith("funding"):
                funding += self.funding(chunks[name].pop(0) if chunks.get(name) else [], FUNDING_KINDS[name], heading, n)
        for name in chunks:
            parts.pop(name, None)
        if funding:
            fiche["funding"] = funding
            self.found.counts["funding lines"] += sum(max(1, len(f.get("instruments", []))) for f in funding)
        missing = [s for s in ("pilots", "services", "actions") if s not in parts and s not in fiche]
        if missing:
            fiche["missing_sections"] = missing
        return fiche
