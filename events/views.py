"""What the dashboard shows, as pure functions: filters, the query string, plotly figures, evidence in context.

Nothing here imports Streamlit, so every function is tested without a browser (tests/test_views.py);
`dashboard.py` only lays out widgets and wires them to these functions.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import threading
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# --------------------------------------------------------------------------------------------------------------
# Filter state and the query string
# --------------------------------------------------------------------------------------------------------------

GROUP_BY = {"type": "Type", "continent": "Continent", "country": "Country", "admin1": "Admin area"}
DEFAULT_GROUP_BY = "type"

# query-string key for each list-valued filter field
_LIST_KEYS = {"sources": "src", "continents": "continent", "countries": "country", "admin1s": "admin1", "types": "type"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class FilterState:
    """Everything that decides which incidents are in view; the empty state shows everything."""

    sources: tuple[str, ...] = ()
    month_from: str | None = None  # "YYYY-MM", inclusive
    month_to: str | None = None  # "YYYY-MM", inclusive
    continents: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    admin1s: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    min_killed: int = 0
    text: str = ""
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
    return FilterState(month_from=month_from, month_to=month_to, min_killed=min_killed,
                       text=_last(params, "q")[:200], group_by=group_by, **lists)


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
    if state.group_by != DEFAULT_GROUP_BY:
        out["rows"] = state.group_by
    return out


@dataclass(frozen=True)
class FilterOptions:
    """The values each filter can take for one incident table (what the widgets offer)."""

    sources: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    continents: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    admin1s: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    max_killed: int = 0
    type_labels: tuple[tuple[str, str], ...] = ()  # (type, label) pairs, for the type picker


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


def filter_options(incidents: pd.DataFrame, documents: pd.DataFrame | None = None) -> FilterOptions:
    if documents is not None and len(documents):
        sources = tuple(str(d) for d in documents["doc"])
    else:
        sources = tuple(sorted({s for v in incidents.get("sources", pd.Series(dtype=str)).dropna() for s in str(v).split(";") if s}))
    starts, ends = _str(incidents["start"]), _str(incidents["end"])
    starts, ends = starts[(starts != "").to_numpy()], ends[(ends != "").to_numpy()]
    months: tuple[str, ...] = ()
    if len(starts):
        first, last = str(starts.min())[:7], str((ends if len(ends) else starts).max())[:7]
        span = month_span(first, last)
        # a century-precision date would make the slider unusable: keep only months that hold an incident then
        if len(span) > 600:
            span = sorted(set(starts.str[:7].unique()) | set(ends.str[:7].unique()))
        months = tuple(span)
    killed = pd.to_numeric(incidents["killed"], errors="coerce").dropna()
    return FilterOptions(
        sources=sources, months=months, continents=_distinct(incidents["continent"]),
        countries=_distinct(incidents["country"]), admin1s=_distinct(incidents["admin1"]),
        types=_distinct(incidents["type"]), max_killed=int(killed.max()) if len(killed) else 0,
        type_labels=_type_labels(incidents),
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
    lists = {name: tuple(v for v in getattr(state, name) if v in getattr(options, name)) for name in _LIST_KEYS}
    month_from = _snap_month(state.month_from, options.months, lower=True)
    month_to = _snap_month(state.month_to, options.months, lower=False)
    if month_from and month_to and month_from > month_to:
        month_from, month_to = month_to, month_from
    if options.months and month_from == options.months[0]:
        month_from = None
    if options.months and month_to == options.months[-1]:
        month_to = None
    return replace(state, month_from=month_from, month_to=month_to, **lists)


def _month_first(month: str) -> str:
    return f"{month}-01"


def _month_last(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return (nxt - timedelta(days=1)).isoformat()


def apply_filters(incidents: pd.DataFrame, state: FilterState, prepared: "Prepared | None" = None) -> pd.DataFrame:
    """The incidents that pass every filter (an incident's date span need only overlap the month range).

    With `prepared` (the `Prepared` columns of `incidents`) the test runs on its precomputed columns."""
    pos = prepared.positions(incidents) if prepared is not None else None
    if pos is not None and prepared is not None:
        return incidents[_filter_mask(prepared, pos, incidents, state)]
    keep = pd.Series(True, index=incidents.index)
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
        haystack = (incidents["title"].fillna("").astype(str) + " \n " + incidents["evidence"].fillna("").astype(str)).str.lower()
        for term in terms:
            keep &= haystack.str.contains(term, regex=False)
    return incidents[keep.astype(bool)]


def _filter_mask(prep: "Prepared", pos: np.ndarray, incidents: pd.DataFrame, state: FilterState) -> np.ndarray:
    """`apply_filters` as a boolean mask over `incidents` (rows `pos` of `prep`)."""
    keep = np.ones(prep.n, dtype=bool)
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
    noun = "incident" if total == 1 else "incidents"
    return f"Showing {shown} of {total} {noun}"


# --------------------------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------------------------

def source_labels(documents: pd.DataFrame) -> dict[str, str]:
    """doc id -> "Title — Publisher (2015-11-17)" for pickers and detail headings."""
    out: dict[str, str] = {}
    n = len(documents)

    def column(name: str, default: Any) -> list[Any]:
        return documents[name].to_numpy(dtype=object, na_value=None).tolist() if name in documents else [default] * n

    for doc, title, publisher, published in zip(column("doc", ""), column("title", ""), column("publisher", ""),
                                                column("published", None)):
        title = str(title or "").strip() or str(doc)
        publisher = str(publisher or "").strip()
        label = title if len(title) <= 70 else title[:67].rstrip() + "…"
        if publisher:
            label += f" — {publisher}"
        if published is not None and not (isinstance(published, float) and math.isnan(published)) and str(published) not in ("", "None", "NaT"):
            label += f" ({str(published)[:10]})"
        out[str(doc)] = label
    return out


def country_names(path: str | None = None) -> dict[str, str]:
    """ISO2 -> English short name from data/countries.csv (empty when the file is missing)."""
    from events.settings import DATA_DIR

    try:
        table = pd.read_csv(path or DATA_DIR / "countries.csv", comment="#", keep_default_na=False, dtype=str)
    except (OSError, ValueError):
        return {}
    return dict(zip(table["iso2"], table["name"]))


def casualties_text(killed: Any, injured: Any) -> str:
    parts = []
    if _is_number(killed):
        parts.append(f"{int(killed)} killed")
    if _is_number(injured):
        parts.append(f"{int(injured)} injured")
    return ", ".join(parts) or "no figures"


def _is_number(value: Any) -> bool:
    if value is None or value is pd.NA:
        return False
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def parse_reports(text: str | None) -> list[tuple[int, list[str]]]:
    """'129 (003); 132 (000, 001)' -> [(129, ['003']), (132, ['000', '001'])]; also accepts 'figure@doc;...'."""
    out: dict[int, list[str]] = {}
    if not text or not isinstance(text, str):
        return []
    for part in text.split(";"):
        part = part.strip()
        m = re.match(r"^(\d[\d,]*)\s*\(([^)]*)\)$", part) or re.match(r"^(\d[\d,]*)\s*@\s*(.+)$", part)
        if not m:
            continue
        figure = int(m.group(1).replace(",", ""))
        docs = [d.strip() for d in m.group(2).split(",") if d.strip()]
        out.setdefault(figure, [])
        out[figure].extend(d for d in docs if d not in out[figure])
    return sorted(out.items())


# --------------------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------------------

FADED_OPACITY = 0.15
_DAY_MS = 86_400_000
# Up to this many incidents a chart draws one mark per incident (SVG); above, incidents are grouped into at most
# about this many marks: the timeline by row, type and day/week/month/quarter/year, the map by type and a grid
# cell sized to the points' extent. A grouped mark's customdata[0] holds all its incident ids, space-separated,
# so selecting it selects every incident in it (see `selected_ids`).
MARK_LIMIT = 3000
ID_SEPARATOR = " "


def _esc(value: Any) -> str:
    """Text for plotly hover labels: plotly reads a little HTML there, so article text is escaped."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=False)


def _str(series: pd.Series, default: str = "") -> pd.Series:
    """Values as strings (pandas string dtype), missing and empty ones replaced by `default`."""
    out = series.astype("string").fillna("")
    if default:
        out = out.where(out != "", default)
    return out


def _text(value: Any) -> str:
    """A cell as text, "" where missing (as `_str` does for a column)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _esc_series(series: pd.Series) -> pd.Series:
    """`_esc` for a whole column (html.escape with quote=False: &, < and > only)."""
    return series.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False).str.replace(">", "&gt;", regex=False)


def _floats(values: pd.Series) -> np.ndarray:
    """Numbers as a float array, NaN where missing or not a number (nullable Int64 columns included)."""
    num = pd.to_numeric(pd.Series(values), errors="coerce")
    return pd.array(num, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)


def _casualties_series(killed: pd.Series, injured: pd.Series) -> pd.Series:
    """`casualties_text` for whole columns."""
    parts = []
    for values, word in ((killed, "killed"), (injured, "injured")):
        num = pd.Series(_floats(values), index=values.index)
        text = num.map(lambda v: "" if math.isnan(v) else f"{int(v)} {word}")
        parts.append(text.astype(object))
    both = (parts[0] != "") & (parts[1] != "")
    out = parts[0] + np.where(both, ", ", "") + parts[1]
    return out.where(out != "", "no figures").astype(object)


def _source_lists(sources: pd.Series, labels: Mapping[str, str] | None) -> pd.Series:
    """'a;b;c;d;e' -> '· A<br>· B<br>· C<br>· D<br>· and 1 more' (escaped labels), for a whole column."""
    labels = labels or {}
    # values, not the Series: its index (a filtered table's) must not be aligned with 0..n-1
    frame = pd.DataFrame({"s": _str(sources).str.split(";").to_numpy(dtype=object)}, index=range(len(sources)))
    ex = frame["s"].explode()
    ex = ex[ex.notna() & (ex != "")]
    out = pd.Series("", index=range(len(sources)), dtype=object)
    if len(ex):
        pos = ex.groupby(level=0).cumcount()
        count = ex.groupby(level=0).size()
        named = ex.map(lambda s: labels.get(s, s)).astype(str)
        lines = "· " + _esc_series(named[pos < 4])
        joined = lines.groupby(level=0).agg("<br>".join)
        more = count[count > 4]
        joined.loc[more.index] = joined.loc[more.index] + "<br>· and " + (more - 4).astype(str) + " more"
        out.loc[joined.index] = joined
    out.index = sources.index
    return out


def _hover_columns(frame: pd.DataFrame, labels: Mapping[str, str] | None) -> pd.DataFrame:
    """The eight hover fields of each incident (id first), escaped, computed column-wise."""
    start, end = _str(frame["start"]), _str(frame["end"])
    date_range = start.where((start == end) | (end == ""), start + " – " + end)
    return pd.DataFrame({
        "id": _str(frame["id"]), "title": _esc_series(_str(frame["title"])),
        "date_text": _esc_series(_str(frame["date_text"], "(no date in text)")),
        "precision": _esc_series(_str(frame["precision"], "undated")), "range": _esc_series(_str(date_range)),
        "place": _esc_series(_str(frame["place"], "(no place)")),
        "casualties": _casualties_series(frame["killed"], frame["injured"]),
        "sources": _source_lists(frame["sources"], labels),
    }, index=frame.index).astype(object)


def _hover_rows(frame: pd.DataFrame, labels: Mapping[str, str] | None) -> list[list[str]]:
    if not len(frame):
        return []
    return _hover_columns(frame, labels).to_numpy(dtype=object).tolist()


_HOVER = ("<b>%{customdata[1]}</b><br>Date: “%{customdata[2]}” (%{customdata[3]}: %{customdata[4]})"
          "<br>Place: %{customdata[5]}<br>Casualties: %{customdata[6]}<br>Sources:<br>%{customdata[7]}<extra></extra>")
# grouped marks: customdata = [space-separated ids, summary HTML]
_GROUP_HOVER = "%{customdata[1]}<extra></extra>"


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
    elif group_by == "admin1":
        values = _str(incidents["admin1"])
        values = values.where(values != "", country_names_of(incidents))
    else:
        values = incidents["type_label"].fillna(incidents["type"]).astype(object)
    text = values.map(str)
    return values.where(text.str.strip() != "", "Unknown")


def focus_range(starts: Iterable[str], ends: Iterable[str], share: float = 0.7, min_days: int = 45) -> tuple[str, str] | None:
    """The shortest date window holding `share` of the incidents, padded: where the timeline opens."""
    def days(values: Iterable[str]) -> np.ndarray:
        out = _day_numbers(_str(values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)))
        return out[out != _NO_DAY]

    return _focus_days(np.sort(days(starts)), days(ends), share, min_days)

def _focus_days(points: np.ndarray, stops: np.ndarray, share: float = 0.7, min_days: int = 45) -> tuple[str, str] | None:
    """`focus_range` on day numbers (`points` sorted)."""
    if not len(points):
        return None
    last = int(max(stops.max(), points[-1])) if len(stops) else int(points[-1])
    k = max(1, math.ceil(share * len(points)))
    widths = points[k - 1:] - points[: len(points) - k + 1]
    i = int(np.argmin(widths))
    lo, hi = int(points[i]), int(points[i + k - 1])
    # the window's incidents may end later than they start (a month-precision bar)
    hi = max(hi, min(last, hi + 31))
    width = max(hi - lo, min_days)
    pad = width * 0.15
    centre = lo + (hi - lo) / 2
    a, b = _iso([math.floor(centre - width / 2 - pad), math.floor(centre + width / 2 + pad)])
    return a, b


# --------------------------------------------------------------------------------------------------------------
# Per-table precomputation (done once per extraction; a rerun only masks, counts and draws)
# --------------------------------------------------------------------------------------------------------------

_NO_DAY = np.iinfo(np.int64).min
_DAY0 = np.datetime64("1970-01-01", "D")


def _iso(days: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01) -> ISO date strings (object array)."""
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), unit="D").astype(object)


