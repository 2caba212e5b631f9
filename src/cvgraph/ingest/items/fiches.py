"""The structure of a contract: the protocol's list of orientations, the orientation fiches and
their sections, the annex of indicators."""

from __future__ import annotations

import re

from ..reading import BREAK, BULLET, Line, items, join_cut_words
from ..sections import ANNEX, AXIS_PROTO, FUNDING_KINDS, INDICATOR_GROUP, ORIENT_FICHE, ORIENT_PROTO, SIGNATORIES, SUB_FICHE, TOC_LINE, axis_heading, rest_after, section_of
from .base import ReaderBase


class Fiches(ReaderBase):
    """Reading the fiches (a part of `Reader`)."""

    def fiche_number(self, line: Line) -> int | None:
        """The number of the orientation a fiche heading opens; "1.2"-style numbers are numbered in
        the order of the text (and kept as written in the title)."""
        m = ORIENT_FICHE.match(line.key)
        if not m:
            return None
        if "." not in m.group(1):
            return int(m.group(1))
        if not hasattr(self, "_dotted"):
            dotted = list(dict.fromkeys(ORIENT_FICHE.match(l.key).group(1) for l in self.lines
                                        if ORIENT_FICHE.match(l.key) and "." in ORIENT_FICHE.match(l.key).group(1)))
            self._dotted = {d: i for i, d in enumerate(dotted, start=1)}
        return self._dotted[m.group(1)]

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
        stops = [i for i, l in enumerate(self.lines) if ANNEX.match(l.key) or SIGNATORIES.match(l.key)
                 or re.match(r"^fait a\b.{2,60}\ble\b", l.key)]   # "Fait à Châtellerault, le 3 mars 2025"
        out = []
        for j, start in enumerate(heads):
            end = heads[j + 1] if j + 1 < len(heads) else len(self.lines)
            end = min([s for s in stops if s > start] + [end])
            out.append(self.fiche(start, end))
        return out

    def fiche_heads(self) -> list[int]:
        """The lines that open a fiche. A number headed twice is first a list of the orientations
        (a line or two each) and then a fiche: the longest stretch is the fiche."""
        heads = [i for i, l in enumerate(self.lines) if ORIENT_FICHE.match(l.key) and not TOC_LINE.search(l.text)]
        upper = [i for i in heads if not SUB_FICHE.match(self.lines[i].key)]
        if upper:   # "Objectif opérationnel 1.2" lines are then the objectives of their fiche
            heads = upper
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
        m = ORIENT_FICHE.match(head.key)
        n = self.fiche_number(head)
        title = rest_after(head, m.group(2))
        if "." in m.group(1):
            title = f"{m.group(1)} {title}".strip()
        body = self.lines[start + 1:end]
        for i, line in enumerate(body):   # "B - Un territoire attractif" just before the next fiche
            if axis_heading(line.key) and not any(l.text.strip() for l in body[i + 1:]):
                body = body[:i]
                break
        # the title runs on until a blank line or a heading
        while body and body[0].text.strip() and not section_of(body[0].key) and not axis_heading(body[0].key):
            title = join_cut_words(title, body[0].text)
            body = body[1:]
        parts: dict[str, list[Line]] = {}
        order: list[tuple[str, Line]] = []
        current = None
        for line in body:
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
