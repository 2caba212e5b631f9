"""Property-based and fuzz tests (hypothesis) on every input path: source sheets, registries,
ingested text, query parameters and HTTP requests to a real `cvgraph serve`.

The property is the same everywhere: any input ends in a result or in cvgraph's own error type
(`CvgraphError`) with a one-line message, and the HTTP server answers every request with a
deliberate status (never 500), within its limits, and keeps serving. Inputs that once failed are
kept in tests/fuzz_corpus/ and replayed by test_regression_corpus.

In CI the examples are derandomised (the same ones each run) and few; the longer run draws new
ones: `CVGRAPH_FUZZ_EXAMPLES=300 python -m pytest tests/test_fuzz.py -q` (see README; any number works).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from cvgraph.errors import CvgraphError
from cvgraph.sources import normalised_text

LONG = int(os.environ.get("CVGRAPH_FUZZ_EXAMPLES", "0"))
CORPUS = ROOT / "tests" / "fuzz_corpus"


def fuzz(examples: int):
    """`examples` derandomised examples in CI; CVGRAPH_FUZZ_EXAMPLES random ones when set."""
    return settings(max_examples=LONG or examples, deadline=None, derandomize=not LONG, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


def one_line(err: CvgraphError) -> str:
    text = str(err)
    assert text and "\n" not in text and "Traceback" not in text, repr(text)
    return text


# --- text mutations -----------------------------------------------------------------------------

SCALARS = st.one_of(
    st.text(max_size=30), st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True).map(repr),
    st.sampled_from(["", "~", "null", "true", "no", "[]", "{}", "[a, b]", "{a: 1}", "- x", "&a", "*a", "!!binary x",
                     "'unclosed", '"unclosed', "|", ">", "2024-13-45", "1e999", "0x1F", ":", "? x", "%", "@", "`"]))


@st.composite
def mutated(draw, text: str):
    """`text` with one to three line mutations: a value replaced, a line deleted, duplicated,
    re-indented or cut, junk inserted, or the whole cut short."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["value", "delete", "duplicate", "indent", "insert", "cut", "truncate"]))
        if op == "value" and ":" in lines[i]:
            head = lines[i].split(":", 1)[0]
            lines[i] = f"{head}: {draw(SCALARS)}"
        elif op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = " " * draw(st.integers(0, 9)) + lines[i].lstrip()
        elif op == "insert":
            lines.insert(i, draw(st.text(max_size=40)))
        elif op == "cut":
            lines[i] = lines[i][:draw(st.integers(0, max(0, len(lines[i]))))]
        elif op == "truncate":
            lines = lines[:i + 1]
    return "\n".join(lines)


# --- source sheets and registries -----------------------------------------------------------------

@pytest.fixture(scope="module")
def data_copy(tmp_path_factory):
    work = tmp_path_factory.mktemp("fuzzdata") / "data"
    shutil.copytree(ROOT / "data", work)
    return work


@pytest.fixture(scope="module")
def compiler(data_copy):
    from cvgraph import compile as compile_
    from cvgraph.vocab import DEFAULT_BASE
    comp, _ = compile_.prepare(data_copy, DEFAULT_BASE)
    return comp


def check_sheet(comp, path: Path) -> None:
    from cvgraph import compile as compile_
    try:
        compile_.compile_sheet(comp, path)
    except CvgraphError as err:
        assert one_line(err).startswith(str(path)), str(err)   # it names the file (then line and field)


SHEETS = {name: (ROOT / "data" / "contracts" / f"{name}.yaml").read_text(encoding="utf-8")
          for name in ("coutras-2024-2030", "coutras-2015-2023", "valenciennes-2015-2022")}


