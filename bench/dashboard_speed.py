"""How long the dashboard's pure view functions take on a large synthetic incident table.

    .venv/bin/python bench/dashboard_speed.py [N]

Builds N incidents (default 5000) by repeating the test fixture's rows with shifted dates and places, then times
filtering, the query-string round trip and both figure builders (what one Streamlit rerun costs besides drawing).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import synthetic_extraction, write_corpus  # noqa: E402
from events import views  # noqa: E402
from events.lexicon import default_lexicon  # noqa: E402


def big_table(n: int) -> pd.DataFrame:
    base = synthetic_extraction(write_corpus(Path(tempfile.mkdtemp()))).incidents
    reps = -(-n // len(base))
    table = pd.concat([base] * reps, ignore_index=True).iloc[:n].copy()
    rng = np.random.default_rng(0)
    shift = pd.to_timedelta(rng.integers(0, 3650, n), unit="D")
    for col in ("start", "end"):
        dates = pd.to_datetime(table[col], errors="coerce") - shift
        table[col] = dates.dt.strftime("%Y-%m-%d").where(dates.notna(), None)
    table["lat"] = table["lat"] + rng.normal(0, 2, n)
    table["lon"] = table["lon"] + rng.normal(0, 2, n)
    table["id"] = [f"inc-{i:06d}" for i in range(n)]
    return table


def timed(label: str, fn, repeat: int = 3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<34} {best * 1000:8.1f} ms")
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    table = big_table(n)
    colors = default_lexicon().colors()
    state = views.FilterState(types=("attack", "bombing"), text="killed", month_from="2010-01")
    print(f"{n} incidents")
    timed("filter_options", lambda: views.filter_options(table))
    timed("parse_query(to_query(state))", lambda: views.parse_query(views.to_query(state)))
    shown = timed("apply_filters", lambda: views.apply_filters(table, state))
    timed("timeline_figure (all)", lambda: views.timeline_figure(table, colors))
    timed("map_figure (all)", lambda: views.map_figure(table, colors))
    timed("timeline_figure (filtered)", lambda: views.timeline_figure(shown, colors))
    timed("table_view", lambda: views.table_view(table))


if __name__ == "__main__":
    main()
