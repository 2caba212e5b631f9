"""`cvgraph ingest`: a draft source sheet from the plain text of a contract in the national template.

The text is read line by line, keeping each line's number. Headings are recognised whatever their
case and accents; page numbers, bare URLs and footers repeated across pages are set aside; a word cut
across two lines ("amélio-" / "ration") is joined. The parts recognised:

- the protocol's list of orientations ("Orientation n°5 : …") and its axes ("Au titre de « … »");
- each orientation fiche ("ORIENTATION STRATÉGIQUE N°5 : …") and its sections: DONNÉES, CONSTAT,
  OBJECTIFS, ENJEUX, ACTIONS À CONDUIRE, Pilote(s), Services associés, and the funding headings
  (Mobilisation des cofinancements / Co-financements, Droit commun mobilisable, Financements
  spécifiques mobilisables, Financements mobilisables);
- the signatories' commitments ("Les engagements des signataires", one numbered part each);
- the annex of result indicators ("ORIENTATIONS … (1 à 4) :" followed by a list).

Names are resolved through the registries of `data/` (organisations, instruments), by their
written spellings; a name the registries do not know is listed in the sheet's `unresolved` part
with its line, never dropped and never guessed. Every item carries the line it came from.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ._paths import resource_dir
from .errors import SourceError, UsageError
from .names import normalise, slugify, strip_accents
from .registry import Registries, Registry, load_registries
from .reference import Place
from .resolve import Resolver
from .pdftext import MAX_PAGES, is_pdf, read_pdf
from .sources import checksum


def pdfplumber_version() -> str:
    from importlib.metadata import version
    return version("pdfplumber")

BULLET = re.compile(r"^\s*(?:[•\-–—→▪◦●*>»·§\ue000-\uf8ff]|o(?=\s)|\d+[.)](?=\s))\s*")  # PUA: Symbol-font bullets
INLINE_PAGE = re.compile(r"\s+page\s*[|/-]?\s*\d{1,4}\s*$", re.I)
NOISE = [re.compile(p, re.I) for p in (r"^\s*\d{1,4}\s*$", r"^\s*(?:page|p\.)\s*[|/-]?\s*\d+(?:\s*(?:/|sur)\s*\d+)?\s*$",
                                  r"^\s*\d+\s*/\s*\d+\s*$", r"^\s*https?://\S+\s*$", r"^\s*www\.\S+\s*$")]


def key_of(text: str) -> str:
    """Accents and case dropped, spaces collapsed: how headings are matched."""
    return re.sub(r"\s+", " ", strip_accents(text).replace("’", "'")).strip().casefold()


# headings of a fiche by meaning, matched on key_of(line) (accents and case dropped); the group, if
# any, is text after the heading ("Pilote(s) : A, B"). A word that also starts sentences
# ("partenaires", "actions", "porteur", "financeurs") is a heading only before ":" or alone on its line.
_END = r"(?:\s*:\s*(.*)|\s*$())"
SECTIONS = [
    ("data", re.compile(r"^(?:donnees|chiffres[ -]cles|diagnostic)\b[^:]*:?\s*(.*)$")),
    ("constat", re.compile(r"^constats?\b\s*:?\s*(.*)$")),
    ("objectives", re.compile(r"^objectifs?(?: operationnels?| strategiques?)?(?:\s*\(s\))?" + _END
                              + r"|^objectifs? operationnels? \d{1,2}(?:\.\d{1,2})?\s*[:.\-–]\s*(.*)$")),
    ("enjeux", re.compile(r"^enjeux\b\s*:?\s*(.*)$")),
    ("actions", re.compile(r"^(?:actions? (?:a|à) conduire|plan d'actions?|actions? (?:prevues?|envisagees?))\b\s*:?\s*(.*)$"
                           r"|^actions?" + _END)),
    ("pilots", re.compile(r"^(?:(?:co[- ]?)?pilotes?(?:\s*\(s\))?|(?:co[- ]?)?pilotage)(?!\w)\s*:?\s*(.*)$"
                          r"|^(?:porteurs?(?:\s*\(s\))?(?: de l'action| du projet| de projet)?|chefs? de file"
                          r"|maitres?(?:\s*\(s\))? d'ouvrage|maitrise d'ouvrage|responsables?(?:\s*\(s\))?"
                          r"(?: de l'action| du projet| de la mise en oeuvre)?|coordination|coordinateurs?|referents?)" + _END)),
    ("services", re.compile(r"^services? associes?\b\s*:?\s*(.*)$"
                            r"|^(?:partenaires?(?:\s*\(s\))?(?: associes?| mobilises?| operationnels?| techniques?)?"
                            r"|acteurs?(?: associes?| mobilises?| concernes?)?|structures? associees?|intervenants?)" + _END)),
    ("funding-dc", re.compile(r"^(?:[-•]\s*)?(?:(?:financements?|credits?|moyens?)(?: mobilises?)? (?:de |du |\(\s*)?)?"
                              r"droit commun(?: mobilisables?| mobilises?)?\)?\s*:?\s*(.*)$")),
    ("funding-sp", re.compile(r"^(?:[-•]\s*)?(?:(?:financements?|credits?) (?:specifiques?|(?:de la )?politique de la ville)"
                              r"|credits? pv)(?: mobilisables?| mobilises?)?\b\s*:?\s*(.*)$")),
    ("funding-np", re.compile(r"^(?:[-•]\s*)?financements? mobilisables?\b\s*:?\s*(.*)$"
                              r"|^(?:[-•]\s*)?(?:financeurs?(?:\s*\(s\))?|partenaires? financiers?|moyens? mobilises?"
                              r"|moyens? financiers?|plan de financement|financements? previsionnels?|budget(?: previsionnel)?)"
                              + _END)),
    ("funding", re.compile(r"^(?:mobilisation des )?co[- ]?financ(?:eurs|ements?)\b\s*:?\s*(.*)$"
                           r"|^financements?" + _END)),
    # headings that end a section and give no item: "Calendrier : études 2024", "Public visé : …"
    ("other", re.compile(r"^(?:calendrier(?: previsionnel| de (?:mise en oeuvre|realisation))?|echeancier|duree"
                         r"|publics?(?: cibles?| vises?| concernes?)?|localisation|territoire concerne"
                         r"|modalites? de (?:mise en oeuvre|suivi)|evaluation)" + _END)),
    ("indicators", re.compile(r"^indicateurs?(?: de (?:suivi|resultats?|realisation|evaluation))?" + _END)),
]
# the heading of an orientation's fiche, by its meaning: "ORIENTATION STRATÉGIQUE N°5 : …",
# "Orientation 3 – …", "Objectif stratégique n°2 : …", "Enjeu 4 : …", "Objectif opérationnel 1.2 : …"
ORIENT_FICHE = re.compile(r"^(?:[^/]{0,80}\s/\s*)?(?:fiche\s+)?(?:orientation(?:\s+strategique)?|objectif\s+(?:strategique|operationnel)"
                          r"|enjeu|priorite)\s*(?:n\s*[°o.]?\s*)?(\d{1,2}(?:\.\d{1,2})?)\s*(?:[:.\-–)]|$)\s*(.*)$")
SUB_FICHE = re.compile(r"^objectif\s+operationnel\b")   # under an "objectif stratégique", an objective
# an axis heading between fiches: "A - Un territoire attractif", "AXE 2 – HABITAT ET CADRE DE VIE", "Pilier 1 : …"
AXIS_NUM = re.compile(r"^(?:axe|pilier)\s*(?:strategique\s*)?(?:n\s*[°o.]?\s*)?(\d)\s*[-–:.)]\s*(\S.{2,})$")
ORIENT_PROTO = re.compile(r"^orientation\s*n\s*[°o]\s*(\d+)\s*[:.\-–]\s*(.*)$")
AXIS_PROTO = re.compile(r"^au titre de\s*[«\"]\s*(.*?)\s*[»\"]?\s*:?$")
AXIS_LETTER = re.compile(r"^([a-h])\s*[-–.)]\s+(\S.{2,})$")




def axis_heading(key: str) -> tuple[str, str] | None:
    """"A - title" or "Axe 2 – title" (key form): the axis letter and the title, or None."""
    m = AXIS_LETTER.match(key)
    if m:
        return m.group(1), m.group(2)
    m = AXIS_NUM.match(key)
    if m:
        return ("abcdefghi"[int(m.group(1)) - 1] if m.group(1) != "0" else "z"), m.group(2)
    return None

SIGNATORIES = re.compile(r"^(?:[a-z0-9]{1,2}\s*[.)-]\s*)?(?:les |liste des |la liste des )?(?:engagements des (?:signataires|partenaires)"
                         r"|(?:partenaires |parties )?signataires(?: du (?:present )?contrat(?: de ville)?)?\s*:?\s*$"
                         r"|ont signe(?: le present contrat)?\s*:?\s*$)")
# one signatory: "3. La CAF", "3) La CAF", "• La CAF", "- La CAF", "Pour la CAF du Rhône, la directrice"
SIGNATORY = re.compile(r"^(?:(\d{1,2})\s*[.)]|[•\-–—▪◦●*]|pour(?= ))\s*(\S.*?)"
                       r"(?:,\s*(?:le|la|les|son|sa|repr[ée]sent[ée]e?s?\s+par)\s+\w.*)?$", re.I)
# a line of a table of contents: "Objectif stratégique n°7 – Accès aux droits ...... 7"
TOC_LINE = re.compile(r"(?:\.\s?){4,}\s*\d{1,3}\s*$|…{2,}\s*\d{1,3}\s*$")
# who signs for a body, under its "Pour …" line: "le Préfet de la Vienne", "la Directrice territoriale"
SIGNER = re.compile(r"^(?:le|la|l'|les|monsieur|madame|m\.|mme)\s*\S.{0,70}$")
ANNEX = re.compile(r"^annexes?\b.*indicateurs|^indicateurs de (?:resultats?|suivi)")
INDICATOR_GROUP = re.compile(r"^orientations?\b.*?\(\s*(\d+)\s*(?:a|-|–|et)\s*(\d+)\s*\)\s*:?$")
CONNECTOR = re.compile(r"(?:\b(?:et|de|des|du|aux|au|à|dans|sur|pour|avec|en|la|le|les|d'|l')|[-–(/'’])\s*$", re.I)
SENTENCE = re.compile(r"\b(?:a sign|ont |est |sont |sera |seront |peut |peuvent |doit |dans le cadre|afin )", re.I)
FUNDING_KINDS = {"funding-dc": "droit-commun", "funding-sp": "specifique", "funding-np": "non-precise",
                 "funding": "non-precise"}


@dataclass
class Line:
    n: int
    text: str

    @property
    def key(self) -> str:
        return key_of(self.text)


@dataclass
class Found:
    """What the ingester found, for the report it prints."""
    counts: Counter = field(default_factory=Counter)
    unresolved: list[dict] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    near: list[dict] = field(default_factory=list)
    review: list[dict] = field(default_factory=list)   # what a person must check (see `rate`)


# --- reading ---------------------------------------------------------------------------------------

def read_lines(path: Path) -> list[Line]:
    return lines_of(read_text(path))


def lines_of(text: str) -> list[Line]:
    """The numbered lines of a text, split on line ends only (a form feed, which separates the
    pages of an extracted PDF, stays on its line as a space), as `sources` numbers them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
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


