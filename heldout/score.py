#!/usr/bin/env python3
"""Score `cvgraph ingest` on the held-out contract text.

Usage (from the root of the checkout, with the project's virtualenv active):

    python heldout/score.py [EXTRA INGEST OPTIONS...]

(heldout2/score.py runs this same scorer on its own folder.)

Runs `cvgraph ingest heldout/contrat.txt --contract heldout --out <tmp>/draft.yaml --force
[EXTRA...]`, reads the draft and compares it with heldout/expected.yaml item by item.

Prints ONLY a table of numbers (precision, recall, matched, draft count, expected count per
category). It never prints an item, a name or a line of the expected sheet, nor anything the
ingest command printed (its output is swallowed: it echoes names read from the text). Always
exits 0.

Set HELDOUT_DRAFT=PATH to score an existing draft instead of running the ingest (used to check
the scorer itself).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CATEGORIES = [
    "orientations",
    "pilots",
    "services",
    "funding_kind_funder",
    "funding_funder_instr",
    "signatories",
]
NONE_KEY = frozenset({"\x00none"})


# ----------------------------------------------------------------------------- normalising
_APOS = re.compile(r"[’‘`´ʼ′']")
_ARTICLE = re.compile(r"^(?:(?:les|le|la)\s+|l'\s*)")
_EDGE = " \t\r\n-–—•▪·→§*:;,.!?\"«»()[]"


def norm(value) -> str:
    if value is None:
        return ""
    s = str(value)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.lower().replace("œ", "oe").replace("æ", "ae")
    s = _APOS.sub("'", s)
    s = s.strip(_EDGE)
    s = _ARTICLE.sub("", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(s.split())


class _Unresolved(Exception):
    pass


class _Node:
    """Stand-in for the source node the registry reports errors on."""

    line = 0
    path = "heldout"

    def error(self, *args, **kwargs):
        raise _Unresolved()

    def __getattr__(self, name):
        return None


class Resolver:
    def __init__(self):
        self.orgs = None
        self.instr = None
        try:
            from cvgraph.registry import load_registries  # type: ignore

            regs = load_registries(ROOT / "data")
            self.orgs = regs.organisations
            self.instr = regs.instruments
        except Exception:
            pass
        self._cache: dict = {}

    def _keys(self, registry, prefix: str, value) -> frozenset:
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        ck = (prefix, text)
        if ck in self._cache:
            return self._cache[ck]
        keys = set()
        n = norm(text)
        if n:
            keys.add(n)
        if registry is not None and text.strip():
            try:
                rid = registry.resolve(text.strip(), _Node(), "name")
                if isinstance(rid, str) and rid:
                    keys.add(prefix + rid)
            except BaseException:  # unknown name: fall back to the normalised spelling
                pass
            try:
                if text.strip() in registry.entries:
                    keys.add(prefix + text.strip())
            except Exception:
                pass
        out = frozenset(keys) if keys else frozenset({"\x00empty"})
        self._cache[ck] = out
        return out

    def org(self, value) -> frozenset:
        return self._keys(self.orgs, "org:", value)

    def instrument(self, value) -> frozenset:
        return self._keys(self.instr, "instr:", value)


# ----------------------------------------------------------------------------- reading sheets
def _text(x):
    if x is None:
        return None
    if isinstance(x, str):
        return x
    if isinstance(x, dict):
        for k in ("name", "org", "funder", "instrument", "id", "written", "label"):
            v = x.get(k)
            if isinstance(v, str) and v.strip():
                return v
        return None
    return str(x)


def _as_int(x):
    try:
        return int(str(x).strip())
    except Exception:
        return None


def _orientations(sheet) -> list:
    if not isinstance(sheet, dict):
        return []
    out = []
    ors = sheet.get("orientations")
    if isinstance(ors, list):
        out.extend(o for o in ors if isinstance(o, dict))
    axes = sheet.get("axes")
    if isinstance(axes, list):
        for a in axes:
            if isinstance(a, dict) and isinstance(a.get("orientations"), list):
                out.extend(o for o in a["orientations"] if isinstance(o, dict))
    return out


def _people(items, R: Resolver) -> list:
    """Pilots or services: a list of key sets, one per organisation named."""
    out = []
    if not isinstance(items, list):
        return out
    for it in items:
        if isinstance(it, str):
            out.append(R.org(it))
            continue
        if not isinstance(it, dict):
            continue
        orgs = it.get("orgs")
        if isinstance(orgs, list) and orgs and not it.get("name"):
            written = it.get("written")
            for o in orgs:
                k = set(R.org(_text(o)))
                if len(orgs) == 1 and isinstance(written, str):
                    k |= R.org(written)
                out.append(frozenset(k))
            continue
        name = _text(it)
        if name is None:
            continue
        k = set(R.org(name))
        if isinstance(it.get("org"), str):
            k |= R.org(it["org"])
        if isinstance(orgs, list) and len(orgs) == 1:
            k |= R.org(_text(orgs[0]))
        out.append(frozenset(k))
    return out


def _kind(x) -> str:
    n = norm(x)
    if n in ("droit commun", "dc"):
        return "droit-commun"
    if n in ("specifique", "specifiques", "sp"):
        return "specifique"
    if n in ("non precise", "np", "unknown", "inconnu"):
        return "non-precise"
    return n


def _instruments(f, R: Resolver) -> list:
    ins = f.get("instruments")
    if ins is None:
        ins = []
    if isinstance(ins, (str, dict)):
        ins = [ins]
    out = []
    for i in ins if isinstance(ins, list) else []:
        t = _text(i)
        if t is None or not norm(t):
            continue
        out.append(R.instrument(t))
    return out


def items(sheet, R: Resolver) -> dict:
    res = {c: [] for c in CATEGORIES}
    for o in _orientations(sheet):
        num = _as_int(o.get("number"))
        res["orientations"].append((num,))
        for p in _people(o.get("pilots"), R):
            res["pilots"].append((num, p))
        for s in _people(o.get("services"), R):
            res["services"].append((num, s))
        funding = o.get("funding")
        for f in funding if isinstance(funding, list) else []:
            if not isinstance(f, dict):
                continue
            funder = f.get("funder")
            if isinstance(funder, list):
                funder = funder[0] if funder else None
            if isinstance(funder, dict):
                funder = _text(funder)
            fk = R.org(funder)
            res["funding_kind_funder"].append((num, _kind(f.get("kind")), fk))
            ins = _instruments(f, R)
            if not ins:
                res["funding_funder_instr"].append((num, fk, NONE_KEY))
            for i in ins:
                res["funding_funder_instr"].append((num, fk, i))
    sigs = sheet.get("signatories") if isinstance(sheet, dict) else None
    for s in sigs if isinstance(sigs, list) else []:
        if isinstance(s, str):
            res["signatories"].append((R.org(s),))
        elif isinstance(s, dict):
            t = s.get("org")
            if isinstance(t, list):
                for o in t:
                    res["signatories"].append((R.org(_text(o)),))
                continue
            t = _text(t) if t is not None else _text(s)
            if t is None:
                continue
            k = set(R.org(t))
            for extra in ("written", "name"):
                if isinstance(s.get(extra), str) and s.get(extra) != t:
                    k |= R.org(s[extra])
            res["signatories"].append((frozenset(k),))
    return res


# ----------------------------------------------------------------------------- matching
def _compatible(a: tuple, b: tuple) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, frozenset) and isinstance(y, frozenset):
            if not (x & y):
                return False
        elif x != y:
            return False
    return True


def match_count(draft: list, expected: list) -> int:
    """Maximum one-to-one matching (augmenting paths)."""
    adj = [[j for j, d in enumerate(draft) if _compatible(d, e)] for e in expected]
    owner = [-1] * len(draft)

    def augment(i, seen):
        for j in adj[i]:
            if j in seen:
                continue
            seen.add(j)
            if owner[j] == -1 or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))
    return sum(1 for i in range(len(expected)) if augment(i, set()))


# ----------------------------------------------------------------------------- running
def run_ingest(out: Path, extra: list, here: Path = HERE) -> int:
    exe = shutil.which("cvgraph")
    cmd = [exe] if exe else [sys.executable, "-m", "cvgraph"]
    cmd += ["ingest", str((here / "contrat.txt").relative_to(ROOT)), "--contract", here.name,
            "--out", str(out), "--force", *extra]
    try:
        p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=1800)
        return p.returncode
    except subprocess.TimeoutExpired:
        return 124
    except Exception:
        return 127


def load_yaml(path: Path):
    try:
        import yaml  # type: ignore

        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except Exception:
        return None


def main(argv: list, here: Path = HERE) -> None:
    """Score the held-out text of `here` (this folder, or another held-out folder of the same
    layout: contrat.txt, expected.yaml; its name is the contract id)."""
    R = Resolver()
    expected = load_yaml(here / "expected.yaml") or {}
    with tempfile.TemporaryDirectory(prefix=f"{here.name}-") as tmp:
        given = os.environ.get("HELDOUT_DRAFT")
        if given:
            draft_path, rc = Path(given), 0
        else:
            draft_path = Path(tmp) / "draft.yaml"
            rc = run_ingest(draft_path, argv, here)
        draft = load_yaml(draft_path) if draft_path.exists() else None
    d_items = items(draft or {}, R)
    e_items = items(expected, R)

    rows = []
    tot_m = tot_d = tot_e = 0
    for c in CATEGORIES:
        d, e = d_items[c], e_items[c]
        m = match_count(d, e)
        rows.append((c, m, len(d), len(e)))
        if c != "orientations":
            tot_m, tot_d, tot_e = tot_m + m, tot_d + len(d), tot_e + len(e)
    rows.append(("all_items", tot_m, tot_d, tot_e))

    print(f"ingest_exit_code {rc}")
    print(f"{'category':<22}{'precision':>10}{'recall':>8}{'matched':>9}{'draft':>7}{'expected':>10}")
    for c, m, nd, ne in rows:
        p = m / nd if nd else 0.0
        r = m / ne if ne else 0.0
        print(f"{c:<22}{p:>10.3f}{r:>8.3f}{m:>9d}{nd:>7d}{ne:>10d}")


def run(argv: list, here: Path = HERE) -> None:
    """`main`, for this folder or another held-out folder's score.py, never showing a traceback
    (it could quote an expected item); always exits 0."""
    try:
        main(argv, here)
    except BaseException:
        print("ingest_exit_code -1")
        print("scorer_error 1")
    sys.exit(0)


if __name__ == "__main__":
    run(sys.argv[1:])
