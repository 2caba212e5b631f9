"""The query library and `cvgraph query`: golden outputs, values read in the seed text, parameters
bound by the engine, and the one-line errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter

import pyoxigraph as ox
import pytest

from conftest import ROOT, check_golden, run_cli
from cvgraph.names import sort_key
from cvgraph.query import named_queries, resolve, run_embedded

C24 = "coutras-2024-2030"
ID = "https://w3id.org/cvgraph/id/"
TWO = ROOT / "tests" / "fixtures" / "two-contracts.ttl"

# The parameters each query is run with for its golden file (and on the endpoint, in test_endpoint).
PARAMS = {
    "funder-profile": {"funder": "region-nouvelle-aquitaine", "contract": C24},
    "orientation-sheet": {"contract": C24, "orientation": "5"},
    "contract-diff": {"from": "coutras-2015-2023", "to": C24},
    "orientations": {"contract": C24},
}
REQUIRED_PARAMS = {"funder-profile": {"funder"}, "orientation-sheet": {"contract", "orientation"},
                   "contract-diff": {"from", "to"}, "orientations": {"contract"}}
LIBRARY = {"who-funds-what", "funder-profile", "orientation-sheet", "instruments", "partner-roles",
           "signatories", "observations", "common-funders", "contract-diff", "contracts", "orientations"}


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def param_args(name: str) -> list[str]:
    return [arg for k, v in PARAMS.get(name, {}).items() for arg in ("--param", f"{k}={v}")]


# --- the library ------------------------------------------------------------------------------

def test_library_has_the_queries_analysts_ask_for_each_titled_and_described():
    queries = named_queries()
    assert LIBRARY <= set(queries)
    for q in queries.values():
        assert q.title and q.title != q.name, q.name
        assert len(q.description) > 40, q.name
        assert q.purpose in {"reports", "profiles", "compare", "gaps"}, q.name
        assert "NOT EXISTS" not in q.text.upper(), q.name  # slow at scale, see README
        assert "ORDER BY" in q.text, q.name  # same rows in the same order on every engine
    for name, required in REQUIRED_PARAMS.items():
        assert {p.name for p in queries[name].params if not p.optional} == required


def test_query_list_shows_titles_and_parameters():
    result = run_cli("query", "--list")
    assert result.exit_code == 0
    assert "who-funds-what" in result.stdout and "Qui finance quoi" in result.stdout
    assert "--param funder=…" in result.stdout and "--param orientation=… (integer)" in result.stdout


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_golden_output_of_each_named_query(built, name):
    result = run_cli("query", name, "--graph", str(built), "--format", "csv", *param_args(name))
    assert result.exit_code == 0, result.output
    check_golden(f"query/{name}.csv", result.stdout)


# --- who funds what: the output contract, checked against the seed text -------------------------

@pytest.fixture(scope="module")
def wfw(built):
    result = run_cli("query", "who-funds-what", "--graph", str(built), "--format", "csv")
    assert result.exit_code == 0
    return result.stdout


def test_who_funds_what_header_and_values(wfw):
    assert wfw.splitlines()[0] == \
        "contract,orientation,orientation_title,funder,funder_label,instrument,instrument_label,kind,kind_inferred," \
        "line,unit_label"
    rows = csv_rows(wfw)
    assert len(rows) == 338  # one per funding line (and instrument) of seed 002
    assert {r["kind"] for r in rows} == {"droit-commun", "specifique", "non-precise"}
    assert all(r["orientation"].isdigit() for r in rows)
    funders = {r["funder"] for r in rows}
    assert ID + "organisation/etat" in funders
    # rolled up to the top-level organisation: no State service or Département unit is a funder
    for unit in ("ddets", "ddtm", "prefecture-gironde", "education-nationale", "drac", "mildeca"):
        assert ID + f"organisation/{unit}" not in funders
    assert all(bool(r["instrument"]) == bool(r["instrument_label"]) for r in rows)
    # sorted as people read: accents and case ignored ("État" among the E's, "BM" after "Banque")
    key = [(r["contract"], int(r["orientation"]), sort_key(r["funder_label"]), sort_key(r["instrument_label"]))
           for r in rows]
    assert key == sorted(key)
    funders_of_o1 = list(dict.fromkeys(r["funder_label"] for r in rows if r["orientation"] == "1"))
    assert funders_of_o1.index("État") < funders_of_o1.index("Région Nouvelle-Aquitaine")


def test_a_kind_the_heading_does_not_state_comes_from_the_instrument(wfw):
    """O1 and O2 of Coutras 2024-2030 list « Bop 147 politique ville Préfecture » under « Financements
    mobilisables » (seed 002 l. 1429 and 1518), a heading that does not say the kind: the BOP 147 is a
    specific credit (l. 2147-2148), so the lines are `specifique`, inferred, their heading kept."""
    inferred = [(r["orientation"], r["instrument"].rsplit("/", 1)[1], r["kind"]) for r in csv_rows(wfw)
                if r["kind_inferred"] == "yes"]
    assert ("1", "bop-147", "specifique") in inferred and ("2", "bop-147", "specifique") in inferred
    assert all(kind == "specifique" for _, _, kind in inferred)
    nonprecise = [r for r in csv_rows(wfw) if r["contract"] == C24 and r["orientation"] == "10" and r["kind"] == "non-precise"]
    assert nonprecise and not [r for r in nonprecise if r["kind_inferred"]]   # « Co Financements » without a specific credit
    result = run_cli("gaps", "--contract", C24, "--format", "csv")
    assert "orientation-without-specific-funding" not in result.stdout


def test_who_funds_what_orientation_5_as_in_the_fiche(wfw):
    """Seed 002, fiche O5, l. 1712-1734 (MOBILISATION DES COFINANCEURS)."""
    o5 = [r for r in csv_rows(wfw) if r["contract"] == C24 and r["orientation"] == "5"]
    per_funder = Counter((r["funder"].rsplit("/", 1)[1], r["kind"]) for r in o5)
    assert per_funder == {
        ("region-nouvelle-aquitaine", "droit-commun"): 1,  # l. 1715 "-Région : OPAH"
        ("departement-gironde", "droit-commun"): 9,        # l. 1716-1721, nine measures of the Dpt
        # l. 1723 État: DSIL, abattement TFPB, Rénov, Mon accompagnateur Rénov (4);
        # l. 1724-1727 DDETS (5) and l. 1728 DDTM (1), both State services
        ("etat", "droit-commun"): 10,
        ("etat", "specifique"): 1,                         # l. 1733 "Bop 147 politique ville Préfecture"
        ("bpi", "droit-commun"): 1,                        # l. 1729 "-BPI", no instrument
        ("bm", "droit-commun"): 1,                         # l. 1730 "-BM :", no instrument
        ("coutras", "droit-commun"): 1,                    # l. 1731 "-Commune", no instrument
    }
    by_funder = {}
    for r in o5:
        by_funder.setdefault(r["funder"].rsplit("/", 1)[1], set()).add(r["instrument_label"])
    assert by_funder["region-nouvelle-aquitaine"] == {"OPAH"}
    assert by_funder["bpi"] == by_funder["bm"] == by_funder["coutras"] == {""}
    assert {"DSIL", "abattement TFPB", "Rénov", "Mon accompagnateur Rénov", "France Rénov",
            "Fonds de restructuration des logements commerciaux", "BOP 147 « Politique de la ville »"} <= by_funder["etat"]
    assert {r["orientation_title"] for r in o5} == {"Accompagner l’amélioration de l’habitat en transition"}


def test_who_funds_what_orientation_9_as_in_the_fiche(wfw):
    """Seed 002, fiche O9, l. 2117-2152 (Cofinancements)."""
    o9 = [r for r in csv_rows(wfw) if r["contract"] == C24 and r["orientation"] == "9"]
    per_funder = Counter((r["funder"].rsplit("/", 1)[1], r["kind"]) for r in o9)
    assert per_funder == {
        ("caf-gironde", "droit-commun"): 8,           # l. 2119-2121: CLAS, REAP, LAEP, bonus mixité, …
        ("region-nouvelle-aquitaine", "droit-commun"): 2,  # l. 2122: soutien scolaire gratuit, orientation
        ("departement-gironde", "droit-commun"): 12,  # l. 2123-2133
        # l. 2134-2140: EN (5), DRAC (4), SDJES (2), MILDECA (1), FIPD (1)
        ("etat", "droit-commun"): 13,
        # l. 2148-2151: BOP 147 and the eight measures the Préfecture lists under it
        ("etat", "specifique"): 9,
        ("bpi", "droit-commun"): 2,                   # l. 2141-2142: FISO ?, AAP …
        ("la-cali", "droit-commun"): 1,               # l. 2143 "Communauté d’agglomération du Libournais"
        ("coutras", "droit-commun"): 1,               # l. 2144 "Ville de Coutras"
    }
    labels = {r["instrument_label"] for r in o9 if r["funder"].endswith("/caf-gironde")}
    assert {"CLAS", "REAP", "LAEP", "bonus mixité", "bonus territoire", "1000 premiers jours"} <= labels
    etat_sp = {r["instrument_label"] for r in o9 if r["funder"].endswith("/etat") and r["kind"] == "specifique"}
    assert {"PRE", "Cité Educative", "Cordées de la réussite", "PaQte", "monstagedetroisieme"} <= etat_sp


def test_orientation_sheet_orientation_5(built):
    """Seed 002, fiche O5: title l. 1653, four objectives l. 1674-1679, eight actions l. 1684-1702,
    pilots l. 1706, services l. 1710."""
    result = run_cli("query", "orientation-sheet", "--graph", str(built), "--format", "csv",
                     "--param", f"contract={C24}", "--param", "orientation=5")
    rows = csv_rows(result.stdout)
    by_section = Counter(r["section"] for r in rows)
    assert by_section["title"] == 1 and by_section["axis"] == 1
    assert by_section["objective"] == 4 and by_section["action"] == 8
    assert {r["item"] for r in rows if r["section"] == "pilot"} == {
        "Commune de Coutras", "Service habitat de La Cali", "Mission ville"}
    assert {r["item"] for r in rows if r["section"] == "service"} == {
        "Bailleurs sociaux", "DDTM (direction départementale des territoires et de la mer)", "ANAH",
        "Service habitat du Département de la Gironde"}
    assert [r["line"] for r in rows if r["section"] == "pilot"] == ["1706"] * 3
    assert rows[0]["item"] == "Accompagner l’amélioration de l’habitat en transition" and rows[0]["line"] == "1653"
    assert [r["section"] for r in rows][:2] == ["title", "axis"]
    assert any(r["section"] == "action" and r["rank"] == "2" and r["item"].startswith("Organiser un café-logement")
               for r in rows)


def test_funder_profile_rolls_units_into_the_funder(built):
    """funder=etat gathers the State's own lines and those of its services (DDETS, DDTM, Préfecture…)."""
    result = run_cli("query", "funder-profile", "--graph", str(built), "--format", "csv",
                     "--param", "funder=etat", "--param", f"contract={C24}")
    rows = csv_rows(result.stdout)
    units = {r["unit"].rsplit("/", 1)[1] for r in rows}
    assert {"etat", "ddets", "ddtm", "prefecture-gironde"} <= units
    o5 = [r for r in rows if r["orientation"] == "5"]
    assert len(o5) == 11  # as in test_who_funds_what_orientation_5_as_in_the_fiche: 10 + 1
    assert {r["line"] for r in o5 if r["unit"].endswith("/ddtm")} == {"1728"}
    assert all(r["document"] == "002_ac9efd2afd3fa111.txt" for r in rows)


