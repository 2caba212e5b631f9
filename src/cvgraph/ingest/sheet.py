"""Writing the draft sheet: `ingest` (a lone draft), `ingest_into` (into a data folder, with the
document registered and the unknown local bodies proposed), amendments, confidences and the review list."""

from __future__ import annotations

from pathlib import Path
import hashlib

import yaml

from .._paths import resource_dir
from ..errors import SourceError, UsageError
from ..names import normalise, slugify
from ..pdftext import MAX_PAGES, is_pdf, read_pdf
from ..reference import Place
from ..registry import Registries, load_registries
from ..resolve import Resolver
from ..sources import checksum

from .items import Found, Reader
from .naming import with_every_spelling, written_org
from .reading import Line, cut_labels, drop_noise, join_split_headings, key_of, lines_of, pdfplumber_version, pipe_rows, read_lines, unbox
from .converted import (box_drawing, cell_rows, dot_leaders, grid_rows, markdown_plain, spaced_rows, tab_cells, underlined_headings,
                        web_page)
from .recap import recap_tables
from .sections import guess_generation, rest_after


def ingest(path: Path, contract: str, out: Path | None = None, *, force: bool = False,
           data_dir: Path | None = None, document: str | None = None,
           max_pages: int = MAX_PAGES, amends: str | None = None) -> tuple[Path, Found, dict]:
    """Read the text (or the PDF), write the draft sheet; returns (sheet path, what was found, the
    sheet). The text of a PDF is written beside the draft (`<draft>.txt`): the draft's lines are its
    lines, and each item also cites its page."""
    path = Path(path)
    if slugify(contract) != contract:
        raise UsageError(f"--contract {contract!r}: ids are lower-case words joined by '-'")
    out = Path(out) if out else Path.cwd() / f"{contract}.yaml"
    if out.exists() and not force:
        raise UsageError(f"{out}: exists (use --force to replace it)")
    if out.resolve() == path.resolve():
        raise UsageError(f"{out}: is the text being read")
    pdf = read_pdf(path, max_pages=max_pages) if is_pdf(path) else None
    extracted = out.with_suffix(".txt") if pdf else None
    if extracted is not None and (extracted.resolve() == path.resolve() or extracted.exists() and not force):
        raise UsageError(f"{extracted}: exists (the PDF's text goes there; use --force or another --out)")
    lines = recap_tables(unbox(join_split_headings(pipe_rows(drop_noise(spaced_rows(cell_rows(grid_rows(box_drawing(underlined_headings(web_page(markdown_plain(dot_leaders(tab_cells(cut_labels(lines_of(pdf.text) if pdf else read_lines(path))))))))))))))))
    data = Path(data_dir) if data_dir else resource_dir("data")
    plain = load_registries(data)
    resolver = Resolver(plain.organisations, data)
    regs = with_every_spelling(plain, resolver)
    found = Found()
    ing = Reader(lines, regs, found, resolver)
    target = amended(data, amends) if amends else None
    place = resolver.place_in_text(lines)
    if target is not None:   # an amendment: its names mean what they mean in the contract it amends
        from ..compile import contract_date
        ing.scope = resolver.scope(contract, resolver.place(target, contract_date(target)), contract_date(target))
    elif place:   # names of that territory's bodies ("CCAS", "PMI") then mean them
        ing.scope = resolver.scope(contract, Place({c["code"] for c in place.get("communes", [])},
                                                   {"epci": {place["epci"]["code"]}} if "epci" in place else {},
                                                   None, resolver.ref), None)
    glossary = ing.learn_glossary()   # the text's own acronyms, in its territory
    heads = [lines[i] for i in ing.fiche_heads()]
    first_fiche = heads[0].n if heads else 10 ** 9
    listed, axes_proto = ing.protocol(first_fiche)
    if not heads and not listed:
        raise UsageError(f"{path}: no contrat de ville template recognised (no « Orientation n° » list, "
                         "no « ORIENTATION STRATÉGIQUE N° » fiche); nothing written")
    fiches = ing.fiches()
    numbers = {f["number"] for f in fiches} | set(listed)
    doc_id = document or next((i for i, e in regs.documents.entries.items() if e.get("file") == path.name), None)
    if doc_id in regs.documents and regs.documents[doc_id].get("sha256") not in (None, checksum(path.read_bytes())):
        raise UsageError(f"{path}: not the text of document {doc_id!r} (its SHA-256 differs from "
                         "documents.yaml): the draft's line numbers would not be that document's; nothing written")
    sheet: dict = {"id": contract, "document": doc_id or slugify(path.stem)}
    if not doc_id:
        sheet["document_note"] = (f"Le document {path.name} n’est pas dans data/documents.yaml : l’y ajouter "
                                  f"avec l’id « {sheet['document']} » avant `cvgraph build`.")
    def title_like(l: Line) -> bool:
        text = l.text.strip()
        return 10 < len(text) < 100 and not text.endswith((":", ",")) and (
            "contrat de ville" in l.key or "engagements" in l.key or text.upper() == text)
    title_line = next((l for l in lines[:80] if title_like(l)), None) or next((l for l in lines if l.text.strip()), None)
    sheet["title"] = title_line.text.strip()
    sheet["title_note"] = f"Titre repris tel quel de la ligne {title_line.n} ; à relire."
    sheet["generation"] = guess_generation(lines)
    pilot = None
    for l in lines[:120]:
        for _, ident, _ in ing.orgs.inside(l.text):
            if regs.organisations[ident].get("kind") == "local-authority":
                pilot = pilot or (ident, l.n)
    sheet["pilot"] = written_org(regs, pilot[0]) if pilot else None
    sheet["pilot_note"] = (f"Premier nom de collectivité reconnu dans l’en-tête (l. {pilot[1]}) ; à vérifier."
                           if pilot else "Pilote du contrat non reconnu : à renseigner.")
    sheet["territories"] = []
    if place:
        sheet["place"] = place
    sheet["place_note"] = ("Lieu lu dans le texte (communes et EPCI qu’il nomme) : à vérifier ; " if place else "") + ("Lieu du contrat à renseigner avant `cvgraph build` (place: communes, epci, departement, "
                           "region, chacun avec son code et sa ligne) : les noms génériques (« la CAF », « le "
                           "Département », « la commune ») se résolvent dans ce lieu.")
    # axes: from the fiches' "A - title" lines, else from the protocol's "Au titre de « … »"
    axes, axis_of = [], {}
    current = None
    for i, line in enumerate(lines):   # an axis heading covers the fiches that follow it
        axis = ing.axis_like(line)
        if axis and any(ing.is_head(l) for l in lines[i + 1:i + 4]):
            letter, title = axis
            if letter not in [a["id"] for a in axes]:
                axes.append({"id": letter, "letter": letter.upper(), "line": line.n,
                             "title": rest_after(line, title)})
            current = letter
        if current and ing.is_head(line):
            axis_of[ing.fiche_number(line)] = current
    if not axes and axes_proto:
        for i, a in enumerate(axes_proto):
            axes.append({"id": "abcdefgh"[i], "line": a["line"], "title": a["title"]})
        for n, o in listed.items():
            if o["axis"] is not None:
                axis_of[n] = "abcdefgh"[o["axis"]]
    if len(axes_proto) == len(axes):   # the protocol's axes, in the same order as the fiches'
        for a, p in zip(axes, axes_proto):
            if "protocol_line" not in a and p["line"] != a["line"]:
                a["protocol_line"] = p["line"]
                if p["title"] != a["title"]:
                    a["protocol_title"] = p["title"]
    if axes:
        sheet["axes"] = axes
    orientations = []
    by_number = {f["number"]: f for f in fiches}
    for n in sorted(numbers):
        f = by_number[n] if n in by_number else {"number": n, "line": listed[n]["line"], "title": listed[n]["title"],
                                                 "missing_sections": ["fiche"]}
        title = f["title"]
        if n in listed and (not title or (title.upper() == title and key_of(title) == key_of(listed[n]["title"]))):
            title = listed[n]["title"]   # empty or in capitals in the fiche: the protocol's wording
        if not title:
            title = f"Orientation {n}"
            found.unreadable.append(f"orientation {n}: no title (l. {f['line']})")
        o = {"number": n, **({"axis": axis_of[n]} if n in axis_of else {}), "line": f["line"], "title": title}
        if n in by_number and not any(k in f for k in ("pilots", "services", "funding", "objectives", "actions")) \
                and "missing_sections" in f and len(f["missing_sections"]) == 3:
            found.unreadable.append(f"orientation {n}: fiche at l. {f['line']} has no section that could be read")
            o["flag"] = "Fiche sans rubrique lisible dans le texte."
        if n in listed:
            o["protocol_line"] = listed[n]["line"]
            if listed[n]["title"] != title:
                o["protocol_title"] = listed[n]["title"]
        for key in ("pilots", "services", "funding", "objectives", "actions", "data_written", "missing_sections"):
            if key in f:
                o[key] = f[key]
        if n not in by_number:
            found.unreadable.append(f"orientation {n}: listed in the protocol (l. {listed[n]['line']}), no fiche found")
            found.counts["orientations"] += 1
        orientations.append(o)
    if not axes:
        sheet["axes_note"] = "Le texte ne rattache les orientations à aucun axe."
    sheet["orientations"] = orientations
    signatories = ing.signatories()
    if signatories:
        sheet["signatories"] = signatories
    indicators = ing.indicators(numbers)
    if indicators:
        sheet["indicators"] = indicators
    if glossary:   # what the text's glossary taught the reader: "CD51" is the Département de la Marne
        sheet["glossary"] = glossary
    near = [{"written": w, "registered": r} for w, r in dict.fromkeys(ing.orgs.fuzzy + ing.instruments.fuzzy)]
    if near:   # accepted near matches (typos of the text), to be checked by the reader
        sheet["near_matches"] = near
        found.near = near
    if found.unresolved:
        sheet["unresolved"] = found.unresolved
    if pdf:
        cite_pages(sheet, pdf.text)
        found.unreadable += pdf.flags
        sheet["source_pdf"] = {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                               "pages": pdf.pages, "text": extracted.name, "text_sha256": checksum(pdf.text.encode()),
                               "extracted_by": f"pdfplumber {pdfplumber_version()}"}
    if target is not None:
        sheet = as_amendment(sheet, target, found)
    found.review = rate(sheet)
    text = ("# Draft sheet written by `cvgraph ingest` from " + path.name + ": every item carries the line it\n"
            "# came from. Read it against the text before use; names the registries do not know are listed\n"
            "# under `unresolved` (add them to data/organisations.yaml or data/instruments.yaml).\n"
            + yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False, width=110))
    from ..output import write_file_atomically
    if pdf:
        write_file_atomically(extracted, pdf.text.encode("utf-8"))
    write_file_atomically(out, text.encode("utf-8"))
    return out, found, sheet


