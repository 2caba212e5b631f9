"""From the entries a funding section was read into (funder, the text after it, its line and
kind) to the sheet's funding lines: a funder standing over its own services dropped, joined
funders split, the kind from the row or the heading (or the programme's credits when neither
says), the sum the line states, its instruments resolved and the bodies it names beside them."""

from __future__ import annotations

import re

from ..naming import PROPOSED, looks_like_instrument, looks_like_name, looks_like_scheme_name, split_list
from ..sections import AMOUNT, amounts_in, section_of
from .funders import Funders
from .instruments import Instruments


class FundingLines(Funders, Instruments):
    """Funding lines from a section's entries (a part of `Reader`, under `Funding`)."""

    def lines_of(self, entries: list[dict], kind: str, heading, orientation: int) -> list[dict]:
        """The lines of `entries`, read under `heading` whose kind is `kind`, in orientation `orientation`."""
        out: list[dict] = []
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
                written = e["written"] if len(ids) == 1 else ident[len(PROPOSED):] if ident.startswith(PROPOSED) \
                    else self.orgs.spelling(ident, ident)
                # ("• l'ARS Grand Est (droit commun : FIR)": the body's name, without the article)
                written = re.sub(r"^(?:[Ll]a|[Ll]es?)\s+(?=[A-ZÀ-Ý])|^[Ll]['’]\s*(?=[A-ZÀ-Ý])", "", written or "")
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
            if e.get("flag"):
                entry["flag"] = e["flag"]
            if line_kind == "non-precise":
                said = section_of(heading.key)   # "Financeurs : État (…)" (a box's label and its first value): the label
                # ("Financeur — Région", "Financeur    Anah": the label before its dash or its column)
                entry["heading"] = re.split(r"\s*:|\s+[—–]\s+|\t|\s{2,}", heading.text.strip())[0].strip() + " :" \
                    if said and said[1] else heading.text.strip()
                credits = self.credits_named(e["raw"])
                if credits:   # "État (BOP 147) : adultes-relais": all of it on the programme's credits
                    entry.update(kind="specifique", inferred=True,
                                 flag=f"Nature déduite de « {credits} » : crédits de la politique de la ville ; "
                                      f"la rubrique « {entry['heading'].rstrip(' :')} » ne dit pas la nature.")
            stated = amounts_in(e["text"])
            if len(stated) == 1:   # "Etat (BOP 147, 12 000 €)", "CAF – REAAP : 9 000 €"
                entry["amount"] = stated[0][1]
            elif stated:           # several sums on one line: kept as written, not split by guess
                entry["amount_note"] = " ; ".join(w for w, _ in stated)
            text = re.sub(r"\(\s*[,;]?\s*\)", "", AMOUNT.sub("", e["text"]))   # "REAAP (25 000 €)": no "()" left
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
                if org and (self.is_local(org) or self.org_kind(org) == "programme"):
                    org = None   # "police municipale" (a service another territory names so), "CitésLab"
                if org and not self.instruments.exact(piece):   # "Etat : FIPDR, CAF": the CAF funds too
                    if org != e["funder"] and not self.part_of(org, e["funder"]):
                        extra_funders.append((org, self.orgs.spelling(piece, org)))
                    continue
                piece = re.sub(r"\s*\(\d[^()]{0,30}\)$", "", piece)   # "adultes-relais (3 postes)": a count, kept as written only
                if re.fullmatch(r"\([^()]+\)", piece.strip()) and re.match(r"^[a-zà-ÿ ]+$", e["written"][1:]) and all(
                        looks_like_name(p) and not self.instruments.exact(p) and not self.instruments.inside(p)
                        for p in split_list(piece.strip()[1:-1])):
                    continue   # "Bailleurs sociaux (Eure Habitat, SILOGE)": the bodies a kind of funder means
                found, left = self.resolve_instruments(piece)
                names += found
                for x in left:
                    purposes.append(x)
                    self.unresolved("instrument", x, e["line"], orientation)
            # what a short line names after its funder ("État : FIPD, quartiers d'été"), not a long description
            short = len(text.split()) <= 14
            proposed = [x for x in purposes if looks_like_instrument(x) or short and looks_like_scheme_name(x)]
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
