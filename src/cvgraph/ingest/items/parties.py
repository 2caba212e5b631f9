"""The parties named in the contract's opening, as a legal text names them: "ENTRE LES SOUSSIGNÉS :
L'État, représenté par Mme A B, préfète … ; Tours Métropole Val de Loire, représentée par M. C D,
son président, … ; la Ville de Tours, représentée par …" (the closing block may then give only the
offices, "Le préfet d'Indre-et-Loire", with no name). Each body that is "représenté(e) par" someone
is a signatory, at the line its name starts on."""

from __future__ import annotations

import re

from ..prose import paragraphs
from ..reading import line_at
from .base import ReaderBase

# the opening of the parties: "ENTRE LES SOUSSIGNÉS :", "Entre :", "Les soussignés :"
_OPENING = re.compile(r"^(?:entre\s+les\s+soussigne(?:e)?s|entre|les\s+soussigne(?:e)?s|il\s+est\s+convenu\s+entre)\s*:?\s*$")
_REPRESENTED = re.compile(r",?\s*représenté(?:e|s|es)?\s+(?:conjointement\s+)?par\s+", re.I)
# where one party ends and the next begins: ";", or ", la Direction …" (an article, then a capital)
_NEXT = re.compile(r";\s*|,\s*(?=(?:la|le|les)\s+[A-ZÀ-Ý]|l['’]\s*[A-ZÀ-Ý])")


class Parties(ReaderBase):
    """Signatories named as the parties of the contract's opening (a part of `Reader`)."""

    def signatories_in_prose(self) -> list[dict]:
        """The bodies "représenté(e) par" someone in the paragraphs after "ENTRE LES SOUSSIGNÉS"
        (two of them at least), each at the line its name starts on; [] when the text has none."""
        for i, line in enumerate(self.lines[:400]):
            if not _OPENING.match(line.key):
                continue
            for lines, text, starts in paragraphs(self.lines[i + 1:i + 80])[:3]:
                marks = list(_REPRESENTED.finditer(text))
                if len(marks) < 2:
                    continue
                out, after = [], 0
                for m in marks:
                    between = text[after:m.start()]
                    cuts = [c.end() for c in _NEXT.finditer(between)]
                    at = after + (cuts[-1] if cuts else 0)
                    name = re.split(r",\s*(?=[a-zà-ÿ])", text[at:m.start()].strip(" ,;"))[0]   # ("Tours Habitat, office public …")
                    name = re.sub(r"^(?:la|le|les)\s+(?=[A-ZÀ-Ý])|^l['’]\s*(?=[A-ZÀ-Ý])", "", name, flags=re.I).strip()
                    # the person, then the office: the next party starts after them
                    person = re.match(r"(?:M\.|Mme|Monsieur|Madame)?\s*([^,;]+)", text[m.end():])
                    after = m.end() + (person.end() if person else 0)
                    if not name:
                        continue
                    n = line_at(starts, at + len(text[at:m.start()]) - len(text[at:m.start()].lstrip(" ,;")))
                    ident = self.orgs.exact(name) or self.named_body(name)
                    if ident and not self.is_local(ident):
                        out.append({"org": self.as_written(name, ident), "line": n})
                    else:
                        self.unresolved("signatory", name, n)
                        out.append({"org": name, "line": n, "proposed": True})
                if len(out) >= 2:
                    return out
        return []
