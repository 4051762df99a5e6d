"""`acled`: ACLED-style CSV, with ACLED's own columns where the incident table can fill them."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Mapping

import pandas as pd

from events.exports.common import (ExportRequest, _country_names, _csv_bytes, _doc_meta, _float, _publisher_or_title,
                                   _sort_for_export, _source_ids, _text, date_as_written, gazetteer_text,
                                   reports_text, with_view_columns)
from events.lexicon import default_lexicon
from events.settings import DATA_DIR

ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1",
                 "actor2", "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision",
                 "source", "source_scale", "notes", "fatalities"]
# ACLED's geo_precision: 1 the place itself, 2 near it or a part of a district, 3 only a larger area (its centre)
GEO_PRECISION = {"point": "1", "city": "1", "admin2": "2", "admin1": "3", "country": "3", "region": "3"}


@lru_cache(maxsize=1)
def sub_event_types() -> dict[str, str]:
    """Incident type -> ACLED sub-event type (data/acled_sub_event_types.csv)."""
    try:
        table = pd.read_csv(DATA_DIR / "acled_sub_event_types.csv", comment="#", keep_default_na=False, dtype=str)
    except (OSError, ValueError):
        return {}
    return dict(zip(table["type"], table["acled_sub_event_type"]))


def event_id(row: Mapping[str, Any], iso3: Mapping[str, str]) -> str:
    """'SYR3141592': ACLED's country acronym and a number, here derived from the incident id, so the same incident
    keeps its event_id_cnty from one export to the next ('XXX' where the country is unknown)."""
    country = iso3.get(_text(row.get("country")), "XXX")
    number = int(hashlib.sha1(_text(row.get("id")).encode("utf-8")).hexdigest()[:12], 16) % 10_000_000
    return f"{country}{number}"


def acled_date(row: Mapping[str, Any]) -> tuple[str, str]:
    """(event_date, time_precision) as ACLED codes them: the day itself (1); a week or a few days: its middle
    day (2); a month, a season or longer: its middle day (3), never the 1st, which would read as a known day."""
    start, end, precision = _text(row.get("start")), _text(row.get("end")), _text(row.get("precision"))
    first = date.fromisoformat(start)
    last = date.fromisoformat(end) if end else first
    if precision == "day" or last == first:
        return first.isoformat(), "1"
    middle = first + timedelta(days=(last - first).days // 2)
    return middle.isoformat(), "2" if (last - first).days <= 7 else "3"


def to_acled(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
             names: Mapping[str, str] | None = None) -> bytes:
    """ACLED-style CSV with exactly `ACLED_COLUMNS`.

    - event_id_cnty: country ISO3 and a number stable per incident (`event_id`).
    - event_date, time_precision: see `acled_date`; year: of event_date.
    - event_type: `acled_event_type` of the incident type in data/incident_types.csv; sub_event_type from
      data/acled_sub_event_types.csv.
    - actor1, actor2: the first two actors the sources name (no directionality, as in ACLED).
    - country: the country's name (data/countries.csv); admin1, admin2 (when the table has it); location: the place
      as the sources write it; geo_precision: 1 a town or exact place, 2 a district, 3 a province, country or
      region centre (`GEO_PRECISION`).
    - source: publishers (the title where a document has no publisher) of the source documents, '; '-joined;
      source_scale: left empty, the corpus does not say whether a source is local, national or international.
    - notes: the evidence sentence, then the date as written, the gazetteer's name and id, every reported figure.
    - fatalities: the lowest reported death toll (ACLED's rule where sources differ), 0 when none is reported
      (ACLED's convention: 0 means no fatalities were reported, not that none occurred).
    Undated incidents cannot be given an event_date and are left out (`left_out`).
    """
    from events.views.columns import iso3_codes

    names = names if names is not None else _country_names()
    lexicon = default_lexicon()
    subs = sub_event_types()
    iso3 = iso3_codes()
    meta = _doc_meta(documents)
    out = []
    for row in _sort_for_export(with_view_columns(incidents, names)).to_dict("records"):
        if not _text(row.get("start")):
            continue
        kind = _text(row.get("type"))
        found = lexicon.types.get(kind)
        sources: list[str] = []
        for s in _source_ids(row):
            name = _publisher_or_title(meta.get(s, {}), s)
            if name not in sources:
                sources.append(name)
        actors = [a.strip() for a in _text(row.get("actors")).split(";") if a.strip()]
        low = row.get("_killed_low")
        fatalities = int(low) if low is not None and low == low else 0
        notes = [_text(row.get("evidence")), f"[date as written: {date_as_written(row)}]"]
        gazetteer = gazetteer_text(row)
        if gazetteer:
            notes.append(f"[{gazetteer}]")
        reports = reports_text(_text(row.get("killed_reports")), meta)
        notes.append(f"[killed reported: {reports}]" if reports else
                     f"[killed: {row['_killed_text']}]" if row.get("_killed_text") else "[no fatality figure reported]")
        event_date, time_precision = acled_date(row)
        lat, lon = _float(row.get("lat")), _float(row.get("lon"))
        country = _text(row.get("country"))
        out.append([event_id(row, iso3), event_date, event_date[:4], time_precision,
                    found.acled_event_type if found else "", subs.get(kind, ""),
                    actors[0] if actors else "", actors[1] if len(actors) > 1 else "",
                    names.get(country, country), _text(row.get("admin1")), _text(row.get("admin2")),
                    _text(row.get("_place_written")), "" if lat is None else f"{lat:.4f}",
                    "" if lon is None else f"{lon:.4f}", GEO_PRECISION.get(_text(row.get("_precision")), ""),
                    "; ".join(sources), "", " ".join(n for n in notes if n), fatalities])
    return _csv_bytes(ACLED_COLUMNS, out)


def export(request: ExportRequest) -> bytes:
    return to_acled(request.incidents, request.documents)
