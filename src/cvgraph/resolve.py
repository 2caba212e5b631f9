"""Resolving the names a contract writes, inside its territory and at its date.

One module for `compile` and `ingest`. A name written in a contract resolves, in this order, to

1. an organisation whose `names` hold it (a distinctive spelling, valid anywhere: "La Cali",
   "Gironde Habitat"), or its id;
2. an organisation whose `local_names` hold it ("CCAS", "PMI", "Bailleurs sociaux") and whose
   `territory` contains the contract's place;
3. for a generic name of a kind of body (data/bodies.yaml: "la CAF", "le Département", "la
   Région", "la commune"), the one body of that kind covering the place at the contract's date:
   an organisation that claims that territory (`body:`), else the body the kind's rule finds in the
   administrative reference (described from it); when none or more than one covers the place, a
   placeholder of that contract ("Département (non nommé) — contrat X"), flagged, never another
   contract's body.

Anything else is unknown. A name never resolves to a body of another contract's territory.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError
from .names import normalise, slugify
from .reference import CODE_SHAPES, DIMENSIONS, Place, Reference, load_reference
from .sheets import Node, mappings, optional, read_yaml, require

PLACE_KEYS = {"communes": "commune", "epci": "epci", "departement": "departement", "region": "region"}


@dataclass(frozen=True)
class Kind:
    """A kind of body that exists once per territory (data/bodies.yaml)."""
    kind: str
    label: str
    org_kind: str
    names: tuple[str, ...]
    basis: str
    dimension: str | None = None
    part_of: str | None = None
    since: dt.date | None = None
    excepted: frozenset = frozenset()


@dataclass
class Body:
    """An organisation the resolution made: a body found by a kind's rule in the reference, or a
    placeholder of a contract. `compile` describes it in the graph."""
    id: str
    label: str
    kind: Kind
    org_kind: str
    dimension: str | None = None
    code: str | None = None
    contract: str | None = None      # placeholders and proposed bodies only
    flag: str = ""
    proposed: bool = False           # a name no registry knows, kept as written, to be confirmed


@dataclass
class Territory:
    dimension: str
    code: str


_PROPOSED = Kind("propose", "Organisme proposé", "unresolved", (), "Nom inconnu du registre, repris du texte.")


def load_kinds(path: Path) -> dict[str, Kind]:
    root = read_yaml(path)
    if not isinstance(root, Node) or "kinds" not in root:
        raise SourceError("expected a mapping with a 'kinds' list", file=path, line=1, field="kinds")
    out: dict[str, Kind] = {}
    for e in mappings(root, "kinds", required=True):
        kind = require(e, "kind")
        if kind in out:
            raise e.error(f"kind {kind!r} listed twice", "kind")
        dimension = optional(e, "dimension", str)
        if dimension is not None and dimension not in DIMENSIONS:
            raise e.error(f"{dimension!r} is not one of {', '.join(DIMENSIONS)}", "dimension")
        since = optional(e, "from", dt.date)
        names = require(e, "names", list)
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise e.error("names must be text", "names")
        out[kind] = Kind(kind, require(e, "label"), require(e, "org_kind"), tuple(names), require(e, "basis"),
                         dimension, optional(e, "part_of", str), since,
                         frozenset(str(x) for x in optional(e, "except", list, [])))
    return out


def territory_of(node: Node, key: str, ref: Reference) -> Territory:
    """A `{dimension: code}` mapping of the registry, checked against the reference."""
    t = require(node, key, Node)
    if len(t) != 1:
        raise t.error("a territory is one {dimension: code} pair", key)
    dimension, code = next(iter(t.items()))
    if dimension not in DIMENSIONS:
        raise t.error(f"{dimension!r} is not one of {', '.join(DIMENSIONS)}", dimension)
    code = str(code)
    if not CODE_SHAPES[dimension].match(code):
        raise t.error(f"{code!r} is not the code of a {dimension}", dimension)
    if ref.area(dimension, code) is None:
        raise t.error(f"no {dimension} has the code {code} in the reference", dimension)
    return Territory(dimension, code)


class Resolver:
    """The organisations registry, the kinds of bodies and the reference, ready to resolve names."""

    def __init__(self, organisations, data_dir: Path, ref_dir: Path | None = None):
        self.orgs = organisations
        self.kinds = load_kinds(Path(data_dir) / "bodies.yaml") if (Path(data_dir) / "bodies.yaml").is_file() else {}
        self.ref = load_reference(str(ref_dir or Path(data_dir) / "reference"))
        self.generic: dict[str, str] = {}
        for k in self.kinds.values():
            for name in k.names:
                key = normalise(name)
                other = self.generic.get(key)
                if other is not None and other != k.kind:
                    raise SourceError(f"generic name {name!r} belongs to kinds {other!r} and {k.kind!r}",
                                      file=Path(data_dir) / "bodies.yaml", field="names")
                self.generic[key] = k.kind
        self.claims: dict[tuple[str, str, str], str] = {}     # (kind, dimension, code) -> org id
        self.territories: dict[str, Territory] = {}          # org id -> its territory
        self.local: dict[str, list[str]] = {}                 # name key -> org ids
        for ident, e in sorted(organisations.entries.items()):
            self._check(ident, e)
        # an entry of a territory ("Bailleurs sociaux" of Coutras) is named by its label or id only
        # there, unless that spelling is also one of its `names`
        self.local_only: set[tuple[str, str]] = set()
        for ident, t in self.territories.items():
            e = organisations.entries[ident]
            if "body" in e:
                continue
            named = {normalise(n) for n in optional(e, "names", list, []) if isinstance(n, str)}
            for spelling in (ident, optional(e, "label", str, "")):
                if spelling and normalise(spelling) not in named:
                    self.local_only.add((normalise(spelling), ident))

    def _check(self, ident: str, e: Node) -> None:
        for name in [*optional(e, "names", list, []), optional(e, "label", str, "")]:
            if isinstance(name, str) and normalise(name) in self.generic and name != e.get("label"):
                raise e.error(f"{name!r} is a generic name of the kind {self.generic[normalise(name)]!r} "
                              "(data/bodies.yaml): it names a body only inside a territory; claim the territory "
                              "with `body:` or list it under `local_names`", "names")
        if "body" in e:
            body = require(e, "body", Node)
            kind = require(body, "kind")
            if kind not in self.kinds:
                raise body.error(f"unknown kind of body {kind!r} (see data/bodies.yaml)", "kind")
            t = territory_of(body, "territory", self.ref)
            key = (kind, t.dimension, t.code)
            if key in self.claims:
                raise body.error(f"{self.claims[key]!r} already claims to be the {kind} of {t.dimension} {t.code}",
                                 "territory")
            self.claims[key] = ident
            self.territories[ident] = t
        if "territory" in e:
            if "body" in e:
                raise e.error("give the territory in `body` only", "territory")
            self.territories[ident] = territory_of(e, "territory", self.ref)
        for name in optional(e, "local_names", list, []):
            if ident not in self.territories:
                raise e.error("local names need the entry's `territory`", "local_names")
            if not isinstance(name, str) or not name.strip():
                raise e.error("names must be text", "local_names")
            ids = self.local.setdefault(normalise(name), [])
            if ident not in ids:
                ids.append(ident)

    def named_body(self, name: str) -> tuple[Kind, str] | None:
        """A name that says both the kind and the territory of a body ("CAF de la Haute-Marne",
        "Conseil départemental du Rhône", "Ville de Saint-Dizier", "Région Grand Est"): the kind
        and the territory's code, when the reference names exactly one territory so."""
        key = _plain(name)
        key = re.sub(r"^([a-z]{2,6})(\d{2}|2[ab]|97\d)$", r"\1 \2", key)   # "CAF51", "CD51": the number glued
        for kind_name, kind in self._kind_prefixes():
            if not key.startswith(kind_name + " "):
                continue
            rest = re.sub(r"^(?:de la|de l|du|des|de|d)\s+", "", key[len(kind_name):].strip())
            if kind.dimension is None or not rest:
                continue
            # "CAF 17", "DSDEN 17", "DDTM 17": a body of a département's kind, by the département's code
            if re.fullmatch(r"\d{2}|2[ab]|97\d", rest):
                if kind.dimension == "departement" and rest.upper() in self.ref.tables.get("departement", {}):
                    return kind, rest.upper()
                if kind.dimension == "ctcd" and rest.upper() + "D" in self.ref.tables.get("ctcd", {}):   # "CD 18", "Département 17"
                    return kind, rest.upper() + "D"
            codes = self._territory_names(kind.dimension).get(rest, set())
            if len(codes) == 1:
                return kind, next(iter(codes))
        codes = self._territory_names("epci").get(key, set()) or \
            self._territory_names("epci").get(_epci_key(key), set())   # an EPCI by its own name
        if not codes and key not in self._territory_names("commune"):   # "Grand Châtellerault": its name without "CA"
            codes = self._bare_epci_names().get(key, set())
        if len(codes) == 1 and "intercommunalite" in self.kinds:
            return self.kinds["intercommunalite"], next(iter(codes))
        return None

    def _bare_epci_names(self) -> dict[str, set[str]]:
        """EPCIs by their name without their kind ("CA Grand Châtellerault": "grand chatellerault")."""
        if not hasattr(self, "_bare"):
            self._bare: dict[str, set[str]] = {}
            for code, r in self.ref.tables.get("epci", {}).items():
                head, _, rest = re.sub(r"\s*\([^()]*\)$", "", r["nom"]).partition(" ")   # (its acronym: "(COGA)")
                if head in _EPCI_KINDS and rest:
                    self._bare.setdefault(_plain(re.sub(r"^(?:de la|de l['’]|du|des|de|d['’])\s*", "", rest)), set()).add(code)
        return self._bare

    def is_territory_name(self, text: str) -> bool:
        """The name of a région or a département of the reference ("Auvergne-Rhône-Alpes")."""
        key = _plain(text)
        return any(key in self._territory_names(d) for d in ("region", "departement"))

    def _kind_prefixes(self) -> list[tuple[str, Kind]]:
        if not hasattr(self, "_prefixes"):
            names = {(_plain(n), k.kind) for k in self.kinds.values() for n in k.names}
            names |= {(_plain(k.label.split("{")[0]), k.kind) for k in self.kinds.values() if k.label.split("{")[0].strip()}
            names |= {(x, "commune") for x in ("mairie", "ville", "commune")} if "commune" in self.kinds else set()
            self._prefixes = sorted(((n, self.kinds[k]) for n, k in names if n), key=lambda x: -len(x[0]))
        return self._prefixes

    def _territory_names(self, dimension: str) -> dict[str, set[str]]:
        if not hasattr(self, "_names"):
            self._names = {}
        if dimension not in self._names:
            out: dict[str, set[str]] = {}
            rows = self.ref.communes if dimension == "commune" else self.ref.tables.get(dimension, {})
            for code, r in rows.items():
                for n in {r["nom"], *_epci_spellings(r["nom"])} if dimension == "epci" else {r["nom"]}:
                    out.setdefault(_plain(n), set()).add(code)
                    if dimension == "epci" and _epci_key(_plain(n)) != _plain(n):
                        out.setdefault(_epci_key(_plain(n)), set()).add(code)
            if dimension == "ctcd":   # a département named by its own name means its collectivité
                for code, r in self.ref.tables["departement"].items():
                    ctcds = self.ref.ctcds_of(code)
                    if len(ctcds) == 1:
                        out.setdefault(_plain(r["nom"]), set()).add(next(iter(ctcds)))
            self._names[dimension] = out
        return self._names[dimension]

    def place_in_text(self, lines) -> dict:
        """Where a text says it is, read in its first pages: the communes it names after "Ville de",
        "commune de", "quartier … de/à", each unique in the reference, and the EPCI it names
        ("Communauté d'agglomération du Libournais"). A `place:` for a draft, each part with its line
        and words, to be checked by a person; {} when the text names none."""
        communes, epci = {}, None
        names = self._territory_names("commune")
        for line in lines[:150]:
            for m in _COMMUNE_CUES.finditer(line.text):
                codes = names.get(_plain(m.group(1)), set())
                if len(codes) == 1:
                    code = next(iter(codes))
                    communes.setdefault(code, {"code": code, "line": line.n, "written": m.group(1)})
            if epci is None:
                for m in _EPCI_CUES.finditer(line.text):
                    words = m.group(0).split()
                    for n in range(len(words), 1, -1):   # the longest words that name one EPCI
                        found = self.named_body(" ".join(words[:n]))
                        if found and found[0].kind == "intercommunalite":
                            epci = {"code": found[1], "line": line.n, "written": " ".join(words[:n])}
                            break
                    if epci:
                        break
        out = {}
        if communes:
            out["communes"] = list(communes.values())[:40]
        if epci:
            out["epci"] = epci
        return out

    def known(self, name: str) -> bool:
        """Whether `name` is a spelling of the registry or of a kind (for readers of texts)."""
        key = normalise(name)
        return key in self.generic or key in self.local or key in self.orgs._by_name

    def place(self, sheet: Node, date: dt.date | None) -> Place:
        """The place a contract sheet states (`place:`), its communes taken at the contract's date."""
        place = Place(date=date, ref=self.ref)
        if "place" not in sheet:
            return place
        p = require(sheet, "place", Node)
        for key in p:
            if key not in PLACE_KEYS:
                raise p.error(f"unknown part of a place {key!r} (use {', '.join(PLACE_KEYS)})", key)
        for item in mappings(p, "communes"):
            code = str(require(item, "code", (str, int)))
            require(item, "line", int)
            place.communes.add(self.ref.commune_at(code, date, item, "code"))
        for key in ("epci", "departement", "region"):
            if key in p:
                item = require(p, key, Node)
                code = str(require(item, "code", (str, int)))
                require(item, "line", int)
                if not CODE_SHAPES[key].match(code):
                    raise item.error(f"{code!r} is not the code of a {key}", "code")
                if self.ref.area(key, code) is None:
                    raise item.error(f"no {key} has the code {code} in the reference", "code")
                place.stated[key] = {code}
        for key, codes in place.stated.items():   # what the text states must agree with its communes
            if place.communes and key != "epci" and place.values(key) != codes:
                raise p.error(f"the communes named are not in {key} {', '.join(sorted(codes))}", key)
        return place

    def scope(self, contract: str, place: Place, date: dt.date | None) -> Scope:
        return Scope(self, contract, place, date)


