"""The registries of `data/`: documents, organisations, instruments, territories.

A registry maps ids and every written spelling of a name to one entry, and refuses two entries that
claim the same spelling. Sheets resolve names through it; an unknown name is a SourceError that
names the file, the line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError
from .names import normalise
from .sheets import Node, mappings, optional, read_yaml, require

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Registry:
    """Entries of one kind, found by id or by any of their written names."""

    kind: str
    entries: dict[str, Node] = field(default_factory=dict)
    _by_name: dict[str, str] = field(default_factory=dict)
    _by_spaced: dict[str, str | None] = field(default_factory=dict)   # apostrophes as spaces; None: two entries

    def add(self, entry: Node) -> None:
        ident = require(entry, "id")
        if not _ID.match(ident):
            raise entry.error("ids are lower-case words joined by '-'", "id")
        if ident in self.entries:
            raise entry.error(f"duplicate {self.kind} id {ident!r}", "id")
        self.entries[ident] = entry
        for name in [ident, optional(entry, "label", str, ""), *optional(entry, "names", list, [])]:
            if not isinstance(name, str):
                raise entry.error("names must be text", "names")
            key = normalise(name)
            if not key:
                continue
            other = self._by_name.get(key)
            if other is not None and other != ident:
                raise entry.error(f"name {name!r} already belongs to {self.kind} {other!r}", "names")
            self._by_name[key] = ident
            spaced = _spaced(key)
            self._by_spaced[spaced] = ident if self._by_spaced.get(spaced, ident) == ident else None

    def __contains__(self, ident: str) -> bool:
        return ident in self.entries

    def __getitem__(self, ident: str) -> Node:
        return self.entries[ident]

    def resolve(self, name: str, node: Node, field_name: str) -> str:
        """The id of the entry called `name`; a SourceError at `node.field_name` if none is."""
        if not isinstance(name, str) or not name.strip():
            raise node.error(f"expected the name of a {self.kind}", field_name)
        if name in self.entries:
            return name
        ident = self._by_name.get(normalise(name)) or self._by_spaced.get(_spaced(normalise(name)))
        if ident is None:
            raise node.error(f"unknown {self.kind} {name!r} (add it to the {self.kind} registry)",
                             field_name)
        return ident

    def check_ref(self, ident: str, node: Node, field_name: str) -> str:
        if ident not in self.entries:
            raise node.error(f"unknown {self.kind} id {ident!r}", field_name)
        return ident


def _spaced(key: str) -> str:
    """A name's key with its apostrophes as spaces: "Pass'Sport" is the "Pass sport" of a registry."""
    return re.sub(r"\s+", " ", key.replace("'", " ")).strip()


@dataclass
class Registries:
    documents: Registry
    organisations: Registry
    instruments: Registry
    territories: Registry


_FILES = {
    "documents": ("documents.yaml", "document"),
    "organisations": ("organisations.yaml", "organisation"),
    "instruments": ("instruments.yaml", "instrument"),
    "territories": ("territories.yaml", "territory"),
}


def load_registries(data_dir: Path) -> Registries:
    regs = {}
    for key, (filename, kind) in _FILES.items():
        path = data_dir / filename
        if not path.is_file():
            raise SourceError(f"missing {kind} registry", file=path)
        root = read_yaml(path)
        if not isinstance(root, Node) or key not in root:
            raise SourceError(f"expected a mapping with a '{key}' list", file=path, line=1, field=key)
        reg = Registry(kind)
        for entry in mappings(root, key, required=True):
            reg.add(entry)
        regs[key] = reg
    out = Registries(**regs)
    _check_references(out)
    return out


def _check_references(regs: Registries) -> None:
    """Cross-references inside the registries point at existing entries."""
    for entry in regs.organisations.entries.values():
        if "part_of" in entry:
            regs.organisations.check_ref(require(entry, "part_of"), entry, "part_of")
        for member in optional(entry, "members", list, []):
            regs.organisations.check_ref(member, entry, "members")
        check_source(entry, regs)
    for entry in regs.instruments.entries.values():
        if "provider" in entry:
            regs.organisations.check_ref(require(entry, "provider"), entry, "provider")
        if "programme" in entry:
            regs.instruments.check_ref(require(entry, "programme"), entry, "programme")
        if "specific_credit" in entry:
            check_source(entry, regs, "specific_credit")
        check_source(entry, regs)
    for entry in regs.territories.entries.values():
        if "part_of" in entry:
            regs.territories.check_ref(require(entry, "part_of"), entry, "part_of")
        if "governed_by" in entry:
            regs.organisations.check_ref(require(entry, "governed_by"), entry, "governed_by")
        check_source(entry, regs)
    for entry in regs.documents.entries.values():
        check_document(entry)
        if "publisher" in entry:
            regs.organisations.check_ref(require(entry, "publisher"), entry, "publisher")


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_document(entry: Node) -> None:
    """A document entry: a plain file name, the SHA-256 of its text, its rights and redactions."""
    file = require(entry, "file")
    parts = file.replace("\\", "/").split("/")
    if file.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", file) or any(p in ("", ".", "..") for p in parts):
        raise entry.error("a file name inside the sources folder (no '..', no absolute path)", "file")
    require(entry, "title")
    if not _SHA256.match(require(entry, "sha256")):
        raise entry.error("expected the 64 hexadecimal digits of a SHA-256", "sha256")
    if "rights" in entry:
        rights = require(entry, "rights", Node)
        require(rights, "republish", bool)
        require(rights, "statement")
    for r in mappings(entry, "redactions"):
        require(r, "line", int)
        if not (optional(r, "after", str, "") or optional(r, "before", str, "")):
            raise r.error("a redaction needs the words just before it (after) or just after it (before)", "after")


def check_source(entry: Node, regs: Registries, key: str = "source") -> None:
    source = require(entry, key, Node)
    regs.documents.check_ref(require(source, "document"), source, "document")
    require(source, "line", int)