def drop_noise(lines: list[Line]) -> list[Line]:
    """Page numbers, bare URLs and page footers (the same line seen on three pages or more)."""
    counts = Counter(l.key for l in lines if l.key)
    # where pages end: a form feed, or a page number standing alone. A line seen three times is a
    # running header or footer, unless it is a row of cells ("État    BOP 147    subvention", the
    # same row in several fiches' tables) away from any page end
    marks = [i for i, l in enumerate(lines) if "\f" in l.text or any(p.match(l.text) for p in NOISE)]
    near = set()
    for i in marks:
        near.update(range(i - 3, i + 4))
    out = []
    for i, line in enumerate(lines):
        k = line.key
        if any(p.match(line.text) for p in NOISE):
            continue
        if k and counts[k] >= 3 and len(k) > 3 and not section_of(k) and not BULLET.match(line.text) \
                and not ORIENT_FICHE.match(k) and (i in near or not re.search(r"\S\s{3,}\S", line.text)):
            continue
        out.append(line)
    return out


def section_of(k: str) -> tuple[str, str] | None:
    for name, rx in SECTIONS:
        m = rx.match(k)
        if m:
            return name, next((g for g in m.groups() if g), "")
    return None


def join_cut_words(a: str, b: str) -> str:
    """Join two lines; a word cut by a hyphen at the end of the first is made whole again."""
    a, b = a.rstrip(), b.strip()
    if re.search(r"[a-zà-ÿ]-$", a) and re.match(r"[a-zà-ÿ]", b):
        return a[:-1] + b
    return f"{a} {b}".strip()


def rest_after(line: Line, k_rest: str) -> str:
    """The original text after a heading whose remainder (in key form) is `k_rest`."""
    if not k_rest:
        return ""
    text = line.text.strip()
    # "Porteur : | France Travail": a table read as cells puts the value in the next cell
    return text[len(text) - len(k_rest):].strip(" |") if len(k_rest) <= len(text) else ""


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

    def exact(self, text: str) -> str | None:
        k = normalise(text)
        if not k:
            return None
        for variant in (k, re.sub(r"^(?:du|de la|de l'|des|de|d')\s*", "", k)):
            for table, key in ((self.by_key, variant), (self.loose, loose(variant)),
                               (self.nospace, loose(variant).replace(" ", ""))):
                if key and key in table:
                    return table[key]
        if self.fallback is not None:
            ident = self.fallback(text)
            if ident is not None:
                self.by_key[k] = ident   # so that the draft writes the name as written
                return ident
        if len(k) >= 10:
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
        if depth == 0 and ((ch in seps and not decimal) or dash):
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


# --- the ingester -------------------------------------------------------------------------------------

