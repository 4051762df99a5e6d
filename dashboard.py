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
from types import SimpleNamespace
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
     "admin1s": "f_admin1s", "types": "f_types", "min_killed": "f_min_killed", "text": "f_text", "group_by": "f_group_by",
     "regions": "f_regions", "actors": "f_actors", "background": "f_background"}


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
    from events.lexicon import load_types  # the types' colours only: compiling the trigger patterns took 0.1-0.7 s

    return {kind: found.color for kind, found in load_types().items()}


# ------------------------------------------------------------------------------------------------ filter state

def _widgets_from_state(state: FilterState, options: views.FilterOptions) -> dict[str, object]:
    months = options.months_for(state)
    values: dict[str, object] = {
        W["sources"]: list(state.sources), W["continents"]: list(state.continents), W["countries"]: list(state.countries),
        W["admin1s"]: list(state.admin1s), W["types"]: list(state.types), W["min_killed"]: int(state.min_killed),
        W["text"]: state.text, W["group_by"]: state.group_by, W["regions"]: list(state.regions),
        W["actors"]: list(state.actors), W["background"]: bool(state.background),
    }
    if months:
        values[W["month_from"]] = state.month_from or months[0]
        values[W["month_to"]] = state.month_to or months[-1]
    return values


def _state_from_widgets(options: views.FilterOptions) -> FilterState:
    ss = st.session_state
    background = bool(ss.get(W["background"], False))
    months = options.all_months if background else options.months
    month_from = month_to = None
    if months:
        lo, hi = ss.get(W["month_from"]) or months[0], ss.get(W["month_to"]) or months[-1]
        lo = lo if lo in months else months[0]
        hi = hi if hi in months else months[-1]
        if lo > hi:
            lo, hi = hi, lo
        month_from = lo if lo != months[0] else None
        month_to = hi if hi != months[-1] else None
    return FilterState(
        sources=tuple(ss.get(W["sources"], ())), month_from=month_from, month_to=month_to,
        continents=tuple(ss.get(W["continents"], ())), countries=tuple(ss.get(W["countries"], ())),
        admin1s=tuple(ss.get(W["admin1s"], ())), types=tuple(ss.get(W["types"], ())),
        min_killed=int(ss.get(W["min_killed"], 0) or 0), text=str(ss.get(W["text"], "") or ""),
        group_by=str(ss.get(W["group_by"], views.DEFAULT_GROUP_BY)), regions=tuple(ss.get(W["regions"], ())),
        actors=tuple(ss.get(W["actors"], ())), background=background,
    )


def _current_query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _sync_query(state: FilterState, corpus: str, selection: list[str] | None = None, detail: str | None = None) -> None:
    """The URL names the corpus, the filters, the selection and the open incident, so a shared link opens the
    same view (and says so plainly when the corpus is not there)."""
    query = views.page_query(corpus, state, selection, detail)
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in query.items()}
    if wanted != _current_query():
        st.query_params.from_dict(query)


def _months_changed(options: views.FilterOptions) -> None:
    """Background shown or hidden: the month pickers get the other list, from its first to its last month."""
    months = options.all_months if st.session_state.get(W["background"]) else options.months
    if months:
        st.session_state[W["month_from"]], st.session_state[W["month_to"]] = months[0], months[-1]


def _reset_filters(options: views.FilterOptions) -> None:
    st.session_state.update(_widgets_from_state(views.FilterState(group_by=st.session_state.get(W["group_by"], "type")), options))
    _clear_selection()


def _clear_selection() -> None:
    st.session_state["sel_nonce"] = st.session_state.get("sel_nonce", 0) + 1
    st.session_state["sel_source"] = None
    st.session_state["url_selection"] = []
    st.session_state["url_open"] = None


