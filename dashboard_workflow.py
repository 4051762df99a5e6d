"""The analyst workflow in the dashboard: add articles, correct incidents, export the current view.

Widgets and layout only; the rules live in `events/workflow.py`, `events/corpus.py` (adding articles),
`events/store.py` (corrections) and `events/exports/`. `dashboard.py` wires it in with a few calls:

    wf = dashboard_workflow.prepare(extraction, corpus, signature)   # corrections applied before any filter
    extraction = wf.extraction
    dashboard_workflow.render_sidebar(wf)                            # add articles, analyst name
    dashboard_workflow.render_notices(wf)                            # corrections that no longer apply, read-only
    table = dashboard_workflow.mark_table(table, in_table)           # the ✎ column
    dashboard_workflow.render_correction_panel(wf, incident, labels) # under the incident detail
    dashboard_workflow.render_tools(wf, state, picked, labels)       # exports, add by hand, hidden, CSV, audit

Every store call goes through `_attempt`, so a refused correction (ValueError) is a message, never a traceback.
Article text and file names are untrusted: they are shown through `views.escape_markdown` or as plain table cells.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd
import streamlit as st

from events import views, workflow
from events.views import escape_markdown as esc

MIN_DATE, MAX_DATE = date(1000, 1, 1), date(2100, 12, 31)
MSG = "wf_messages"  # session key: area -> [(level, text)] of the last action there, shown until the next one


@dataclass
class Workflow:
    """What one run of the page knows about corrections: the store, the tables before and after them."""

    corpus: str
    signature: str
    extracted: Any  # the Extraction as extracted (no corrections)
    extraction: Any  # the same with corrections applied and hidden incidents left out
    hidden: pd.DataFrame
    store: Any = None  # CorrectionStore, or None when the database cannot be opened
    version: tuple = ()
    corrections: tuple = ()
    error: str = ""
    names: dict = field(default_factory=dict)
    orphans: pd.DataFrame = field(default_factory=pd.DataFrame)  # corrections that no longer apply (or are damaged)
    followed: pd.DataFrame = field(default_factory=pd.DataFrame)  # corrections applied to their incident's new id


# ------------------------------------------------------------------------------------------------ cached resources

@st.cache_resource(show_spinner=False, max_entries=8)
def corrections_store(path: str, corpus: str, signature: str, _incidents: pd.DataFrame, _mentions: pd.DataFrame):
    """One store per database and corpus version, attached to that version's extracted tables; its corrections are
    the corpus's own."""
    from events.store import CorrectionStore

    return CorrectionStore(path, incidents=_incidents, mentions=_mentions, corpus=corpus)


@st.cache_resource(show_spinner=False, max_entries=16)
def corrected_tables(path: str, corpus: str, signature: str, version: tuple, _incidents: pd.DataFrame,
                     _mentions: pd.DataFrame, _corrections: Sequence) -> tuple:
    """The extracted tables with the corrections in force (`version`: their seqs) replayed, hidden rows kept, and
    the corrections that no longer apply and those that followed their incident to a new id (one replay).

    A resource (shared, not copied on every rerun, like `dashboard.cached_extraction`): never modified in place."""
    from events.store import replay_corrections

    return replay_corrections(_incidents, _mentions, list(_corrections), include_hidden=True)


