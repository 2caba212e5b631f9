"""The instruments a funding line names: registered names whole, inside a phrase or before a
qualifier, lists in parentheses, names kept as written; and the credits of the politique de la
ville a line draws on."""

from __future__ import annotations

import re

from ...names import normalise

from ..naming import as_written, looks_like_instrument, split_list
from .base import ReaderBase


def is_acronym_of(short: str, name: str) -> bool:
    """"PRE" of "Programme de réussite éducative", "FSL" of "fonds de solidarité pour le logement"."""
    short = short.strip()
    if not re.fullmatch(r"[A-ZÀ-Ý]{2,8}\+?", short):
        return False
    words = [w for w in re.split(r"[\s’'-]+", normalise(name)) if w and w not in _SMALL_WORDS]
    initials = "".join(w[0] for w in words).upper()
    return initials.startswith(short.rstrip("+")) or short.rstrip("+") in initials


_SMALL_WORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "pour", "et", "a", "au", "aux", "en", "sur", "par"}


class Instruments(ReaderBase):
    """Reading the instruments of funding lines (a part of `Reader`, under `Funding`)."""

    def credits_named(self, raw: str) -> str | None:
        """The credits of the politique de la ville a funding line names in parentheses after its
        funder ("État (BOP 147) : …", "Etat (programme 147) – …"), as written; else None."""
        m = re.match(r"^\s*(?:[•\-–—]\s*)?[A-ZÀ-Ý][^:()]{0,80}?\(\s*([^(),:;]{2,40}?)\s*\)\s*(?::|[–—-]\s|$)", raw)
        if not m:
            return None
        if not hasattr(self, "_specific"):
            from ...compile import specific_credits
            self._specific = specific_credits(self.regs)
        ident = self.instruments.exact(m.group(1))
        return f"{raw[:m.end(1)].lstrip(' •-–—').strip()})" if ident in self._specific else None

    def resolve_instruments(self, piece: str) -> tuple[list[str], list[str]]:
        """The registered instruments a piece names, and what is left unresolved. A list in
        parentheses after a name is a list of instruments when its first item is one ("PDII
        (plateformes mobilités, D2C, …)"), else it is the purpose ("Bop 147 (actions …)")."""
        if re.fullmatch(r"\s*\([^()]+\)\s*", piece):   # "(BOP 147)", "(animation de la vie sociale)" alone: what it holds
            found = [self.resolve_instruments(item) for item in split_list(piece.strip()[1:-1], ",;+")]
            return [n for f, _ in found for n in f], [x for _, l in found for x in l]
        exact = self.instruments.exact(piece)
        if exact:
            return [self.instruments.spelling(piece, exact)], []
        if re.search(r"\w\+$", piece.strip()) or re.fullmatch(r"[A-Z0-9]{2,}(?:-[A-Za-z0-9]+)+", piece.strip()):
            return [], [piece.strip()]   # "FSE+" is not the FSE, nor "OPAH-RU" the OPAH: kept as written, to be confirmed
        prefix = self.instruments.prefix(piece)
        if prefix:   # "AAP Plan pauvreté (axe … écologique/ Réduction …)": a registered name, then more
            written = as_written(piece, prefix)
            return [written if normalise(written) in self.instruments.by_key else
                    self.instruments.spelling(prefix, self.instruments.loose[prefix])], []
        m = re.match(r"^(.*?)\s*\((.*)\)\s*$", piece)
        if m:
            head, inner = m.group(1).strip(), m.group(2)
            names, left = self.resolve_instruments(head) if head else ([], [])
            if left == [head] and re.match(r"^[a-zà-ÿ]", inner.strip()) and looks_like_instrument(head):
                return [], [head]   # "NPNRU (convention des Hauts-de-Razimont)": the scheme, then what it is for
            if is_acronym_of(inner, head):   # "Programme de réussite éducative (PRE)": one instrument
                ident = self.instruments.exact(inner)
                if ident:
                    return [self.instruments.spelling(inner, ident)], []
                if names and not left:
                    return names, []
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