def sidebar_filters(extraction, options: views.FilterOptions, labels: dict[str, str], names: dict[str, str],
                    counts: dict[str, dict[str, int]] | None = None) -> None:
    """The filter widgets; `counts` (column -> value -> incidents) add how many incidents each type and country has."""
    sb = st.sidebar
    counts = counts or {}

    def counted(column: str, text: str, value: str) -> str:
        n = counts.get(column, {}).get(value)
        return text if n is None else f"{text} · {n:,}"

    sb.subheader("Filters")
    sb.multiselect("Sources", options.sources, key=W["sources"], format_func=lambda d: labels.get(d, d),
                   placeholder="All documents")
    months = options.all_months if st.session_state.get(W["background"]) else options.months
    if months:
        left, right = sb.columns(2)
        left.selectbox("From month", months, key=W["month_from"])
        right.selectbox("To month", months, key=W["month_to"])
    if options.window:
        sb.caption(f"Reporting window (publication dates): {options.window[0]} – {options.window[1]}")
    if options.n_background:
        sb.checkbox(f"Show background incidents ({options.n_background}: history the articles recall)",
                    key=W["background"], on_change=_months_changed, args=(options,))
    sb.multiselect("Continent", options.continents, key=W["continents"], placeholder="Anywhere")
    sb.multiselect("Region", options.regions, key=W["regions"], placeholder="Any region",
                   help="UN M49 sub-regions, with the Middle East and the Sahel as analysts name them (data/regions.csv)")
    sb.multiselect("Country", options.countries, key=W["countries"], format_func=lambda c: counted("country", names.get(c, c), c),
                   placeholder="Any country")
    sb.multiselect("First-level admin area", options.admin1s, key=W["admin1s"], placeholder="Any area")
    type_labels = dict(options.type_labels)  # computed once per table with the options
    sb.multiselect("Incident type", options.types, key=W["types"], format_func=lambda t: counted("type", type_labels.get(t, t), t),
                   placeholder="All types")
    sb.number_input("Killed at least", min_value=0, max_value=max(options.max_killed, 0) or 1_000_000, step=1,
                    key=W["min_killed"])
    sb.multiselect("Actor", options.actors, key=W["actors"], placeholder="Any actor")
    sb.text_input("Text in titles, mentions, actors, places", key=W["text"], placeholder="e.g. concert")
    sb.button("Reset filters", on_click=_reset_filters, args=(options,), width="stretch")


# ------------------------------------------------------------------------------------------------ page parts

def render_detail(incident: pd.Series, extraction, texts: dict[str, str], labels: dict[str, str],
                  names: dict[str, str] | None = None) -> None:
    """One incident: when (as written), where (as written, the gazetteer's name and id, how precise), figures as the
    sources give them, and each mention in its sentence's context. Everything from articles is escaped."""
    esc = views.escape_markdown
    names = names or {}
    docs = extraction.documents.set_index("doc")
    row = incident.to_frame().T
    st.markdown(f"#### {esc(incident['title'])}")
    when = views.evidence._cell(incident.get("date_text")) or "undated"
    start, end = views.evidence._cell(incident.get("start")), views.evidence._cell(incident.get("end"))
    span = "" if not start else (start if start == end or not end else f"{start} – {end}")
    meta = st.columns(4)
    meta[0].markdown(f"**When**  \n“{esc(when)}”  \n{esc(views.evidence._cell(incident.get('precision')))} {esc(span)}")
    written = views.place_written(row).iloc[0]
    gazetteer, gid = views.evidence._cell(incident.get("place")), views.evidence._cell(incident.get("geonameid"))
    precision = views.place_precision(row, names).iloc[0]
    where = esc(written or "no place found")
    if gazetteer and gazetteer != written:
        where += f"  \ngazetteer: {esc(gazetteer)}" + (f" ({esc(gid)})" if gid else "")
    elif gid:
        where += f"  \ngazetteer id {esc(gid)}"
    country = views.evidence._cell(incident.get("country"))
    area = ", ".join(x for x in (views.evidence._cell(incident.get("admin1")), names.get(country, country)) if x)
    meta[1].markdown(f"**Where** · {esc(views.PRECISION_LABELS.get(precision, precision))}  \n{where}  \n{esc(area)}")
    meta[2].markdown(f"**Casualties**  \n{esc(views.row_casualties(incident))}")
    meta[3].markdown(f"**Sources**  \n{int(incident['n_sources'])} documents, {int(incident['n_mentions'])} mentions")

    for label, column in (("Killed", "killed_reports"), ("Injured", "injured_reports")):
        reports = views.parse_report_list(incident.get(column))
        if len({r.figure for r in reports}) > 1:
            st.markdown(f"**{label}: sources differ**")
            cols = st.columns(len(reports))
            for col, report in zip(cols, reports):
                col.metric(label, report.text())
                for d in report.docs:
                    col.caption(esc(labels.get(d, d)))
        elif reports:
            st.caption(esc(f"{label}: {reports[0].text()} — reported by " + "; ".join(labels.get(d, d) for d in reports[0].docs)))

    mentions = extraction.mentions[extraction.mentions["incident_id"] == incident["id"]]
    for doc, part in mentions.groupby("doc", sort=False):
        title = docs["title"].get(doc, doc) if doc in docs.index else doc
        publisher = docs["publisher"].get(doc, "") if doc in docs.index else ""
        published = views.published_text(docs["published"].get(doc, ""),
                                          docs["date_source"].get(doc, "") if "date_source" in docs else "") \
            if doc in docs.index else ""
        with st.container(border=True):
            st.markdown(f"**{esc(title or doc)}**")
            st.caption(esc(" · ".join(str(x) for x in (publisher, published, doc) if x is not None and str(x) not in ("", "None", "NaT"))))
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
                st.caption(esc(" · ".join(f for f in facts if f)))


