"""Incident atlas dashboard: `streamlit run dashboard.py [-- --corpus DIR]`.

Layout and wiring only: filters, query-string round trip, figures and evidence windows are pure functions in
`events/views/`; extraction is `events.pipeline.load_or_extract` (cached on disk, and here per corpus signature).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Callable

import pandas as pd
import streamlit as st

import dashboard_workflow as workflow_ui
from events import views
from events.settings import check_corpus_folder, corpus_roots
from events.views import FilterState

ROOT = Path(__file__).resolve().parent
# Plotly fetches world outlines from this URL (served by Streamlit from static/, see .streamlit/config.toml)
# instead of its CDN, so the map draws countries and coastlines with no network.
PLOTLY_CONFIG = {"topojsonURL": "app/static/", "displaylogo": False, "scrollZoom": True}
MAX_PROGRESS_UPDATES = 40
TABLE_ROWS = 5_000  # the incident table and the detail picker list at most this many rows (narrow the filters)
UNPLACED_LISTED = 20
DETAIL_OPTIONS = 500  # the incident detail picker lists the table's first rows (any row can be clicked)

Loader = Callable[..., object]

# widget keys, one per FilterState field
W = {"sources": "f_sources", "month_from": "f_month_from", "month_to": "f_month_to", "continents": "f_continents", "countries": "f_countries",
     "admin1s": "f_admin1s", "types": "f_types", "min_killed": "f_min_killed", "text": "f_text", "group_by": "f_group_by"}


def cli_corpus(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--corpus", default=str(ROOT / "seeds"))
    args, _ = parser.parse_known_args(argv)
    return args.corpus


def corpus_signature(corpus: str) -> str:
    """Cheap fingerprint of a corpus folder (file names, sizes, mtimes) and of the engine version."""
    from events.pipeline import engine_version

    digest = hashlib.sha256(engine_version().encode())
    folder = Path(corpus)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(folder)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def default_loader(corpus: str, progress=None):
    from events.pipeline import load_or_extract

    return load_or_extract(corpus, progress=progress)


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_extraction(corpus: str, signature: str, loader_name: str, _loader: Loader):
    """The extraction of a corpus; the progress box is emptied at the end, so a cache hit shows nothing.

    A resource, not data: every rerun gets the same tables instead of an unpickled copy (100k incidents took
    0.5 s a rerun to copy). Nothing may modify them in place; derive new frames instead."""
    box = st.empty()
    with box.container():
        status = st.status(f"Extracting incidents from {corpus} (first run; later starts are instant)…", expanded=True)
        bar = status.progress(0.0, text="Reading documents…")
    last = [-1]

    def progress(done: int, total: int, doc_id: str) -> None:
        step = int(MAX_PROGRESS_UPDATES * done / max(total, 1))
        if step != last[0] or done == total:
            last[0] = step
            bar.progress(min(1.0, done / max(total, 1)), text=f"{done} of {total} documents ({doc_id})")

    result = _loader(corpus, progress=progress)
    box.empty()
    return result


@st.cache_data(show_spinner=False, max_entries=4)
def document_texts(corpus: str, signature: str, documents: pd.DataFrame) -> dict[str, str]:
    """doc id -> the text the mention offsets point into (the corpus reader's text, else the file as is)."""
    texts: dict[str, str] = {}
    try:
        from events.corpus import load_corpus

        texts = {d.doc_id: d.text for d in load_corpus(corpus).documents}
    except Exception:  # noqa: BLE001 - an unreadable folder still leaves the files named in the table
        texts = {}
    for row in documents.itertuples(index=False):
        if row.doc not in texts and isinstance(row.path, str) and Path(row.path).is_file():
            texts[row.doc] = Path(row.path).read_text(encoding="utf-8", errors="replace")
    return texts


@st.cache_data(show_spinner=False)
def country_names() -> dict[str, str]:
    return views.country_names()


@st.cache_resource(show_spinner=False)
def type_colors() -> dict[str, str]:
    from events.lexicon import default_lexicon

    return default_lexicon().colors()


# ------------------------------------------------------------------------------------------------ filter state

def _widgets_from_state(state: FilterState, options: views.FilterOptions) -> dict[str, object]:
    months = options.months
    values: dict[str, object] = {
        W["sources"]: list(state.sources), W["continents"]: list(state.continents), W["countries"]: list(state.countries),
        W["admin1s"]: list(state.admin1s), W["types"]: list(state.types), W["min_killed"]: int(state.min_killed),
        W["text"]: state.text, W["group_by"]: state.group_by,
    }
    if months:
        values[W["month_from"]] = state.month_from or months[0]
        values[W["month_to"]] = state.month_to or months[-1]
    return values


def _state_from_widgets(options: views.FilterOptions) -> FilterState:
    ss = st.session_state
    months = options.months
    month_from = month_to = None
    if months:
        lo, hi = ss.get(W["month_from"]) or months[0], ss.get(W["month_to"]) or months[-1]
        if lo > hi:
            lo, hi = hi, lo
        month_from = lo if lo != months[0] else None
        month_to = hi if hi != months[-1] else None
    return FilterState(
        sources=tuple(ss.get(W["sources"], ())), month_from=month_from, month_to=month_to,
        continents=tuple(ss.get(W["continents"], ())), countries=tuple(ss.get(W["countries"], ())),
        admin1s=tuple(ss.get(W["admin1s"], ())), types=tuple(ss.get(W["types"], ())),
        min_killed=int(ss.get(W["min_killed"], 0) or 0), text=str(ss.get(W["text"], "") or ""),
        group_by=str(ss.get(W["group_by"], views.DEFAULT_GROUP_BY)),
    )


def _current_query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _sync_query(state: FilterState) -> None:
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in views.to_query(state).items()}
    if wanted != _current_query():
        st.query_params.from_dict(views.to_query(state))


