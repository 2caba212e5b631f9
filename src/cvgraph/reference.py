"""Who exists where: the administrative reference of `data/reference/`, and the place of a contract.

The tables are derived by `scripts/reference_tables.py` from a named version of Etalab's
`@etalab/decoupage-administratif` (INSEE's Code officiel géographique, the DGCL's EPCIs), recorded
in `data/reference/version.yaml` and registered as a source document. They give, for every
current commune, its département, région, arrondissement, EPCI (SIREN) and the collectivité that
holds its departmental competences (COG's CTCD: the département itself, or the Ville de Paris,
the Métropole de Lyon, the Collectivité de Corse, the Collectivité européenne d'Alsace, the
collectivités of Martinique and Guyane, the Département de Mayotte); and the changes of communes
since 2014 (mergers, new codes), so that a commune is taken as it was at a contract's date.

A `Place` is what a contract says of where it is (communes, EPCI, département, région): its
`values(dimension)` are the codes of one dimension (`departement`, `region`, `ctcd`,
`arrondissement`, `epci`, `commune`) its communes fall in. A body of a kind that exists once per
territory covers the place when the place has exactly one value of the body's dimension.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import SourceError

# How a territory or a collectivité links to an official resource: `owl:sameAs` a resource that is the
# same thing (INSEE's description of a commune), `rdfs:seeAlso` a document about it (an API's record, a
# directory's page). Not `skos:exactMatch`: its domain is skos:Concept, which a territory is not.
LINK_PREDICATES = ("rdfs:seeAlso", "owl:sameAs")
DIMENSIONS = ("commune", "epci", "arrondissement", "departement", "ctcd", "region")
CODE_SHAPES = {
    "commune": re.compile(r"^(?:\d{5}|2[AB]\d{3})$"),
    "departement": re.compile(r"^(?:\d{2}|2[AB]|97\d)$"),
    "region": re.compile(r"^\d{2,3}$"),
    "epci": re.compile(r"^\d{9}$"),
    "siren": re.compile(r"^\d{9}$"),
    "arrondissement": re.compile(r"^(?:\d{3,4}|2[AB]\d)$"),
    "ctcd": re.compile(r"^[0-9AB]{2,3}[A-Z]{1,2}$"),
}
# the French "of" a name takes, by the COG's type de nom (TNCC): "de la Gironde", "du Nord", "de l'Ain"
LINKS = {"0": "de ", "1": "d’", "2": "du ", "3": "de la ", "4": "des ", "5": "de l’", "6": "des ", "7": "de las ",
         "8": "de los "}


@dataclass(frozen=True)
class Area:
    """One row of a reference table: a commune, an EPCI, a département…"""
    dimension: str
    code: str
    name: str
    link: str = "de "          # "de la ", "du "…
    row: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def of_name(self) -> str:
        """"de la Gironde", "du Nord", "de Coutras"."""
        return self.link + self.name


class Reference:
    """The tables of `data/reference/`, read once."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        if not (self.folder / "communes.csv").is_file():
            raise SourceError("the administrative reference is missing (run scripts/reference_tables.py)",
                              file=self.folder / "communes.csv")
        self.communes = {r["code"]: r for r in self._rows("communes.csv")}
        self.tables = {
            "departement": {r["code"]: r for r in self._rows("departements.csv")},
            "region": {r["code"]: r for r in self._rows("regions.csv")},
            "arrondissement": {r["code"]: r for r in self._rows("arrondissements.csv")},
            "epci": {r["siren"]: r for r in self._rows("epci.csv")},
            "ctcd": {r["code"]: r for r in self._rows("ctcd.csv")},
        }
        self.members: dict[str, set[str]] = {}
        for code, r in self.communes.items():
            if r["epci"]:
                self.members.setdefault(r["epci"], set()).add(code)
        self.changes = self._rows("commune-changes.csv")
        self._ctcds: dict[str, set[str]] = {}
        for r in self.communes.values():
            self._ctcds.setdefault(r["departement"], set()).add(r["ctcd"])
        self.version = (self.folder / "version.yaml").read_text(encoding="utf-8") \
            if (self.folder / "version.yaml").is_file() else ""
        self.links = self._links(self.folder / "links.yaml")

    @staticmethod
    def _links(path: Path) -> dict[str, list[tuple[str, str]]]:
        """The documented URI patterns of the official resources, by dimension (`links.yaml`):
        for each dimension, (predicate, pattern) pairs; a bare pattern is an `rdfs:seeAlso`."""
        from .sheets import Node, read_yaml
        if not path.is_file():
            return {}
        root = read_yaml(path)
        if not isinstance(root, Node):
            raise SourceError("expected a mapping of dimensions to URI patterns", file=path, line=1)
        out: dict[str, list[tuple[str, str]]] = {}
        for key, value in root.items():
            if key not in DIMENSIONS + ("siren",):
                raise root.error(f"{key!r} is not one of {', '.join(DIMENSIONS + ('siren',))}", key)
            items = value if isinstance(value, list) else [value]
            out[key] = []
            for item in items:
                where, at = root, key
                if isinstance(item, str):
                    predicate, pattern = "rdfs:seeAlso", item
                elif isinstance(item, Node) and set(item) == {"predicate", "pattern"}:
                    predicate, pattern = item["predicate"], item["pattern"]
                    if predicate not in LINK_PREDICATES:
                        raise item.error(f"predicate {predicate!r} is not one of {', '.join(LINK_PREDICATES)}",
                                         "predicate")
                    where, at = item, "pattern"
                else:
                    raise root.error("a link is a URI pattern or {predicate, pattern}", key)
                if not isinstance(pattern, str) or not re.match(r"^https?://[^\s{}]+\{code\}[^\s{}]*$", pattern):
                    raise where.error("a URI pattern is an http(s) URI with one {code}", at)
                out[key].append((predicate, pattern))
        return out

    def links_of(self, dimension: str, code: str) -> list[tuple[str, str]]:
        """The official resources of a code, in their publishers' documented URI patterns, each with
        the predicate that links to it (`rdfs:seeAlso` a document, `owl:sameAs` the same thing)."""
        return [(predicate, pattern.replace("{code}", code)) for predicate, pattern in self.links.get(dimension, [])]

    def _rows(self, name: str) -> list[dict]:
        with open(self.folder / name, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    def ctcds_of(self, departement: str) -> set[str]:
        """The collectivités holding departmental competences in a département (two in the Rhône)."""
        return self._ctcds.get(departement, set())

    # --- areas ---------------------------------------------------------------------------------
    def area(self, dimension: str, code: str) -> Area | None:
        if dimension == "commune":
            r = self.communes.get(code)
        else:
            r = self.tables.get(dimension, {}).get(code)
        if r is None:
            return None
        if dimension == "ctcd":
            link = "de la " if r["nature"] == "special" else \
                LINKS.get(self.tables["departement"][code[:-1]]["type_liaison"], "de ")
            return Area(dimension, code, r["nom"], link, r)
        return Area(dimension, code, r["nom"], LINKS.get(r.get("type_liaison", ""), "de "), r)

    def commune_at(self, code: str, date: dt.date | None, node=None, field_name: str = "communes") -> str:
        """The current code of the commune that had `code` at `date` (a merger since then gives the
        new commune's code); an error when no commune had that code then."""
        if not CODE_SHAPES["commune"].match(code):
            raise _error(node, f"{code!r} is not an INSEE commune code (5 characters, e.g. 33138 or 2A004)", field_name)
        when = (date or dt.date.today()).isoformat()
        created = [c for c in self.changes if c["code_after"] == code and c["type_after"] == "COM"
                   and c["mod"] in ("20", "21") and c["code_before"] != code and c["date"] > when]
        if created:
            raise _error(node, f"commune {code} does not exist at the contract's date ({when}): created on "
                               f"{created[0]['date']}", field_name)
        current, seen = code, set()
        while current not in self.communes or current in seen:
            if current in seen:
                break
            seen.add(current)
            later = sorted((c for c in self.changes if c["code_before"] == current and c["type_after"] == "COM"
                            and c["code_after"] != current and c["date"] > when), key=lambda c: c["date"])
            if not later:
                break
            current = later[0]["code_after"]
        if current not in self.communes:
            raise _error(node, f"no commune has the code {code} at the contract's date ({when}) in the reference",
                         field_name)
        return current


def _error(node, message: str, field_name: str) -> SourceError:
    return node.error(message, field_name) if node is not None else SourceError(message, field=field_name)


def load_reference(folder: str) -> Reference:
    """The reference of a folder, read once per state of its files (an edited file is read again)."""
    path = Path(folder)
    state = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in path.glob("*")
                         if p.is_file())) if path.is_dir() else ()
    return _load_reference(folder, state)


