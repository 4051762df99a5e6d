"""Geoparsing quality of events.places on TR-News (Kamalloo & Rafiei 2018), measured only, never copied.

Usage: python bench/quality_places.py PATH/TR-News.xml [--worst N]

Metrics follow Gritta et al., "A Pragmatic Guide to Geoparsing Evaluation" (2019): recognition precision,
recall and F1 by span overlap (one-to-one); over gold toponyms we recognised that have coordinates: accuracy
within 161 km, median error km and AUC of the error curve (log(1 + km) normalised by log(20039), lower is
better). Two rows: "toponyms" leaves out gold phrases that are demonyms (Turkish, Russian, ...) and our demonym
mentions; "with demonyms" scores our demonym mentions as predictions against all gold. Also prints docs/s.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from events.gazetteer import Gazetteer
from events.places import _demonyms, find_places


def load_gold(path: Path) -> list[tuple[str, list[tuple[int, int, str, float | None, float | None]]]]:
    docs = []
    for art in ET.parse(path).getroot().iter("article"):
        text = art.findtext("text") or ""
        gold = []
        for tp in art.iter("toponym"):
            phrase = tp.findtext("phrase") or ""
            start = int(tp.findtext("start"))
            if text[start:start + len(phrase)] != phrase:  # a few offsets are shifted: take the nearest occurrence
                hits = [k for k in range(max(0, start - 80), min(len(text), start + 80)) if text.startswith(phrase, k)]
                if not hits:
                    continue
                start = min(hits, key=lambda k: abs(k - start))
            tag = tp.find("gaztag")
            lat = lon = None
            if tag is not None and tag.findtext("lat") not in (None, ""):
                lat, lon = float(tag.findtext("lat")), float(tag.findtext("lon"))
            gold.append((start, start + len(phrase), phrase, lat, lon))
        docs.append((text, gold))
    return docs


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def auc(errors: list[float]) -> float:
    if len(errors) < 2:
        return float("nan")
    scaled = [math.log(1 + e) for e in sorted(errors)]
    area = sum((scaled[k] + scaled[k + 1]) / 2 for k in range(len(scaled) - 1))
    return area / (len(scaled) - 1) / math.log(20039)


def evaluate(docs, predictions, with_demonyms: bool):
    demonyms = _demonyms()
    tp = n_pred = n_gold = 0
    errors: list[float] = []
    misses: Counter = Counter()
    false_pos: Counter = Counter()
    wrong: list[tuple[float, str, str, str]] = []
    for (text, gold), preds in zip(docs, predictions):
        if not with_demonyms:
            gold = [g for g in gold if g[2] not in demonyms]
            preds = [p for p in preds if p.via != "demonym"]
        n_pred += len(preds)
        n_gold += len(gold)
        used: set[int] = set()
        for g in gold:
            match = next((k for k, p in enumerate(preds) if k not in used and p.start < g[1] and g[0] < p.end), None)
            if match is None:
                misses[g[2]] += 1
                continue
            used.add(match)
            tp += 1
            if g[3] is not None:
                # TR-News resolves the area of a compass part ("Lebanon" of "southern Lebanon") to the area itself
                p = preds[match].within or preds[match].place
                err = km(g[3], g[4], p.lat, p.lon)
                errors.append(err)
                if err > 161:
                    wrong.append((err, g[2], f"{p.name} ({p.country}, {p.kind})", f"{g[3]:.2f},{g[4]:.2f}"))
        for k, p in enumerate(preds):
            if k not in used:
                false_pos[p.text] += 1
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    acc = sum(e <= 161 for e in errors) / len(errors) if errors else 0.0
    return {
        "P": precision, "R": recall, "F1": f1, "acc@161": acc,
        "median_km": statistics.median(errors) if errors else float("nan"), "AUC": auc(errors),
        "gold": n_gold, "pred": n_pred, "resolved": len(errors),
        "misses": misses, "false_pos": false_pos, "wrong": sorted(wrong, reverse=True),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xml", type=Path)
    parser.add_argument("--worst", type=int, default=25, help="how many misses / false positives / wrong places to list")
    args = parser.parse_args(argv)
    docs = load_gold(args.xml)
    t0 = time.perf_counter()
    gaz = Gazetteer.load()
    load_s = time.perf_counter() - t0
    find_places("warm up", gaz)
    t0 = time.perf_counter()
    predictions = [find_places(text, gaz) for text, _ in docs]
    elapsed = time.perf_counter() - t0
    words = sum(len(text.split()) for text, _ in docs)
    print(f"{len(docs)} documents, {words / len(docs):.0f} words/doc; gazetteer load {load_s:.2f}s; "
          f"{len(docs) / elapsed:.0f} docs/s ({words / elapsed:,.0f} words/s)")
    print(f"{'mode':<15}{'P':>7}{'R':>7}{'F1':>7}{'acc@161':>9}{'median km':>11}{'AUC':>7}{'gold':>6}{'pred':>6}{'resolved':>9}")
    results = {}
    for label, with_demonyms in (("toponyms", False), ("with demonyms", True)):
        r = evaluate(docs, predictions, with_demonyms)
        results[label] = r
        print(f"{label:<15}{r['P']:>7.3f}{r['R']:>7.3f}{r['F1']:>7.3f}{r['acc@161']:>9.3f}{r['median_km']:>11.1f}"
              f"{r['AUC']:>7.3f}{r['gold']:>6}{r['pred']:>6}{r['resolved']:>9}")
    r = results["toponyms"]
    if args.worst:
        print("\nmost missed gold toponyms:", ", ".join(f"{k} x{v}" for k, v in r["misses"].most_common(args.worst)))
        print("\nmost frequent false positives:", ", ".join(f"{k} x{v}" for k, v in r["false_pos"].most_common(args.worst)))
        print("\nworst resolutions (km, phrase, ours, gold lat,lon):")
        for err, phrase, ours, gold in r["wrong"][: args.worst]:
            print(f"  {err:8.0f}  {phrase:<25} {ours:<45} {gold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