PRINT_CSS = """<style>
[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], [data-testid='stHeader'],
[data-testid='stToolbar'], [data-testid='stExpander'], .modebar-container, [data-testid='stElementToolbar'],
[data-testid='stDecoration'] {display: none !important;}
[data-testid='stMainBlockContainer'], .block-container {max-width: 100% !important; padding: 0.5rem 1rem !important;}
@page {size: A4 landscape; margin: 10mm;}
@media print {.stPlotlyChart, [data-testid='stDataFrame'] {break-inside: avoid;}}
</style>"""


def render_print_header(state: FilterState, options: views.FilterOptions, labels: dict[str, str],
                        names: dict[str, str], corpus: str, shown: int, total: int) -> None:
    """The print layout: sidebar, toolbars and tools hidden (our own constant CSS), the view named at the top."""
    from datetime import date

    from events.exports import filter_summary

    st.html(PRINT_CSS)
    window = f" · reporting window {options.window[0]} – {options.window[1]}" if options.window else ""
    st.caption(views.escape_markdown(
        f"Corpus {Path(corpus).name} · {shown} of {total} incidents · filters: "
        f"{filter_summary(state, names, labels, background_left_out=options.n_background)}{window} · printed "
        f"{date.today().isoformat()}"))


def render_playback(view: views.Prepared, pos, colors: dict[str, str], state: FilterState) -> None:
    """Counts over time and the map played through weeks or months with a moving window (on request: the figure
    holds one frame per period)."""
    from events.views import playback

    if not st.toggle("Playback and counts over time", key="v_playback",
                     help="Play the map through weeks or months with a moving window; incidents or deaths per period"):
        return
    c = st.columns(4)
    unit = c[0].selectbox("Step", list(playback.UNITS), index=1, key="v_unit")
    window = c[1].slider("Window (steps)", 1, 12, 3, key="v_window")
    measure = c[2].selectbox("Count", list(playback.MEASURES), format_func=playback.MEASURES.get, key="v_measure")
    by = c[3].selectbox("By", list(playback.BY), format_func=playback.BY.get, key="v_by")
    fig = view.cached(("figure", "playback", replace(state, group_by=views.DEFAULT_GROUP_BY), unit, window, measure, by),
                      lambda: playback.playback_figure(view, pos, colors, unit=unit, window=window, by=by,
                                                       measure=measure))
    st.caption("**Playback** · ▶ plays the periods; the map shows the incidents of the shaded window; drag the "
               "slider to a period")
    st.plotly_chart(fig, key="playback", config=PLOTLY_CONFIG, width="stretch")


def render_deck_options(state: FilterState, names: dict[str, str], labels: dict[str, str]) -> None:
    """The briefing deck's title slide as the analyst writes it (used by the PowerPoint export)."""
    from events.exports import DeckOptions

    with st.expander("Briefing deck: title slide", icon=":material/slideshow:"):
        c = st.columns(2)
        title = c[0].text_input("Title", key="deck_title", placeholder="Incident briefing")
        subtitle = c[1].text_input("Subtitle", key="deck_subtitle", placeholder="The filters in words")
        c = st.columns(2)
        author = c[0].text_input("Author", key="deck_author")
        marking = c[1].text_input("Handling marking", key="deck_marking",
                                  placeholder="e.g. OFFICIAL — printed at the top and bottom of every slide")
    st.session_state["deck_options"] = DeckOptions(title=title.strip(), subtitle=subtitle.strip(),
                                                   author=author.strip(), marking=marking.strip())