class Ingester:
    def __init__(self, lines: list[Line], regs: Registries, found: Found, resolver: Resolver | None = None):
        self.lines = lines
        self.regs = regs
        self.resolver = resolver
        self.scope = None   # the place the text says it is in, once read (`place_in_text`)
        self.orgs = Names(regs.organisations, self.named_body if resolver else None)
        self.instruments = Names(regs.instruments)
        self.found = found

    def is_local(self, ident: str) -> bool:
        """An organisation of another territory than the text's (its names only mean it there)."""
        if not self.resolver or ident not in self.resolver.territories or \
                "body" in self.resolver.orgs.entries.get(ident, {}):
            return False
        return self.scope is None or not self.scope.contains(self.resolver.territories[ident])

    def generic_with_complement(self, text: str) -> bool:
        """"Mission locale de Grenoble", "Mission locale Nord Vienne", "Conseil citoyen d'Ozon": a
        generic name made particular by what follows it, which the reference does not resolve (else
        `named_body` would have): a body of its own, not the kind's."""
        if not self.resolver or self.resolver.named_body(text):
            return False
        key = normalise(text)
        for name in self.resolver.generic:
            if key.startswith(name + " ") and len(name) >= 3:
                bare = re.sub(r"^(?:l['’]\s*|la\s|le\s|les\s)", "", text.strip(), flags=re.I)
                tokens = list(re.finditer(r"[^\s'’\-]+", bare))
                n = len(name.split())
                rest = bare[tokens[n - 1].end():].strip(" '’-") if len(tokens) > n else ""
                if re.match(r"^(?:de |du |des |d['’]|de l['’])", rest, re.I) or rest[:1].isupper():
                    return True
        return False

    def plural_of_generic(self, text: str) -> bool:
        """"conseils citoyens", "les missions locales": a generic name in the plural names several
        bodies, never the one body of the kind."""
        if not self.resolver:
            return False
        key = re.sub(r"^(?:les|des)\s+", "", normalise(text))
        words = key.split()
        if key in self.resolver.generic or not words or not all(w.endswith(("s", "x")) for w in words if len(w) > 3):
            return False
        singular = " ".join(w[:-1] if len(w) > 3 and w.endswith(("s", "x")) else w for w in words)
        return singular != key and singular in self.resolver.generic

    def as_written(self, text: str, ident: str) -> str:
        """How a sheet refers to an organisation found in the text: its registry id, else (a generic
        name, a body found in the reference) the name as written, which the build resolves again."""
        registry = self.resolver.orgs if self.resolver else self.regs.organisations
        if ident in registry.entries:
            return ident
        return self.orgs.spelling(text, ident) if ident in self.regs.organisations.entries else text

    def named_body(self, text: str) -> str | None:
        """A body the text names with its kind and territory ("CAF de la Haute-Marne"), found in the
        administrative reference; the reader's registry learns it (the build finds it again)."""
        found = self.resolver.named_body(text)
        if found is None:
            return None
        kind, code = found
        scope = self.resolver.scope("draft", None, None)
        ident = scope.found(kind, code)
        orgs = self.regs.organisations
        if ident not in orgs.entries:
            from .sheets import Node
            entry = Node({"id": ident, "label": scope.made[ident].label, "kind": kind.org_kind})
            entry.key_lines = {}
            orgs.entries[ident] = entry
        return ident

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

    def part_of(self, unit: str, parent: str) -> bool:
        """Whether `unit` is a unit of `parent`; a generic name ("-Département :") stands for the
        body of its kind, so a unit of a body of that kind counts as its unit."""
        orgs = self.regs.organisations
        up = orgs[unit].get("part_of") if unit in orgs else None
        if up == parent:
            return True
        if up and parent.startswith(KIND_PREFIX) and up in orgs:
            body = orgs[up].get("body")
            return isinstance(body, dict) and KIND_PREFIX + str(body.get("kind")) == parent
        return False

    def unresolved(self, kind: str, name: str, line: int, orientation: int | None = None) -> None:
        entry = {"line": line, "kind": kind, "name": name}
        if orientation is not None:
            entry["orientation"] = orientation
        if entry not in self.found.unresolved:
            self.found.unresolved.append(entry)

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

    def participants(self, lines: list[Line], orientation: int, role: str) -> list[dict]:
        out = []
        for item_line, text in self.joined(lines):
            pieces = [text] if SENTENCE.search(text) else self.merged(split_with_seps(text, ",;+/"))
            for piece in pieces:
                for sub in self.split_et(piece):
                    proposed = {"line": item_line, "name": sub, "proposed": True}   # kept as written
                    if self.generic_with_complement(sub):
                        self.unresolved("organisation", sub, item_line, orientation)
                        out.append(proposed)
                        continue
                    ident = self.orgs.exact(sub)
                    if ident and self.plural_of_generic(sub):   # "les conseils citoyens": several bodies
                        out.append(proposed)
                        continue
                    if ident and self.is_local(ident):
                        # a name of some territory's body ("PLIE", "Police municipale"): the build
                        # finds that body if the contract is placed there, else proposes one
                        out.append(proposed)
                        continue
                    if ident:
                        name = self.orgs.spelling(sub, ident)
                        out.append({"line": item_line, "name": name, "written": text} if name != text
                                   else {"line": item_line, "name": name})
                        continue
                    named = self.names_in(sub)
                    ids = [i for i in named if not self.is_local(i)]   # not another territory's bodies
                    if ids:
                        out.append({"line": item_line, "written": sub,
                                    "orgs": [written_org(self.regs, i) for i in ids]})
                    elif named:   # only names of some territory's bodies
                        out.append(proposed)
                    else:
                        self.unresolved("organisation", sub, item_line, orientation)
                        if looks_like_name(sub):   # the build makes a body to be confirmed
                            out.append(proposed)
        return out

    def names_in(self, text: str) -> list[str]:
        """Organisations named inside a phrase: in a sentence, only the one it starts with; a list in
        parentheses ("Certaines associations (EDS, la cravate solidaire…)") name by name."""
        if SENTENCE.search(text):
            lead = self.orgs.leading(text)
            return [lead[0]] if lead[0] else []
        m = re.match(r"^(.*?)\((.*)\)\s*$", text)
        if m:
            inner = [self.orgs.exact(p) or None for p in split_list(m.group(2))]
            head = self.names_in(m.group(1)) if m.group(1).strip() else []
            found = head + [i for i in inner if i] + [i for p in split_list(m.group(2)) if not self.orgs.exact(p)
                                                      for i in self.names_in(p)]
            return self.without_parents(list(dict.fromkeys(found)))
        inside = self.orgs.inside(text)
        if SENTENCE.search(text):
            inside = [x for x in inside if x[0] == 0][:1]
        return self.without_parents(list(dict.fromkeys(i for _, i, _ in inside)))

    def merged(self, pieces: list[tuple[str, str]]) -> list[str]:
        """Pieces put back together where the whole is a registered name ("Bus en + (CD)", "CLS/CLSM")."""
        glue = {"+": " + ", "/": "/", ",": ", ", ";": "; "}
        out, i = [], 0
        while i < len(pieces):
            for j in range(min(len(pieces), i + 3), i + 1, -1):
                whole = "".join(p + glue.get(s, " ") for p, s in pieces[i:j - 1]) + pieces[j - 1][0]
                if normalise(whole) in self.orgs.by_key:
                    out.append(whole)
                    i = j
                    break
            else:
                out.append(pieces[i][0])
                i += 1
        return out

    def without_parents(self, ids: list[str]) -> list[str]:
        """Drop an organisation named only to qualify one of its own services ("(dept) ASE")."""
        return [i for i in ids if not any(self.part_of(j, i) for j in ids if j != i)]

    def split_et(self, piece: str) -> list[str]:
        """"A et B" as two names when the whole is not a registered name ("Isle et Dronne" is)."""
        if self.orgs.exact(piece) or " et " not in piece or SENTENCE.search(piece):
            return [piece]
        if re.search(r"\set\s+[a-zà-ÿ]+\s*$", piece):   # "Protection maternelle et infantile"
            return [piece]
        # "Chambre de commerce et d'industrie de X": "et" followed by "d'…"/"de …" continues the name
        parts = [p.strip() for p in re.split(r"\s+et\s+(?!d['’]|de\s|du\s|des\s)", piece) if p.strip()]
        # "les services développement économique et emploi de La Cali": one noun and one "de Z" shared
        for i in range(len(parts) - 1):
            a = re.match(r"^(?:les\s+)?(services?|p[ôo]les?|directions?)\s+(?!.*\s(?:de|du|des|d['’])\s)(.+)$", parts[i], re.I)
            b = re.match(r"^(?!(?:le|la|les|l['’]|un|une)\s)(.+?)\s+((?:de la|de l['’]|du|des|de|d['’])\s*.+)$", parts[i + 1], re.I)
            if a and b:
                noun = a.group(1).rstrip("sS").capitalize()
                pair = [f"{noun} {a.group(2)} {b.group(2)}", f"{noun} {b.group(1)} {b.group(2)}"]
                if all(self.orgs.exact(x) for x in pair):
                    parts[i:i + 2] = pair
                    break
        return parts

    def joined(self, lines: list[Line]) -> list[tuple[int, str]]:
        """Lines of a names section, joined where a line continues the previous one."""
        out: list[list] = []
        broken = False
        for line in lines:
            if line.text == BREAK:
                broken = True
                continue
            text = BULLET.sub("", line.text.strip(), 1).strip() if BULLET.match(line.text) else line.text.strip()
            if not text:
                continue
            # a line continues the previous one after ",", "-", "(", when it starts in lower case, or
            # when the previous is a list cut mid-name ("…, France Active" / "Auvergne-Rhône-Alpes, …")
            head = re.split(r"[,;]", text)[0].strip(" .")
            last = re.split(r"[,;]", out[-1][1])[-1].strip() if out else ""
            cut_list = bool(out) and "," in out[-1][1] and not out[-1][1].rstrip().endswith((".", ";", ":")) \
                and len(head.split()) <= 3 and bool(
                    self.orgs.exact(f"{last} {head}")                                   # "France / Services"
                    or (self.resolver and self.resolver.is_territory_name(head))        # "France Active / Auvergne-Rhône-Alpes"
                    or (len(last.split()) == 1 and not self.orgs.exact(last)))
            if out and not broken and (out[-1][1].endswith((",", "-", "(")) or re.match(r"^[a-zà-ÿ(]", text)
                                       or cut_list) and not BULLET.match(line.text):
                out[-1][1] = join_cut_words(out[-1][1], text)
            else:
                out.append([line.n, text])
            broken = False
        return [(n, t) for n, t in out]

    def funder_of(self, text: str) -> tuple[str | None, str, str]:
        """(funder id, funder as written, the rest) for a funding line, or (None, '', text). The
        funder may be several ("DRETS/DRAC; …": ids joined by '|'), and a service named right
        after its organisation is the funder ("Etat : DSDEN/SDJS : Appel à projets ANS")."""
        m = re.match(r"^(.{1,80}?)\s*(?::|;|\.(?=\s|$|\s*:)|\s[-–]\s|\s{2,}|(?=\())\s*:?\s*(.*)$", text)
        if m:
            ids = self.org_list(m.group(1))
            if ids:
                rest = m.group(2).strip()
                if rest.startswith("(") and rest.endswith(")"):
                    rest = rest[1:-1]
                inner = re.match(r"^(.{1,40}?)\s*:\s*(.*)$", rest)
                if inner and self.org_list(inner.group(1)):
                    return "|".join(self.org_list(inner.group(1))), inner.group(1).strip(), inner.group(2).strip()
                return "|".join(ids), m.group(1).strip(), rest
        whole = text.strip(" :.-")
        if self.orgs.exact(whole):
            return self.orgs.exact(whole), whole, ""
        return None, "", text

    def complemented(self, text: str) -> tuple[str, str, str] | None:
        """A funding line that starts with a generic name made particular ("Région Languedoc-
        Roussillon : …", "Mission locale Nord Vienne (…)"): (id, as written, the rest), the body
        found in the reference when it names one, else the name as written, proposed."""
        m = re.match(r"^(.{3,80}?)\s*(?::|(?=\()|\s[-–]\s|$)\s*(.*)$", text.strip())
        if not m or not self.resolver:
            return None
        head, rest = m.group(1).strip(" .,"), m.group(2).strip()
        if rest.startswith("(") and rest.endswith(")"):
            rest = rest[1:-1]
        if self.orgs.exact(head):
            return None
        named = self.named_body(head)
        if named:
            return named, head, rest
        if self.generic_with_complement(head):
            return PROPOSED + head, head, rest
        return None

    def org_list(self, text: str) -> list[str]:
        """One organisation, or several written "A/B" or "A, B" that all resolve."""
        one = self.orgs.exact(text)
        if one:
            return [one]
        parts = [p for p in re.split(r"\s*[/,]\s*", text.strip()) if p]
        ids = [self.orgs.exact(p) for p in parts]
        return ids if len(parts) > 1 and all(ids) else []

    def funding(self, lines: list[Line], kind: str, heading: Line, orientation: int) -> list[dict]:
        out: list[dict] = []
        entries: list[dict] = []
        header = None          # "-État :" standing alone: the lines under it may name only instruments
        previous = ""
        for line in expand_inline_funders(lines, lambda name: bool(self.orgs.exact(name))):
            raw = line.text.strip()
            if not raw:
                continue
            if entries and entries[-1].get("row") and re.match(r"^(?:et|de|du|des|d['’])\s*\S", raw) \
                    and not re.search(r"\S\s{3,}\S|\|", raw):
                # "Chambre de commerce    Prêt d'honneur    …" / "et d'industrie de Grenoble": the
                # first cell of a row, cut across lines, is the funder's whole name
                e = entries[-1]
                name = join_cut_words(e["written"], raw)
                ident = self.orgs.exact(name) or self.named_body(name) or PROPOSED + name
                e.update(funder=ident, written=name, raw=join_cut_words(e["raw"], raw), to=line.n)
                previous = raw
                continue
            row = table_row(raw) if not BULLET.match(line.text) else None
            line_raw = raw
            if row is not None:   # a funding table, flattened by a PDF tool or read as cells
                if not row:
                    continue      # its header row ("Financeur | Dispositif | Nature")
                line = Line(line.n, row)
                raw = row
            bulleted = bool(BULLET.match(line.text))
            text = BULLET.sub("", raw, 1).strip() if bulleted else raw
            after_word = bool(entries) and bool(CONNECTOR.search(previous))
            after_comma = bool(entries) and previous.rstrip().endswith(",")
            continues = after_word or after_comma
            ident, written, rest = self.funder_of(text)
            whole = self.complemented(text)
            if whole:   # "Région Languedoc-Roussillon : …", "ARS Occitanie (PRAPS)": the whole name
                ident, written, rest = whole
            colon = ident is not None and bool(re.match(r"^.{1,80}?\s*[:;(]", text))
            if ident is not None and ((after_word and not (bulleted and colon)) or (after_comma and not colon)):
                ident, written, rest = None, "", text
            elif colon:
                continues = False
            instrument_first = None
            sub_bullet = bool(re.match(r"^\s*(?:→|o\s|▪|◦|\uf0d8|>)", line.text))
            if header and sub_bullet and not continues:   # "→ FIPD : prévention …" under "-État :"
                m = re.match(r"^(.{1,60}?)\s*:\s*(.*)$", text)
                if m and self.instruments.exact(m.group(1)):
                    ident, written, rest = header["funder"], header["written"], ""
                    instrument_first = (self.instruments.spelling(m.group(1).strip(), self.instruments.exact(m.group(1))),
                                        m.group(2).strip())
            if ident is None and not continues and (bulleted or not entries):
                lead = self.orgs.leading(text)
                found = self.orgs.inside(text[:80])
                if lead[0]:                      # starts with a known organisation
                    ident, written, rest = lead[0], lead[1], lead[2].strip(" :.-")
                elif found and not entries:      # "Bop 147 politique ville Préfecture (…)"
                    _, ident, key = found[-1]
                    written, rest = as_written(text, key), self.strip_funder(text, ident)
            if ident is None and (row or bulleted and not continues):
                # a table row, or a bullet "Name (X) : a, b", whose funder no registry knows: kept as written
                m = re.match(r"^([A-ZÀ-Ý][^:;]{1,60}?)\s*(?:\(([^)]{1,40})\))?\s*:\s*(.*)$", text)
                if m and len(m.group(1).split()) <= 8 and not SENTENCE.search(m.group(1)):
                    ident, written = PROPOSED + m.group(1).strip(), m.group(1).strip()
                    rest = ", ".join(x for x in (m.group(2), m.group(3)) if x and x.strip())
                elif row and row.strip():
                    ident, written, rest = PROPOSED + row.strip(" :"), row.strip(" :"), ""
                elif bulleted and not continues and len(text.split()) <= 6 and looks_like_name(text) \
                        and not self.instruments.exact(text) and not looks_like_instrument(text):
                    ident, written, rest = PROPOSED + text.strip(" :."), text.strip(" :."), ""   # a funder alone
            if ident is not None and bulleted and not sub_bullet and not instrument_first:
                header = None
            if ident is not None:
                entry = {"line": line.n, "to": line.n, "funder": ident, "written": written, "text": rest, "raw": raw,
                         "row": row is not None, "kind": row_kind(line_raw) if row is not None else None}
                if instrument_first:
                    entry["instrument"], entry["purpose"] = instrument_first
                entries.append(entry)
                if not rest and not instrument_first:
                    header = entry
            elif entries:
                entries[-1]["to"] = line.n
                entries[-1]["text"] = join_cut_words(entries[-1]["text"], text)
                entries[-1]["raw"] = join_cut_words(entries[-1]["raw"], raw)
            else:
                self.unresolved("funding line", text, line.n, orientation)
            previous = text
        # a funder standing alone above the lines of its own services is a heading, not a line
        kept = []
        for i, e in enumerate(entries):
            nxt = entries[i + 1] if i + 1 < len(entries) else None
            if not e["text"] and "instrument" not in e and nxt and \
                    "|" not in nxt["funder"] and \
                    (self.part_of(nxt["funder"], e["funder"]) or nxt["funder"] == e["funder"]):
                continue
            kept.append(e)
        split = []
        for e in kept:
            ids = e["funder"].split("|")
            for ident in ids:
                written = e["written"] if len(ids) == 1 else self.orgs.spelling(ident, ident)
                split.append({**e, "funder": ident, "written": written})
        for e in split:
            line_kind = e.get("kind") or kind   # a row's own "Crédits spécifiques" cell, else the heading's
            if e["funder"].startswith(PROPOSED):
                entry = {"line": e["line"], "kind": line_kind, "funder": e["funder"][len(PROPOSED):], "proposed": True}
            elif self.is_local(e["funder"]):   # a name of some territory's body: as written, see participants
                entry = {"line": e["line"], "kind": line_kind, "funder": e["written"] or e["funder"], "proposed": True}
            else:
                entry = {"line": e["line"], "kind": line_kind, "funder": self.orgs.spelling(e["written"], e["funder"])
                         if e["written"] else e["funder"]}
            if e["to"] != e["line"]:
                entry["to"] = e["to"]
            if line_kind == "non-precise":
                entry["heading"] = heading.text.strip()
            stated = amounts_in(e["text"])
            if len(stated) == 1:   # "Etat (BOP 147, 12 000 €)", "CAF – REAAP : 9 000 €"
                entry["amount"] = stated[0][1]
            elif stated:           # several sums on one line: kept as written, not split by guess
                entry["amount_note"] = " ; ".join(w for w, _ in stated)
            text = AMOUNT.sub("", e["text"])
            names, purposes = [], []
            if "instrument" in e:
                names.append(e["instrument"])
                if e["purpose"]:
                    entry["purpose"] = e["purpose"]
            extra_funders = []
            for piece in ([] if "instrument" in e else split_list(text, ",;+:", dashes=True)):
                lead = self.orgs.leading(piece)
                if lead[0] and lead[2] and re.match(r"^[.:]", piece[len(lead[1]):].strip() or "x"):
                    piece = lead[2].strip(" .:")   # "-Etat. Exonération …": the qualifier is not an instrument
                org = self.orgs.exact(piece)
                if org and not self.instruments.exact(piece):   # "Etat : FIPDR, CAF": the CAF funds too
                    if org != e["funder"] and not self.part_of(org, e["funder"]):
                        extra_funders.append((org, self.orgs.spelling(piece, org)))
                    continue
                found, left = self.resolve_instruments(piece)
                names += found
                for x in left:
                    purposes.append(x)
                    self.unresolved("instrument", x, e["line"], orientation)
            proposed = [x for x in purposes if looks_like_instrument(x)]
            if proposed:   # names of schemes the registry does not know: kept as written, to be confirmed
                names += proposed
                entry["proposed_instruments"] = proposed
                purposes = [x for x in purposes if x not in proposed]
            if names:
                entry["instruments"] = list(dict.fromkeys(names))
            if purposes:
                entry["not_resolved"] = purposes
            entry["written"] = e["raw"]   # the line(s) as in the text, for the citation check and readers
            out.append(entry)
            for org, spelling in extra_funders:
                out.append({"line": e["line"], "kind": line_kind, "funder": spelling, "written": entry["written"],
                            **({"proposed": True} if self.is_local(org) else {})})
        return out

    def resolve_instruments(self, piece: str) -> tuple[list[str], list[str]]:
        """The registered instruments a piece names, and what is left unresolved. A list in
        parentheses after a name is a list of instruments when its first item is one ("PDII
        (plateformes mobilités, D2C, …)"), else it is the purpose ("Bop 147 (actions …)")."""
        exact = self.instruments.exact(piece)
        if exact:
            return [self.instruments.spelling(piece, exact)], []
        prefix = self.instruments.prefix(piece)
        if prefix:   # "AAP Plan pauvreté (axe … écologique/ Réduction …)": a registered name, then more
            written = as_written(piece, prefix)
            return [written if normalise(written) in self.instruments.by_key else
                    self.instruments.spelling(prefix, self.instruments.loose[prefix])], []
        m = re.match(r"^(.*?)\s*\((.*)\)\s*$", piece)
        if m:
            head, inner = m.group(1).strip(), m.group(2)
            names, left = self.resolve_instruments(head) if head else ([], [])
            items = split_list(inner, ",;+:", dashes=True)
            if items and (self.instruments.exact(items[0]) or self.instruments.inside(items[0])):
                for item in items:
                    n, l = self.resolve_instruments(item)
                    names, left = names + n, left + l
            if names:
                return names, left
        inside = self.instruments.inside(piece)
        if inside:
            return [as_written(piece, key) for _, _, key in inside], []
        return [], [piece]

    def strip_funder(self, text: str, ident: str) -> str:
        """The line without the funder's own name (when it stands inside, as in "Bop 147 … Préfecture")."""
        for key, i in self.orgs.by_key.items():
            if i == ident and len(key) > 3:
                text = re.sub(r"(?i)(?<![\w])" + re.escape(key) + r"(?![\w])", " ", text)
        return text

    # signatories and indicators -----------------------------------------------------------------------
    def signatories(self) -> list[dict]:
        """The signatories, from the section that names the most of them: the headed section
        ("Les engagements des signataires", "Les signataires", not its line in a table of contents),
        or the signature block ("Fait à …, le …" then "Pour …" lines, in one or two columns)."""
        starts = [i for i, l in enumerate(self.lines) if SIGNATORIES.match(l.key) or re.match(r"^fait a\b", l.key)]
        best: list[dict] = []
        for start in starts:
            found, keep = Found(), self.found
            self.found = found
            try:
                got = self.signatories_from(start)
            finally:
                self.found = keep
            if len(got) > len(best):
                best, best_found = got, found
        if best:
            self.found.counts.update(best_found.counts)
            for u in best_found.unresolved:
                if u not in self.found.unresolved:
                    self.found.unresolved.append(u)
        return best

    def signatories_from(self, start: int) -> list[dict]:
        first_fiche = next((i for i, l in enumerate(self.lines) if i > start and
                            (ORIENT_FICHE.match(l.key) or ANNEX.match(l.key) or axis_heading(l.key)
                             and i + 3 < len(self.lines) and any(ORIENT_FICHE.match(x.key) for x in self.lines[i:i + 3]))),
                           len(self.lines))
        out, current, body = [], None, []

        def close():
            if current is not None:
                current["commitments"] = [{"line": n, "text": t} for n, t in items(body)]
                self.found.counts["commitments"] += len(current["commitments"])

        section = []
        after_pour = False
        for line in self.split_numbered(self.lines[start + 1:first_fiche]):   # two columns: one cell each
            cells = [c for c in re.split(r"\s{3,}", line.text.strip()) if c]
            if re.match(r"^pour\b", line.key):
                section += [Line(line.n, c) for c in cells] if len(cells) > 1 else [line]
                after_pour = True
                continue
            if after_pour and line.text.strip() and (len(cells) > 1 or SIGNER.match(line.key)):
                continue   # under "Pour la CAF,": who signs ("le Président"), not a commitment
            after_pour = after_pour and not line.text.strip() or False
            section.append(line)
        numbered = any((m := SIGNATORY.match(l.text.strip())) and m.group(1) and self.orgs.exact(m.group(2))
                       for l in section)
        for line in section:
            m = SIGNATORY.match(line.text.strip())
            if m and numbered and not m.group(1):
                m = None   # a bullet inside a signatory's commitments
            name = m.group(2).strip(" ,;.") if m else ""
            bare = re.sub(r"^(?:l['’]\s*|la |le |les )", "", name, flags=re.I)   # "la Mission locale …"
            ident = (self.orgs.exact(name) or self.named_body(bare)) if m else None
            if m and not ident and self.generic_with_complement(name):   # "la Mission locale Nord Vienne"
                ident = PROPOSED
            elif m and not ident:
                inside = self.orgs.inside(name)
                ident = inside[0][1] if inside and inside[0][0] == 0 else None
            if ident == PROPOSED:
                close()
                current, body = {"org": bare, "line": line.n,
                                 "section": line.text.strip(), "proposed": True}, []
                self.unresolved("signatory", name, line.n)
                out.append(current)
                self.found.counts["signatories"] += 1
                continue
            if ident:
                close()
                current, body = {"org": self.as_written(name, ident), "line": line.n,
                                 "section": line.text.strip()}, []
                if self.is_local(ident):
                    current.update(org=name, proposed=True)
                out.append(current)
                self.found.counts["signatories"] += 1
            elif m and len(m.group(2)) < 80 and (current is not None or not numbered):
                self.unresolved("signatory", name, line.n)
                close()
                current = None
                if name and re.search(r"[A-ZÀ-Ý]", name) and not SENTENCE.search(name):   # kept as written, proposed
                    current, body = {"org": name, "line": line.n, "section": line.text.strip(), "proposed": True}, []
                    out.append(current)
            elif current is not None:
                body.append(line)
        close()
        return out

    @staticmethod
    def split_numbered(lines: list[Line]) -> list[Line]:
        """A numbered list set in two columns and read across ("1. L'État, représenté par … 7. Le
        Département"): each numbered item on its own line, when the numbers run as a list does."""
        numbers = [int(m.group(1)) for l in lines for m in re.finditer(r"(?:^|\s)(\d{1,2})[.)]\s+[A-ZÀ-Ý]", l.text)]
        if len(numbers) < 4 or sorted(numbers) != list(range(1, len(numbers) + 1)):
            return lines
        out = []
        for l in lines:
            cuts = [m.start(1) for m in re.finditer(r"\s(\d{1,2})[.)]\s+[A-ZÀ-Ý]", l.text)]
            pieces = [l.text[a:b] for a, b in zip([0] + cuts, cuts + [len(l.text)])]
            out += [Line(l.n, p.strip()) for p in pieces if p.strip()]
        return out

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


