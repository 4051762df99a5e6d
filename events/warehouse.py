"""Incidents and mentions as a Parquet dataset by month, queried with DuckDB: a table that is not in memory.

`write_dataset` lays an extraction out as::

    DIR/atlas.json                          what is in it (engine version, corpus, row counts, layout version)
    DIR/documents.parquet                   the documents table (no text)
    DIR/incidents/month=YYYY-MM/*.parquet   incidents by the month they start ("undated" for the rest)
    DIR/mentions/month=YYYY-MM/*.parquet    mentions, partitioned as their incident

with a few derived columns the queries need (day numbers, the lower-cased search text), computed once in Python
so SQL and the pandas filters agree to the character. `Warehouse` turns the dashboard's `FilterState` into SQL
and answers what a view draws: counts for the sidebar, the timeline's marks per row and bin, the map's cells at an
extent (grouped above a mark limit, single incidents below it), and pages of rows.

Analysts' corrections stay in their SQLite store. They are replayed (with the store's own `apply_corrections`)
over just the incidents they touch, read from Parquet by id, and those rows replace the extracted ones inside
every query, so the table is never materialised.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the views import plotly; writing a dataset needs none of it
    from events.views import FilterOptions, FilterState

DEFAULT_GROUP_BY = "type"

LAYOUT_VERSION = 1
UNDATED = "undated"
# columns derived at write time (dropped when handing rows back as the pipeline's table)
DERIVED_COLUMNS = ["month", "start_day", "stop_day", "is_day", "search_text"]
_NO_DAY = -(2**31)
# timeline bins, finest first: (name, length in days); as in the views' per-table grouping
TIME_BINS = (("day", 1), ("week", 7), ("month", 31), ("quarter", 92), ("year", 366))
MAP_CELLS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)
MARK_LIMIT = 3000


# ------------------------------------------------------------------------------------------------- writing

def search_text(title: pd.Series, evidence: pd.Series) -> pd.Series:
    """What the free-text filter searches: title and evidence, lower-cased by Python (as `views.apply_filters`)."""
    return (title.fillna("").astype(str) + " \n " + evidence.fillna("").astype(str)).str.lower()


def _day_numbers(values: pd.Series) -> np.ndarray:
    """ISO dates -> days since 1970-01-01 (int64; `_NO_DAY` where empty or not a date), for any year."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.slice(0, 10)
    out = np.full(len(text), _NO_DAY, dtype=np.int64)
    ok = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").to_numpy(dtype=bool)
    if ok.any():
        days = np.array(text[ok].tolist(), dtype="datetime64[D]")
        out[ok] = days.astype(np.int64)
    return out


def derived_columns(incidents: pd.DataFrame) -> pd.DataFrame:
    """The incident table with the columns the queries need (month partition, day numbers, search text)."""
    out = incidents.copy()
    start = out["start"].astype(object).where(out["start"].notna(), "").astype(str)
    end = out["end"].astype(object).where(out["end"].notna(), "").astype(str)
    end = end.where(end != "", start)
    out["month"] = start.str.slice(0, 7).where(start.str.fullmatch(r"\d{4}-\d{2}.*"), UNDATED)
    start_day = _day_numbers(start)
    stop_day = _day_numbers(end)
    out["start_day"] = start_day
    out["stop_day"] = np.where(stop_day == _NO_DAY, start_day, stop_day)
    precision = out["precision"].astype(object).where(out["precision"].notna(), "").astype(str)
    out["is_day"] = ((precision == "day") | (start == end)).to_numpy(dtype=bool)
    out["search_text"] = search_text(out["title"], out["evidence"])
    return out


def _write_partitioned(frame: pd.DataFrame, folder: Path) -> None:
    import pyarrow as pa
    import pyarrow.dataset as ds

    table = pa.Table.from_pandas(frame, preserve_index=False)
    ds.write_dataset(table, folder, format="parquet", partitioning=["month"], partitioning_flavor="hive",
                     existing_data_behavior="overwrite_or_ignore", basename_template="part-{i}.parquet",
                     max_rows_per_group=128 * 1024)