@pytest.mark.parametrize("name", sorted(SHEETS))
def test_mutated_contract_sheets(name, compiler, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sheet")
    path = folder / f"{name}.yaml"

    @fuzz(40 if name == "coutras-2024-2030" else 25)
    @given(mutated(SHEETS[name]))
    def run(text):
        path.write_text(text, encoding="utf-8")
        check_sheet(compiler, path)
    run()


@fuzz(25)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_as_a_sheet(compiler, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "coutras-2024-2030.yaml"
    path.write_bytes(data)
    check_sheet(compiler, path)


REGISTRIES = ("organisations", "instruments", "documents", "territories", "agreements")


@pytest.mark.parametrize("name", REGISTRIES)
def test_mutated_registries(name, data_copy):
    from cvgraph import compile as compile_
    from cvgraph.vocab import DEFAULT_BASE

    path = data_copy / f"{name}.yaml"
    original = (ROOT / "data" / f"{name}.yaml").read_text(encoding="utf-8")
    sheet = data_copy / "contracts" / "coutras-2015-2023.yaml"

    @fuzz(20)
    @given(mutated(original))
    def run(text):
        path.write_text(text, encoding="utf-8")
        try:
            comp, sheets = compile_.prepare(data_copy, DEFAULT_BASE)
            compile_.compile_sheet(comp, sheet)
            compile_.finish(comp, data_copy, [s.stem for s in sheets], [])
        except CvgraphError as err:
            one_line(err)
    try:
        run()
    finally:
        path.write_text(original, encoding="utf-8")


def test_build_cli_on_a_broken_sheet_is_one_line_and_keeps_the_old_build(tmp_path, built):
    """Through the command line: exit 2, one line naming file and line, the previous build intact."""
    import subprocess

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    out = tmp_path / "graph"
    shutil.copytree(built, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    sheet = data / "contracts" / "coutras-2024-2030.yaml"
    lines = sheet.read_text(encoding="utf-8").split("\n")
    broken = {"bad YAML": lines[:40] + ["  - [unclosed"] + lines[40:],
              "bad value": [(ln.split(":")[0] + ": {a: 1}" if ln.startswith("start_line:") else ln) for ln in lines],
              "bytes": None}
    for what, content in broken.items():
        if content is None:
            sheet.write_bytes(b"\xff\xfe\x00binary\x00")
        else:
            sheet.write_text("\n".join(content), encoding="utf-8")
        r = subprocess.run([sys.executable, "-m", "cvgraph.cli", "build", "--data", str(data), "--out", str(out)],
                           capture_output=True, text=True)
        assert r.returncode == 2, (what, r.stderr)
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("cvgraph: error: " + str(sheet)), (what, r.stderr)
        assert "Traceback" not in r.stderr
        assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


# --- ingested text --------------------------------------------------------------------------------

# the three contract texts written for the tests (the seed texts are inputs the suite may not have)
SAMPLE = "\n".join(normalised_text((ROOT / "tests" / "fixtures" / "texts" / f"quartier-{x}.txt").read_bytes())
                   for x in "abc")   # quartier-b is in Windows-1252


def check_ingest(tmp: Path, data: bytes) -> None:
    from cvgraph.ingest import compare, ingest

    src = tmp / "texte.txt"
    src.write_bytes(data)
    out = tmp / "draft.yaml"
    try:
        written, _found, _sheet = ingest(src, "fuzz-contrat", out, force=True)
    except CvgraphError as err:
        one_line(err)
        return
    assert src.read_bytes() == data   # the text is only read
    try:
        compare(written, ROOT / "data" / "contracts" / "coutras-2024-2030.yaml")
    except CvgraphError as err:
        one_line(err)


@fuzz(15)
@given(mutated(SAMPLE))
def test_mutated_contract_text(tmp_path_factory, text):
    check_ingest(tmp_path_factory.mktemp("ingest"), text.encode("utf-8"))


@fuzz(20)
@given(st.one_of(st.binary(max_size=600), st.text(max_size=600).map(lambda t: t.encode("utf-8")),
                 st.text(max_size=300).map(lambda t: t.encode("cp1252", "replace"))))
def test_arbitrary_text_to_ingest(tmp_path_factory, data):
    check_ingest(tmp_path_factory.mktemp("ingest"), data)


@pytest.fixture(scope="module")
def draft_text(tmp_path_factory):
    from cvgraph.ingest import ingest

    tmp = tmp_path_factory.mktemp("draft")
    (tmp / "t.txt").write_text(SAMPLE, encoding="utf-8")
    draft, _, _ = ingest(tmp / "t.txt", "fuzz-contrat", tmp / "d.yaml", force=True)
    return draft.read_text(encoding="utf-8")


@fuzz(20)
@given(st.data())
def test_mutated_draft_sheets_compare(tmp_path_factory, draft_text, data):
    """A hand-edited draft given to --compare: any YAML ends in scores or a one-line error."""
    from cvgraph.ingest import compare

    path = tmp_path_factory.mktemp("compare") / "m.yaml"
    path.write_text(data.draw(mutated(draft_text)), encoding="utf-8")
    try:
        compare(path, ROOT / "data" / "contracts" / "coutras-2024-2030.yaml")
    except CvgraphError as err:
        one_line(err)


# --- query parameters -------------------------------------------------------------------------------

PARAM_VALUES = st.one_of(st.text(max_size=60), st.sampled_from([
    "etat", "coutras-2024-2030", "5", "-1", "99999999999999999999", "1.5", "", " ", "x\" } ; DROP ALL ; #",
    "<http://x>", "http://example.org/a b", "?o", "$x", "\\u0022", "é", "%00", "\x00", "a\nb"]))


@fuzz(60)
@given(st.data())
def test_query_parameters(store, data):
    from cvgraph.query import named_queries, run_embedded

    queries = named_queries()
    name = data.draw(st.sampled_from(sorted(n for n, q in queries.items() if q.params)))
    q = queries[name]
    values = {p.name: data.draw(PARAM_VALUES) for p in q.params if data.draw(st.booleans()) or not p.optional}
    if data.draw(st.booleans()):
        values[data.draw(st.text(max_size=8))] = data.draw(PARAM_VALUES)   # an unknown parameter
    size = len(store)
    try:
        run_embedded(store, q, values)
    except CvgraphError as err:
        one_line(err)
    assert len(store) == size


# --- HTTP requests to a real `cvgraph serve` -------------------------------------------------------------

SECRET = "cvgraph-secret-7f3a9c"   # in a file beside the site folder: must never be served


@pytest.fixture(scope="module")
def http_server(built, tmp_path_factory):
    from cvgraph.publish import publish
    from servers import cvgraph_server, free_port

    root = tmp_path_factory.mktemp("fuzzsite")
    port = free_port()
    publish(root / "site", built, f"http://127.0.0.1:{port}/")
    (root / "secret.txt").write_text(SECRET)
    (root / "site-secret").mkdir()
    (root / "site-secret" / "x.html").write_text(SECRET)
    log = root / "serve.log"
    with cvgraph_server(built, log, "--site", str(root / "site"), "--time-limit", "1", "--max-results", "200",
                        port=port) as base:
        yield base, port, log


def raw_request(port: int, data: bytes, timeout: float = 15) -> tuple[int | None, bytes]:
    """Send raw bytes (a request asking to close the connection after); the status of the answer
    (None if the server closed without one) and the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        start = time.monotonic()
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            assert time.monotonic() - start < timeout, "the server did not finish its answer"
    answer = b"".join(chunks)
    if not answer.startswith(b"HTTP/1."):
        return None, answer
    return int(answer.split(b" ", 2)[1]), answer


def check_answer(status, answer: bytes, allowed: set[int]) -> None:
    assert SECRET.encode() not in answer
    assert status in allowed, answer[:300]   # every request gets an answer, with a deliberate status


def still_serving(port: int) -> None:
    status, _ = raw_request(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200


PATH_CHARS = st.sampled_from(list("abcz019-_.~/%:@!$&'()*+,;=?#[]\\\"<>{}|^` \t") + ["..", "%2e", "%2E", "%2f", "%5c",
                                                                                     "%00", "%ff", "%c0%ae", "%e9",
                                                                                     "é", "contract", "site-secret",
                                                                                     "secret.txt", "index.html"])


@fuzz(150)
@given(st.lists(PATH_CHARS, max_size=40).map("".join))
def test_any_path(http_server, path):
    _, port, _ = http_server
    target = ("/" + path).encode("utf-8")
    status, answer = raw_request(port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check_answer(status, answer, {200, 400, 404, 406, 414, 431})


SPARQL_TOKENS = st.sampled_from([
    "SELECT", "*", "?s", "?p", "?o", "WHERE", "{", "}", "(", ")", ".", ";", ",", "<http://x/>", "\"x\"", "'y'@fr",
    "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT", "<http://127.0.0.1:9/sparql>", "LIMIT",
    "10", "ORDER BY", "GROUP BY", "COUNT(*)", "AS", "?n", "CONSTRUCT", "ASK", "DESCRIBE", "INSERT", "DELETE",
    "DATA", "LOAD", "DROP", "ALL", "PREFIX", "cv:", "<https://w3id.org/cvgraph/ontology#>", "a", "cv:Contract",
    "BIND", "VALUES", "REGEX(?o, \"(a+)+$\")", "#", "\n", "\\u0053ERVICE", "FROM", "<http://127.0.0.1:9/g>",
    "^^", "<", ">", "\"\"\"", "?", "$", "@", "_:b", "[]", "1e999", "STR(", "CONCAT("])


@fuzz(150)
@given(st.lists(SPARQL_TOKENS, max_size=30).map(" ".join), st.sampled_from(["GET", "POST-form", "POST-query"]),
       st.sampled_from(["application/sparql-results+json", "text/csv", "text/turtle", "image/png", "*/*", ""]))
def test_any_sparql_query(http_server, text, method, accept):
    import urllib.parse

    _, port, _ = http_server
    head = f"Accept: {accept}\r\n" if accept else ""
    if method == "GET":
        data = (f"GET /sparql?query={urllib.parse.quote(text)} HTTP/1.1\r\nHost: x\r\n{head}"
                "Connection: close\r\n\r\n").encode()
    else:
        body = urllib.parse.urlencode({"query": text}).encode() if method == "POST-form" else text.encode()
        ctype = "application/x-www-form-urlencoded" if method == "POST-form" else "application/sparql-query"
        data = (f"POST /sparql HTTP/1.1\r\nHost: x\r\n{head}Content-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    status, answer = raw_request(port, data)
    check_answer(status, answer, {200, 400, 403, 406, 413, 414, 431, 503})


HEADER_TEXT = st.text(st.characters(min_codepoint=1, max_codepoint=0x2FF, blacklist_characters="\r\n"), max_size=60)


@fuzz(100)
@given(st.lists(st.tuples(HEADER_TEXT, HEADER_TEXT), max_size=6), st.sampled_from(["GET", "POST", "PUT", "DELETE",
                                                                                    "HEAD", "OPTIONS", "BREW", ""]),
       st.sampled_from(["/", "/sparql", "/contract/coutras-2024-2030", "/void.ttl", "/nope"]),
       st.binary(max_size=200))
def test_any_headers_methods_and_bodies(http_server, headers, method, path, body):
    _, port, _ = http_server
    lines = [f"{method} {path} HTTP/1.1", "Host: x", "Connection: close", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace") + body
    status, answer = raw_request(port, data)
    check_answer(status, answer, {200, 400, 403, 404, 405, 406, 413, 414, 415, 431, 503})


def test_server_survived_the_fuzzing(http_server):
    base, port, log = http_server
    still_serving(port)
    assert "Traceback" not in log.read_text(errors="replace")


# --- the regression corpus: inputs that once failed ----------------------------------------------

def test_the_corpus_is_replayed():
    assert {p.parent.name for p in CORPUS.glob("*/*")} <= {"sheets", "drafts", "ingest", "http"}


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*/*")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_regression_corpus(path, request, tmp_path):
    """Each input that once failed, replayed through the path it came in by: `sheets/` as a
    contract sheet, `drafts/` given to --compare, `ingest/` as a contract text, `http/` as raw
    bytes to the server (a status in the file name, `name.431.http`, is the one expected)."""
    kind = path.parent.name
    if kind == "sheets":
        target = tmp_path / "coutras-2024-2030.yaml"
        target.write_bytes(path.read_bytes())
        check_sheet(request.getfixturevalue("compiler"), target)
    elif kind == "drafts":
        from cvgraph.ingest import compare
        try:
            compare(path, ROOT / "data" / "contracts" / "coutras-2024-2030.yaml")
        except CvgraphError as err:
            one_line(err)
    elif kind == "ingest":
        check_ingest(tmp_path, path.read_bytes())
    elif kind == "http":
        _, port, _ = request.getfixturevalue("http_server")
        status, answer = raw_request(port, path.read_bytes())
        expected = path.name.split(".")[-2]
        check_answer(status, answer, {int(expected)} if expected.isdigit() else
                     {200, 400, 403, 404, 405, 406, 413, 414, 415, 431, 503})
        still_serving(port)
