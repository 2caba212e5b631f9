"""Regenerate `data/reference/` from a named version of Etalab's administrative reference.

The reference is `@etalab/decoupage-administratif` (npm registry), built from the
`datagouv/decoupage-administratif` repository (INSEE's Code officiel géographique and the DGCL's
list of EPCIs). Two inputs of the same version are read:

- the npm package, as `npm pack @etalab/decoupage-administratif@VERSION` downloads it (régions,
  départements, arrondissements, communes with their SIREN, EPCIs with their SIREN and members);
- the repository's `sources/` folder at tag `vVERSION` (INSEE's `communes.csv`, for the CTCD
  column: which collectivité holds the departmental competences of each commune, and
  `mouvements-communes.csv`, the changes of communes over time).

Usage (from the root of a checkout)::

    npm pack @etalab/decoupage-administratif@6.0.0
    git clone https://github.com/datagouv/decoupage-administratif && git -C decoupage-administratif checkout v6.0.0
    python scripts/reference_tables.py --package etalab-decoupage-administratif-6.0.0.tgz \\
        --sources decoupage-administratif/sources --version 6.0.0

It writes compact CSV tables (sorted, so that the same version gives the same bytes) and
`data/reference/version.yaml`, which records the version and the SHA-256 of both inputs; the
documents registry cites the reference by that version. Codes and names are copied, never edited.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import tarfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "reference"
SINCE = "2014-01-01"   # the first contrats de ville were signed in 2015: older changes of communes are left out

# The seven collectivités that hold departmental competences without being an ordinary
# département (COG, CTCD column); every other CTCD code is "<département>D", the département itself.
SPECIAL_CTCD = {
    "20R": "Collectivité de Corse",
    "69M": "Métropole de Lyon",
    "6AE": "Collectivité européenne d’Alsace",
    "75C": "Ville de Paris",
    "972R": "Collectivité territoriale de Martinique",
    "973R": "Collectivité territoriale de Guyane",
    "976R": "Département de Mayotte",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(name: str, header: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(sorted(rows))
    (OUT / name).write_text(buf.getvalue(), encoding="utf-8")
    print(f"{OUT / name}: {len(rows)} rows")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--package", type=Path, required=True, help="the npm tarball of the version")
    ap.add_argument("--sources", type=Path, required=True, help="the repository's sources/ folder at that version")
    ap.add_argument("--version", required=True)
    args = ap.parse_args()
    with tarfile.open(args.package) as tar:
        data = {name: json.load(tar.extractfile(f"package/data/{name}.json"))
                for name in ("regions", "departements", "arrondissements", "communes", "epci")}
        package_version = json.load(tar.extractfile("package/package.json"))["version"]
    if package_version != args.version:
        raise SystemExit(f"the package is version {package_version}, not {args.version}")
    OUT.mkdir(parents=True, exist_ok=True)

    with open(args.sources / "communes.csv", encoding="utf-8") as fh:
        ctcd = {r["COM"]: r["CTCD"] for r in csv.DictReader(fh) if r["TYPECOM"] == "COM"}
    epci_of = {m["code"]: e["code"] for e in data["epci"] for m in e["membres"]}

    write("regions.csv", ["code", "nom", "type_liaison", "chef_lieu"],
          [[r["code"], r["nom"], r["typeLiaison"], r["chefLieu"]] for r in data["regions"]])
    write("departements.csv", ["code", "nom", "type_liaison", "region", "chef_lieu"],
          [[d["code"], d["nom"], d["typeLiaison"], d["region"], d["chefLieu"]] for d in data["departements"]])
    write("arrondissements.csv", ["code", "nom", "type_liaison", "departement", "chef_lieu"],
          [[a["code"], a["nom"], a["typeLiaison"], a["departement"], a["chefLieu"]] for a in data["arrondissements"]])
    communes = [c for c in data["communes"] if c["type"] == "commune-actuelle"]
    # the communes of the collectivités d'outre-mer (975-988) have no département and no CTCD in the COG
    missing = [c["code"] for c in communes if c["code"] not in ctcd and c.get("departement", "999") < "975"]
    if missing:
        raise SystemExit(f"{len(missing)} communes of the package are not in {args.sources}/communes.csv: "
                         f"{missing[:5]} (not the same version?)")
    write("communes.csv", ["code", "nom", "type_liaison", "departement", "region", "arrondissement", "ctcd",
                           "siren", "epci"],
          [[c["code"], c["nom"], c.get("typeLiaison", ""), c.get("departement", ""), c.get("region", ""), c.get("arrondissement", ""),
            ctcd.get(c["code"], ""), c.get("siren", ""), epci_of.get(c["code"], "")] for c in communes])
    write("epci.csv", ["siren", "nom", "type"], [[e["code"], e["nom"], e["type"]] for e in data["epci"]])
    names = {d["code"]: d for d in data["departements"]}
    codes = sorted(set(ctcd.values()))
    rows = []
    for code in codes:
        if code in SPECIAL_CTCD:
            rows.append([code, SPECIAL_CTCD[code], "special"])
        else:
            dep = names[code[:-1]]
            rows.append([code, dep["nom"], "departement"])
    write("ctcd.csv", ["code", "nom", "nature"], rows)
    with open(args.sources / "mouvements-communes.csv", encoding="utf-8") as fh:
        moves = [[r["DATE_EFF"], r["MOD"], r["TYPECOM_AV"], r["COM_AV"], r["LIBELLE_AV"], r["TYPECOM_AP"],
                  r["COM_AP"], r["LIBELLE_AP"]] for r in csv.DictReader(fh) if r["DATE_EFF"] >= SINCE]
    write("commune-changes.csv", ["date", "mod", "type_before", "code_before", "nom_before", "type_after",
                                  "code_after", "nom_after"], moves)
    (OUT / "version.yaml").write_text(
        "# Written by scripts/reference_tables.py: the version of the reference the tables come from.\n"
        f"reference: \"@etalab/decoupage-administratif\"\nversion: \"{args.version}\"\n"
        f"document: decoupage-administratif-{args.version.replace('.', '-')}   # its entry in data/documents.yaml\n"
        f"repository_tag: v{args.version}\n"
        f"package_sha256: {sha256(args.package)}\n"
        f"communes_csv_sha256: {sha256(args.sources / 'communes.csv')}\n"
        f"mouvements_csv_sha256: {sha256(args.sources / 'mouvements-communes.csv')}\n"
        f"changes_since: \"{SINCE}\"\n", encoding="utf-8")


if __name__ == "__main__":
    main()