def ingest_into(path: Path, contract: str, data_dir: Path, *, document: str | None = None,
                max_pages: int = MAX_PAGES, amends: str | None = None) -> tuple[Path, Found, dict]:
    """`cvgraph ingest FILE --contract ID --into DATA`: the draft becomes DATA/contracts/ID.yaml, the
    text (and the PDF) go into DATA/sources/, and the document is registered in DATA/documents.yaml
    (file name, SHA-256, rights to be stated), so that `cvgraph build --data DATA` takes the draft
    as it is: generic names resolve in its place once a person adds it, unknown names are bodies
    proposed for the contract. Everything is checked before anything is written, and what was
    written is taken back if a later step fails."""
    import tempfile

    from ..output import write_file_atomically

    path, data = Path(path), Path(data_dir)
    if slugify(contract) != contract:
        raise UsageError(f"contract id {contract!r}: ids are lower-case words joined by '-' (no path, no space)")
    if not ((data / "documents.yaml").is_file() and (data / "organisations.yaml").is_file()
            and (data / "contracts").is_dir()):
        raise UsageError(f"{data}: not a data folder (documents.yaml, organisations.yaml and contracts/ expected)")
    sheet_path = data / "contracts" / f"{contract}.yaml"
    if sheet_path.exists():
        raise UsageError(f"contract id {contract!r} is already used ({sheet_path}); nothing written")
    regs = load_registries(data)
    raw = path.read_bytes() if path.is_file() else b""
    pdf = is_pdf(path)
    doc_id = document or slugify(path.stem)
    sources = data / "sources"
    text_name = f"{doc_id}.txt"
    if doc_id in regs.documents:
        raise UsageError(f"document id {doc_id!r} is already registered in {data / 'documents.yaml'} "
                         "(give another with --document); nothing written")
    for name in (text_name, f"{doc_id}.pdf"):
        if (sources / name).exists():
            raise UsageError(f"{sources / name}: exists; nothing written")
    with tempfile.TemporaryDirectory() as tmp:
        draft = Path(tmp) / f"{contract}.yaml"
        draft_path, found, sheet = ingest(path, contract, draft, data_dir=data, max_pages=max_pages, amends=amends)
        text = draft.with_suffix(".txt").read_bytes() if pdf else raw
        sheet["document"] = doc_id
        sheet.pop("document_note", None)
        title = sheet.get("title", path.stem)
        entry = yaml.safe_dump([{
            "id": doc_id, "file": text_name, "sha256": checksum(text), "title": title, "kind": "contract-text",
            **({"pdf": {"file": f"{doc_id}.pdf", "sha256": hashlib.sha256(raw).hexdigest()}} if pdf else {}),
            "rights": {"republish": False, "statement": "Droits du texte à préciser avant toute republication."},
        }], allow_unicode=True, sort_keys=False, width=110)
        entry = "".join("  " + line + "\n" for line in entry.splitlines())
        written: list[tuple[Path, bytes | None]] = []   # (path, its bytes before), to take back
        try:
            sources.mkdir(exist_ok=True)
            for target, data_bytes in ((sources / text_name, text),
                                       *(((sources / f"{doc_id}.pdf", raw),) if pdf else ())):
                written.append((target, None))
                write_file_atomically(target, data_bytes)
            docs = data / "documents.yaml"
            before = docs.read_bytes()
            written.append((docs, before))
            write_file_atomically(docs, before.rstrip(b"\n") + b"\n" + entry.encode("utf-8"))
            body = yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False, width=110)
            header = "".join(line + "\n" for line in draft.read_text(encoding="utf-8").splitlines()
                             if line.startswith("#"))
            bodies = local_bodies(sheet, draft, regs, data, doc_id)
            if bodies:   # the local bodies no registry knew, in the registry of the data folder, proposed
                orgs = data / "organisations.yaml"
                before = orgs.read_bytes()
                written.append((orgs, before))
                block = yaml.safe_dump(bodies, allow_unicode=True, sort_keys=False, width=110)
                block = f"  # --- proposed by `cvgraph ingest` from {doc_id} (à valider) ---\n" + \
                    "".join("  " + line + "\n" for line in block.splitlines())
                write_file_atomically(orgs, before.rstrip(b"\n") + b"\n" + block.encode("utf-8"))
            written.append((sheet_path, None))
            write_file_atomically(sheet_path, (header + body).encode("utf-8"))
        except BaseException:
            for target, old in reversed(written):
                if old is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(old)
            raise
    return sheet_path, found, sheet


