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

The DuckDB index beside the Parquet files also holds pre-aggregated tables (`CUBES`: incidents counted per type, day
span and background flag; per type, place and background flag): a view whose filters read only their columns - the
opening view, types, months, places - is answered from them with the same WHERE clause, n summed.

Analysts' corrections stay in their SQLite store. They are replayed (with the store's own `apply_corrections`)
over just the incidents they touch, read from Parquet by id, and those rows replace the extracted ones inside
every query, so the table is never materialised.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the views import plotly; writing a dataset needs none of it
    from events.views import FilterOptions, FilterState

DEFAULT_GROUP_BY = "type"

LAYOUT_VERSION = 2  # 2: region, actor_list, is_background; search text with the mentions' words
INDEX_NAME = "incidents.duckdb"
UNDATED = "undated"
# columns derived at write time (dropped when handing rows back as the pipeline's table)
DERIVED_COLUMNS = ["month", "start_day", "stop_day", "is_day", "search_text", "region", "actor_list", "is_background"]
_NO_DAY = -(2**31)
# what the `incidents` view adds to a dataset's columns (the values of a row no correction touched)
CORRECTION_COLUMNS = {"corrected": "FALSE", "hidden": "FALSE", "correction_note": "''", "corrected_by": "''",
                      "corrected_at": "''"}
# timeline bins, finest first: (name, length in days); as in the views' per-table grouping
TIME_BINS = (("day", 1), ("week", 7), ("month", 31), ("quarter", 92), ("year", 366))
MAP_CELLS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)
MARK_LIMIT = 3000
LATEST_FIRST = "start_day DESC, id"  # the table's order
# Pre-aggregated tables ("cubes") kept in the index beside the incidents: incidents counted per combination of the
# columns one kind of view filters and draws by. Places and days repeat, so at millions of incidents each holds a
# fraction of the rows; a view whose filters read only its columns is answered from it (the same WHERE clause, n
# summed), anything else from the incidents. Corrections are laid over them as deltas (`Warehouse.refresh`).
CUBES = {
    # the timeline by type with the month, type and background filters
    "cube_time": ("is_background", "type", "type_label", "start", "end", "is_day", "start_day", "stop_day"),
    # the map, the sidebar counts and the count with the place, type and background filters
    "cube_place": ("is_background", "type", "lat", "lon", "country", "continent", "region", "admin1"),
}
CUBE_VERSION = 1
# The free-text search's word index, kept in the DuckDB index beside the cubes (`build_text_index`): every word of
# every incident's search text (maximal runs of `WORD_PATTERN`'s characters) with the rows holding it. A search term
# made only of word characters is found in a text exactly when it lies inside one of the text's words, so its rows
# are the rows of the vocabulary's words containing it: no search text is read. Other terms are still scanned.
WORD_PATTERN = r"[\pL\pN_]+"
TEXT_TABLES = ("search_words", "search_word_rows", "search_absent", "search_meta")
# a term whose words hold more postings than this many per incident is scanned instead ("e" is in most words)
TEXT_POSTINGS_PER_ROW = 2
# The search's cell rows, a file beside the index (`build_cell_rows`): for every incident (by rowid) the row of each
# cube holding it and its figures, so the incidents a search finds are counted into the cubes' rows with numpy
# (`Warehouse._text_cube`) instead of copying their columns out of the table. Memory-mapped: nothing is read up front.
CELL_TABLE = "search_cells"  # (file, n_rows): the file's name beside the index, and the incidents it covers
# the file's rows (one column per incident, float64: cube rowids exact, NaN for no figure); by column, so a search
# gathers each from contiguous memory (as one record per incident: 45-90 ms for 509k rows at 5x10^6, 18-30 by column)
CELL_ROWS = ("time_cell", "place_cell", "killed", "injured")
_CELL_OF = {"cube_time": "time_cell", "cube_place": "place_cell"}
# a cube row's figures as the marks read them: killed/injured NULL where none of its incidents has one
_CUBE_FIGURES = ("n::BIGINT AS n, (CASE WHEN killed_n > 0 THEN killed END)::DOUBLE AS killed, "
                 "(CASE WHEN injured_n > 0 THEN injured END)::DOUBLE AS injured")


# ------------------------------------------------------------------------------------------------- writing

def search_text(incidents: pd.DataFrame, mentions: pd.DataFrame | None = None) -> pd.Series:
    """What the free-text filter searches, computed by the views' own `views.search_text` (title, evidence, actors,
    places, and the sentence, place and trigger of every mention given), so SQL and pandas read the same words."""
    from events.views import search_text as views_search_text

    return views_search_text(incidents, mentions)


def _day_numbers(values: pd.Series) -> np.ndarray:
    """ISO dates -> days since 1970-01-01 (int64; `_NO_DAY` where empty or not a date), for any year."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.slice(0, 10)
    out = np.full(len(text), _NO_DAY, dtype=np.int64)
    ok = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").to_numpy(dtype=bool)
    if ok.any():
        days = np.array(text[ok].tolist(), dtype="datetime64[D]")
        out[ok] = days.astype(np.int64)
    return out


def derived_columns(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
                    mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The incident table with the columns the queries need: month partition, day numbers, and what the views'
    filters compute per row - search text (with `mentions`), region, actor list, background (judged against
    `documents`, the whole corpus's: the reporting window is the corpus's) - each by the views' own function."""
    from events.views.columns import actor_lists, background_mask, regions

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
    out["search_text"] = search_text(out, mentions)
    out["region"] = regions(out).to_numpy(dtype=object)
    out["actor_list"] = actor_lists(out).to_numpy(dtype=object)
    out["is_background"] = background_mask(incidents, documents)
    return out


def _number_columns() -> dict:
    import pyarrow as pa

    return {"lat": pa.float64(), "lon": pa.float64(), "n_sources": pa.int64(), "n_mentions": pa.int64()}


def _arrow_table(frame: pd.DataFrame):
    """A frame as Arrow with the types every chunk shares: a text column empty in this chunk has no type of its own
    (stored as text), an actor list column with no actors is a list of text."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    _NUMBER_COLUMNS = _number_columns()

    def field(f):
        if f.name == "actor_list" and not pa.types.is_list(f.type) or \
                pa.types.is_list(f.type) and pa.types.is_null(f.type.value_type):
            return pa.field(f.name, pa.list_(pa.string()))
        if pa.types.is_null(f.type):
            return pa.field(f.name, _NUMBER_COLUMNS.get(f.name, pa.string()))
        return f

    return table.cast(pa.schema([field(f) for f in table.schema], metadata=table.schema.metadata))


class DatasetWriter:
    """Writes a dataset in chunks (an extraction too large for memory, a merge finishing block by block).

    Files go to a staging folder inside `out` and replace an earlier dataset only on `finish`, so a crash
    mid-write leaves the previous dataset whole. A folder holding anything but an earlier dataset is refused,
    so no analyst's files are overwritten."""

    def __init__(self, out: str | Path, corpus: str = "", engine_version: str = "",
                 documents: pd.DataFrame | None = None):
        from events.store import corpus_key

        self.out = Path(out)
        # the background rule reads publication dates and the corpus's reporting window: all documents, up front
        self.documents = documents
        if self.out.exists() and (not self.out.is_dir() or (any(self.out.iterdir()) and not is_dataset(self.out))):
            raise ValueError(f"{self.out} exists and is not an incident dataset (no atlas.json): choose a new or "
                             f"empty folder")
        self.out.mkdir(parents=True, exist_ok=True)
        self.staging = self.out / f".staging-{uuid.uuid4().hex[:8]}"
        self.staging.mkdir()
        self.meta: dict[str, Any] = {"layout": LAYOUT_VERSION, "engine_version": engine_version, "corpus": corpus,
                                     "corpus_key": corpus_key(corpus) if corpus else "", "incidents": 0, "mentions": 0, "documents": 0, "longest_span_days": 0}
        self.chunks = 0

    def _write(self, frame: pd.DataFrame, name: str) -> None:
        import pyarrow as pa
        import pyarrow.dataset as ds

        table = _arrow_table(frame)
        ds.write_dataset(table, self.staging / name, format="parquet", partitioning=["month"],
                         partitioning_flavor="hive", existing_data_behavior="overwrite_or_ignore",
                         basename_template=f"part-{self.chunks}-{{i}}.parquet", max_rows_per_group=128 * 1024)

    def add(self, incidents: pd.DataFrame, mentions: pd.DataFrame) -> None:
        """One chunk of incidents with their mentions (every mention's incident in the same chunk)."""
        incidents = derived_columns(incidents, self.documents, mentions)
        months = dict(zip(incidents["id"].astype(str), incidents["month"]))
        mentions = mentions.copy()
        mentions["month"] = mentions["incident_id"].astype(str).map(months).fillna(UNDATED)
        if len(incidents):
            self._write(incidents, "incidents")
        if len(mentions):
            self._write(mentions, "mentions")
        dated = incidents["start_day"] != _NO_DAY
        if dated.any():
            span = int((incidents["stop_day"][dated] - incidents["start_day"][dated]).max())
            self.meta["longest_span_days"] = max(self.meta["longest_span_days"], span)
        self.meta["incidents"] += int(len(incidents))
        self.meta["mentions"] += int(len(mentions))
        self.chunks += 1

    def finish(self, documents: pd.DataFrame, problems: Sequence[Any] = ()) -> Path:
        """Write the documents and atlas.json, then swap the staged dataset in."""
        try:
            from events.pipeline import INCIDENT_COLUMNS, MENTION_COLUMNS, typed_frame

            empty = {"incidents": derived_columns(typed_frame([], INCIDENT_COLUMNS)),
                     "mentions": typed_frame([], MENTION_COLUMNS)}
            for name, frame in empty.items():  # an empty table still has its columns
                if not (self.staging / name).exists():
                    folder = self.staging / name / f"month={UNDATED}"
                    folder.mkdir(parents=True)
                    import pyarrow.parquet as pq

                    pq.write_table(_arrow_table(frame.drop(columns=["month"], errors="ignore")), folder / "part-0.parquet")
            documents.to_parquet(self.staging / "documents.parquet", index=False)
            self.meta.update(documents=int(len(documents)), problems=[str(p) for p in problems][:1000],
                             written_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
            (self.staging / "atlas.json").write_text(json.dumps(self.meta, indent=1, ensure_ascii=False), encoding="utf-8")
            build_index(self.staging, self.staging / INDEX_NAME, self.meta["written_at"])
            cells = [path.name for path in cell_rows_files(self.staging / INDEX_NAME)]
            for name in ("incidents", "mentions", "documents.parquet", INDEX_NAME, *cells):
                old = self.out / name
                if old.is_dir():
                    shutil.rmtree(old)
                elif old.exists():
                    old.unlink()
                os.replace(self.staging / name, old)
            numbers = [name for name in cells if name.endswith(".npy")]
            _drop_cell_rows(self.out / INDEX_NAME, keep=self.out / numbers[0] if numbers else None)
            os.replace(self.staging / "atlas.json", self.out / "atlas.json")
        finally:
            self.abort()
        return self.out

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def write_dataset(extraction, out: str | Path, corpus: str = "") -> Path:
    """Write an `Extraction` as a Parquet dataset by month under `out` (replacing an earlier one there)."""
    writer = DatasetWriter(out, corpus=corpus, engine_version=getattr(extraction, "engine_version", ""),
                           documents=extraction.documents)
    try:
        writer.add(extraction.incidents, extraction.mentions)
        return writer.finish(extraction.documents, getattr(extraction, "problems", []))
    except BaseException:
        writer.abort()
        raise


def is_dataset(path: str | Path) -> bool:
    return (Path(path) / "atlas.json").is_file()


def _parquet_glob(folder: Path, table: str) -> str:
    """Every monthly file of a table (one schema per dataset: only the first file's footer is read for it)."""
    return f"read_parquet('{(folder / table).as_posix()}/*/*.parquet', hive_partitioning = true)"


def build_index(folder: Path, target: Path, written_at: str) -> Path:
    """The incident table of a dataset copied into DuckDB's own file format, ordered by date.

    Scanning a few hundred monthly Parquet files costs their opening on every query (hundreds of ms on a busy
    machine); DuckDB's own storage is one compressed file with min/max per block, read through a bounded buffer
    pool. The Parquet files stay the dataset any tool can read; this file is rebuilt whenever they change."""
    import duckdb

    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET memory_limit = '1GB'")  # sorts larger tables out of core
            source = _parquet_glob(folder, "incidents").replace(")", ", union_by_name = true)")
            con.execute(f"CREATE TABLE incidents AS SELECT * FROM {source} ORDER BY start_day, id")
            for name, dims in CUBES.items():
                con.execute(f"CREATE TABLE {name} AS {_cube_sql('incidents', dims)}")
            build_text_index(con)
            cells = build_cell_rows(con, target)
            con.execute("CREATE TABLE index_meta AS SELECT ? AS written_at, ? AS layout, ? AS cubes",
                        [written_at, LAYOUT_VERSION, CUBE_VERSION])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, target)
        _drop_cell_rows(target, keep=cells)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target


