"""What the dashboard shows, as pure functions: filters, the query string, plotly figures, evidence in context.

Nothing here imports Streamlit, so every function is tested without a browser (tests/test_views.py);
`dashboard.py` only lays out widgets and wires them to these functions.
"""

from __future__ import annotations

import html
import math
import re
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


def _distinct(series: pd.Series) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in series.dropna() if str(v).strip()}))


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
    starts = [s for s in incidents["start"].dropna() if s]
    ends = [e for e in incidents["end"].dropna() if e]
    months: tuple[str, ...] = ()
    if starts:
        first, last = min(starts)[:7], max(ends or starts)[:7]
        span = month_span(first, last)
        # a century-precision date would make the slider unusable: keep only months that hold an incident then
        if len(span) > 600:
            span = sorted({s[:7] for s in starts} | {e[:7] for e in ends})
        months = tuple(span)
    killed = pd.to_numeric(incidents["killed"], errors="coerce").dropna()
    return FilterOptions(
        sources=sources, months=months, continents=_distinct(incidents["continent"]),
        countries=_distinct(incidents["country"]), admin1s=_distinct(incidents["admin1"]),
        types=_distinct(incidents["type"]), max_killed=int(killed.max()) if len(killed) else 0,
    )


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


def apply_filters(incidents: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The incidents that pass every filter (an incident's date span need only overlap the month range)."""
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


def count_label(shown: int, total: int) -> str:
    noun = "incident" if total == 1 else "incidents"
    return f"Showing {shown} of {total} {noun}"


# --------------------------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------------------------

def source_labels(documents: pd.DataFrame) -> dict[str, str]:
    """doc id -> "Title — Publisher (2015-11-17)" for pickers and detail headings."""
    out: dict[str, str] = {}
    for row in documents.itertuples(index=False):
        title = str(getattr(row, "title", "") or "").strip() or str(row.doc)
        publisher = str(getattr(row, "publisher", "") or "").strip()
        published = getattr(row, "published", None)
        label = title if len(title) <= 70 else title[:67].rstrip() + "…"
        if publisher:
            label += f" — {publisher}"
        if published is not None and not (isinstance(published, float) and math.isnan(published)) and str(published) not in ("", "None", "NaT"):
            label += f" ({str(published)[:10]})"
        out[str(row.doc)] = label
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
    frame = pd.DataFrame({"s": _str(sources).str.split(";")}, index=range(len(sources)))
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
    def dates(values: Iterable[str]) -> np.ndarray:
        text = _str(values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object))
        return pd.to_datetime(text[(text != "").to_numpy()], errors="coerce").dropna().to_numpy()

    points = np.sort(dates(starts))
    if not len(points):
        return None
    stops = dates(ends)
    last = pd.Timestamp(max(stops.max(), points[-1]) if len(stops) else points[-1])
    k = max(1, math.ceil(share * len(points)))
    widths = points[k - 1:] - points[: len(points) - k + 1]
    i = int(np.argmin(widths))
    lo, hi = pd.Timestamp(points[i]), pd.Timestamp(points[i + k - 1])
    # the window's incidents may end later than they start (a month-precision bar)
    hi = max(hi, min(last, hi + pd.Timedelta(days=31)))
    width = max(hi - lo, pd.Timedelta(days=min_days))
    pad = width * 0.15
    centre = lo + (hi - lo) / 2
    lo, hi = centre - width / 2 - pad, centre + width / 2 + pad
    return lo.date().isoformat(), hi.date().isoformat()


def _group_table(frame: pd.DataFrame, keys: list[str], labels: Mapping[str, str] | None,
                 keep: set[str] | None, codes: np.ndarray | None = None) -> pd.DataFrame:
    """One row per group of incidents (in order of first appearance): ids (space-separated), count, summed
    casualties, mean position, whether any is in `keep`, and the hover text.

    A group of one incident gets the same hover text as an ungrouped mark; a larger one a summary (count, types,
    dates, most frequent places, casualties, an example). `codes` (group number of each row, numbered in order
    of first appearance) may be given when the caller already has them."""
    frame = frame.reset_index(drop=True)
    if codes is None:
        codes = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    firsts = order[np.r_[0, bounds]] if len(codes) else order
    ids = frame["id"].astype(str).to_numpy(dtype=object)[order]
    count = np.bincount(codes, minlength=n_groups)
    out = frame.iloc[firsts][keys].reset_index(drop=True)
    out["ids"] = [ID_SEPARATOR.join(chunk) for chunk in np.split(ids, bounds)] if len(codes) else []
    out["count"] = count
    for col in ("killed", "injured"):
        values = _floats(frame[col])
        known = ~np.isnan(values)
        total = np.bincount(codes, weights=np.where(known, values, 0.0), minlength=n_groups)
        out[col] = np.where(np.bincount(codes, weights=known, minlength=n_groups) > 0, total, np.nan)
    if "lat" in frame:
        for col in ("lat", "lon"):
            out[col] = np.bincount(codes, weights=_floats(frame[col]), minlength=n_groups) / np.maximum(count, 1)
    hit = frame["id"].astype(str).isin(keep).to_numpy(dtype=float) if keep is not None else np.zeros(len(codes))
    out["selected"] = np.bincount(codes, weights=hit, minlength=n_groups) > 0
    summary = pd.Series("", index=out.index, dtype=object)
    single = np.flatnonzero(count == 1)
    if len(single):
        h = _hover_columns(frame.iloc[firsts[single]], labels)
        summary.iloc[single] = ("<b>" + h["title"] + "</b><br>Date: “" + h["date_text"] + "” (" + h["precision"] + ": "
                                + h["range"] + ")<br>Place: " + h["place"] + "<br>Casualties: " + h["casualties"]
                                + "<br>Sources:<br>" + h["sources"]).to_numpy(dtype=object)
    many = np.flatnonzero(count > 1)
    if len(many):
        member = np.isin(codes, many)
        part = frame[member]
        g = codes[member]
        starts = _str(part["start"]).where(lambda s: s != "")
        ends = _str(part["end"]).where(lambda s: s != "").fillna(starts)
        lo = starts.groupby(g).min().reindex(many)
        hi = ends.groupby(g).max().reindex(many)
        when = lo.fillna("undated").astype(object).where(lo == hi, lo.fillna("") + " – " + hi.fillna(""))
        kinds = _top_values(g, _str(part["type_label"]).where(lambda s: s != "", _str(part["type"])), 3).reindex(many)
        places = _top_values(g, _str(part["place"], "(no place)"), 3).reindex(many)
        example = _esc_series(_str(frame["title"].iloc[firsts[many]])).to_numpy(dtype=object)
        casualties = _casualties_series(out["killed"].iloc[many], out["injured"].iloc[many]).to_numpy(dtype=object)
        text = ("<b>" + pd.Series(count[many]).map("{:,} incidents".format).to_numpy(dtype=object) + "</b><br>Types: "
                + kinds.fillna("").to_numpy(dtype=object) + "<br>Dates: "
                + _esc_series(when.fillna("undated").astype(object)).to_numpy(dtype=object)
                + "<br>Places: " + places.fillna("").to_numpy(dtype=object) + "<br>Casualties: " + casualties
                + "<br>e.g. " + example + "<br><i>select to pick all of them</i>")
        summary.iloc[many] = text
    out["summary"] = summary
    return out


def _top_values(groups: np.ndarray, values: pd.Series, n: int) -> pd.Series:
    """Per group: 'A (12), B (3), C (1)' - the n most frequent values, escaped."""
    codes, uniques = pd.factorize(values.to_numpy())
    pairs, counts = np.unique(groups.astype(np.int64) * (len(uniques) + 1) + codes, return_counts=True)
    group, value = pairs // (len(uniques) + 1), pairs % (len(uniques) + 1)
    order = np.lexsort((-counts, group))  # by group, most frequent first
    group, value, counts = group[order], value[order], counts[order]
    starts = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    rank = np.arange(len(group)) - np.repeat(starts, np.diff(np.r_[starts, len(group)]))
    top = rank < n
    names = _esc_series(pd.Series(np.asarray(uniques, dtype=object)[value[top]], dtype="string"))
    text = names + " (" + pd.Series(counts[top]).map("{:,}".format).astype("string") + ")"
    return text.groupby(group[top]).agg(", ".join)


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


def _timeline_groups(dated: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, str, np.ndarray]:
    """Assign each dated incident to a mark: `_x0`/`_x1` (ISO dates) and `_bar` (a span or a point).

    Incidents shorter than the bin become points at their bin's middle; longer ones stay bars, grouped with the
    incidents of exactly the same span. The finest bin whose marks fit in `limit` is used; also returns it and
    each incident's mark number."""
    start = pd.to_datetime(dated["start"], errors="coerce").to_numpy().astype("datetime64[D]")
    stop = pd.to_datetime(dated["_end"], errors="coerce").to_numpy().astype("datetime64[D]")
    stop = np.where(np.isnat(stop), start, stop)
    length = (stop - start).astype(np.int64) + 1
    is_day = (dated["precision"].eq("day") | (dated["start"] == dated["_end"])).to_numpy(dtype=bool)
    row_code = pd.factorize(dated["_row"])[0].astype(np.int64)
    kind_code = pd.factorize(dated["type"])[0].astype(np.int64)
    day0 = start.min().astype(np.int64) - 400 if len(start) else 0
    width = int(max(stop.max().astype(np.int64) - day0 + 400, 1)) if len(start) else 1
    for name, unit, days in _TIME_BINS:
        point = is_day | (length <= days) if name != "day" else is_day
        mid = _bin_start(start, unit) + np.timedelta64(days // 2, "D")
        x0 = np.where(point, mid, start)
        x1 = np.where(point, mid, stop)
        # one int64 per (row, type, span or point, first day, last day)
        key = ((row_code * 64 + kind_code) * 2 + point) * width * width \
            + (x0.astype(np.int64) - day0) * width + (x1.astype(np.int64) - day0)
        codes, uniques = pd.factorize(key)
        if len(uniques) <= limit or name == "year":
            break
    out = dated.assign(_x0=np.datetime_as_string(x0, unit="D"), _x1=np.datetime_as_string(x1, unit="D"), _bar=~point)
    return out, name, codes


def timeline_figure(incidents: pd.DataFrame, colors: Mapping[str, str], group_by: str = DEFAULT_GROUP_BY,
                    highlight: Iterable[str] | None = None, labels: Mapping[str, str] | None = None,
                    names: Mapping[str, str] | None = None, height: int | None = None,
                    limit: int = MARK_LIMIT) -> go.Figure:
    """Incidents on a time axis: a bar from start to end+1 day for month/season/year dates, a marker for a day.

    Rows are groups (type, continent, country or admin area); colour is the incident type. With `highlight`
    (incident ids) the others are faded. Undated incidents cannot be placed and are left out. Above `limit`
    dated incidents, nearby ones are grouped into one mark each (see `MARK_LIMIT`).
    """
    has_start = incidents["start"].notna() & (incidents["start"].astype(str) != "")
    dated = incidents[has_start.to_numpy()].copy()
    dated["_row"] = group_values(dated, group_by, names)
    has_end = dated["end"].notna() & (dated["end"].astype(str) != "")
    dated["_end"] = dated["end"].where(has_end, dated["start"])
    keep = set(highlight) if highlight is not None else None
    rows_order = sorted(dated["_row"].unique(), key=lambda r: (r == "Unknown", str(r)))
    fig = go.Figure()
    grouped = len(dated) > limit
    if grouped:
        dated, bin_name, codes = _timeline_groups(dated, limit)
    if grouped:
        groups = _group_table(dated, ["type", "_bar", "_row", "_x0", "_x1"], labels, keep, codes=codes)
        type_labels = dict(zip(dated["type"], dated["type_label"]))
        for kind in sorted(dated["type"].unique()):
            _grouped_timeline_traces(fig, groups[(groups["type"] == kind).to_numpy()], kind,
                                     str(type_labels.get(kind) or kind), colors.get(kind, "#555555"), keep)
    for kind in sorted(dated["type"].unique()) if not grouped else ():
        part = dated[(dated["type"] == kind).to_numpy()]
        color = colors.get(kind, "#555555")
        label = str(part["type_label"].iloc[0] or kind)
        is_day = part["precision"].eq("day") | (part["start"] == part["_end"])
        spans, days = part[~is_day], part[is_day]
        if len(spans):
            base = pd.to_datetime(spans["start"])
            stop = pd.to_datetime(spans["_end"]) + pd.Timedelta(days=1)
            fig.add_trace(go.Bar(
                name=label, legendgroup=kind, orientation="h", y=spans["_row"].tolist(),
                base=base.dt.strftime("%Y-%m-%d").tolist(),
                x=((stop - base).dt.total_seconds() * 1000).tolist(),
                marker=dict(color=color, line=dict(color=color, width=1)),
                opacity=0.55, customdata=_hover_rows(spans, labels), hovertemplate=_HOVER,
                selectedpoints=_selected_points(spans, keep), width=0.5,
                selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
            ))
        if len(days):
            fig.add_trace(go.Scatter(
                name=label, legendgroup=kind, showlegend=not len(spans), mode="markers", y=days["_row"].tolist(),
                x=days["start"].tolist(), marker=dict(color=color, size=11, symbol="diamond",
                                                      line=dict(color="white", width=1)),
                customdata=_hover_rows(days, labels), hovertemplate=_HOVER,
                selectedpoints=_selected_points(days, keep),
                selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
            ))
    focus = focus_range(dated["start"], dated["_end"])
    fig.update_layout(
        barmode="overlay", dragmode="select", clickmode="event+select", hovermode="closest",
        margin=dict(l=10, r=10, t=30, b=10), height=height or max(300, 120 + 34 * len(rows_order)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, title_text=""),
        showlegend=group_by != "type",  # rows already name the types; colours need a key for other groupings
        uirevision=group_by,
    )
    if grouped:
        fig.update_layout(meta={"grouped_by": bin_name, "incidents": int(len(dated))})
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(rows_order)), title_text="", automargin=True)
    xaxis: dict[str, Any] = dict(type="date", rangeslider=dict(visible=True, thickness=0.08), title_text="")
    if focus:
        xaxis["range"] = list(focus)
        full_lo = pd.to_datetime(dated["start"]).min() - pd.Timedelta(days=30)
        full_hi = pd.to_datetime(dated["_end"]).max() + pd.Timedelta(days=30)
        xaxis["rangeslider"]["range"] = [full_lo.date().isoformat(), full_hi.date().isoformat()]
        xaxis["rangeslider"]["autorange"] = False
    fig.update_xaxes(**xaxis)
    if not len(dated):
        fig.add_annotation(text="No dated incidents to show", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig


def _grouped_timeline_traces(fig: go.Figure, groups: pd.DataFrame, kind: str, label: str, color: str,
                             keep: set[str] | None) -> None:
    """Bars (one per row and exact span) and markers (one per row and time bin) for one incident type."""
    spans, points = groups[groups["_bar"].to_numpy(dtype=bool)], groups[~groups["_bar"].to_numpy(dtype=bool)]
    if len(spans):
        base = pd.to_datetime(spans["_x0"])
        stop = pd.to_datetime(spans["_x1"]) + pd.Timedelta(days=1)
        fig.add_trace(go.Bar(
            name=label, legendgroup=kind, orientation="h", y=spans["_row"].tolist(), base=spans["_x0"].tolist(),
            x=((stop - base).dt.total_seconds() * 1000).tolist(),
            marker=dict(color=color, line=dict(color=color, width=1)), opacity=0.55,
            customdata=spans[["ids", "summary"]].to_numpy(dtype=object).tolist(), hovertemplate=_GROUP_HOVER,
            selectedpoints=_selected_groups(spans, keep), width=0.5,
            selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
        ))
    if len(points):
        size = np.minimum(20.0, 7.0 + 1.5 * np.sqrt(points["count"].to_numpy(dtype=float)))
        fig.add_trace(go.Scatter(
            name=label, legendgroup=kind, showlegend=not len(spans), mode="markers", y=points["_row"].tolist(),
            x=points["_x0"].tolist(), marker=dict(color=color, size=size.tolist(), symbol="diamond",
                                                  line=dict(color="white", width=1)),
            customdata=points[["ids", "summary"]].to_numpy(dtype=object).tolist(), hovertemplate=_GROUP_HOVER,
            selectedpoints=_selected_groups(points, keep),
            selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
        ))


def _selected_points(frame: pd.DataFrame, keep: set[str] | None) -> list[int] | None:
    if keep is None:
        return None
    return np.flatnonzero(frame["id"].astype(str).isin(keep).to_numpy()).tolist()


def _selected_groups(groups: pd.DataFrame, keep: set[str] | None) -> list[int] | None:
    if keep is None:
        return None
    return np.flatnonzero(groups["selected"].to_numpy(dtype=bool)).tolist()


def marker_sizes(killed: pd.Series, injured: pd.Series, cap: float = 30.0) -> list[float]:
    """Diameter grows with the square root of casualties: 8 px for none or unknown, at most `cap` px (30)."""
    k = pd.to_numeric(killed, errors="coerce").fillna(0).to_numpy(dtype=float)
    i = pd.to_numeric(injured, errors="coerce").fillna(0).to_numpy(dtype=float)
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
               limit: int = MARK_LIMIT) -> go.Figure:
    """Incidents at their coordinates, sized by casualties, coloured by type, over offline world outlines.

    Above `limit` placed incidents, incidents of one type in one grid cell (the finest cell that keeps the marks
    under the limit) become one mark at their mean position, sized by their summed casualties."""
    placed = incidents[placed_mask(incidents).to_numpy()]
    keep = set(highlight) if highlight is not None else None
    grouped = len(placed) > limit
    cell = map_cell(placed, limit) if grouped else 0.0
    fig = go.Figure()
    if grouped:
        cells = placed.assign(_cy=np.floor(_floats(placed["lat"]) / cell).astype(np.int64),
                              _cx=np.floor(_floats(placed["lon"]) / cell).astype(np.int64))
        groups = _group_table(cells, ["type", "_cy", "_cx"], labels, keep)
    for kind in sorted(placed["type"].unique()):
        part = placed[(placed["type"] == kind).to_numpy()]
        common = dict(name=str(part["type_label"].iloc[0] or kind), legendgroup=kind, mode="markers",
                      selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)))
        if grouped:
            g = groups[(groups["type"] == kind).to_numpy()]
            fig.add_trace(go.Scattergeo(
                lat=g["lat"].round(4).tolist(), lon=g["lon"].round(4).tolist(),
                marker=dict(color=colors.get(kind, "#555555"), size=marker_sizes(g["killed"], g["injured"], cap=40.0),
                            opacity=0.85, line=dict(color="white", width=1), sizemode="diameter"),
                customdata=g[["ids", "summary"]].to_numpy(dtype=object).tolist(), hovertemplate=_GROUP_HOVER,
                selectedpoints=_selected_groups(g, keep), **common))
            continue
        fig.add_trace(go.Scattergeo(
            lat=part["lat"].astype(float).tolist(), lon=part["lon"].astype(float).tolist(),
            marker=dict(color=colors.get(kind, "#555555"), size=marker_sizes(part["killed"], part["injured"]),
                        opacity=0.85, line=dict(color="white", width=1), sizemode="diameter"),
            customdata=_hover_rows(part, labels), hovertemplate=_HOVER,
            selectedpoints=_selected_points(part, keep), **common))
    geo: dict[str, Any] = dict(
        projection_type="natural earth", resolution=resolution, showcountries=True, countrycolor="#8c8c8c",
        showcoastlines=True, coastlinecolor="#6b6b6b", showland=True, landcolor="#f2efe9", showocean=True,
        oceancolor="#e3eef7", showlakes=False, showframe=False,
    )
    bounds = map_bounds(placed["lat"], placed["lon"])
    if bounds:
        geo["lataxis_range"], geo["lonaxis_range"] = bounds
    fig.update_geos(**geo)
    fig.update_layout(margin=dict(l=0, r=0, t=30, b=0), height=height, dragmode="select", clickmode="event+select",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0), showlegend=False,
                      uirevision="map")
    if grouped:
        fig.update_layout(meta={"grouped_by": f"{cell:g} degree cells", "incidents": int(len(placed))})
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