def _day_numbers(text: pd.Series) -> np.ndarray:
    """ISO date strings -> int64 days since 1970-01-01 (`_NO_DAY` where empty or not a date)."""
    stamps = pd.to_datetime(text.where(text != ""), errors="coerce", format="ISO8601")
    days = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = days.astype(np.int64)
    out[np.isnat(days)] = _NO_DAY
    return out


class Prepared:
    """The columns the figures and filters need, computed once for one incident table.

    Dates become day numbers, types/places/rows small integer codes, coordinates floats; the time bins, grid
    cells, row groupings and hover texts are computed on first use and kept. The figures then only take the
    positions of the incidents in view, count with numpy and build the traces. Get one per extraction with
    `prepared(incidents, key=...)`; the figure functions make a throwaway one when none is given."""

    def __init__(self, incidents: pd.DataFrame, labels: Mapping[str, str] | None = None,
                 names: Mapping[str, str] | None = None, documents: pd.DataFrame | None = None):
        self.frame = incidents
        self.documents = documents
        self._labels = dict(labels) if labels is not None else None
        self.names = dict(names or {})
        self.n = len(incidents)
        self.index = incidents.index
        self.ids = _str(incidents["id"]).to_numpy(dtype=object)
        start, end = _str(incidents["start"]), _str(incidents["end"])
        end = end.where(end != "", start)
        self.dated = (start != "").to_numpy(dtype=bool)
        self.start_str = start.to_numpy(dtype=object)
        self.end_str = end.to_numpy(dtype=object)
        self.start_day = _day_numbers(start)
        stop = _day_numbers(end)
        self.stop_day = np.where(stop == _NO_DAY, self.start_day, stop)
        self.is_day = ((_str(incidents["precision"]) == "day") | (start == end)).to_numpy(dtype=bool)
        self.type_code, self.types = pd.factorize(_str(incidents["type"]).to_numpy(dtype=object))
        self.types = np.asarray(self.types, dtype=object)
        type_labels = _str(incidents["type_label"]).to_numpy(dtype=object)
        first = np.unique(self.type_code, return_index=True)[1] if self.n else np.array([], dtype=np.int64)
        self.type_label = {str(self.types[self.type_code[i]]): str(type_labels[i] or self.types[self.type_code[i]])
                           for i in first}  # the label of a type's first incident
        self.kind_label_code, self.kind_label_values = pd.factorize(
            _str(incidents["type_label"]).where(lambda s: s != "", _str(incidents["type"])).to_numpy(dtype=object))
        self.place_code, self.place_values = pd.factorize(_str(incidents["place"], "(no place)").to_numpy(dtype=object))
        self.killed, self.injured = _floats(incidents["killed"]), _floats(incidents["injured"])
        self.lat, self.lon = _floats(incidents["lat"]), _floats(incidents["lon"])
        self.placed = np.isfinite(self.lat) & np.isfinite(self.lon)
        self._rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._bins: dict[str, np.ndarray] = {}
        self._cells: dict[float, np.ndarray] = {}
        self._hover = np.empty((self.n, 8), dtype=object)
        self._hover_done = np.zeros(self.n, dtype=bool)
        self._options: FilterOptions | None = None
        self._haystack: pd.Series | None = None
        self._titles: np.ndarray | None = None
        self._id_index: pd.Index | None = None
        self._sources: tuple[np.ndarray, np.ndarray] | None = None
        self._escaped: dict[str, np.ndarray] = {}
        self._doc_ids: list[str] | None = None
        self._lines: tuple[list[str], list[int], list[int]] | None = None
        self._cache: dict[Any, Any] = {}  # per view (filter result, grouping): a few, most recent last
        self._cache_lock = threading.Lock()

    # ---- once per table, on first use

    @property
    def labels(self) -> dict[str, str]:
        """doc id -> source label (`source_labels` of the documents given, else empty)."""
        if self._labels is None:
            docs = self.documents
            self._labels = source_labels(docs) if docs is not None and len(docs) else {}
        return self._labels

    @property
    def options(self) -> FilterOptions:
        if self._options is None:
            self._options = filter_options(self.frame, self.documents)
        return self._options

    def rows(self, group_by: str) -> tuple[np.ndarray, np.ndarray]:
        """(code of each incident's timeline row, row names) for a grouping."""
        if group_by not in self._rows:
            values = group_values(self.frame, group_by, self.names).astype(str).to_numpy(dtype=object)
            codes, uniques = pd.factorize(values)
            self._rows[group_by] = (codes.astype(np.int64), np.asarray(uniques, dtype=object))
        return self._rows[group_by]

    def bin_start(self, unit: str) -> np.ndarray:
        """Day number of the first day of each incident's start week, month, quarter or year."""
        if unit not in self._bins:
            days = np.where(self.start_day == _NO_DAY, 0, self.start_day).astype("datetime64[D]")
            self._bins[unit] = _bin_start(days, unit).astype(np.int64)
        return self._bins[unit]

    def cells(self, cell: float) -> np.ndarray:
        """Grid cell number of each placed incident for a cell size in degrees (-1 where not placed)."""
        if cell not in self._cells:
            cy = np.floor(np.where(self.placed, self.lat, 0.0) / cell).astype(np.int64)
            cx = np.floor(np.where(self.placed, self.lon, 0.0) / cell).astype(np.int64)
            codes = pd.factorize((cy + 10_000) * 100_000 + (cx + 10_000))[0].astype(np.int64)
            self._cells[cell] = np.where(self.placed, codes, -1)
        return self._cells[cell]

    def hover(self, pos: np.ndarray) -> np.ndarray:
        """The eight hover fields (`_hover_columns`) of the incidents at `pos`, computed once each."""
        todo = pos[~self._hover_done[pos]]
        if len(todo):
            todo = np.unique(todo)
            self._hover[todo] = self._hover_block(todo)
            self._hover_done[todo] = True
        return self._hover[pos]

    def _hover_block(self, rows: np.ndarray) -> np.ndarray:
        """`_hover_columns` of the incidents at `rows`, from the prepared columns (no slice of the table)."""
        out = np.empty((len(rows), 8), dtype=object)
        rows_list = rows.tolist()
        out[:, 0] = self.ids[rows]
        out[:, 1] = [_esc(t) for t in self.titles()[rows].tolist()]
        for j, (name, default) in ((2, ("date_text", "(no date in text)")), (3, ("precision", "undated"))):
            raw = self._raw(name)[rows].tolist()
            out[:, j] = [html.escape(_text(v) or default, quote=False) for v in raw]
        start, end = self.start_str[rows].tolist(), self.end_str[rows].tolist()
        out[:, 4] = [html.escape(a if a == b else f"{a} – {b}", quote=False) for a, b in zip(start, end)]
        out[:, 5] = self.escaped("place_values")[self.place_code[rows]]
        out[:, 6] = _casualties_texts(self.killed[rows], self.injured[rows])
        lines, first, count = self._source_lines()
        texts = []
        for r in rows_list:
            a, c = first[r], count[r]
            text = "<br>".join(lines[a:a + min(c, 4)])
            texts.append(text + f"<br>· and {c - 4} more" if c > 4 else text)
        out[:, 7] = texts
        return out

    def _raw(self, name: str) -> np.ndarray:
        """A column of the table as an object array (missing values as they are), once."""
        key = "raw:" + name
        if key not in self._escaped:
            self._escaped[key] = self.frame[name].to_numpy(dtype=object)
        return self._escaped[key]

    def _source_lines(self) -> tuple[list[str], list[int], list[int]]:
        """('· Label' line of each listed source, escaped; the first line and the count of each incident), once."""
        if self._lines is None:
            rows, docs = self.sources()
            codes, uniques = pd.factorize(docs)
            labels = self.labels
            named = np.array(["· " + html.escape(str(labels.get(d, d)), quote=False) for d in uniques.tolist()] + [""],
                             dtype=object)[:-1]
            count = np.bincount(rows, minlength=self.n) if len(rows) else np.zeros(self.n, dtype=np.int64)
            first = np.r_[0, np.cumsum(count)[:-1]] if self.n else np.zeros(0, dtype=np.int64)
            self._lines = (named[codes].tolist(), first.tolist(), count.tolist())
        return self._lines

    def titles(self) -> np.ndarray:
        if self._titles is None:
            self._titles = self.frame["title"].to_numpy(dtype=object)
        return self._titles

    def haystack(self) -> pd.Series:
        if self._haystack is None:
            self._haystack = (self.frame["title"].fillna("").astype(str) + " \n "
                              + self.frame["evidence"].fillna("").astype(str)).str.lower().reset_index(drop=True)
        return self._haystack

    def sources(self) -> tuple[np.ndarray, np.ndarray]:
        """(row of each listed source, the source doc id) over all incidents."""
        if self._sources is None:
            docs = _str(self.frame["sources"]).str.split(";")
            docs.index = range(self.n)
            listed = docs.explode()
            listed = listed[listed.notna() & (listed != "")]
            self._sources = (listed.index.to_numpy(dtype=np.int64), listed.to_numpy(dtype=object))
        return self._sources

    def escaped(self, name: str) -> np.ndarray:
        """A per-value array (say `place_values`) escaped for hover labels, once."""
        if name not in self._escaped:
            self._escaped[name] = np.array([_esc(v) for v in getattr(self, name).tolist()] + [""], dtype=object)[:-1]
        return self._escaped[name]

    # ---- per view, kept for a few views (a rerun for a selection or another widget finds them here)

    CACHE_ENTRIES = 24

    def cached(self, key: Any, make) -> Any:
        """`make()`, kept under `key` among the last `CACHE_ENTRIES` results (least recently used goes first)."""
        with self._cache_lock:
            if key in self._cache:
                value = self._cache.pop(key)
                self._cache[key] = value
                return value
        value = make()
        with self._cache_lock:
            self._cache[key] = value
            while len(self._cache) > self.CACHE_ENTRIES:
                self._cache.pop(next(iter(self._cache)))
        return value

    def filter(self, state: FilterState) -> np.ndarray:
        """Positions (ascending) of the incidents that pass `state`'s filters, kept per filter state."""
        state = replace(state, group_by=DEFAULT_GROUP_BY)
        if state.is_empty():
            return self.cached(("filter", state), lambda: np.arange(self.n))
        return self.cached(("filter", state), lambda: np.flatnonzero(
            _filter_mask(self, np.arange(self.n), self.frame, state)))

    # ---- per rerun

    def positions(self, incidents: pd.DataFrame) -> np.ndarray | None:
        """Row numbers of `incidents` (a subset of this table, same index) here; None if they are not rows of it."""
        if incidents is self.frame:
            return np.arange(self.n)
        if not self.index.is_unique:
            return None
        pos = self.index.get_indexer(incidents.index)
        if (pos < 0).any():
            return None
        if not np.array_equal(self.ids[pos], _str(incidents["id"]).to_numpy(dtype=object)):
            return None
        return pos.astype(np.int64)

    def in_view(self, ids: Sequence[str], pos: np.ndarray) -> list[str]:
        """The `ids` (in their order) that are incidents at `pos`."""
        if not len(ids):
            return []
        if self._id_index is None:
            self._id_index = pd.Index(self.ids)
        shown = np.zeros(self.n, dtype=bool)
        shown[pos] = True
        at = self._id_index.get_indexer_for(list(ids)) if self._id_index.is_unique else None
        if at is None:  # duplicate ids: test by value
            inside = set(self.ids[pos].tolist())
            return [i for i in ids if i in inside]
        return [i for i, a in zip(ids, at.tolist()) if a >= 0 and shown[a]]

    @property
    def doc_ids(self) -> list[str]:
        """The documents' ids (as text), in table order."""
        if self._doc_ids is None:
            docs = self.documents
            self._doc_ids = [str(d) for d in docs["doc"].tolist()] if docs is not None and len(docs) else []
        return self._doc_ids

    def keep_mask(self, highlight: Iterable[str] | None) -> np.ndarray | None:
        if highlight is None:
            return None
        if self._id_index is None:
            self._id_index = pd.Index(self.ids)
        at = self._id_index.get_indexer_for(list(highlight)) if self.n else np.zeros(0, np.int64)
        keep = np.zeros(self.n, dtype=bool)
        keep[at[at >= 0]] = True
        return keep


