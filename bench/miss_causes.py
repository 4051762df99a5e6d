#!/usr/bin/env python3
"""Group an incident table's misses and false rows by cause, against a gold file in the shared scorer's format.

    python bench/miss_causes.py GOLD.json TABLE.csv [--scorer score_incidents.py] [--list]

Why: the scorer says how many events were missed and rows were wrong; fixing causes rather than stories needs the
misses grouped by what went wrong. A missed must/should event is: `no row in story` (no row cites its document),
`no row on its dates` (rows from its story, none in its date window), or `date ok, place off` (a row of its story
in its window lies outside its radius, bucketed by the row's place_precision and distance). A row that matches no
event is: `wrong place` (an event of its story on its dates), `wrong date` (an event of its story at its place),
or `no such event` (neither). Without --list only counts are printed, so a blind set can be diagnosed without
reading it.

With --texts FOLDER (the corpus folder), a place-off miss also says why, from the places stage and the gazetteer:
`place found in story, not taken` (a place the places stage finds in the story lies within the event's radius),
`a name in the text is known there, read elsewhere` (a capitalised name of the text has a gazetteer entry within
the radius that the places stage did not take), or `no name of the text is known there` (the gazetteer lacks the
place under every name the story writes: a village GeoNames cities500 does not hold) - the share of misses no
linking rule can reach.
"""
import argparse, collections, csv, importlib.util, json, math, re, sys
from datetime import date
from pathlib import Path


def _load_scorer(path):
    spec = importlib.util.spec_from_file_location("score_incidents", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _docs(row):
    return {d.strip() for d in (row.get("sources") or "").split(";") if d.strip()}


def _event_docs(event):
    doc = event.get("doc")
    return set(doc) if isinstance(doc, list) else {doc}


def _dates_ok(sc, event, row):
    shifted = dict(event, lat=None, countries=["*"])
    return sc.matches(shifted, dict(row, country="*"))


def _place_ok(sc, event, row):
    lo = event["from"]
    return sc.matches(event, dict(row, start=lo, end=lo))


def _distance_bucket(sc, event, row):
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except (TypeError, ValueError, KeyError):
        return "no point"
    if event.get("lat") is None:
        return "country not in " + "/".join(event.get("countries", []))
    d = sc.km((lat, lon), (event["lat"], event["lon"]))
    for edge in (50, 100, 200, 500):
        if d <= edge:
            return f"<= {edge} km"
    return "> 500 km"


_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}")


class PlaceReasons:
    """Why a row on the right day missed the event's place (see --texts); loads the engine's gazetteer once."""

    def __init__(self, sc, folder):
        import numpy as np

        from events.gazetteer import Gazetteer

        self.sc, self.folder, self.np = sc, Path(folder), np
        self.gaz = Gazetteer.load()
        self.lat = np.radians(np.array(self.gaz._d["lat"], dtype=float))
        self.lon = np.radians(np.array(self.gaz._d["lon"], dtype=float))

    def _near(self, event):
        np = self.np
        la, lo = math.radians(event["lat"]), math.radians(event["lon"])
        h = np.sin((self.lat - la) / 2) ** 2 + np.cos(self.lat) * math.cos(la) * np.sin((self.lon - lo) / 2) ** 2
        return set(np.nonzero(6371.0 * 2 * np.arcsin(np.sqrt(np.minimum(1.0, h))) <= event["radius_km"])[0].tolist())

    def reason(self, event):
        from events.places import find_places

        if event.get("lat") is None:
            return ""
        doc = sorted(_event_docs(event))[0]
        path = self.folder / f"{doc}.txt"
        if not path.is_file():
            return ""
        text = path.read_text(encoding="utf-8", errors="replace")
        found = find_places(text, self.gaz)
        if any(self.sc.km((p.place.lat, p.place.lon), (event["lat"], event["lon"])) <= event["radius_km"] for p in found):
            return "place found in story, not taken"
        near = self._near(event)
        for run in _NAME_RUN.finditer(text):
            words = run.group(0).split()
            for i in range(len(words)):
                for j in range(i + 1, len(words) + 1):
                    if any(e >> 1 in near for e in self.gaz.entries(" ".join(words[i:j]))):
                        return "a name in the text is known there, read elsewhere"
        return "no name of the text is known there"


