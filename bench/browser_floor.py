"""The browser draw floor: what a Streamlit page costs in chromium before the dataset page's own work.

    .venv/bin/python bench/browser_floor.py [--visits 3] [--pages bare plotly vega echarts] [--table]
        [--timeline-marks 36] [--map-marks 36] [--screenshots FOLDER]

Starts one `streamlit run` per page (each the same title and sidebar widgets; `bare` draws no chart, the others a
stacked timeline of three incident types and a world map of points over the local outlines, both with selections on;
36 marks each by default, `--timeline-marks 359 --map-marks 228` as the 10^6 dataset page; `--table` adds the page's
500-row table) and visits them interleaved in one headless chromium (/usr/bin/chromium), a new browser context per
visit (cold: empty HTTP cache), after one warming round that is not counted. A visit ends with the same kind of
milestone as `bench/dashboard_speed.best_draw_seconds`: the page's widgets shown, both charts' marks and the map's
country outlines in the DOM, Streamlit idle. Printed per page: wall seconds, the main thread's CPU seconds (CDP
`Performance.getMetrics` TaskDuration in thread time) and the whole browser's (user + system time of its processes,
from /proc; rough: a process that exits during a visit takes its time with it), and the load average beside them. On
a loaded machine compare the CPU columns and the fractions of plotly's, not the walls.

The question it answers: how much of the dataset page's browser draw is the chart library's, and whether Vega-Lite
(`st.altair_chart`/`st.vega_lite_chart`) or ECharts (`st.echarts_chart`) would draw the same two charts for less.
ECharts in Streamlit refuses geo/map series, so its "map" here is the outlines as polylines on a plain lon/lat grid.
Vega-Lite and ECharts draw SVG here (Streamlit's default for Vega-Lite below 2,000 rows; ECharts' default is canvas),
so that the milestone can count their marks in the DOM; ECharts' animation is off, so its marks are final when seen.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard_speed import CHARTS_DRAWN, _free_port, goto_when_up  # noqa: E402  (bench/ is the script's folder)

PAGES = ("bare", "plotly", "vega", "echarts")

_HEADER = '''
import json
from pathlib import Path

import pandas as pd
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("Incident atlas: browser floor")
with st.sidebar:
    st.multiselect("Incident types", ["attack", "bombing", "crash"], default=["attack", "bombing", "crash"])
    st.slider("Years", 2000, 2024, (2000, 2024))
    st.text_input("Search")
    st.checkbox("Only dated to the day")
TYPES = ["attack", "bombing", "crash"]
# TIMELINE_MARKS bars (type x month from 2000 on) and MAP_MARKS points, spread over the world
bins = pd.DataFrame([{"month": f"{2000 + (k // len(TYPES)) // 12}-{(k // len(TYPES)) % 12 + 1:02d}-01",
                      "type": TYPES[k % len(TYPES)], "count": (k * 7) % 11 + 1} for k in range(TIMELINE_MARKS)])
frame = pd.DataFrame([{"type": TYPES[k % len(TYPES)], "count": (k * 7) % 97 + 1,
                       "lat": -50 + (k * 37) % 110, "lon": -175 + (k * 71) % 350} for k in range(MAP_MARKS)])
st.caption(f"Showing {int(frame['count'].sum()):,} incidents")
'''

_BODIES = {
    "bare": "",
    "plotly": '''
import plotly.graph_objects as go
timeline = go.Figure([go.Bar(x=g["month"], y=g["count"], name=t) for t, g in bins.groupby("type")])
timeline.update_layout(barmode="stack", height=320, margin=dict(l=40, r=10, t=10, b=30))
world = go.Figure([go.Scattergeo(lat=g["lat"], lon=g["lon"], name=t, mode="markers",
                                 marker=dict(size=6 + g["count"]), customdata=g["count"],
                                 hovertemplate="%{customdata} incidents<extra>" + t + "</extra>")
                   for t, g in frame.groupby("type")])
world.update_geos(projection_type="natural earth", showcountries=True, resolution=110)
world.update_layout(height=420, margin=dict(l=0, r=0, t=0, b=0))
config = {"topojsonURL": "app/static/"}
st.plotly_chart(timeline, key="timeline", on_select="rerun", config=config)
st.plotly_chart(world, key="map", on_select="rerun", config=config)
''',
    "vega": '''
svg = {"embedOptions": {"renderer": "svg"}}
pick = {"name": "pick", "select": {"type": "point", "fields": ["month", "type"]}}
timeline = {
    "usermeta": svg, "height": 320, "width": "container", "params": [pick],
    "mark": "bar",
    "encoding": {"x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth"},
                 "y": {"field": "count", "type": "quantitative", "aggregate": "sum"},
                 "color": {"field": "type", "type": "nominal"},
                 "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.3},
                 "tooltip": [{"field": "type"}, {"field": "count", "aggregate": "sum"}]},
}
world = {
    "usermeta": svg, "height": 420, "width": "container",
    "projection": {"type": "naturalEarth1"},
    "layer": [
        {"data": {"url": "app/static/world_110m.json", "format": {"type": "topojson", "feature": "countries"}},
         "mark": {"type": "geoshape", "fill": "#eeeeee", "stroke": "#999999", "strokeWidth": 0.5}},
        {"params": [{"name": "where", "select": {"type": "point", "fields": ["lat", "lon"]}}],
         "mark": {"type": "circle"},
         "encoding": {"latitude": {"field": "lat", "type": "quantitative"},
                      "longitude": {"field": "lon", "type": "quantitative"},
                      "color": {"field": "type", "type": "nominal"},
                      "size": {"field": "count", "type": "quantitative", "scale": {"type": "log"}},
                      "tooltip": [{"field": "type"}, {"field": "count"}]}},
    ],
}
st.vega_lite_chart(bins, timeline, key="timeline", on_select="rerun", width="stretch")
st.vega_lite_chart(frame, world, key="map", on_select="rerun", width="stretch")
''',
    "echarts": '''
def outlines():
    """The TopoJSON's arcs as lon/lat polylines (ECharts in Streamlit draws no geo maps)."""
    topo = json.loads(Path(OUTLINES).read_text())
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    lines = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append([round(x * sx + tx, 2), round(y * sy + ty, 2)])
        lines.append({"coords": points})
    return lines
