"""Roles and funding written in sentences, as contracts in prose give them: "Cette orientation est
pilotée par A et B, en lien avec C, D et E.", "Y sont associés …", "Elle mobilise les crédits de
droit commun de F (a, b) et du G (c).", "Au titre de la politique de la ville, l'État (BOP 147)
soutient …". Each sentence becomes the lines a fiche with headings would have ("Pilotes : A, B",
"Droit commun :", "• F : a, b"), with the line the names start on, so that the fiche's reader reads
them as it reads any fiche."""

from __future__ import annotations

import re

from .naming import split_list
from .reading import BULLET, Line, join_cut_words, line_at

END = "\u2028"   # closes the section a sentence opened: what follows is prose again

_NAMES_END = r"(?=,\s*(?:en lien avec|dans le cadre|avec le concours|en partenariat avec|avec l['’]appui)|\.(?:\s|$)|;|$)"
PILOTS = [re.compile(r"\b(?:co)?pilot[ée]e?s?\s+(?:conjointement\s+)?par\s+(?P<names>.+?)" + _NAMES_END, re.I),
          re.compile(r"\b(?:le\s+)?(?:co)?pilotage\s+(?:en\s+)?(?:est|sera)\s+assur[ée]\s+(?:conjointement\s+)?par\s+"
                     r"(?P<names>.+?)" + _NAMES_END, re.I),
          # "Elle est portée par A", not "des actions portées par les associations"
          re.compile(r"\b(?:est|sont|sera|seront)\s+(?:co)?portée?s?\s+(?:conjointement\s+)?par\s+(?P<names>.+?)" + _NAMES_END, re.I)]
# "…, avec B." after a pilot named in the same sentence: another pilot
PILOT_WITH = re.compile(r"^[^.]*?(?:pilot|assur)[^.]*?,\s*avec\s+(?P<names>[^,.]+?)\.", re.I)
SERVICES = [re.compile(r"\b(?:en lien avec|en partenariat avec|avec le concours de|avec l['’]appui de)\s+(?P<names>.+?)(?=\.(?:\s|$)|;|$)", re.I),
            re.compile(r"\b(?:y\s+)?sont\s+associée?s\s+(?:à\s+(?:sa|leur)\s+mise en œuvre\s+)?(?P<names>.+?)(?=\.(?:\s|$)|;|$)", re.I),
            re.compile(r"\b(?:elle|il)\s+associe\s+(?P<names>.+?)(?=\.(?:\s|$)|;|$)", re.I)]
DROIT_COMMUN = re.compile(r"\b(?:mobilise|s['’]appuie sur|mobilisera|s['’]appuiera sur)\s+(?:les\s+|le\s+)?(?:crédits\s+|moyens\s+)?(?:de\s+|du\s+)?"
                          r"droit commun\s+(?P<list>.+?)(?=\.(?:\s|$)|$)", re.I)
_CLAUSE_END = r"(?=\.(?:\s|$)|$|\s*;\s*au titre d)"   # the sentence's end, or "; au titre des crédits spécifiques, …"
SPECIFIC = re.compile(r"\bau titre (?:de la politique de la ville|des crédits spécifiques|des crédits de la politique de la ville)"
                      r"\s*,\s*(?P<what>.+?)" + _CLAUSE_END, re.I)
# "Au titre du droit commun, l'Éducation nationale mobilise …, la CAF finance … ; le Département …"
DC_TITLE = re.compile(r"\bau titre du droit commun\s*,\s*(?P<what>.+?)" + _CLAUSE_END, re.I)
_ARTICLE = re.compile(r"^(?:et\s+)?(?:de la |de l['’]|des |du |de |d['’]|la |le |les |l['’]|aux |au |à la |à l['’])", re.I)
_VERB = re.compile(r"\s+(?:soutient|soutiendra|mobilise|mobilisera|apporte|apportera|finance|financera|accompagne|"
                   r"accompagnera|cofinance|engage|engagera|consacre|verse)\s+(?P<rest>.*)$", re.I)


def bare(name: str) -> str:
    """A name without the article or contracted preposition the sentence puts before it."""
    name = name.strip(" ,;.")
    while True:
        shorter = _ARTICLE.sub("", name, 1).strip()
        if shorter == name or not shorter:
            return name
        name = shorter


def names_of(text: str) -> list[str]:
    """"la Mission locale, la DDETS du Var et les structures d'insertion": the names of a list in a
    sentence (split on commas and on the last " et ", never inside parentheses)."""
    out = []
    for piece in split_list(text, ",;"):
        out += [bare(p) for p in re.split(r"\s+et\s+(?=(?:la|le|les|l['’]|des|du|de|d['’]|aux|au)\b)", piece.strip(), flags=re.I)]
    return [n for n in out if n]


def funders_of(text: str) -> list[str]:
    """"de France Travail (CEJ, accompagnement global), de la Région (PRF) et du Département":
    one "Funder : a, b" per funder."""
    out = []
    for name in names_of(text):
        m = re.match(r"^(.+?)\s*\((.*)\)\s*$", name)
        out.append(f"{m.group(1)} : {m.group(2)}" if m else name)
    return out


