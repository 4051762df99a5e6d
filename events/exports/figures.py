"""`png-timeline`, `png-map`: the dashboard's figures as images (kaleido with the system Chromium); also the
figures the HTML briefing and the deck embed."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

import pandas as pd

from events import views
from events.exports.common import ExportRequest, STATIC_DIR, _country_names
from events.lexicon import default_lexicon


def export_figures(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
                   group_by: str = views.DEFAULT_GROUP_BY, static: bool = False):
    """(timeline, map) plotly figures of the view, built by `views`; `static` adds a map legend for images."""
    colors = default_lexicon().colors()
    labels = views.source_labels(documents) if documents is not None and len(documents) else {}
    names = _country_names()
    timeline = views.timeline_figure(incidents, colors, group_by=group_by, labels=labels, names=names)
    geo = views.map_figure(incidents, colors, labels=labels, height=520, names=names)
    if static:
        # An image has no range slider to pan with: drop it and say what lies outside the opening window.
        timeline.update_xaxes(rangeslider=dict(visible=False))
        window = timeline.layout.xaxis.range
        if window:
            lo, hi = str(window[0])[:10], str(window[1])[:10]
            dated = incidents[incidents["start"].notna() & (incidents["start"].astype(str) != "")]
            end = dated["end"].where(dated["end"].notna() & (dated["end"].astype(str) != ""), dated["start"]).astype(str)
            outside = dated[(end < lo) | (dated["start"].astype(str) > hi)]
            if len(outside):
                years = sorted({str(s)[:4] for s in outside["start"]})
                span = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
                n = len(outside)
                timeline.add_annotation(
                    text=f"Not in this window: {n} incident{'s' if n != 1 else ''} ({span})", showarrow=False,
                    xref="paper", yref="paper", x=1, y=1.0, xanchor="right", yanchor="bottom",
                    font=dict(size=12, color="#555555"))
        # the map's own legend and shape key (`views.map`), with room below the map for both
        geo.update_layout(legend=dict(y=-0.15), margin=dict(l=0, r=0, t=10, b=110))
    return timeline, geo


def topojson_name(fig) -> str:
    """The topojson file plotly.js fetches for a geo figure ('world_110m' for the dashboard's map)."""
    geo = fig.layout.geo
    scope = geo.scope or "world"
    resolution = int(geo.resolution or 110)
    return f"{scope.replace(' ', '-')}_{resolution}m"


def _run_async(factory: Callable[[], Any]) -> Any:
    """Run a coroutine to completion from sync code, also when the caller already runs an event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def render_pngs(figures: Sequence[Any], width: int = 1400, height: int | None = None, scale: float = 1.0,
                sizes: Sequence[tuple[int, int]] | None = None) -> list[bytes]:
    """PNG bytes of plotly figures, rendered by kaleido in one headless Chromium, offline: plotly.js from the
    installed plotly package, no MathJax (kaleido would fetch it from a CDN), world outlines from `static/`.
    Each image is `width` x (`height` or the figure's own height), or the (width, height) in `sizes`."""
    import kaleido

    topojson = STATIC_DIR.resolve().as_uri() + "/"

    async def work() -> list[bytes]:
        try:
            browser = kaleido.Kaleido(n=1, mathjax=False)
        except Exception as exc:  # choreographer's ChromeNotFoundError and friends
            raise RuntimeError(f"PNG export needs Chrome or Chromium (apt-get install chromium, or set BROWSER_PATH): {exc}") from exc
        async with browser as k:
            out = []
            for i, fig in enumerate(figures):
                w, h = sizes[i] if sizes else (width, height or int(fig.layout.height or 500))
                out.append(await k.calc_fig(fig, opts=dict(format="png", width=w, height=h, scale=scale),
                                            topojson=topojson))
            return out

    return _run_async(work)


def timeline_png(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
                 group_by: str = views.DEFAULT_GROUP_BY, width: int = 1400, scale: float = 1.0) -> bytes:
    timeline, _ = export_figures(incidents, documents, group_by=group_by, static=True)
    return render_pngs([timeline], width=width, scale=scale)[0]


def map_png(incidents: pd.DataFrame, documents: pd.DataFrame | None = None, width: int = 1400,
            scale: float = 1.0) -> bytes:
    _, geo = export_figures(incidents, documents, static=True)
    return render_pngs([geo], width=width, height=700, scale=scale)[0]


def export_timeline(request: ExportRequest) -> bytes:
    return timeline_png(request.incidents, request.documents, group_by=request.group_by)


def export_map(request: ExportRequest) -> bytes:
    return map_png(request.incidents, request.documents)
