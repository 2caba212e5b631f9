"""Identities scoped by territory and date (issue 15): the administrative reference, names resolved
inside their contract's place, placeholders, IRIs that last and the retired ones, no seed in code.

Two contracts are written for the tests (tests/fixtures/territory/): one in Échirolles (Isère),
which names its commune and département, and one that names no place."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS

from conftest import ROOT, run_cli
from cvgraph.errors import SourceError
from cvgraph.reference import Place, Reference
from cvgraph.registry import load_registries
from cvgraph.resolve import Resolver
from cvgraph.sources import checksum
from cvgraph.vocab import CV
from test_query import one_line_error

FIXTURES = ROOT / "tests" / "fixtures" / "territory"
ID = "https://w3id.org/cvgraph/id/"
# the bodies of the seed contracts' territory: Coutras, La Cali, Libourne, Gironde, Nouvelle-Aquitaine
SEED_TERRITORY = re.compile(r"coutras|cali|libourn|gironde|aquitaine|^ddets$|^ddtm$|^dsden-sdjes$|^drac$|^drets$|^cpam$|^cci$")


def with_fixtures(data: Path) -> None:
    """Register the two test texts and add their sheets to a copy of data/."""
    with open(data / "documents.yaml", "a", encoding="utf-8") as fh:
        for name in ("echirolles", "sans-lieu"):
            fh.write(f"""  - id: texte-{name}
    file: contrat-{name}.txt
    sha256: {checksum((FIXTURES / f"contrat-{name}.txt").read_bytes())}
    title: "Texte de test ({name})"
    kind: contract-text
