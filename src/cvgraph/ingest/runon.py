"""Roles and funding run into a paragraph, as a plan of actions often writes them, one paragraph an
action: "Action 1.1.2 – Renforcer l'accompagnement à la scolarité. Pilote : Ville de X ;
partenaires : A, B ; financements : État (BOP 147 – crédits spécifiques), CAF (CLAS, droit
commun).", "Action 3.1.2 – …, en partenariat avec A ; porté par B ; financement : C (…).",
"Action 4.2.1 – …, copiloté par A et B, avec C et D ; financements : …". Each clause becomes the
line a fiche with headings would have ("Pilotes : …", "Partenaires : …", "Financements :" and a
bullet a funder), at the line where the clause starts, so that the fiche's reader reads it as any
fiche."""

from __future__ import annotations

import re

from .naming import split_list
from .prose import END
from .prose_names import Masked, clauses, names_of
from .reading import BULLET, Line, join_cut_words, line_at

# a label inside a paragraph, after the end of a sentence or a clause ("…. Pilote : X ; partenaires : …")
_LABEL = re.compile(r"^(?P<label>(?i:co-?pilotes?|pilotes?|porteurs?|partenaires?(?:\s+associés)?|financements?|financeurs?))\s*:\s*(?P<value>.*)$",
                    re.S)
# a role given by a participle: "porté par A", "copilotée par A et B", then its partners: "…, avec C",
# "en lien avec C", "en partenariat avec C"
_BY = re.compile(r"(?:^|,\s*)(?i:co-?)?(?i:port|pilot)(?:é|ée|és|ées)\s+(?:conjointement\s+)?par\s+(?P<names>.+?)"
                 r"(?=,?\s+(?:avec|en lien avec|en partenariat avec)\s|$)", re.I | re.S)
_WITH = re.compile(r"(?:^|,\s*|\s)(?:en lien avec|en partenariat avec|avec)\s+(?P<names>.+)$", re.I | re.S)
# "crédits politique de la ville de l'État et de la CARENE", "droit commun de la Région (Visa métiers)"
_KIND_FIRST = re.compile(r"^(?:les\s+)?(?:(?:crédits|moyens|financements?)\s+)?(?:de\s+|du\s+)?(?P<kind>droit commun|spécifiques"
                         r"|(?:de\s+la\s+)?politique\s+de\s+la\s+ville)\s+(?:de\s+la\s+|du\s+|de\s+l['’]|des\s+|de\s+|d['’])\s*(?P<who>\S.*)$",
                         re.I | re.S)
_ACTION = re.compile(r"^(?:action|fiche[- ]action)\s+(?:n\s*°\s*)?\d{1,2}(?:\.\d{1,2}){0,2}\s*[-–—:.]", re.I)
_TO_DEFINE = re.compile(r"^(?:à\s+(?:définir|préciser|déterminer|désigner)\b|non\s+(?:défini|connu))", re.I)


def run_on(text: str, starts: list[int]) -> bool:
    """Whether a paragraph runs roles into itself: a label after a sentence or a clause inside a line
    ("… . Pilote :", "; partenaires :", not at the start of a line: `starts`, where each line starts
    in `text`, is a fiche's own), or an action's paragraph that says who carries it ("Action 1.2.3 –
    …. Porté par …", ", copilotée par …"; not "L'action est portée par …", a sentence of prose)."""
    labels = [at for at, c in clauses(text, sentences=True) if _LABEL.match(c)]
    return any(at not in starts for at in labels) or bool(_ACTION.match(text)) and any(_BY.search(c) for _, c in clauses(text, sentences=True))