def test_signatories_and_commitments(built):
    """Seed 002 gives the commitments of 19 signatories (l. 533-1320); BPI also signs (seed 000,
    l. 7) but writes no commitment."""
    result = run_cli("query", "signatories", "--graph", str(built), "--format", "csv", "--param", f"contract={C24}")
    rows = csv_rows(result.stdout)
    assert len({r["signatory"] for r in rows}) == 20
    assert len({r["signatory"] for r in rows if r["commitment"]}) == 19
    bpi = [r for r in rows if r["signatory"].endswith("/bpi")]
    assert len(bpi) == 1 and bpi[0]["commitment"] == ""
    region = [r for r in rows if r["signatory"].endswith("/region-nouvelle-aquitaine")]
    assert region and all(r["commitment"] and 533 <= int(r["line"]) <= 1320 for r in region)


def test_observations_say_when_period_or_source_is_not_stated(built):
    result = run_cli("query", "observations", "--graph", str(built), "--format", "csv", "--param", f"contract={C24}")
    rows = csv_rows(result.stdout)
    flagged = [r for r in rows if r["value"] == "332.9"]
    assert len(flagged) == 1 and flagged[0]["line"] == "1436" and flagged[0]["flag"]  # seed 002 l. 1436
    o5 = [r for r in rows if r["orientation"] == "5"]
    assert sorted(float(r["value"]) for r in o5) == [18.1, 34.8, 45.7, 51.0, 72.0, 80.7]  # l. 1657-1660
    assert all(r["period_stated"] == "no" and r["period"] == "" for r in o5)