def _reset_filters(options: views.FilterOptions) -> None:
    st.session_state.update(_widgets_from_state(views.FilterState(group_by=st.session_state.get(W["group_by"], "type")), options))
    _clear_selection()


def _clear_selection() -> None:
    st.session_state["sel_nonce"] = st.session_state.get("sel_nonce", 0) + 1
    st.session_state["sel_source"] = None


def sidebar_filters(extraction, options: views.FilterOptions, labels: dict[str, str], names: dict[str, str]) -> None:
    sb = st.sidebar
    sb.subheader("Filters")
    sb.multiselect("Sources", options.sources, key=W["sources"], format_func=lambda d: labels.get(d, d),
                   placeholder="All documents")
    if options.months:
        left, right = sb.columns(2)
        left.selectbox("From month", options.months, key=W["month_from"])
        right.selectbox("To month", options.months, key=W["month_to"])
    sb.multiselect("Continent", options.continents, key=W["continents"], placeholder="Anywhere")
    sb.multiselect("Country", options.countries, key=W["countries"], format_func=lambda c: names.get(c, c),
                   placeholder="Any country")
    sb.multiselect("First-level admin area", options.admin1s, key=W["admin1s"], placeholder="Any area")
    type_labels = dict(options.type_labels)  # computed once per table with the options
    sb.multiselect("Incident type", options.types, key=W["types"], format_func=lambda t: type_labels.get(t, t),
                   placeholder="All types")
    sb.number_input("Killed at least", min_value=0, max_value=max(options.max_killed, 0) or 1_000_000, step=1,
                    key=W["min_killed"])
    sb.text_input("Text in title or evidence", key=W["text"], placeholder="e.g. concert")
    sb.button("Reset filters", on_click=_reset_filters, args=(options,), width="stretch")


# ------------------------------------------------------------------------------------------------ page parts

