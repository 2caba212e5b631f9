"""Finding names in written text: registered spellings whole or inside a phrase, lists of names,
what looks like the name of a body or of a scheme the registries do not know."""

from __future__ import annotations

import re

from ..names import normalise, strip_accents
from ..registry import Registries, Registry
from ..resolve import Resolver

from .reading import key_of
from .sections import SENTENCE


# --- names ----------------------------------------------------------------------------------------

class Names:
    """Finding registered names in written text: whole, or as the longest names found inside it.

    A whole match ignores case, accents, a leading article or "du/de/des", punctuation between
    words and, for words run together by the PDF conversion ("accompagnateurRénov"), spaces; a
    near match (a typo such as "prermiers") is accepted only above 0.92 similarity and is reported.
    Inside a longer text, a name counts only if it has two words or more, or is an acronym written
    in capitals ("EN", "D2C"), so that "en" or "formation" in a sentence is not taken for a name."""

    def __init__(self, reg: Registry, fallback=None):
        self.reg = reg
        self.fallback = fallback   # a name the registry does not list but can tell (text -> id or None)
        self.by_key = dict(reg._by_name)
        self.loose = {}
        self.nospace = {}
        for k, i in self.by_key.items():
            self.loose.setdefault(loose(k), i)
            self.nospace.setdefault(loose(k).replace(" ", ""), i)
        self.keys = sorted(self.by_key, key=len, reverse=True)
        self.fuzzy: list[tuple[str, str]] = []   # (written, registered) near matches, for the report
        self.glossed: dict[str, str] = {}   # the text's own acronyms (its glossary): key -> id

    def exact(self, text: str) -> str | None:
        k = normalise(text)
        if not k:
            return None
        plus = "+" in text   # "FSE+", "REP+": not the FSE nor the REP that a loose match would give
        if k not in self.by_key and k in self.glossed:
            return self.glossed[k]
        for variant in (k, re.sub(r"^(?:du|de la|de l'|des|de|d')\s*", "", k)):
            for table, key in ((self.by_key, variant),) + (() if plus else ((self.loose, loose(variant)),
                                                                          (self.nospace, loose(variant).replace(" ", "")))):
                if key and key in table:
                    return table[key]
        if self.fallback is not None:
            ident = self.fallback(text)
            if ident is not None:
                self.by_key[k] = ident   # so that the draft writes the name as written
                return ident
        if len(k) >= 10 and not plus:
            import difflib
            close = difflib.get_close_matches(loose(k), list(self.loose), n=1, cutoff=0.92)
            if close:
                self.fuzzy.append((text, close[0]))
                return self.loose[close[0]]
        return None

    def prefix(self, text: str) -> str | None:
        """The longest registered name of three words or more that the text starts with (loose key)."""
        k = loose(normalise(text))
        best = None
        for key in self.loose:
            if key.count(" ") >= 2 and k.startswith(key + " ") and (best is None or len(key) > len(best)):
                best = key
        return best

    def spelling(self, text: str, ident: str) -> str:
        """How to write `text` in a sheet so that the build resolves it to `ident`: as written when
        the registry knows that spelling, else the registered label (the written form is kept in
        the item's `written`)."""
        if normalise(text) in self.by_key:
            return text
        entry = self.reg[ident]
        return entry.get("label") or ident

    def leading(self, text: str) -> tuple[str | None, str, str]:
        """The registered name a text starts with (longest first): (id, as written, the rest)."""
        words = text.split()
        for n in range(min(8, len(words)), 0, -1):
            head = " ".join(words[:n])
            ident = self.exact(head) if n > 1 or len(head) > 1 else None
            if ident and (n > 1 or proper_word(normalise(head), strip_accents(head)) or head[:1].isupper()):
                return ident, head, " ".join(words[n:])
        return None, "", text

    def inside(self, text: str) -> list[tuple[int, str, str]]:
        """Registered names inside `text` (word-bounded, longest first, not overlapping):
        (position, id, matched key)."""
        k = normalise(text)
        plain = strip_accents(text)
        taken: list[tuple[int, int]] = []
        found = []
        for name in self.keys:
            if " " not in name and not proper_word(name, plain):
                continue
            for m in re.finditer(r"(?<![\w])" + re.escape(name) + r"(?![\w])", k):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append((m.start(), self.by_key[name], name))
        return sorted(found)