def test_common_funders_and_contract_diff_on_two_generations():
    """tests/fixtures/two-contracts.ttl: the State funds both contracts (through the DDETS in alpha);
    the CAF only alpha, the Région only beta."""
    result = run_cli("query", "common-funders", "--graph", str(TWO), "--format", "csv")
    rows = csv_rows(result.stdout)
    assert [(r["funder_label"], r["contracts"], r["contract"], r["lines"], r["orientations"]) for r in rows] == [
        ("État", "2", "alpha", "2", "2"), ("État", "2", "beta", "1", "1")]
    result = run_cli("query", "contract-diff", "--graph", str(TWO), "--format", "csv",
                     "--param", "from=alpha", "--param", "to=beta")
    diff = {(r["kind"], r["label"].lower(), r["status"], r["from_ref"], r["to_ref"]) for r in csv_rows(result.stdout)}
    assert diff == {
        ("signatory", "état", "kept", "", ""), ("signatory", "caf", "removed", "", ""),
        ("signatory", "région", "added", "", ""),
        ("orientation", "garantir la tranquillité", "kept", "1", "2"),
        ("orientation", "emploi", "removed", "2", ""), ("orientation", "santé", "added", "", "1"),
        ("funder", "état", "kept", "", ""), ("funder", "caf", "removed", "", ""),
        ("funder", "région", "added", "", ""),
    }