def funders(value: str) -> list[str]:
    """A funding clause's funders as bullets: "État (BOP 147 – crédits spécifiques), CAF (CLAS, droit
    commun)" -> "• État (BOP 147 – crédits spécifiques)", "• CAF (CLAS, droit commun)"; "crédits
    politique de la ville de l'État et de la CARENE" -> "• État (politique de la ville)", "• CARENE
    (politique de la ville)"; "droit commun de la Région (Visa métiers)" -> "• Région (Visa
    métiers, droit commun)"."""
    out = []
    for piece in split_list(value, ","):
        piece = piece.strip(" .")
        if not piece or _TO_DEFINE.match(piece):
            continue
        m = _KIND_FIRST.match(piece)
        if not m:
            out.append(f"• {piece}")
            continue
        kind = "droit commun" if "droit" in m.group("kind").lower() else "crédits spécifiques"
        for name in names_of(m.group("who")):
            inner = re.match(r"^(.+?)\s*\((.*)\)$", name)
            out.append(f"• {inner.group(1)} ({inner.group(2)}, {kind})" if inner else f"• {name} ({kind})")
    return out


def placed(clause: str, start: int, label: str, items: list[str]) -> list[tuple[int, str]]:
    """Each item under its label ("Partenaires : A"), at where it stands in the clause (searched from
    `start` on, in order), so that a list wrapped over lines gives each name its own line."""
    out, cursor = [], start
    for item in items:
        key = re.sub(r"^•\s*", "", item).split(" (")[0].strip()
        at = clause.find(key, cursor)
        at = cursor if at < 0 else at
        out.append((at, f"{label} : {item}" if label else item))
        cursor = at + len(key) if at >= cursor else cursor
    return out


def clause_lines(clause: str) -> list[tuple[int, str]]:
    """What one clause states, as lines (offset in the clause, text), a name or a funder a line."""
    m = _LABEL.match(clause)
    if m:
        label, value = m.group("label").lower(), m.group("value").strip(" .")
        if label.startswith("financ"):
            return [(0, "Financements :")] + placed(clause, m.start("value"), "", funders(value))
        if _TO_DEFINE.match(value):
            return []
        masked = Masked(value)
        names = [masked.restore(p).strip() for p in split_list(masked.text, ",;")]
        return placed(clause, m.start("value"), "Partenaires" if label.startswith("partenaire") else "Pilotes", [n for n in names if n])
    if _KIND_FIRST.match(clause):   # "crédits politique de la ville de l'État et de la CARENE"
        return [(0, "Financements :")] + placed(clause, 0, "", funders(clause))
    out = []
    by = _BY.search(clause)
    if by:
        out += placed(clause, by.start("names"), "Pilotes", names_of(by.group("names")))
    with_ = _WITH.search(clause, by.end() if by else 0)
    if with_ and (by or re.match(r"^(?:en lien|en partenariat)", with_.group(0).strip(", "), re.I)):
        out += placed(clause, with_.start("names"), "Partenaires", names_of(with_.group("names")))
    return out


def run_on_as_sections(body: list[Line]) -> list[Line]:
    """The fiche's body with each paragraph that runs roles into itself (see `run_on`) replaced by
    its action (its first sentence, up to who carries it) and the lines its clauses state, then
    `END`; other lines as they were. An action's number starts a paragraph of its own."""
    out: list[Line] = []
    para: list[Line] = []

    def flush():
        if not para:
            return
        text, starts = "", []
        for l in para:
            starts.append((len(text) + (1 if text else 0), l.n))
            text = join_cut_words(text, l.text) if text else l.text.strip()
        if not run_on(text, [at for at, _ in starts]):
            out.extend(para)
        else:
            cut = clauses(text, sentences=True)
            by = _BY.search(cut[0][1])
            out.append(Line(para[0].n, (cut[0][1][:by.start()] if by else cut[0][1]).rstrip(" ,") + "."))
            for at, clause in cut:
                out.extend(Line(line_at(starts, at + off), said) for off, said in clause_lines(clause))
            out.append(Line(para[-1].n, END))
        para.clear()

    for line in body:
        text = line.text.strip()
        if not text or BULLET.match(line.text):
            flush()
            out.append(line)
            continue
        if para and _ACTION.match(text):
            flush()
        para.append(line)
    flush()
    return out
