"""The built graph holds what seed 002 (and 000, 001, 003, 004) say. Expected values read off the text."""

import filecmp

from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from cvgraph.build import build
from cvgraph.export import export_all
from cvgraph.vocab import CV, RDF, concept
from conftest import ID, ROOT

C = "contract/coutras-2024-2030"


def orientation(n):
    return ID[f"{C}/orientation/{n}"]


def roles(g, n, role):
    return {str(g.value(p, CV.participant)).rsplit("/", 1)[-1]
            for p in g.subjects(CV.orientation, orientation(n)) if g.value(p, CV.role) == concept("role", role)}


def funding(g, n):
    out = set()
    for line in g.subjects(CV.orientation, orientation(n)):
        if (line, RDF.type, CV.FundingLine) in g:
            inst = g.value(line, CV.instrument)
            out.add((str(g.value(line, CV.funder)).rsplit("/", 1)[-1],
                     str(inst).rsplit("/", 1)[-1] if inst else None,
                     str(g.value(line, CV.fundingKind)).rsplit("/", 1)[-1]))
    return out


def test_sixteen_orientations_in_four_axes(g):
    orients = set(g.subjects(CV.contract, ID[C])) & set(g.subjects(RDF.type, CV.Orientation))
    assert len(orients) == 16
    assert len({g.value(o, CV.axis) for o in orients}) == 4
    # axis A holds 1-4, D holds 13-16 (protocol, l. 15-43)
    assert {int(g.value(o, CV.number)) for o in orients if str(g.value(o, CV.axis)).endswith("/axis/d")} == {13, 14, 15, 16}


def test_protocol_and_fiche_titles_both_kept(g):
    assert str(g.value(orientation(13), CV.title)).startswith("Maintenir le Conseil Citoyen")
    assert str(g.value(orientation(13), CV.protocolTitle)).startswith("Ancrer le Conseil Citoyen")


def test_orientation_1_axis_a(g):  # seed 002 l. 1402-1429
    assert roles(g, 1, "pilot") == {"la-cali-developpement-economique", "la-cali-emploi", "coutras-manager-commerce"}
    assert roles(g, 1, "service") == {"services-publics-emploi", "departement-gironde-insertion", "ddets", "chambres-consulaires"}
    f = funding(g, 1)
    assert ("region-nouvelle-aquitaine", "feder", "droit-commun") in f
    assert ("bpi", "les-determines", "droit-commun") in f
    # heading "Financements mobilisables" (l. 1428), kept as written; the BOP 147 is a specific credit
    assert ("prefecture-gironde", "bop-147", "specifique") in f
    actions = [a for a in g.subjects(CV.orientation, orientation(1)) if (a, RDF.type, CV.Action) in g]
    assert len(actions) == 6


def test_orientation_7_axis_b(g):  # l. 1853-1879
    assert roles(g, 7, "pilot") == {"coutras", "la-cali"}
    assert roles(g, 7, "service") == {"gendarmerie", "coutras-police-municipale", "departement-gironde-ase", "lepi", "education-nationale"}
    f = funding(g, 7)
    assert ("region-nouvelle-aquitaine", None, "droit-commun") in f      # "Région" alone, l. 1863
    assert {("etat", i, "droit-commun") for i in ("fipdr", "enveloppe-dddfe", "mildeca")} <= f
    assert ("prefecture-gironde", "bop-147", "specifique") in f


def test_orientation_10_axis_c(g):  # l. 2226-2240
    assert {"ars-nouvelle-aquitaine", "education-nationale", "coutras", "cls-clsm", "la-cali", "etat", "caf-gironde"} <= roles(g, 10, "pilot")
    assert roles(g, 10, "service") == {"departement-gironde-pmi", "departement-gironde-bus-en-plus"}
    f = funding(g, 10)
    assert {("etat", i, "specifique") for i in ("bop-147", "fipdr", "mildeca")} <= f
    assert ("coutras", None, "non-precise") in f


def test_orientation_14_axis_d(g):  # l. 2478-2493: no services section
    assert roles(g, 14, "pilot") == {"mission-ville", "education-nationale", "la-cali-cispd"}
    assert roles(g, 14, "service") == set()
    f = funding(g, 14)
    assert ("region-nouvelle-aquitaine", "plan-regional-de-lutte-contre-les-discriminations", "droit-commun") in f
    assert ("caf-gironde", None, "droit-commun") in f
    assert ("prefecture-gironde", "bop-147", "specifique") in f


def test_nineteen_signatories_with_commitments(g):
    commitments = [s for s in g.subjects(CV.contract, ID[C]) if (s, RDF.type, CV.SignatoryCommitment) in g]
    with_items = {str(g.value(s, CV.signatory)).rsplit("/", 1)[-1] for s in commitments if g.value(s, CV.item)}
    assert len(with_items) == 19
    assert {"etat", "la-cali", "coutras", "epide", "mesolia", "conseil-citoyen-coutras"} <= with_items
    # BPI: new signatory per seed 000 l. 7, with no commitment section in seed 002
    assert ID["organisation/bpi"] in set(g.objects(ID[C], CV.signatory)) and "bpi" not in with_items