def test_contract_diff_tells_changed_from_not_recorded_and_a_group_from_its_members(built):
    """Coutras 2015-2023 → 2024-2030 (issue 18, point 7). The 2015 sources record signatories (seed 000,
    l. 7: "les bailleurs sociaux présents sur le quartier, les chambres consulaires…") but no orientation
    and no funding line: those of 2024 are not-recorded-in-from, never "added". The 2015 groups
    "Bailleurs sociaux" and "Chambres consulaires" are not "removed": their members Clairsienne, Gironde
    Habitat, Mésolia (seed 002's signatories) and the CCI (a chambre consulaire, seed 002 l. 1368) sign
    2024-2030."""
    result = run_cli("query", "contract-diff", "--graph", str(built), "--format", "csv",
                     "--param", "from=coutras-2015-2023", "--param", f"to={C24}")
    rows = csv_rows(result.stdout)
    by_kind = Counter((r["kind"], r["status"]) for r in rows)
    assert by_kind[("orientation", "not-recorded-in-from")] == 16 and not by_kind[("orientation", "added")]
    assert by_kind[("funder", "not-recorded-in-from")] > 0 and not by_kind[("funder", "added")]
    status = {r["item"].rsplit("/", 1)[-1]: (r["status"], r["detail"]) for r in rows if r["kind"] == "signatory"}
    assert status["bailleurs-sociaux"] == ("as-members", "3 de ses membres signent l’autre contrat (lignes via-group)")
    assert status["chambres-consulaires"][0] == "as-members"
    for member in ("clairsienne", "gironde-habitat", "mesolia"):
        assert status[member] == ("via-group", "signe l’autre contrat au sein du groupe : Bailleurs sociaux")
    assert status["cci"] == ("via-group", "signe l’autre contrat au sein du groupe : Chambres consulaires")
    assert status["etat"] == ("kept", "") and status["caf-gironde"][0] == "kept"
    # the new signatories of seed 000, l. 7 (MSA, Mission locale, EPIDE, Bpifrance) are added: both sides list signatories
    assert {k for k, (s, _) in status.items() if s == "added"} >= {"msa-gironde", "mission-locale-libournais", "epide", "bpi"}
    assert not [k for k, (s, _) in status.items() if s == "removed"]
    # the other way round: removed only what the later contract's signatories leave out
    back = csv_rows(run_cli("query", "contract-diff", "--graph", str(built), "--format", "csv",
                            "--param", f"from={C24}", "--param", "to=coutras-2015-2023").stdout)
    assert Counter(r["status"] for r in back if r["kind"] == "orientation") == {"not-recorded-in-to": 16}
    assert {r["item"].rsplit("/", 1)[-1] for r in back if r["status"] == "removed"} >= {"msa-gironde", "bpi"}
    assert {r["item"].rsplit("/", 1)[-1] for r in back if r["status"] == "via-group"} == {
        "clairsienne", "gironde-habitat", "mesolia", "cci"}


