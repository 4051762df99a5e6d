"""Where a rerun of the dashboard's dataset page spends its time: `cProfile` around the script runs under
Streamlit's AppTest, with every DuckDB statement the warehouse runs timed (fetch included).

    .venv/bin/python bench/profile_dataset_page.py /tmp/atlas-1m/1000000            # first, filter, selection
    .venv/bin/python bench/profile_dataset_page.py DATASET --top 40 --sql 25

The same steps as `bench/scale_dashboard.py --measure-page` (first render, two types picked in the sidebar, the
map's largest mark clicked, a two-word text search), each printed with: its wall time, the DuckDB time (sum and the slowest statements),
and the functions of this repository (and Streamlit/pandas/plotly entry points) by cumulative time. Profiling
slows Python down; the wall times here are for apportioning, not for publishing (those come from
`scale_dashboard.py`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STATEMENTS: list[tuple[str, float]] = []
PROFILES: list[cProfile.Profile] = []  # the script thread's profile of each run (AppTest runs the script in a thread)
_inside = threading.local()


def profiled_main(folder: str) -> None:
    """dashboard.main on `folder` under cProfile, in the script's own thread."""
    import dashboard

    profile = cProfile.Profile()
    profile.enable()
    try:
        dashboard.main(default_corpus=folder)
    finally:
        profile.disable()
        PROFILES.append(profile)


def _timed(method):
    def wrapper(self, sql, *args, **kwargs):
        if getattr(_inside, "depth", 0):
            return method(self, sql, *args, **kwargs)
        _inside.depth = 1
        started = time.perf_counter()
        try:
            return method(self, sql, *args, **kwargs)
        finally:
            _inside.depth = 0
            STATEMENTS.append((" ".join(str(sql).split()), time.perf_counter() - started))
    return wrapper


class _TimedConnection:
    """The warehouse's DuckDB connection, timing the statements run on it directly (refresh, subsets)."""

    def __init__(self, con):
        self._con = con

    def execute(self, sql, *args):
        if getattr(_inside, "depth", 0):
            return self._con.execute(sql, *args)
        started = time.perf_counter()
        try:
            return self._con.execute(sql, *args)
        finally:
            STATEMENTS.append((" ".join(str(sql).split()), time.perf_counter() - started))

    def __getattr__(self, name):
        return getattr(self._con, name)


def instrument() -> None:
    from events import warehouse

    for name in ("query", "_arrow", "scalar"):
        setattr(warehouse.Warehouse, name, _timed(getattr(warehouse.Warehouse, name)))
    init = warehouse.Warehouse.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.con = _TimedConnection(self.con)

    warehouse.Warehouse.__init__ = __init__


def report(step: str, wall: float, profile: cProfile.Profile, top: int, sql: int) -> None:
    took = sum(s for _, s in STATEMENTS)
    print(f"\n=== {step}: {wall * 1000:,.0f} ms wall (profiled), DuckDB {took * 1000:,.0f} ms in {len(STATEMENTS)} "
          f"statements")
    for text, seconds in sorted(STATEMENTS, key=lambda s: -s[1])[:sql]:
        print(f"  {seconds * 1000:8.1f} ms  {text[:230]}")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats(top)
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--top", type=int, default=45, help="functions listed per step (by cumulative time)")
    parser.add_argument("--sql", type=int, default=20, help="slowest statements listed per step")
    parser.add_argument("--steps", default="first,filter,selection,text")
    args = parser.parse_args(argv)

    from streamlit.testing.v1 import AppTest

    import dashboard  # noqa: F401 - imported before timing, as in a running server
    import dashboard_dataset  # noqa: F401
    from bench.scale_dashboard import _chart_spec

    instrument()
    sys.modules.setdefault("bench.profile_dataset_page", sys.modules[__name__])  # the script's import finds this one
    os.environ["ATLAS_CORRECTIONS_DB"] = str(Path(tempfile.mkdtemp(prefix="atlas-nocorrections-")) / "none.sqlite")
    script = (f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom bench.profile_dataset_page import profiled_main\n"
              f"profiled_main({str(args.dataset)!r})\n")
    at = AppTest.from_string(script, default_timeout=900)
    steps = args.steps.split(",")

    def run(step: str, before=None) -> None:
        if before is not None:
            before()
        STATEMENTS.clear()
        PROFILES.clear()
        started = time.perf_counter()
        at.run()
        wall = time.perf_counter() - started
        profile = PROFILES[-1]
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        if step in steps:
            report(step, wall, profile, args.top, args.sql)

    run("first")

    def pick_types():
        types = sorted(at.sidebar.multiselect(key="f_types").options)[:2]
        at.sidebar.multiselect(key="f_types").set_value(types)

    run("filter", pick_types)

    def click_map():
        spec = _chart_spec(at, 1)
        marks = [(int(str(n or 0).replace(",", "") or 0), c[0]) for trace in spec["data"] for c, n in
                 zip(trace.get("customdata", []), trace.get("text") or [None] * len(trace.get("customdata", [])))
                 if isinstance(c, list) and c]
        biggest = max(marks, key=lambda m: m[0])[1]
        key = [k for k in at.session_state._state.filtered_state if str(k).startswith("map-")][-1]
        at.session_state[key] = {"selection": {"points": [{"customdata": [biggest, ""]}], "box": [], "lasso": [],
                                               "point_indices": []}}
        at.session_state["sel_source"] = "map"

    run("selection", click_map)

    def search():  # the two-word search of bench/scale_dashboard.py's page text rerun (types cleared)
        word = sorted(at.sidebar.multiselect(key="f_types").options)[0].split(" · ")[0].split()[0].lower()
        at.session_state["sel_source"] = None
        at.sidebar.multiselect(key="f_types").set_value([])
        at.sidebar.text_input(key="f_text").set_value(f"{word} in")

    run("text", search)
    return 0


if __name__ == "__main__":
    sys.exit(main())
