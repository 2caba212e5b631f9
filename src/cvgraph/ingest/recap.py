"""Recap tables: the orientations of a contract set out as the rows of one table, flattened by a PDF
tool, with a column per section ("Objectif | Pilote(s) | Partenaires | Financements (DC / PV)"),
every cell wrapped over several lines and a row cut by a page break (the column headings repeated).
Each row becomes the lines of a fiche ("Objectif 3 : …", "Pilotes :", its names, "Droit commun :",
"• Funder (a, b)"…), each with the line it was written on, which the fiche reader reads as any fiche."""

from __future__ import annotations

import re

from .reading import Line, key_of, line_at
from .sections import CONNECTOR, RUN, axis_heading, section_of

_ROW_START = re.compile(r"^(\d{1,2})\s*[.)–-]\s+(\S.*)$")
_FIRST = re.compile(r"^(?:objectifs?|orientations?|enjeux?|axes?|fiches?|actions?)(?: strategiques?| operationnel(?:le)?s?)?"
                    r"(?:\s*\(s\))?$")
# the markers of kind inside a funding cell: "DC : …", "PV : …", "Droit commun : …", "Cofinancements : …"
_MARKER = re.compile(r"(?:^|(?<=[\s;.]))(DC|PV|CS|droit commun|crédits? spécifiques?|politique de la ville|"
                     r"co-?financements?|financements? mobilisables?)\s*:\s*", re.I)
_KIND_HEADING = {"dc": "Droit commun :", "droit commun": "Droit commun :", "pv": "Crédits spécifiques :",
                 "cs": "Crédits spécifiques :", "politique de la ville": "Crédits spécifiques :"}


def cells(text: str) -> list[tuple[int, str]]:
    """The cells of a line: runs of text two spaces or more apart, with the column they start at."""
    return [(m.start(), m.group(0)) for m in RUN.finditer(text)]


def header_of(line: Line) -> list[tuple[int, str, str]] | None:
    """A recap table's header: a first column of orientations or objectives, then columns whose
    headings are sections (pilots, services, funding): [(column, heading as written, section)]."""
    found = cells(line.text)
    if len(found) < 3 or not _FIRST.match(key_of(found[0][1])):
        return None
    out = [(found[0][0], found[0][1], "title")]
    for at, text in found[1:]:
        k = key_of(text)
        s = section_of(k) or section_of(re.sub(r"\s*\(.*\)\s*$", "", k))
        if not s:
            return None
        out.append((at, text, s[0]))
    return out if any(s in ("pilots", "services") for _, _, s in out) else None


def column_of(at: int, columns: list[int]) -> int:
    """The column a cell starting at `at` belongs to: the last one starting at or before it (two
    characters of slack, as tools do not align cells exactly)."""
    j = 0
    for i, c in enumerate(columns):
        if at + 2 >= c:
            j = i
    return j


def join_cell(lines: list[tuple[int, str]]) -> str:
    """A cell's lines as one text; a word cut at a hyphen ("Bourgogne-" / "Franche-Comté") whole."""
    text = ""
    for _, t in lines:
        if not text:
            text = t
        elif text.endswith("-"):
            text += t
        else:
            text += " " + t
    return text