""")
            shutil.copy(FIXTURES / f"contrat-{name}.yaml", data / "contracts" / f"contrat-{name}.yaml")


@pytest.fixture(scope="module")
def four_and_two(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("territory")
    shutil.copytree(ROOT / "data", tmp / "data")
    with_fixtures(tmp / "data")
    result = run_cli("build", "--data", str(tmp / "data"), "--out", str(tmp / "build"))
    assert result.exit_code == 0, result.output
    from cvgraph.graph import load_graph
    return tmp, load_graph(tmp / "build")


def orgs_of(g, contract: str) -> dict[str, set[str]]:
    """Every organisation a contract names, by the role it names it in."""
    c = URIRef(ID + f"contract/{contract}")
    out = {"signatory": {str(o) for o in g.objects(c, CV.signatory)},
           "pilot": {str(o) for o in g.objects(c, CV.pilotOrganisation)}, "participant": set(), "funder": set()}
    for o in g.subjects(CV.contract, c):
        for x in g.subjects(CV.orientation, o):
            out["participant"] |= {str(v) for v in g.objects(x, CV.participant)}
            out["funder"] |= {str(v) for v in g.objects(x, CV.funder)}
    return out


def ids(iris) -> set[str]:
    return {i.rsplit("/", 1)[-1] for i in iris}


# --- 2. names resolve inside their contract's territory, at its date ------------------------------

def test_a_contract_in_the_isere_gets_the_isere_bodies(four_and_two):
    _, g = four_and_two
    named = orgs_of(g, "contrat-echirolles")
    assert ids(named["signatory"]) == {"etat", "commune-echirolles-38151", "departement-isere",
                                       "region-auvergne-rhone-alpes", "caf-isere"}
    assert ids(named["pilot"]) == {"commune-echirolles-38151"}
    assert ids(named["participant"]) == {"commune-echirolles-38151", "caf-isere", "departement-isere"}
    assert ids(named["funder"]) == {"region-auvergne-rhone-alpes", "departement-isere", "etat", "caf-isere"}
    labels = {i: str(g.value(URIRef(ID + f"organisation/{i}"), RDFS.label)) for i in
              ("caf-isere", "departement-isere", "region-auvergne-rhone-alpes", "commune-echirolles-38151")}
    assert labels == {"caf-isere": "Caisse d’allocations familiales de l’Isère", "departement-isere": "Département de l’Isère",
                      "region-auvergne-rhone-alpes": "Région Auvergne-Rhône-Alpes",
                      "commune-echirolles-38151": "Commune d’Échirolles"}
    every = set().union(*named.values())
    assert not [i for i in ids(every) if SEED_TERRITORY.search(i)]
    caf = URIRef(ID + "organisation/caf-isere")   # described from the reference, which it cites
    assert g.value(caf, CV.covers) == URIRef(ID + "territory/departement-38")
    assert str(g.value(caf, DCTERMS.source)) == ID + "document/decoupage-administratif-6-0-0"
    assert "une caisse d’allocations familiales par département" in str(g.value(caf, CV.basis)).lower()


def test_the_seed_contracts_never_get_the_isere_bodies(four_and_two):
    _, g = four_and_two
    for contract in ("coutras-2024-2030", "coutras-2015-2023", "valenciennes-2015-2022", "contrat-003-2015"):
        named = set().union(*orgs_of(g, contract).values())
        assert not [i for i in ids(named) if "isere" in i or "echirolles" in i or "auvergne" in i], contract
    coutras = orgs_of(g, "coutras-2024-2030")
    assert {"caf-gironde", "departement-gironde", "region-nouvelle-aquitaine", "coutras"} <= ids(coutras["funder"])


def test_a_contract_that_names_no_place_gets_placeholders_only(four_and_two):
    _, g = four_and_two
    named = orgs_of(g, "contrat-sans-lieu")
    generic = set().union(*named.values()) - {ID + "organisation/etat"}
    assert ids(generic) == {f"{k}-non-nomme-contrat-sans-lieu" for k in ("commune", "departement", "region", "caf")}
    for iri in generic:
        s = URIRef(iri)
        assert g.value(s, CV.unresolved) == Literal(True)
        assert g.value(s, CV.placeholderFor) == URIRef(ID + "contract/contrat-sans-lieu")
        assert "ne dit pas où il est" in str(g.value(s, CV.flag))
    assert str(g.value(URIRef(ID + "organisation/departement-non-nomme-contrat-sans-lieu"), RDFS.label)) == \
        "Département (non nommé) — contrat contrat-sans-lieu"


@pytest.fixture(scope="module")
def resolver():
    return Resolver(load_registries(ROOT / "data").organisations, ROOT / "data")


def body(resolver, name: str, communes=(), *, stated=None, date=dt.date(2024, 1, 1), cid="x") -> str:
    place = Place(set(communes), stated or {}, date, resolver.ref)
    scope = resolver.scope(cid, place, date)
    from cvgraph.sheets import Node
    node = Node()
    node.key_lines = {}
    return scope.resolve(name, node, "name")


@pytest.mark.parametrize("commune,expected", [
    ("75056", "departement-ville-de-paris"), ("69123", "departement-metropole-de-lyon"),
    ("69264", "departement-rhone"), ("2A004", "departement-collectivite-de-corse"),
    ("67482", "departement-collectivite-europeenne-d-alsace"),
    ("97209", "departement-collectivite-territoriale-de-martinique"),
    ("97302", "departement-collectivite-territoriale-de-guyane"), ("59606", "departement-nord"),
    ("33138", "departement-gironde")])
def test_le_departement_is_the_body_that_holds_departmental_competences(resolver, commune, expected):
    assert body(resolver, "le Département", [commune]) == expected


def test_bodies_whose_territory_the_reference_does_not_give_stay_placeholders(resolver):
    assert body(resolver, "la CPAM", ["59606"]) == "cpam-non-nomme-x"           # the Nord has several CPAM
    assert body(resolver, "la CPAM", ["38151"]) == "cpam-isere"
    assert body(resolver, "la MSA", ["38151"]) == "msa-non-nomme-x"             # no caisse described there
    assert body(resolver, "la MSA", ["33138"]) == "msa-gironde"                 # the registry's caisse
    assert body(resolver, "Mission locale", ["38151"]) == "mission-locale-non-nomme-x"
    assert body(resolver, "Mission locale", ["33138"]) == "mission-locale-libournais"
    assert body(resolver, "CCAS", ["33138"]) == "coutras-ccas"


def test_a_generic_name_over_several_territories_is_a_placeholder(resolver):
    vm = resolver.ref.members["245901160"]                                      # Valenciennes Métropole
    assert len(vm) == 35
    assert body(resolver, "la commune", stated={"epci": {"245901160"}}) == "commune-non-nomme-x"
    assert body(resolver, "le Département", stated={"epci": {"245901160"}}) == "departement-nord"
    assert body(resolver, "la commune", ["38151", "38185"]) == "commune-non-nomme-x"
    assert body(resolver, "la CAF", ["38151", "33138"]) == "caf-non-nomme-x"


def test_names_resolve_at_the_contracts_date(resolver):
    assert body(resolver, "la Région", ["33138"], date=dt.date(2015, 7, 10)) == "region-non-nomme-x"  # before 2016
    assert body(resolver, "la Région", ["33138"], date=dt.date(2016, 1, 1)) == "region-nouvelle-aquitaine"
    assert body(resolver, "DDETS", ["38151"], date=dt.date(2019, 1, 1)) == "ddets-non-nomme-x"
    assert body(resolver, "DDETS", ["38151"], date=dt.date(2022, 1, 1)) == "ddets-isere"


def test_a_commune_is_taken_as_it_was_at_the_date(resolver):
    ref = resolver.ref
    merged = next(c for c in ref.changes if c["mod"] == "32" and c["code_before"] != c["code_after"]
                  and c["code_before"] not in ref.communes and c["date"] >= "2019-01-01")
    before = dt.date.fromisoformat(merged["date"]) - dt.timedelta(days=1)
    assert ref.commune_at(merged["code_before"], before) == merged["code_after"]   # its commune of today
    with pytest.raises(SourceError, match="no commune has the code"):
        ref.commune_at(merged["code_before"], dt.date.fromisoformat(merged["date"]) + dt.timedelta(days=1))


def test_an_agglomeration_by_its_town_and_the_word(resolver):
    """"CA de Nevers" (the reference's name) is also written "Nevers Agglomération"."""
    assert body(resolver, "Nevers Agglomération", ["58194"]) == body(resolver, "Communauté d'agglomération de Nevers", ["58194"])
    assert body(resolver, "Nevers Agglomération", ["58194"]).startswith("intercommunalite-ca-de-nevers")


def test_local_names_name_nothing_outside_their_territory(resolver):
    assert body(resolver, "Bailleurs sociaux", ["33138"]) == "bailleurs-sociaux"
    assert body(resolver, "PMI", ["33138"]) == "departement-gironde-pmi"
    for name in ("Bailleurs sociaux", "PMI", "BM"):
        with pytest.raises(SourceError, match="unknown organisation"):
            body(resolver, name, ["38151"])
    # the associations the seed texts place in La Cali's territory ("Associations Alifs, CIDFF, Info
    # Droits et VICT'AID" hold the Point-justice de la Cali): there "CIDFF" is that one; in Montluçon
    # (03185) a CIDFF is another association, which the name must not make the Libournais one
    assert body(resolver, "CIDFF", ["33138"]) == "cidff"
    assert body(resolver, "Le Lien", ["33138"]) == "le-lien"
    for name in ("CIDFF", "Le Lien", "Esprit de solidarité"):
        with pytest.raises(SourceError, match="unknown organisation"):
            body(resolver, name, ["03185"])


# --- 1. the reference --------------------------------------------------------------------------------

def test_the_reference_is_a_named_version_registered_as_a_document():
    version = yaml.safe_load((ROOT / "data" / "reference" / "version.yaml").read_text(encoding="utf-8"))
    assert version["reference"] == "@etalab/decoupage-administratif" and version["version"] == "6.0.0"
    docs = {d["id"]: d for d in yaml.safe_load((ROOT / "data" / "documents.yaml").read_text(encoding="utf-8"))["documents"]}
    entry = docs[version["document"]]
    assert entry["kind"] == "reference-data" and entry["sha256"] == version["package_sha256"]
    assert (ROOT / "scripts" / "reference_tables.py").is_file()


def test_the_reference_tables():
    ref = Reference(ROOT / "data" / "reference")
    assert len(ref.communes) > 34000 and len(ref.tables["departement"]) == 109 and len(ref.tables["epci"]) > 1200
    coutras = ref.communes["33138"]
    assert (coutras["nom"], coutras["departement"], coutras["region"], coutras["ctcd"], coutras["siren"],
            coutras["epci"]) == ("Coutras", "33", "75", "33D", "213301385", "200070092")
    assert ref.tables["epci"]["200070092"]["nom"] == "CA du Libournais"
    assert ref.ctcds_of("69") == {"69M", "69D"} and ref.ctcds_of("67") == {"6AE"}
    assert ref.area("departement", "33").of_name == "de la Gironde" and ref.area("departement", "59").of_name == "du Nord"


def test_official_codes_are_identifiers_linked_to_their_official_resources(four_and_two):
    _, g = four_and_two
    ref = Reference(ROOT / "data" / "reference")
    siren = ref.communes["38151"]["siren"]
    assert re.fullmatch(r"\d{9}", siren)
    town = URIRef(ID + "organisation/commune-echirolles-38151")
    assert Literal(siren) in set(g.objects(town, DCTERMS.identifier))
    assert URIRef(f"https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}") in set(g.objects(town, RDFS.seeAlso))
    for dimension, code, route in [("commune", "38151", "communes"), ("departement", "38", "departements"),
                                   ("region", "84", "regions"), ("epci", "200070092", "epcis")]:
        t = URIRef(ID + f"territory/{dimension}-{code}")
        assert g.value(t, DCTERMS.identifier) == Literal(code)
        assert g.value(t, RDFS.seeAlso) == URIRef(f"https://geo.api.gouv.fr/{route}/{code}")
        # the same territory at INSEE (its COG resource named by the code); INSEE names EPCIs by UUID only
        assert set(g.objects(t, OWL.sameAs)) == (set() if dimension == "epci" else
                                                 {URIRef(f"http://id.insee.fr/geo/{dimension}/{code}")})
    assert g.value(town, OWL.sameAs) is None   # a collectivité is not its territory
    # bodies that claim a commune's or an EPCI's territory are not that collectivité: not its SIREN
    for body in ("coutras-ccas", "conseil-citoyen-coutras", "mission-locale-libournais"):
        assert g.value(URIRef(ID + f"organisation/{body}"), CV.siren) is None
    assert g.value(URIRef(ID + "organisation/la-cali"), CV.siren) == Literal("200070092")


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("edit,message", [
    (("contracts/contrat-echirolles.yaml", 'code: "38151"', 'code: "3815"'), "not an INSEE commune code"),
    (("contracts/contrat-echirolles.yaml", 'code: "38151"', 'code: "38999"'), "no commune has the code 38999"),
    (("contracts/contrat-echirolles.yaml", 'code: "38", line: 4', 'code: "73", line: 4'), "not in departement 73"),
    (("organisations.yaml", 'territory: {epci: "200070092"}}', 'territory: {epci: "20007009"}}'), "not the code of a epci"),
    (("organisations.yaml", 'body: {kind: caf, territory: {departement: "33"}}',
      'body: {kind: caf, territory: {departement: "33"}}\n    names: [x]'), "duplicate key"),
    (("organisations.yaml", 'body: {kind: msa, territory: {departement: "33"}}',
      'body: {kind: caf, territory: {departement: "33"}}'), "already claims to be the caf of departement 33"),
    (("organisations.yaml", "names: [CD33,", "names: [Dpt, CD33,"), "is a generic name of the kind 'departement'"),
    (("reference/links.yaml", 'epci: "https://geo.api.gouv.fr/epcis/{code}"',
      'epci: "geo.api.gouv.fr/epcis/"'), "a URI pattern is an http(s) URI with one {code}"),
    (("reference/links.yaml", '  - "https://geo.api.gouv.fr/communes/{code}"', '  - "geo.api.gouv.fr/communes/"'),
     "a URI pattern is an http(s) URI with one {code}"),
    (("reference/links.yaml", "predicate: owl:sameAs, pattern: \"http://id.insee.fr/geo/region/{code}\"",
      "predicate: skos:exactMatch, pattern: \"http://id.insee.fr/geo/region/{code}\""),
     "predicate 'skos:exactMatch' is not one of rdfs:seeAlso, owl:sameAs"),
    (("retired.yaml", "new: contract/coutras-2015-2023/figure/13-1", "new: contract/coutras-2015-2023/figure/1"),
     "cannot be retired to itself"),
    (("retired.yaml", "new: organisation/departement-nord, reason: territory",
      "new: contract/valenciennes-2015-2022/commitment/departement-non-precise-004, reason: territory",
      "new: contract/valenciennes-2015-2022/commitment/departement-nord, reason: territory",
      "new: organisation/departement-non-precise-004, reason: territory"), "retired IRIs loop"),
])
def test_bad_territory_input_is_one_line_and_changes_nothing(tmp_path, edit, message):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with_fixtures(data)
    out = tmp_path / "out"
    assert run_cli("build", "--data", str(data), "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    name, *pairs = edit
    text = (data / name).read_text(encoding="utf-8")
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert old in text, old
        text = text.replace(old, new, 1)
    (data / name).write_text(text, encoding="utf-8")
    one_line_error(run_cli("build", "--data", str(data), "--out", str(out)), str(data / name), message)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_a_territory_that_does_not_exist_at_the_contracts_date(resolver):
    created = next(c for c in resolver.ref.changes if c["mod"] in ("20", "21") and c["type_after"] == "COM"
                   and c["code_after"] != c["code_before"] and c["code_after"] in resolver.ref.communes
                   and c["date"] > "2014-01-01")   # a commune created (or re-established) since 2014
    day = dt.date.fromisoformat(created["date"])
    with pytest.raises(SourceError, match="does not exist at the contract's date"):
        resolver.ref.commune_at(created["code_after"], day - dt.timedelta(days=1))
    assert resolver.ref.commune_at(created["code_after"], day) == created["code_after"]


# --- 3. IRIs that last ------------------------------------------------------------------------------

def test_correcting_a_funding_lines_instrument_keeps_its_iri(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with_fixtures(data)
    from cvgraph.graph import load_graph

    def line_of(build: Path):
        g = load_graph(build)
        o = URIRef(ID + "contract/contrat-echirolles/orientation/1")
        return {(str(s), str(g.value(s, CV.instrument)), str(g.value(s, CV.fundingKind)).rsplit("/", 1)[-1])
                for s in g.subjects(CV.orientation, o) if g.value(s, CV.sourceLine) == Literal(15)}
    assert run_cli("build", "--data", str(data), "--out", str(tmp_path / "a")).exit_code == 0
    sheet = data / "contracts" / "contrat-echirolles.yaml"
    text = sheet.read_text(encoding="utf-8")
    fixed = text.replace('{line: 15, kind: specifique, funder: CAF, instruments: [CLAS]',
                         '{line: 15, kind: droit-commun, funder: CAF, instruments: [FEDER]')
    assert fixed != text
    sheet.write_text(fixed, encoding="utf-8")
    assert run_cli("build", "--data", str(data), "--out", str(tmp_path / "b")).exit_code == 0
    (a,), (b,) = line_of(tmp_path / "a"), line_of(tmp_path / "b")
    assert a[0] == b[0] == ID + "contract/contrat-echirolles/orientation/1/funding/15-1"
    assert a[1:] == (ID + "instrument/clas", "specifique") and b[1:] == (ID + "instrument/feder", "droit-commun")


def test_retired_iris_are_deprecated_and_replaced(g):
    retired = yaml.safe_load((ROOT / "data" / "retired.yaml").read_text(encoding="utf-8"))["retired"]
    assert len(retired) > 500
    for r in retired:
        old, new = URIRef(ID + r["old"]), URIRef(ID + r["new"])
        assert g.value(old, OWL.deprecated) == Literal(True) and g.value(old, DCTERMS.isReplacedBy) == new
        assert (new, None, None) in g and len(list(g.predicate_objects(old))) == 2
    moved = {r["old"]: r["new"] for r in retired}
    assert moved["organisation/departement-non-precise-004"] == "organisation/departement-nord"
    assert moved["contract/coutras-2024-2030/orientation/1/funding/droit-commun/region-nouvelle-aquitaine/feder"] \
        == "contract/coutras-2024-2030/orientation/1/funding/1411-3"   # FEDER is the line's third instrument


def test_serve_answers_every_retired_iri_with_301(built, tmp_path):
    from servers import cvgraph_server

    retired = yaml.safe_load((ROOT / "data" / "retired.yaml").read_text(encoding="utf-8"))["retired"]

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    with cvgraph_server(built, tmp_path / "serve.log") as base:
        for r in retired:
            try:
                opener.open(base + r["old"], timeout=30)
                pytest.fail(f"{r['old']}: no redirect")
            except urllib.error.HTTPError as err:
                assert err.code == 301 and err.headers["Location"] == "/" + r["new"], r
        with pytest.raises(urllib.error.HTTPError) as err:
            opener.open(base + retired[0]["old"] + ".ttl", timeout=30)
        assert err.value.code == 301 and err.value.headers["Location"] == "/" + retired[0]["new"] + ".ttl"
        with urllib.request.urlopen(base + retired[0]["old"], timeout=30) as followed:   # and it lands
            assert followed.status == 200 and followed.url == base + retired[0]["new"]


# --- 4. no seed data in code --------------------------------------------------------------------------

def test_no_seed_document_territory_or_organisation_in_src():
    """No string the code runs with names a seed document, territory or organisation (docstrings,
    comments and `help=` examples, which name the embedded data, are text for people)."""
    import ast

    pattern = re.compile(r"seed-00\d|qpv-centre|coutras|la-cali|gironde|libourn|valenciennes|aquitaine", re.I)
    found = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body \
                    and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
                skip.add(id(node.body[0].value))
            if isinstance(node, ast.keyword) and node.arg == "help":
                skip |= {id(n) for n in ast.walk(node.value)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                    and pattern.search(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def test_one_resolution_module_for_compile_and_ingest():
    compile_src = (ROOT / "src" / "cvgraph" / "compile.py").read_text(encoding="utf-8")
    ingest_src = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "cvgraph" / "ingest").rglob("*.py"))
    assert "from .resolve import" in compile_src and re.search(r"from \.{2,3}resolve import", ingest_src)
    assert "organisations.resolve(" not in compile_src
