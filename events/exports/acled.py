"""`acled`: ACLED-style CSV."""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from events.exports.common import (date_as_written, ExportRequest, reports_text, _country_names, _csv_bytes,
                                    _doc_meta, _float, _int, _publisher_or_title, _sort_for_export, _source_ids,
                                    _text)
from events.lexicon import default_lexicon


ACLED_COLUMNS = ["event_date", "event_type", "country", "admin1", "location", "latitude", "longitude", "source",
                 "notes", "fatalities"]


def to_acled(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
             names: Mapping[str, str] | None = None) -> bytes:
    """ACLED-style CSV with exactly `ACLED_COLUMNS`.

    - event_date: the first day of the incident's interval (ISO, as ACLED's API writes dates); the date as written
      and its precision are kept in notes, since ACLED's time_precision column is not part of this layout.
    - event_type: `acled_event_type` of the incident type in data/incident_types.csv.
    - country: the country's name (data/countries.csv); location: the place name.
    - source: publishers (the title where a document has no publisher) of the source documents, '; '-joined.
    - notes: the evidence sentence, then the date as written and every reported casualty figure.
    - fatalities: the largest reported death toll, 0 when none is reported (ACLED's convention: 0 means no
      fatalities were reported, not that none occurred). Notes say "no fatality figure reported" then.
    Undated incidents cannot be given an event_date and are left out (`left_out`).
    """
    names = names if names is not None else _country_names()
    lexicon = default_lexicon()
    meta = _doc_meta(documents)
    out = []
    for row in _sort_for_export(incidents).to_dict("records"):
        start = _text(row.get("start"))
        if not start:
            continue
        kind = _text(row.get("type"))
        found = lexicon.types.get(kind)
        sources: list[str] = []
        for s in _source_ids(row):
            name = _publisher_or_title(meta.get(s, {}), s)
            if name not in sources:
                sources.append(name)
        killed = _int(row.get("killed"))
        notes = [_text(row.get("evidence"))]
        notes.append(f"[date as written: {date_as_written(row)}]")
        reports = reports_text(_text(row.get("killed_reports")), meta)
        notes.append(f"[killed reported: {reports}]" if reports else "[no fatality figure reported]")
        lat, lon = _float(row.get("lat")), _float(row.get("lon"))
        country = _text(row.get("country"))
        out.append([start, found.acled_event_type if found else "", names.get(country, country),
                    _text(row.get("admin1")), _text(row.get("place")),
                    "" if lat is None else f"{lat:.4f}", "" if lon is None else f"{lon:.4f}",
                    "; ".join(sources), " ".join(n for n in notes if n), killed if killed is not None else 0])
    return _csv_bytes(ACLED_COLUMNS, out)


def export(request: ExportRequest) -> bytes:
    return to_acled(request.incidents, request.documents)
