"""Score the dates stage against TimeBank (TimeML .tml files), next to dateparser.search.search_dates.

Usage: python bench/quality_dates.py PATH_TO_TIMEBANK_DIR [--misses N] [--no-baseline] [--limit N]

Gold: the TIMEX3 elements of type DATE and TIME inside <TEXT> (tags stripped, entities unescaped, offsets into
the stripped text); the reference date is the document's DCT.

Scores, for each system:
* strict span P/R/F1: the predicted span equals a gold span;
* relaxed span P/R/F1: the spans overlap;
* value P/R/F1: the spans overlap and the value is equal at the gold's granularity. A gold TIME value
  ("1998-02-06T08:02", "1998-02-06TMO") is compared by its date part with a prediction of day precision.
A prediction that overlaps a gold DURATION or SET (not scored here) counts neither way.

Systems: "ours" is find_dates plus find_temporal_references (PRESENT_REF/PAST_REF/FUTURE_REF) plus
find_event_offsets (spans only, they carry no value); "ours (dates only)" is find_dates alone;
"search_dates" is dateparser.search.search_dates(text, languages=["en"], settings={RELATIVE_BASE: DCT,
PREFER_DATES_FROM: "past"}), its returned substrings located left to right in the text, value = the returned
datetime's date (day precision). docs/s is wall time over the same texts, one core.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from events.dates import find_dates, find_event_offsets, find_temporal_references

_TAG = re.compile(r"<(/?)([A-Za-z0-9_]+)([^>]*?)(/?)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


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


def parse_tml(path: Path) -> Doc:
    raw = path.read_text(encoding="utf-8")
    dct_m = re.search(r"<DCT>.*?value=\"(\d{4}-\d{2}-\d{2})", raw, re.S)
    dct = date.fromisoformat(dct_m.group(1))
    body = re.search(r"<TEXT>(.*)</TEXT>", raw, re.S).group(1)
    out: list[str] = []
    length = 0
    gold: list[Span] = []
    stack: list[tuple[int, dict]] = []
    pos = 0
    for m in _TAG.finditer(body):
        chunk = html.unescape(body[pos:m.start()])
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, name, attrs, selfclose = m.groups()
        if name != "TIMEX3" or selfclose:
            continue
        if not closing:
            stack.append((length, dict(_ATTR.findall(attrs))))
        elif stack:
            start, a = stack.pop()
            gold.append(Span(start, length, a.get("type", ""), a.get("value", "")))
    out.append(html.unescape(body[pos:]))
    text = "".join(out)
    gold = [Span(g.start, g.end, g.type, g.value, text[g.start:g.end]) for g in gold]
    return Doc(path.stem, text, dct, gold)


def ours(doc: Doc, dates_only: bool = False) -> list[Span]:
    spans = [Span(m.start, m.end, "DATE", m.value, m.text) for m in find_dates(doc.text, doc.dct)]
    if dates_only:
        return spans
    extra = [Span(r.start, r.end, "DATE", r.value, r.text) for r in find_temporal_references(doc.text)]
    extra += [Span(o.start, o.end - len(o.anchor_text) if o.anchor_text else o.end, "DATE", "", o.text)
              for o in find_event_offsets(doc.text)]
    for s in sorted(extra, key=lambda s: s.start):
        if all(s.end <= t.start or s.start >= t.end for t in spans):
            spans.append(s)
    return sorted(spans, key=lambda s: s.start)


def baseline(doc: Doc) -> list[Span]:
    from dateparser.search import search_dates

    base = datetime(doc.dct.year, doc.dct.month, doc.dct.day)
    found = search_dates(doc.text, languages=["en"],
                         settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}) or []
    spans, pos = [], 0
    for sub, dt in found:
        i = doc.text.find(sub, pos)
        if i < 0:
            i = doc.text.find(sub)
            if i < 0:
                continue
        else:
            pos = i + len(sub)
        spans.append(Span(i, i + len(sub), "DATE", dt.date().isoformat(), sub))
    return spans


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _value_ok(gold: Span, pred: Span) -> bool:
    if not pred.value:
        return False
    if gold.value == pred.value:
        return True
    if gold.type == "TIME" or "T" in gold.value:
        return gold.value.split("T")[0] == pred.value
    return False


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("timebank_dir", type=Path)
    ap.add_argument("--misses", type=int, default=0, help="print the N most frequent misses and false positives")
    ap.add_argument("--no-baseline", action="store_true", help="skip dateparser.search_dates (slow)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents")
    args = ap.parse_args(argv)
    paths = sorted(args.timebank_dir.glob("*.tml"))
    if args.limit:
        paths = paths[: args.limit]
    docs = [parse_tml(p) for p in paths]
    words = sum(len(d.text.split()) for d in docs)
    print(f"{len(docs)} documents, {words / max(len(docs), 1):.0f} words each on average, "
          f"{sum(g.type in ('DATE', 'TIME') for d in docs for g in d.gold)} gold DATE/TIME expressions")

    systems = [("ours", lambda d: ours(d)), ("ours (dates only)", lambda d: ours(d, dates_only=True))]
    if not args.no_baseline:
        systems.append(("search_dates", baseline))
    results = {}
    for name, fn in systems:
        fn(docs[0])  # warm caches and imports
        t0 = time.perf_counter()
        preds = [fn(d) for d in docs]
        dt = time.perf_counter() - t0
        results[name] = (score(docs, preds), len(docs) / dt)

    head = f"{'system':<20}" + "".join(f"{k + ' P/R/F1':>24}" for k in ("strict", "relaxed", "value")) + \
        f"{'docs/s':>10}"
    print(head)
    print("-" * len(head))
    for name, ((rows, _, _), speed) in results.items():
        cells = "".join(f"{'%.2f/%.2f/%.2f' % rows[k]:>24}" for k in ("strict", "relaxed", "value"))
        print(f"{name:<20}{cells}{speed:>10.1f}")

    if args.misses:
        (_, misses, false_pos), _ = results["ours"]
        print(f"\nmost frequent gold misses (value not matched), of {len(misses)}:")
        for (text, value, got), n in Counter((m[1], m[2], m[3]) for m in misses).most_common(args.misses):
            print(f"{n:4d}  {text!r:40} {value:14} ours: {got}")
        print(f"\nmost frequent false positives, of {len(false_pos)}:")
        for (text, value), n in Counter((f[1], f[2]) for f in false_pos).most_common(args.misses):
            print(f"{n:4d}  {text!r:40} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