# --- formats ----------------------------------------------------------------------------------

def test_every_format_carries_the_same_rows(built):
    args = ("query", "orientation-sheet", "--graph", str(built), "--param", f"contract={C24}", "--param", "orientation=9")
    rows = csv_rows(run_cli(*args, "--format", "csv").stdout)
    tsv = list(csv.DictReader(io.StringIO(run_cli(*args, "--format", "tsv").stdout), delimiter="\t"))
    assert tsv == rows
    assert json.loads(run_cli(*args, "--format", "json").stdout) == rows
    md = run_cli(*args, "--format", "md").stdout.splitlines()
    assert md[0] == "| contract | orientation | section | rank | item | value | detail | line | file |" and len(md) == len(rows) + 2
    table = run_cli(*args).stdout
    assert table.splitlines()[0].split() == list(rows[0]) and f"({len(rows)} ligne(s))" in table


def test_query_file_ask_and_construct(built, tmp_path):
    select = tmp_path / "mine.rq"
    select.write_text("# title: mine\n# param: id\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
                      "SELECT ?id ?c WHERE { ?c dcterms:identifier ?id }\n")
    result = run_cli("query", str(select), "--graph", str(built), "--param", f"id={C24}", "--format", "csv")
    assert csv_rows(result.stdout) == [{"id": C24, "c": ID + f"contract/{C24}"}]
    ask = tmp_path / "ask.rq"
    ask.write_text("ASK { ?c <http://purl.org/dc/terms/identifier> \"coutras-2024-2030\" }")
    assert run_cli("query", str(ask), "--graph", str(built)).stdout == "true\n"
    construct = tmp_path / "c.rq"
    construct.write_text("CONSTRUCT { ?c a <http://example.org/C> } WHERE { ?c a <https://w3id.org/cvgraph/ontology#Contract> }")
    out = run_cli("query", str(construct), "--graph", str(built)).stdout
    assert len(list(ox.parse(out, format=ox.RdfFormat.TURTLE))) == 4


# --- parameters are bound by the engine ------------------------------------------------------

HOSTILE = 'x" } ; DROP ALL ; #'


