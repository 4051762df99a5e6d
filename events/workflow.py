"""The analyst workflow as pure functions: adding articles, turning form values into corrections, and the
small tables the dashboard shows about them (upload outcomes, audit rows, import reports, mentions to split).

Nothing here imports Streamlit; `dashboard_workflow.py` lays out the widgets and calls these functions, so the
rules are tested without a browser (tests/test_workflow.py).
"""

from __future__ import annotations

import json
import math
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from events.corpus import AddedArticle, add_article
from events.settings import get_settings
from events.store import is_missing

CORRECTED_MARK = "✎"


# --------------------------------------------------------------------------------------------------- settings

def max_upload_bytes() -> int:
    """The largest article accepted, from the `max_upload_mb` setting."""
    return int(float(get_settings()["max_upload_mb"]) * 1024 * 1024)


def corrections_path() -> Path:
    """The corrections database, from the `corrections_db` setting (env ATLAS_CORRECTIONS_DB overrides it)."""
    return Path(get_settings()["corrections_db"])


# --------------------------------------------------------------------------------------------------- uploads

def add_uploads(root: str | Path, files: Iterable[tuple[str, bytes]], max_bytes: int | None = None) -> list[AddedArticle]:
    """Store each uploaded (name, bytes) in the corpus; one outcome per file, in order.

    A bad file never stops the others: `add_article` reports its reason, and anything unexpected it raises
    becomes that file's problem too.
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    out: list[AddedArticle] = []
    for name, data in files:
        name = str(name or "(unnamed file)")
        try:
            out.append(add_article(root, name, bytes(data), max_bytes=limit))
        except Exception as exc:  # noqa: BLE001 - one broken file is reported, the rest go on
            out.append(AddedArticle(name=name, problem=f"could not be added ({type(exc).__name__}: {exc})"))
    return out


def outcome_text(added: AddedArticle) -> str:
    """One line per file for the analyst (plain text: the caller escapes it before rendering)."""
    if added.ok:
        stored = "" if added.file == added.name else f" (stored as {added.file})"
        return f"{added.name}: added{stored}"
    return f"{added.name}: not added: {added.problem}"


# --------------------------------------------------------------------------------------------------- corrections

def _norm(name: str, value: Any) -> Any:
    """A comparable form of a table cell or a form value for one field."""
    if is_missing(value):
        return None
    if name in ("start", "end"):
        if isinstance(value, date):
            return value.isoformat()[:10]
        return str(value)[:10]
    if name in ("killed", "injured"):
        return int(float(value))
    if name in ("lat", "lon"):
        return round(float(value), 6)
    return str(value).strip()


def changed_fields(row: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The form values that differ from the incident's current row (dates as ISO text, empty as None).

    Only these go to `CorrectionStore.edit`, so saving an untouched form records nothing and the audit holds
    the fields the analyst actually changed.
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        new = _norm(name, value)
        if new != _norm(name, row.get(name)):
            if name in ("title", "type"):
                out[name] = "" if new is None else new
            elif name in ("precision", "date_text", "actors", "place", "admin1", "country", "geonameid", "evidence"):
                out[name] = new or ""
            else:
                out[name] = new
    return out


def iso_or_none(value: Any) -> date | None:
    """A table date cell as a `date` for a date picker (None when empty or unreadable)."""
    if is_missing(value):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def count_or_none(value: Any) -> int | None:
    if is_missing(value):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def text_or_empty(value: Any) -> str:
    return "" if is_missing(value) else str(value)


@dataclass(frozen=True)
class MentionChoice:
    key: tuple[str, int]  # (doc, start): what CorrectionStore.split takes
    label: str


def mention_choices(mentions: pd.DataFrame, incident_id: str, labels: Mapping[str, str] | None = None,
                    width: int = 90) -> list[MentionChoice]:
    """The mentions of one incident, as split choices: 'source · sentence…' (plain text)."""
    labels = labels or {}
    part = mentions[mentions["incident_id"].astype(str) == str(incident_id)]
    out = []
    for m in part.itertuples(index=False):
        sentence = " ".join(str(m.sentence or "").split())
        if len(sentence) > width:
            sentence = sentence[: width - 1].rstrip() + "…"
        source = labels.get(str(m.doc), str(m.doc))
        if len(source) > 40:
            source = source[:39].rstrip() + "…"
        out.append(MentionChoice(key=(str(m.doc), int(m.start)), label=f"{source} · {sentence}"))
    return out


def place_label(place: Any, names: Mapping[str, str] | None = None, alternate: str = "") -> str:
    """'Kabul — Kabul, Afghanistan (city)' for a gazetteer Place in a picker; found by another name, that name is
    shown too: 'Beijing (as Peking) — Beijing, China (city)'."""
    names = names or {}
    where = ", ".join(x for x in (place.admin1 if place.admin1 != place.name else "", names.get(place.country, place.country)) if x)
    text = place.name + (f" (as {string.capwords(alternate)})" if alternate else "")
    text += (f" — {where}" if where else "") + f" ({place.kind}"
    if place.population:
        text += f", pop. {place.population:,}"
    return text + ")"


def written_name(query: str, place: Any, alternate: str = "") -> str:
    """The place as the analyst wrote it (kept as `place_written`): the gazetteer name when the search found the place
    by its own name; by another name, the name they typed (or the alternate name their prefix matched)."""
    from events.gazetteer import search_key

    if not alternate:
        return place.name
    typed = " ".join(str(query).split())
    return typed if search_key(typed) == search_key(alternate) else string.capwords(alternate)


def incident_label(row: Mapping[str, Any]) -> str:
    """'Bombing in Kabul · 2019-09-05 · Kabul' for pickers (merge partner, unhide)."""
    parts = [text_or_empty(row.get("title")) or str(row.get("id")), text_or_empty(row.get("start")) or "undated"]
    place = text_or_empty(row.get("place"))
    if place:
        parts.append(place)
    return " · ".join(parts)


def mark_corrected(table: pd.DataFrame, incidents: pd.DataFrame) -> pd.DataFrame:
    """The analysts' table with a '✎' column (second) on rows an analyst corrected."""
    out = table.copy()
    if "corrected" in incidents.columns:
        flags = dict(zip(incidents["id"].astype(str), incidents["corrected"].fillna(False).astype(bool)))
    else:
        flags = {}
    marks = [CORRECTED_MARK if flags.get(str(i), False) else "" for i in out["id"]]
    out.insert(1 if len(out.columns) else 0, CORRECTED_MARK, marks)
    return out


