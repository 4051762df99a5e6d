"""`timelinejs`: the TimelineJS Google-Sheets template as CSV."""

from __future__ import annotations

import html
from datetime import date
from typing import Any, Mapping

import pandas as pd

from events.exports.common import (figures_text, with_view_columns, date_interval, ExportRequest, place_text, Provenance, _csv_bytes, _doc_meta,
                                    _publisher_or_title, _sort_for_export, _source_ids, _text)


TIMELINEJS_COLUMNS = ["Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time", "Display Date",
                      "Headline", "Text", "Media", "Media Credit", "Media Caption", "Media Thumbnail", "Type", "Group",
                      "Background"]


def _date_parts(iso: str) -> tuple[str, str, str]:
    d = date.fromisoformat(iso)
    return str(d.year), str(d.month), str(d.day)


def timelinejs_dates(row: Mapping[str, Any]) -> tuple[str, str, str, str, str, str]:
    """(Year, Month, Day, End Year, End Month, End Day) filled only as far as the date is known."""
    start, end, precision = _text(row.get("start")), _text(row.get("end")), _text(row.get("precision"))
    if not start:
        return ("",) * 6
    y, m, d = _date_parts(start)
    ey, em, ed = _date_parts(end or start)
    if precision == "day" or (precision == "" and start == (end or start)):
        return y, m, d, "", "", ""
    if precision == "month":
        return y, m, "", "", "", ""
    if precision == "year":
        return y, "", "", "", "", ""
    if precision == "week":
        return y, m, d, ey, em, ed
    if precision in ("season", "quarter"):
        return y, m, "", ey, em, ""
    # decade, century, or anything else spanning years
    return y, "", "", ey, "", ""


def to_timelinejs(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
                  provenance: Provenance | None = None) -> bytes:
    """The TimelineJS Google-Sheets template as CSV: a title slide, then one dated incident per row.

    Display Date is the date as written; it, Headline and Text are HTML to TimelineJS, so every value is escaped.
    Undated incidents cannot be placed on a timeline and are left out (`left_out`).
    """
    meta = _doc_meta(documents)
    rows: list[list[str]] = []
    if provenance is not None:
        text = "<br>".join(html.escape(line) for line in provenance.lines()[1:])
        rows.append(["", "", "", "", "", "", "", "", "", html.escape(f"Incidents: {provenance.corpus or 'corpus'}"),
                     text, "", "", "", "", "title", "", ""])
    for row in _sort_for_export(with_view_columns(incidents)).to_dict("records"):
        if not _text(row.get("start")):
            continue
        y, m, d, ey, em, ed = timelinejs_dates(row)
        sources = [_publisher_or_title(meta.get(s, {}), s) for s in _source_ids(row)]
        place = place_text(row)
        text = "<br>".join(html.escape(part) for part in (
            f"Place: {place or 'unknown'}",
            f"Casualties: {figures_text(row)}",
            f"Sources: {'; '.join(sources)}",
        ))
        evidence = _text(row.get("evidence"))
        if evidence:
            text += f"<br><i>“{html.escape(evidence)}”</i>"
        rows.append([y, m, d, "", ey, em, ed, "", html.escape(_text(row.get("date_text")) or date_interval(row)),
                     html.escape(_text(row.get("title"))), text, "", "", "", "", "",
                     _text(row.get("type_label")) or _text(row.get("type")), ""])
    return _csv_bytes(TIMELINEJS_COLUMNS, rows)


def export(request: ExportRequest) -> bytes:
    return to_timelinejs(request.incidents, request.documents, request.provenance)
