"""How long saving a correction takes on a large table, after many merges (issue 12: saves must stay incremental).

    .venv/bin/python bench/store_speed.py [--incidents 100000] [--merges 0 100 1000] [--saves 20]

For each number of merges it builds a synthetic extraction (`--incidents` incidents, two mentions each, in
`--docs` documents), opens a fresh corrections database in a temporary folder with the tables attached (as a
dashboard session does), records that many merges, then times `--saves` edits one after another and prints a
table:

* attach: opening the store with the tables (once per corpus version in the dashboard: a cached resource);
* per merge: mean time of each merge while the merges are recorded;
* first save: the first edit of a store opened on that database (it builds the corrected table once);
* save median / max: the following edits, each one transaction that checks the edit against the corrected table
  kept from the previous save plus what others wrote since;
* replay: `apply_corrections` of everything (what a page does once per new set of corrections).

Times are wall-clock seconds on whatever else the machine is doing; check `uptime` first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from events.pipeline import INCIDENT_COLUMNS, MENTION_COLUMNS, typed_frame  # noqa: E402
from events.store import CorrectionStore, apply_corrections  # noqa: E402


def synthetic_tables(n: int, docs: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """n incidents with two mentions each, spread over `docs` documents (offsets do not overlap within a document)."""
    rng = np.random.default_rng(seed)
    ids = [f"inc-{i:010d}" for i in range(n)]
    days = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, n), unit="D")
    start = days.strftime("%Y-%m-%d")
    incidents = pd.DataFrame({
        "id": ids, "title": [f"Attack {i}" for i in range(n)], "type": "attack", "type_label": "Attack",
        "start": start, "end": start, "precision": "day", "date_value": start, "date_text": "on a day",
        "place": "Somewhere", "place_written": "Somewhere", "place_precision": "town", "country": "XX", "admin1": "Area", "continent": "", "lat": rng.uniform(-60, 60, n),
        "lon": rng.uniform(-170, 170, n), "geonameid": "", "sources": "", "n_sources": 2,
        "killed": rng.integers(0, 50, n), "injured": None, "killed_reports": "", "injured_reports": "",
        "actors": "", "evidence": "A sentence.", "n_mentions": 2, "killed_qualifier": "", "injured_qualifier": "",
        "background": False,
    }).reindex(columns=INCIDENT_COLUMNS, fill_value="")  # a column added to the table later reads as empty
    incidents["killed"] = incidents["killed"].astype("Int64")
    incidents["injured"] = incidents["injured"].astype("Int64")
    m = 2 * n
    doc = rng.integers(0, docs, m)
    slot = pd.Series(doc).groupby(doc).cumcount().to_numpy()
    mentions = pd.DataFrame({
        "incident_id": np.repeat(ids, 2), "doc": [f"d{d:06d}" for d in doc], "start": slot * 100, "end": slot * 100 + 80,
        "sentence": "A sentence.", "type": "attack", "trigger": "attack", "date_value": np.repeat(start, 2),
        "date_text": "on a day", "date_from": "clause", "place": "Somewhere", "place_text": "Somewhere",
        "place_from": "clause", "killed": None, "injured": None, "killed_qualifier": "", "injured_qualifier": "",
    }).reindex(columns=MENTION_COLUMNS, fill_value="")
    return typed_frame(incidents.to_dict("records"), INCIDENT_COLUMNS), typed_frame(mentions.to_dict("records"), MENTION_COLUMNS)


def open_store(db: Path, incidents: pd.DataFrame, mentions: pd.DataFrame, corpus: Path) -> CorrectionStore:
    try:
        return CorrectionStore(db, incidents=incidents, mentions=mentions, corpus=corpus)
    except TypeError:  # the store before corrections were per corpus (for before/after figures)
        return CorrectionStore(db, incidents=incidents, mentions=mentions)


def measure(incidents: pd.DataFrame, mentions: pd.DataFrame, merges: int, saves: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="atlas-store-bench-") as tmp:
        db, corpus = Path(tmp) / "c.sqlite", Path(tmp) / "corpus"
        t0 = time.perf_counter()
        store = open_store(db, incidents, mentions, corpus)
        attach = time.perf_counter() - t0
        ids = list(incidents["id"])
        t0 = time.perf_counter()
        for i in range(merges):
            store.merge(ids[2 * i + 1], ids[2 * i], user="bench")
        per_merge = (time.perf_counter() - t0) / merges if merges else float("nan")
        session = open_store(db, incidents, mentions, corpus)  # a new session on that database
        target = ids[-1]
        t0 = time.perf_counter()
        session.edit(target, {"killed": 1}, user="bench")
        first = time.perf_counter() - t0
        times = []
        for i in range(saves):
            t0 = time.perf_counter()
            session.edit(target, {"killed": i + 2}, user="bench")
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out, _ = apply_corrections(incidents, mentions, session)
        replay = time.perf_counter() - t0
        assert len(out) == len(incidents) - merges
    return {"attach": attach, "per_merge": per_merge, "first": first, "median": statistics.median(times),
            "max": max(times), "replay": replay}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--merges", type=int, nargs="+", default=[0, 100, 1000])
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    incidents, mentions = synthetic_tables(args.incidents, args.docs)
    print(f"synthetic tables: {len(incidents):,} incidents, {len(mentions):,} mentions ({time.perf_counter() - t0:.1f} s)")
    print()
    print("| incidents | merges | attach s | per merge s | first save s | save median s | save max s | replay s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for merges in args.merges:
        r = measure(incidents, mentions, merges, args.saves)
        print(f"| {len(incidents):,} | {merges:,} | {r['attach']:.2f} | {r['per_merge']:.3f} | {r['first']:.2f} | "
              f"{r['median']:.3f} | {r['max']:.3f} | {r['replay']:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
