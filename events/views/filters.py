"""Which incidents are in view: the filter state, its query string, the values each filter offers, and the
filters themselves as pure functions over a table (so they can be mirrored in SQL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from events.views.labels import _str

if TYPE_CHECKING:
    from events.views.prepared import Prepared


GROUP_BY = {"type": "Type", "continent": "Continent", "region": "Region", "country": "Country", "admin1": "Admin area"}
DEFAULT_GROUP_BY = "type"

# query-string key for each list-valued filter field
_LIST_KEYS = {"sources": "src", "continents": "continent", "regions": "region", "countries": "country", "admin1s": "admin1",
              "types": "type", "actors": "actor"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class FilterState:
    """Everything that decides which incidents are in view; the empty state shows every news incident (background
    incidents, history the articles recall, only with `background`)."""

    sources: tuple[str, ...] = ()
    month_from: str | None = None  # "YYYY-MM", inclusive
    month_to: str | None = None  # "YYYY-MM", inclusive
    continents: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    admin1s: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    min_killed: int = 0
    text: str = ""  # words found in the title, evidence, place, actors or any mention's sentence
    regions: tuple[str, ...] = ()  # regions above the country (data/regions.csv)
    actors: tuple[str, ...] = ()
    background: bool = False  # also show background incidents
    group_by: str = DEFAULT_GROUP_BY  # how timeline rows are grouped (a view setting, kept in the URL too)

    def is_empty(self) -> bool:
        return replace(self, group_by=DEFAULT_GROUP_BY) == FilterState()


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    raw = params.get(key)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    out: list[str] = []
    for item in items:
        for part in str(item).split("|"):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _last(params: Mapping[str, Any], key: str) -> str:
    raw = params.get(key)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raw = list(raw)[-1] if list(raw) else ""
    return str(raw).strip()


def parse_query(params: Mapping[str, Any]) -> FilterState:
    """Query parameters (single strings or lists of strings per key) -> filter state. Bad values are dropped."""
    lists = {name: tuple(_values(params, key)) for name, key in _LIST_KEYS.items()}
    month_from = _last(params, "from") or None
    month_to = _last(params, "to") or None
    if month_from and not _MONTH.match(month_from):
        month_from = None
    if month_to and not _MONTH.match(month_to):
        month_to = None
    if month_from and month_to and month_from > month_to:
        month_from, month_to = month_to, month_from
    try:
        min_killed = max(0, int(_last(params, "killed") or 0))
    except ValueError:
        min_killed = 0
    group_by = _last(params, "rows")
    if group_by not in GROUP_BY:
        group_by = DEFAULT_GROUP_BY
    background = _last(params, "background").lower() in ("1", "true", "yes", "shown")
    return FilterState(month_from=month_from, month_to=month_to, min_killed=min_killed,
                       text=_last(params, "q")[:200], group_by=group_by, background=background, **lists)


def to_query(state: FilterState) -> dict[str, str | list[str]]:
    """Filter state -> query parameters; defaults are left out so an unfiltered view has a clean URL."""
    out: dict[str, str | list[str]] = {}
    for name, key in _LIST_KEYS.items():
        values = getattr(state, name)
        if values:
            out[key] = list(values)
    if state.month_from:
        out["from"] = state.month_from
    if state.month_to:
        out["to"] = state.month_to
    if state.min_killed:
        out["killed"] = str(state.min_killed)
    if state.text.strip():
        out["q"] = state.text.strip()
    if state.background:
        out["background"] = "1"
    if state.group_by != DEFAULT_GROUP_BY:
        out["rows"] = state.group_by
    return out


@dataclass(frozen=True)
class FilterOptions:
    """The values each filter can take for one incident table (what the widgets offer)."""

    sources: tuple[str, ...] = ()
    months: tuple[str, ...] = ()  # the months of the news incidents (background left out)
    all_months: tuple[str, ...] = ()  # the months of every incident (when background is shown)
    continents: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    admin1s: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    max_killed: int = 0
    type_labels: tuple[tuple[str, str], ...] = ()  # (type, label) pairs, for the type picker
    regions: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()  # most frequent first
    window: tuple[str, str] | None = None  # the corpus's reporting window: first and last publication day
    n_background: int = 0

    def months_for(self, state: "FilterState") -> tuple[str, ...]:
        """The months the month pickers offer for a state (all of them only when background is shown)."""
        return self.all_months if state.background else self.months


def _distinct(series: pd.Series) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in series.dropna().unique() if str(v).strip()}))


def month_span(first: str, last: str) -> list[str]:
    """Every month "YYYY-MM" from first to last inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    ly, lm = int(last[:4]), int(last[5:7])
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _months(starts: pd.Series, ends: pd.Series) -> tuple[str, ...]:
    """The months a month picker offers for incidents with these dates: every month from the first to the last, or
    only the months holding an incident where that span would be long (a few dates decades apart)."""
    starts, ends = starts[(starts != "").to_numpy()], ends[(ends != "").to_numpy()]
    if not len(starts):
        return ()
    first, last = str(starts.min())[:7], str((ends if len(ends) else starts).max())[:7]
    span = month_span(first, last)
    if len(span) > MONTHS_LISTED:
        span = sorted(set(starts.str[:7].unique()) | set(ends.str[:7].unique()))
    return tuple(span)