def _detail_picker(view: views.Prepared, pos) -> str | None:
    """The detail picker: the first rows in view, or, once the analyst types a few words above it, the incidents in
    view (any of them, not only the first rows) whose title, place or id holds them."""
    search = ""
    if len(pos) > DETAIL_OPTIONS:
        search = st.text_input("Find an incident in view (title, place or id)", key="detail_find",
                               placeholder=f"{len(pos):,} incidents in view: type a few words to list them")
    ids, n_found = views.detail_candidates(view, pos, search, DETAIL_OPTIONS)
    titles = view.detail_titles(ids)
    picked = st.selectbox("Incident detail (or click a row above)", ids, index=None, format_func=titles.get,
                          placeholder="Pick an incident to see its evidence", key="detail_pick")
    if n_found > len(ids):
        st.caption(f"{n_found:,} incidents match; the picker lists the first {len(ids):,}: type more words above.")
    return picked


def main(loader: Loader | None = None, default_corpus: str | None = None) -> None:
    st.set_page_config(page_title="Incident atlas", page_icon=":world_map:", layout="wide")
    loader = loader or default_loader
    default_corpus = default_corpus or cli_corpus(sys.argv[1:])

    if "_link" not in st.session_state:  # once per session: what the URL names (corpus, selection, open incident)
        link = views.parse_page(_current_query())
        st.session_state["_link"] = link
        st.session_state["url_selection"] = list(link.selection)
        st.session_state["url_open"] = link.detail
        if link.corpus:
            st.session_state["corpus"] = link.corpus
    corpus = st.sidebar.text_input("Corpus folder", value=default_corpus, key="corpus").strip() or default_corpus
    try:  # anyone who reaches the page can type here: only the configured corpus roots open
        check_corpus_folder(corpus, corpus_roots(default_corpus))
    except ValueError as exc:
        named = st.session_state["_link"].corpus
        if named and corpus == named:  # a colleague's link to a corpus this dashboard does not open
            st.error(f"This link names the corpus “{views.escape_markdown(corpus)}”, which this dashboard cannot "
                     f"open, so nothing is shown: {views.escape_markdown(str(exc))}. Open the corpus it was made "
                     "from, or type another folder in the sidebar.")
        else:
            st.error(views.escape_markdown(str(exc)))
        st.stop()
    if not Path(corpus).is_dir():
        named = st.session_state["_link"].corpus
        if named and corpus == named:
            st.error(f"This link names the corpus “{views.escape_markdown(corpus)}”, which is not a folder on this "
                     "machine, so nothing is shown. Open the corpus it was made from, or type another folder in the "
                     "sidebar.")
        else:
            st.error(f"Corpus folder not found: {views.escape_markdown(corpus)}")
        st.stop()
    from events.warehouse import is_dataset

    if is_dataset(corpus):  # an extraction written as a Parquet dataset: read through DuckDB, never held in memory
        import dashboard_dataset

        dashboard_dataset.render(corpus, SimpleNamespace(**globals()))
        return
    signature = corpus_signature(corpus)
    extraction = cached_extraction(corpus, signature, getattr(loader, "__qualname__", "loader"), loader)
    wf = workflow_ui.prepare(extraction, corpus, signature)  # analysts' corrections, before any filter or figure
    extraction = wf.extraction
    incidents = extraction.incidents
    names = country_names()
    # per-row columns for filters and figures, computed once per table version (a rerun reuses them)
    view = views.prepared(incidents, key=(corpus, signature, wf.version), names=names, documents=extraction.documents,
                          mentions=extraction.mentions)
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

    # the rows in view as positions in the prepared table: only the rows shown in the table are sliced
    view, pos = views.filter_positions(incidents, state, prepared=view, names=names, documents=extraction.documents)
    frame = view.frame

    # our own constant CSS (no article text): less empty space above the title on a laptop screen
    st.html("<style>.block-container, [data-testid='stMainBlockContainer'] {padding-top: 2.2rem;}</style>")
    head = st.columns([5, 3, 2, 1.4], vertical_alignment="bottom")
    with head[0]:
        st.markdown("## Incident atlas")
        count_box = st.empty()
    head[1].selectbox("Timeline rows by", list(views.GROUP_BY), key=W["group_by"], format_func=views.GROUP_BY.get)
    head[2].button("Clear selection", on_click=_clear_selection, width="stretch")
    printing = head[3].toggle("Print layout", key="v_print", help="A page to print (Ctrl+P): no sidebar or tools")
    if printing:
        render_print_header(state, options, labels, names, corpus, len(pos), len(incidents))
    if extraction.problems:
        with st.expander(f"{len(extraction.problems)} corpus problem(s): files not read, or read in part"):
            for p in extraction.problems:
                st.markdown(f"- `{views.escape_markdown(p.file)}` — {views.escape_markdown(p.reason)}")
    workflow_ui.render_notices(wf)  # corrections that no longer apply: said on the page, not only in the audit

    hidden = "" if state.background or not options.n_background else \
        f" · {options.n_background} background incident{'s' if options.n_background != 1 else ''} hidden"
    if not len(pos):
        _sync_query(state, corpus)
        count_box.markdown(f"**{views.count_label(0, len(incidents))}**{hidden}")
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
    elif st.session_state.get("url_selection"):  # a shared link's selection, until the analyst selects anew
        picked = view.in_view(st.session_state["url_selection"], pos) or None
        source = "link" if picked else None

    def on_select(name: str) -> Callable[[], None]:
        return lambda: st.session_state.update(sel_source=name)

    table_pos = pos if picked is None else pos[view.keep_mask(picked)[pos]]
    count = views.count_label(len(pos), len(incidents))
    if picked is not None:
        count += f" · {len(picked)} selected " + ("by the link" if source == "link" else f"on the {source}")
    count_box.markdown(f"**{count}**{hidden}")

    left, right = st.columns([3, 2])
    with left:
        st.caption("**Timeline** · click a mark to open it · box or lasso from its toolbar · range slider below to zoom · bars are "
                   "month/season/year dates")
        highlight = picked if source in ("map", "link") else None
        # kept per view with the table's precomputed columns: a rerun for another widget (table row, detail,
        # workflow tools) draws the same figure again without building it
        timeline = view.cached(
            ("figure", "timeline", state, None if highlight is None else tuple(highlight)),
            lambda: views.timeline_figure(frame, colors, group_by=state.group_by, labels=labels, names=names,
                                          prepared=view, positions=pos, highlight=highlight))
        st.plotly_chart(timeline, key=keys["timeline"], on_select=on_select("timeline"),
                        selection_mode=("points", "box", "lasso"), config=PLOTLY_CONFIG, width="stretch")
    with right:
        st.caption("**Map** · click a mark to open it · box or lasso from its toolbar · scroll to zoom · hollow marks are areas or "
                   "country centres, not the place itself")
        highlight = picked if source in ("timeline", "link") else None
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

    render_playback(view, pos, colors, state)

    n_table = len(table_pos)
    in_table = frame.iloc[table_pos[:TABLE_ROWS]]  # the rows the table lists (the detail is one of them)
    st.subheader(f"Incidents ({n_table})")
    if n_table > TABLE_ROWS:
        st.caption(f"Showing the first {TABLE_ROWS:,} of {n_table:,}; narrow the filters or select on a chart to see the others.")
    table = views.table_view(in_table, names, background=view.background[table_pos[:TABLE_ROWS]] if state.background else None)
    table = workflow_ui.mark_table(table, in_table)
    event = st.dataframe(
        table, key=f"table-{nonce}-{filter_key}", on_select="rerun", selection_mode="single-row", hide_index=True,
        column_order=[c for c in table.columns if c != "id"], width="stretch", height=min(420, 38 + 35 * len(table)),
        column_config={"Start": st.column_config.DateColumn("Start", format="YYYY-MM-DD"),
                       "Gazetteer": st.column_config.TextColumn("Gazetteer", help="The gazetteer's name and id of the place"),
                       "Killed": st.column_config.TextColumn("Killed", help="As the sources give it: a range where they differ"),
                       "Injured": st.column_config.TextColumn("Injured", help="As the sources give it; 'at least' for lower bounds")},
    )
    rows = list(event.selection.rows) if event is not None and hasattr(event, "selection") else []
    ids = table["id"].tolist()
    detail_id = ids[rows[0]] if rows else None
    if detail_id is None:
        detail_id = _detail_picker(view, pos)
    if detail_id is None and picked is not None and len(picked) == 1 and source in ("timeline", "map"):
        detail_id = picked[0]  # a click on one mark opens its detail
    if detail_id is None and st.session_state.get("url_open"):
        detail_id = st.session_state["url_open"]
    shown_ids = set(view.in_view([detail_id], pos)) if detail_id is not None else set()
    _sync_query(state, corpus, picked, detail_id if detail_id in shown_ids else None)
    if detail_id is not None and detail_id in shown_ids:
        at = view.in_view_positions([detail_id], pos)
        incident = frame.iloc[at[0]]
        render_detail(incident, extraction, document_texts(corpus, signature, extraction.documents), labels, names)
        workflow_ui.render_correction_panel(wf, incident, labels)
    render_deck_options(state, names, labels)
    workflow_ui.render_tools(wf, state, picked, labels, n_shown=len(pos), documents=view.doc_ids)


if __name__ == "__main__":
    main()