def render_detail(incident: pd.Series, extraction, texts: dict[str, str], labels: dict[str, str]) -> None:
    docs = extraction.documents.set_index("doc")
    st.markdown(f"#### {views.escape_markdown(incident['title'])}")
    when = incident["date_text"] or "undated"
    span = "" if pd.isna(incident["start"]) or not incident["start"] else (
        incident["start"] if incident["start"] == incident["end"] else f"{incident['start']} – {incident['end']}")
    meta = st.columns(4)
    meta[0].markdown(f"**When**  \n“{views.escape_markdown(when)}”  \n{views.escape_markdown(incident['precision'] or '')} {views.escape_markdown(span)}")
    place = incident["place"] or "no place found"
    meta[1].markdown(f"**Where**  \n{views.escape_markdown(place)}  \n{views.escape_markdown(incident['admin1'] or '')} {views.escape_markdown(incident['country'] or '')}")
    meta[2].markdown(f"**Casualties**  \n{views.casualties_text(incident['killed'], incident['injured'])}")
    meta[3].markdown(f"**Sources**  \n{int(incident['n_sources'])} documents, {int(incident['n_mentions'])} mentions")

    for label, column in (("Killed", "killed_reports"), ("Injured", "injured_reports")):
        reports = views.parse_reports(incident.get(column))
        if len(reports) > 1:
            st.markdown(f"**{label}: sources disagree**")
            cols = st.columns(len(reports))
            for col, (figure, report_docs) in zip(cols, reports):
                col.metric(label, figure)
                for d in report_docs:
                    col.caption(views.escape_markdown(labels.get(d, d)))
        elif len(reports) == 1:
            figure, report_docs = reports[0]
            st.caption(f"{label}: {figure} — reported by "
                       + "; ".join(views.escape_markdown(labels.get(d, d)) for d in report_docs))

    mentions = extraction.mentions[extraction.mentions["incident_id"] == incident["id"]]
    for doc, part in mentions.groupby("doc", sort=False):
        title = docs["title"].get(doc, doc) if doc in docs.index else doc
        publisher = docs["publisher"].get(doc, "") if doc in docs.index else ""
        published = docs["published"].get(doc, "") if doc in docs.index else ""
        with st.container(border=True):
            st.markdown(f"**{views.escape_markdown(title or doc)}**")
            st.caption(" · ".join(views.escape_markdown(str(x)) for x in (publisher, published, doc)
                                  if x is not None and str(x) not in ("", "None", "NaT")))
            text = texts.get(doc)
            for m in part.itertuples(index=False):
                if text is not None and m.start >= 0:  # hand-added incidents may have no offset
                    ctx = views.context_window(text, m.start, m.end)
                else:
                    ctx = views.Context("", str(m.sentence), "")
                st.markdown(views.context_markdown(ctx))
                facts = [f"date “{m.date_text}” ({m.date_from})" if m.date_text else "",
                         f"place “{m.place_text}” → {m.place}" if m.place else "",
                         views.casualties_text(m.killed, m.injured) if views._is_number(m.killed) or views._is_number(m.injured) else ""]
                st.caption(views.escape_markdown(" · ".join(f for f in facts if f)))