MONTHS_LISTED = 60  # above this many months in the span, the pickers list only months that hold an incident


def filter_options(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
                   background: np.ndarray | None = None) -> FilterOptions:
    """What each filter offers for a table; `background` (see `columns.background_mask`) is computed when absent."""
    from events.views.columns import actor_lists, background_mask, regions, reporting_window

    if documents is not None and len(documents):
        sources = tuple(str(d) for d in documents["doc"])
    else:
        sources = tuple(sorted({s for v in incidents.get("sources", pd.Series(dtype=str)).dropna() for s in str(v).split(";") if s}))
    if background is None:
        background = background_mask(incidents, documents)
    starts, ends = _str(incidents["start"]), _str(incidents["end"])
    news = ~np.asarray(background, dtype=bool)
    killed = pd.to_numeric(incidents["killed"], errors="coerce").dropna()
    actors = actor_lists(incidents).explode().dropna()
    return FilterOptions(
        sources=sources, months=_months(starts[news], ends[news]), all_months=_months(starts, ends),
        continents=_distinct(incidents["continent"]),
        countries=_distinct(incidents["country"]), admin1s=_distinct(incidents["admin1"]),
        types=_distinct(incidents["type"]), max_killed=int(killed.max()) if len(killed) else 0,
        type_labels=_type_labels(incidents), regions=_distinct(regions(incidents)),
        actors=tuple(str(a) for a in actors.value_counts(sort=True).index.tolist()) if len(actors) else (),
        window=reporting_window(documents), n_background=int(np.count_nonzero(background)),
    )