def specific_of(text: str) -> list[str]:
    """"l'État (BOP 147, adultes-relais) soutient les actions …", "l'État mobilise le FIPD et le BOP
    147", "l'État apporte les crédits des cités éducatives et du programme de réussite éducative"."""
    m = re.match(r"^(.+?)\s*\(([^)]*)\)", text)
    if m:
        return [f"{bare(m.group(1))} : {m.group(2)}"]
    v = _VERB.search(text)
    if not v:
        return [bare(text)] if len(text.split()) <= 6 else []
    funder = bare(text[:v.start()])
    # "l'État apporte le BOP 147, et Grand Calais Terres et Mers le fonds de participation": the
    # verb left out for the second funder
    rest, *others = re.split(r",\s*et\s+(?=[A-ZÀ-Ý])", v.group("rest"))
    more = [f"{m.group(1)} : {m.group(2)}" for o in others
            if (m := re.match(r"^(.+?)\s+(?:le|la|les|l['’])\s*(.+)$", o.strip()))]
    rest = re.sub(r"^(?:les |des )?(?:crédits|moyens|financements)\s+(?:de la |de l['’]|des |du |de )?", "", rest, flags=re.I)
    rest = re.split(r"\s+(?:pour|afin|au profit|en faveur|dans le cadre)\b", rest, maxsplit=1, flags=re.I)[0]
    schemes = [bare(s) for s in re.split(r",\s*(?:ainsi que\s+)?|\s+ainsi que\s+|\s+et\s+(?=(?i:la|le|les|l['’]|des|du|de|d['’]|aux|au)\b|[A-ZÀ-Ý])",
                                         rest)
               if bare(s) and not re.match(r"^(?:son|sa|ses|leurs?|dont)\b", bare(s), re.I)]
    return [f"{funder} : {', '.join(schemes)}" if schemes else funder] + more


def paragraphs(lines: list[Line]) -> list[tuple[list[Line], str, list[tuple[int, int]]]]:
    """Paragraphs of prose (blank lines apart, bulleted lines left out): their lines, their text
    joined, and where each line starts in that text."""
    out, cur = [], []
    for line in lines + [Line(0, "")]:
        if line.text.strip() and not BULLET.match(line.text):
            cur.append(line)
            continue
        if cur:
            text, starts = "", []
            for l in cur:
                starts.append((len(text) + (1 if text else 0), l.n))
                text = join_cut_words(text, l.text) if text else l.text.strip()
            out.append((cur, text, starts))
        cur = []
    return out


def sentences_as_sections(body: list[Line], roles: bool = True) -> list[Line]:
    """The fiche's body with each paragraph that states roles or funding in sentences replaced by
    the lines of the sections it states (then `END`); other lines as they were. With `roles`
    false, only paragraphs that open on the kind of funding they state ("Au titre du droit
    commun, …")."""
    out = []
    done: set[int] = set()
    for lines, text, starts in paragraphs(body):
        made: list[Line] = []
        if not roles and not re.match(r"^(?:[^.:]{0,40}\s)?au titre d", text, re.I):   # "Financement / Au titre du …"
            continue
        for rx in PILOTS if roles else []:
            for m in rx.finditer(text):
                names = names_of(m.group("names"))
                w = PILOT_WITH.match(text[m.start():] + ("" if text.endswith(".") else "."))
                if w and rx is PILOTS[1]:
                    names += names_of(w.group("names"))
                if names:
                    made.append(Line(line_at(starts, m.start("names")), "Pilotes : " + ", ".join(names)))
                break
        for rx in SERVICES if roles else []:
            for m in rx.finditer(text):
                names = names_of(m.group("names"))
                if names:
                    made.append(Line(line_at(starts, m.start("names")), "Partenaires : " + ", ".join(names)))
        m = DROIT_COMMUN.search(text)
        if m:
            made.append(Line(line_at(starts, m.start()), "Droit commun :"))
            made += [Line(line_at(starts, m.start("list")), "• " + f) for f in funders_of(m.group("list"))]
        m = DC_TITLE.search(text)
        if m:
            made.append(Line(line_at(starts, m.start()), "Droit commun :"))
            made += [Line(line_at(starts, m.start("what") + c.start()), "• " + f)
                     for c in re.finditer(r"[^;]+", m.group("what")) for f in specific_of(c.group().strip())]
        m = SPECIFIC.search(text)
        if m:
            made.append(Line(line_at(starts, m.start()), "Crédits spécifiques :"))
            made += [Line(line_at(starts, m.start("what") + c.start()), "• " + f)
                     for c in re.finditer(r"[^;]+", m.group("what")) for f in specific_of(c.group().strip())]
        if made:
            done.update(l.n for l in lines)
            out.append((lines[0].n, made + [Line(lines[-1].n, END)]))
    if not out:
        return body
    result, inserted = [], set()
    for line in body:
        if line.n in done:
            for first, made in out:
                if first == line.n and first not in inserted:
                    result += made
                    inserted.add(first)
            continue
        result.append(line)
    return result


def states_roles_in_sentences(body: list[Line]) -> bool:
    """A fiche with no heading of pilots or services, whose prose names a pilot ("pilotée par")."""
    from .sections import section_of
    if any((s := section_of(l.key)) and s[0] in ("pilots", "services") for l in body):
        return False
    return any(rx.search(text) for _, text, _ in paragraphs(body) for rx in PILOTS[:2])