# --- the sheet -------------------------------------------------------------------------------------------

def guess_generation(lines: list[Line]) -> str:
    head = " ".join(l.key for l in lines[:200])
    return "contrats-de-ville-2015" if "2015" in head and "2030" not in head else "engagements-quartiers-2030"


def ingest(path: Path, contract: str, out: Path | None = None, *, force: bool = False,
           data_dir: Path | None = None, document: str | None = None,
           max_pages: int = MAX_PAGES, amends: str | None = None) -> tuple[Path, Found, dict]:
    """Read the text (or the PDF), write the draft sheet; returns (sheet path, what was found, the
    sheet). The text of a PDF is written beside the draft (`<draft>.txt`): the draft's lines are its
    lines, and each item also cites its page."""
    path = Path(path)
    if slugify(contract) != contract:
        raise UsageError(f"--contract {contract!r}: ids are lower-case words joined by '-'")
    out = Path(out) if out else Path.cwd() / f"{contract}.yaml"
    if out.exists() and not force:
        raise UsageError(f"{out}: exists (use --force to replace it)")
    if out.resolve() == path.resolve():
        raise UsageError(f"{out}: is the text being read")
    pdf = read_pdf(path, max_pages=max_pages) if is_pdf(path) else None
    extracted = out.with_suffix(".txt") if pdf else None
    if extracted is not None and (extracted.resolve() == path.resolve() or extracted.exists() and not force):
        raise UsageError(f"{extracted}: exists (the PDF's text goes there; use --force or another --out)")
    lines = drop_noise(lines_of(pdf.text) if pdf else read_lines(path))
    data = Path(data_dir) if data_dir else resource_dir("data")
    plain = load_registries(data)
    resolver = Resolver(plain.organisations, data)
    regs = with_every_spelling(plain, resolver)
    found = Found()
    ing = Ingester(lines, regs, found, resolver)
    target = amended(data, amends) if amends else None
    place = resolver.place_in_text(lines)
    if target is not None:   # an amendment: its names mean what they mean in the contract it amends
        from .compile import contract_date
        ing.scope = resolver.scope(contract, resolver.place(target, contract_date(target)), contract_date(target))
    elif place:   # names of that territory's bodies ("CCAS", "PMI") then mean them
        ing.scope = resolver.scope(contract, Place({c["code"] for c in place.get("communes", [])},
                                                   {"epci": {place["epci"]["code"]}} if "epci" in place else {},
                                                   None, resolver.ref), None)
    heads = [lines[i] for i in ing.fiche_heads()]
    first_fiche = heads[0].n if heads else 10 ** 9
    listed, axes_proto = ing.protocol(first_fiche)
    if not heads and not listed:
        raise UsageError(f"{path}: no contrat de ville template recognised (no « Orientation n° » list, "
                         "no « ORIENTATION STRATÉGIQUE N° » fiche); nothing written")
    fiches = ing.fiches()
    numbers = {f["number"] for f in fiches} | set(listed)
    doc_id = document or next((i for i, e in regs.documents.entries.items() if e.get("file") == path.name), None)
    if doc_id in regs.documents and regs.documents[doc_id].get("sha256") not in (None, checksum(path.read_bytes())):
        raise UsageError(f"{path}: not the text of document {doc_id!r} (its SHA-256 differs from "
                         "documents.yaml): the draft's line numbers would not be that document's; nothing written")
    sheet: dict = {"id": contract, "document": doc_id or slugify(path.stem)}
    if not doc_id:
        sheet["document_note"] = (f"Le document {path.name} n’est pas dans data/documents.yaml : l’y ajouter "
                                  f"avec l’id « {sheet['document']} » avant `cvgraph build`.")
    def title_like(l: Line) -> bool:
        text = l.text.strip()
        return 10 < len(text) < 100 and not text.endswith((":", ",")) and (
            "contrat de ville" in l.key or "engagements" in l.key or text.upper() == text)
    title_line = next((l for l in lines[:80] if title_like(l)), None) or next((l for l in lines if l.text.strip()), None)
    sheet["title"] = title_line.text.strip()
    sheet["title_note"] = f"Titre repris tel quel de la ligne {title_line.n} ; à relire."
    sheet["generation"] = guess_generation(lines)
    pilot = None
    for l in lines[:120]:
        for _, ident, _ in ing.orgs.inside(l.text):
            if regs.organisations[ident].get("kind") == "local-authority":
                pilot = pilot or (ident, l.n)
    sheet["pilot"] = written_org(regs, pilot[0]) if pilot else None
    sheet["pilot_note"] = (f"Premier nom de collectivité reconnu dans l’en-tête (l. {pilot[1]}) ; à vérifier."
                           if pilot else "Pilote du contrat non reconnu : à renseigner.")
    sheet["territories"] = []
    if place:
        sheet["place"] = place
    sheet["place_note"] = ("Lieu lu dans le texte (communes et EPCI qu’il nomme) : à vérifier ; " if place else "") + ("Lieu du contrat à renseigner avant `cvgraph build` (place: communes, epci, departement, "
                           "region, chacun avec son code et sa ligne) : les noms génériques (« la CAF », « le "
                           "Département », « la commune ») se résolvent dans ce lieu.")
    # axes: from the fiches' "A - title" lines, else from the protocol's "Au titre de « … »"
    axes, axis_of = [], {}
    current = None
    for i, line in enumerate(lines):   # an axis heading covers the fiches that follow it
        axis = axis_heading(line.key)
        if axis and any(ORIENT_FICHE.match(l.key) for l in lines[i + 1:i + 4]):
            letter, title = axis
            if letter not in [a["id"] for a in axes]:
                axes.append({"id": letter, "letter": letter.upper(), "line": line.n,
                             "title": rest_after(line, title)})
            current = letter
        if current and ORIENT_FICHE.match(line.key):
            axis_of[ing.fiche_number(line)] = current
    if not axes and axes_proto:
        for i, a in enumerate(axes_proto):
            axes.append({"id": "abcdefgh"[i], "line": a["line"], "title": a["title"]})
        for n, o in listed.items():
            if o["axis"] is not None:
                axis_of[n] = "abcdefgh"[o["axis"]]
    if len(axes_proto) == len(axes):   # the protocol's axes, in the same order as the fiches'
        for a, p in zip(axes, axes_proto):
            if "protocol_line" not in a and p["line"] != a["line"]:
                a["protocol_line"] = p["line"]
                if p["title"] != a["title"]:
                    a["protocol_title"] = p["title"]
    if axes:
        sheet["axes"] = axes
    orientations = []
    by_number = {f["number"]: f for f in fiches}
    for n in sorted(numbers):
        f = by_number[n] if n in by_number else {"number": n, "line": listed[n]["line"], "title": listed[n]["title"],
                                                 "missing_sections": ["fiche"]}
        title = f["title"]
        if n in listed and (not title or (title.upper() == title and key_of(title) == key_of(listed[n]["title"]))):
            title = listed[n]["title"]   # empty or in capitals in the fiche: the protocol's wording
        if not title:
            title = f"Orientation {n}"
            found.unreadable.append(f"orientation {n}: no title (l. {f['line']})")
        o = {"number": n, **({"axis": axis_of[n]} if n in axis_of else {}), "line": f["line"], "title": title}
        if n in by_number and not any(k in f for k in ("pilots", "services", "funding", "objectives", "actions")) \
                and "missing_sections" in f and len(f["missing_sections"]) == 3:
            found.unreadable.append(f"orientation {n}: fiche at l. {f['line']} has no section that could be read")
            o["flag"] = "Fiche sans rubrique lisible dans le texte."
        if n in listed:
            o["protocol_line"] = listed[n]["line"]
            if listed[n]["title"] != title:
                o["protocol_title"] = listed[n]["title"]
        for key in ("pilots", "services", "funding", "objectives", "actions", "data_written", "missing_sections"):
            if key in f:
                o[key] = f[key]
        if n not in by_number:
            found.unreadable.append(f"orientation {n}: listed in the protocol (l. {listed[n]['line']}), no fiche found")
            found.counts["orientations"] += 1
        orientations.append(o)
    if not axes:
        sheet["axes_note"] = "Le texte ne rattache les orientations à aucun axe."
    sheet["orientations"] = orientations
    signatories = ing.signatories()
    if signatories:
        sheet["signatories"] = signatories
    indicators = ing.indicators(numbers)
    if indicators:
        sheet["indicators"] = indicators
    near = [{"written": w, "registered": r} for w, r in dict.fromkeys(ing.orgs.fuzzy + ing.instruments.fuzzy)]
    if near:   # accepted near matches (typos of the text), to be checked by the reader
        sheet["near_matches"] = near
        found.near = near
    if found.unresolved:
        sheet["unresolved"] = found.unresolved
    if pdf:
        cite_pages(sheet, pdf.text)
        found.unreadable += pdf.flags
        sheet["source_pdf"] = {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                               "pages": pdf.pages, "text": extracted.name, "text_sha256": checksum(pdf.text.encode()),
                               "extracted_by": f"pdfplumber {pdfplumber_version()}"}
    if target is not None:
        sheet = as_amendment(sheet, target, found)
    found.review = rate(sheet)
    text = ("# Draft sheet written by `cvgraph ingest` from " + path.name + ": every item carries the line it\n"
            "# came from. Read it against the text before use; names the registries do not know are listed\n"
            "# under `unresolved` (add them to data/organisations.yaml or data/instruments.yaml).\n"
            + yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False, width=110))
    from .output import write_file_atomically
    if pdf:
        write_file_atomically(extracted, pdf.text.encode("utf-8"))
    write_file_atomically(out, text.encode("utf-8"))
    return out, found, sheet