@st.cache_resource(show_spinner=False, max_entries=16)
def shown_and_hidden(path: str, corpus: str, signature: str, version: tuple,
                     _incidents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`workflow.split_hidden` of `corrected_tables`' incidents (same key), kept: every rerun then gets the same
    frame (no copy of the whole table per rerun, and the page's per-table precomputation recognises it)."""
    return workflow.split_hidden(_incidents)


@st.cache_resource(show_spinner="Loading the gazetteer…")
def gazetteer():
    from events.gazetteer import Gazetteer

    return Gazetteer.load()


@st.cache_resource(show_spinner=False)
def country_names() -> dict[str, str]:
    return views.country_names()


@st.cache_resource(show_spinner=False)
def incident_types() -> dict[str, str]:
    from events.lexicon import default_lexicon

    return {t.type: t.label for t in default_lexicon().types.values()}


# ------------------------------------------------------------------------------------------------ setup

def prepare(extraction, corpus: str, signature: str) -> Workflow:
    """Apply the analysts' corrections to a fresh extraction; on a store failure show the extraction as is."""
    path = str(workflow.corrections_path())
    try:
        store = corrections_store(path, corpus, signature, extraction.incidents, extraction.mentions)
        corrections = store.corrections()
        version = tuple(c.seq for c in corrections)
        incidents, mentions, orphans, followed = corrected_tables(path, corpus, signature, version, extraction.incidents,
                                                                  extraction.mentions, corrections)
    except (ValueError, OSError, sqlite3.Error) as exc:
        return Workflow(corpus, signature, extraction, extraction, extraction.incidents.iloc[0:0], error=
                        f"Corrections are unavailable ({exc}); showing the extraction without them.")
    shown, hidden = shown_and_hidden(path, corpus, signature, version, incidents)
    return Workflow(corpus, signature, extraction, replace(extraction, incidents=shown, mentions=mentions), hidden,
                    store=store, version=version, corrections=tuple(corrections), names=country_names(),
                    orphans=orphans, followed=followed)


def _say(area: str, level: str, text: str) -> None:
    st.session_state.setdefault(MSG, {}).setdefault(area, []).append((level, text))


def _begin(area: str) -> None:
    """An action starts: the messages of the previous one in the same area go."""
    st.session_state.setdefault(MSG, {})[area] = []


def _show_messages(area: str, where=st) -> None:
    # kept across reruns (a chart or another widget may rerun the page right after an action)
    for level, text in st.session_state.get(MSG, {}).get(area, []):
        getattr(where, level)(text)


def _user() -> str:
    from events.store import default_user

    return (st.session_state.get("wf_user") or "").strip() or default_user()


def _attempt(area: str, action: Callable[[], Any], done: str) -> Any:
    """Run one store call; its refusal (ValueError) or a database failure becomes a message in `area`."""
    try:
        result = action()
    except ValueError as exc:
        _say(area, "error", "Not saved: " + esc(str(exc)))
        return None
    except (sqlite3.Error, OSError) as exc:
        _say(area, "error", "The corrections database could not be written: " + esc(str(exc)))
        return None
    _say(area, "success", done)
    return result


# ------------------------------------------------------------------------------------------------ sidebar: add articles

def _add_uploaded(wf: Workflow) -> None:
    _begin("add")
    nonce = st.session_state.get("wf_upload_nonce", 0)
    files = st.session_state.get(f"wf_upload_{nonce}") or []
    if not files:
        _say("add", "warning", "Choose one or more files first.")
        return
    results = workflow.add_uploads(wf.corpus, [(f.name, f.getvalue()) for f in files])
    _report_added(results)
    st.session_state["wf_upload_nonce"] = nonce + 1  # a new, empty uploader


def _add_pasted(wf: Workflow) -> None:
    from events.corpus import add_pasted_text

    _begin("add")
    ss = st.session_state
    text = ss.get("wf_paste_text") or ""
    if not text.strip():
        _say("add", "warning", "Paste the article's text first.")
        return
    result = add_pasted_text(wf.corpus, text, ss.get("wf_paste_title") or "", publisher=ss.get("wf_paste_publisher") or "",
                             published=(ss.get("wf_paste_date") or "").strip(), url=(ss.get("wf_paste_url") or "").strip(),
                             max_bytes=workflow.max_upload_bytes())
    _report_added([result])
    if result.ok:
        for key in ("wf_paste_text", "wf_paste_title", "wf_paste_publisher", "wf_paste_date", "wf_paste_url"):
            ss[key] = ""


def _report_added(results) -> None:
    for r in results:
        _say("add", "success" if r.ok else "error", ("✓ " if r.ok else "✗ ") + esc(workflow.outcome_text(r)))
    if any(r.ok for r in results):
        _say("add", "info", "New documents are extracted now; their incidents join the timeline, map and table.")


def render_sidebar(wf: Workflow) -> None:
    sb = st.sidebar
    sb.divider()
    with sb.expander("Add articles", expanded=bool(st.session_state.get(MSG, {}).get("add"))):
        _show_messages("add")
        nonce = st.session_state.get("wf_upload_nonce", 0)
        with st.form("wf_upload_form", border=False):
            st.file_uploader("Article files (.txt, .md, .html, .pdf)", type=["txt", "md", "html", "htm", "pdf"],
                             accept_multiple_files=True, key=f"wf_upload_{nonce}",
                             max_upload_size=max(1, math.ceil(workflow.max_upload_bytes() / 1024 / 1024)))
            st.form_submit_button("Add to corpus", key="wf_upload_go", on_click=_add_uploaded, args=(wf,), width="stretch")
        st.caption("…or paste an article")
        with st.form("wf_paste_form", border=False):
            st.text_input("Title", key="wf_paste_title")
            st.text_input("Publisher", key="wf_paste_publisher")
            st.text_input("Published (YYYY-MM-DD)", key="wf_paste_date", placeholder="2019-09-05")
            st.text_input("URL", key="wf_paste_url")
            st.text_area("Text", key="wf_paste_text", height=120)
            st.form_submit_button("Add text", key="wf_paste_go", on_click=_add_pasted, args=(wf,), width="stretch")
    sb.text_input("Your name (recorded with corrections)", key="wf_user", placeholder=_user())
    if wf.error:
        sb.warning(wf.error)


def render_notices(wf: Workflow) -> None:
    """On the page itself, not only in the audit: corrections that no longer apply, and a store that cannot save."""
    if wf.store is not None and wf.store.read_only:
        st.info(f"The corrections database {esc(str(wf.store.path))} is read-only: corrections are shown, but none "
                "can be saved here.", icon=":material/lock:")
    n = len(wf.orphans)
    if n:
        lines = [f"- #{int(r.seq)} {esc(str(r.kind))} of {esc(str(r.incident_id))} by {esc(str(r.user))}: {esc(str(r.reason))}"
                 for r in wf.orphans.head(5).itertuples(index=False)]
        more = f"\n- … and {n - 5} more (under “Audit”)" if n > 5 else ""
        st.warning(f"**{n} correction{'s' if n != 1 else ''} no longer appl{'y' if n != 1 else 'ies'} as made.** "
                   "The incident and the mentions they were made on are gone from this extraction (a changed or "
                   "removed article), or the saved row is damaged. They are kept in the database; check the table and "
                   "correct again where needed.\n\n" + "\n".join(lines) + more, icon=":material/warning:")


# ------------------------------------------------------------------------------------------------ table

def mark_table(table: pd.DataFrame, incidents: pd.DataFrame) -> pd.DataFrame:
    return workflow.mark_corrected(table, incidents)


# ------------------------------------------------------------------------------------------------ place picker

def place_picker(prefix: str, names: dict[str, str], current: dict | None = None) -> tuple[Any, str | None]:
    """A gazetteer search (name prefix -> pick one) or raw coordinates; returns (a Place, a dict, or None) and the
    name as the analyst wrote it (`place_written`). Coordinates keep the country and admin area shown (the
    incident's own, from `current`) unless the analyst changes them."""
    mode = st.radio("Place by", ["Gazetteer search", "Coordinates"], horizontal=True, key=f"{prefix}_mode",
                    label_visibility="collapsed")
    if mode == "Gazetteer search":
        query = st.text_input("Search the gazetteer", key=f"{prefix}_q", placeholder="Start of a place name, e.g. Kabul")
        found = gazetteer().search_names(query, 15) if query.strip() else []
        if query.strip() and not found:
            st.caption("No place starts with that name.")
        by_id = {p.geonameid: (p, alternate) for p, alternate in found}
        # one picker per search, so a new search starts from its best match (the browser keeps a kept widget's pick)
        digest = hashlib.sha1(query.strip().lower().encode()).hexdigest()[:8]
        pick = st.selectbox("Place", list(by_id), key=f"{prefix}_pick_{digest}", index=0 if by_id else None,
                            format_func=lambda g: workflow.place_label(by_id[g][0], names, by_id[g][1]) if g in by_id else g,
                            placeholder="Search first", disabled=not by_id)
        if pick not in by_id:
            return None, None
        place, alternate = by_id[pick]
        return place, workflow.written_name(query, place, alternate)
    current = current or {}
    cols = st.columns([2, 1, 1])
    name = cols[0].text_input("Place name", key=f"{prefix}_name")
    lat = cols[1].number_input("Latitude", min_value=-90.0, max_value=90.0, value=None, format="%.4f", key=f"{prefix}_lat")
    lon = cols[2].number_input("Longitude", min_value=-180.0, max_value=180.0, value=None, format="%.4f", key=f"{prefix}_lon")
    cols = st.columns([1, 2])
    country = cols[0].text_input("Country (ISO code)", value=workflow.text_or_empty(current.get("country")),
                                 key=f"{prefix}_country", max_chars=2)
    admin1 = cols[1].text_input("Admin area", value=workflow.text_or_empty(current.get("admin1")), key=f"{prefix}_admin1")
    if name.strip() and lat is not None and lon is not None:
        return {"name": name.strip(), "lat": lat, "lon": lon, "country": country.strip().upper(),
                "admin1": admin1.strip()}, name.strip()
    return None, None


# ------------------------------------------------------------------------------------------------ correction panel

def _save_edit(wf: Workflow, row: dict) -> None:
    iid = row["id"]
    _begin(f"fix-{iid}")
    ss = st.session_state
    values = {name: ss.get(f"wf_e_{name}_{iid}") for name in
              ("title", "type", "start", "end", "precision", "date_text", "killed", "injured", "actors")}
    changes = workflow.changed_fields(row, values)
    if not changes:
        _say(f"fix-{iid}", "info", "Nothing changed.")
        return
    _attempt(f"fix-{iid}", lambda: wf.store.edit(iid, changes, user=_user(), note=ss.get(f"wf_e_note_{iid}") or ""),
             "Saved: " + esc(", ".join(sorted(changes))) + ".")


def _set_place(wf: Workflow, iid: str, place, written: str | None = None) -> None:
    _begin(f"fix-{iid}")
    if place is None:
        _say(f"fix-{iid}", "warning", "Pick a place from the search, or give a name, latitude and longitude.")
        return
    name = place.name if hasattr(place, "name") else place["name"]
    shown = name if not written or written == name else f"{written} ({name})"
    _attempt(f"fix-{iid}", lambda: wf.store.set_place(iid, place, user=_user(), written=written), f"Moved to {esc(shown)}.")


def _merge(wf: Workflow, iid: str) -> None:
    _begin(f"fix-{iid}")
    other = st.session_state.get(f"wf_merge_{iid}")
    if not other:
        _say(f"fix-{iid}", "warning", "Pick the incident to merge into this one.")
        return
    _attempt(f"fix-{iid}", lambda: wf.store.merge(iid, other, user=_user()), f"Merged {esc(other)} into this incident.")


def _split(wf: Workflow, iid: str) -> None:
    _begin(f"fix-{iid}")
    keys = [(k.rsplit("|", 1)[0], int(k.rsplit("|", 1)[1])) for k in st.session_state.get(f"wf_split_{iid}") or []]
    title = (st.session_state.get(f"wf_split_title_{iid}") or "").strip() or None
    if not keys:
        _say(f"fix-{iid}", "warning", "Pick the mentions that belong to another incident.")
        return
    _attempt(f"fix-{iid}", lambda: wf.store.split(iid, keys, new_title=title, user=_user()),
             f"Split {len(keys)} mention(s) off into a new incident.")


def _hide(wf: Workflow, iid: str) -> None:
    _begin("hidden")
    if _attempt("hidden", lambda: wf.store.hide(iid, user=_user(), note=st.session_state.get(f"wf_hide_note_{iid}") or ""),
                f"Hidden {esc(iid)} as a false incident; “Hidden incidents” below can bring it back."):
        pass


def render_correction_panel(wf: Workflow, incident: pd.Series, labels: dict[str, str]) -> None:
    """Edit, place, merge, split and hide the incident shown in the detail area."""
    row = {k: incident[k] for k in incident.index}
    iid = str(row["id"])
    area = f"fix-{iid}"
    if bool(row.get("corrected", False)):
        st.caption(f"{workflow.CORRECTED_MARK} Corrected by {esc(workflow.text_or_empty(row.get('corrected_by')))} "
                   f"at {esc(workflow.text_or_empty(row.get('corrected_at'))[:19].replace('T', ' '))}"
                   + (f" · {esc(workflow.text_or_empty(row.get('correction_note')))}" if workflow.text_or_empty(row.get('correction_note')) else ""))
    pending = bool(st.session_state.get(MSG, {}).get(area))
    with st.expander(f"{workflow.CORRECTED_MARK} Correct this incident", expanded=pending):
        _show_messages(area)
        if wf.store is None:
            st.warning(wf.error)
            return
        tabs = st.tabs(["Edit", "Place", "Merge", "Split", "Hide"])
        with tabs[0]:
            types = incident_types()
            with st.form(f"wf_edit_form_{iid}", border=False):
                st.text_input("Title", value=workflow.text_or_empty(row["title"]), key=f"wf_e_title_{iid}")
                c = st.columns(3)
                type_options = list(types) if row["type"] in types else [row["type"], *types]
                c[0].selectbox("Type", type_options, index=type_options.index(row["type"]), format_func=lambda t: types.get(t, t),
                               key=f"wf_e_type_{iid}")
                c[1].date_input("Start", value=workflow.iso_or_none(row["start"]), min_value=MIN_DATE, max_value=MAX_DATE,
                                key=f"wf_e_start_{iid}")
                c[2].date_input("End", value=workflow.iso_or_none(row["end"]), min_value=MIN_DATE, max_value=MAX_DATE,
                                key=f"wf_e_end_{iid}")
                c = st.columns(3)
                from events.store import PRECISIONS

                precision = workflow.text_or_empty(row["precision"])
                c[0].selectbox("Precision", PRECISIONS, index=PRECISIONS.index(precision) if precision in PRECISIONS else 0,
                               format_func=lambda p: p or "(none)", key=f"wf_e_precision_{iid}")
                c[1].text_input("Date as written", value=workflow.text_or_empty(row["date_text"]), key=f"wf_e_date_text_{iid}")
                c[2].text_input("Actors", value=workflow.text_or_empty(row.get("actors")), key=f"wf_e_actors_{iid}")
                c = st.columns(3)
                c[0].number_input("Killed", min_value=0, value=workflow.count_or_none(row["killed"]), step=1, key=f"wf_e_killed_{iid}")
                c[1].number_input("Injured", min_value=0, value=workflow.count_or_none(row["injured"]), step=1, key=f"wf_e_injured_{iid}")
                c[2].text_input("Note (why)", key=f"wf_e_note_{iid}", placeholder="e.g. per ministry statement")
                st.form_submit_button("Save changes", key=f"wf_edit_go_{iid}", on_click=_save_edit, args=(wf, row), type="primary")
        with tabs[1]:
            st.caption(f"Now: {esc(workflow.text_or_empty(row['place']) or 'no place')} "
                       f"{esc(workflow.text_or_empty(row['country']))}")
            place, written = place_picker(f"wf_place_{iid}", wf.names, current=row)
            st.button("Move to this place", key=f"wf_place_go_{iid}", on_click=_set_place, args=(wf, iid, place, written),
                      type="primary", disabled=place is None)
        with tabs[2]:
            others = wf.extraction.incidents[wf.extraction.incidents["id"].astype(str) != iid]
            options = {str(r["id"]): workflow.incident_label(r) for r in others.to_dict("records")}
            st.selectbox("Same incident as", list(options), index=None, format_func=options.get, key=f"wf_merge_{iid}",
                         placeholder="Pick the duplicate to fold into this one")
            st.button("Merge into this incident", key=f"wf_merge_go_{iid}", on_click=_merge, args=(wf, iid))
        with tabs[3]:
            choices = workflow.mention_choices(wf.extraction.mentions, iid, labels)
            if len(choices) < 2:
                st.caption("An incident with one mention cannot be split.")
            else:
                by_key = {f"{c.key[0]}|{c.key[1]}": c.label for c in choices}
                st.multiselect("Mentions that are another incident", list(by_key), format_func=by_key.get,
                               key=f"wf_split_{iid}")
                st.text_input("Title of the new incident", key=f"wf_split_title_{iid}")
                st.button("Split off", key=f"wf_split_go_{iid}", on_click=_split, args=(wf, iid))
        with tabs[4]:
            st.text_input("Why is it false?", key=f"wf_hide_note_{iid}", placeholder="e.g. a film plot, not an event")
            st.button("Hide this incident", key=f"wf_hide_go_{iid}", on_click=_hide, args=(wf, iid))


# ------------------------------------------------------------------------------------------------ tools below the table

def _export_name(corpus: str, fmt: str) -> str:
    from events.exports import FORMATS

    stem = "".join(ch if ch.isalnum() else "-" for ch in Path(corpus).resolve().name).strip("-").lower() or "atlas"
    return f"{stem}-{datetime.now(timezone.utc):%Y%m%d}-{FORMATS[fmt][0]}"


def _exporter(wf: Workflow, fmt: str, state, picked) -> Callable[[], bytes]:
    incidents, mentions, documents = wf.extraction.incidents, wf.extraction.mentions, wf.extraction.documents
    corpus, version = Path(wf.corpus).resolve().name, wf.extraction.engine_version
    deck = st.session_state.get("deck_options")  # the deck's title slide, from dashboard.py's inputs

    def build() -> bytes:
        from events.exports import export_bytes

        return export_bytes(fmt, incidents, mentions, documents, state, corpus=corpus, engine_version=version,
                            selection=picked, deck=deck)[0]

    return build


def render_exports(wf: Workflow, state, picked: list[str] | None, n_shown: int | None = None) -> None:
    from events.exports import FORMATS

    if picked is not None:
        n = len(picked)
    else:  # the page passes the count it already has; filtering 100k rows again costs a rerun ~40 ms
        n = n_shown if n_shown is not None else len(views.apply_filters(wf.extraction.incidents, state))
    scope = "the selection" if picked is not None else "the filtered view"
    with st.expander(f"Export {scope} ({n} incident{'s' if n != 1 else ''})", icon=":material/download:"):
        st.caption("Every file holds what the timeline, map and table show now (filters, selection and corrections).")
        fingerprint = workflow.view_fingerprint(state, picked, wf.version)
        prepared = st.session_state.setdefault("wf_prepared", {})
        cols = st.columns(3)
        for i, fmt in enumerate(FORMATS):
            suffix, mime = FORMATS[fmt]
            col = cols[i % 3]
            label = workflow.export_label(fmt)
            if fmt not in workflow.SLOW_FORMATS:
                col.download_button(label, data=_exporter(wf, fmt, state, picked), file_name=_export_name(wf.corpus, fmt),
                                    mime=mime, key=f"wf_dl_{fmt}", on_click="ignore", icon=":material/download:",
                                    width="stretch")
                continue
            ready = prepared.get(fmt)
            if ready is None or ready[0] != fingerprint:
                slot = col.empty()  # the Prepare button gives way to the download once the file is built
                if slot.button(f"Prepare {label}", key=f"wf_prep_{fmt}", width="stretch", icon=":material/build:",
                               help="Built on request: this takes a few seconds"):
                    with slot, st.spinner(f"Building the {label}…"):
                        try:
                            prepared[fmt] = (fingerprint, _exporter(wf, fmt, state, picked)())
                        except (RuntimeError, ValueError, OSError) as exc:
                            col.error(f"The {label} could not be built: {esc(str(exc))}")
                    slot.empty()
                ready = prepared.get(fmt)
            if ready is not None and ready[0] == fingerprint:
                col.download_button(label, data=ready[1], file_name=_export_name(wf.corpus, fmt), mime=mime,
                                    key=f"wf_dl_{fmt}", on_click="ignore", icon=":material/download:", width="stretch",
                                    type="primary")


def _add_by_hand(wf: Workflow, place, written: str | None = None) -> None:
    _begin("add_incident")
    ss = st.session_state
    title, kind, doc = (ss.get("wf_add_title") or "").strip(), ss.get("wf_add_type"), ss.get("wf_add_doc")
    if not title or not kind or not doc:
        _say("add_incident", "warning", "Give at least a title, a type and the source document.")
        return
    fields: dict[str, Any] = {"title": title, "type": kind}
    for name in ("start", "end"):
        value = ss.get(f"wf_add_{name}")
        if value is not None:
            fields[name] = value.isoformat()
    if "start" in fields and "end" not in fields:
        fields["end"] = fields["start"]
    for name in ("precision", "date_text", "actors"):
        value = (ss.get(f"wf_add_{name}") or "").strip()
        if value:
            fields[name] = value
    if fields.get("start") and "precision" not in fields:
        fields["precision"] = "day" if fields["start"] == fields["end"] else ""
    for name in ("killed", "injured"):
        if ss.get(f"wf_add_{name}") is not None:
            fields[name] = int(ss[f"wf_add_{name}"])
    if place is not None:
        from events.store import place_fields

        try:
            fields.update(place_fields(place, written=written))
        except ValueError as exc:
            _say("add_incident", "error", "Not saved: " + esc(str(exc)))
            return
    evidence = (ss.get("wf_add_evidence") or "").strip()
    start = _evidence_offset(wf, doc, evidence)
    new_id = _attempt("add_incident", lambda: wf.store.add_incident(fields, doc, evidence=evidence, user=_user(),
                                                                      evidence_start=start),
                      f"Added “{esc(title)}”.")
    if new_id:
        for key in ("wf_add_title", "wf_add_evidence", "wf_add_date_text", "wf_add_actors"):
            ss[key] = ""


def _evidence_offset(wf: Workflow, doc: str, evidence: str) -> int | None:
    """Where the evidence sentence sits in its document, so the detail view can show it in context."""
    if not evidence:
        return None
    rows = wf.extraction.documents[wf.extraction.documents["doc"].astype(str) == str(doc)]
    path = rows["path"].iloc[0] if len(rows) else None
    try:
        from events.corpus import read_article

        text = read_article(Path(path))[0] if isinstance(path, str) else ""
    except Exception:  # noqa: BLE001 - context is a convenience
        return None
    at = text.find(evidence)
    return at if at >= 0 else None


def _unhide(wf: Workflow) -> None:
    _begin("hidden")
    iid = st.session_state.get("wf_unhide_pick")
    if not iid:
        _say("hidden", "warning", "Pick a hidden incident first.")
        return
    _attempt("hidden", lambda: wf.store.unhide(iid, user=_user()), f"{esc(iid)} is shown again.")


def _import_csv(wf: Workflow) -> None:
    from events.store import import_corrected_csv

    _begin("csv")
    st.session_state.pop("wf_csv_report", None)
    nonce = st.session_state.get("wf_csv_nonce", 0)
    upload = st.session_state.get(f"wf_csv_{nonce}")
    if upload is None:
        _say("csv", "warning", "Choose the edited CSV file first.")
        return
    try:
        report = import_corrected_csv(wf.store, upload.getvalue(), wf.extraction.incidents, user=_user())
    except ValueError as exc:
        _say("csv", "error", "Import refused: " + esc(str(exc)))
        return
    except (sqlite3.Error, OSError) as exc:
        _say("csv", "error", "The corrections database could not be written: " + esc(str(exc)))
        return
    st.session_state["wf_csv_report"] = report
    st.session_state["wf_csv_nonce"] = nonce + 1


def _undo(wf: Workflow, author: str | None = None, expected: int | None = None) -> None:
    """Undo the analyst's own last correction; with `author` (after they confirmed), that person's last one."""
    _begin("audit")
    undone = _attempt("audit", lambda: wf.store.undo_last(user=_user(), author=author, expected=expected), "Undone.")
    if undone is None and not any(level == "error" for level, _ in st.session_state.get(MSG, {}).get("audit", [])):
        st.session_state[MSG]["audit"] = [("info", f"{esc(_user())} has no correction to undo here.")]
    elif undone is not None:
        st.session_state[MSG]["audit"] = [("success", f"Undone: {esc(undone.kind)} of {esc(undone.incident_id)} "
                                                      f"(#{undone.seq} by {esc(undone.user)}). “Redo” brings it back.")]
    st.session_state.pop("wf_undo_other_ok", None)


def _redo(wf: Workflow) -> None:
    _begin("audit")
    redone = _attempt("audit", lambda: wf.store.redo_last(user=_user()), "Redone.")
    if redone is None and not any(level == "error" for level, _ in st.session_state.get(MSG, {}).get("audit", [])):
        st.session_state[MSG]["audit"] = [("info", "Nothing to redo: undo something first (a new correction ends the "
                                                   "chain of undos that can be redone).")]
    elif redone is not None:
        st.session_state[MSG]["audit"] = [("success", f"Redone: {esc(redone.kind)} of {esc(redone.incident_id)} "
                                                      f"(#{redone.seq} by {esc(redone.user)}).")]


def render_undo(wf: Workflow) -> None:
    """Undo your own last correction, redo, and (after confirming whose) undo someone else's latest."""
    me = _user()
    try:
        mine, last = wf.store.last_correction(author=me), wf.store.last_correction()
    except (sqlite3.Error, OSError, ValueError):
        mine = last = None
    cols = st.columns([3, 1])
    label = "Undo my last correction" + (f" (#{mine.seq} {mine.kind} of {esc(mine.incident_id)})" if mine else "")
    cols[0].button(label, key="wf_undo", on_click=_undo, args=(wf,), disabled=mine is None or wf.store.read_only)
    cols[1].button("Redo", key="wf_redo", on_click=_redo, args=(wf,), disabled=wf.store.read_only)
    if last is not None and last.user != me and not wf.store.read_only:
        confirm = st.checkbox(f"Undo {esc(last.user)}'s latest correction instead (#{last.seq}, {last.kind} of "
                              f"{esc(last.incident_id)}) — it is not yours", key="wf_undo_other_ok")
        st.button(f"Undo {esc(last.user)}'s #{last.seq}", key="wf_undo_other", on_click=_undo,
                  args=(wf, last.user, last.seq), disabled=not confirm)


def render_tools(wf: Workflow, state, picked: list[str] | None, labels: dict[str, str],
                 n_shown: int | None = None, documents: Sequence[str] | None = None) -> None:
    """Exports of the current view, then the correction tools that are not about one incident.

    `n_shown` and `documents` (the document ids) are what the page already has; without them they are computed."""
    if len(wf.extraction.incidents):
        render_exports(wf, state, picked, n_shown)
    if wf.store is None:
        return
    with st.expander("Add an incident by hand", icon=":material/add_location_alt:",
                     expanded=bool(st.session_state.get(MSG, {}).get("add_incident"))):
        _show_messages("add_incident")
        types = incident_types()
        c = st.columns([3, 2])
        c[0].text_input("Title", key="wf_add_title", placeholder="e.g. Car bomb in Kabul")
        c[1].selectbox("Type", list(types), format_func=types.get, index=None, key="wf_add_type")
        docs = list(documents) if documents is not None else list(wf.extraction.documents["doc"].astype(str))
        st.selectbox("Source document", docs, index=None, format_func=lambda d: labels.get(d, d), key="wf_add_doc")
        st.text_input("Evidence (a sentence of the document)", key="wf_add_evidence")
        c = st.columns(4)
        c[0].date_input("Start", value=None, min_value=MIN_DATE, max_value=MAX_DATE, key="wf_add_start")
        c[1].date_input("End", value=None, min_value=MIN_DATE, max_value=MAX_DATE, key="wf_add_end")
        from events.store import PRECISIONS

        c[2].selectbox("Precision", PRECISIONS, format_func=lambda p: p or "(from dates)", key="wf_add_precision")
        c[3].text_input("Date as written", key="wf_add_date_text")
        c = st.columns(3)
        c[0].number_input("Killed", min_value=0, value=None, step=1, key="wf_add_killed")
        c[1].number_input("Injured", min_value=0, value=None, step=1, key="wf_add_injured")
        c[2].text_input("Actors", key="wf_add_actors")
        st.caption("Place")
        place, written = place_picker("wf_add_place", wf.names)
        st.button("Add incident", key="wf_add_go", on_click=_add_by_hand, args=(wf, place, written), type="primary")

    n_hidden = len(wf.hidden)
    with st.expander(f"Hidden incidents ({n_hidden})", icon=":material/visibility_off:",
                     expanded=bool(st.session_state.get(MSG, {}).get("hidden"))):
        _show_messages("hidden")
        if n_hidden:
            st.dataframe(pd.DataFrame({"id": wf.hidden["id"], "Incident": wf.hidden["title"], "Start": wf.hidden["start"],
                                       "Place": wf.hidden["place"], "Why": wf.hidden["correction_note"]}),
                         hide_index=True, width="stretch")
            options = {str(r["id"]): workflow.incident_label(r) for r in wf.hidden.to_dict("records")}
            st.selectbox("Show again", list(options), index=None, format_func=options.get, key="wf_unhide_pick")
            st.button("Unhide", key="wf_unhide_go", on_click=_unhide, args=(wf,))
        else:
            st.caption("No incident is hidden. Hide a false one from its detail (“Correct this incident”).")

    with st.expander("Corrected table as CSV (edit in a spreadsheet, import back)", icon=":material/table:",
                     expanded=bool(st.session_state.get(MSG, {}).get("csv")) or "wf_csv_report" in st.session_state):
        _show_messages("csv")
        from events.store import export_corrected_csv

        incidents = wf.extraction.incidents
        st.download_button("Download the corrected table (CSV)", data=lambda: export_corrected_csv(incidents),
                           file_name=_export_name(wf.corpus, "csv").replace("incidents.csv", "corrected.csv"),
                           mime="text/csv", key="wf_csv_export", on_click="ignore", icon=":material/download:")
        nonce = st.session_state.get("wf_csv_nonce", 0)
        with st.form("wf_csv_form", border=False):
            st.file_uploader("Edited CSV", type=["csv"], key=f"wf_csv_{nonce}")
            st.form_submit_button("Import changes", key="wf_csv_go", on_click=_import_csv, args=(wf,))
        report = st.session_state.get("wf_csv_report")
        if report is not None:
            render_import_report(report)

    audit = _audit(wf)
    n = audit["#"].nunique()
    with st.expander(f"Audit ({n} correction{'s' if n != 1 else ''}, {len(audit)} row{'s' if len(audit) != 1 else ''})",
                     icon=":material/history:",
                     expanded=bool(st.session_state.get(MSG, {}).get("audit"))):
        _show_messages("audit")
        if len(audit):
            st.dataframe(audit, hide_index=True, width="stretch", height=min(400, 38 + 35 * len(audit)))
            render_undo(wf)
        else:
            st.caption("No corrections yet.")
        if len(wf.orphans):
            st.warning(f"{len(wf.orphans)} correction(s) refer to incidents the extraction no longer has:")
            st.dataframe(wf.orphans, hide_index=True, width="stretch")
        if len(wf.followed):
            st.info(f"{len(wf.followed)} correction(s) followed their incident to a new id (new articles changed its "
                    "date or place); they apply to the incident that now holds the mentions they were made on:")
            st.dataframe(wf.followed.rename(columns={"incident_id": "made on", "now": "applies to"}), hide_index=True,
                         width="stretch")


def render_import_report(report) -> None:
    level = "warning" if report.problems else "success"
    getattr(st, level)("CSV import: " + workflow.import_summary(report))
    if report.problems or report.warnings:
        st.dataframe(pd.DataFrame({"kind": ["problem"] * len(report.problems) + ["warning"] * len(report.warnings),
                                   "message": list(report.problems) + list(report.warnings)}),
                     hide_index=True, width="stretch")


def _audit(wf: Workflow) -> pd.DataFrame:
    """Read each run, not cached: an undo elsewhere can bring back an earlier set of corrections in force."""
    from events.store import audit_log

    try:
        return workflow.audit_rows(audit_log(wf.store))
    except (sqlite3.Error, OSError, ValueError):
        return workflow.audit_rows(None)