_COMMUNE_CUES = re.compile(r"(?:[Vv]ille|[Cc]ommune|[Mm]airie|[Qq]uartiers?[^,.;:()]{0,50}?)\s+(?:de |d['’]|à )"
                           r"([A-ZÀ-Ý][\w’'\-]+(?:[\- ](?:[A-ZÀ-Ý][\w’'\-]+|sur|sous|en|le|la|les|de|du|des|d['’]\w+))*)")
_EPCI_CUES = re.compile(r"(?:[Cc]ommunaut[ée] (?:d['’]agglom[ée]ration|de communes|urbaine)|[Mm][ée]tropole|CA|CC)\b"
                        r"[^,.;:()«»\n]{2,70}")


def _plain(text: str) -> str:
    """A name reduced for matching territory names: accents, case, punctuation and a leading article
    dropped, hyphens and apostrophes as spaces ("Conseil Départemental de l'Isère" -> "conseil
    departemental de l isere")."""
    key = normalise(text).replace("-", " ").replace("'", " ")
    key = re.sub(r"[^\w ]+", " ", key)
    return re.sub(r"\s+", " ", key).strip()


_EPCI_KINDS = {"CA": "communauté d'agglomération", "CC": "communauté de communes", "CU": "communauté urbaine"}


def _epci_key(key: str) -> str:
    """An EPCI's plain name without the "de" after its kind: "communaute d agglomeration de grand
    chatellerault" and "ca grand chatellerault" meet at "communaute d agglomeration grand chatellerault"."""
    for short, long in _EPCI_KINDS.items():
        key = re.sub(rf"^{re.escape(_plain(short))}\s", _plain(long) + " ", key)
    return re.sub(r"^((?:communaute d agglomeration|communaute de communes|communaute urbaine|metropole)\s)"
                  r"(?:de la|de l|du|des|de|d)\s+", r"\1", key)