def test_funders_without_instrument_are_kept(g):
    bare = {(str(g.value(l, CV.orientation)).rsplit("/", 1)[-1], str(g.value(l, CV.funder)).rsplit("/", 1)[-1])
            for l in g.subjects(CV.withoutInstrument, Literal(True))}
    assert ("13", "region-nouvelle-aquitaine") in bare   # "-Région", l. 2421
    assert ("2", "bm") in bare                             # "BM", l. 1519
    assert ("16", "caf-gironde") in bare                   # "-CAF", l. 2634
    assert (ID["organisation/bm"], CV.unresolved, Literal(True)) in g


def test_out_of_range_figure_recorded_and_flagged(g):  # "332,9% de femmes", l. 1436
    obs = [o for o in g.subjects(CV.sourceLine, Literal(1436)) if g.value(o, CV.value) is not None]
    values = {float(g.value(o, CV.value)) for o in obs}
    assert 332.9 in values
    assert any(g.value(o, CV.flag) for o in obs if float(g.value(o, CV.value)) == 332.9)


def test_other_contracts_present(g):
    for cid in ("coutras-2015-2023", "contrat-003-2015", "valenciennes-2015-2022"):
        assert (ID[f"contract/{cid}"], RDF.type, CV.Contract) in g
    assert str(g.value(ID["contract/coutras-2015-2023"], CV.signatureDate)) == "2015-07-10"
    assert len(set(g.subjects(CV.contract, ID["contract/valenciennes-2015-2022"])) & set(g.subjects(RDF.type, CV.Orientation))) == 6
    grants = list(g.subjects(CV.agreement, ID["agreement/plan-cispd-2025-2029"]))
    assert len(grants) == 6 and ID["organisation/ceid"] in {b for gr in grants for b in g.objects(gr, CV.beneficiary)}


def test_every_resource_says_where_it_comes_from(g):
    for cls in (CV.Orientation, CV.FundingLine, CV.Participation, CV.Observation, CV.CommitmentItem, CV.Organisation):
        for s in g.subjects(RDF.type, cls):
            assert g.value(s, CV.sourceLine) is not None, s


def test_serialisations_round_trip(built):
    ttl = Graph().parse(built / "graph.ttl", format="turtle")
    nt = Graph().parse(built / "graph.nt", format="nt")
    js = Graph().parse(built / "graph.jsonld", format="json-ld")
    back = Graph().parse(data=js.serialize(format="turtle"), format="turtle")
    assert isomorphic(ttl, nt) and isomorphic(nt, js) and isomorphic(js, back)


def test_two_builds_byte_identical(built, tmp_path):
    build(ROOT / "data", tmp_path / "again", incremental=False)
    export_all(tmp_path / "again")
    for name in ("graph.ttl", "graph.nt", "graph.jsonld", "summary.json", "store.json"):
        assert filecmp.cmp(built / name, tmp_path / "again" / name, shallow=False), name


def test_parallel_build_is_the_sequential_build(tmp_path):
    """Sheets compiled over worker processes give the same bytes as one process, and the first bad
    sheet (in file order) gives the same one-line error."""
    import pytest

    from cvgraph.build import PARALLEL_MIN
    from cvgraph.errors import SourceError
    from cvgraph.synth import generate

    data = generate(tmp_path / "data", PARALLEL_MIN + 2, seed=3)
    one = build(data, tmp_path / "one", jobs=1)
    two = build(data, tmp_path / "two", jobs=2)
    assert one.contracts == two.contracts == PARALLEL_MIN + 2 and one.triples == two.triples
    export_all(tmp_path / "one")
    export_all(tmp_path / "two")
    for name in ("graph.ttl", "graph.nt", "graph.jsonld", "summary.json", "store.json"):
        assert filecmp.cmp(tmp_path / "one" / name, tmp_path / "two" / name, shallow=False), name
    sheets = sorted((data / "contracts").glob("synth-*.yaml"))
    for sheet in (sheets[3], sheets[7]):
        text = sheet.read_text(encoding="utf-8")
        sheet.write_text(text.replace("generation: ", "generation: nope-", 1), encoding="utf-8")
    errors = []
    for jobs in (1, 2):
        with pytest.raises(SourceError) as err:
            build(data, tmp_path / "one", jobs=jobs)
        errors.append(str(err.value))
    assert errors[0] == errors[1] and errors[0].startswith(str(sheets[3])) and "'generation'" in errors[0]
    assert filecmp.cmp(tmp_path / "one" / "graph.nt", tmp_path / "two" / "graph.nt", shallow=False)
