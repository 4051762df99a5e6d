"""The merge's cluster lookup by date (`events.merge._Clusters`) against the scan of every cluster it replaced.

    .venv/bin/python bench/merge_index.py [--sizes 2000 10000 40000]

Synthetic mentions of one incident family (the worst case: every cluster a candidate for every mention under the
scan), dated over two years at day, week and month precision, at 300 places; a quarter of them repeat an incident
already told (they join its cluster). Prints seconds per merge for both lookups and checks the incidents are equal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from events import merge  # noqa: E402
from events.dates import DateMention  # noqa: E402
from events.gazetteer import Place  # noqa: E402
from events.mentions import IncidentMention  # noqa: E402


class ScannedClusters(merge._Clusters):
    def fitting(self, m, family):
        return [c for c in self.all if c.accepts(m, family)]


def mentions(n: int, seed: int = 0) -> list[IncidentMention]:
    import random

    rng = random.Random(seed)
    places = [Place(f"g{i}", f"Town {i}", -40 + (i % 20) * 4.0, -70 + (i // 20) * 9.0, "XX", str(i % 7), "city", 10_000)
              for i in range(300)]
    day0 = date(2021, 1, 1)
    out: list[IncidentMention] = []
    for i in range(n):
        if out and rng.random() < 0.25:
            told = rng.choice(out)  # another story of an incident already told
            when, place = told.date, told.place
        else:
            precision = rng.choice(["day", "day", "day", "week", "month"])
            first = day0 + timedelta(days=rng.randrange(730))
            if precision == "month":
                first = first.replace(day=1)
                last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            else:
                last = first + timedelta(days=6 if precision == "week" else 0)
            when = DateMention(start=-1, end=-1, text=first.isoformat(), value=first.isoformat(), first=first, last=last,
                               precision=precision)
            place = rng.choice(places)
        out.append(IncidentMention(doc=f"d{i // 3}", sentence_start=100 * i, sentence_end=100 * i + 80,
                                   sentence="Gunmen attacked a market, killing 3 people.", paragraph=0, type="attack",
                                   trigger="attacked", trigger_start=100 * i + 7, date=when, date_from="clause",
                                   place=place, place_text=place.name, killed=rng.choice([None, 3, 7])))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000, 40000])
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    print("| mentions | incidents | scan s | by date s | speed-up |")
    print("|---|---|---|---|---|")
    original = merge._Clusters
    for n in args.sizes:
        ms = mentions(n)
        try:
            merge._Clusters = ScannedClusters
            t = time.perf_counter()
            scanned = merge.merge_mentions(ms)
            scan_s = time.perf_counter() - t
        finally:
            merge._Clusters = original
        t = time.perf_counter()
        indexed = merge.merge_mentions(ms)
        index_s = time.perf_counter() - t
        if indexed != scanned:
            raise SystemExit(f"{n:,} mentions: the lookup by date merged differently from the scan")
        print(f"| {n:,} | {len(indexed):,} | {scan_s:.2f} | {index_s:.2f} | {scan_s / index_s:.1f}x |", flush=True)
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
