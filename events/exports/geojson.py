"""`geojson`: an RFC 7946 FeatureCollection of Points, provenance in the `metadata` foreign member."""

from __future__ import annotations

import json

import pandas as pd

from events.exports.common import (with_view_columns, ExportRequest, Provenance, _doc_meta, _has_point, _int, _sort_for_export,
                                    _source_ids, _text)


def to_geojson(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
               provenance: Provenance | None = None) -> bytes:
    """An RFC 7946 FeatureCollection of Points ([lon, lat]); incidents without coordinates are left out and
    counted in the `metadata` foreign member, which also carries the provenance."""
    meta = _doc_meta(documents)
    features = []
    rows = _sort_for_export(with_view_columns(incidents)).to_dict("records")
    for row in rows:
        if not _has_point(row):
            continue
        ids = _source_ids(row)
        props = {
            "id": _text(row.get("id")), "title": _text(row.get("title")), "type": _text(row.get("type")),
            "type_label": _text(row.get("type_label")), "start": _text(row.get("start")) or None,
            "end": _text(row.get("end")) or None, "precision": _text(row.get("precision")),
            "date_text": _text(row.get("date_text")), "place": _text(row.get("place")),
            "place_written": _text(row.get("_place_written")), "place_precision": _text(row.get("_precision")),
            "geonameid": _text(row.get("geonameid")),
            "country": _text(row.get("country")), "admin1": _text(row.get("admin1")),
            "killed": _int(row.get("killed")), "injured": _int(row.get("injured")),
            "killed_reports": _text(row.get("killed_reports")),
            "killed_as_reported": _text(row.get("_killed_text")), "injured_as_reported": _text(row.get("_injured_text")),
            "killed_lowest": None if row.get("_killed_low") != row.get("_killed_low") else int(row["_killed_low"]),
            "sources": ";".join(ids),
            "source_titles": "; ".join(meta.get(s, {}).get("title") or s for s in ids),
            "evidence": _text(row.get("evidence")),
        }
        features.append({"type": "Feature", "id": props["id"],
                         "geometry": {"type": "Point",
                                      "coordinates": [round(float(row["lon"]), 6), round(float(row["lat"]), 6)]},
                         "properties": props})
    metadata = dict(provenance.as_dict() if provenance else {})
    metadata["features"] = len(features)
    metadata["left_out_without_coordinates"] = len(rows) - len(features)
    doc = {"type": "FeatureCollection", "metadata": metadata, "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def export(request: ExportRequest) -> bytes:
    return to_geojson(request.incidents, request.documents, request.provenance)
