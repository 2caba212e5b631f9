"""A text's glossary of acronyms ("GLOSSAIRE DES SIGLES", "Liste des abréviations"): "CD51 :
Conseil départemental de la Marne (Département)", "CU, CUGR : Communauté urbaine du Grand Reims".
An acronym the registries do not know means, in this text, the body its expansion names, when
that expansion is a body the reader finds (in the contract's territory): the reader then reads
"Pilote(s) : CD51" as that body, and the draft lists what it learnt (`glossary`, with lines)."""

from __future__ import annotations

import re

from ...names import normalise
from ..naming import KIND_PREFIX
from ..reading import Line
from .base import ReaderBase

# the heading of a glossary, in key form
HEADING = re.compile(r"^(?:glossaire(?: des (?:sigles|acronymes|abreviations))?|(?:liste|table|index) des (?:sigles|acronymes|abreviations)"
                     r"|sigles(?: et (?:acronymes|abreviations))?(?: utilises)?|abreviations|acronymes|lexique(?: des sigles)?)\s*:?$")
# one entry: "CD51 : Conseil départemental de la Marne", "CU, CUGR : …", "BdT – Banque des Territoires"
ENTRY = re.compile(r"^\s*(?:[-•*]\s*)?(?P<acr>[A-Za-z0-9][\w&'’+.-]{0,14}(?:\s*[,/]\s*[A-Za-z0-9][\w&'’+.-]{0,14})*)"
                   r"\s*(?::|\s[–—-]\s|\s=\s|\t|\s{3,})\s*(?P<exp>\S.{2,160})$")


def acronym(word: str) -> bool:
    """"CD51", "BdT", "VdR", "DDETS": two capitals or more, or a capital and a digit; not a word."""
    return len(re.findall(r"[A-ZÀ-Ý]", word)) >= 2 or bool(re.search(r"[A-Z]", word) and re.search(r"\d", word))


class Glossary(ReaderBase):
    """Learning a text's acronyms (a part of `Reader`)."""

    def learn_glossary(self) -> list[dict]:
        """Read the text's glossary (the lines under its heading, up to the first line that is no
        entry after a blank one) and teach the reader the acronyms it does not know whose expansion
        is a body it finds; what was learnt, for the draft: [{acronym, name, line}]."""
        learnt: list[dict] = []
        for i, line in enumerate(self.lines):
            if not HEADING.match(line.key):
                continue
            blank = False
            for entry in self.lines[i + 1:]:
                if not entry.text.strip():
                    blank = True
                    continue
                m = ENTRY.match(entry.text)
                if not m:
                    if blank:
                        break
                    continue
                blank = False
                learnt += self._learn(entry, m.group("acr"), m.group("exp"))
        return learnt

    def _learn(self, entry: Line, acronyms: str, expansion: str) -> list[dict]:
        words = [a.strip() for a in re.split(r"\s*[,/]\s*", acronyms) if a.strip()]
        if not words or not all(acronym(a) for a in words):
            return []
        name = expansion.strip(" .;")
        bare = re.sub(r"\s*\([^()]*\)\s*$", "", name).strip()
        ident = self.orgs.exact(name) or self.orgs.exact(bare)
        if not ident or self.is_local(ident) or ident.startswith(KIND_PREFIX):   # (not "CC : conseil citoyen", a kind)
            return []
        out = []
        for word in words:
            if self.orgs.exact(word):   # a name the registries (or the territory) already give
                continue
            self.orgs.glossed[normalise(word)] = ident
            out.append({"acronym": word, "name": bare, "line": entry.n})
        return out
