"""The funders of funding lines: who a line names first, as written or as the reference knows
it ("Région Languedoc-Roussillon : …", "DRETS/DRAC", "Toulon Habitat Méditerranée et Var Habitat"),
and names cut across the rows of a table."""

from __future__ import annotations

import re

from ..naming import KIND_PREFIX, PROPOSED, looks_like_name
from ..prose_names import names_and
from ..reading import join_cut_words
from ..sections import CONNECTOR
from .base import ReaderBase


class Funders(ReaderBase):
    """Reading the funder a funding line names (a part of `Reader`, under `Funding`)."""

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
                if inner and re.fullmatch(r"\([^()]+\)", inner.group(1).strip()) and self.org_list(inner.group(1)):
                    # "État (ANCT) : programme de réussite éducative": the body, its agency or service
                    # in parentheses a qualifier
                    return "|".join(ids), f"{m.group(1).strip()} {inner.group(1).strip()}", inner.group(2).strip()
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
        # "la Ville de Toulon et l'État (quartiers d'été)": two funders, not one Ville named so
        joined = self.funders_joined(head) if re.search(r"\s+et\s+", head) else None
        if joined:
            return joined, head, rest
        named = self.named_body(head)
        if named:
            return named, head, rest
        if self.generic_with_complement(head):
            return PROPOSED + head, head, rest
        return None

    def org_kind(self, ident: str) -> str | None:
        """The kind the registry gives a body ("programme" for CitésLab), or None."""
        orgs = self.regs.organisations
        return orgs[ident].get("kind") if ident in orgs else None

    def cut_name(self, first: str, then: str) -> bool:
        """Whether a table's first cell goes on in the next row's first cell: cut at a hyphen or
        after a word that needs more ("de", "d'"), or the two make a known name the second alone
        is not."""
        if first.endswith("-") or CONNECTOR.search(first):   # no name ends so
            return True
        if re.match(r"^[a-zà-ÿ]", then):
            return not self.orgs.exact(then)
        whole = join_cut_words(first, then)
        known, alone = self.orgs.exact(whole), self.orgs.exact(then) or ""
        # "Agglomération" alone names a kind of body, not one
        return bool(known or self.named_body(whole)) and (not alone or alone.startswith(KIND_PREFIX)) \
            and known != self.orgs.exact(first)

    def goes_on(self, first: str, then: str, row: str) -> bool:
        """Whether a table's first cell, in a row with sums ("Office Public de l'Habitat    Abattement
        TFPB    65 000"), goes on alone on the next line ("Perpignan Méditerranée"): a name no body of
        the reference bears, then a short name with no sum."""
        sums = re.compile(r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?![\w.,])|\d\s*(?:k€|M€|€)")   # (a table's sums often lack "€")
        return bool(sums.search(row)) and not sums.search(then) and not re.search(r"\d", then) and len(then.split()) <= 5 \
            and bool(re.match(r"^[A-ZÀ-Ý]", then)) and looks_like_name(then) \
            and not self.orgs.exact(first) and not self.named_body(first)

    def org_list(self, text: str) -> list[str]:
        """One organisation, or several written "A/B" or "A, B" that all resolve."""
        one = self.orgs.exact(text)
        if one:
            return [one]
        parts = [p for p in re.split(r"\s*[/,]\s*|\s+et\s+", text.strip()) if p]   # "la Ville et l'État"
        ids = [self.orgs.exact(p) for p in parts]
        return ids if len(parts) > 1 and all(ids) else []

    def funders_joined(self, name: str) -> str | None:
        """"Toulon Habitat Méditerranée et Var Habitat": several funders named together, each
        its registry id or, unknown, as written (to be confirmed); None for one name."""
        if self.orgs.exact(name):
            return None
        # ("L'État et la Région": each without its article)
        def bare(pieces: list[str]) -> list[str]:
            return [re.sub(r"^(?:la|le|les)\s+(?=[A-ZÀ-Ý])|^l['’]\s*(?=[A-ZÀ-Ý])", "", p.strip()) for p in pieces if p.strip()]
        words = bare(re.split(r"\s+et\s+|\s*,\s*", name))   # every piece a name ("m2A Habitat"), not "… et logement"
        if len(words) < 2 or not all(re.match(r"^(?:[A-ZÀ-Ý]|l['’][A-ZÀ-Ý]|[a-z]+\d*[A-Z])", p) for p in words):
            return None
        # ("Terre et Baie Habitat et Côtes d'Armor Habitat": two, the first with an " et " of its own, `names_and`)
        parts = bare([q for p in re.split(r"\s*,\s*|\s+et\s+(?=(?:la|le|les)\s+[A-ZÀ-Ý]|l['’]\s*[A-ZÀ-Ý])", name) for q in names_and(p)])
        if len(parts) < 2:
            return None
        return "|".join(self.orgs.exact(p) or self.named_body(p) or PROPOSED + p for p in parts)

    def strip_funder(self, text: str, ident: str) -> str:
        """The line without the funder's own name (when it stands inside, as in "Bop 147 … Préfecture")."""
        for key, i in self.orgs.by_key.items():
            if i == ident and len(key) > 3:
                text = re.sub(r"(?i)(?<![\w])" + re.escape(key) + r"(?![\w])", " ", text)
        return text