def test_hostile_parameter_value_returns_no_row_and_changes_nothing(built, store):
    before = hashlib.sha256((built / "graph.nt").read_bytes()).hexdigest()
    count = len(store)
    # an organisation parameter must name an organisation: matched as one literal, the value is none
    one_line_error(run_cli("query", "funder-profile", "--graph", str(built), "--format", "csv", "--param",
                           f"funder={HOSTILE}"), "unknown organisation")
    q = named_queries()["funder-profile"]
    q.params[0].kind = "string"   # as a plain string: no row
    assert run_embedded(store, q, {"funder": HOSTILE}).rows == []
    # a contract parameter must name a contract: the same value is refused, and nothing runs
    for name, param in (("who-funds-what", "contract"), ("contract-diff", "from")):
        values = {**PARAMS.get(name, {}), param: HOSTILE}
        args = [a for k, v in values.items() for a in ("--param", f"{k}={v}")]
        one_line_error(run_cli("query", name, "--graph", str(built), *args), "unknown contract")
    assert len(store) == count
    assert hashlib.sha256((built / "graph.nt").read_bytes()).hexdigest() == before


def test_parameter_values_are_literals_not_text(store):
    """A value with quotes and braces is matched as one literal, exactly as written."""
    q = resolve(str(ROOT / "queries" / "profiles" / "funder-profile.rq"))
    assert len(run_embedded(store, q, {"funder": "etat"}).rows) > 100
    q.params[0].kind = "string"   # not checked against the organisations: the query itself finds none
    assert run_embedded(store, q, {"funder": 'etat"'}).rows == []
    assert run_embedded(store, q, {"funder": "etat "}).rows == []
    assert run_embedded(store, q, {"funder": "etat } UNION { ?x ?y ?z"}).rows == []


# --- errors: one line, exit 2 ----------------------------------------------------------------

def one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert err.startswith("cvgraph: error: ") and "\n" not in err and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


def test_unknown_query_or_parameter(built):
    one_line_error(run_cli("query", "who-pays", "--graph", str(built)), "unknown query 'who-pays'")
    one_line_error(run_cli("query", "who-funds-what", "--graph", str(built), "--param", "year=2024"),
                   "has no parameter 'year'", "contract")
    one_line_error(run_cli("query", "funder-profile", "--graph", str(built)), "needs --param funder=")
    one_line_error(run_cli("query", "orientation-sheet", "--graph", str(built), "--param", f"contract={C24}",
                           "--param", "orientation=five"), "orientation", "expected an integer")
    one_line_error(run_cli("query", "who-funds-what", "--graph", str(built), "--param", "contract"),
                   "expected name=value")
    one_line_error(run_cli("query", "missing.rq", "--graph", str(built)), "missing.rq: no such query file")
    one_line_error(run_cli("query", "who-funds-what", "--graph", str(built), "--param", "contract=lyon-2024"),
                   "unknown contract", C24)
    one_line_error(run_cli("query", "--graph", str(built)), "give a query name")