def names_cell(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A cell of names: a list with commas or semicolons is one text; otherwise one name a line,
    a line that ends on a connector ("Mission locale du" / "Chalonnais") or a hyphen, or that the
    next continues in lower case, joined with the next."""
    if any(re.search(r"[,;]", t) for _, t in lines):
        return [(lines[0][0], join_cell(lines))] if lines else []
    out: list[list] = []
    for n, t in lines:
        if out and (CONNECTOR.search(out[-1][1]) or out[-1][1].endswith("-") or re.match(r"^[a-zà-ÿ(]", t)):
            out[-1][1] = join_cell([(0, out[-1][1]), (n, t)])
        else:
            out.append([n, t])
    return [(n, t.strip(" ;,")) for n, t in out]


def funding_cell(lines: list[tuple[int, str]], heading: str) -> list[Line]:
    """A funding cell: its kind markers ("DC :", "PV :", "Cofinancements :") as headings, the
    funders between them (separated by ";") as bulleted lines."""
    if not lines:
        return []
    starts, text = [], ""
    for n, t in lines:   # where each line starts in the joined text, for the line of each item
        starts.append((len(text) + (0 if not text or text.endswith("-") else 1), n))
        text = join_cell([(0, text), (n, t)]) if text else t

    marks = list(_MARKER.finditer(text))
    spans = [(m.end(), marks[i + 1].start() if i + 1 < len(marks) else len(text), m) for i, m in enumerate(marks)]
    if not marks or marks[0].start() > 0:
        spans.insert(0, (0, marks[0].start() if marks else len(text), None))
    out = []
    for a, b, m in spans:
        label = key_of(m.group(1)) if m else None
        plain = re.sub(r"\s*\(.*\)\s*$", "", heading).rstrip(" :")   # "Financements (DC / PV)"
        out.append(Line(line_at(starts, m.start() if m else 0), _KIND_HEADING.get(label, (m.group(1) + " :") if m else plain + " :")))
        for item in re.finditer(r"[^;]+", text[a:b]):
            value = item.group(0).strip(" .,")
            if value and value not in ("-", "–", "—"):
                lead = len(item.group(0)) - len(item.group(0).lstrip(" .,"))
                out.append(Line(line_at(starts, a + item.start() + lead), "• " + value))
    return out


def recap_tables(lines: list[Line]) -> list[Line]:
    """The text with each recap table replaced by the fiches of its rows; other lines as they were."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        header = header_of(lines[i])
        if header is None:
            out.append(lines[i])
            i += 1
            continue
        columns = [c for c, _, _ in header]
        rows: list[dict] = []
        i += 1
        while i < len(lines):
            line = lines[i]
            if not line.text.strip():
                i += 1
                continue
            if header_of(line):   # the headings again, after a page break
                i += 1
                continue
            found = cells(line.text)
            first = found[0] if found and column_of(found[0][0], columns) == 0 else None
            start = _ROW_START.match(first[1]) if first else None
            # the table ends at a line of prose: text from the first column on, not a row's start,
            # and no cell in another column
            if first and not start and len(found) == 1 and (not rows or len(first[1]) > columns[1] + 10
                                                            or axis_heading(line.key)):
                break
            if first and not start and (re.match(r"^(?:annexes?|titre|article|chapitre|partie)\b", line.key)
                                        or first[1].isupper() and len(first[1].split()) >= 2):
                break   # "ANNEXE 2 – ENGAGEMENTS FINANCIERS": the document's next part
            if start and rows and int(start.group(1)) <= int(rows[-1]["number"]):
                break   # "3. SUIVI ET ÉVALUATION" after row 8: the document's next part, not a row
            if start:
                rows.append({"n": line.n, "number": start.group(1), "cells": [[] for _ in columns]})
                found = [(first[0], start.group(2))] + found[1:]
            if not rows:
                break
            for at, text in found:
                rows[-1]["cells"][column_of(at, columns)].append((line.n, text))
            i += 1
        # (the rows' heading takes the word of the first column: "Orientation 3 : …" under "Orientation")
        word = re.sub(r"s$", "", header[0][1].split()[0]).capitalize()
        word = word if word.lower() in ("orientation", "objectif", "enjeu", "axe", "fiche") else "Objectif"
        for row in rows:
            title = row["cells"][0]
            out.append(Line(row["n"], f"{word} {row['number']} : {title[0][1] if title else ''}"))
            out += [Line(n, t) for n, t in title[1:]]
            out.append(Line(row["n"], ""))
            for (_, heading, section), cell in zip(header[1:], row["cells"][1:]):
                if section.startswith("funding"):
                    out += funding_cell(cell, heading)
                elif cell:
                    out.append(Line(cell[0][0], heading.rstrip(" :") + " :"))
                    out += [Line(n, t) for n, t in names_cell(cell)]
            out.append(Line(row["n"], ""))
    return out