_PREPARED: dict[Any, Prepared] = {}
_PREPARED_MAX = 4
_PREPARED_LOCK = threading.Lock()


def prepared(incidents: pd.DataFrame, key: Any = None, labels: Mapping[str, str] | None = None,
             names: Mapping[str, str] | None = None, documents: pd.DataFrame | None = None) -> Prepared:
    """The `Prepared` columns of an incident table, kept per `key` (say corpus signature and corrections version:
    whatever changes when the table does) so that reruns reuse them. Without a key nothing is kept."""
    if key is None:
        return Prepared(incidents, labels, names, documents)
    key = (key, len(incidents))
    with _PREPARED_LOCK:
        hit = _PREPARED.pop(key, None)
        if hit is not None:
            _PREPARED[key] = hit  # most recently used last
            return hit
    made = Prepared(incidents, labels, names, documents)
    with _PREPARED_LOCK:
        _PREPARED[key] = made
        while len(_PREPARED) > _PREPARED_MAX:
            _PREPARED.pop(next(iter(_PREPARED)))
    return made


def _view(incidents: pd.DataFrame, prep: Prepared | None, labels: Mapping[str, str] | None,
          names: Mapping[str, str] | None = None, positions: np.ndarray | None = None) -> tuple[Prepared, np.ndarray]:
    """(prepared table, positions of `incidents` in it): the given one when `incidents` are its rows.

    `positions` (with `prep`) says which rows of `prep` are shown, as `filter_positions` gives them; `incidents`
    is then not looked at."""
    if prep is not None and positions is not None:
        return prep, np.asarray(positions, dtype=np.int64)
    if prep is not None:
        pos = prep.positions(incidents)
        if pos is not None:
            return prep, pos
    prep = Prepared(incidents, labels, names)
    return prep, np.arange(prep.n)