def proper_word(name: str, plain: str) -> bool:
    """A one-word name found in running text only as an acronym in capitals ("EN", "D2C") or as a
    capitalised proper word of six letters or more ("Clairsienne")."""
    word = strip_accents(name)
    if re.search(r"(?<![\w])" + re.escape(word.upper()) + r"(?![\w])", plain):
        return True
    for m in re.finditer(r"(?<![\w])" + re.escape(word) + r"(?![\w])", plain, re.I):
        if len(word) >= 4 and any(c.isupper() for c in m.group(0)[1:]):
            return True   # "PaQte", "EDEAccess"
    return len(word) > 5 and bool(re.search(r"(?<![\w])" + re.escape(word.capitalize()) + r"(?![\w])", plain))


def as_written(text: str, key: str) -> str:
    """The part of `text` that reads as the normalised `key`, in its own case and accents."""
    plain = strip_accents(text).lower().replace("’", "'")
    m = re.search(r"(?<![\w])" + re.escape(key) + r"(?![\w])", plain)
    return text[m.start():m.end()] if m and len(plain) == len(text) else key


def loose(key: str) -> str:
    return re.sub(r"[^\w]+", " ", key).strip()


def split_list(text: str, seps: str = ",;+", dashes: bool = False) -> list[str]:
    """Split a written list on its separators, never inside parentheses or guillemets, nor on the
    comma of a decimal number ("5,5 %"); with `dashes`, " – " separates too."""
    pieces = split_with_seps(text, seps, dashes)
    return [p for p, _ in pieces]