@lru_cache(maxsize=4)
def _load_reference(folder: str, state: tuple) -> Reference:
    return Reference(Path(folder))


@dataclass
class Place:
    """Where a contract is, as its text says: communes (current codes), and the EPCI, département and
    région it names. `values(d)` are the codes of dimension `d` the place lies in."""
    communes: set[str] = field(default_factory=set)
    stated: dict[str, set[str]] = field(default_factory=dict)   # dimension -> codes the text names
    date: dt.date | None = None
    ref: Reference | None = None

    @property
    def named(self) -> bool:
        return bool(self.communes or any(self.stated.values()))

    def cells(self) -> set[str]:
        """The communes the place covers: those named, else those of the EPCI named."""
        if self.communes:
            return set(self.communes)
        out = set()
        for siren in self.stated.get("epci", ()):
            out |= self.ref.members.get(siren, set())
        return out

    def values(self, dimension: str) -> set[str]:
        cells = self.cells()
        if cells:
            if dimension == "commune":
                return cells
            return {self.ref.communes[c][dimension] for c in cells if self.ref.communes[c][dimension]}
        stated_deps = self.stated.get("departement", set())
        if dimension == "departement":
            return set(stated_deps)
        if dimension == "region":    # a département named alone still says its région
            return set(self.stated.get("region", ())) | {self.ref.tables["departement"][d]["region"] for d in stated_deps}
        if dimension == "ctcd":      # and its collectivité, when the whole département has one
            out = set()
            for d in stated_deps:
                ctcds = self.ref.ctcds_of(d)
                out |= ctcds if len(ctcds) == 1 else {"?"}
            return out
        return set(self.stated.get(dimension, ()))

    def within(self, dimension: str, code: str) -> bool:
        """Whether the whole place lies in the territory `code` of `dimension`."""
        values = self.values(dimension)
        return bool(values) and values == {code}