def _type_labels(incidents: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """(type, label) once per type: the label of its last incident (as dict(zip(types, labels)) would give)."""
    if "type_label" not in incidents or not len(incidents):
        return ()
    pairs = pd.DataFrame({"t": incidents["type"].to_numpy(dtype=object), "l": incidents["type_label"].to_numpy(dtype=object)})
    pairs = pairs.drop_duplicates("t", keep="last")
    return tuple((t, l) for t, l in zip(pairs["t"], pairs["l"]) if isinstance(t, str))


def _snap_month(month: str | None, months: Sequence[str], lower: bool) -> str | None:
    if not month or not months:
        return None
    if lower:
        later = [m for m in months if m >= month]
        return later[0] if later else months[-1]
    earlier = [m for m in months if m <= month]
    return earlier[-1] if earlier else months[0]


def clamp_state(state: FilterState, options: FilterOptions) -> FilterState:
    """Drop values the current table does not offer (a shared URL may come from another corpus)."""
    lists = {name: tuple(v for v in getattr(state, name) if v in set(getattr(options, name))) for name in _LIST_KEYS}
    months = options.months_for(state)
    month_from = _snap_month(state.month_from, months, lower=True)
    month_to = _snap_month(state.month_to, months, lower=False)
    if month_from and month_to and month_from > month_to:
        month_from, month_to = month_to, month_from
    if months and month_from == months[0]:
        month_from = None
    if months and month_to == months[-1]:
        month_to = None
    return replace(state, month_from=month_from, month_to=month_to, **lists)


def _month_first(month: str) -> str:
    return f"{month}-01"


def _month_last(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return (nxt - timedelta(days=1)).isoformat()


def apply_filters(incidents: pd.DataFrame, state: FilterState, prepared: "Prepared | None" = None,
                  documents: pd.DataFrame | None = None, mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The incidents that pass every filter (an incident's date span need only overlap the month range).

    With `prepared` (the `Prepared` columns of `incidents`) the test runs on its precomputed columns. `documents`
    date the sources where the table has no `background` column; `mentions` let the text search read every
    mention's sentence (without them it reads the incident's own columns)."""
    from events.views.columns import actor_lists, background_mask, regions

    pos = prepared.positions(incidents) if prepared is not None else None
    if pos is not None and prepared is not None:
        return incidents[_filter_mask(prepared, pos, incidents, state)]
    keep = pd.Series(True, index=incidents.index)
    if not state.background:
        keep &= ~background_mask(incidents, documents)
    if state.regions:
        keep &= regions(incidents).isin(state.regions).to_numpy(dtype=bool)
    if state.actors:
        wanted = set(state.actors)
        keep &= actor_lists(incidents).map(lambda names: any(a in wanted for a in names)).to_numpy(dtype=bool)
    if state.sources:
        docs = incidents["sources"].astype(object).where(incidents["sources"].notna(), "").map(str).str.split(";")
        docs.index = range(len(docs))
        listed = docs.explode()
        hit = listed.isin(state.sources).groupby(level=0).any().reindex(range(len(docs)), fill_value=False)
        keep &= hit.to_numpy(dtype=bool)
    if state.month_from or state.month_to:
        start = incidents["start"].fillna("")
        end = incidents["end"].where(incidents["end"].notna() & (incidents["end"] != ""), start).fillna("")
        dated = start != ""
        if state.month_from:
            dated &= end >= _month_first(state.month_from)
        if state.month_to:
            dated &= start <= _month_last(state.month_to)
        keep &= dated
    for name, column in (("continents", "continent"), ("countries", "country"), ("admin1s", "admin1"), ("types", "type")):
        values = getattr(state, name)
        if values:
            keep &= incidents[column].isin(values)
    if state.min_killed > 0:
        killed = pd.to_numeric(incidents["killed"], errors="coerce")
        keep &= (killed >= state.min_killed).fillna(False).astype(bool)
    terms = [t for t in state.text.lower().split() if t]
    if terms:
        haystack = search_text(incidents, mentions).to_numpy(dtype=object)
        for term in terms:
            keep &= pd.Series(haystack, dtype=object).str.contains(term, regex=False).to_numpy(dtype=bool)
    return incidents[keep.astype(bool)]


SEARCHED_COLUMNS = ("title", "evidence", "actors", "place", "place_written", "admin1")


def search_text(incidents: pd.DataFrame, mentions: pd.DataFrame | None = None) -> pd.Series:
    """What the text search reads, lower-cased, one string per incident: its title, evidence, actors and place (as
    written and in the gazetteer), and every mention's sentence and place as written."""
    # object strings, so lower() is Python's (Arrow's differs on letters like "İ"), as every other search here
    parts = [_str(incidents[c]).astype(object) for c in SEARCHED_COLUMNS if c in incidents]
    text = parts[0] if parts else pd.Series("", index=incidents.index, dtype=object)
    for part in parts[1:]:
        text = text + " \n " + part
    if mentions is not None and len(mentions) and "incident_id" in mentions:
        cols = [c for c in ("sentence", "place_text", "trigger") if c in mentions]
        said = _str(mentions[cols[0]]).astype(object) if cols else pd.Series("", index=mentions.index, dtype=object)
        for c in cols[1:]:
            said = said + " \n " + _str(mentions[c]).astype(object)
        joined = said.groupby(_str(mentions["incident_id"]).to_numpy(dtype=object)).agg(" \n ".join)
        extra = _str(incidents["id"]).astype(object).map(joined).fillna("")
        text = text + " \n " + extra.to_numpy(dtype=object)
    return pd.Series([t.lower() for t in text.tolist()], index=incidents.index, dtype=object)


def _filter_mask(prep: "Prepared", pos: np.ndarray, incidents: pd.DataFrame, state: FilterState) -> np.ndarray:
    """`apply_filters` as a boolean mask over `incidents` (rows `pos` of `prep`)."""
    keep = np.ones(prep.n, dtype=bool) if state.background else ~prep.background
    if state.regions:
        keep &= np.isin(prep.region_code, np.flatnonzero(pd.Index(prep.region_values).isin(state.regions)))
    if state.actors:
        keep &= prep.actor_hits(state.actors)
    if state.sources:
        rows, docs = prep.sources()
        hit = np.zeros(prep.n, dtype=bool)
        hit[rows[pd.Index(list(state.sources), dtype=object).get_indexer(docs) >= 0]] = True
        keep &= hit
    if state.month_from or state.month_to:
        dated = prep.dated.copy()
        if state.month_from:
            dated &= prep.end_str >= _month_first(state.month_from)
        if state.month_to:
            dated &= prep.start_str <= _month_last(state.month_to)
        keep &= dated
    keep = keep[pos]
    for name, column in (("continents", "continent"), ("countries", "country"), ("admin1s", "admin1")):
        values = getattr(state, name)
        if values:
            keep &= incidents[column].isin(values).to_numpy(dtype=bool)
    if state.types:
        keep &= np.isin(prep.type_code[pos], np.flatnonzero(pd.Index(prep.types).isin(state.types)))
    if state.min_killed > 0:
        keep &= prep.killed[pos] >= state.min_killed
    terms = [t for t in state.text.lower().split() if t]
    if terms:
        haystack = prep.haystack().iloc[pos]
        for term in terms:
            keep &= haystack.str.contains(term, regex=False).to_numpy(dtype=bool)
    return keep


def count_label(shown: int, total: int) -> str:
    """Thousands separated, as every other count on the page, so 949,961 of 1,000,000 reads at a glance."""
    noun = "incident" if total == 1 else "incidents"
    return f"Showing {shown:,} of {total:,} {noun}"


def group_values(incidents: pd.DataFrame, group_by: str, names: Mapping[str, str] | None = None) -> pd.Series:
    """The timeline row of each incident for a grouping (type label, continent, country name, admin area)."""
    names = dict(names or {})

    def country_names_of(frame: pd.DataFrame) -> pd.Series:
        codes = _str(frame["country"])
        return codes.map(names).fillna(codes).astype(object) if names else codes

    if group_by == "continent":
        values = _str(incidents["continent"])
    elif group_by == "country":
        values = country_names_of(incidents)
    elif group_by == "region":
        from events.views.columns import regions

        values = regions(incidents)
    elif group_by == "admin1":
        values = _str(incidents["admin1"])
        values = values.where(values != "", country_names_of(incidents))
    else:
        values = incidents["type_label"].fillna(incidents["type"]).astype(object)
    text = values.map(str)
    return values.where(text.str.strip() != "", "Unknown")


# ------------------------------------------------------------------------------------------------ the page's URL

SELECTION_IN_URL = 200  # a selection of more incidents is not written into the URL (the filters still are)


@dataclass(frozen=True)
class PageLink:
    """What a shared URL names beyond the filters: the corpus, the selected incidents and the open incident."""

    corpus: str | None = None
    selection: tuple[str, ...] = ()
    detail: str | None = None


def page_query(corpus: str, state: FilterState, selection: Sequence[str] | None = None,
               detail: str | None = None) -> dict[str, str | list[str]]:
    """The URL's query for a view: the corpus first, then the filters (`to_query`), the selection and the open
    incident, so a colleague's link opens the same corpus, filters, selection and detail."""
    out: dict[str, str | list[str]] = {"corpus": corpus}
    out.update(to_query(state))
    if selection and len(selection) <= SELECTION_IN_URL:
        out["sel"] = "|".join(selection)
    if detail:
        out["open"] = detail
    return out


def parse_page(params: Mapping[str, Any]) -> PageLink:
    """The corpus, selection and open incident a URL names (`page_query`'s inverse for those keys)."""
    corpus = _last(params, "corpus") or None
    selection = tuple(_values(params, "sel"))[:SELECTION_IN_URL]
    return PageLink(corpus=corpus, selection=selection, detail=_last(params, "open") or None)