def split_with_seps(text: str, seps: str = ",;+", dashes: bool = False) -> list[tuple[str, str]]:
    """(piece, separator that followed it) pairs."""
    parts, depth, cur = [], 0, []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([«":
            depth += 1
        elif ch in ")]»" and depth:
            depth -= 1
        decimal = ch == "," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
        dash = dashes and ch in "–—-" and 0 < i < len(text) - 1 and text[i - 1] == " " and text[i + 1] == " "
        glued = ch == "+" and i > 0 and text[i - 1].isalnum() and (i + 1 == len(text) or not text[i + 1].isalnum())   # "FSE+", "REP+"
        if depth == 0 and ((ch in seps and not decimal and not glued) or dash):
            parts.append(("".join(cur), ch))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append(("".join(cur), ""))
    out = []
    for p, sep in parts:
        p = re.sub(r"\s+", " ", p).strip(" .…-–:")
        p = re.sub(r"\s*(?:etc\.?|\.\.\.|…)+\s*$", "", p, flags=re.I).strip(" .…-–:")
        if p and re.search(r"\w", p):
            out.append((p, sep))
        elif out:
            out[-1] = (out[-1][0], sep or out[-1][1])
    return out


PROPOSED = "proposed-body:"       # a funder no registry knows, kept as written (reader only)


KIND_PREFIX = "kind-of-body:"   # the pseudo-entries of generic names, in the reader's registry only


def with_every_spelling(regs: Registries, resolver: Resolver) -> Registries:
    """The registries as the reader of a text needs them: the organisations registry also knows the
    local names of every territory and the generic names of kinds of bodies ("la CAF"), so that it
    recognises them in the text. The draft writes them as written; `cvgraph build` resolves them
    inside the contract's territory (`resolve`)."""
    import copy
    from dataclasses import replace

    from ..sheets import Node

    orgs = copy.copy(regs.organisations)
    orgs.entries = dict(orgs.entries)
    orgs._by_name = dict(orgs._by_name)
    for key, ids in resolver.local.items():
        orgs._by_name.setdefault(key, ids[0])
    for key, kind in resolver.generic.items():
        ident = KIND_PREFIX + kind
        if ident not in orgs.entries:
            k = resolver.kinds[kind]
            entry = Node({"id": ident, "label": k.names[0], "kind": k.org_kind,
                          **({"part_of": k.part_of} if k.part_of else {})})
            entry.key_lines = {}
            orgs.entries[ident] = entry
        orgs._by_name[key] = ident   # even where an id or label spells it ("cci"): a generic name
    return replace(regs, organisations=orgs)


SCHEME_WORDS = re.compile(r"\b(?:fonds|programme|dispositif|aides?|prets?|appels? a projets?|aap|ami|plans?|contrats?|"
                          r"prestations?|subventions?|credits?|dotations?|bourses?|pass|labels?|conventions?|opah|"
                          r"cites?|clauses?|postes?)\b")


def looks_like_name(text: str) -> bool:
    """A piece that names a body ("Association Les Amis", "BGE Isère"), not a phrase ("les services
    développement économique", "emploi de La Cali"): short, no verb, its first word after an article
    capitalised."""
    if len(text) > 80 or SENTENCE.search(text):
        return False
    words = re.sub(r"^(?:les?|la|l['’]|des?|du)\s+", "", text.strip(), flags=re.I).split()
    return bool(words) and (words[0][:1].isupper() or words[0][:1].isdigit() or bool(BODY_NOUN.match(key_of(text)))
                            or bool(re.match(r"^[a-z]+\d*[A-Z]", words[0])))   # "m2A Habitat", "eXtra"


# the common nouns that name bodies ("centre socioculturel d'Ozon", "collège George-Sand",
# "associations d'éducation populaire", "amicale des locataires"), in key form
BODY_NOUN = re.compile(r"^(?:(?:les?|la|l'|des?|du)\s*)?(?:centres?|associations?|colleges?|lycees?|ecoles?|groupes? scolaires?"
                       r"|amicales?|entreprises?|maisons?|foyers?|clubs?|comites?|syndicats?|bailleurs?|offices?"
                       r"|agences?|fondations?|federations?|etablissements?|universites?|hopital|hopitaux|cliniques?"
                       r"|creches?|mediatheques?|bibliotheques?|cooperatives?|regies?|collectifs?|unions?|caisses?"
                       r"|chambres?|instituts?|compagnies?|services? (?:de|du|des|municipaux|departementaux)"
                       # "direction interdépartementale de la police nationale", "service territorial de la PJJ"
                       r"|(?:services?|directions?|delegations?) (?:inter)?(?:departementa|regiona|territoria|academique)\w*"
                       r"|structures?|equipes?|residences?|societes?|groupements?|reseaux?|conseils? citoyens?|parquets?|ateliers?)\b")


COUNT = re.compile(r"^(?:\d+|un|une|deux|trois|quatre|cinq|six)\s+(?:postes?|etp|emplois?|mediateurs?)\b")   # "2 postes de médiateurs"


def looks_like_instrument(text: str) -> bool:
    """A piece of a funding line the registry does not know, short enough and worded like a scheme
    ("contrat enfance jeunesse", "OPAH-RU", "Fonds de solidarité logement"), rather than a purpose."""
    words = text.split()
    if not 1 <= len(words) <= 7 or SENTENCE.search(text) or COUNT.match(key_of(text)):
        return False
    key = key_of(text)
    return bool(SCHEME_WORDS.search(key)) or bool(re.fullmatch(r"[A-Z0-9][A-Z0-9\-+/ ]{1,12}", text.strip()))


def looks_like_scheme_name(text: str) -> bool:
    """What a funding line names after its funder ("France Travail : Parcours emploi compétences,
    médiation de nuit"): a short noun phrase, the name of what the funder brings, not a sentence
    nor a purpose opened by an article or a preposition ("pour les jeunes", "la Seine-Saint-Denis")."""
    words = text.split()
    if not 1 <= len(words) <= 6 or SENTENCE.search(text) or not re.search(r"[^\W\d_]{3}", text) or COUNT.match(key_of(text)):
        return False
    return not re.match(r"^(?:le|la|les|l['’]|un|une|des|du|de|d['’]|pour|dont|avec|en|au|aux|sur|dans|par|et|ou|a|à)\b",
                        key_of(text)) and not text.strip().endswith((":", ","))


def written_org(regs: Registries, ident: str) -> str:
    """How a draft refers to an organisation in an `orgs` list: its id, or for a generic name the
    name itself (resolved by the build inside the contract's territory)."""
    return regs.organisations[ident]["label"] if ident.startswith(KIND_PREFIX) else ident