def local_bodies(sheet: dict, draft: Path, regs: Registries, data: Path, doc_id: str) -> list[dict]:
    """The names a draft proposes (`proposed: true`: a centre social, an association, a bailleur
    no registry knows) as entries of the data folder's registry of organisations: bodies of the
    contract's territory (its one commune, else its EPCI), named there only (`local_names`), flagged
    `proposed` until a person confirms them, so that a second contract of that territory naming
    them gets the same body. Nothing is proposed for a draft whose place the text does not give."""
    place = sheet.get("place") or {}
    communes = [c.get("code") for c in place.get("communes", []) if isinstance(c, dict)]
    epci = place.get("epci", {}).get("code") if isinstance(place.get("epci"), dict) else None
    territory = {"commune": communes[0]} if len(communes) == 1 else {"epci": epci} if epci else None
    if territory is None:
        return []
    resolver = Resolver(regs.organisations, data)
    from ..sheets import Node, read_yaml
    node = read_yaml(draft)   # the draft as written, whose place the resolver reads with its lines
    scope = resolver.scope(sheet["id"], resolver.place(node, None), None)
    code = next(iter(territory.values()))
    names: dict[str, tuple[str, int]] = {}

    def add(name, line):
        if isinstance(name, str) and name.strip() and normalise(name) not in {normalise(n) for n, _ in names.values()}:
            names[name.strip()] = (name.strip(), line)

    for o in sheet.get("orientations", []):
        for key in ("pilots", "services"):
            for p in o.get(key, []):
                if p.get("proposed"):
                    add(p.get("name"), p.get("line"))
        for f in o.get("funding", []):
            if f.get("proposed"):
                add(f.get("funder"), f.get("line"))
    for sg in sheet.get("signatories", []):
        if sg.get("proposed"):
            add(sg.get("org"), sg.get("line"))
    out, taken, labels = [], set(regs.organisations.entries), set()
    for name, line in names.values():
        probe = Node({"name": name})
        probe.key_lines, probe.file, probe.line = {}, str(draft), line
        try:
            scope.resolve(name, probe, "name")
            continue   # the registry or the reference names it already, in this place
        except SourceError:
            pass
        if normalise(name) in resolver.generic:
            continue   # "la Mission locale": the kind's body, not a body of its own
        ident = f"{slugify(name)[:50].rstrip('-')}-{code.lower()}"
        label = name
        if normalise(label) in regs.organisations._by_name or normalise(label) in labels:
            # another territory's body has that name ("Cap emploi" of the Gironde): the label says where
            area = resolver.ref.area(*next(iter(territory.items())))
            label = f"{name} ({area.name if area else code})"
        if ident in taken or normalise(label) in regs.organisations._by_name or normalise(label) in labels:
            continue
        taken.add(ident)
        labels.add(normalise(label))
        out.append({"id": ident, "label": label, "kind": "unresolved", "local_names": [name], "territory": dict(territory),
                    "proposed": True, "source": {"document": doc_id, "line": line},
                    "note": "Nom que le registre ne connaissait pas, repris tel qu’écrit par cvgraph ingest : "
                            "organisme proposé, à valider (nature, nom exact, territoire)."})
    return out