def cell_rows_files(index: Path) -> list[Path]:
    """The files of the cell rows (`build_cell_rows`) written beside an index, current or stale."""
    return sorted(index.parent.glob(f"{index.stem}.cells-*"))


def _cube_dims_file(cells: Path, kind: str) -> Path:
    """The Arrow file beside a cell rows file holding a cube's dimension columns in rowid order."""
    return cells.with_name(f"{cells.stem}.{kind}.arrow")


def _drop_cell_rows(index: Path, keep: Path | None) -> None:
    for path in cell_rows_files(index):
        if keep is None or not path.name.startswith(keep.stem):
            path.unlink(missing_ok=True)


def build_cell_rows(con, index: Path) -> Path | None:
    """For every incident of `incidents` (by rowid) the row (rowid) of `cube_time` and of `cube_place` counting it,
    and its killed and injured (NaN for none), written as a numpy file beside `index` (`CELL_ROWS`) and named in the
    table `CELL_TABLE`; None (and no table) if an incident matches no cube row or several (then searches copy rows).
    Each cube's dimension columns in rowid order go beside it as an Arrow file (`_cube_dims_file`): read memory-mapped,
    not converted from DuckDB (0.25 s for the 614k rows of `cube_place` at 5x10^6).

    A search's incidents are then counted into the cubes' rows by `np.bincount` over their rowids: the cubes'
    answers (count, timeline, map, the page's first day) for a search without copying its rows' columns (at 5x10^6 a
    broad search's 509,017 rows x 11 columns cost 0.3-0.4 s CPU). Matched on every dimension with IS NOT DISTINCT
    FROM, as GROUP BY grouped them; a unique file name, so an open dashboard never reads a file half rewritten."""
    con.execute(f"DROP TABLE IF EXISTS {CELL_TABLE}")
    n_rows = int(con.execute("SELECT count(*) FROM incidents").fetchall()[0][0])
    path = index.with_name(f"{index.stem}.cells-{uuid.uuid4().hex[:12]}.npy")

    def same(alias: str, dims: Sequence[str]) -> str:
        return " AND ".join(f'i."{d}" IS NOT DISTINCT FROM {alias}."{d}"' for d in dims)

    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(len(CELL_ROWS), n_rows))
    seen = np.zeros(n_rows, dtype=np.int64)
    try:
        import pyarrow as pa

        for kind, dims in CUBES.items():
            table = con.sql(f"SELECT {_dims_sql(dims)} FROM {kind} ORDER BY rowid").to_arrow_table()
            with pa.OSFile(str(_cube_dims_file(path, kind)), "wb") as sink, \
                    pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        reader = con.sql(  # `sql`, not `execute`: Arrow batches without an extra copy of the rows
            f"SELECT i.rowid AS row, t.rowid AS time_cell, p.rowid AS place_cell, i.killed::DOUBLE AS killed, "
            f"i.injured::DOUBLE AS injured FROM incidents i JOIN cube_time t ON {same('t', CUBES['cube_time'])} "
            f"JOIN cube_place p ON {same('p', CUBES['cube_place'])}").to_arrow_reader(1 << 20)
        for batch in reader:
            row = batch.column("row").to_numpy(zero_copy_only=False).astype(np.int64)
            seen += np.bincount(row, minlength=n_rows)
            for i, name in enumerate(CELL_ROWS):  # NULL -> NaN
                out[i, row] = batch.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
        out.flush()
    except BaseException:
        del out
        _drop_cell_rows(index, keep=None)
        raise
    del out
    if not bool((seen == 1).all()):  # a value the join does not find (or finds twice): searches copy rows as before
        _drop_cell_rows(index, keep=None)
        return None
    con.execute(f"CREATE TABLE {CELL_TABLE} AS SELECT ? AS file, ?::BIGINT AS n_rows", [path.name, n_rows])
    return path


def build_text_index(con) -> None:
    """The free-text search's word index over `incidents` in the DuckDB database of `con` (see `WORD_PATTERN`):
    `search_words` (word_id, word, n rows, frequent) and `search_word_rows` (word_id, row: the incident's rowid),
    ordered by word; a word in more than half of the rows ("in", "the") is kept as the rows without it instead
    (`search_absent`): the shorter list, read whenever a term is found inside that word.

    Words are cut by DuckDB's own regular expressions, and a query's terms are judged by the same pattern (kept in
    `search_meta`), so both sides agree on what a word character is. At 10^6 synthetic incidents: ~10 words a row."""
    con.execute("DROP TABLE IF EXISTS search_row_words")
    con.execute("DROP TABLE IF EXISTS search_postings")  # the first format's (2026-12-01 02:19-02:30), not read
    con.execute(f"CREATE TABLE search_row_words AS SELECT rowid::BIGINT AS row, unnest(list_distinct("
                f"regexp_extract_all(search_text, '{WORD_PATTERN}'))) AS word FROM incidents")
    n_rows = int(con.execute("SELECT count(*) FROM incidents").fetchall()[0][0])
    con.execute("CREATE OR REPLACE TABLE search_words AS SELECT (row_number() OVER (ORDER BY word))::INTEGER AS word_id, "
                "word, n, 2 * n > ? AS frequent FROM (SELECT word, count(*) AS n FROM search_row_words GROUP BY word)",
                [n_rows])
    con.execute("CREATE OR REPLACE TABLE search_word_rows AS SELECT w.word_id, r.row FROM search_row_words r "
                "JOIN search_words w USING (word) WHERE NOT w.frequent ORDER BY w.word_id, r.row")
    con.execute("CREATE OR REPLACE TABLE search_absent (word_id INTEGER, row BIGINT)")
    for word_id, word in con.execute("SELECT word_id, word FROM search_words WHERE frequent ORDER BY word_id").fetchall():
        con.execute("INSERT INTO search_absent SELECT ?, rowid FROM incidents WHERE rowid NOT IN (SELECT row FROM "
                    "search_row_words WHERE word = ?) ORDER BY rowid", [word_id, word])
    con.execute("DROP TABLE search_row_words")
    con.execute("CREATE OR REPLACE TABLE search_meta AS SELECT ? AS pattern, (SELECT count(*) FROM incidents) AS n_rows",
                [WORD_PATTERN])


def has_text_index(con, database: str = "idx") -> bool:
    """Whether the index attached as `database` holds the word index (datasets written before it do not)."""
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND list_contains(?::VARCHAR[], "
                        "table_name)", [database, list(TEXT_TABLES)]).fetchall()[0][0]
    return int(found) == len(TEXT_TABLES)


def add_text_index(folder: str | Path) -> tuple[Path, bool]:
    """Add the free-text search's word index and cell rows (`build_cell_rows`) to a dataset's DuckDB index written
    before they existed, in place (the dataset's own index, or the cached one `index_for` would open); (index path,
    whether anything was added). No dashboard may have the dataset open meanwhile: DuckDB writes the file."""
    import duckdb

    folder = Path(folder)
    if not is_dataset(folder):
        raise FileNotFoundError(f"{folder} is not an incident dataset (no atlas.json)")
    meta = json.loads((folder / "atlas.json").read_text(encoding="utf-8"))
    index = index_for(folder, meta)
    con = duckdb.connect(str(index))
    cells = None
    try:
        database = con.execute("SELECT current_database()").fetchall()[0][0]
        words, rows = has_text_index(con, database), _cell_rows_file(con, index, database) is not None
        if words and rows:
            return index, False
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET memory_limit = '1GB'")
        con.execute("SET enable_progress_bar = false")
        if not words:
            build_text_index(con)
        if not rows:
            cells = build_cell_rows(con, index)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if not rows:
        _drop_cell_rows(index, keep=cells)
    return index, True


def _cell_rows_file(con, index: Path, database: str = "idx") -> Path | None:
    """The cell rows file (`build_cell_rows`) of the index attached as `database`, if it has one and it is there
    whole (as many rows as the index's incidents)."""
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
                        [database, CELL_TABLE]).fetchall()[0][0]
    if not int(found):
        return None
    name, n_rows = con.execute(f"SELECT file, n_rows FROM {database}.{CELL_TABLE}").fetchall()[0]
    path = index.with_name(str(name))
    try:
        cells = np.load(path, mmap_mode="r")
    except (OSError, ValueError):
        return None
    ok = cells.dtype == np.float64 and cells.shape == (len(CELL_ROWS), int(n_rows)) and int(n_rows) == int(
        con.execute(f"SELECT count(*) FROM {database}.incidents").fetchall()[0][0])
    for kind in CUBES:
        try:
            ok = ok and _read_cube_dims(path, kind).num_rows == int(
                con.execute(f"SELECT count(*) FROM {database}.{kind}").fetchall()[0][0])
        except (OSError, ValueError):
            return None
    return path if ok else None


def _read_through(path: Path, chunk: int = 8 << 20) -> None:
    """Read a file once, in the background, so that its pages are in the page cache before the first search needs
    them (a broad search touches every page of the cell rows: read cold, page by page, it cost 100+ ms)."""
    try:
        with open(path, "rb", buffering=0) as f:
            while f.read(chunk):
                pass
    except OSError:
        pass


def _read_cube_dims(cells: Path, kind: str):
    """A cube's dimension columns (Arrow, memory-mapped: nothing read until used)."""
    import pyarrow as pa

    return pa.ipc.open_file(pa.memory_map(str(_cube_dims_file(cells, kind)))).read_all()


def index_for(folder: Path, meta: dict) -> Path:
    """The dataset's DuckDB index: its own when current, else one built in the cache folder (a read-only share,
    a dataset copied without it)."""
    import duckdb

    own = folder / INDEX_NAME
    written_at = str(meta.get("written_at", ""))

    def current(path: Path) -> bool:
        if not path.is_file():
            return False
        try:
            con = duckdb.connect(str(path), read_only=True)
            try:
                found = con.execute("SELECT written_at, layout, cubes FROM index_meta").fetchone()
            finally:
                con.close()
        except Exception:  # noqa: BLE001 - a damaged or foreign file is rebuilt
            return False
        return found == (written_at, LAYOUT_VERSION, CUBE_VERSION)

    if current(own):
        return own
    from events.settings import cache_dir

    key = hashlib.sha1(f"{folder.resolve()}|{written_at}|{LAYOUT_VERSION}|{CUBE_VERSION}".encode()).hexdigest()[:16]
    cached = cache_dir() / "warehouse" / f"{key}.duckdb"
    cached.parent.mkdir(parents=True, exist_ok=True)
    if not current(cached):
        build_index(folder, cached, written_at)
    return cached


# ------------------------------------------------------------------------------------------------- corrections

def correction_references(corrections: Sequence[Any]) -> tuple[set[str], set[tuple[str, int, int]]]:
    """Incident ids a list of corrections names and the mention spans they follow (`store.correction_references`)."""
    from events.store import correction_references as references

    return references(corrections)


# ------------------------------------------------------------------------------------------------- SQL

@dataclass(frozen=True)
class Sql:
    """A WHERE clause with its parameters (DuckDB `?` placeholders), and the columns it reads when they are known
    (a selection's clause: a pre-aggregated table holding them all answers its counts)."""

    where: str
    params: tuple
    columns: frozenset | None = None

    def __and__(self, other: "Sql") -> "Sql":
        both = self.columns | other.columns if self.columns is not None and other.columns is not None else None
        return Sql(f"({self.where}) AND ({other.where})", self.params + other.params, both)


def _sql_key(sql: "Sql | None") -> tuple | None:
    """A hashable stand-in for a clause (its parameters may hold lists), for the kept answers."""
    return None if sql is None else (sql.where, repr(sql.params))


# ------------------------------------------------------------------------------------------------- selections

MAX_SELECTED_MARKS = 2000  # marks a selection reads beyond this many are left out (a box over a whole chart)


def timeline_mark_key(bin_name: str, group_by: str, row: Any, kind: Any, point: bool, x0: int, x1: int) -> str:
    """What a timeline mark stands for, as the chart carries it (plotly customdata): its bin, row, type, point or
    span and days; `selection_sql` turns it back into the incidents it holds."""
    return json.dumps(["t", bin_name, group_by, _text_or_none(row), _text_or_none(kind), bool(point), int(x0), int(x1)],
                      ensure_ascii=False)


def map_mark_key(cell: float, kind: Any, cy: int, cx: int) -> str:
    """What a grouped map mark stands for: incidents of one type in one grid cell."""
    return json.dumps(["m", float(cell), _text_or_none(kind), int(cy), int(cx)], ensure_ascii=False)


