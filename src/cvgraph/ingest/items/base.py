"""The reader of one text: what it found, and the name resolution every kind of item shares
(registries, the reference, the contract's place)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
import re

from ...names import normalise
from ...registry import Registries
from ...resolve import Resolver

from ..naming import KIND_PREFIX, Names
from ..reading import Line


@dataclass
class Found:
    """What the ingester found, for the report it prints."""
    counts: Counter = field(default_factory=Counter)
    unresolved: list[dict] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    near: list[dict] = field(default_factory=list)
    review: list[dict] = field(default_factory=list)   # what a person must check (see `rate`)


class ReaderBase:
    """The reader of one text (see `cvgraph.ingest.items.Reader`)."""

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
                # "Mission locale jeunes Perpignan Méditerranée", "Mission locale intercommunale du Pays X":
                # a word of the name's own, then its complement (not "et PLIE", "pour l'emploi")
                # (not "… familiales de la" / "Sarthe", a name cut at a line's end)
                if re.match(r"^(?!(?:et|ou|pour|avec|sur|dans|en|au|aux|à|par)\s)[a-zà-ÿ][\w-]+\s+(?:de |du |des |d['’]|[A-ZÀ-Ý])", rest) \
                        and not re.search(r"(?:^|\s)(?:de|du|des|d['’]|la|le|les|l['’]|et)$", rest, re.I):
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
            from ...sheets import Node
            entry = Node({"id": ident, "label": scope.made[ident].label, "kind": kind.org_kind,
                          **({"part_of": kind.part_of} if kind.part_of else {})})   # (a préfecture: a unit of the State)
            entry.key_lines = {}
            orgs.entries[ident] = entry
        return ident

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

    def add_items(self, fiche: dict, key: str, found: list[dict]) -> None:
        """Items read outside a fiche (an annex, a signatory's engagements) added to its `key`
        ("pilots", "services", "funding") and counted; a section it now has is no longer missing."""
        fiche.setdefault(key, []).extend(found)
        if key == "funding":
            self.found.counts["funding lines"] += sum(max(1, len(f.get("instruments", []))) for f in found)
        else:
            self.found.counts[key] += len(found)
        if "missing_sections" in fiche:
            fiche["missing_sections"] = [s for s in fiche["missing_sections"] if s != key]
            if not fiche["missing_sections"]:
                del fiche["missing_sections"]

    def unresolved(self, kind: str, name: str, line: int, orientation: int | None = None) -> None:
        entry = {"line": line, "kind": kind, "name": name}
        if orientation is not None:
            entry["orientation"] = orientation
        if entry not in self.found.unresolved:
            self.found.unresolved.append(entry)