def main(loader: Loader | None = None, default_corpus: str | None = None) -> None:
    st.set_page_config(page_title="Incident atlas", page_icon=":world_map:", layout="wide")
    loader = loader or default_loader
    default_corpus = default_corpus or cli_corpus(sys.argv[1:])

    corpus = st.sidebar.text_input("Corpus folder", value=default_corpus, key="corpus").strip() or default_corpus
    try:  # anyone who reaches the page can type here: only the configured corpus roots open
        check_corpus_folder(corpus, corpus_roots(default_corpus))
    except ValueError as exc:
        st.error(views.escape_markdown(str(exc)))
        st.stop()
    if not Path(corpus).is_dir():
        st.error(f"Corpus folder not found: {views.escape_markdown(corpus)}")
        st.stop()
    signature = corpus_signature(corpus)
    extraction = cached_extraction(corpus, signature, getattr(loader, "__qualname__", "loader"), loader)
    wf = workflow_ui.prepare(extraction, corpus, signature)  # analysts' corrections, before any filter or figure
    extraction = wf.extraction
    incidents = extraction.incidents
    names = country_names()
    # per-row columns for filters and figures, computed once per table version (a rerun reuses them)
    view = views.prepared(incidents, key=(corpus, signature, wf.version), names=names, documents=extraction.documents)
    labels, options = view.labels, view.options
    colors = type_colors()

    # query string -> widgets, once per session and corpus; afterwards widgets -> query string
    if st.session_state.get("_filters_for") != (corpus, signature):
        qp = _current_query()
        state = views.clamp_state(views.parse_query(qp), options)
        st.session_state.update(_widgets_from_state(state, options))
        st.session_state["_filters_for"] = (corpus, signature)
        st.session_state.setdefault("sel_nonce", 0)
        st.session_state.setdefault("sel_source", None)
    sidebar_filters(extraction, options, labels, names)
    workflow_ui.render_sidebar(wf)
    state = _state_from_widgets(options)
    _sync_query(state)

    # the rows in view as positions in the prepared table: only the rows shown in the table are sliced
    view, pos = views.filter_positions(incidents, state, prepared=view, names=names, documents=extraction.documents)
    frame = view.frame

    # our own constant CSS (no article text): less empty space above the title on a laptop screen
    st.html("<style>.block-container, [data-testid='stMainBlockContainer'] {padding-top: 2.2rem;}</style>")
    head = st.columns([5, 4, 2], vertical_alignment="bottom")
    with head[0]:
        st.markdown("## Incident atlas")
        count_box = st.empty()
    head[1].selectbox("Timeline rows by", list(views.GROUP_BY), key=W["group_by"], format_func=views.GROUP_BY.get)
    head[2].button("Clear selection", on_click=_clear_selection, width="stretch")
    if extraction.problems:
        with st.expander(f"{len(extraction.problems)} corpus problem(s): files that could not be read"):
            for p in extraction.problems:
                st.markdown(f"- `{views.escape_markdown(p.file)}` — {views.escape_markdown(p.reason)}")

    if not len(pos):
        count_box.markdown(f"**{views.count_label(0, len(incidents))}**")
        st.info("No incidents match these filters. Widen the month range, remove a filter, or reset them.")
        st.button("Reset filters", key="reset_empty", on_click=_reset_filters, args=(options,))
        workflow_ui.render_tools(wf, state, None, labels)
        return

    # linked selection: the chart selected on last highlights its incidents in the other chart and the table
    filter_key = hashlib.sha1(repr(state).encode()).hexdigest()[:8]
    nonce = st.session_state.get("sel_nonce", 0)
    keys = {"timeline": f"timeline-{nonce}-{filter_key}", "map": f"map-{nonce}-{filter_key}"}
    source = st.session_state.get("sel_source")
    picked: list[str] | None = None
    if source in keys and keys[source] in st.session_state:
        ids = views.selected_ids(st.session_state[keys[source]])
        picked = view.in_view(ids, pos) or None

    def on_select(name: str) -> Callable[[], None]:
        return lambda: st.session_state.update(sel_source=name)

    table_pos = pos if picked is None else pos[view.keep_mask(picked)[pos]]
    count = views.count_label(len(pos), len(incidents))
    if picked is not None:
        count += f" · {len(picked)} selected on the {source}"
    count_box.markdown(f"**{count}**")

    left, right = st.columns([3, 2])
    with left:
        st.caption("**Timeline** · drag to select · range slider below to zoom · bars are month/season/year dates")
        highlight = picked if source == "map" else None
        # kept per view with the table's precomputed columns: a rerun for another widget (table row, detail,
        # workflow tools) draws the same figure again without building it
        timeline = view.cached(
            ("figure", "timeline", state, None if highlight is None else tuple(highlight)),
            lambda: views.timeline_figure(frame, colors, group_by=state.group_by, labels=labels, names=names,
                                          prepared=view, positions=pos, highlight=highlight))
        st.plotly_chart(timeline, key=keys["timeline"], on_select=on_select("timeline"),
                        selection_mode=("points", "box", "lasso"), config=PLOTLY_CONFIG, width="stretch")
    with right:
        st.caption("**Map** · size = casualties · scroll to zoom · drag to select")
        highlight = picked if source == "timeline" else None
        world = view.cached(
            ("figure", "map", replace(state, group_by=views.DEFAULT_GROUP_BY), None if highlight is None else tuple(highlight)),
            lambda: views.map_figure(frame, colors, labels=labels, prepared=view, positions=pos, highlight=highlight))
        st.plotly_chart(world, key=keys["map"], on_select=on_select("map"),
                        selection_mode=("points", "box", "lasso"), config=PLOTLY_CONFIG, width="stretch")
        unplaced = pos[~view.placed[pos]]
        if len(unplaced):
            listed = frame.iloc[unplaced[:UNPLACED_LISTED]]
            more = f"; and {len(unplaced) - len(listed):,} more" if len(unplaced) > len(listed) else ""
            st.caption(f"Not on the map ({len(unplaced)}, no coordinates): " +
                       "; ".join(views.escape_markdown(f"{t} ({d or 'undated'})") for t, d in zip(listed["title"], listed["date_text"])) + more)

    n_table = len(table_pos)
    in_table = frame.iloc[table_pos[:TABLE_ROWS]]  # the rows the table lists (the detail is one of them)
    st.subheader(f"Incidents ({n_table})")
    if n_table > TABLE_ROWS:
        st.caption(f"Showing the first {TABLE_ROWS:,} of {n_table:,}; narrow the filters or select on a chart to see the others.")
    table = views.table_view(in_table, names)
    table = workflow_ui.mark_table(table, in_table)
    event = st.dataframe(
        table, key=f"table-{nonce}-{filter_key}", on_select="rerun", selection_mode="single-row", hide_index=True,
        column_order=[c for c in table.columns if c != "id"], width="stretch", height=min(420, 38 + 35 * len(table)),
        column_config={"Start": st.column_config.DateColumn("Start", format="YYYY-MM-DD"),
                       "Killed": st.column_config.NumberColumn("Killed"), "Injured": st.column_config.NumberColumn("Injured")},
    )
    rows = list(event.selection.rows) if event is not None and hasattr(event, "selection") else []
    ids = table["id"].tolist()
    if rows:
        detail_id = ids[rows[0]]
    else:
        head_rows = table.head(DETAIL_OPTIONS)  # a picker of thousands costs every rerun and is hard to use
        titles = dict(zip(head_rows["id"], head_rows["Incident"] + " · " + head_rows["Date"].fillna("").astype(str)))
        detail_id = st.selectbox("Incident detail (or click a row above)", ids[:DETAIL_OPTIONS], index=None,
                                 format_func=titles.get, placeholder="Pick an incident to see its evidence",
                                 key="detail_pick")
        if len(ids) > DETAIL_OPTIONS:
            st.caption(f"The picker lists the first {DETAIL_OPTIONS:,} rows of the table; click any row above to see "
                       "its evidence.")
    if detail_id is not None and detail_id in set(ids):
        incident = in_table[in_table["id"].astype(str) == detail_id].iloc[0]
        render_detail(incident, extraction, document_texts(corpus, signature, extraction.documents), labels)
        workflow_ui.render_correction_panel(wf, incident, labels)
    workflow_ui.render_tools(wf, state, picked, labels, n_shown=len(pos), documents=view.doc_ids)


if __name__ == "__main__":
    main()
