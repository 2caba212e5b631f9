"""The structure of a contract: the protocol's list of orientations, the orientation fiches and
their sections, the annex of indicators."""

from __future__ import annotations

import re

from ..prose import END, sentences_as_sections, states_roles_in_sentences
from ..reading import BREAK, BULLET, Line, items, join_cut_words
from ..sections import ANNEX, AXIS_PROTO, FUNDING_KINDS, INDICATOR_GROUP, ORIENT_PROTO, PART, SIGNATORIES, TOC_LINE, axis_heading, fiche_heading, fiche_numeral, fiche_rank, rest_after, section_of
from .base import ReaderBase


class Fiches(ReaderBase):
    """Reading the fiches (a part of `Reader`)."""

    @staticmethod
    def heading_like(line: Line) -> bool:
        """A fiche heading by its words and number (`fiche_heading`), not a table of contents' line."""
        m = fiche_heading(line.key)
        return bool(m) and not TOC_LINE.search(line.text) and ("." in m[0] or fiche_numeral(m[0]) is not None)

    def is_head(self, line: Line) -> bool:
        """Whether a line opens an orientation's fiche: a fiche heading of the highest rank the text
        has (`fiche_rank`)."""
        if not self.heading_like(line):
            return False
        if not hasattr(self, "_rank"):
            self._rank = min((fiche_rank(l.key) for l in self.lines if self.heading_like(l)), default=0)
        return fiche_rank(line.key) == self._rank

    def fiche_number(self, line: Line) -> int | None:
        """The number of the orientation a fiche heading opens; "1.2"-style numbers are numbered in
        the order of the text (and kept as written in the title)."""
        m = fiche_heading(line.key)
        if not m:
            return None
        if "." not in m[0]:
            return fiche_numeral(m[0])
        if not hasattr(self, "_dotted"):
            dotted = list(dict.fromkeys(fiche_heading(l.key)[0] for l in self.lines
                                        if self.is_head(l) and "." in fiche_heading(l.key)[0]))
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
                 or re.match(r"^fait a\b.{2,60}\ble\b", l.key) or PART.match(l.key)]
        out = []
        for j, start in enumerate(heads):
            end = heads[j + 1] if j + 1 < len(heads) else len(self.lines)
            end = min([s for s in stops if s > start] + [end])
            out.append(self.fiche(start, end))
        return out

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
        heading = fiche_heading(head.key)
        number, rest = heading
        n = self.fiche_number(head)
        title = rest_after(head, rest)
        if "." in number and not heading.before:
            title = f"{number} {title}".strip()
        body = self.lines[start + 1:end]
        for i, line in enumerate(body):   # "B - Un territoire attractif" just before the next fiche
            if axis_heading(line.key) and not any(l.text.strip() for l in body[i + 1:]):
                body = body[:i]
                break
        # the title runs on until a blank line or a heading
        while body and body[0].text.strip() and not section_of(body[0].key) and not axis_heading(body[0].key):
            title = join_cut_words(title, body[0].text)
            body = body[1:]
        if states_roles_in_sentences(body):   # "Cette orientation est pilotée par A, en lien avec B."
            body = sentences_as_sections(body)
        parts: dict[str, list[Line]] = {}
        order: list[tuple[str, Line]] = []
        current = None
        for line in body:
            if line.text == END:   # the end of what a sentence stated
                current = None
                continue
            s = section_of(line.key)
            if s:
                name, k_rest = s
                current = name
                order.append((name, line))
                if parts.get(name):   # the same heading again (a second "Porteur :"): a new item
                    parts[name].append(Line(line.n, BREAK))
                parts.setdefault(name, [])
                rest = rest_after(line, k_rest)
                if rest:
                    parts[name].append(Line(line.n, rest))
            elif current:
                parts[current].append(line)
        fiche = {"number": n, "line": head.n, "title": title.strip(" :")}
        self.found.counts["orientations"] += 1
        if parts.get("data"):   # DONNÉES kept as written, line by line, for a person to turn into figures
            fiche["data_written"] = [{"line": l.n, "text": l.text.strip()} for l in parts["data"] if l.text.strip()]
            self.found.counts["data lines"] += len(fiche["data_written"])
        for key in ("objectives", "actions"):
            if key in parts:
                fiche[key] = [{"line": ln, "text": t} for ln, t in items(parts[key])]
                self.found.counts[key] += len(fiche[key])
        for key in ("pilots", "services"):
            if key in parts:
                fiche[key] = self.participants(parts[key], n, key[:-1])
                self.found.counts[key] += len(fiche[key])
        funding = []
        for name, heading in order:
            if name.startswith("funding"):
                funding += self.funding(parts[name] if name in parts else [], FUNDING_KINDS[name], heading, n)
                parts.pop(name, None)
        if funding:
            fiche["funding"] = funding
            self.found.counts["funding lines"] += sum(max(1, len(f.get("instruments", []))) for f in funding)
        missing = [s for s in ("pilots", "services", "actions") if s not in parts and s not in fiche]
        if missing:
            fiche["missing_sections"] = missing
        return fiche

    def indicators(self, numbers: set[int]) -> list[dict]:
        start = next((i for i, l in enumerate(self.lines) if ANNEX.match(l.key)), None)
        if start is None:
            return []
        out, group, pending = [], None, []

        def flush():
            for n, t in items(pending):
                if group:
                    out.append({"line": n, "label": t, "orientations": [x for x in group if x in numbers] or group})
            pending.clear()

        for line in self.lines[start + 1:]:
            m = INDICATOR_GROUP.match(line.key)
            if m:
                flush()
                a, b = int(m.group(1)), int(m.group(2))
                group = list(range(min(a, b), max(a, b) + 1))
            elif group is not None:
                pending.append(line)
        flush()
        self.found.counts["indicators"] += len(out)
        return out