def ingest_into(path: Path, contract: str, data_dir: Path, *, document: str | None = None,
                max_pages: int = MAX_PAGES, amends: str | None = None) -> tuple[Path, Found, dict]:
    """`cvgraph ingest FILE --contract ID --into DATA`: the draft becomes DATA/contracts/ID.yaml, the
    text (and the PDF) go into DATA/sources/, and the document is registered in DATA/documents.yaml
    (file name, SHA-256, rights to be stated), so that `cvgraph build --data DATA` takes the draft
    as it is: generic names resolve in its place once a person adds it, unknown names are bodies
    proposed for the contract. Everything is checked before anything is written, and what was
    written is taken back if a later step fails."""
    import tempfile

    from .output import write_file_atomically

    path, data = Path(path), Path(data_dir)
    if slugify(contract) != contract:
        raise UsageError(f"contract id {contract!r}: ids are lower-case words joined by '-' (no path, no space)")
    if not ((data / "documents.yaml").is_file() and (data / "organisations.yaml").is_file()
            and (data / "contracts").is_dir()):
        raise UsageError(f"{data}: not a data folder (documents.yaml, organisations.yaml and contracts/ expected)")
    sheet_path = data / "contracts" / f"{contract}.yaml"
    if sheet_path.exists():
        raise UsageError(f"contract id {contract!r} is already used ({sheet_path}); nothing written")
    regs = load_registries(data)
    raw = path.read_bytes() if path.is_file() else b""
    pdf = is_pdf(path)
    doc_id = document or slugify(path.stem)
    sources = data / "sources"
    text_name = f"{doc_id}.txt"
    if doc_id in regs.documents:
        raise UsageError(f"document id {doc_id!r} is already registered in {data / 'documents.yaml'} "
                         "(give another with --document); nothing written")
    for name in (text_name, f"{doc_id}.pdf"):
        if (sources / name).exists():
            raise UsageError(f"{sources / name}: exists; nothing written")
    with tempfile.TemporaryDirectory() as tmp:
        draft = Path(tmp) / f"{contract}.yaml"
        draft_path, found, sheet = ingest(path, contract, draft, data_dir=data, max_pages=max_pages, amends=amends)
        text = draft.with_suffix(".txt").read_bytes() if pdf else raw
        sheet["document"] = doc_id
        sheet.pop("document_note", None)
        title = sheet.get("title", path.stem)
        entry = yaml.safe_dump([{
            "id": doc_id, "file": text_name, "sha256": checksum(text), "title": title, "kind": "contract-text",
            **({"pdf": {"file": f"{doc_id}.pdf", "sha256": hashlib.sha256(raw).hexdigest()}} if pdf else {}),
            "rights": {"republish": False, "statement": "Droits du texte à préciser avant toute republication."},
        }], allow_unicode=True, sort_keys=False, width=110)
        entry = "".join("  " + line + "\n" for line in entry.splitlines())
        written: list[tuple[Path, bytes | None]] = []   # (path, its bytes before), to take back
        try:
            sources.mkdir(exist_ok=True)
            for target, data_bytes in ((sources / text_name, text),
                                       *(((sources / f"{doc_id}.pdf", raw),) if pdf else ())):
                written.append((target, None))
                write_file_atomically(target, data_bytes)
            docs = data / "documents.yaml"
            before = docs.read_bytes()
            written.append((docs, before))
            write_file_atomically(docs, before.rstrip(b"\n") + b"\n" + entry.encode("utf-8"))
            body = yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False, width=110)
            header = "".join(line + "\n" for line in draft.read_text(encoding="utf-8").splitlines()
                             if line.startswith("#"))
            bodies = local_bodies(sheet, draft, regs, data, doc_id)
            if bodies:   # the local bodies no registry knew, in the registry of the data folder, proposed
                orgs = data / "organisations.yaml"
                before = orgs.read_bytes()
                written.append((orgs, before))
                block = yaml.safe_dump(bodies, allow_unicode=True, sort_keys=False, width=110)
                block = f"  # --- proposed by `cvgraph ingest` from {doc_id} (à valider) ---\n" + \
                    "".join("  " + line + "\n" for line in block.splitlines())
                write_file_atomically(orgs, before.rstrip(b"\n") + b"\n" + block.encode("utf-8"))
            written.append((sheet_path, None))
            write_file_atomically(sheet_path, (header + body).encode("utf-8"))
        except BaseException:
            for target, old in reversed(written):
                if old is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(old)
            raise
    return sheet_path, found, sheet


