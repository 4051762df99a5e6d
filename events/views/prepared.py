"""The per-table cache: columns the filters and figures need, computed once per incident table, so a rerun
only masks, counts and draws.
"""

from __future__ import annotations

import hashlib
import html
import threading
from dataclasses import replace
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from events.views.days import _NO_DAY, _bin_start, _day_numbers
from events.views.filters import (DEFAULT_GROUP_BY, FilterOptions, FilterState, _filter_mask, filter_options,
                                  group_values, search_text)
from events.views.hover import place_texts
from events.views.tolls import casualty_phrases
from events.views.columns import actor_lists, background_mask, place_precision, place_written, qualifier, regions
from events.views.labels import _esc, _floats, _str, _text, source_labels
from events.views.tolls import toll_columns


class Prepared:
    """The columns the figures and filters need, computed once for one incident table.

    Dates become day numbers, types/places/rows small integer codes, coordinates floats; the time bins, grid
    cells, row groupings and hover texts are computed on first use and kept. The figures then only take the
    positions of the incidents in view, count with numpy and build the traces. Get one per extraction with
    `prepared(incidents, key=...)`; the figure functions make a throwaway one when none is given."""

    def __init__(self, incidents: pd.DataFrame, labels: Mapping[str, str] | None = None,
                 names: Mapping[str, str] | None = None, documents: pd.DataFrame | None = None,
                 mentions: pd.DataFrame | None = None):
        self.frame = incidents
        self.documents = documents
        self.mentions = mentions
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
        self.background = background_mask(incidents, documents)
        self.precision = place_precision(incidents, self.names).to_numpy(dtype=object)
        self.region_code, self.region_values = pd.factorize(regions(incidents).to_numpy(dtype=object))
        self.region_values = np.asarray(self.region_values, dtype=object)
        self._written: np.ndarray | None = None
        self._tolls: dict[str, Any] | None = None
        self._actors: tuple[np.ndarray, np.ndarray] | None = None
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
            self._options = filter_options(self.frame, self.documents, background=self.background)
        return self._options

    def rows(self, group_by: str) -> tuple[np.ndarray, np.ndarray]:
        """(code of each incident's timeline row, row names) for a grouping."""
        if group_by not in self._rows:
            values = group_values(self.frame, group_by, self.names).astype(str).to_numpy(dtype=object)
            codes, uniques = pd.factorize(values)
            # plotly draws tick labels as HTML (<a href>, <b>): a corrected admin area must not become a live link
            names = np.asarray([html.escape(str(u), quote=False) for u in uniques], dtype=object)
            self._rows[group_by] = (codes.astype(np.int64), names)
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
        gid = self._raw("geonameid")[rows].tolist() if "geonameid" in self.frame else [""] * len(rows)
        out[:, 5] = place_texts(self.written[rows].tolist(), self._raw("place")[rows].tolist(), gid,
                                self.precision[rows].tolist())
        tolls = self.tolls()
        out[:, 6] = casualty_phrases([tolls["killed_text"][r] for r in rows_list],
                                     [tolls["injured_text"][r] for r in rows_list])
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
        """What the text search reads (`filters.search_text`), one lower-cased string per incident."""
        if self._haystack is None:
            self._haystack = search_text(self.frame, self.mentions).reset_index(drop=True)
        return self._haystack

    @property
    def written(self) -> np.ndarray:
        """The place as the sources write it (`columns.place_written`)."""
        if self._written is None:
            self._written = place_written(self.frame).to_numpy(dtype=object)
        return self._written

    def tolls(self) -> dict[str, Any]:
        """Killed and injured as the sources give them (`tolls.toll_columns`): lowest and highest figures, texts."""
        if self._tolls is None:
            out: dict[str, Any] = {}
            for which in ("killed", "injured"):
                reports = self.frame[f"{which}_reports"] if f"{which}_reports" in self.frame else None
                low, high, texts = toll_columns(self.frame[which], reports, qualifier(self.frame, which))
                out[f"{which}_low"], out[f"{which}_high"], out[f"{which}_text"] = low, high, texts
            self._tolls = out
        return self._tolls

    def actor_hits(self, actors: Sequence[str]) -> np.ndarray:
        """True for the incidents naming any of `actors`."""
        if self._actors is None:
            listed = actor_lists(self.frame).reset_index(drop=True).explode()
            listed = listed[listed.notna()]
            self._actors = (listed.index.to_numpy(dtype=np.int64), listed.to_numpy(dtype=object))
        rows, names = self._actors
        hit = np.zeros(self.n, dtype=bool)
        hit[rows[pd.Index(list(actors), dtype=object).get_indexer(names) >= 0]] = True
        return hit

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
            return self.cached(("filter", state), lambda: np.flatnonzero(~self.background))
        if replace(state, background=False).is_empty():
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

    def in_view_positions(self, ids: Sequence[str], pos: np.ndarray) -> list[int]:
        """Row numbers (in this table) of the `ids` that are incidents at `pos`, in the order of `ids`."""
        inside = set(pos.tolist())
        if self._id_index is None:
            self._id_index = pd.Index(self.ids)
        out = []
        for i in ids:
            at = self._id_index.get_indexer_for([i])
            out.extend(int(a) for a in at.tolist() if a >= 0 and int(a) in inside)
        return out

    def detail_titles(self, ids: Sequence[str]) -> dict[str, str]:
        """id -> "Title · date as written" for the detail picker."""
        if self._id_index is None:
            self._id_index = pd.Index(self.ids)
        at = self._id_index.get_indexer_for(list(ids)) if len(ids) else np.zeros(0, dtype=np.int64)
        dates = self._raw("date_text")
        out = {}
        for i, a in zip(ids, at.tolist()):
            if a >= 0:
                title = _text(self.titles()[a])
                when = _text(dates[a]) or self.start_str[a] or "undated"
                out[i] = f"{title} · {when}"
        return out

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
             names: Mapping[str, str] | None = None, documents: pd.DataFrame | None = None,
             mentions: pd.DataFrame | None = None) -> Prepared:
    """The `Prepared` columns of an incident table, kept per `key` (say corpus signature and corrections version:
    whatever changes when the table does) so that reruns reuse them. Without a key nothing is kept."""
    if key is None:
        return Prepared(incidents, labels, names, documents, mentions)
    key = (key, len(incidents))
    with _PREPARED_LOCK:
        hit = _PREPARED.pop(key, None)
        if hit is not None:
            _PREPARED[key] = hit  # most recently used last
            return hit
    made = Prepared(incidents, labels, names, documents, mentions)
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


def detail_candidates(prep: Prepared, pos: np.ndarray, query: str = "", limit: int = 500) -> tuple[list[str], int]:
    """(ids of the incidents at `pos` whose title, place or id holds every word of `query`, at most `limit` of
    them; how many match in all): what the detail picker offers, so any incident in view can be found by name."""
    words = [w for w in query.lower().split() if w]
    if not words:
        return prep.ids[pos[:limit]].tolist(), len(pos)
    key = "detail:haystack"
    if key not in prep._escaped:
        text = (pd.Series(prep.titles(), dtype=object).astype("string").fillna("") + " \n "
                + pd.Series(prep.written, dtype=object).astype("string").fillna("") + " \n "
                + pd.Series(prep.ids, dtype=object).astype("string"))
        prep._escaped[key] = text.str.lower().to_numpy(dtype=object)
    hay = pd.Series(prep._escaped[key][pos], dtype=object)
    keep = np.ones(len(pos), dtype=bool)
    for w in words:
        keep &= hay.str.contains(w, regex=False).to_numpy(dtype=bool)
    found = pos[keep]
    return prep.ids[found[:limit]].tolist(), len(found)