# --- amendments ---------------------------------------------------------------------------------------

def amended(data: Path, amends: str):
    """The sheet of the contract an amendment amends (`--amends ID`), read from the data folder."""
    from ..sheets import Node, read_yaml
    path = Path(data) / "contracts" / f"{amends}.yaml"
    if slugify(amends) != amends or not path.is_file():
        raise UsageError(f"--amends {amends!r}: no such contract in {Path(data) / 'contracts'}; nothing written")
    root = read_yaml(path)
    if not isinstance(root, Node) or "amends" in root:
        raise UsageError(f"--amends {amends!r}: {path} is not a contract an amendment can amend; nothing written")
    return root


def as_amendment(sheet: dict, target, found: Found) -> dict:
    """A draft read from an amendment (avenant) as a revision of the contract it amends: `amends`,
    its document, title and dates, and for each orientation of that contract it names (by number)
    what it adds (pilots, services, funding, objectives, actions); an orientation the contract does
    not have is left out and reported."""
    numbers = {o.get("number") for o in target.get("orientations", []) if isinstance(o, dict)}
    out = {"id": sheet["id"], "amends": target["id"], "document": sheet["document"],
           "title": sheet.get("title", f"Avenant au contrat {target['id']}")}
    for key in ("document_note", "title_note", "signature"):
        if key in sheet:
            out[key] = sheet[key]
    out["orientations"] = []
    for o in sheet.get("orientations", []):
        added = {k: o[k] for k in ("pilots", "services", "funding", "objectives", "actions") if o.get(k)}
        if o["number"] not in numbers:
            found.unreadable.append(f"orientation {o['number']} (l. {o['line']}): not an orientation of "
                                    f"{target['id']}; left out of the amendment")
        elif added:
            out["orientations"].append({"number": o["number"], "line": o["line"], **added})
    if sheet.get("signatories"):
        out["signatories"] = [{k: v for k, v in sg.items() if k != "commitments"} for sg in sheet["signatories"]]
    return out