def local_bodies(sheet: dict, draft: Path, regs: Registries, data: Path, doc_id: str) -> list[dict]:
    """The names a draft proposes (`proposed: true`: a centre social, an association, a bailleur
    no registry knows) as entries of the data folder's registry of organisations: bodies of the
    contract's territory (its one commune, else its EPCI), named there only (`local_names`), flagged
    `proposed` until a person confirms them, so that a second contract of that territory naming
    them gets the same body. Nothing is proposed for a draft whose place the text does not give."""
    place = sheet.get("place") or {}
    communes = [c.get("code") for c in place.get("communes", []) if isinstance(c, dict)]
    epci = place.get("epci", {}).get("code") if isinstance(place.get("epci"), dict) else None
    territory = {"commune": communes[0]} if len(communes) == 1 else {"epci": epci} if epci else None
    if territory is None:
        return []
    resolver = Resolver(regs.organisations, data)
    from .sheets import Node, read_yaml
    node = read_yaml(draft)   # the draft as written, whose place the resolver reads with its lines
    scope = resolver.scope(sheet["id"], resolver.place(node, None), None)
    code = next(iter(territory.values()))
    names: dict[str, tuple[str, int]] = {}

    def add(name, line):
        if isinstance(name, str) and name.strip() and normalise(name) not in {normalise(n) for n, _ in names.values()}:
            names[name.strip()] = (name.strip(), line)

    for o in sheet.get("orientations", []):
        for key in ("pilots", "services"):
            for p in o.get(key, []):
                if p.get("proposed"):
                    add(p.get("name"), p.get("line"))
        for f in o.get("funding", []):
            if f.get("proposed"):
                add(f.get("funder"), f.get("line"))
    for sg in sheet.get("signatories", []):
        if sg.get("proposed"):
            add(sg.get("org"), sg.get("line"))
    out, taken, labels = [], set(regs.organisations.entries), set()
    for name, line in names.values():
        probe = Node({"name": name})
        probe.key_lines, probe.file, probe.line = {}, str(draft), line
        try:
            scope.resolve(name, probe, "name")
            continue   # the registry or the reference names it already, in this place
        except SourceError:
            pass
        if normalise(name) in resolver.generic:
            continue   # "la Mission locale": the kind's body, not a body of its own
        ident = f"{slugify(name)[:50].rstrip('-')}-{code.lower()}"
        label = name
        if normalise(label) in regs.organisations._by_name or normalise(label) in labels:
            # another territory's body has that name ("Cap emploi" of the Gironde): the label says where
            area = resolver.ref.area(*next(iter(territory.items())))
            label = f"{name} ({area.name if area else code})"
        if ident in taken or normalise(label) in regs.organisations._by_name or normalise(label) in labels:
            continue
        taken.add(ident)
        labels.add(normalise(label))
        out.append({"id": ident, "label": label, "kind": "unresolved", "local_names": [name], "territory": dict(territory),
                    "proposed": True, "source": {"document": doc_id, "line": line},
                    "note": "Nom que le registre ne connaissait pas, repris tel qu’écrit par cvgraph ingest : "
                            "organisme proposé, à valider (nature, nom exact, territoire)."})
    return out