months = sorted(bins["month"].unique())
timeline = {
    "animation": False, "tooltip": {}, "legend": {}, "grid": {"left": 40, "right": 10, "top": 30, "bottom": 30},
    "xAxis": {"type": "category", "data": months}, "yAxis": {"type": "value"},
    "series": [{"type": "bar", "stack": "all", "name": t, "selectedMode": "single",
                "data": [int(bins[(bins.type == t) & (bins.month == m)]["count"].sum()) for m in months]}
               for t in TYPES],
}
world = {
    "animation": False, "tooltip": {}, "legend": {}, "grid": {"left": 10, "right": 10, "top": 30, "bottom": 10},
    "xAxis": {"type": "value", "min": -180, "max": 180, "show": False},
    "yAxis": {"type": "value", "min": -90, "max": 90, "show": False},
    "series": [{"type": "lines", "coordinateSystem": "cartesian2d", "polyline": True, "silent": True,
                "lineStyle": {"color": "#999", "width": 0.5}, "data": outlines()}]
              + [{"type": "scatter", "name": t, "selectedMode": "single",
                  "data": [[r.lon, r.lat, r.count] for r in frame[frame.type == t].itertuples()]}
                 for t in TYPES],
}
st.echarts_chart(timeline, key="timeline", on_select="rerun", height=320, renderer="svg")
st.echarts_chart(world, key="map", on_select="rerun", height=420, renderer="svg")
''',
}

# Each page's milestone: widgets shown, both charts' marks and the map's outlines in the DOM, Streamlit idle.
_IDLE = "!document.querySelector('[data-testid=\"stStatusWidget\"]')"
_WIDGETS = "document.querySelectorAll('[data-testid=\"stSidebar\"] input').length >= 3"
DRAWN = {
    "bare": f"() => {_WIDGETS} && !!document.querySelector('[data-testid=\"stCaptionContainer\"]') && {_IDLE}",
    "plotly": f"() => {_WIDGETS} && ({CHARTS_DRAWN})()",
    "vega": f"""() => {{
        const charts = document.querySelectorAll('.vega-embed');
        if (charts.length < 2 || !({_WIDGETS})) return false;
        const bars = charts[0].querySelectorAll('.mark-rect.role-mark path').length;
        const borders = charts[1].querySelectorAll('.mark-shape.role-mark path').length > 100;  // one path a country
        const points = charts[1].querySelectorAll('.mark-symbol.role-mark path').length;
        return bars > 0 && borders && points > 0 && {_IDLE};
    }}""",
    "echarts": f"""() => {{
        const charts = [...document.querySelectorAll('[_echarts_instance_]')];
        if (charts.length < 2 || !({_WIDGETS})) return false;
        const bars = charts[0].querySelectorAll('svg path').length;
        const paths = [...charts[1].querySelectorAll('svg path')];
        const borders = paths.some(p => (p.getAttribute('d') || '').length > 1000);
        return bars > 0 && borders && paths.length > 1 && {_IDLE};
    }}""",
}


# --table: what the dataset page shows under its charts, a page of 500 incidents with row selection
_TABLE = '''
table = pd.DataFrame({"Start": pd.date_range("2000-01-01", periods=500, freq="W"),
                      "Type": [TYPES[k % 3] for k in range(500)], "Title": [f"Incident {k}" for k in range(500)],
                      "Place": [f"Place {k % 37}" for k in range(500)], "Country": [f"C{k % 11}" for k in range(500)],
                      "Killed": [k % 13 for k in range(500)], "Injured": [k % 29 for k in range(500)],
                      "Sources": [k % 4 + 1 for k in range(500)], "Precision": ["day"] * 500})