def _epci_spellings(name: str) -> set[str]:
    """"CA du Libournais" is also written "Communauté d'agglomération du Libournais", "CA de
    Nevers" "Nevers Agglomération" (the town's name, then the word), and "CA du Grand Angoulême"
    "GrandAngoulême" (a "Grand …" in one word); "CA du Grand Avignon (COGA)" also without its
    acronym."""
    head, _, rest = name.partition(" ")
    if head not in _EPCI_KINDS:
        return set()
    bare = re.sub(r"\s*\([^()]*\)$", "", rest)
    if bare != rest:
        return _epci_spellings(f"{head} {bare}") | {f"{head} {bare}"}
    out = {f"{_EPCI_KINDS[head]} {rest}"}
    m = re.match(r"^(?:de la |de l'|de l’|du |des |de |d'|d’)(.+)$", rest)
    if head == "CA" and m:
        out.add(f"{m.group(1)} Agglomération")
    grand = re.match(r"^(?:du |de )?Grand (\S+)$", rest)
    if grand:
        out.add(f"Grand{grand.group(1)}")
    return out


@dataclass
class Scope:
    """Name resolution for one contract: its place and date; the bodies it found or made."""
    resolver: Resolver
    contract: str
    place: Place
    date: dt.date | None
    made: dict[str, Body] = field(default_factory=dict)

    def resolve(self, name: str, node: Node, field_name: str) -> str:
        r = self.resolver
        if not isinstance(name, str) or not name.strip():
            raise node.error("expected the name of an organisation", field_name)
        if name in r.orgs.entries:
            return name
        key = normalise(name)
        ident = r.orgs._by_name.get(key) if key not in r.generic else None   # an id or label such as "cpam"
        if ident is not None and ((key, ident) not in r.local_only or self.contains(r.territories[ident])):
            return ident                                                      # is no global name
        local = [i for i in r.local.get(key, ()) if self.contains(r.territories[i])]
        if len(local) > 1:
            raise node.error(f"{name!r} names {', '.join(local)} in this territory: write which", field_name)
        if local:
            return local[0]
        if key in r.generic:
            return self.body(r.kinds[r.generic[key]])
        named = r.named_body(name)
        if named is not None:   # "CAF de la Haute-Marne": the body of that kind of the territory named
            return self.found(*named)
        where = " in this contract's territory" if key in r.local else ""
        raise node.error(f"unknown organisation {name!r}{where} (add it to the organisation registry)", field_name)

    def propose(self, name: str, node: Node, field_name: str) -> str:
        """`resolve`, or for a name nothing resolves, a body proposed for this contract only, named as
        written and marked "à valider" (a draft's `proposed: true` item): it never blocks the build."""
        try:
            return self.resolve(name, node, field_name)
        except SourceError:
            if not isinstance(name, str) or not name.strip():
                raise
        ident = f"propose-{slugify(name)[:60]}-{self.contract}"
        self.made[ident] = Body(ident, name.strip(), _PROPOSED, "unresolved", contract=self.contract,
                                flag="Nom que le registre ne connaît pas, repris tel qu’écrit : organisme proposé, "
                                     "à valider.", proposed=True)
        return ident

    def label(self, ident: str) -> str:
        """The label of an organisation of the registry or of one this scope made."""
        if ident in self.made:
            return self.made[ident].label
        return self.resolver.orgs[ident]["label"]

    def contains(self, t: Territory) -> bool:
        return self.place.named and self.place.within(t.dimension, t.code)

    def body(self, kind: Kind) -> str:
        """The body of `kind` covering the place, or this contract's placeholder for it."""
        r = self.resolver
        if kind.since and (self.date is None or self.date < kind.since):
            return self.placeholder(kind, f"les organismes de cette nature ne sont décrits qu’à partir du "
                                          f"{kind.since.isoformat()} et le contrat est daté du "
                                          f"{self.date.isoformat() if self.date else '(date inconnue)'}")
        claimed = sorted({ident for (k, d, c), ident in r.claims.items() if k == kind.kind and self.contains(Territory(d, c))})
        if len(claimed) == 1:
            return claimed[0]
        why = ""
        if len(claimed) > 1:
            why = f"plusieurs organisations couvrent le territoire du contrat ({', '.join(claimed)})"
        elif not self.place.named:
            why = "le contrat ne dit pas où il est"
        elif kind.dimension is None:
            why = "la référence ne dit pas quel organisme couvre ce territoire"
        else:
            codes = self.place.values(kind.dimension)
            codes.discard("?")
            if len(codes) != 1:
                why = (f"le territoire du contrat s’étend sur {len(codes)} {kind.dimension}s"
                       if codes else f"le contrat ne nomme pas son {kind.dimension}")
            else:
                code = next(iter(codes))
                if code in kind.excepted:
                    why = f"la règle ne s’applique pas à ce territoire ({kind.dimension} {code})"
                else:
                    return self.found(kind, code)
        return self.placeholder(kind, why)

    def found(self, kind: Kind, code: str) -> str:
        r = self.resolver
        claimed = r.claims.get((kind.kind, kind.dimension, code))
        if claimed:
            return claimed
        area = r.ref.area(kind.dimension, code)
        label = kind.label.format(of=area.of_name, name=area.name)
        ident = f"{kind.kind}-{slugify(area.name)}"
        if kind.dimension in ("commune", "arrondissement") or ident in r.orgs.entries:
            ident += f"-{slugify(code)}"
        self.made[ident] = Body(ident, label, kind, kind.org_kind, kind.dimension, code)
        return ident

    def placeholder(self, kind: Kind, why: str) -> str:
        ident = f"{kind.kind}-non-nomme-{self.contract}"
        what = kind.label.format(of="", name="").strip() or kind.kind.capitalize()
        label = f"{what} (non nommé) — contrat {self.contract}"
        self.made[ident] = Body(ident, label, kind, "unresolved", contract=self.contract,
                                flag=f"Nom générique que le contrat ne permet pas de rattacher : {why}.")
        return ident