# --- confidence and the review list -----------------------------------------------------------------

def rate(sheet: dict) -> list[dict]:
    """Give every pilot, service, funding line and signatory of a draft a confidence, with the reason
    when it is not high, and return the list a person must check (low-confidence items first, then
    medium ones, then the sections and places the text leaves unclear), each with page and line.

    - low: a name no registry or reference knows (kept as written, proposed), a funding line with
      pieces read as neither an instrument nor a funder, or naming a scheme no registry knows;
    - medium: an organisation found inside a longer phrase, an item joined across lines, a generic
      name ("la CAF") that the contract's place must resolve;
    - high: a whole item whose names the registries or the reference resolve.
    The build marks low-confidence items "à valider" (cv:toValidate) until a person confirms them
    (removes `confidence` from the sheet)."""
    review = []

    def mark(item: dict, what: str, where: str, level: str, why: str) -> None:
        item["confidence"] = level
        if level != "high":
            item["confidence_note"] = why
            review.append({"level": level, "what": what, "where": where, "page": item.get("page"),
                           "line": item.get("line"), "why": why})

    for o in sheet.get("orientations", []):
        where = f"O{o.get('number')}"
        for key in ("pilots", "services"):
            for p in o.get(key, []):
                what = f"{key[:-1]} {p.get('name') or ', '.join(p.get('orgs', []))}"
                if p.get("proposed"):
                    mark(p, what, where, "low", "Nom inconnu des registres, repris tel qu’écrit.")
                elif "orgs" in p:
                    mark(p, what, where, "medium", f"Organisme(s) trouvé(s) dans la phrase « {p.get('written', '')[:80]} ».")
                else:
                    mark(p, what, where, "high", "")
        for f in o.get("funding", []):
            what = f"funding {f.get('funder')} ({', '.join(f.get('instruments', [])) or 'sans dispositif'})"
            if f.get("proposed"):
                mark(f, what, where, "low", "Financeur inconnu des registres, repris tel qu’écrit.")
            elif f.get("proposed_instruments"):
                mark(f, what, where, "low", "Dispositif inconnu des registres : " + ", ".join(f["proposed_instruments"]) + ".")
            elif f.get("not_resolved"):
                mark(f, what, where, "low", "Partie de la ligne lue ni comme financeur ni comme dispositif : "
                     + "; ".join(f["not_resolved"])[:120] + ".")
            elif f.get("to") and f["to"] != f.get("line"):
                mark(f, what, where, "medium", f"Ligne jointe sur les lignes {f['line']}-{f['to']}.")
            else:
                mark(f, what, where, "high", "")
    for sg in sheet.get("signatories", []):
        what = f"signatory {sg.get('org')}"
        if sg.get("proposed"):
            mark(sg, what, "signataires", "low", "Signataire inconnu des registres, repris tel qu’écrit.")
        else:
            mark(sg, what, "signataires", "high", "")
    review.sort(key=lambda r: (r["level"] != "low", r["line"] or 0))
    for o in sheet.get("orientations", []):
        if o.get("missing_sections"):
            review.append({"level": "section", "what": f"fiche O{o.get('number')}", "where": f"O{o.get('number')}",
                           "page": o.get("page"), "line": o.get("line"),
                           "why": "Sections absentes : " + ", ".join(o["missing_sections"]) + "."})
    for key in ("place_note", "axes_note"):
        if sheet.get(key):
            review.append({"level": "section", "what": key.replace("_note", ""), "where": "contrat", "page": None,
                           "line": None, "why": sheet[key]})
    return review


def cite_pages(node, text: str) -> None:
    """Give every item of a draft with a `line` the page of that line (a PDF's text)."""
    starts, page = {}, 1
    for n, raw in enumerate(text.split("\n"), start=1):
        page += raw.count("\f")
        starts[n] = page

    def walk(x):
        if isinstance(x, dict):
            if isinstance(x.get("line"), int) and x["line"] in starts:
                x["page"] = starts[x["line"]]
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(node)
