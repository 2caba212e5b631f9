"""Names in a sentence: a list of bodies split on its commas and its last " et ", never inside a name
that has its own ("Direction départementale de l'emploi, du travail et des solidarités", "conseils
citoyens de A, de B et de C") nor inside parentheses; a name without the article the sentence puts
before it."""

from __future__ import annotations

import re

from .naming import split_list


_ARTICLE = re.compile(r"^(?:et\s+)?(?:par |de la |de l['’]|des |du |de |d['’]|la |le |les |l['’]|aux |au |à la |à l['’]"
                      r"|sur (?:le|la|les|l['’])\s*)", re.I)


def bare(name: str) -> str:
    """A name without the article or contracted preposition the sentence puts before it."""
    name = name.strip(" ,;.")
    while True:
        shorter = _ARTICLE.sub("", name, 1).strip()
        if shorter == name or not shorter:
            return name
        name = shorter


# " et " before the next name of a list: "…, le SDJES et la fédération", "… et par Montluçon
# Communauté", "de la Région (…) et de la Banque des Territoires"; not inside a name ("Chambre de
# métiers et de l'artisanat", "Chambre de commerce et d'industrie")
_AND_NEXT = re.compile(r"\s+et\s+(?:par\s+|à\s+(?=(?i:la|le|l['’])|[A-ZÀ-Ý])|(?=(?i:la|le|les|aux|au|du|des)\b|(?i:l)['’]|(?i:de)\s+la\b"
                       r"|(?:(?i:de)\s+l['’]|(?i:d)['’]|(?i:de)\s+)\s*[A-ZÀ-Ý]))")


# the names of bodies with a comma or an " et " of their own: "Direction départementale de l'emploi,
# du travail et des solidarités", "service départemental à la jeunesse, à l'engagement et aux sports",
# "Chambre de commerce et d'industrie", "Chambre de métiers et de l'artisanat", "des territoires et de
# la mer", "service pénitentiaire d'insertion et de probation"
WHOLE_NAME = re.compile(r"\b(?:de\s+l['’]économie,\s+)?de\s+l['’]emploi,\s+du\s+travail(?:,\s+des\s+solidarités\s+et\s+de\s+la\s+protection\s+des\s+populations"
                         r"|\s+et\s+des\s+solidarités)|\bà\s+la\s+jeunesse,\s+à\s+l['’]engagement\s+et\s+aux\s+sports"
                         r"|\bcommerce\s+et\s+d['’]industrie|\bmétiers\s+et\s+de\s+l['’]artisanat|\bterritoires\s+et\s+de\s+la\s+mer"
                         r"|\bd['’]insertion\s+et\s+de\s+probation", re.I)


# a body of each quartier named as one ("les conseils citoyens de Caucriauville, du Mont-Gaillard et du
# Bois de Bléville"): the quartiers are no names of their own
OF_QUARTIERS = re.compile(r"\b(?:conseils?\s+citoyens?|centres?\s+sociaux|comités?\s+de\s+quartiers?|maisons?\s+de\s+quartiers?)"
                           r"\s+(?:de\s+la\s+|de\s+l['’]|de|du|d['’]|des)\s*[A-ZÀ-Ý][^,;()]*?(?:(?:,\s*|\s+et\s+)(?:(?:de\s+la\s+|de\s+l['’]|de|du|d['’]|des)\s*[A-ZÀ-Ý][^,;()]*?"
                           r"|(?-i:[A-ZÀ-Ý][a-zà-ÿ'’]+)(?:-[\w'’]+)*))+"   # ("de Mireuil, Villeneuve-les-Salines et Port-Neuf"; not "PMI")
                           r"(?=\s*(?:,|;|\bainsi que\b|\bet\s+(?!(?:de|du|d['’]|des)\s*[A-ZÀ-Ý])|$))", re.I)


class Masked:
    """A text whose names with a comma or an " et " of their own (`WHOLE_NAME`, `OF_QUARTIERS`) stand
    behind marks, so that a list can be split on its commas; `restore` gives a piece its names back
    (the last mark first: a name of quartiers may hold a whole name)."""

    def __init__(self, text: str, parentheses: bool = False):
        self.kept: list[str] = []
        self.text = OF_QUARTIERS.sub(self._keep, WHOLE_NAME.sub(self._keep, text))
        if parentheses:   # ("Grand Avignon (direction de l'habitat et du renouvellement urbain)": one name)
            self.text = re.sub(r"\([^()]*\)", self._keep, self.text)

    def _keep(self, m: re.Match) -> str:
        self.kept.append(m.group(0))
        return f"\x02{len(self.kept) - 1}\x02"

    def restore(self, piece: str) -> str:
        for i in range(len(self.kept) - 1, -1, -1):
            piece = piece.replace(f"\x02{i}\x02", self.kept[i])
        return piece