def cell_mark_key(cell: float, cy: int, cx: int) -> str:
    """What a map mark of all types stands for: every placed incident in one grid cell (the world view)."""
    return json.dumps(["c", float(cell), int(cy), int(cx)], ensure_ascii=False)


def _json_values(values: Sequence[Any]) -> list[str]:
    """Each value as `json.dumps` writes it inside a mark key, text written once per distinct value."""
    written: dict[Any, str] = {}
    out = []
    for value in values:
        value = _text_or_none(value)
        if value not in written:
            written[value] = json.dumps(value, ensure_ascii=False)
        out.append(written[value])
    return out


def timeline_mark_keys(bin_name: str, group_by: str, marks: pd.DataFrame) -> list[str]:
    """`timeline_mark_key` (or `incident_mark_key` for single incidents, bin "none") of every mark of a table from
    `Warehouse.timeline_marks`, the same text, written without a json.dumps per mark (thousands per rerun)."""
    if bin_name == "none":
        return [incident_mark_key(i) for i in marks["first_id"].tolist()]
    head = json.dumps(["t", bin_name, group_by], ensure_ascii=False)[:-1]
    return [f"{head}, {r}, {k}, {'true' if p else 'false'}, {int(a)}, {int(b)}]"
            for r, k, p, a, b in zip(_json_values(marks["row"].tolist()), _json_values(marks["type"].tolist()),
                                     marks["point"].tolist(), marks["x0"].tolist(), marks["x1"].tolist())]


def map_mark_keys(cell: float, marks: pd.DataFrame) -> list[str]:
    """`map_mark_key` (or `incident_mark_key` below the mark limit, cell 0) of every mark of a table from
    `Warehouse.map_marks`, the same text, written without a json.dumps per mark."""
    if not cell:
        return [incident_mark_key(i) for i in marks["first_id"].tolist()]
    if "types" in marks:  # cells of all types (`Warehouse.map_marks(mixed=True)`)
        return [cell_mark_key(cell, y, x) for y, x in zip(marks["cy"].tolist(), marks["cx"].tolist())]
    head = json.dumps(["m", float(cell)], ensure_ascii=False)[:-1]
    return [f"{head}, {k}, {int(y)}, {int(x)}]" for k, y, x in
            zip(_json_values(marks["type"].tolist()), marks["cy"].tolist(), marks["cx"].tolist())]


def incident_mark_key(incident_id: str) -> str:
    return json.dumps(["i", str(incident_id)], ensure_ascii=False)