def causes(sc, gold, rows, reasons=None):
    result = sc.score(gold, rows)
    seen = set()  # credited ids, derived as the scorer does
    for row in rows:
        hits = [e for e in gold["events"] if sc.matches(e, row) and e["tier"] != "optional"]
        fresh = [e for e in hits if e["id"] not in seen]
        if fresh:
            seen.add(fresh[0]["id"])
    credited = seen
    missed, false_rows = collections.Counter(), collections.Counter()
    listing = []
    for e in gold["events"]:
        if e["tier"] == "optional" or e["id"] in credited:
            continue
        own = [r for r in rows if _event_docs(e) & _docs(r)]
        dated = [r for r in own if _dates_ok(sc, e, r)]
        if not own:
            cause = "no row in story"
        elif not dated:
            cause = "no row on its dates"
        else:
            r = dated[0]
            cause = f"date ok, place off: {r.get('place_precision') or '?'} {_distance_bucket(sc, e, r)}"
            why = reasons.reason(e) if reasons else ""
            cause += f" [{why}]" if why else ""
        missed[(e["tier"], cause)] += 1
        listing.append(("MISS", e["tier"], cause, e["doc"], e.get("label", "")))
    for r in rows:
        if any(sc.matches(e, r) for e in gold["events"]):
            continue
        same = [e for e in gold["events"] if _event_docs(e) & _docs(r)]
        if any(_dates_ok(sc, e, r) for e in same):
            cause = f"wrong place ({r.get('place_precision') or '?'})"
        elif any(_place_ok(sc, e, r) for e in same):
            cause = "wrong date" + (" (background)" if str(r.get("background")) == "True" else "")
        else:
            cause = "no such event" + (" (background)" if str(r.get("background")) == "True" else "")
        false_rows[cause] += 1
        listing.append(("FALSE", r.get("type", ""), cause, r.get("sources", ""), f"{r.get('start')} {r.get('place')}: {r.get('title')}"))
    return result, missed, false_rows, listing


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold")
    ap.add_argument("table")
    ap.add_argument("--scorer", help="the shared score_incidents.py (default: ../shared/bench/ of this checkout or of "
                                     "the working folder, or beside the gold's folder)")
    ap.add_argument("--list", action="store_true", help="also list each miss and false row (not for blind sets)")
    ap.add_argument("--texts", help="the corpus folder: say why each place-off miss missed (places stage, gazetteer)")
    a = ap.parse_args(argv)
    tried = [Path(a.scorer)] if a.scorer else [
        Path(__file__).resolve().parent.parent.parent / "shared/bench/score_incidents.py",
        Path.cwd().parent / "shared/bench/score_incidents.py",
        Path(a.gold).resolve().parent.parent / "score_incidents.py"]
    scorer = next((p for p in tried if p.is_file()), None)
    if scorer is None:
        ap.error("score_incidents.py not found (tried " + ", ".join(map(str, tried)) + "): pass --scorer")
    sc = _load_scorer(scorer)
    gold = json.loads(Path(a.gold).read_text(encoding="utf-8"))
    with open(a.table, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    reasons = PlaceReasons(sc, a.texts) if a.texts else None
    result, missed, false_rows, listing = causes(sc, gold, rows, reasons)
    print(f"must {result['must']}  should {result['should']}  precision {result['precision']}  rows {result['rows']}")
    print("missed events by cause:")
    for (tier, cause), n in sorted(missed.items(), key=lambda kv: (kv[0][0], -kv[1])):
        print(f"  {tier:6} {n:3}  {cause}")
    if reasons:
        print("place-off misses by reason:")
        totals = collections.Counter()
        for (tier, cause), n in missed.items():
            if "[" in cause:
                totals[(tier, cause[cause.index("[") + 1:-1])] += n
        for (tier, why), n in sorted(totals.items()):
            print(f"  {tier:6} {n:3}  {why}")
    print("rows matching no event, by cause:")
    for cause, n in false_rows.most_common():
        print(f"  {n:3}  {cause}")
    if a.list:
        for item in listing:
            print(" | ".join(str(x) for x in item))


if __name__ == "__main__":
    sys.exit(main())
