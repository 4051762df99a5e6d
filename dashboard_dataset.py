"""The dashboard on an incident dataset (a folder written by `events extract CORPUS --out DIR`), for tables too large
to hold in the Streamlit process: every widget asks `events.warehouse.Warehouse` (DuckDB over the Parquet dataset)
for what it shows - the sidebar's options, the count, the timeline's marks per bin, the map's marks per grid cell,
a page of the table, one incident's mentions - with the analysts' corrections applied in the query.

Layout and wiring only; the queries are in `events/warehouse.py`, the figures in `events/views/mark_figures.py`.
`dashboard.main` hands over here when the corpus folder is a dataset; `page` is dashboard.py's namespace (its
widget keys, filter wiring, sidebar and detail renderers), shared so both pages behave alike.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import streamlit as st

from events import views
from events.views import FilterState, mark_figures
from events.warehouse import Warehouse, map_mark_keys, open_dataset, selection_sql, timeline_mark_keys

PAGE_ROWS = 500  # rows per table page
# marks on the whole-world map: a few hundred draw in ~0.1 s, 3,000 took 1-2 s of the browser's draw
WORLD_MARKS = 400
# marks on the timeline: the finest time bin that keeps under this many (1,759 quarter marks at 10^6 took ~1 s)
TIMELINE_MARKS = 1000
SOURCES_LISTED = 5_000  # above this many documents the source picker is left out (a browser list of a million)
ALL = FilterState(background=True)


@st.cache_resource(show_spinner="Opening the incident dataset…", max_entries=4)
def cached_warehouse(folder: str, written_at: str, corrections_db: str) -> Warehouse:
    """One warehouse per dataset version, shared by every session (DuckDB answers concurrent queries under its lock)."""
    return open_dataset(folder, corrections_db or None)


def _corrections_fingerprint(warehouse: Warehouse) -> tuple:
    store = warehouse.store
    if store is None or not Path(store.path).exists():
        return ()
    stat = Path(store.path).stat()
    return (stat.st_mtime_ns, stat.st_size)


def _fresh(warehouse: Warehouse) -> Warehouse:
    """Re-read the corrections when their database changed since the last rerun (a correction saved elsewhere)."""
    seen = _corrections_fingerprint(warehouse)
    if getattr(warehouse, "_seen_corrections", None) != seen:
        if hasattr(warehouse, "_seen_corrections"):
            warehouse.refresh()
        warehouse._seen_corrections = seen
    return warehouse


def _source_labels(warehouse: Warehouse) -> dict[str, str]:
    return warehouse.cached(("source labels",), lambda: views.source_labels(warehouse.documents())
                            if warehouse.meta.get("documents", 0) <= SOURCES_LISTED else {})


def _titles(warehouse: Warehouse, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = warehouse.query("SELECT id, title FROM incidents WHERE list_contains(?::VARCHAR[], id)", [ids])
    return dict(zip(rows["id"].astype(str), rows["title"].astype(str)))


def _selection(keys: dict[str, str]) -> tuple[str | None, list[str]]:
    """(chart the analyst selected on last, its mark keys)."""
    source = st.session_state.get("sel_source")
    if source in keys and keys[source] in st.session_state:
        picked = mark_figures.selected_mark_keys(st.session_state[keys[source]])
        if picked:
            return source, picked
    return None, []


def render(corpus: str, page: SimpleNamespace) -> None:
    from events.settings import get_settings

    written_at = str(json.loads((Path(corpus) / "atlas.json").read_text(encoding="utf-8")).get("written_at", ""))
    try:
        warehouse = _fresh(cached_warehouse(str(Path(corpus).resolve()), written_at,
                                            str(get_settings()["corrections_db"])))
    except (ValueError, OSError) as exc:
        st.error(views.escape_markdown(str(exc)))
        st.stop()
    names = page.country_names()
    colors = page.type_colors()
    many_sources = warehouse.meta.get("documents", 0) > SOURCES_LISTED
    options = warehouse.options(sources=not many_sources)
    labels = _source_labels(warehouse)
    W = page.W
    if st.session_state.get("_filters_for") != (corpus, written_at):
        state = views.clamp_state(views.parse_query(page._current_query()), options)
        st.session_state.update(page._widgets_from_state(state, options))
        st.session_state["_filters_for"] = (corpus, written_at)
        st.session_state.setdefault("sel_nonce", 0)
        st.session_state.setdefault("sel_source", None)
    everything = FilterState(background=True)
    counts = {column: {str(v): int(n) for v, n in zip(found["value"], found["n"]) if isinstance(v, str)}
              for column in ("type", "country") for found in [warehouse.value_counts(everything, column)]}
    page.sidebar_filters(None, options, labels, names, counts=counts)
    if many_sources:
        st.sidebar.caption(f"No source picker: {warehouse.meta.get('documents', 0):,} documents; the text search "
                           "reads titles and mentions.")
    state = page._state_from_widgets(options)
    type_labels = dict(options.type_labels)

    shown, total = warehouse.count(state), warehouse.total()
    head = st.columns([5, 3, 2], vertical_alignment="bottom")
    with head[0]:
        st.markdown("## Incident atlas")
        count_box = st.empty()
    head[1].selectbox("Timeline rows by", list(views.GROUP_BY), key=W["group_by"], format_func=views.GROUP_BY.get)
    head[2].button("Clear selection", on_click=page._clear_selection, width="stretch")
    st.caption(views.escape_markdown(f"Dataset {Path(corpus).name}: {int(warehouse.meta.get('incidents', 0)):,} "
                                     f"incidents extracted from {warehouse.meta.get('corpus', '?')} · read with DuckDB"
                                     + (f" · {len(warehouse.touched):,} incidents corrected by analysts"
                                        if warehouse.touched else "")))
    hidden = "" if state.background or not options.n_background else \
        f" · {options.n_background:,} background incident{'s' if options.n_background != 1 else ''} hidden"
    if not shown:
        page._sync_query(state, corpus)
        count_box.markdown(f"**{views.count_label(0, total)}**{hidden}")
        st.info("No incidents match these filters. Widen the month range, remove a filter, or reset them.")
        return

    filter_key = hashlib.sha1(repr(state).encode()).hexdigest()[:8]
    nonce = st.session_state.get("sel_nonce", 0)
    keys = {"timeline": f"timeline-{nonce}-{filter_key}", "map": f"map-{nonce}-{filter_key}"}
    source, picked = _selection(keys)
    within = selection_sql(picked) if picked else None
    count = views.count_label(shown, total)
    if within is not None:
        count += f" · {warehouse.count(state, within=within):,} selected on the {source}"
    count_box.markdown(f"**{count}**{hidden}")

    def on_select(name: str):
        return lambda: st.session_state.update(sel_source=name)

    left, right = st.columns([3, 2])
    with left:
        st.caption("**Timeline** · click a mark to select what it holds · box or lasso from its toolbar · scroll to "
                   "zoom, drag to pan, double-click for all · marks group incidents by row, type and time bin when "
                   "there are many")
        bin_name, marks = warehouse.timeline_marks(state, group_by=state.group_by, limit=TIMELINE_MARKS,
                                                   highlight=within if source == "map" else None)
        mark_keys = timeline_mark_keys(bin_name, state.group_by, marks)
        fig = warehouse.cached(("figure", "timeline", repr(state), source == "map" and repr(picked)), lambda: (
            mark_figures.timeline_from_marks(
                bin_name, marks, colors, mark_keys, group_by=state.group_by, type_labels=type_labels, names=names,
                titles=_titles(warehouse, marks["first_id"].tolist()) if bin_name == "none" else {},
                highlight=source == "map", total=shown)))
        st.plotly_chart(fig, key=keys["timeline"], on_select=on_select("timeline"),
                        selection_mode=("points", "box", "lasso"), config=page.PLOTLY_CONFIG, width="stretch")
        if bin_name != "none":
            st.caption(f"{shown:,} incidents in {len(marks):,} marks (by {bin_name})")
    with right:
        st.caption("**Map** · click a cell to select it · zoom to a selection for a finer grid")
        extent = st.session_state.get("map_extent")
        # the whole world: at most WORLD_MARKS marks (all types of a cell in one when by type they do not fit);
        # zoomed to a box, up to the warehouse's MARK_LIMIT marks by type
        cell, cells = warehouse.map_marks(state, extent=extent, highlight=within if source == "timeline" else None,
                                          **({"limit": WORLD_MARKS, "mixed": True} if extent is None else {}))
        cell_keys = map_mark_keys(cell, cells)
        world = warehouse.cached(("figure", "map", repr(state), repr(extent), source == "timeline" and repr(picked)),
                                 lambda: mark_figures.map_from_marks(
                                     cell, cells, colors, cell_keys, type_labels=type_labels, extent=extent,
                                     titles=_titles(warehouse, cells["first_id"].tolist()) if cell == 0 else {},
                                     highlight=source == "timeline"))
        st.plotly_chart(world, key=keys["map"], on_select=on_select("map"),
                        selection_mode=("points", "box", "lasso"), config=page.PLOTLY_CONFIG, width="stretch")
        buttons = st.columns(2)
        if source == "map" and picked:
            chosen = cells[pd.Series(cell_keys, dtype=object).isin(picked).to_numpy(dtype=bool)]
            box = mark_figures.mark_extent(chosen, cell)
            if box is not None and buttons[0].button("Zoom to the selected cells", width="stretch"):
                st.session_state["map_extent"] = box
                page._clear_selection()
                st.rerun()
        if extent is not None and buttons[1].button("Whole map", width="stretch"):
            st.session_state["map_extent"] = None
            st.rerun()
        if cell:
            st.caption(f"{int(cells['n'].sum()):,} placed incidents in {len(cells):,} marks ({cell:g}° cells"
                       + (", all types in one mark, coloured by its most frequent type and sized by its count: "
                          "pick types or zoom for marks by type" if "types" in cells else "")
                       + ")" + (" inside the zoomed box" if extent is not None else ""))

    n_table = warehouse.count(state, within=within)
    pages = max(1, -(-n_table // PAGE_ROWS))
    st.subheader(f"Incidents ({n_table:,})")
    number = 1
    if pages > 1:
        number = int(st.number_input(f"Page (of {pages:,}, {PAGE_ROWS} rows each, latest first)", min_value=1,
                                     max_value=pages, value=1, step=1, key=f"page-{filter_key}-{nonce}"))
    rows = warehouse.cached(("page", repr(state), repr(picked), number), lambda: warehouse.rows(
        state, limit=PAGE_ROWS, offset=(number - 1) * PAGE_ROWS, within=within, columns=views.TABLE_COLUMNS))
    table = views.table_view(rows, names)
    event = st.dataframe(table, key=f"table-{nonce}-{filter_key}-{number}", on_select="rerun",
                         selection_mode="single-row", hide_index=True,
                         column_order=[c for c in table.columns if c != "id"], width="stretch",
                         height=min(420, 38 + 35 * len(table)),
                         column_config={"Start": st.column_config.DateColumn("Start", format="YYYY-MM-DD")})
    chosen_rows = list(event.selection.rows) if event is not None and hasattr(event, "selection") else []
    ids = table["id"].tolist()
    detail_id = ids[chosen_rows[0]] if chosen_rows else None
    if detail_id is None:
        titles = dict(zip(rows["id"].astype(str), rows["title"].astype(str)))
        detail_id = st.selectbox("Incident detail (or click a row above)", ids, index=None, format_func=titles.get,
                                 placeholder="Pick an incident of this page to see its evidence", key="detail_pick")
    if detail_id is None and st.session_state.get("url_open"):
        detail_id = st.session_state["url_open"]
    found = warehouse.rows(state, ids=[detail_id], limit=1) if detail_id is not None else pd.DataFrame()
    page._sync_query(state, corpus, None, detail_id if len(found) else None)
    if len(found):
        incident = found.iloc[0]
        mentions = warehouse.mentions_of(str(detail_id))
        documents = _documents_of(warehouse, sorted(set(mentions["doc"].astype(str))) if len(mentions) else [])
        page.render_detail(incident, SimpleNamespace(documents=documents, mentions=mentions), _texts(documents),
                           labels or views.source_labels(documents), names)


def _documents_of(warehouse: Warehouse, docs: list[str]) -> pd.DataFrame:
    return warehouse.query("SELECT * FROM documents WHERE list_contains(?::VARCHAR[], doc)", [docs])


def _texts(documents: pd.DataFrame) -> dict[str, Any]:
    """doc id -> the document's text where its file is still at its path (the dataset keeps no text)."""
    texts: dict[str, Any] = {}
    for row in documents.itertuples(index=False):
        path = getattr(row, "path", None)
        if isinstance(path, str) and path and Path(path).is_file():
            texts[row.doc] = Path(path).read_text(encoding="utf-8", errors="replace")
    return texts