def filter_positions(incidents: pd.DataFrame, state: FilterState, prepared: Prepared | None = None,
                     labels: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None,
                     documents: pd.DataFrame | None = None) -> tuple[Prepared, np.ndarray]:
    """`apply_filters` without slicing the table: (prepared table, positions of the incidents in view).

    `prepared` is used when it holds `incidents` (the same frame object, or the same rows); else a throwaway
    one is made. Take the rows shown with `prep.frame.iloc[pos]` - only for as many as are shown."""
    if prepared is None or (prepared.frame is not incidents and prepared.positions(incidents) is None):
        prepared = Prepared(incidents, labels, names, documents)
    elif prepared.frame is not incidents:  # the same rows in another frame object: filter that one
        pos = prepared.positions(incidents)
        return prepared, pos[_filter_mask(prepared, pos, incidents, state)]
    return prepared, prepared.filter(state)


def _digest(*arrays: np.ndarray) -> str:
    """A short fingerprint of integer arrays (which rows a view holds), to key cached groupings by."""
    h = hashlib.blake2b(digest_size=12)
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _first_codes(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Group number of each key, numbered in order of first appearance, and the number of groups."""
    codes, uniques = pd.factorize(key)
    return codes.astype(np.int64), len(uniques)


def _top_text(groups: np.ndarray, values: np.ndarray, names: np.ndarray, n_groups: int, n: int = 3) -> np.ndarray:
    """Per group: 'A (12), B (3), C (1)' - the n most frequent values (integer codes into `names`, already
    escaped for hover labels)."""
    out = np.full(n_groups, "", dtype=object)
    if not len(groups):
        return out
    width = int(values.max()) + 1
    pairs, counts = np.unique(groups * width + values, return_counts=True)
    group, value = pairs // width, pairs % width
    order = np.lexsort((value, -counts, group))  # by group, most frequent first
    group, value, counts = group[order], value[order], counts[order]
    starts = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    rank = np.arange(len(group)) - np.repeat(starts, np.diff(np.r_[starts, len(group)]))
    top = rank < n
    group, value, counts = group[top], value[top], counts[top]
    items = [f"{name} ({c:,})" for name, c in zip(names[value].tolist(), counts.tolist())]
    bounds = np.r_[0, np.flatnonzero(np.diff(group)) + 1, len(group)].tolist()
    out[group[bounds[:-1]]] = [", ".join(items[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    return out


def _casualties_texts(killed: np.ndarray, injured: np.ndarray) -> list[str]:
    out = []
    for k, i in zip(killed.tolist(), injured.tolist()):
        parts = ([f"{int(k)} killed"] if not math.isnan(k) else []) + ([f"{int(i)} injured"] if not math.isnan(i) else [])
        out.append(", ".join(parts) or "no figures")
    return out


def _single_text(h: np.ndarray) -> list[str]:
    """The hover of an ungrouped incident as one HTML string (for a grouped mark holding one incident)."""
    return [f"<b>{r[1]}</b><br>Date: “{r[2]}” ({r[3]}: {r[4]})<br>Place: {r[5]}<br>Casualties: {r[6]}<br>Sources:<br>{r[7]}"
            for r in h.tolist()]


def _groups(prep: Prepared, pos: np.ndarray, codes: np.ndarray, n_groups: int, keep: np.ndarray | None,
            cache: Any = None) -> dict[str, Any]:
    """Per group of the incidents at `pos` (`codes`: group numbers in order of first appearance): first member,
    ids (space-separated), count, summed casualties, mean position, whether any is kept, and the hover text.

    A group of one incident gets the same hover text as an ungrouped mark; a larger one a summary (count, types,
    dates, most frequent places, casualties, an example). With `cache` (a hashable naming the grouping, say the
    chart and the digest of `pos`) everything but the highlight is kept in `prep` for the next rerun."""
    base = prep.cached(("groups", cache), lambda: _group_base(prep, pos, codes, n_groups)) if cache is not None \
        else _group_base(prep, pos, codes, n_groups)
    selected = (np.bincount(codes, weights=keep[pos], minlength=n_groups) > 0) if keep is not None \
        else np.zeros(n_groups, dtype=bool)
    return {**base, "selected": selected}


def _group_base(prep: Prepared, pos: np.ndarray, codes: np.ndarray, n_groups: int) -> dict[str, Any]:
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    first = pos[order[np.r_[0, bounds]]] if len(codes) else pos[:0]
    count = np.bincount(codes, minlength=n_groups)
    out: dict[str, Any] = {"first": first, "count": count}
    if len(codes):
        ids = prep.ids[pos[order]].tolist()
        edges = np.r_[0, bounds, len(ids)].tolist()
        out["ids"] = [ID_SEPARATOR.join(ids[a:b]) for a, b in zip(edges[:-1], edges[1:])]
    else:
        out["ids"] = []
    for col in ("killed", "injured"):
        values = getattr(prep, col)[pos]
        known = ~np.isnan(values)
        total = np.bincount(codes, weights=np.where(known, values, 0.0), minlength=n_groups)
        out[col] = np.where(np.bincount(codes, weights=known, minlength=n_groups) > 0, total, np.nan)
    for col in ("lat", "lon"):
        out[col] = np.bincount(codes, weights=np.nan_to_num(getattr(prep, col)[pos]), minlength=n_groups) / np.maximum(count, 1)
    summary = np.full(n_groups, "", dtype=object)
    single = np.flatnonzero(count == 1)
    if len(single):
        summary[single] = _single_text(prep.hover(first[single]))
    many = np.flatnonzero(count > 1)
    if len(many):
        member = count[codes] > 1
        g, p = codes[member], pos[member]
        lo = np.full(n_groups, np.iinfo(np.int64).max)
        hi = np.full(n_groups, _NO_DAY)
        dated = prep.start_day[p] != _NO_DAY
        np.minimum.at(lo, g[dated], prep.start_day[p][dated])
        np.maximum.at(hi, g[dated], prep.stop_day[p][dated])
        kinds = _top_text(g, prep.kind_label_code[p], prep.escaped("kind_label_values"), n_groups)[many].tolist()
        places = _top_text(g, prep.place_code[p], prep.escaped("place_values"), n_groups)[many].tolist()
        casualties = _casualties_texts(out["killed"][many], out["injured"][many])
        undated = (hi[many] == _NO_DAY).tolist()
        a = _iso(np.where(hi[many] == _NO_DAY, 0, lo[many])).tolist()
        b = _iso(np.where(hi[many] == _NO_DAY, 0, hi[many])).tolist()
        when = ["undated" if u else (x if x == y else f"{x} – {y}") for u, x, y in zip(undated, a, b)]
        examples = [_esc(t) for t in prep.titles()[first[many]].tolist()]
        summary[many] = [f"<b>{c:,} incidents</b><br>Types: {k}<br>Dates: {w}<br>Places: {pl}"
                         f"<br>Casualties: {cs}<br>e.g. {e}<br><i>select to pick all of them</i>"
                         for c, k, w, pl, cs, e in zip(count[many].tolist(), kinds, when, places, casualties, examples)]
    out["summary"] = summary
    return out


def _customdata(ids: np.ndarray, summary: np.ndarray) -> np.ndarray:
    """[ids, hover text] per grouped mark, as a 2-d object array (plotly takes numpy arrays without walking them)."""
    out = np.empty((len(ids), 2), dtype=object)
    out[:, 0], out[:, 1] = ids, summary
    return out


# timeline bins, finest first: (name, numpy datetime unit, length in days)
_TIME_BINS = (("day", "D", 1), ("week", "W", 7), ("month", "M", 31), ("quarter", "Q", 92), ("year", "Y", 366))


def _bin_start(days: np.ndarray, unit: str) -> np.ndarray:
    """datetime64[D] -> the first day of its week (Monday), month, quarter or year."""
    if unit == "D":
        return days
    if unit == "W":  # 1970-01-01 was a Thursday
        return days - ((days.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
    if unit == "Q":
        months = days.astype("datetime64[M]").astype(np.int64)
        return (months - months % 3).astype("datetime64[M]").astype("datetime64[D]")
    return days.astype(f"datetime64[{unit}]").astype("datetime64[D]")


def _timeline_marks(prep: Prepared, pos: np.ndarray, rows: np.ndarray, limit: int):
    """Assign each dated incident (at `pos`) to a mark: first/last day and whether it is a bar (a span).

    Incidents shorter than the bin become points at their bin's middle; longer ones stay bars, grouped with the
    incidents of exactly the same span. The finest bin whose marks fit in `limit` is used. Returns
    (bin name, x0, x1, point, group codes, number of groups)."""
    start, stop = prep.start_day[pos], prep.stop_day[pos]
    length = stop - start + 1
    is_day = prep.is_day[pos]
    kind = prep.type_code[pos].astype(np.int64)
    day0 = int(start.min()) - 400
    width = int(max(int(stop.max()) - day0 + 400, 1))
    for name, unit, days in _TIME_BINS:
        point = is_day | (length <= days) if name != "day" else is_day
        mid = prep.bin_start(unit)[pos] + days // 2
        x0 = np.where(point, mid, start)
        x1 = np.where(point, mid, stop)
        # one int64 per (row, type, span or point, first day, last day)
        key = ((rows * 64 + kind) * 2 + point) * width * width + (x0 - day0) * width + (x1 - day0)
        codes, n_groups = _first_codes(key)
        if n_groups <= limit or name == "year":
            break
    return name, x0, x1, point, codes, n_groups


def timeline_figure(incidents: pd.DataFrame, colors: Mapping[str, str], group_by: str = DEFAULT_GROUP_BY,
                    highlight: Iterable[str] | None = None, labels: Mapping[str, str] | None = None,
                    names: Mapping[str, str] | None = None, height: int | None = None,
                    limit: int = MARK_LIMIT, prepared: Prepared | None = None,
                    positions: np.ndarray | None = None) -> go.Figure:
    """Incidents on a time axis: a bar from start to end+1 day for month/season/year dates, a marker for a day.

    Rows are groups (type, continent, country or admin area); colour is the incident type. With `highlight`
    (incident ids) the others are faded. Undated incidents cannot be placed and are left out. Above `limit`
    dated incidents, nearby ones are grouped into one mark each (see `MARK_LIMIT`). `prepared` (see `prepared`)
    holds the table `incidents` were filtered from, with its precomputed columns; `positions` (from
    `filter_positions`) which of its rows are shown, in place of `incidents`. The grouping of a view is kept in
    `prepared`, so a rerun that only changes the highlight reuses it.
    """
    prep, pos = _view(incidents, prepared, labels, names, positions)
    pos = pos[prep.dated[pos]]
    row_codes, row_names = prep.rows(group_by)
    rows = row_codes[pos]
    present = row_names[np.unique(rows)] if len(rows) else np.array([], dtype=object)
    rows_order = sorted(present.tolist(), key=lambda r: (r == "Unknown", str(r)))
    keep = prep.keep_mask(highlight)
    fig = go.Figure()
    grouped = len(pos) > limit
    kinds = prep.type_code[pos]
    traces = []
    if grouped:
        view_key = ("timeline", group_by, limit, _digest(pos)) if prepared is prep else None
        marks = prep.cached(("marks", view_key), lambda: _timeline_marks(prep, pos, rows, limit)) \
            if view_key is not None else _timeline_marks(prep, pos, rows, limit)
        bin_name, x0, x1, point, codes, n_groups = marks
        g = _groups(prep, pos, codes, n_groups, keep, cache=view_key)
        firsts = np.r_[0, np.flatnonzero(np.diff(codes[np.argsort(codes, kind="stable")])) + 1]
        at = np.argsort(codes, kind="stable")[firsts]  # index (into pos) of each group's first member
        g_kind, g_row, g_x0, g_x1, g_bar = kinds[at], row_names[rows[at]], x0[at], x1[at], ~point[at]
        ids = np.asarray(g["ids"], dtype=object)
        for k in sorted(set(g_kind.tolist()), key=lambda c: prep.types[c]):
            kind = str(prep.types[k])
            label, color = prep.type_label.get(kind) or kind, colors.get(kind, "#555555")
            mine = g_kind == k
            spans, points = np.flatnonzero(mine & g_bar), np.flatnonzero(mine & ~g_bar)
            if len(spans):
                traces.append(go.Bar(
                    name=label, legendgroup=kind, orientation="h", y=g_row[spans], base=_iso(g_x0[spans]),
                    x=((g_x1[spans] - g_x0[spans] + 1) * _DAY_MS).astype(float),
                    marker=dict(color=color, line=dict(color=color, width=1)), opacity=0.55,
                    customdata=_customdata(ids[spans], g["summary"][spans]), hovertemplate=_GROUP_HOVER,
                    selectedpoints=_picked(g["selected"][spans], keep), width=0.5,
                    selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
                ))
            if len(points):
                size = np.minimum(20.0, 7.0 + 1.5 * np.sqrt(g["count"][points].astype(float)))
                traces.append(go.Scatter(
                    name=label, legendgroup=kind, showlegend=not len(spans), mode="markers", y=g_row[points],
                    x=_iso(g_x0[points]), marker=dict(color=color, size=size, symbol="diamond",
                                                      line=dict(color="white", width=1)),
                    customdata=_customdata(ids[points], g["summary"][points]), hovertemplate=_GROUP_HOVER,
                    selectedpoints=_picked(g["selected"][points], keep),
                    selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
                ))
    else:
        for k in sorted(set(kinds.tolist()), key=lambda c: prep.types[c]):
            kind = str(prep.types[k])
            part = pos[kinds == k]
            color = colors.get(kind, "#555555")
            label = prep.type_label.get(kind) or kind
            day = prep.is_day[part]
            spans, days = part[~day], part[day]
            if len(spans):
                traces.append(go.Bar(
                    name=label, legendgroup=kind, orientation="h", y=row_names[row_codes[spans]],
                    base=prep.start_str[spans],
                    x=((prep.stop_day[spans] - prep.start_day[spans] + 1) * _DAY_MS).astype(float),
                    marker=dict(color=color, line=dict(color=color, width=1)),
                    opacity=0.55, customdata=prep.hover(spans), hovertemplate=_HOVER,
                    selectedpoints=_picked(keep[spans] if keep is not None else None, keep), width=0.5,
                    selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
                ))
            if len(days):
                traces.append(go.Scatter(
                    name=label, legendgroup=kind, showlegend=not len(spans), mode="markers",
                    y=row_names[row_codes[days]], x=prep.start_str[days],
                    marker=dict(color=color, size=11, symbol="diamond", line=dict(color="white", width=1)),
                    customdata=prep.hover(days), hovertemplate=_HOVER,
                    selectedpoints=_picked(keep[days] if keep is not None else None, keep),
                    selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
                ))
    fig.add_traces(traces)
    starts = prep.start_day[pos]
    ok = starts != _NO_DAY
    focus = _focus_days(np.sort(starts[ok]), prep.stop_day[pos][ok])
    fig.update_layout(
        barmode="overlay", dragmode="select", clickmode="event+select", hovermode="closest",
        margin=dict(l=10, r=10, t=30, b=10), height=height or max(300, 120 + 34 * len(rows_order)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, title_text=""),
        showlegend=group_by != "type",  # rows already name the types; colours need a key for other groupings
        uirevision=group_by,
    )
    if grouped:
        fig.update_layout(meta={"grouped_by": bin_name, "incidents": int(len(pos))})
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(rows_order)), title_text="", automargin=True)
    xaxis: dict[str, Any] = dict(type="date", rangeslider=dict(visible=True, thickness=0.08), title_text="")
    if focus:
        xaxis["range"] = list(focus)
        full_lo, full_hi = _iso([starts[ok].min() - 30, prep.stop_day[pos][ok].max() + 30])
        xaxis["rangeslider"]["range"] = [full_lo, full_hi]
        xaxis["rangeslider"]["autorange"] = False
    fig.update_xaxes(**xaxis)
    if not len(pos):
        fig.add_annotation(text="No dated incidents to show", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig


def _picked(selected: np.ndarray | None, keep: np.ndarray | None) -> list[int] | None:
    """selectedpoints of a trace: the marks holding a highlighted incident (None: no highlight, nothing faded)."""
    if keep is None or selected is None:
        return None
    return np.flatnonzero(selected).tolist()


def marker_sizes(killed: pd.Series, injured: pd.Series, cap: float = 30.0) -> list[float]:
    """Diameter grows with the square root of casualties: 8 px for none or unknown, at most `cap` px (30)."""
    k = np.nan_to_num(_floats(killed), nan=0.0)
    i = np.nan_to_num(_floats(injured), nan=0.0)
    return np.minimum(cap, 8.0 + 1.6 * np.sqrt(np.maximum(0.0, k + 0.5 * i))).tolist()


def placed_mask(incidents: pd.DataFrame) -> pd.Series:
    """True where an incident has numeric coordinates (it can be drawn on the map)."""
    lat = pd.to_numeric(incidents["lat"], errors="coerce")
    lon = pd.to_numeric(incidents["lon"], errors="coerce")
    return (lat.notna() & lon.notna()).astype(bool)


def map_bounds(lats: Iterable[float], lons: Iterable[float], min_span: float = 16.0) -> tuple[list[float], list[float]] | None:
    """Lat and lon ranges that hold every point with a margin (at least `min_span` degrees each way)."""
    la = pd.to_numeric(pd.Series(list(lats), dtype=object), errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(pd.Series(list(lons), dtype=object), errors="coerce").to_numpy(dtype=float)
    return _bounds(la, lo, min_span)


def _bounds(la: np.ndarray, lo: np.ndarray, min_span: float = 16.0) -> tuple[list[float], list[float]] | None:
    ok = np.isfinite(la) & np.isfinite(lo)
    if not ok.any():
        return None
    la, lo = la[ok], lo[ok]
    lat_lo, lat_hi, lon_lo, lon_hi = float(la.min()), float(la.max()), float(lo.min()), float(lo.max())
    lat_span = max(min_span, (lat_hi - lat_lo) * 1.3)
    lon_span = max(min_span * 1.6, (lon_hi - lon_lo) * 1.3, lat_span * 1.6)
    lat_c, lon_c = (lat_lo + lat_hi) / 2, (lon_lo + lon_hi) / 2
    lat_span = max(lat_span, lon_span / 1.8)
    lat_range = [max(-85.0, lat_c - lat_span / 2), min(85.0, lat_c + lat_span / 2)]
    lon_range = [max(-180.0, lon_c - lon_span / 2), min(180.0, lon_c + lon_span / 2)]
    return lat_range, lon_range


# map grid cells in degrees, finest first (the finest whose marks fit in the limit is used)
_MAP_CELLS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)


def map_cell(placed: pd.DataFrame, limit: int = MARK_LIMIT) -> float:
    """The finest grid cell (degrees) at which the placed incidents make at most `limit` marks (type x cell)."""
    lat = pd.to_numeric(placed["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(placed["lon"], errors="coerce").to_numpy(dtype=float)
    kinds = pd.factorize(placed["type"])[0].astype(np.int64)
    for cell in _MAP_CELLS:
        key = ((np.floor(lat / cell).astype(np.int64) + 10_000) * 100_000 + (np.floor(lon / cell).astype(np.int64) + 10_000)) * 64 + kinds
        if len(np.unique(key)) <= limit:
            return cell
    return _MAP_CELLS[-1]


def map_figure(incidents: pd.DataFrame, colors: Mapping[str, str], highlight: Iterable[str] | None = None,
               labels: Mapping[str, str] | None = None, height: int = 420, resolution: int = 110,
               limit: int = MARK_LIMIT, prepared: Prepared | None = None,
               positions: np.ndarray | None = None) -> go.Figure:
    """Incidents at their coordinates, sized by casualties, coloured by type, over offline world outlines.

    Above `limit` placed incidents, incidents of one type in one grid cell (the finest cell that keeps the marks
    under the limit) become one mark at their mean position, sized by their summed casualties. `prepared` (see
    `prepared`) holds the table `incidents` were filtered from, with its precomputed columns; `positions` (from
    `filter_positions`) which of its rows are shown, in place of `incidents`."""
    prep, pos = _view(incidents, prepared, labels, positions=positions)
    pos = pos[prep.placed[pos]]
    keep = prep.keep_mask(highlight)
    grouped = len(pos) > limit
    kinds = prep.type_code[pos].astype(np.int64)
    n_types = max(len(prep.types), 1)
    traces = []
    common = dict(mode="markers", selected=dict(marker=dict(opacity=1.0)),
                  unselected=dict(marker=dict(opacity=FADED_OPACITY)))
    if grouped:
        view_key = ("map", limit, _digest(pos)) if prepared is prep else None

        def cell_codes():
            for cell in _MAP_CELLS:
                key = prep.cells(cell)[pos] * n_types + kinds
                if np.count_nonzero(np.bincount(key)) <= limit:
                    break
            return (cell, *_first_codes(key))

        cell, codes, n_groups = prep.cached(("cells", view_key), cell_codes) if view_key is not None else cell_codes()
        g = _groups(prep, pos, codes, n_groups, keep, cache=view_key)
        g_kind = prep.type_code[g["first"]]
        ids = np.asarray(g["ids"], dtype=object)
        sizes = np.asarray(marker_sizes(g["killed"], g["injured"], cap=40.0))
        for k in sorted(set(g_kind.tolist()), key=lambda c: prep.types[c]):
            kind = str(prep.types[k])
            mine = np.flatnonzero(g_kind == k)
            traces.append(go.Scattergeo(
                name=prep.type_label.get(kind) or kind, legendgroup=kind,
                lat=g["lat"][mine].round(4), lon=g["lon"][mine].round(4),
                marker=dict(color=colors.get(kind, "#555555"), size=sizes[mine], opacity=0.85,
                            line=dict(color="white", width=1), sizemode="diameter"),
                customdata=_customdata(ids[mine], g["summary"][mine]), hovertemplate=_GROUP_HOVER,
                selectedpoints=_picked(g["selected"][mine], keep), **common))
    else:
        for k in sorted(set(kinds.tolist()), key=lambda c: prep.types[c]):
            kind = str(prep.types[k])
            part = pos[kinds == k]
            traces.append(go.Scattergeo(
                name=prep.type_label.get(kind) or kind, legendgroup=kind, lat=prep.lat[part], lon=prep.lon[part],
                marker=dict(color=colors.get(kind, "#555555"),
                            size=np.asarray(marker_sizes(prep.killed[part], prep.injured[part])),
                            opacity=0.85, line=dict(color="white", width=1), sizemode="diameter"),
                customdata=prep.hover(part), hovertemplate=_HOVER,
                selectedpoints=_picked(keep[part] if keep is not None else None, keep), **common))
    fig = go.Figure()
    fig.add_traces(traces)
    geo: dict[str, Any] = dict(
        projection_type="natural earth", resolution=resolution, showcountries=True, countrycolor="#8c8c8c",
        showcoastlines=True, coastlinecolor="#6b6b6b", showland=True, landcolor="#f2efe9", showocean=True,
        oceancolor="#e3eef7", showlakes=False, showframe=False,
    )
    bounds = _bounds(prep.lat[pos], prep.lon[pos])
    if bounds:
        geo["lataxis_range"], geo["lonaxis_range"] = bounds
    fig.update_geos(**geo)
    fig.update_layout(margin=dict(l=0, r=0, t=30, b=0), height=height, dragmode="select", clickmode="event+select",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0), showlegend=False,
                      uirevision="map")
    if grouped:
        fig.update_layout(meta={"grouped_by": f"{cell:g} degree cells", "incidents": int(len(pos))})
    return fig


def selected_ids(selection: Any) -> list[str]:
    """Incident ids picked in a plotly chart (Streamlit's selection state or a plain dict), in order, once each.

    A grouped mark (see `MARK_LIMIT`) stands for all the incidents in it, so picking it picks all of them."""
    if not selection:
        return []
    if hasattr(selection, "get") and "selection" in selection:
        selection = selection["selection"]
    points = selection.get("points", []) if hasattr(selection, "get") else []
    out: list[str] = []
    seen: set[str] = set()
    for point in points or []:
        data = point.get("customdata") if hasattr(point, "get") else None
        if isinstance(data, (list, tuple)) and data:
            data = data[0]
        if data is None:
            continue
        for incident_id in str(data).split(ID_SEPARATOR):  # a grouped mark holds all its incidents' ids
            if incident_id and incident_id not in seen:
                seen.add(incident_id)
                out.append(incident_id)
    return out


# --------------------------------------------------------------------------------------------------------------
# Evidence in context
# --------------------------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$&:^=\"'])")


def escape_markdown(text: str) -> str:
    """Article text as literal Markdown: every character Markdown or HTML could act on is backslash-escaped."""
    text = _MD_SPECIAL.sub(r"\\\1", str(text))
    # line starts that could open a block (lists "1)", quotes, headings) are covered above; collapse blank runs
    return re.sub(r"\n{3,}", "\n\n", text)


@dataclass(frozen=True)
class Context:
    before: str
    sentence: str
    after: str


def context_window(text: str, start: int, end: int, sentences: int = 2) -> Context:
    """The sentence at text[start:end] with up to `sentences` sentences either side (within its paragraph run)."""
    from events.sentences import split_sentences

    start = max(0, min(int(start), len(text)))
    end = max(start, min(int(end), len(text)))
    lo_window = max(0, start - 1500)
    hi_window = min(len(text), end + 1500)
    before_text = text[lo_window:start]
    after_text = text[end:hi_window]
    before_sents = split_sentences(before_text)
    after_sents = split_sentences(after_text)
    if lo_window > 0 and before_sents:  # the first piece is likely cut mid-sentence
        before_sents = before_sents[1:]
    if hi_window < len(text) and after_sents:
        after_sents = after_sents[:-1]
    lead = before_sents[-sentences:] if sentences else []
    tail = after_sents[:sentences] if sentences else []
    before = before_text[lead[0].start:].strip() if lead else ""
    after = after_text[: tail[-1].end].strip() if tail else ""
    return Context(before=before, sentence=text[start:end].strip(), after=after)


def context_markdown(ctx: Context) -> str:
    """Safe Markdown for a context window: the evidence sentence highlighted, everything escaped."""
    parts = []
    if ctx.before:
        parts.append(escape_markdown(ctx.before) + " ")
    parts.append(":orange-background[**" + escape_markdown(ctx.sentence) + "**]")
    if ctx.after:
        parts.append(" " + escape_markdown(ctx.after))
    return "".join(parts).replace("\n", "  \n")


def table_view(incidents: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The columns of the incident table shown to analysts, in reading order."""
    names = names or {}
    out = pd.DataFrame({
        "id": incidents["id"].astype(str),
        "Incident": incidents["title"],
        "Date": incidents["date_text"].where(incidents["date_text"].astype(bool), incidents["start"]),
        "Start": pd.to_datetime(incidents["start"], errors="coerce"),
        "Precision": incidents["precision"],
        "Place": incidents["place"],
        "Country": incidents["country"].fillna("").map(lambda c: names.get(c, c)),
        "Killed": incidents["killed"],
        "Injured": incidents["injured"],
        "Sources": incidents["n_sources"],
        "Mentions": incidents["n_mentions"],
    })
    return out.reset_index(drop=True)