st.subheader("Incidents (500)")
st.dataframe(table, key="table", on_select="rerun", selection_mode="single-row", hide_index=True, height=420,
             width="stretch")
st.selectbox("Incident detail", table["Title"].tolist(), index=None)
'''
_TABLE_DRAWN = "!!document.querySelector('[data-testid=\"stDataFrame\"] canvas')"


def app_script(page: str, timeline_marks: int = 36, map_marks: int = 36, table: bool = False) -> str:
    """The page's Streamlit script."""
    script = _HEADER + textwrap.dedent(_BODIES[page]) + (_TABLE if table else "")
    script = script.replace("OUTLINES", repr(str(ROOT / "static" / "world_110m.json")))
    return script.replace("TIMELINE_MARKS", str(timeline_marks)).replace("MAP_MARKS", str(map_marks))


def start_servers(pages: list[str], folder: Path, timeline_marks: int, map_marks: int,
                  table: bool) -> dict[str, tuple[str, subprocess.Popen]]:
    """One `streamlit run` per page, from the repository (its .streamlit/config.toml serves static/)."""
    streamlit = Path(sys.executable).with_name("streamlit")
    servers = {}
    for page in pages:
        app = folder / page
        app.mkdir()
        (app / "static").symlink_to(ROOT / "static", target_is_directory=True)
        (app / "floor_app.py").write_text(app_script(page, timeline_marks, map_marks, table), encoding="utf-8")
        port = _free_port()
        proc = subprocess.Popen([str(streamlit), "run", str(app / "floor_app.py"), "--server.port", str(port),
                                 "--server.headless", "true"], cwd=ROOT,
                                stdout=open(app / "server.log", "w"), stderr=subprocess.STDOUT)
        servers[page] = (f"http://127.0.0.1:{port}/", proc)
    return servers


def browser_cpu_seconds() -> dict[int, float]:
    """User + system CPU seconds of each chromium process started under this one, read from /proc: the whole
    browser's work (compositing and rasterising in software, network, GPU process) beside the page's main thread."""
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parent[int(entry.name)] = int(fields[1])
            cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):  # the process has just exited
            continue
    mine = {os.getpid()}
    for _ in range(6):  # python -> playwright driver -> chromium -> its zygotes -> renderers
        mine |= {pid for pid, ppid in parent.items() if ppid in mine}
    chromium = {}
    for pid in mine:
        try:
            if "chrom" in os.readlink(f"/proc/{pid}/exe"):
                chromium[pid] = cpu[pid]
        except OSError:
            continue
    return chromium


def visit(browser, url: str, drawn: str, timeout_ms: int) -> tuple[float, float, float, list[str]]:
    """(wall s, main-thread CPU s, whole browser's CPU s) of one cold visit, and every request that left 127.0.0.1.
    The whole browser's figure is rough: a process that exits during the visit takes its CPU time with it."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else outside.append(r.url))
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    before = browser_cpu_seconds()
    t = goto_when_up(page, url)
    try:
        page.wait_for_function(drawn, timeout=timeout_ms, polling=50)
    except Exception as error:  # noqa: BLE001 - say which page did not draw, with what it shows
        shot = Path(tempfile.gettempdir()) / "browser-floor-timeout.png"
        page.screenshot(path=str(shot), full_page=True)
        print(page.evaluate("""() => [...new Set([...document.querySelectorAll('svg [class], [_echarts_instance_]')]
            .map(e => e.tagName + '.' + (e.getAttribute('class') || '_echarts_'))).values()].slice(0, 60).join(' ')"""))
        raise RuntimeError(f"{url}: the milestone was not reached (page as it was: {shot})") from error
    wall = time.perf_counter() - t
    after = browser_cpu_seconds()
    whole = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    context.close()
    return wall, metrics.get("TaskDuration", float("nan")), whole, outside


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=3, help="counted cold visits per page (after one warming)")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    parser.add_argument("--timeline-marks", type=int, default=36,
                        help="bars on the timeline (the dataset page draws up to 1,000; 359 at 10^6)")
    parser.add_argument("--map-marks", type=int, default=36,
                        help="points on the map (the dataset page draws up to 400; 228 at 10^6)")
    parser.add_argument("--table", action="store_true",
                        help="every page also shows a 500-row table with row selection, as the dataset page does")
    parser.add_argument("--screenshots", type=Path, help="save each page's last visit here (PNG)")
    parser.add_argument("--timeout", type=int, default=180_000, help="ms to wait for one visit's milestone")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    results: dict[str, list[tuple[float, float, float, float]]] = {p: [] for p in args.pages}
    outside: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="atlas-floor-") as tmp:
        servers = start_servers(args.pages, Path(tmp), args.timeline_marks, args.map_marks,
                                args.table)
        drawn = {page: f"() => ({DRAWN[page]})() && {_TABLE_DRAWN}" if args.table else DRAWN[page]
                 for page in args.pages}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                for round_ in range(args.visits + 1):
                    # rotate the order each round, so no page always follows the same one
                    order = args.pages[round_ % len(args.pages):] + args.pages[:round_ % len(args.pages)]
                    for page in order:
                        print(f"# round {round_} {page} ...", end=" ", flush=True)
                        wall, cpu, whole, left = visit(browser, servers[page][0], drawn[page], args.timeout)
                        outside.update(left)
                        load = os.getloadavg()[0]
                        if round_:
                            results[page].append((wall, cpu, whole, load))
                        print(f"wall {wall:.2f} s, main-thread CPU {cpu:.2f} s, browser CPU {whole:.2f} s, "
                              f"load {load:.1f}{'' if round_ else ' (warming, not counted)'}", flush=True)
                if args.screenshots:
                    args.screenshots.mkdir(parents=True, exist_ok=True)
                    for page in args.pages:
                        context = browser.new_context(viewport={"width": 1440, "height": 900})
                        tab = context.new_page()
                        tab.goto(servers[page][0])
                        tab.wait_for_function(drawn[page], timeout=args.timeout, polling=50)
                        tab.screenshot(path=str(args.screenshots / f"{page}.png"), full_page=True)
                        context.close()
                browser.close()
        finally:
            for _, proc in servers.values():
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    base = {k: min(row[k] for row in results["plotly"]) for k in range(3)} if "plotly" in results else None
    print(f"\n{args.visits} cold visits per page, interleaved; {args.timeline_marks} timeline marks, {args.map_marks} "
          f"map marks{'; a 500-row table' if args.table else ''}; Vega-Lite and ECharts drawing SVG; "
          "(x) = the best as a fraction of plotly's best\n")
    print("| page | wall s | main-thread CPU s | browser CPU s | load |")
    print("|---|---|---|---|---|")
    for page, rows in results.items():
        cells = []
        for k in range(3):
            values = [row[k] for row in rows]
            cells.append(f"{min(values):.2f}-{max(values):.2f}" + (f" ({min(values) / base[k]:.2f})" if base else ""))
        loads = [row[3] for row in rows]
        print(f"| {page} | {' | '.join(cells)} | {min(loads):.1f}-{max(loads):.1f} |")
    print(f"\nrequests beyond 127.0.0.1: {json.dumps(sorted(outside)) if outside else 'none'}")


if __name__ == "__main__":
    main()