def write_dataset(extraction, out: str | Path, corpus: str = "") -> Path:
    """Write an `Extraction` as a Parquet dataset by month under `out` (replacing an earlier one there).

    A folder that holds anything but an earlier dataset is refused, so no analyst's files are overwritten."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "atlas.json").exists())):
        raise ValueError(f"{out} exists and is not an incident dataset (no atlas.json): choose a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        incidents = derived_columns(extraction.incidents)
        months = dict(zip(incidents["id"].astype(str), incidents["month"]))
        mentions = extraction.mentions.copy()
        mentions["month"] = mentions["incident_id"].astype(str).map(months).fillna(UNDATED)
        _write_partitioned(incidents, staging / "incidents")
        _write_partitioned(mentions, staging / "mentions")
        extraction.documents.to_parquet(staging / "documents.parquet", index=False)
        span = incidents.loc[incidents["start_day"] != _NO_DAY, ["start_day", "stop_day"]]
        meta = {
            "layout": LAYOUT_VERSION, "engine_version": getattr(extraction, "engine_version", ""), "corpus": corpus,
            "incidents": int(len(incidents)), "mentions": int(len(mentions)), "documents": int(len(extraction.documents)),
            "longest_span_days": int((span["stop_day"] - span["start_day"]).max()) if len(span) else 0,
            "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "problems": [str(p) for p in getattr(extraction, "problems", [])][:1000],
        }
        (staging / "atlas.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
        for name in ("incidents", "mentions", "documents.parquet"):
            old = out / name
            if old.is_dir():
                shutil.rmtree(old)
            elif old.exists():
                old.unlink()
            os.replace(staging / name, old)
        os.replace(staging / "atlas.json", out / "atlas.json")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def is_dataset(path: str | Path) -> bool:
    return (Path(path) / "atlas.json").is_file()


# ------------------------------------------------------------------------------------------------- corrections

def touched_ids(corrections: Sequence[Any]) -> set[str]:
    """Incident ids a list of corrections reads or writes (the incident, a merge partner, a split's new id)."""
    ids: set[str] = set()
    for c in corrections:
        ids.add(str(c.incident_id))
        payload = c.payload or {}
        for key in ("other", "new_id"):
            if payload.get(key):
                ids.add(str(payload[key]))
    return ids


# ------------------------------------------------------------------------------------------------- SQL

@dataclass(frozen=True)
class Sql:
    """A WHERE clause with its parameters (DuckDB `?` placeholders)."""

    where: str
    params: tuple

    def __and__(self, other: "Sql") -> "Sql":
        return Sql(f"({self.where}) AND ({other.where})", self.params + other.params)


def _month_first(month: str) -> str:
    return f"{month}-01"


def _month_last(month: str) -> str:
    import calendar

    year, number = int(month[:4]), int(month[5:7])
    return f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def filter_sql(state: "FilterState") -> Sql:
    """`views.apply_filters` as a DuckDB WHERE clause over the incidents view."""
    parts: list[str] = ["TRUE"]
    params: list[Any] = []
    if state.sources:
        parts.append("list_has_any(string_split(coalesce(sources, ''), ';'), ?::VARCHAR[])")
        params.append(list(state.sources))
    if state.month_from or state.month_to:
        parts.append("coalesce(start, '') <> ''")
        if state.month_from:
            parts.append("(CASE WHEN coalesce(\"end\", '') = '' THEN start ELSE \"end\" END) >= ?")
            params.append(_month_first(state.month_from))
        if state.month_to:
            parts.append("start <= ?")
            params.append(_month_last(state.month_to))
    for name, column in (("continents", "continent"), ("countries", "country"), ("admin1s", "admin1"), ("types", "type")):
        values = getattr(state, name)
        if values:
            parts.append(f"coalesce(list_contains(?::VARCHAR[], {column}), FALSE)")
            params.append(list(values))
    if state.min_killed > 0:
        parts.append("coalesce(killed >= ?, FALSE)")
        params.append(int(state.min_killed))
    for term in [t for t in state.text.lower().split() if t]:
        parts.append("contains(search_text, ?)")
        params.append(term)
    return Sql(" AND ".join(parts), tuple(params))


def _group_sql(group_by: str) -> str:
    """The timeline row of an incident (as `views.group_values`, with country codes, named later)."""
    blank = "coalesce(trim({c}), '') = ''"
    if group_by == "continent":
        value = "coalesce(continent, '')"
    elif group_by == "country":
        value = "coalesce(country, '')"
    elif group_by == "admin1":
        value = "CASE WHEN coalesce(admin1, '') = '' THEN coalesce(country, '') ELSE admin1 END"
    else:
        value = "coalesce(type_label, type)"
    return f"CASE WHEN {blank.format(c=value)} THEN 'Unknown' ELSE {value} END"


def _bin_start_sql(unit: str) -> str:
    """First day (day number) of the week/month/quarter/year an incident starts in."""
    day = "start_day"
    if unit == "day":
        return day
    if unit == "week":  # 1970-01-01 was a Thursday; weeks start on Monday
        return f"({day} - (({day} + 3) % 7 + 7) % 7)"
    date = f"(DATE '1970-01-01' + CAST({day} AS INTEGER))"
    trunc = {"month": "month", "quarter": "quarter", "year": "year"}[unit]
    return f"date_diff('day', DATE '1970-01-01', date_trunc('{trunc}', {date})::DATE)"


class Warehouse:
    """DuckDB over one incident dataset (see `write_dataset`), with an optional corrections store laid over it.

    Every query reads the `incidents` view: the Parquet rows the corrections do not touch, plus the touched rows
    as corrected (hidden ones left out). `refresh()` re-reads the corrections after an analyst saved one."""

    def __init__(self, folder: str | Path, corrections=None, memory_limit: str = "1GB", threads: int = 0):
        import duckdb

        self.folder = Path(folder)
        if not is_dataset(self.folder):
            raise FileNotFoundError(f"{self.folder} is not an incident dataset (no atlas.json); write one with "
                                    f"'events extract CORPUS --out {self.folder}'")
        self.meta = json.loads((self.folder / "atlas.json").read_text(encoding="utf-8"))
        self.store = corrections
        self._lock = threading.Lock()
        self.con = duckdb.connect()
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        inc = (self.folder / "incidents").as_posix()
        men = (self.folder / "mentions").as_posix()
        self.con.execute(f"CREATE VIEW base_incidents AS SELECT * FROM read_parquet('{inc}/*/*.parquet', "
                         f"hive_partitioning = true, union_by_name = true)")
        self.con.execute(f"CREATE VIEW base_mentions AS SELECT * FROM read_parquet('{men}/*/*.parquet', "
                         f"hive_partitioning = true, union_by_name = true)")
        self.con.execute(f"CREATE VIEW documents AS SELECT * FROM read_parquet('{(self.folder / 'documents.parquet').as_posix()}')")
        self.columns = [r[0] for r in self.con.execute("DESCRIBE base_incidents").fetchall()]
        self.mention_columns = [r[0] for r in self.con.execute("DESCRIBE base_mentions").fetchall()]
        self.orphans = pd.DataFrame()
        self.version = 0
        self.refresh()

    # ---- corrections

    def refresh(self) -> None:
        """(Re)build the corrected `incidents` view from the store's corrections in force."""
        corrections = self.store.corrections() if self.store is not None else []
        ids = sorted(touched_ids(corrections))
        with self._lock:
            self.con.execute("DROP VIEW IF EXISTS incidents")
            self.con.execute("DROP VIEW IF EXISTS mentions")
            for name in ("overlay", "overlay_mentions"):
                try:
                    self.con.unregister(name)
                except Exception:  # noqa: BLE001 - not registered yet
                    pass
            extra = "FALSE AS corrected, FALSE AS hidden, '' AS correction_note, '' AS corrected_by, '' AS corrected_at"
            if not ids:
                self.con.execute(f"CREATE VIEW incidents AS SELECT *, {extra} FROM base_incidents")
                self.con.execute("CREATE VIEW mentions AS SELECT * FROM base_mentions")
                self.touched: list[str] = []
                self.version += 1
                return
            from events.store import apply_corrections, orphaned

            base = self.con.execute("SELECT * FROM base_incidents WHERE list_contains(?::VARCHAR[], id)", [ids]).df()
            ments = self.con.execute("SELECT * FROM base_mentions WHERE list_contains(?::VARCHAR[], incident_id)", [ids]).df()
            plain = [c for c in base.columns if c not in DERIVED_COLUMNS]
            plain_m = [c for c in ments.columns if c != "month"]
            fixed, fixed_m = apply_corrections(base[plain], ments[plain_m], corrections, include_hidden=True)
            self.orphans = orphaned(base[plain], ments[plain_m], corrections)
            overlay = derived_columns(fixed)
            overlay = overlay.reindex(columns=[c for c in self.columns if c in overlay.columns] +
                                      ["corrected", "hidden", "correction_note", "corrected_by", "corrected_at"])
            months = dict(zip(overlay["id"].astype(str), overlay["month"]))
            fixed_m = fixed_m.copy()
            fixed_m["month"] = fixed_m["incident_id"].astype(str).map(months).fillna(UNDATED)
            self.con.register("overlay", overlay)
            self.con.register("overlay_mentions", fixed_m)
            self.con.execute("CREATE TEMP TABLE IF NOT EXISTS touched (id VARCHAR)")
            self.con.execute("DELETE FROM touched")
            self.con.executemany("INSERT INTO touched VALUES (?)", [[i] for i in ids])
            self.con.execute(
                f"CREATE VIEW incidents AS SELECT *, {extra} FROM base_incidents WHERE id NOT IN (SELECT id FROM touched) "
                "UNION ALL BY NAME SELECT * FROM overlay WHERE NOT hidden")
            self.con.execute(
                "CREATE VIEW mentions AS SELECT * FROM base_mentions WHERE incident_id NOT IN (SELECT id FROM touched) "
                "UNION ALL BY NAME SELECT * FROM overlay_mentions WHERE incident_id IN (SELECT id FROM overlay WHERE NOT hidden)")
            self.touched = ids
            self.version += 1

    # ---- queries

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self._lock:
            return self.con.execute(sql, list(params)).df()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            return self.con.execute(sql, list(params)).fetchone()[0]

    def total(self) -> int:
        return int(self.scalar("SELECT count(*) FROM incidents"))

    def count(self, state: "FilterState") -> int:
        f = filter_sql(state)
        return int(self.scalar(f"SELECT count(*) FROM incidents WHERE {f.where}", f.params))

    def ids(self, state: "FilterState") -> list[str]:
        f = filter_sql(state)
        return self.query(f"SELECT id FROM incidents WHERE {f.where} ORDER BY id", f.params)["id"].tolist()

    def rows(self, state: "FilterState", limit: int = 5000, offset: int = 0, order: str = "start_day DESC, id",
             ids: Sequence[str] | None = None) -> pd.DataFrame:
        """A page of the filtered incidents as the pipeline's table (derived columns dropped)."""
        f = filter_sql(state)
        where, params = f.where, list(f.params)
        if ids is not None:
            where += " AND list_contains(?::VARCHAR[], id)"
            params.append(list(ids))
        frame = self.query(f"SELECT * FROM incidents WHERE {where} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}",
                           params)
        frame = frame.drop(columns=[c for c in DERIVED_COLUMNS if c in frame.columns])
        for col in ("killed", "injured"):
            if col in frame:
                frame[col] = frame[col].astype("Int64")
        return frame

    def mentions_of(self, incident_id: str) -> pd.DataFrame:
        frame = self.query("SELECT * FROM mentions WHERE incident_id = ?", [incident_id])
        return frame.drop(columns=["month"], errors="ignore")

    def documents(self) -> pd.DataFrame:
        return self.query("SELECT * FROM documents")

    def value_counts(self, state: "FilterState", column: str) -> pd.DataFrame:
        """(value, n) of one column among the filtered incidents, most frequent first: the sidebar's counts."""
        if column not in ("type", "country", "continent", "admin1", "precision"):
            raise ValueError(f"no counts by {column!r}")
        f = filter_sql(state)
        return self.query(f"SELECT {column} AS value, count(*) AS n FROM incidents WHERE {f.where} "
                          f"GROUP BY 1 ORDER BY n DESC, value", f.params)

    def options(self) -> "FilterOptions":
        """The values each filter can take (as `views.filter_options` gives them for the whole table)."""
        from events.views import FilterOptions, month_span

        docs = self.query("SELECT doc FROM documents")["doc"].astype(str).tolist()
        span = self.query("SELECT min(CASE WHEN coalesce(start,'') <> '' THEN start[1:7] END) AS lo, "
                          "max(CASE WHEN coalesce(start,'') <> '' THEN (CASE WHEN coalesce(\"end\",'') = '' THEN start "
                          "ELSE \"end\" END)[1:7] END) AS hi, max(killed) AS k FROM incidents").iloc[0]
        months: tuple[str, ...] = ()
        if isinstance(span["lo"], str) and span["lo"]:
            months_list = month_span(span["lo"], span["hi"])
            if len(months_list) > 600:
                found = self.query("SELECT DISTINCT start[1:7] AS m FROM incidents WHERE coalesce(start,'') <> '' UNION "
                                   "SELECT DISTINCT \"end\"[1:7] FROM incidents WHERE coalesce(\"end\",'') <> ''")["m"]
                months_list = sorted(found)
            months = tuple(months_list)

        def distinct(column: str) -> tuple[str, ...]:
            values = self.query(f"SELECT DISTINCT {column} AS v FROM incidents WHERE trim(coalesce({column}, '')) <> ''")["v"]
            return tuple(sorted(str(v) for v in values))

        labels = self.query("SELECT type, any_value(type_label) AS label FROM incidents WHERE type IS NOT NULL GROUP BY type "
                            "ORDER BY type")
        killed = span["k"]
        return FilterOptions(sources=tuple(docs), months=months, continents=distinct("continent"),
                             countries=distinct("country"), admin1s=distinct("admin1"), types=distinct("type"),
                             max_killed=int(killed) if pd.notna(killed) else 0,
                             type_labels=tuple((str(t), str(l)) for t, l in zip(labels["type"], labels["label"])))

    # ---- what the figures draw

    def timeline_marks(self, state: "FilterState", group_by: str = DEFAULT_GROUP_BY, limit: int = MARK_LIMIT) -> tuple[str, pd.DataFrame]:
        """(bin, marks) of the filtered, dated incidents: one row per (timeline row, type, point or span, x0, x1).

        The finest bin (day, week, month, quarter, year) whose marks fit in `limit` is used, as the views do:
        incidents no longer than the bin become points at the bin's middle day, longer ones stay spans with their
        own first and last day. Below `limit` incidents, each is a mark (bin "none"). Columns: row, type, point,
        x0, x1 (day numbers), n, killed, injured (sums, NaN when no figure), first_id."""
        f = filter_sql(state)
        where = f"({f.where}) AND start_day <> {_NO_DAY}"
        n = int(self.scalar(f"SELECT count(*) FROM incidents WHERE {where}", f.params))
        row = _group_sql(group_by)
        if n <= limit:
            marks = self.query(
                f"SELECT {row} AS row, type, is_day AS point, start_day AS x0, stop_day AS x1, 1 AS n, "
                f"killed::DOUBLE AS killed, injured::DOUBLE AS injured, id AS first_id FROM incidents WHERE {where} "
                f"ORDER BY id", f.params)
            return "none", marks
        for name, days in TIME_BINS:
            point = "is_day" if name == "day" else f"(is_day OR stop_day - start_day + 1 <= {days})"
            mid = f"({_bin_start_sql(name)} + {days // 2})"
            inner = (f"SELECT {row} AS row, type, {point} AS point, CASE WHEN {point} THEN {mid} ELSE start_day END AS x0, "
                     f"CASE WHEN {point} THEN {mid} ELSE stop_day END AS x1, killed, injured, id FROM incidents WHERE {where}")
            groups = int(self.scalar(f"SELECT count(*) FROM (SELECT DISTINCT row, type, point, x0, x1 FROM ({inner}))", f.params))
            if groups <= limit or name == "year":
                marks = self.query(
                    f"SELECT row, type, point, x0, x1, count(*) AS n, sum(killed)::DOUBLE AS killed, "
                    f"sum(injured)::DOUBLE AS injured, min(id) AS first_id FROM ({inner}) GROUP BY ALL ORDER BY row, type, x0, x1",
                    f.params)
                return name, marks
        raise AssertionError("unreachable")

    def map_marks(self, state: "FilterState", extent: tuple[float, float, float, float] | None = None,
                  limit: int = MARK_LIMIT) -> tuple[float, pd.DataFrame]:
        """(cell size in degrees, marks) of the filtered, placed incidents inside `extent` (lat0, lat1, lon0, lon1).

        Up to `limit` incidents each is a mark (cell 0); above, incidents of one type in one grid cell (the finest of
        `MAP_CELLS` that keeps marks under `limit`) make one mark at their mean position. Columns: type, lat, lon,
        n, killed, injured, first_id."""
        f = filter_sql(state)
        where, params = f"({f.where}) AND lat IS NOT NULL AND lon IS NOT NULL AND isfinite(lat) AND isfinite(lon)", list(f.params)
        if extent is not None:
            lat0, lat1, lon0, lon1 = map(float, extent)
            where += " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
            params += [min(lat0, lat1), max(lat0, lat1), min(lon0, lon1), max(lon0, lon1)]
        n = int(self.scalar(f"SELECT count(*) FROM incidents WHERE {where}", params))
        if n <= limit:
            marks = self.query(f"SELECT type, lat, lon, 1 AS n, killed::DOUBLE AS killed, injured::DOUBLE AS injured, "
                               f"id AS first_id FROM incidents WHERE {where} ORDER BY id", params)
            return 0.0, marks
        for cell in MAP_CELLS:
            key = f"floor(lat / {cell})::BIGINT AS cy, floor(lon / {cell})::BIGINT AS cx"
            groups = int(self.scalar(f"SELECT count(*) FROM (SELECT DISTINCT type, {key} FROM incidents WHERE {where})", params))
            if groups <= limit or cell == MAP_CELLS[-1]:
                marks = self.query(
                    f"SELECT type, avg(lat) AS lat, avg(lon) AS lon, count(*) AS n, sum(killed)::DOUBLE AS killed, "
                    f"sum(injured)::DOUBLE AS injured, min(id) AS first_id, cy, cx FROM "
                    f"(SELECT *, {key} FROM incidents WHERE {where}) GROUP BY type, cy, cx ORDER BY type, cy, cx", params)
                return cell, marks
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self.con.close()


def open_dataset(folder: str | Path, corrections_db: str | Path | None = None) -> Warehouse:
    """A warehouse over `folder`, with the corrections database (default: the `corrections_db` setting, if it exists)."""
    from events.settings import get_settings
    from events.store import CorrectionStore

    db = Path(corrections_db or get_settings()["corrections_db"])
    store = CorrectionStore(db) if db.exists() else None
    return Warehouse(folder, corrections=store)