# --- amendments ---------------------------------------------------------------------------------------

def amended(data: Path, amends: str):
    """The sheet of the contract an amendment amends (`--amends ID`), read from the data folder."""
    from .sheets import Node, read_yaml
    path = Path(data) / "contracts" / f"{amends}.yaml"
    if slugify(amends) != amends or not path.is_file():
        raise UsageError(f"--amends {amends!r}: no such contract in {Path(data) / 'contracts'}; nothing written")
    root = read_yaml(path)
    if not isinstance(root, Node) or "amends" in root:
        raise UsageError(f"--amends {amends!r}: {path} is not a contract an amendment can amend; nothing written")
    return root


def as_amendment(sheet: dict, target, found: Found) -> dict:
    """A draft read from an amendment (avenant) as a revision of the contract it amends: `amends`,
    its document, title and dates, and for each orientation of that contract it names (by number)
    what it adds (pilots, services, funding, objectives, actions); an orientation the contract does
    not have is left out and reported."""
    numbers = {o.get("number") for o in target.get("orientations", []) if isinstance(o, dict)}
    out = {"id": sheet["id"], "amends": target["id"], "document": sheet["document"],
           "title": sheet.get("title", f"Avenant au contrat {target['id']}")}
    for key in ("document_note", "title_note", "signature"):
        if key in sheet:
            out[key] = sheet[key]
    out["orientations"] = []
    for o in sheet.get("orientations", []):
        added = {k: o[k] for k in ("pilots", "services", "funding", "objectives", "actions") if o.get(k)}
        if o["number"] not in numbers:
            found.unreadable.append(f"orientation {o['number']} (l. {o['line']}): not an orientation of "
                                    f"{target['id']}; left out of the amendment")
        elif added:
            out["orientations"].append({"number": o["number"], "line": o["line"], **added})
    if sheet.get("signatories"):
        out["signatories"] = [{k: v for k, v in sg.items() if k != "commitments"} for sg in sheet["signatories"]]
    return out


# --- confidence and the review list -----------------------------------------------------------------

def rate(sheet: dict) -> list[dict]:
    """Give every pilot, service, funding line and signatory of a draft a confidence, with the reason
    when it is not high, and return the list a person must check (low-confidence items first, then
    medium ones, then the sections and places the text leaves unclear), each with page and line.

    - low: a name no registry or reference knows (kept as written, proposed), a funding line with
      pieces read as neither an instrument nor a funder, or naming a scheme no registry knows;
    - medium: an organisation found inside a longer phrase, an item joined across lines, a generic
      name ("la CAF") that the contract's place must resolve;
    - high: a whole item whose names the registries or the reference resolve.
    The build marks low-confidence items "à valider" (cv:toValidate) until a person confirms them
    (removes `confidence` from the sheet)."""
    review = []

    def mark(item: dict, what: str, where: str, level: str, why: str) -> None:
        item["confidence"] = level
        if level != "high":
            item["confidence_note"] = why
            review.append({"level": level, "what": what, "where": where, "page": item.get("page"),
                           "line": item.get("line"), "why": why})

    for o in sheet.get("orientations", []):
        where = f"O{o.get('number')}"
        for key in ("pilots", "services"):
            for p in o.get(key, []):
                what = f"{key[:-1]} {p.get('name') or ', '.join(p.get('orgs', []))}"
                if p.get("proposed"):
                    mark(p, what, where, "low", "Nom inconnu des registres, repris tel qu’écrit.")
                elif "orgs" in p:
                    mark(p, what, where, "medium", f"Organisme(s) trouvé(s) dans la phrase « {p.get('written', '')[:80]} ».")
                else:
                    mark(p, what, where, "high", "")
        for f in o.get("funding", []):
            what = f"funding {f.get('funder')} ({', '.join(f.get('instruments', [])) or 'sans dispositif'})"
            if f.get("proposed"):
                mark(f, what, where, "low", "Financeur inconnu des registres, repris tel qu’écrit.")
            elif f.get("proposed_instruments"):
                mark(f, what, where, "low", "Dispositif inconnu des registres : " + ", ".join(f["proposed_instruments"]) + ".")
            elif f.get("not_resolved"):
                mark(f, what, where, "low", "Partie de la ligne lue ni comme financeur ni comme dispositif : "
                     + "; ".join(f["not_resolved"])[:120] + ".")
            elif f.get("to") and f["to"] != f.get("line"):
                mark(f, what, where, "medium", f"Ligne jointe sur les lignes {f['line']}-{f['to']}.")
            else:
                mark(f, what, where, "high", "")
    for sg in sheet.get("signatories", []):
        what = f"signatory {sg.get('org')}"
        if sg.get("proposed"):
            mark(sg, what, "signataires", "low", "Signataire inconnu des registres, repris tel qu’écrit.")
        else:
            mark(sg, what, "signataires", "high", "")
    review.sort(key=lambda r: (r["level"] != "low", r["line"] or 0))
    for o in sheet.get("orientations", []):
        if o.get("missing_sections"):
            review.append({"level": "section", "what": f"fiche O{o.get('number')}", "where": f"O{o.get('number')}",
                           "page": o.get("page"), "line": o.get("line"),
                           "why": "Sections absentes : " + ", ".join(o["missing_sections"]) + "."})
    for key in ("place_note", "axes_note"):
        if sheet.get(key):
            review.append({"level": "section", "what": key.replace("_note", ""), "where": "contrat", "page": None,
                           "line": None, "why": sheet[key]})
    return review


def cite_pages(node, text: str) -> None:
    """Give every item of a draft with a `line` the page of that line (a PDF's text)."""
    starts, page = {}, 1
    for n, raw in enumerate(text.split("\n"), start=1):
        page += raw.count("\f")
        starts[n] = page

    def walk(x):
        if isinstance(x, dict):
            if isinstance(x.get("line"), int) and x["line"] in starts:
                x["page"] = starts[x["line"]]
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(node)


BREAK = "\u2029"   # between the lines of two headings of the same section: never joined
PROPOSED = "proposed-body:"       # a funder no registry knows, kept as written (reader only)
KIND_PREFIX = "kind-of-body:"   # the pseudo-entries of generic names, in the reader's registry only


def with_every_spelling(regs: Registries, resolver: Resolver) -> Registries:
    """The registries as the reader of a text needs them: the organisations registry also knows the
    local names of every territory and the generic names of kinds of bodies ("la CAF"), so that it
    recognises them in the text. The draft writes them as written; `cvgraph build` resolves them
    inside the contract's territory (`resolve`)."""
    import copy
    from dataclasses import replace

    from .sheets import Node

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


AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(\d{1,2}))?\s*(k€|[mM]€|€|euros?\b)")


def amounts_in(text: str) -> list[tuple[str, int | float]]:
    """The sums of money a text states, as written and as numbers: "12 000 €" 12000, "1,5 M€"
    1500000, "15 k€" 15000, "7 500,50 €" 7500.5."""
    out = []
    for m in AMOUNT.finditer(text):
        whole = int(re.sub(r"\D", "", m.group(1)))
        value = whole + (int(m.group(2)) / 10 ** len(m.group(2)) if m.group(2) else 0)
        value *= {"k€": 1000, "m€": 1_000_000, "M€": 1_000_000}.get(m.group(3), 1)
        out.append((m.group(0), int(value) if value == int(value) else value))
    return out