# --------------------------------------------------------------------------------------------------- audit and reports

def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def audit_rows(audit: pd.DataFrame) -> pd.DataFrame:
    """The audit log for reading, newest first: correction number, time, user, action, incident, field, before,
    after, note (one row per field a correction changed)."""
    columns = ["#", "time", "user", "action", "incident", "field", "before", "after", "note"]
    if audit is None or not len(audit):
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame({
        "#": audit["correction_seq"].astype(int),
        "time": audit["at"].astype(str).str.replace("T", " ").str.rstrip("Z"),
        "user": audit["user"].astype(str),
        "action": [f"{k}" if a == "apply" else f"{a} {k}" for a, k in zip(audit["action"], audit["kind"])],
        "incident": audit["incident_id"].astype(str),
        "field": audit["field"].astype(str),
        "before": [_cell(v) for v in audit["before"]],
        "after": [_cell(v) for v in audit["after"]],
        "note": audit["note"].fillna("").astype(str),
    })
    return out.iloc[::-1].reset_index(drop=True)


def import_summary(report: Any) -> str:
    """One sentence for an `ImportReport`."""
    rows = report.changed_rows
    text = f"{rows} row{'s' if rows != 1 else ''} changed" if rows else "no row changed"
    if report.problems:
        text += f"; {len(report.problems)} problem{'s' if len(report.problems) != 1 else ''} (those rows were not applied)"
    if report.warnings:
        text += f"; {len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}"
    return text


def split_hidden(incidents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shown, hidden) rows of a table corrected with include_hidden=True."""
    if "hidden" not in incidents.columns:
        return incidents, incidents.iloc[0:0]
    hidden = incidents["hidden"].fillna(False).astype(bool)
    return incidents[~hidden].reset_index(drop=True), incidents[hidden].reset_index(drop=True)


def export_label(fmt: str) -> str:
    return {"csv": "CSV", "geojson": "GeoJSON", "kml": "KML", "timelinejs": "TimelineJS", "acled": "ACLED CSV",
            "html": "HTML briefing", "png-timeline": "Timeline PNG", "png-map": "Map PNG", "pptx": "PowerPoint"}.get(fmt, fmt)


SLOW_FORMATS = ("png-timeline", "png-map", "pptx")


def view_fingerprint(state: Any, selection: Sequence[str] | None, version: Any) -> str:
    """Identifies what an export was built from (filters, selection, corrections), to drop stale prepared files."""
    import hashlib

    key = repr((state, tuple(selection) if selection is not None else None, version))
    return hashlib.sha1(key.encode()).hexdigest()[:12]
