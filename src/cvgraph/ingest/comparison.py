"""Comparing a draft with a curated sheet: precision and recall of orientations, pilots, services,
funding lines and signatories, names resolved in the curated sheet's place."""

from __future__ import annotations

import re
from pathlib import Path

from .._paths import resource_dir
from ..errors import SourceError
from ..names import normalise
from ..registry import Registries, load_registries
from ..resolve import Resolver

from .items.signatories import office_body
from .reading import key_of


# --- comparing a draft with a curated sheet --------------------------------------------------------

def sheet_items(path: Path, regs: Registries, scope=None, glossary: dict[str, str] | None = None) -> dict[str, set]:
    """The items compared: orientations (number, title), pilots and services (orientation, org id),
    funding lines (orientation, funder id, instrument id or ''), funding kinds (orientation, the
    kind the graph gives, funder id). A sheet of the wrong shape (a
    draft edited by hand) is a SourceError naming file, line and field."""
    from ..sheets import Node, mappings, optional, read_yaml

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
        """The body a name resolves to; "Lorient Agglomération (direction de l'habitat)", a body and
        the service of it a qualifier names, is that body; else the name without its qualifier,
        marked '?'."""
        name = optional(node, key, str, "") if name is None else name
        body = re.sub(r"\s*\([^()]*\)\s*$", "", name) or name
        dashed = re.sub(r"\s+[–—-]\s+[^–—]*$", "", body) or body   # "État – CGET": the State, CGET its service
        # "Le Préfet du Var", "Préfet du Var" (a pilot): the body the office is of, the State
        office = office_body(name.rstrip(" ,") + ",") or office_body("le " + name.rstrip(" ,") + ",")
        inner = re.sub(r"\s*\([^()]*\)(?=\s+\S)", "", name)   # "direction … (DSDEN) de la Charente"
        # "Direction de l'habitat et du renouvellement urbain d'Alès Agglomération": the body it is a service of
        owners = [body[m.end():] for m in re.finditer(r"\s(?:de la|du|de l['’]|d['’]|des|de)\s*(?=[A-ZÀ-Ý])", body)] \
            if re.match(r"^(?:direction|service|p[ôo]le|mission|cabinet)s?\s", body, re.I) else []
        # "CD51", "VdR (direction de l'éducation)": an acronym of the text's glossary is the body it names
        glossed = tuple(glossary[normalise(x)] for x in (name, body) if glossary and normalise(x) in glossary)
        for written in dict.fromkeys((name, body, dashed, inner) + ((office,) if office else ()) + tuple(owners) + glossed):
            try:
                return scope.resolve(written, node, key) if scope else regs.organisations.resolve(written, node, key)
            except SourceError:
                continue
        return "?" + normalise(office or dashed)

    def inst(node: Node, name: str) -> str:
        """An instrument's id; "« Devoirs faits »" in quotes is "Devoirs faits"."""
        plain = name.strip(" «»“”\"").strip()
        short = re.search(r"\(([^()]*)\)$", plain)   # "Programme de réussite éducative (PRE)": the PRE
        for written in dict.fromkeys((name, plain, re.sub(r"\s*\([^()]*\)$", "", plain)) + ((short.group(1),) if short else ())):
            try:
                return regs.instruments.resolve(written, node, "instruments")
            except SourceError:
                continue
        # "le dispositif Starter", "programme CitésLab": the scheme's own name
        return "?" + normalise(re.sub(r"^(?:(?:le|la)\s+)?(?:programme|dispositif)\s+(?=[A-ZÀ-Ý«])", "", plain))

    own = root.get("document")
    from ..compile import specific_credits
    specific = specific_credits(regs)

    def elsewhere(node: Node) -> bool:
        """An item a curated sheet takes from another document than its text: no reader of this
        text can find it, so it is not compared."""
        return isinstance(node.get("document"), str) and node["document"] != own

    for o in mappings(root, "orientations"):
        n = optional(o, "number", int)
        # "1.2 Améliorer …": a title that keeps its written number is the same title
        out["orientations"].add((n, re.sub(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+", "", key_of(optional(o, "title", str, ""))).rstrip(" .")))
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
            instruments = [inst(f, x) for x in texts(f, "instruments")]
            out["funding lines"] |= {(n, funder, i) for i in instruments} or {(n, funder, "")}
            # the kind the graph gives each of the line's instruments, as `cvgraph build` does: a line
            # whose heading does not say is of the crédits spécifiques through a politique-de-la-ville
            # instrument ("État : BOP 147" under "Financeurs")
            kind = optional(f, "kind", str, "")
            out["funding kinds"] |= {(n, "specifique" if kind == "non-precise" and i in specific else kind, funder)
                                     for i in instruments or [""]}
    for sg in mappings(root, "signatories"):
        if not elsewhere(sg):
            out["signatories"].add(org(sg, "org"))
    return out


def curated_scope(curated: Path, regs: Registries, data: Path):
    """Name resolution in the curated sheet's territory and date: both sheets describe that
    contract, so the draft's generic names are resolved where the curated sheet says it is."""
    from ..compile import contract_date
    from ..sheets import Node, read_yaml

    root = read_yaml(Path(curated))
    if not isinstance(root, Node):
        raise SourceError("a sheet must be a mapping", file=curated, line=1)
    resolver = Resolver(regs.organisations, data)
    date = contract_date(root)
    return resolver.scope(str(root.get("id", "draft")), resolver.place(root, date), date)


def draft_glossary(draft: Path) -> dict[str, str]:
    """The acronyms the draft's text defines (its `glossary`): both sheets describe that text, so
    "CD51" in the curated sheet is the body the text's glossary names."""
    from ..sheets import Node, read_yaml
    root = read_yaml(Path(draft))
    entries = root.get("glossary") if isinstance(root, Node) else None
    return {normalise(str(e["acronym"])): str(e["name"]) for e in entries or []
            if isinstance(e, dict) and e.get("acronym") and e.get("name")}


def compare(draft: Path, curated: Path, data_dir: Path | None = None) -> dict[str, dict]:
    data = Path(data_dir) if data_dir else resource_dir("data")
    regs = load_registries(data)
    scope = curated_scope(curated, regs, data)
    glossary = draft_glossary(draft)
    a, b = sheet_items(draft, regs, scope, glossary), sheet_items(curated, regs, scope, glossary)
    scores = {}
    for key in a:
        hit = len(a[key] & b[key])
        scores[key] = {"draft": len(a[key]), "curated": len(b[key]), "matched": hit,
                       "precision": hit / len(a[key]) if a[key] else 1.0,
                       "recall": hit / len(b[key]) if b[key] else 1.0,
                       "missed": sorted(map(str, b[key] - a[key])), "extra": sorted(map(str, a[key] - b[key]))}
    return scores