def _text_or_none(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else str(value)


def _bin_start_sql(unit: str) -> str:
    """The first day (day number) of start_day's bin, as `_bin_start_days` computes it."""
    if unit == "day":
        return "start_day"
    if unit == "week":
        return "(start_day - (((start_day + 3) % 7) + 7) % 7)"
    # undated rows hold _NO_DAY, out of DuckDB's date range: not turned into a date (SQL does not short-circuit)
    return (f"(CASE WHEN start_day = {_NO_DAY} THEN NULL ELSE date_diff('day', DATE '1970-01-01', "
            f"date_trunc('{unit}', DATE '1970-01-01' + start_day::INTEGER)::DATE) END)")


_IN_CELL = "lat IS NOT NULL AND lon IS NOT NULL AND isfinite(lat) AND isfinite(lon) AND floor(lat / ?) = ? AND floor(lon / ?) = ?"


def selection_sql(keys: Sequence[str]) -> Sql | None:
    """The incidents a chart selection holds (mark keys from `timeline_mark_key`, `map_mark_key`, `cell_mark_key`,
    `incident_mark_key`), as a clause over the incidents; None for an empty or unreadable selection."""
    ids: list[str] = []
    parts: list[str] = []
    params: list[Any] = []
    read: set[str] = set()  # the columns the clause reads
    bins = dict(TIME_BINS)
    days_seen: list[int] = []  # the marks' days and cells' edges, for a range DuckDB can test inside its scan
    box: list[tuple[float, float, float, float]] = []
    for key in list(keys)[:MAX_SELECTED_MARKS]:
        try:
            item = json.loads(key)
            if item[0] == "i":
                ids.append(str(item[1]))
            elif item[0] == "t":
                _, bin_name, group_by, row, kind, point, x0, x1 = item
                clause = f"{_group_sql(group_by)} = ? AND type IS NOT DISTINCT FROM ? AND start_day <> {_NO_DAY}"
                args: list[Any] = [row, kind]
                if bin_name == "none":
                    continue  # single incidents carry "i" keys
                days = bins[bin_name]
                is_point = "is_day" if bin_name == "day" else f"(is_day OR stop_day - start_day + 1 <= {int(days)})"
                if point:
                    clause += f" AND {is_point} AND {_bin_start_sql(bin_name)} + {int(days) // 2} = ?"
                    args.append(int(x0))
                else:
                    clause += f" AND NOT {is_point} AND start_day = ? AND stop_day = ?"
                    args += [int(x0), int(x1)]
                parts.append(clause)
                params += args
                read |= _GROUP_COLUMNS.get(group_by, _GROUP_COLUMNS["type"]) | {"type", "start_day", "stop_day",
                                                                                  "is_day"}
                days_seen += [int(x0), int(x1)]
            elif item[0] in ("m", "c"):
                if item[0] == "m":
                    _, cell, kind, cy, cx = item
                    parts.append("type IS NOT DISTINCT FROM ? AND " + _IN_CELL)
                    params += [kind, float(cell), int(cy), float(cell), int(cx)]
                    read |= {"type", "lat", "lon"}
                else:
                    _, cell, cy, cx = item
                    parts.append(_IN_CELL)
                    params += [float(cell), int(cy), float(cell), int(cx)]
                    read |= {"lat", "lon"}
                cell = float(cell)
                box.append((int(cy) * cell, (int(cy) + 1) * cell, int(cx) * cell, (int(cx) + 1) * cell))
        except (ValueError, TypeError, KeyError, IndexError):
            continue  # a selection from another page version: ignored, not an error
    if ids:
        parts.append("list_contains(?::VARCHAR[], id)")
        params.append(ids)
        read.add("id")
    if not parts:
        return None
    where = " OR ".join(f"({p})" for p in parts)
    # Implied by the clause, but a plain range DuckDB tests inside its scan (reading the other columns only for the
    # rows that pass, and skipping the index's blocks of other days): the cells' tests read every column of every row
    if not ids and days_seen and not box:  # a mark's incidents start within a year of its days
        where = f"({where}) AND start_day BETWEEN ? AND ?"
        params += [min(days_seen) - 366, max(days_seen) + 366]
    elif not ids and box and not days_seen:  # a cell's incidents lie inside it (a margin for rounding)
        margin = 1e-6 * max(b[1] - b[0] for b in box) + 1e-9
        where = f"({where}) AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
        params += [min(b[0] for b in box) - margin, max(b[1] for b in box) + margin,
                   min(b[2] for b in box) - margin, max(b[3] for b in box) + margin]
    return Sql(where, tuple(params), frozenset(read))


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
    if not state.background:
        parts.append("NOT is_background")
    if state.regions:
        parts.append("coalesce(list_contains(?::VARCHAR[], region), FALSE)")
        params.append(list(state.regions))
    if state.actors:
        parts.append("coalesce(list_has_any(actor_list, ?::VARCHAR[]), FALSE)")
        params.append(list(state.actors))
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


# what a filtered subset (`Warehouse._subset`) can hold, and what it holds at least: the columns of the page's count,
# timeline by type, map and table page (and the country, the sidebar's counts by country)
_SUBSET_COLUMNS = ("id", "type", "type_label", "country", "continent", "region", "admin1", "precision", "is_day",
                   "start_day", "stop_day", "lat", "lon", "killed", "injured")
_PAGE_COLUMNS = ("id", "type", "type_label", "country", "is_day", "start_day", "stop_day", "lat", "lon", "killed",
                 "injured")
def _columns_read(sql: "Sql | None") -> set[str]:
    """The subset columns a selection clause needs: none without one, every one when it does not say which."""
    return set() if sql is None else set(sql.columns or _SUBSET_COLUMNS)


# the columns `_group_sql` reads for each timeline grouping
_GROUP_COLUMNS = {"continent": frozenset({"continent"}), "region": frozenset({"region"}),
                  "country": frozenset({"country"}), "admin1": frozenset({"admin1", "country"}),
                  "type": frozenset({"type_label", "type"})}


def _group_sql(group_by: str) -> str:
    """The timeline row of an incident (as `views.group_values`, with country codes, named later)."""
    blank = "coalesce(trim({c}), '') = ''"
    if group_by == "continent":
        value = "coalesce(continent, '')"
    elif group_by == "region":
        value = "coalesce(region, '')"
    elif group_by == "country":
        value = "coalesce(country, '')"
    elif group_by == "admin1":
        value = "CASE WHEN coalesce(admin1, '') = '' THEN coalesce(country, '') ELSE admin1 END"
    else:
        value = "coalesce(type_label, type)"
    return f"CASE WHEN {blank.format(c=value)} THEN 'Unknown' ELSE {value} END"


def _map_cell(kind: np.ndarray, lat: np.ndarray, lon: np.ndarray, limit: int,
              known: dict | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """(cell, cy, cx): the first of `MAP_CELLS` (finest first) whose (type, cell) groups number at most `limit`, the
    last if none, with each point's cell.

    Counting groups costs a hash of every point per cell size; a cell nested in a coarser one that has too many
    groups has at least as many (each of its groups lies in one of the coarser cell's), so it is skipped without
    counting once the nesting is checked on these points (integer division of the cell numbers, no rounding left
    to doubt): at the world view three sizes are counted instead of ten.

    `known` keeps what depends on the points' places only (each size's cell numbers, which sizes nest on them)
    for another call on the same points (the world view asks by type, then for cells of all types)."""
    known = {} if known is None else known
    if "cells" not in known:
        known["cells"] = {c: (np.floor(lat / c).astype(np.int64), np.floor(lon / c).astype(np.int64)) for c in MAP_CELLS}
        known["nested"] = {}
    cells, nested = known["cells"], known["nested"]

    def nests(c: float, coarse: float, m: int) -> bool:
        if (c, coarse) not in nested:
            nested[(c, coarse)] = bool(np.array_equal(cells[c][0] // m, cells[coarse][0]) and
                                       np.array_equal(cells[c][1] // m, cells[coarse][1]))
        return nested[(c, coarse)]

    @cache
    def too_many(c: float) -> bool:
        for coarse in reversed(MAP_CELLS):
            ratio = coarse / c
            if coarse <= c or abs(ratio - round(ratio)) > 1e-9 or not too_many(coarse):
                continue
            if nests(c, coarse, int(round(ratio))):
                return True
        cy, cx = cells[c]
        return _codes(kind, np.zeros(len(kind), bool), cy - cy.min(), cx - cx.min(),
                      width=int(max(cy.max() - cy.min(), cx.max() - cx.min())) + 1)[1] > limit

    chosen = next((c for c in MAP_CELLS if not too_many(c)), MAP_CELLS[-1])
    return (chosen, *cells[chosen])


def _mark_days(start: np.ndarray, stop: np.ndarray, is_day: np.ndarray, name: str,
               length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point, x0, x1) of each incident's timeline mark in bin `name`: no longer than the bin, a point at the bin's
    middle day; longer, a span of its own days."""
    point = is_day if name == "day" else is_day | (stop - start + 1 <= length)
    middle = _bin_start_days(start, name) + length // 2
    return point, np.where(point, middle, start), np.where(point, middle, stop)


def _bin_start_days(days: np.ndarray, unit: str) -> np.ndarray:
    """Day numbers of the first day of each day's week (Monday), month, quarter or year (as the views bin)."""
    if unit == "day":
        return days.astype(np.int64)
    if unit == "week":  # 1970-01-01 was a Thursday
        n = days.astype(np.int64)
        return n - (n + 3) % 7
    days = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    if unit == "quarter":
        months = days.astype("datetime64[M]").astype(np.int64)
        return (months - months % 3).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    code = {"month": "M", "year": "Y"}[unit]
    return days.astype(f"datetime64[{code}]").astype("datetime64[D]").astype(np.int64)


def _dims_sql(dims: Sequence[str]) -> str:
    return ", ".join(f'"{d}"' for d in dims)


def _cube_sql(source: str, dims: Sequence[str], sign: int = 1) -> str:
    """The incidents of `source` counted per combination of `dims`: n, and killed/injured as sums with the number of
    figures summed (a sum of no figure is NULL, as SQL's own), so a delta (sign -1) can be subtracted."""
    return (f"SELECT {_dims_sql(dims)}, {sign} * count(*) AS n, {sign} * coalesce(sum(killed), 0)::BIGINT AS killed, "
            f"{sign} * count(killed) AS killed_n, {sign} * coalesce(sum(injured), 0)::BIGINT AS injured, "
            f"{sign} * count(injured) AS injured_n FROM {source} GROUP BY ALL")


def _cube_for(state: "FilterState", *kinds: str, within: Sql | None = None) -> str | None:
    """The first of the cubes `kinds` whose columns are all `state`'s filters (and the clause `within`) read, if any."""
    if _costly(state) or state.min_killed > 0:
        return None
    for kind in kinds:
        if within is not None and (within.columns is None or not within.columns <= set(CUBES[kind])):
            continue
        if kind == "cube_time" and not (state.continents or state.countries or state.admin1s or state.regions):
            return kind
        if kind == "cube_place" and not (state.month_from or state.month_to):
            return kind
    return None


def _cube_filter_state(state: "FilterState") -> "FilterState":
    """The filters a cube answering `state` is read with: all but the search (a search's cube counts only the
    incidents holding its words, `Warehouse._text_cube`)."""
    return replace(state, text="") if state.text.split() else state


def _cube_filter(state: "FilterState") -> Sql:
    return filter_sql(_cube_filter_state(state))


def _costly(state: "FilterState") -> bool:
    """Whether a filter state holds a filter that is costly per row (worth running once into a temporary table)."""
    return bool(state.text.split() or state.sources or state.actors)


def _filters_only(state: "FilterState") -> tuple:
    """The parts of a filter state that decide which incidents pass (not the timeline grouping)."""
    return (state.sources, state.month_from, state.month_to, state.continents, state.countries, state.admin1s,
            state.types, state.min_killed, " ".join(state.text.lower().split()), state.regions, state.actors,
            bool(state.background))


def _codes(base: np.ndarray, flag: np.ndarray, a: np.ndarray, b: np.ndarray, width: int) -> tuple[np.ndarray, int]:
    """Group number of each (base, flag, a, b) key (a, b in 0..width-1) and the number of groups."""
    if (int(base.max(initial=0)) + 1) * 2 * width * width < 2**62:
        key = ((base * 2 + flag) * width + a) * width + b
        codes, uniques = pd.factorize(key)
    else:  # too wide for one integer (centuries of days): slower, same groups
        codes, uniques = pd.factorize(pd.MultiIndex.from_arrays([base, flag, a, b]))
    return codes.astype(np.int64), len(uniques)


def _sum_groups(frame: pd.DataFrame, codes: np.ndarray, firsts: list[str], extra_sums: Sequence[str] = ()) -> pd.DataFrame:
    """Per group: the key columns (`firsts`), n and extra columns summed, casualties summed (NaN when no member has
    a figure), the smallest id - all vectorised (no Python per group).

    Groups numbered as `_codes` numbers them (in order of first appearance) are summed with numpy's bincount: a
    pandas groupby of a few 100,000 rows cost 20-40 ms a chart on every filter rerun."""
    k = int(codes.max()) + 1 if len(codes) else 0
    starts = np.flatnonzero(np.r_[True, codes[1:] > np.maximum.accumulate(codes)[:-1]]) if len(codes) else codes
    if "first_id" not in frame and len(starts) == k and np.array_equal(codes[starts], np.arange(k)):
        out = pd.DataFrame({name: frame[name].to_numpy()[starts] for name in firsts})
        out["n"] = np.bincount(codes, weights=frame["n"].to_numpy(float), minlength=k).astype(np.int64)
        for name in extra_sums:
            out[name] = np.bincount(codes, weights=frame[name].to_numpy(float), minlength=k)
        for name in ("killed", "injured"):
            values = frame[name].to_numpy(float)
            known = ~np.isnan(values)
            total = np.bincount(codes, weights=np.where(known, values, 0.0), minlength=k)
            out[name] = np.where(np.bincount(codes, weights=known, minlength=k) > 0, total, np.nan)
        out["selected"] = np.bincount(codes, weights=frame["selected"].to_numpy(bool), minlength=k) > 0
        return out
    groups = frame.groupby(codes, sort=False)
    out = groups[firsts].first()
    out["n"] = groups["n"].sum()
    for name in extra_sums:
        out[name] = groups[name].sum()
    for name in ("killed", "injured"):
        out[name] = groups[name].sum(min_count=1)
    if "first_id" in frame:
        out["first_id"] = groups["first_id"].min()  # an example for the hover: the smallest id, whatever the order
    out["selected"] = groups["selected"].any()
    return out.reset_index(drop=True)


def _cells_of_all_types(marks: pd.DataFrame) -> pd.DataFrame:
    """Marks by (type, cell) summed per cell: n, casualties (NaN when no member has a figure), weighted positions,
    selected; `type` the most frequent type (ties: the first in type order) and `types` the (type, n) pairs, most
    first, so the mark's hover says which incidents it holds."""
    order = marks.assign(_t=marks["type"].fillna("")).sort_values(["cy", "cx", "n", "_t"], ascending=[True, True, False, True])
    cell = order.groupby(["cy", "cx"], sort=False)
    out = cell[["type"]].first()
    for name in ("n", "wlat", "wlon"):
        out[name] = cell[name].sum()
    for name in ("killed", "injured"):
        out[name] = cell[name].sum(min_count=1)
    out["selected"] = cell["selected"].any()
    pairs: dict[tuple[int, int], list[tuple[str | None, int]]] = {}
    for y, x, kind, count in zip(order["cy"].tolist(), order["cx"].tolist(), order["type"].tolist(), order["n"].tolist()):
        pairs.setdefault((y, x), []).append((_text_or_none(kind), int(count)))
    out = out.reset_index()
    out["types"] = [pairs[(y, x)] for y, x in zip(out["cy"].tolist(), out["cx"].tolist())]
    return out


class Warehouse:
    """DuckDB over one incident dataset (see `write_dataset`), with an optional corrections store laid over it.

    Every query reads the `incidents` view: the Parquet rows the corrections do not touch, plus the touched rows
    as corrected (hidden ones left out). `refresh()` re-reads the corrections after an analyst saved one."""

    def __init__(self, folder: str | Path, corrections=None, memory_limit: str = "1GB", threads: int = 0,
                 use_cubes: bool = True):
        import duckdb

        self.folder = Path(folder)
        if not is_dataset(self.folder):
            raise FileNotFoundError(f"{self.folder} is not an incident dataset (no atlas.json); write one with "
                                    f"'events extract CORPUS --out {self.folder}'")
        self.meta = json.loads((self.folder / "atlas.json").read_text(encoding="utf-8"))
        if int(self.meta.get("layout", 0)) < LAYOUT_VERSION:
            raise ValueError(f"{self.folder} was written by an older atlas (dataset layout {self.meta.get('layout')}, "
                             f"this atlas reads {LAYOUT_VERSION}); write it again with 'events extract CORPUS --out "
                             f"{self.folder}'")
        self.store = corrections
        self._lock = threading.RLock()  # re-entered: a refresh reads the documents under its lock
        self.index = index_for(self.folder, self.meta)
        self.con = duckdb.connect()
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute(f"ATTACH '{self.index.as_posix()}' AS idx (READ_ONLY)")
        self.con.execute("CREATE VIEW base_incidents AS SELECT * FROM idx.incidents")
        self.con.execute(f"CREATE VIEW documents AS SELECT * FROM read_parquet('{(self.folder / 'documents.parquet').as_posix()}')")
        self.columns = [r[0] for r in self.con.execute("DESCRIBE base_incidents").fetchall()]
        self._mention_columns: list[str] | None = None  # set with the mention views, on first use
        self._mentions_sql: str | None = None  # the `mentions` view's query, until it is made
        self.orphans = pd.DataFrame()
        self.followed = pd.DataFrame()
        self._documents: pd.DataFrame | None = None
        self._answers: dict[tuple, Any] = {}
        self._subsets: dict[tuple, tuple[str, frozenset]] = {}  # filter state -> (temporary table, its columns)
        self._found: dict[tuple, str] = {}  # search terms -> temporary table of the base rows holding them all
        self._found_arrays: dict[tuple, np.ndarray] = {}  # search terms -> those rowids, sorted
        self.text_index = has_text_index(self.con)  # False: an index written before the word index (terms scanned)
        self._n_rows = int(self.con.execute("SELECT n_rows FROM idx.search_meta").fetchall()[0][0]) \
            if self.text_index else 0
        self._word_pattern = self.con.execute("SELECT pattern FROM idx.search_meta").fetchall()[0][0] \
            if self.text_index else WORD_PATTERN
        self._cube_views: set[str] = set()
        self.use_cubes = use_cubes  # False: every answer from the incidents (the tests compare both)
        # the cell rows beside the index (None: an index written before them; a search copies its rows)
        self._cells_path = _cell_rows_file(self.con, self.index)
        self._cells: np.ndarray | None = None  # memory-mapped on the first search (pages read as a search needs them)
        if self._cells_path is not None:
            threading.Thread(target=_read_through, args=(self._cells_path,), daemon=True,
                             name="cell-rows-read-ahead").start()
        self._cube_dims: dict[str, Any] = {}  # cube -> its dimension columns (Arrow, memory-mapped)
        self._text_cubes: dict[tuple, dict[str, str]] = {}  # (version, terms) -> cube -> registered counted rows
        self._selected_relations: list[str] = []  # registered days of the latest selections (`_selected_days`)
        self._touched_rows: np.ndarray | None = None  # rowids of the extracted incidents corrections replace
        self.version = 0
        self.refresh()

    @property
    def mention_columns(self) -> list[str]:
        self._need_mentions()
        return self._mention_columns or []

    def _need_mentions(self) -> None:
        """The `base_mentions` and `mentions` views, made when a mention is first asked for: binding the glob of the
        monthly mention files (hundreds of folders) cost 0.3-1.5 s of every opening, and most views read none."""
        with self._lock:
            if self._mention_columns is None:
                self.con.execute(f"CREATE VIEW base_mentions AS SELECT * FROM {_parquet_glob(self.folder, 'mentions')}")
                self._mention_columns = [r[0] for r in self.con.execute("DESCRIBE base_mentions").fetchall()]
            if self._mentions_sql is not None:
                self.con.execute(f"CREATE OR REPLACE VIEW mentions AS {self._mentions_sql}")
                self._mentions_sql = None

    def _mentions_view(self, sql: str) -> None:
        """The corrected `mentions` view: made now if the mention views are in use, else on first use."""
        self._mentions_sql = sql
        if self._mention_columns is not None:
            self._need_mentions()

    # ---- corrections

    def refresh(self) -> None:
        """(Re)build the corrected `incidents` view from the store's corrections in force."""
        corrections = self.store.corrections() if self.store is not None else []
        ids, spans = correction_references(corrections)
        with self._lock:
            ids |= self._holding_mentions(spans)
        ids = sorted(ids)
        with self._lock:
            self._drop_subsets()
            self._drop_text_cubes()
            self._touched_rows = None
            self.con.execute("DROP VIEW IF EXISTS incidents")
            self.con.execute("DROP VIEW IF EXISTS mentions")
            self._mentions_sql = None
            for name in ("overlay", "overlay_mentions"):
                try:
                    self.con.unregister(name)
                except Exception:  # noqa: BLE001 - not registered yet
                    pass
            extra = ", ".join(f"{value} AS {name}" for name, value in CORRECTION_COLUMNS.items())
            for name in CUBES:
                self.con.execute(f"DROP VIEW IF EXISTS {name}" if name in self._cube_views else f"DROP TABLE IF EXISTS {name}")
            if not ids:
                self.con.execute(f"CREATE VIEW incidents AS SELECT *, {extra} FROM base_incidents")
                self._mentions_view("SELECT * FROM base_mentions")
                for name in CUBES:
                    self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM idx.{name}")
                self._cube_views = set(CUBES)
                self.touched: list[str] = []
                self.version += 1
                return
            from events.store import replay_corrections

            base = self.con.execute("SELECT * FROM base_incidents WHERE list_contains(?::VARCHAR[], id)", [ids]).df()
            # their mentions, from their months' files only
            folders = [(self.folder / "mentions" / f"month={m}").as_posix() + "/*.parquet"
                       for m in sorted(set(base["month"].astype(str))) if (self.folder / "mentions" / f"month={m}").is_dir()]
            if folders:
                ments = self.con.execute(f"SELECT * FROM read_parquet(?::VARCHAR[], hive_partitioning = true) "
                                         f"WHERE list_contains(?::VARCHAR[], incident_id)", [folders, ids]).df()
            else:
                self._need_mentions()
                ments = self.con.execute("SELECT * FROM base_mentions LIMIT 0").df()
            plain = [c for c in base.columns if c not in DERIVED_COLUMNS]
            plain_m = [c for c in ments.columns if c != "month"]
            fixed, fixed_m, self.orphans, self.followed = replay_corrections(base[plain], ments[plain_m], corrections,
                                                                             include_hidden=True)
            overlay = derived_columns(fixed, self._documents_for_rules(), fixed_m)
            overlay = overlay.reindex(columns=[c for c in self.columns if c in overlay.columns] + list(CORRECTION_COLUMNS))
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
            self._mentions_view(
                "SELECT * FROM base_mentions WHERE incident_id NOT IN (SELECT id FROM touched) "
                "UNION ALL BY NAME SELECT * FROM overlay_mentions WHERE incident_id IN (SELECT id FROM overlay WHERE NOT hidden)")
            # the cubes with the corrections as deltas: the touched rows as extracted taken out, as corrected put in
            for name, dims in CUBES.items():
                self.con.execute(
                    f"CREATE TEMP TABLE {name} AS SELECT {_dims_sql(dims)}, sum(n)::BIGINT AS n, sum(killed)::BIGINT AS "
                    f"killed, sum(killed_n)::BIGINT AS killed_n, sum(injured)::BIGINT AS injured, "
                    f"sum(injured_n)::BIGINT AS injured_n FROM ("
                    f"SELECT * FROM idx.{name} UNION ALL BY NAME "
                    f"{_cube_sql('(SELECT * FROM base_incidents WHERE id IN (SELECT id FROM touched))', dims, -1)} "
                    f"UNION ALL BY NAME {_cube_sql('(SELECT * FROM overlay WHERE NOT hidden)', dims)}) "
                    f"GROUP BY ALL HAVING sum(n) <> 0")
            self._cube_views = set()
            self.touched = ids
            self.version += 1

    def _cube(self, state: "FilterState", *kinds: str, within: Sql | None = None) -> str | None:
        """The pre-aggregated table answering `state` (read with `_cube_filter(state)`), or None. With a search, the
        cube's rows counted over the incidents holding its words (`_text_cube`), when the other filters are the
        cube's own and the index has its cell rows."""
        if not self.use_cubes:
            return None
        if not state.text.split():
            return _cube_for(state, *kinds, within=within)
        if self._cells_path is None:
            return None
        kind = _cube_for(_cube_filter_state(state), *kinds, within=within)
        return None if kind is None else self._text_cube(state, kind)

    def _cells_rows(self) -> np.ndarray:
        with self._lock:
            if self._cells is None:
                self._cells = np.load(self._cells_path, mmap_mode="r")
            return self._cells

    def _dims(self, kind: str):
        """A cube's dimension columns in rowid order (Arrow; its counts come from the cell rows)."""
        with self._lock:
            if kind not in self._cube_dims:
                self._cube_dims[kind] = _read_cube_dims(self._cells_path, kind)
            return self._cube_dims[kind]

    def _text_cube(self, state: "FilterState", kind: str) -> str:
        """A relation shaped as the cube `kind` (its dimensions, n, killed, killed_n, injured, injured_n) counting
        only the incidents whose search text holds every term of `state`'s text, corrections applied: the rows found
        (`_found_rows`) counted into the cube's rows with numpy over the cell rows (no column of the incidents is
        read), the corrected incidents holding the terms laid over as `refresh` lays them over the cubes. Kept per
        search string with the rows found."""
        import pyarrow as pa

        terms = tuple(t for t in state.text.lower().split() if t)
        key = (self.version, terms)
        with self._lock:
            made = self._text_cubes.get(key)
            if made is not None and kind in made:
                return made[kind]
            if made is None:  # the rows found, and their cube rows and figures: read once per search string
                rows = self._found_array(terms)
                if self.touched:  # the extracted rows corrections replace: counted from the overlay below
                    rows = rows[~np.isin(rows, self._touched_base_rows())]
                every = np.asarray(self._cells_rows())  # a plain array: the memmap subclass's take is slower
                cells = {name: every[i][rows] for i, name in enumerate(CELL_ROWS) if name in _CELL_OF.values()}
                figures = {}
                for figure in ("killed", "injured"):
                    values = every[CELL_ROWS.index(figure)][rows]  # a copy: NaN (no figure) set to 0 in place
                    known = ~np.isnan(values)
                    values[~known] = 0.0
                    figures[figure], figures[f"{figure}_n"] = values, known
                made = self._text_cubes[key] = {"_cells": (cells, figures)}
            cells, figures = made["_cells"]
            code = cells[_CELL_OF[kind]].astype(np.int64)
            k = self._dims(kind).num_rows  # the cube's rows (its dimensions are not read here)
            counts = {"n": np.bincount(code, minlength=k)}
            for figure, values in figures.items():  # sums of whole numbers: exact in float64
                counts[figure] = np.bincount(code, weights=values, minlength=k).astype(np.int64)
            # the counts beside the cube's own rows, position by position (the cell rows are its rowids): DuckDB
            # reads only the dimensions a statement asks for from its own storage (at 5x10^6 the map's statement
            # 19-20 -> 10-11 ms CPU against the dimensions registered from the Arrow file) and nothing is copied
            name = f"text_{kind}_{uuid.uuid4().hex[:12]}"
            self.con.register(f"{name}_all", pa.table(counts))
            self.con.execute(f"CREATE TEMP VIEW {name} AS SELECT c.* EXCLUDE ({', '.join(counts)}), k.* FROM "
                             f"idx.{kind} c POSITIONAL JOIN {name}_all k WHERE k.n > 0")
            if self.touched:
                terms_sql = " AND ".join(["contains(search_text, ?)"] * len(terms))
                overlay = f"(SELECT * FROM overlay WHERE NOT hidden AND {terms_sql})"
                dims_sql = _dims_sql(CUBES[kind])
                self.con.execute(
                    f"CREATE TEMP TABLE {name}_corrected AS SELECT {dims_sql}, sum(n)::BIGINT AS n, sum(killed)::BIGINT "
                    f"AS killed, sum(killed_n)::BIGINT AS killed_n, sum(injured)::BIGINT AS injured, "
                    f"sum(injured_n)::BIGINT AS injured_n FROM (SELECT * FROM {name} UNION ALL BY NAME "
                    f"{_cube_sql(overlay, CUBES[kind])}) GROUP BY ALL HAVING sum(n) <> 0", list(terms))
                name = f"{name}_corrected"
            made[kind] = name
            if all(cube in made for cube in _CELL_OF):  # both counted: the rows' cells are not read again
                made.pop("_cells", None)
            while len(self._text_cubes) > self.FOUND:
                self._drop_text_cubes(next(iter(self._text_cubes)))
            return name

    def _touched_base_rows(self) -> np.ndarray:
        """Rowids (sorted) of the extracted incidents the corrections replace or hide."""
        if self._touched_rows is None:
            self._touched_rows = np.sort(np.asarray(self.con.execute(
                "SELECT rowid AS row FROM idx.incidents WHERE id IN (SELECT id FROM touched)").fetchnumpy()["row"],
                dtype=np.int64))
        return self._touched_rows

    def _drop_text_cubes(self, key: tuple | None = None) -> None:
        for found in [key] if key is not None else list(self._text_cubes):
            for kind, name in self._text_cubes.pop(found).items():
                if kind == "_cells":
                    continue
                if name.endswith("_corrected"):
                    self.con.execute(f"DROP TABLE IF EXISTS {name}")
                    name = name[:-len("_corrected")]
                self.con.execute(f"DROP VIEW IF EXISTS {name}")
                self.con.unregister(f"{name}_all")

    def _holding_mentions(self, spans: set[tuple[str, int, int]]) -> set[str]:
        """Incidents with a mention overlapping one of `spans` (doc, start, end): where a correction whose incident
        id changed may have gone (the store re-anchors it by overlap, among exactly these incidents)."""
        if not spans:
            return set()
        self._need_mentions()
        self.con.execute("CREATE OR REPLACE TEMP TABLE anchor_spans (doc VARCHAR, a BIGINT, b BIGINT)")
        self.con.executemany("INSERT INTO anchor_spans VALUES (?, ?, ?)", [list(x) for x in sorted(spans)])
        found = self.con.execute(
            "SELECT DISTINCT m.incident_id FROM base_mentions m JOIN anchor_spans s ON m.doc = s.doc "
            "WHERE TRY_CAST(m.start AS BIGINT) < s.b AND s.a < TRY_CAST(m.\"end\" AS BIGINT)").fetchall()
        return {str(r[0]) for r in found if r[0] is not None}

    def _documents_for_rules(self) -> pd.DataFrame:
        """The documents' publication dates (what the background rule reads), read once."""
        with self._lock:
            if self._documents is None:
                cols = [r[0] for r in self.con.execute("DESCRIBE documents").fetchall()]
                wanted = [c for c in ("doc", "published", "date_source") if c in cols]
                # through Arrow: the same frame, 3-5x faster than .df() for a million documents
                self._documents = self._arrow(f"SELECT {', '.join(wanted)} FROM documents").to_pandas()
            return self._documents

    # ---- queries

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self._lock:
            return self.con.execute(sql, list(params)).df()

    def _arrow(self, sql: str, params: Sequence[Any] = ()):
        with self._lock:  # a relation's Arrow answer: no extra copy of the rows (as `execute` makes: 1-2 ms a query)
            return self.con.sql(sql, params=list(params) or None).to_arrow_table()

    def arrays(self, sql: str, params: Sequence[Any] = ()) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """A query's answer as numpy columns, each text column as integer codes with its values apart (frame, column
        -> values; None among them for NULL): a few 100,000 groups of marks read as pandas text cost more than the
        query, their codes nothing."""
        import pyarrow as pa
        import pyarrow.compute as pc

        table = self._arrow(sql, params)
        columns: dict[str, np.ndarray] = {}
        values: dict[str, np.ndarray] = {}
        for name, column in zip(table.column_names, table.columns):
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                coded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
                columns[name] = coded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
                values[name] = np.array(coded.dictionary.to_pylist() + [None], dtype=object)[:len(coded.dictionary)]
            else:
                columns[name] = column.to_numpy(zero_copy_only=False)
        return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows)), values

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            # every row fetched: a result left open refuses the next `register` (DuckDB 2)
            return self.con.execute(sql, list(params)).fetchall()[0][0]

    def total(self) -> int:
        return int(self.scalar("SELECT count(*) FROM incidents"))

    def count(self, state: "FilterState", within: Sql | None = None) -> int:
        """How many incidents pass `state` (and `within`, a selection: see `selection_sql`)."""
        def make() -> int:
            # a selection of map cells reads type and place, of timeline marks by type type and days: each a table's
            cube = self._cube(state, "cube_place", "cube_time", within=within)
            if cube is not None:
                f = _cube_filter(state) if within is None else _cube_filter(state) & within
                return int(self.scalar(f"SELECT coalesce(sum(n), 0) FROM {cube} WHERE {f.where}", f.params))
            source, params = self._subset(state, () if within is None else within.columns)
            if within is None:
                return int(self.scalar(f"SELECT count(*) FROM {source}", params))
            return int(self.scalar(f"SELECT count(*) FROM {source} WHERE {within.where}", params + list(within.params)))

        return self.cached(("count", _filters_only(state), _sql_key(within)), make)

    def ids(self, state: "FilterState", within: Sql | None = None) -> list[str]:
        """The ids of the incidents passing `state` (and `within`), sorted: from the rows the counts and marks read."""
        source, params = self._subset(state, {"id"} | _columns_read(within))
        where, more = ("TRUE", []) if within is None else (within.where, list(within.params))
        return self.query(f"SELECT id FROM {source} WHERE {where} ORDER BY id", params + more)["id"].tolist()

    def rows(self, state: "FilterState", limit: int = 5000, offset: int = 0, order: str = LATEST_FIRST,
             ids: Sequence[str] | None = None, within: Sql | None = None,
             columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A page of the filtered incidents (within a selection, or with these ids) as the pipeline's table (derived
        columns dropped), or only `columns` of it (and the id; those the dataset has): a page's every column costs a
        decompressed block per column and row it reads, the longest texts most."""
        table, table_params = "incidents", []
        if ids is None and state.text.split() and \
                self.count(state) ** 2 < (int(offset) + int(limit)) * max(int(self.meta.get("incidents", 0)), 1):
            # few rows hold the words: the page reaches far back, where reading the rows found (kept) beats testing
            # every text from the page's first day on (at 5x10^6, 7,176 found: 318 -> 114 ms); with many found, the
            # page's days are few and their texts cheap to test (509,017 found: 22-31 ms against 97)
            table, table_params = self._searched(state)
            state_sql = filter_sql(replace(state, text=""))
        else:
            state_sql = filter_sql(state)
        f = state_sql if within is None else state_sql & within
        where, params = f.where, list(f.params)
        if ids is not None:
            where += " AND list_contains(?::VARCHAR[], id)"
            params.append(list(ids))
        elif within is None and order == LATEST_FIRST and (cube := self._cube(state, "cube_time")) is not None:
            # the latest rows only: from the per-day counts, the day from which on at least offset + limit incidents
            # pass (all of that day kept); the index is ordered by day, so DuckDB skips the blocks before it
            cf = _cube_filter(state)
            days, _ = self.arrays(f"SELECT start_day, sum(n)::BIGINT AS n FROM {cube} WHERE {cf.where} GROUP BY 1 "
                                  f"ORDER BY 1 DESC", cf.params)
            reach = np.flatnonzero(np.cumsum(days["n"].to_numpy(np.int64)) >= int(offset) + int(limit))
            if len(reach):
                where += " AND start_day >= ?"
                params.append(int(days["start_day"].iloc[reach[0]]))
        elif order == LATEST_FIRST and self.count(state, within=within) > int(offset) + int(limit):
            # within a selection (or a filter no table answers): the day of the page's last row, from the columns the
            # filter and the order read (the filtered rows' own table for a costly filter); the page's other columns
            # are then read from that day on only (the index is ordered by day). At 10^6 incidents, 500 rows of a
            # map cell's 1,200: 450 -> 230 ms.
            source, source_params = self._subset(state, ()) if within is None else self._selected(state, within)
            day = self.scalar(f"SELECT start_day FROM {source} ORDER BY start_day DESC LIMIT 1 "
                              f"OFFSET {int(offset) + int(limit) - 1}", source_params)
            if day is not None:
                where += " AND start_day >= ?"
                params.append(int(day))
        if columns is None:
            derived = ", ".join(f'"{c}"' for c in DERIVED_COLUMNS if c in self.columns)
            # the derived columns are never read (the search text is the longest column of all)
            chosen = f"* EXCLUDE ({derived})"
        else:
            known = set(self.columns) - set(DERIVED_COLUMNS) | set(CORRECTION_COLUMNS)
            chosen = ", ".join(f'"{c}"' for c in dict.fromkeys(["id", *columns]) if c in known)
        frame = self.query(f"SELECT {chosen} FROM {table} WHERE {where} ORDER BY {order} "
                           f"LIMIT {int(limit)} OFFSET {int(offset)}", table_params + params)
        frame = frame.drop(columns=[c for c in DERIVED_COLUMNS if c in frame.columns])
        for col in ("killed", "injured"):
            if col in frame:
                frame[col] = frame[col].astype("Int64")
        return frame

    def mentions_of(self, incident_id: str) -> pd.DataFrame:
        """The mentions of one incident (read from its month's Parquet files only, unless corrections moved them)."""
        if incident_id in self.touched:
            self._need_mentions()
            frame = self.query("SELECT * FROM mentions WHERE incident_id = ?", [incident_id])
        else:
            month = self.query("SELECT month FROM base_incidents WHERE id = ?", [incident_id])["month"]
            if not len(month):
                return pd.DataFrame(columns=[c for c in self.mention_columns if c != "month"])
            folder = (self.folder / "mentions" / f"month={month.iloc[0]}").as_posix()
            frame = self.query(f"SELECT * FROM read_parquet('{folder}/*.parquet') WHERE incident_id = ?", [incident_id])
        return frame.drop(columns=["month"], errors="ignore")

    def documents(self) -> pd.DataFrame:
        return self.query("SELECT * FROM documents")

    def value_counts(self, state: "FilterState", column: str) -> pd.DataFrame:
        """(value, n) of one column among the filtered incidents, most frequent first: the sidebar's counts."""
        if column not in ("type", "country", "continent", "region", "admin1", "precision"):
            raise ValueError(f"no counts by {column!r}")
        def make() -> pd.DataFrame:
            cube = self._cube(state, "cube_place") if column in CUBES["cube_place"] else None
            if cube is not None:
                f = _cube_filter(state)
                return self.query(f"SELECT {column} AS value, sum(n)::BIGINT AS n FROM {cube} WHERE {f.where} GROUP BY 1 "
                                  f"HAVING sum(n) > 0 ORDER BY n DESC, value", f.params)
            source, params = self._subset(state, {column})
            return self.query(f"SELECT {column} AS value, count(*) AS n FROM {source} GROUP BY 1 ORDER BY n DESC, value",
                              params)

        return self.cached(("counts", _filters_only(state), column), make)

    def options(self, sources: bool = True) -> "FilterOptions":
        """The values each filter can take (as `views.filter_options` gives them for the whole table); with
        `sources` False, no documents listed (a picker of a million documents is left out: 0.5-0.7 s to read)."""
        return self.cached(("options", bool(sources)), lambda: self._options(bool(sources)))

    def _options(self, sources: bool) -> "FilterOptions":
        from events.views import FilterOptions
        from events.views.filters import MONTHS_LISTED, month_span

        docs = [str(d) for d in self._arrow("SELECT doc FROM documents").column(0).to_pylist() if d is not None] \
            if sources else []
        stop = "(CASE WHEN coalesce(\"end\",'') = '' THEN start ELSE \"end\" END)"
        # one scan: the (first month, last month) pairs there are, and whether a news (not background) incident has it
        # read from the pre-aggregated tables where they hold the column (every combination there has incidents)
        by_day = "cube_time" if self.use_cubes else "incidents"
        by_place = "cube_place" if self.use_cubes else "incidents"
        spans = self.query(f"SELECT start[1:7] AS a, {stop}[1:7] AS b, bool_or(NOT is_background) "
                           f"AS news FROM {by_day} WHERE coalesce(start,'') <> '' GROUP BY ALL")

        def months(news_only: bool) -> tuple[str, ...]:
            chosen = spans[spans["news"].fillna(False).astype(bool)] if news_only else spans  # NULL is not news
            if not len(chosen):
                return ()
            listed = month_span(min(chosen["a"]), max(chosen["b"]))
            if len(listed) > MONTHS_LISTED:  # a few dates decades apart: only the months holding an incident
                listed = sorted(set(chosen["a"]) | set(chosen["b"]))
            return tuple(listed)

        def distinct(column: str) -> tuple[str, ...]:
            values = self.query(f"SELECT DISTINCT {column} AS v FROM {by_place} WHERE trim(coalesce({column}, '')) <> ''")["v"]
            return tuple(sorted(str(v) for v in values))

        killed = self.scalar("SELECT max(killed) FROM incidents")
        n_background = self.scalar(f"SELECT coalesce(sum(n) FILTER (WHERE is_background), 0) FROM {by_day}"
                                   if self.use_cubes else "SELECT count(*) FILTER (WHERE is_background) FROM incidents")
        actors = self.query("SELECT a, count(*) AS n FROM (SELECT unnest(actor_list) AS a FROM incidents) "
                            "WHERE trim(a) <> '' GROUP BY a ORDER BY n DESC, a")["a"]
        return FilterOptions(sources=tuple(docs), months=months(True), all_months=months(False),
                             continents=distinct("continent"), countries=distinct("country"), admin1s=distinct("admin1"),
                             types=distinct("type"), max_killed=int(killed) if pd.notna(killed) else 0,
                             type_labels=self._type_labels(), regions=distinct("region"),
                             actors=tuple(str(a) for a in actors), window=self._reporting_window(),
                             n_background=int(n_background))

    def _type_labels(self) -> tuple[tuple[str, str | None], ...]:
        """(type, label) of each type: the label of its last incident (by id; None where it has none, as the views
        take it).

        A type whose incidents carry one label (NULL counted as one) has that label: read from the time table, whose
        rows hold every (type, label) there is. Only the other types' incidents are read (at 5x10^6 incidents the
        scan of every one took 0.7-2.4 s)."""
        last = "SELECT type, arg_max_null(type_label, id) AS label FROM incidents WHERE type IS NOT NULL{} GROUP BY type"
        if not self.use_cubes:
            labels = self.query(last.format("") + " ORDER BY type")
            return tuple((str(t), _text_or_none(l)) for t, l in zip(labels["type"], labels["label"]))
        kinds = self.query("SELECT type, count(DISTINCT type_label) + bool_or(type_label IS NULL)::INT AS kinds, "
                           "min(type_label) AS label FROM cube_time WHERE type IS NOT NULL GROUP BY type")
        found = {str(t): l for t, l, k in zip(kinds["type"], kinds["label"], kinds["kinds"]) if int(k) == 1}
        mixed = sorted(str(t) for t in kinds["type"] if str(t) not in found)
        if mixed:
            labels = self.query(last.format(" AND list_contains(?::VARCHAR[], type)"), [mixed])
            found.update((str(t), l) for t, l in zip(labels["type"], labels["label"]))
        return tuple((t, _text_or_none(found[t])) for t in sorted(found))

    def _reporting_window(self) -> tuple[str, str] | None:
        """`views.reporting_window` of the documents, in DuckDB (a million documents read into pandas took 0.5 s)."""
        cols = {r[0] for r in self.con.execute("DESCRIBE documents").fetchall()}
        if "published" not in cols:
            return None
        known = "coalesce(date_source, '') <> 'unknown'" if "date_source" in cols else "TRUE"
        first, last = self.con.execute(f"SELECT min(day), max(day) FROM (SELECT coalesce(published::VARCHAR, '')[1:10] "
                                       f"AS day FROM documents WHERE {known}) WHERE day <> ''").fetchall()[0]
        return (str(first), str(last)) if first is not None else None

    # ---- what the figures draw (kept per view: a new session or a rerun that changes only the selection asks again)

    CACHE_ENTRIES = 64

    def forget(self) -> None:
        """Drop the kept answers, filtered subsets and searched rows (benchmarks time the first asking)."""
        with self._lock:
            self._answers.clear()
            self._drop_subsets()
            self._drop_text_cubes()
            for name in self._found.values():
                self.con.execute(f"DROP TABLE IF EXISTS {name}")
            self._found.clear()
            self._found_arrays.clear()

    FOUND = 4  # search strings whose rows are kept

    def _found_rows(self, terms: tuple[str, ...],
                    searched: tuple[np.ndarray | None, list[str]] | None = None) -> str:
        """A temporary table (column `row`: rowids of the extracted incidents, corrections aside) of the incidents
        whose search text holds every term: one search per search string, reused while other filters change.

        Terms the word index answers (`_look_up`) are not scanned; the table is then made from the rowids found
        (`_found_array`), only when a query reads it (the counted views read the rowids, not the table). Terms with
        other characters (punctuation), or so common that their words' rows outnumber the incidents, are tested
        with `contains` in one scan, as without the index. `searched`: `_search(terms)` when already made."""
        with self._lock:
            if terms in self._found:
                self._found[terms] = self._found.pop(terms)
                return self._found[terms]
            name = f"found_{uuid.uuid4().hex[:12]}"
            looked_up, scanned = searched or self._search(terms)
            if looked_up is not None:
                with self._registered_rows("found_rows", looked_up):
                    self.con.execute(f"CREATE TEMP TABLE {name}{'_words' if scanned else ''} AS SELECT row FROM "
                                     f"found_rows")
            if scanned:  # the terms the index does not answer: one scan (of the rows found so far, if any)
                where = " AND ".join(["contains(search_text, ?)"] * len(scanned))
                if looked_up is not None:
                    where += f" AND rowid IN (SELECT row FROM {name}_words)"
                self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT rowid AS row FROM idx.incidents WHERE {where}",
                                 scanned)
                self.con.execute(f"DROP TABLE IF EXISTS {name}_words")
            self._found[terms] = name
            while len(self._found) > self.FOUND:
                self.con.execute(f"DROP TABLE IF EXISTS {self._found.pop(next(iter(self._found)))}")
            return name

    def _found_array(self, terms: tuple[str, ...]) -> np.ndarray:
        """The rowids of `_found_rows(terms)`, sorted: as the look-up gives them when the word index answers every
        term (no table made), else read from the table."""
        with self._lock:
            if terms not in self._found_arrays:
                searched = self._search(terms)
                self._found_arrays[terms] = searched[0] if not searched[1] else np.sort(np.asarray(self.con.execute(
                    f"SELECT row FROM {self._found_rows(terms, searched)}").fetchnumpy()["row"], dtype=np.int64))
            self._found_arrays[terms] = self._found_arrays.pop(terms)
            while len(self._found_arrays) > self.FOUND:
                self._found_arrays.pop(next(iter(self._found_arrays)))
            return self._found_arrays[terms]

    def _search(self, terms: tuple[str, ...]) -> tuple[np.ndarray | None, list[str]]:
        """`_look_up(terms)` with the word index (the rowids kept when it answers every term), else every term
        to scan."""
        if not self.text_index:
            return None, list(terms)
        if terms in self._found_arrays:
            return self._found_arrays[terms], []
        return self._look_up(terms)

    def _look_up(self, terms: tuple[str, ...]) -> tuple[np.ndarray | None, list[str]]:
        """(rowids holding every term the word index answers, sorted; None if it answers none), the terms left to
        scan. Rarest term first; each further term only narrows the rows found.

        The vocabulary is read once per search string (each term's words, by id), and the rows by those ids written
        into the statement, so DuckDB skips the blocks of other words (with a subquery it read 17-21 ms of rows for
        one word at 5x10^6; by id 3-7 ms)."""
        words = self._term_words(terms)
        scanned = [t for t in terms if not words[t][0] or words[t][3] > TEXT_POSTINGS_PER_ROW * max(self._n_rows, 1)]
        found: np.ndarray | None = None
        for _, term in sorted((words[t][3], t) for t in dict.fromkeys(terms) if t not in scanned):
            _, rare, frequent, _ = words[term]
            found = self._term_rows(rare, frequent) if found is None else self._narrow(found, rare, frequent)
            if not len(found):
                break
        return found, scanned

    def _term_words(self, terms: tuple[str, ...]) -> dict[str, tuple[bool, list[int], list[int], int]]:
        """term -> (whether it is made of word characters only, ids of the vocabulary's words containing it that
        are kept as rows, ids of the frequent ones kept as the rows without them, how many rowids they cost to
        read), from one statement over the vocabulary."""
        found = self.con.execute(
            "SELECT t.term, regexp_full_match(t.term, ?), list(w.word_id ORDER BY w.word_id) FILTER (WHERE NOT "
            "w.frequent), list(w.word_id ORDER BY w.word_id) FILTER (WHERE w.frequent), coalesce(sum(CASE WHEN "
            "w.frequent THEN ? - w.n ELSE w.n END), 0) FROM (SELECT unnest(?::VARCHAR[]) AS term) t LEFT JOIN "
            "idx.search_words w ON contains(w.word, t.term) GROUP BY t.term",
            [self._word_pattern, self._n_rows, list(dict.fromkeys(terms))]).fetchall()
        return {term: (bool(whole), list(rare or []), list(frequent or []), int(read))
                for term, whole, rare, frequent, read in found}

    def _word_rows(self, table: str, ids: Sequence[int], columns: str = "row", within: str = "") -> dict:
        """Columns of the word index table `table` for the word ids `ids` (written into the statement as numbers:
        the table is ordered by word id, so DuckDB reads only their blocks); `within`: more of the WHERE clause."""
        return self.con.sql(f"SELECT {columns} FROM idx.{table} WHERE word_id IN ({', '.join(str(int(i)) for i in ids)})"
                            f"{within}").fetchnumpy()

    def _narrow(self, found: np.ndarray, rare: Sequence[int], frequent: Sequence[int]) -> np.ndarray:
        """The rows of `found` (sorted rowids) with one of a term's words (`rare`, `frequent`: word ids), reading only
        what can remove a row: the rows without each of its frequent words, then the rarer words' rows among the
        found rows lacking them all (a term inside "in" costs the few rows without "in", not the millions with it)."""
        lacking = np.ones(len(found), dtype=bool)  # found rows with none of the term's words seen so far
        for without in self._frequent_absences(frequent):
            lacking &= np.isin(found, without)
        if lacking.any() and rare:
            with self._registered_rows("lacking_rows", found[lacking]):
                have = self._word_rows("search_word_rows", rare, "DISTINCT row",
                                       " AND row IN (SELECT row FROM lacking_rows)")["row"]
            lacking[np.flatnonzero(lacking)[np.isin(found[lacking], np.asarray(have, dtype=np.int64))]] = False
        return found[~lacking] if lacking.any() else found

    def _term_rows(self, rare: Sequence[int], frequent: Sequence[int]) -> np.ndarray:
        """The rowids (sorted) with one of a term's words: the rows of its words (`rare`), and every row but those
        without it of each frequent word (`frequent`)."""
        rows = np.asarray(self._word_rows("search_word_rows", rare)["row"] if rare else [], dtype=np.int64)
        absences = self._frequent_absences(frequent)
        if not absences and len(rare) <= 1 and bool((rows[1:] > rows[:-1]).all()):
            return rows  # one word's rows: distinct, and sorted as the index keeps them (checked: no sort needed)
        hit = np.zeros(self._n_rows, dtype=bool)
        hit[rows] = True
        for without in absences:
            has = np.ones(self._n_rows, dtype=bool)
            has[without] = False
            hit |= has
        return np.flatnonzero(hit)

    def _frequent_absences(self, frequent: Sequence[int]) -> list[np.ndarray]:
        """For each frequent word (by id; kept as the rowids lacking it), the rowids lacking that word."""
        if not frequent:
            return []
        absent = self._word_rows("search_absent", frequent, "word_id, row")
        return [np.asarray(absent["row"][absent["word_id"] == word_id], dtype=np.int64) for word_id in frequent]


    @contextmanager
    def _registered_rows(self, name: str, rows: np.ndarray) -> Iterator[None]:
        """`rows` (rowids) readable as the table `name` (column `row`) while the block runs."""
        import pyarrow as pa

        self.con.register(name, pa.table({"row": rows}))
        try:
            yield
        finally:
            self.con.unregister(name)

    def _searched(self, state: "FilterState") -> tuple[str, list]:
        """(relation, its parameters): the `incidents` view's rows whose search text holds every term of `state`'s
        text, from the rows kept for the search string (`_found_rows`) and the corrected rows tested as they are."""
        terms = tuple(t for t in state.text.lower().split() if t)
        found = self._found_rows(terms)
        extra = ", ".join(f"{value} AS {name}" for name, value in CORRECTION_COLUMNS.items())
        # a join on the rowids found (each once) rather than `rowid IN (...)`: at 5x10^6 a broad search's copy of its
        # 536k rows 221 -> 176 ms
        base = f"SELECT i.*, {extra} FROM idx.incidents i JOIN {found} f ON i.rowid = f.row WHERE TRUE"
        if not self.touched:
            return f"({base})", []
        text = " AND ".join(["contains(search_text, ?)"] * len(terms))
        return (f"({base} AND id NOT IN (SELECT id FROM touched) UNION ALL BY NAME SELECT * FROM overlay WHERE NOT "
                f"hidden AND {text})", list(terms))

    SUBSETS = 4

    def _subset(self, state: "FilterState", columns: Iterable[str] | None = ()) -> tuple[str, list]:
        """(relation, its parameters) holding the incidents that pass `state`, for the counts and marks to read.

        A state the pre-aggregated tables answer (types, places or months, background) stays inline: its counts and
        marks come from those tables, and what is left (a selection's count, a highlight) is cheaper to scan with
        the filter than to copy the rows that pass. Any other state (a text search above all, sources, actors, months
        with places, killed) runs once: its incidents are kept in a temporary table of the columns the counts and
        marks read, made once per filter state and read by the counts, the timeline and the map (at 5x10^6
        incidents a country and five years: 1.1 s scanning per chart, 0.35 s with the table).

        The table holds the columns the page's counts, timeline by type and map read (`_PAGE_COLUMNS`) and any other
        of `_SUBSET_COLUMNS` asked for in `columns` (None: all), made again wider when a later question needs more:
        the copy reads its columns for every incident, and at 5x10^6 a text search's 15 columns cost 0.5-0.6 s of
        CPU, its 11 0.3-0.4 s."""
        f = filter_sql(state)
        if f.where == "TRUE":
            return "incidents", []
        if not _costly(state) and self._cube(state, "cube_place", "cube_time") is not None:
            return f"(SELECT * FROM incidents WHERE {f.where})", list(f.params)
        key = (self.version, _filters_only(state))
        wanted = set(_SUBSET_COLUMNS) if columns is None else set(columns) & set(_SUBSET_COLUMNS)
        with self._lock:
            if key in self._subsets:
                self._subsets[key] = self._subsets.pop(key)
                name, held = self._subsets[key]
                if wanted <= held:
                    return name, []
                wanted |= held
                # kept until it leaves the last SUBSETS tables: a query of another session may be reading it
                self._subsets[("narrower", name)] = self._subsets.pop(key)
            name = f"subset_{uuid.uuid4().hex[:12]}"
            held = wanted | set(_PAGE_COLUMNS)
            chosen = ", ".join(c for c in _SUBSET_COLUMNS if c in held)
            source, params = "incidents", list(f.params)
            if state.text.split():  # the rows holding the words, found once per search string; the other filters
                source, params = self._searched(state)
                rest = filter_sql(replace(state, text=""))
                f, params = rest, params + list(rest.params)
            self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT {chosen} FROM {source} WHERE {f.where}", params)
            self._subsets[key] = (name, frozenset(held))
            while len(self._subsets) > self.SUBSETS:
                self.con.execute(f"DROP TABLE IF EXISTS {self._subsets.pop(next(iter(self._subsets)))[0]}")
            return name, []

    def _selected(self, state: "FilterState", within: Sql, columns: Iterable[str] = ()) -> tuple[str, list]:
        """(relation, its parameters) holding the incidents that pass `state` and lie `within` a selection: the filter
        and the selection inline. (A temporary copy of them, read by the highlight and the page's first day, took
        longer to make than the two scans it saved: it reads every copied column of the selected rows.)"""
        source, params = self._subset(state, set(columns) | _columns_read(within))
        return f"(SELECT * FROM {source} WHERE {within.where})", params + list(within.params)

    def _drop_subsets(self) -> None:
        for name, _ in self._subsets.values():
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        self._subsets.clear()

    def cached(self, key: tuple, make):
        """`make()`, kept under `key` (with the corrections version) among the last `CACHE_ENTRIES` answers."""
        key = (self.version, *key)
        with self._lock:
            if key in self._answers:
                self._answers[key] = self._answers.pop(key)
                return self._answers[key]
        value = make()
        with self._lock:
            self._answers[key] = value
            while len(self._answers) > self.CACHE_ENTRIES:
                self._answers.pop(next(iter(self._answers)))
        return value

    def timeline_marks(self, state: "FilterState", group_by: str = DEFAULT_GROUP_BY, limit: int = MARK_LIMIT,
                       highlight: Sql | None = None) -> tuple[str, pd.DataFrame]:
        """See `_timeline_marks`; with `highlight` (a selection) each mark says whether it holds a selected incident
        (column `selected`)."""
        return self.cached(("timeline", _filters_only(state), group_by, limit, _sql_key(highlight)),
                           lambda: self._highlighted_marks(state, group_by, limit, highlight))

    def _highlighted_marks(self, state: "FilterState", group_by: str, limit: int,
                           highlight: Sql | None) -> tuple[str, pd.DataFrame]:
        """The marks without the highlight (kept, from the pre-aggregated tables when they answer), each flagged when
        a selected incident falls in it: the selected incidents are few, so only they are read and binned (a scan
        of every row with the selection as a flag took a second at 5x10^6)."""
        if highlight is None or not self.use_cubes:
            return self._timeline_marks(state, group_by, limit, highlight)
        name, marks = self.timeline_marks(state, group_by, limit)
        if name == "none":
            return self._timeline_marks(state, group_by, limit, highlight)
        source, params = self._selected_days(state, highlight, group_by)
        days, text = self.arrays(f"SELECT DISTINCT {_group_sql(group_by)} AS row, type, is_day, start_day, stop_day "
                                 f"FROM {source} WHERE start_day <> {_NO_DAY}", params)
        point, x0, x1 = _mark_days(days["start_day"].to_numpy(np.int64), days["stop_day"].to_numpy(np.int64),
                                   days["is_day"].to_numpy(bool), name, dict(TIME_BINS)[name])
        lit = set(zip(text["row"][days["row"].to_numpy(np.int64)].tolist(),
                      text["type"][days["type"].to_numpy(np.int64)].tolist(), point.tolist(), x0.tolist(), x1.tolist()))
        marks = marks.copy()
        marks["selected"] = [(_text_or_none(r), _text_or_none(t), bool(p), int(a), int(b)) in lit for r, t, p, a, b in
                             zip(marks["row"], marks["type"], marks["point"], marks["x0"], marks["x1"])]
        return name, marks

    def _selected_days(self, state: "FilterState", within: Sql, group_by: str) -> tuple[str, list]:
        """(relation, its parameters) holding the timeline columns (type, type_label, is_day, start_day, stop_day) of
        the incidents that pass `state` and lie `within` a selection, one row per distinct value at least.

        When `state` and the selection read only the place table's columns and the index has the cell rows, the
        selected incidents are found there: the place table's rows passing both, then the incidents in them (numpy
        over the cell rows) and their rows of the time table, whose columns are the answer; corrected incidents are
        read from the overlay. Otherwise the incidents themselves are read (`_selected`), which at 5x10^6 is the
        first read of their place columns: 290 ms cold against 160-210 ms warm."""
        import pyarrow as pa

        columns = _GROUP_COLUMNS.get(group_by, _GROUP_COLUMNS["type"])
        if (self._cells_path is None or state.text.split() or not columns <= set(CUBES["cube_time"])
                or _cube_for(state, "cube_place", within=within) != "cube_place"):
            return self._selected(state, within, columns)
        f = filter_sql(state)
        places = self._dims("cube_place")
        name = f"selected_{uuid.uuid4().hex[:12]}"
        with self._lock:
            self.con.register(name, places.append_column("cell_", pa.array(np.arange(places.num_rows, dtype=np.int64))))
            try:
                chosen = self.con.execute(f"SELECT cell_ FROM {name} WHERE ({f.where}) AND ({within.where})",
                                          [*f.params, *within.params]).fetchnumpy()["cell_"]
            finally:
                self.con.unregister(name)
        passing = np.zeros(places.num_rows, dtype=bool)
        passing[np.asarray(chosen, dtype=np.int64)] = True
        every = np.asarray(self._cells_rows())
        held = passing[every[CELL_ROWS.index("place_cell")].astype(np.int64)]
        if self.touched:  # the extracted rows corrections replace: read from the overlay below
            held[self._touched_base_rows()] = False
        times = np.unique(every[CELL_ROWS.index("time_cell")][held].astype(np.int64))
        days = self._dims("cube_time").take(pa.array(times)).select(["type", "type_label", "is_day", "start_day",
                                                                     "stop_day"])
        with self._lock:
            self.con.register(name, days)
            self._selected_relations.append(name)
            while len(self._selected_relations) > self.SUBSETS:
                self.con.unregister(self._selected_relations.pop(0))
        if not self.touched:
            return name, []
        return (f"(SELECT * FROM {name} UNION ALL BY NAME SELECT type, type_label, is_day, start_day, stop_day FROM "
                f"overlay WHERE NOT hidden AND ({f.where}) AND ({within.where}))", [*f.params, *within.params])

    def _timeline_marks(self, state: "FilterState", group_by: str, limit: int,
                        highlight: Sql | None = None) -> tuple[str, pd.DataFrame]:
        """(bin, marks) of the filtered, dated incidents: one row per (timeline row, type, point or span, x0, x1).

        The finest bin (day, week, month, quarter, year) whose marks fit in `limit` is used, as the views do:
        incidents no longer than the bin become points at the bin's middle day, longer ones stay spans with their
        own first and last day. Up to `limit` incidents, each is a mark (bin "none"). Columns: row, type, point,
        x0, x1 (day numbers), n, killed, injured (sums, NaN when no figure), first_id (the incident of a single-incident
        mark; None for a grouped one, whose key says what it holds), selected.

        One scan in DuckDB groups the incidents by (row, type, day or span): places and days repeat, so a few
        hundred thousand groups at most reach Python, however many incidents there are; numpy then counts every bin's
        distinct marks and sums the chosen bin's (one grouping query per bin over all rows cost seconds at 10^6)."""
        cube = self._cube(state, "cube_time") if highlight is None and group_by == "type" else None
        if cube is not None:  # counted per (type, day span) already: the same filter, n summed
            f = _cube_filter(state)
            counted = (f"SELECT {_group_sql(group_by)} AS row, type, is_day, start_day, stop_day, n, killed, killed_n, "
                       f"injured, injured_n FROM {cube} WHERE ({f.where}) AND start_day <> {_NO_DAY}")
            total = int(self.scalar(f"SELECT coalesce(sum(n), 0) FROM ({counted})", f.params))
        if cube is None or total <= limit:
            flag, params = (highlight.where, list(highlight.params)) if highlight is not None else ("FALSE", [])
            source, source_params = self._subset(state, _GROUP_COLUMNS.get(group_by, _GROUP_COLUMNS["type"])
                                                 | _columns_read(highlight))
            params = params + source_params
            rows = (f"SELECT {_group_sql(group_by)} AS row, type, is_day, start_day, stop_day, killed, injured, id, "
                    f"({flag}) AS selected FROM {source} WHERE start_day <> {_NO_DAY}")
            if cube is None:
                total = int(self.scalar(f"SELECT count(*) FROM ({rows})", params))
            if total <= limit:
                marks = self.query(f"SELECT row, type, is_day AS point, start_day AS x0, stop_day AS x1, 1 AS n, "
                                   f"killed::DOUBLE AS killed, injured::DOUBLE AS injured, id AS first_id, "
                                   f"coalesce(selected, FALSE) AS selected FROM ({rows}) ORDER BY id", params)
                return "none", marks
            days, text = self.arrays(f"SELECT row, type, is_day, start_day, stop_day, count(*) AS n, sum(killed)::DOUBLE "
                                     f"AS killed, sum(injured)::DOUBLE AS injured, coalesce(bool_or(selected), FALSE) "
                                     f"AS selected FROM ({rows}) GROUP BY ALL", params)
        else:
            # the table's rows as they are (numpy groups them by mark below; a GROUP BY here would only cost)
            days, text = self.arrays(f"SELECT row, type, is_day, start_day, stop_day, {_CUBE_FIGURES}, FALSE AS "
                                     f"selected FROM ({counted})", f.params)
        row_code, type_code = days["row"].to_numpy(np.int64), days["type"].to_numpy(np.int64)
        base = row_code * (len(text["type"]) + 1) + type_code
        start, stop = days["start_day"].to_numpy(np.int64), days["stop_day"].to_numpy(np.int64)
        is_day = days["is_day"].to_numpy(bool)
        low = int(start.min())
        for name, length in TIME_BINS:
            point, x0, x1 = _mark_days(start, stop, is_day, name, length)
            codes, n_groups = _codes(base, point, x0 - low, x1 - low, width=int(max(x0.max(), x1.max())) - low + 1)
            if n_groups <= limit or name == TIME_BINS[-1][0]:
                break
        marks = _sum_groups(days.assign(point=point, x0=x0, x1=x1), codes, ["row", "type", "point", "x0", "x1"])
        marks["row"], marks["type"] = text["row"][marks["row"]], text["type"][marks["type"]]
        marks["first_id"] = None  # grouped: the mark's key names what it holds
        marks = marks[["row", "type", "point", "x0", "x1", "n", "killed", "injured", "first_id", "selected"]]
        return name, marks.sort_values(["row", "type", "x0", "x1"], na_position="first").reset_index(drop=True)

    def map_marks(self, state: "FilterState", extent: tuple[float, float, float, float] | None = None,
                  limit: int = MARK_LIMIT, highlight: Sql | None = None, mixed: bool = False) -> tuple[float, pd.DataFrame]:
        """See `_map_marks`; with `highlight` (a selection) each mark says whether it holds a selected incident."""
        key = tuple(map(float, extent)) if extent is not None else None
        return self.cached(("map", _filters_only(state), key, limit, _sql_key(highlight), mixed),
                           lambda: self._map_marks(state, extent, limit, highlight, mixed))

    def _map_marks(self, state: "FilterState", extent: tuple[float, float, float, float] | None,
                   limit: int, highlight: Sql | None = None, mixed: bool = False) -> tuple[float, pd.DataFrame]:
        """(cell size in degrees, marks) of the filtered, placed incidents inside `extent` (lat0, lat1, lon0, lon1).

        Up to `limit` incidents each is a mark (cell 0); above, incidents of one type in one grid cell (the finest of
        `MAP_CELLS` that keeps marks under `limit`) make one mark at their mean position. Columns: type, lat, lon,
        n, killed, injured, first_id (None when grouped), selected (and cy, cx, the cell, when grouped). One scan
        groups incidents by type and coordinates (places are gazetteer points: few), numpy then picks the cell, as
        the views do.

        With `mixed`, when marks by type do not fit in `limit` at any cell size, each mark holds the incidents of
        every type in its cell (the finest cell that fits): `type` is its most frequent type and `types` lists
        (type, n) pairs, most first. A world view of a few hundred marks draws in a tenth of the time of 3,000."""
        where, params = "lat IS NOT NULL AND lon IS NOT NULL AND isfinite(lat) AND isfinite(lon)", []
        if extent is not None:
            lat0, lat1, lon0, lon1 = map(float, extent)
            where += " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
            params += [min(lat0, lat1), max(lat0, lat1), min(lon0, lon1), max(lon0, lon1)]
        flag, flag_params = (highlight.where, list(highlight.params)) if highlight is not None else ("FALSE", [])
        cube = self._cube(state, "cube_place") if highlight is None else None
        if cube is not None:  # counted per (type, place) already: the same filter, n summed
            f = _cube_filter(state)
            # the table's rows as they are: one place may come several times (numpy groups them by cell below)
            points, text = self.arrays(f"SELECT type, lat, lon, {_CUBE_FIGURES}, FALSE AS selected FROM {cube} "
                                       f"WHERE ({f.where}) AND {where}", list(f.params) + params)

        def incidents() -> tuple[str, list]:  # the filtered incidents' rows (a search's copied: only when read)
            source, source_params = self._subset(state, _columns_read(highlight))
            return (f"SELECT type, lat, lon, killed, injured, id, ({flag}) AS selected FROM {source} WHERE {where}",
                    flag_params + source_params + params)

        if cube is None:
            rows, rows_params = incidents()
            points, text = self.arrays(f"SELECT type, lat, lon, count(*) AS n, sum(killed)::DOUBLE AS killed, "
                                       f"sum(injured)::DOUBLE AS injured, coalesce(bool_or(selected), FALSE) AS "
                                       f"selected FROM ({rows}) GROUP BY ALL", rows_params)
        if int(points["n"].sum()) <= limit:
            rows, rows_params = incidents()
            marks = self.query(f"SELECT type, lat, lon, 1 AS n, killed::DOUBLE AS killed, injured::DOUBLE AS injured, "
                               f"id AS first_id, coalesce(selected, FALSE) AS selected FROM ({rows}) ORDER BY id",
                               rows_params)
            return 0.0, marks
        lat, lon = points["lat"].to_numpy(float), points["lon"].to_numpy(float)
        kind = points["type"].to_numpy(np.int64)
        known: dict = {}  # the points' cell numbers, for the second call below
        cell, cy, cx = _map_cell(kind, lat, lon, limit, known)
        width = int(max(cy.max() - cy.min(), cx.max() - cx.min())) + 1
        codes, groups = _codes(kind, np.zeros(len(kind), bool), cy - cy.min(), cx - cx.min(), width=width)
        all_types = mixed and groups > limit
        if all_types:  # by type they do not fit: the finest cell whose cells (of every type) fit
            cell, cy, cx = _map_cell(np.zeros(len(kind), np.int64), lat, lon, limit, known)
            width = int(max(cy.max() - cy.min(), cx.max() - cx.min())) + 1
            codes, _ = _codes(kind, np.zeros(len(kind), bool), cy - cy.min(), cx - cx.min(), width=width)
        n = points["n"].to_numpy(float)
        marks = _sum_groups(points.assign(cy=cy, cx=cx, wlat=lat * n, wlon=lon * n), codes, ["type", "cy", "cx"],
                            extra_sums=("wlat", "wlon"))
        marks["type"] = text["type"][marks["type"]]
        if all_types:
            marks = _cells_of_all_types(marks)
        marks["lat"], marks["lon"] = marks.pop("wlat") / marks["n"], marks.pop("wlon") / marks["n"]
        marks["first_id"] = None  # grouped: the mark's key names what it holds
        marks = marks[["type", "lat", "lon", "n", "killed", "injured", "first_id", "selected", "cy", "cx"]
                      + (["types"] if all_types else [])]
        return cell, marks.sort_values(["type", "cy", "cx"], na_position="first").reset_index(drop=True)

    def close(self) -> None:
        with self._lock:
            self.con.close()


def open_dataset(folder: str | Path, corrections_db: str | Path | None = None) -> Warehouse:
    """A warehouse over `folder`, with the corrections of the corpus it was extracted from (the `corrections_db`
    setting by default, if that database exists): corrections made on the corpus show on its dataset."""
    from events.settings import get_settings
    from events.store import CorrectionStore, corpus_key

    db = Path(corrections_db or get_settings()["corrections_db"])
    store = None
    if db.exists():
        meta = json.loads((Path(folder) / "atlas.json").read_text(encoding="utf-8")) if is_dataset(folder) else {}
        corpus = meta.get("corpus_key") or corpus_key(meta.get("corpus") or None)
        store = CorrectionStore(db, corpus=corpus or None)
    return Warehouse(folder, corrections=store)