def names_and(text: str) -> list[str]:
    """"l'association ADALEA et Cap emploi 22", "Terre et Baie Habitat et Côtes d'Armor Habitat": cut
    at " et " then a name with no article, after a name of two words or more ("Terre et Baie
    Habitat" is one name), not a kind then one word of a name ("association Lire et Grandir en
    Vaucluse", "centres sociaux Pierre-Blanche et Rive Gauche")."""
    out, start = [], 0
    for m in re.finditer(r"\s+et\s+(?=[A-ZÀ-Ý])", text):
        left = text[start:m.start()]
        if len(left.split()) >= 2 and not re.fullmatch(r"(?:(?:[Ll]['’]\s*|[Ll]es?\s+|[Ll]a\s+))?[a-zà-ÿ]+(?:\s+[a-zà-ÿ]+)?\s+[A-ZÀ-Ý][a-zà-ÿ'’]+(?:-[\w'’]+)*", left):
            out.append(text[start:m.start()])
            start = m.end()
    return out + [text[start:]]


def names_of(text: str) -> list[str]:
    """"la Mission locale, la DDETS du Var et les structures d'insertion": the names of a list in a
    sentence (split on commas, "ainsi que" and the last " et ", never inside parentheses nor inside
    a name that has its own, `WHOLE_NAME`, `OF_QUARTIERS`); a relative clause (", qui en est
    co-pilote …") and a qualifier ("au titre de la protection maternelle et infantile") left out."""
    out = []
    masked = Masked(text, parentheses=True)
    text = re.sub(r",\s*(?:qui|dont|lesquel\w*)\b[^,;]*", "", masked.text)
    # a list of "de"-items ("de la CPAM, du Centre hospitalier … et de l'atelier santé ville"): "et de l'" starts one too
    pieces = [q for p in split_list(text, ",;") for q in re.split(r"\s+ainsi\s+que\s+", p)]
    de_list = any(re.match(r"^(?:de la|de l['’]|du|des|d['’])\s*\S", p, re.I) for p in pieces[1:] or [text.strip()])
    for piece in pieces:
        if re.match(r"^au\s+titre\s+d(?:e|u|es)\b", piece.strip()):   # ", au titre de sa compétence habitat et du …,"
            continue
        parts = re.split(_AND_NEXT, piece.strip())
        # "l'Agence locale de l'énergie et du climat de Vaucluse": "et du" before a common noun goes on with the name
        for i in range(len(parts) - 1, 0, -1):
            if re.match(r"^(?:du|des|de\s+la|de\s+l['’])\s*[a-zà-ÿ]", parts[i]) and not de_list:
                parts[i - 1:i + 1] = [f"{parts[i - 1]} et {parts[i]}"]
        if de_list:
            parts = [q for p in parts for q in re.split(r"\s+et\s+(?=(?:de la|de l['’]|du|des|d['’])\s*\S)", p)]
        parts = [q for p in parts for q in names_and(p)]
        for p in parts:
            p = re.sub(r"\s+au\s+titre\s+d(?:e|u|es)\b.*$", "", p)
            # "la Ville d'Amiens pour la gestion urbaine …": what it pilots, after its name (not "Agence
            # nationale pour la rénovation urbaine", whose "pour" follows a word in lower case)
            p = re.sub(r"(?<=\S\s)((?:d['’]|de\s+|du\s+)?[A-ZÀ-Ý][\w'’-]+)\s+pour\s+(?:la|le|les|l['’]|son|sa|ses)\s*[a-zà-ÿ].*$", r"\1", p)
            out.append(bare(masked.restore(p)))
    return [n for n in out if n]


def clauses(text: str, sentences: bool = False) -> list[tuple[int, str]]:
    """`text` cut at ";" outside parentheses, and with `sentences` at "." ending a sentence too (not
    "M.", "St.", "n°."): (where each clause starts, the clause stripped)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text + ";"):
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        end = ch == ";" or sentences and ch == "." and (i + 1 >= len(text) or text[i + 1] == " ") \
            and not re.search(r"\b(?:[A-Z]|St|Ste|n°)$", text[start:i])
        if end and depth == 0:
            piece = text[start:i]
            if piece.strip():
                out.append((start + len(piece) - len(piece.lstrip()), piece.strip()))
            start = i + 1
    return out