def test_syntax_error_names_line_and_column(built, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: broken\nSELECT ?x WHERE {\n  ?x ?y \n}\n")
    one_line_error(run_cli("query", str(bad), "--graph", str(built)), f"{bad}:4:", "SPARQL syntax error")
    update = tmp_path / "drop.rq"
    update.write_text("DROP ALL")
    one_line_error(run_cli("query", str(update), "--graph", str(built)), f"{update}:1:", "SPARQL syntax error")


def test_parameter_not_in_projection_is_reported(built, tmp_path):
    q = tmp_path / "p.rq"
    q.write_text("# param: id\nSELECT ?c WHERE { ?c <http://purl.org/dc/terms/identifier> ?id }\n")
    one_line_error(run_cli("query", str(q), "--graph", str(built), "--param", "id=x"), "projection")


def test_a_mistyped_name_gets_the_nearest_one(built):
    """Issue 18, point 8: an unknown query, parameter, contract or organisation is one error naming
    the nearest known one."""
    one_line_error(run_cli("query", "who-fund-what", "--graph", str(built)), "did you mean 'who-funds-what'")
    one_line_error(run_cli("query", "funder-profile", "--graph", str(built), "-p", "funders=etat"),
                   "no parameter 'funders' (did you mean 'funder'?)")
    one_line_error(run_cli("query", "funder-profile", "--graph", str(built), "-p", "funder=etatt"),
                   "unknown organisation 'etatt' (did you mean 'etat'?)")
    one_line_error(run_cli("query", "who-funds-what", "--graph", str(built), "-p", "contract=coutras-2024"),
                   "unknown contract 'coutras-2024' (did you mean 'coutras-2024-2030'?)")


def test_listings_of_contracts_and_orientations(built):
    """Issue 18, point 3: `contracts` lists the 4 contracts of the seeds, `orientations` the 16 of
    Coutras 2024-2030 (seed 002's protocol l. 18-43: axes A-D, orientations 1-16) with their gaps
    counted by the gap report."""
    rows = list(csv.DictReader(io.StringIO(run_cli("query", "contracts", "--graph", str(built), "--format",
                                                   "csv").stdout)))
    assert [r["contract"] for r in rows] == ["contrat-003-2015", "coutras-2015-2023", "coutras-2024-2030",
                                             "valenciennes-2015-2022"]
    c24 = rows[2]
    assert c24["period"] == "2024-2030" and c24["orientations"] == "16" and c24["signatories"] == "20"
    assert c24["pilot"].startswith("La Cali") and c24["territory"] == "Quartier du Centre (Coutras)"
    assert rows[3]["orientations"] == "6"   # seed 004 l. 8-14
    result = run_cli("query", "orientations", "--graph", str(built), "--format", "csv", "-p", "contract=coutras-2024-2030")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["number"]) for r in rows] == list(range(1, 17))
    assert [r["axis"][0] for r in rows] == list("AAAABBBBCCCCDDDD")
    assert rows[12]["title"] == "Maintenir le Conseil Citoyen dans la gouvernance"
    from cvgraph.gaps import find_gaps
    gaps = find_gaps(built, "coutras-2024-2030")
    for r in rows:
        assert int(r["gaps"]) == sum(1 for g in gaps if g.orientation == r["number"]), r["number"]
    one_line_error(run_cli("query", "orientations", "--graph", str(built)), "needs --param contract")


def test_who_funds_what_has_one_row_per_funding_line_and_instrument(built, store):
    """Issue 18, point 2: a `line` column (the funding line's source line) and the unit the text
    names; as many rows as (funding line, instrument) pairs, counted apart, and no two rows the
    same. Seed 002, O5: the State's "Mon accompagnateur Rénov" at l. 1723 and the DDETS's at
    l. 1724-1726 are two rows; O8, l. 1959 "DRETS/DRAC; Appel à projets C’est mon patrimoine": two
    lines, one per service."""
    rows = csv_rows(run_cli("query", "who-funds-what", "--graph", str(built), "--format", "csv").stdout)
    pairs = sum(1 for _ in store.query(
        "SELECT ?fl ?i WHERE { ?fl a <https://w3id.org/cvgraph/ontology#FundingLine> ; "
        "<https://w3id.org/cvgraph/ontology#orientation> ?o . "
        "OPTIONAL { ?fl <https://w3id.org/cvgraph/ontology#instrument> ?i } }"))
    assert len(rows) == pairs
    assert len({tuple(r.values()) for r in rows}) == len(rows)
    renov = [r for r in rows if r["contract"] == C24 and r["orientation"] == "5"
             and r["instrument_label"].startswith("Mon accompagnateur")]
    assert len({r["line"] for r in renov}) >= 2 and "1723" in {r["line"] for r in renov}
    drets_drac = [r for r in rows if r["orientation"] == "8" and r["line"] == "1959"]
    assert {r["unit_label"][:4] for r in drets_drac} == {"DRET", "DRAC"} and {r["funder_label"] for r in drets_drac} == {"État"}