def expand_inline_funders(lines: list[Line], is_funder=lambda text: True) -> list[Line]:
    """"Financeurs : Etat (BOP 147, 12 000 €), Ville (droit commun), CAF (CLAS)": one funding line per
    funder ("• Etat : BOP 147"), amounts and "droit commun" set aside; such a list cut across lines
    is joined first. Other lines are returned as they are."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text.strip()
        pieces = split_list(text, ",;")
        first = re.match(r"^(.+?)\s*\(", pieces[0]) if pieces else None
        shaped = sum(bool(re.match(r"^[A-ZÀ-Ý][^():;]{0,60}\([^()]*\)$", p)) for p in pieces)
        if len(pieces) < 2 or BULLET.match(text) or re.match(r"^.{1,60}?\s:\s", text) or not first \
                or not (is_funder(first.group(1)) or shaped >= 2):
            # the list starts with a funder and its parentheses, or is a list of "Name (…)"
            out.append(line)
            i += 1
            continue
        while i + 1 < len(lines) and lines[i + 1].text.strip() and (
                text.count("(") > text.count(")") or re.search(r"(?:,|\s(?:de|du|des|de la|d['’]))\s*$", text)
                or lines[i + 1].text.strip().startswith("(")):
            i += 1
            text = join_cut_words(text, lines[i].text)
        for p in split_list(text, ",;"):
            m = re.match(r"^(.+?)\s*\((.*)\)\s*$", p)
            if not m:
                out.append(Line(line.n, "• " + p))
                continue
            inner = [x for x in split_list(m.group(2), ",;")
                     if key_of(x) not in ("droit commun", "credits specifiques")]
            out.append(Line(line.n, "• " + (f"{m.group(1)} : {', '.join(inner)}" if inner else m.group(1))))
        i += 1
    return out


TABLE_HEADER = re.compile(r"^(?:financeurs?|partenaires?(?: financeurs?)?|organismes?|structures?|acteurs?)\b.*"
                          r"\b(?:dispositifs?|instruments?|natures?|montants?|types?|credits?|financements?|objets?)\b")
# a cell that states the kind of a row's funding: "Droit commun", "Crédits spécifiques", "Politique de la ville"
KIND_CELL = [("droit-commun", re.compile(r"^(?:credits? |financements? )?(?:de |du )?droit commun$")),
             ("specifique", re.compile(r"^(?:credits? |financements? )?(?:specifiques?(?: pv| politique de la ville)?"
                                       r"|(?:de la )?politique de la ville|pv)$"))]


def table_cells(text: str) -> list[str] | None:
    """The cells of a table row (separated by " | " or by three spaces or more), or None."""
    piped = " | " in text or text.strip().startswith("| ")
    cells = [c.strip() for c in (text.strip().strip("|").split(" | ") if piped else re.split(r"\s{3,}", text))]
    cells = [c for c in cells if c and c not in ("—", "-", "–")]
    return cells if len(cells) >= 2 or (piped and cells) else None


def row_kind(text: str) -> str | None:
    """The kind of funding a row's own cell states ("État | BOP 147 | Crédits spécifiques | 30 000 €")."""
    for cell in (table_cells(text) or [])[1:]:
        for kind, rx in KIND_CELL:
            if rx.match(key_of(cell)):
                return kind
    return None


def table_row(text: str) -> str | None:
    """A row of a funding table as a funding line: "Région   FEDER ; FSE+   subvention" or "Région |
    FEDER ; FSE+ | subvention" -> "Région : FEDER ; FSE+"; "" for a header row; None when the text
    is not a table row. A cell stating the kind (see `row_kind`) is no instrument, nor is a third
    cell ("Nature": subvention, prêt…); a sum of money is kept after the instrument."""
    cells = table_cells(text)
    if cells is None:
        return None
    if TABLE_HEADER.match(key_of(" ".join(cells))):
        return ""
    kinds = [c for c in cells[1:] if any(rx.match(key_of(c)) for _, rx in KIND_CELL)]
    sums = [c for c in cells[1:] if AMOUNT.search(c) and c not in kinds]
    rest = [c for c in cells[1:] if c not in kinds and c not in sums]
    out = cells[0] if not rest else f"{cells[0]} : {rest[0]}"
    return f"{out}, {sums[0]}" if len(sums) == 1 else out


def looks_like_name(text: str) -> bool:
    """A piece that names a body ("Association Les Amis", "BGE Isère"), not a phrase ("les services
    développement économique", "emploi de La Cali"): short, no verb, its first word after an article
    capitalised."""
    if len(text) > 80 or SENTENCE.search(text):
        return False
    words = re.sub(r"^(?:les?|la|l['’]|des?|du)\s+", "", text.strip(), flags=re.I).split()
    return bool(words) and (words[0][:1].isupper() or words[0][:1].isdigit() or bool(BODY_NOUN.match(key_of(text))))


# the common nouns that name bodies ("centre socioculturel d'Ozon", "collège George-Sand",
# "associations d'éducation populaire", "amicale des locataires"), in key form
BODY_NOUN = re.compile(r"^(?:(?:les?|la|l'|des?|du)\s*)?(?:centres?|associations?|colleges?|lycees?|ecoles?|groupes? scolaires?"
                       r"|amicales?|entreprises?|maisons?|foyers?|clubs?|comites?|syndicats?|bailleurs?|offices?"
                       r"|agences?|fondations?|federations?|etablissements?|universites?|hopital|hopitaux|cliniques?"
                       r"|creches?|mediatheques?|bibliotheques?|cooperatives?|regies?|collectifs?|unions?|caisses?"
                       r"|chambres?|instituts?|compagnies?|services? (?:de|du|des|municipaux|departementaux)"
                       r"|structures?|equipes?|residences?|societes?|groupements?|reseaux?)\b")


def looks_like_instrument(text: str) -> bool:
    """A piece of a funding line the registry does not know, short enough and worded like a scheme
    ("contrat enfance jeunesse", "OPAH-RU", "Fonds de solidarité logement"), rather than a purpose."""
    words = text.split()
    if not 1 <= len(words) <= 7 or SENTENCE.search(text):
        return False
    key = key_of(text)
    return bool(SCHEME_WORDS.search(key)) or bool(re.fullmatch(r"[A-Z0-9][A-Z0-9\-+/ ]{1,12}", text.strip()))


def written_org(regs: Registries, ident: str) -> str:
    """How a draft refers to an organisation in an `orgs` list: its id, or for a generic name the
    name itself (resolved by the build inside the contract's territory)."""
    return regs.organisations[ident]["label"] if ident.startswith(KIND_PREFIX) else ident


# --- comparing a draft with a curated sheet --------------------------------------------------------

def sheet_items(path: Path, regs: Registries, scope=None) -> dict[str, set]:
    """The items compared: orientations (number, title), pilots and services (orientation, org id),
    funding lines (orientation, funder id, instrument id or ''). A sheet of the wrong shape (a
    draft edited by hand) is a SourceError naming file, line and field."""
    from .sheets import Node, mappings, optional, read_yaml

    root = read_yaml(Path(path))
    if not isinstance(root, Node):
        raise SourceError("a sheet must be a mapping", file=path, line=1)
    out = {"orientations": set(), "pilots": set(), "services": set(), "funding lines": set(),
           "funding kinds": set(), "signatories": set()}

    def texts(node: Node, key: str) -> list[str]:
        values = optional(node, key, list, [])
        if not all(isinstance(v, str) for v in values):
            raise node.error("every item must be text", key)
        return values

    def org(node: Node, key: str, name: str | None = None) -> str:
        name = optional(node, key, str, "") if name is None else name
        try:
            return scope.resolve(name, node, key) if scope else regs.organisations.resolve(name, node, key)
        except SourceError:
            return "?" + normalise(name)

    def inst(node: Node, name: str) -> str:
        try:
            return regs.instruments.resolve(name, node, "instruments")
        except SourceError:
            return "?" + normalise(name)

    own = root.get("document")

    def elsewhere(node: Node) -> bool:
        """An item a curated sheet takes from another document than its text: no reader of this
        text can find it, so it is not compared."""
        return isinstance(node.get("document"), str) and node["document"] != own

    for o in mappings(root, "orientations"):
        n = optional(o, "number", int)
        out["orientations"].add((n, key_of(optional(o, "title", str, "")).rstrip(" .")))
        for key in ("pilots", "services"):
            for p in mappings(o, key):
                if elsewhere(p):
                    continue
                ids = [org(p, "orgs", x) for x in texts(p, "orgs")] or [org(p, "name")]
                out[key] |= {(n, i) for i in ids}
        for f in mappings(o, "funding"):
            if elsewhere(f):
                continue
            funder = org(f, "funder")
            out["funding lines"] |= {(n, funder, inst(f, x)) for x in texts(f, "instruments")} or {(n, funder, "")}
            out["funding kinds"].add((n, optional(f, "kind", str, ""), funder))
    for sg in mappings(root, "signatories"):
        if not elsewhere(sg):
            out["signatories"].add(org(sg, "org"))
    return out


def curated_scope(curated: Path, regs: Registries, data: Path):
    """Name resolution in the curated sheet's territory and date: both sheets describe that
    contract, so the draft's generic names are resolved where the curated sheet says it is."""
    from .compile import contract_date
    from .sheets import Node, read_yaml

    root = read_yaml(Path(curated))
    if not isinstance(root, Node):
        raise SourceError("a sheet must be a mapping", file=curated, line=1)
    resolver = Resolver(regs.organisations, data)
    date = contract_date(root)
    return resolver.scope(str(root.get("id", "draft")), resolver.place(root, date), date)


def compare(draft: Path, curated: Path, data_dir: Path | None = None) -> dict[str, dict]:
    data = Path(data_dir) if data_dir else resource_dir("data")
    regs = load_registries(data)
    scope = curated_scope(curated, regs, data)
    a, b = sheet_items(draft, regs, scope), sheet_items(curated, regs, scope)
    scores = {}
    for key in a:
        hit = len(a[key] & b[key])
        scores[key] = {"draft": len(a[key]), "curated": len(b[key]), "matched": hit,
                       "precision": hit / len(a[key]) if a[key] else 1.0,
                       "recall": hit / len(b[key]) if b[key] else 1.0,
                       "missed": sorted(map(str, b[key] - a[key])), "extra": sorted(map(str, a[key] - b[key]))}
    return scores
