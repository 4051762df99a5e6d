"""What every export format shares: provenance, the filter summary, and reading a row's cells as clean text."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from events import views
from events.lexicon import default_lexicon
from events.settings import DATA_DIR
from events.spreadsheet import neutralise_formula


STATIC_DIR = DATA_DIR.parent / "static"


# --------------------------------------------------------------------------------------------------------------
# Provenance and small helpers
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where an export came from; shown or embedded wherever the format allows."""

    corpus: str = ""
    filters: str = "all incidents"
    exported: str = ""  # ISO 8601, UTC, to the second
    engine_version: str = ""
    shown: int = 0  # incidents in the export
    total: int = 0  # incidents in the corpus

    def lines(self) -> list[str]:
        out = [f"Corpus: {self.corpus or '(unnamed)'}", f"Filters: {self.filters}",
               f"Incidents: {self.shown} of {self.total}", f"Exported: {self.exported}"]
        if self.engine_version:
            out.append(f"Engine: {self.engine_version}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "filters": self.filters, "exported": self.exported,
                "engine_version": self.engine_version, "incidents": self.shown, "incidents_in_corpus": self.total}


def filter_summary(state: views.FilterState, names: Mapping[str, str] | None = None,
                   labels: Mapping[str, str] | None = None, selection: Sequence[str] | None = None,
                   background_left_out: int = 0) -> str:
    """A filter state in words: 'country: Kenya; months: 2019-01 to 2019-02; text: "hotel"' or 'all incidents';
    `background_left_out` background incidents the state hides are said too, so "all" is never more than it is."""
    names = names if names is not None else _country_names()
    labels = labels or {}
    lexicon = default_lexicon()
    parts = []
    if state.sources:
        parts.append("sources: " + ", ".join(labels.get(s, s) for s in state.sources))
    if state.month_from or state.month_to:
        parts.append(f"months: {state.month_from or 'start'} to {state.month_to or 'end'}")
    if state.continents:
        parts.append("continent: " + ", ".join(state.continents))
    if state.regions:
        parts.append("region: " + ", ".join(state.regions))
    if state.countries:
        parts.append("country: " + ", ".join(names.get(c, c) for c in state.countries))
    if state.admin1s:
        parts.append("admin area: " + ", ".join(state.admin1s))
    if state.types:
        parts.append("type: " + ", ".join(lexicon.label(t) for t in state.types))
    if state.actors:
        parts.append("actor: " + ", ".join(state.actors))
    if state.min_killed:
        parts.append(f"at least {state.min_killed} killed")
    if state.text.strip():
        parts.append(f"text: \"{state.text.strip()}\"")
    if selection is not None:
        parts.append(f"selection of {len(selection)} incident{'s' if len(selection) != 1 else ''}")
    summary = "; ".join(parts) or "all incidents"
    if background_left_out and not state.background:
        n = background_left_out
        summary += f" (without {n} background incident{'s' if n != 1 else ''}: history the sources recall)"
    return summary


def make_provenance(corpus: str, state: views.FilterState, engine_version: str = "", shown: int = 0, total: int = 0,
                    now: datetime | None = None, labels: Mapping[str, str] | None = None,
                    selection: Sequence[str] | None = None, background_left_out: int = 0) -> Provenance:
    now = now or datetime.now(timezone.utc)
    return Provenance(corpus=corpus, filters=filter_summary(state, labels=labels, selection=selection,
                                                            background_left_out=background_left_out),
                      exported=now.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                      engine_version=engine_version, shown=shown, total=total)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    return views.country_names()


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: Any) -> str:
    """A cell as clean text: missing values are '', characters XML cannot hold are dropped."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _XML_BAD.sub("", str(value))


def _int(value: Any) -> int | None:
    return int(value) if views._is_number(value) else None


def _float(value: Any) -> float | None:
    return float(value) if views._is_number(value) else None


def _has_point(row: Mapping[str, Any]) -> bool:
    return _float(row.get("lat")) is not None and _float(row.get("lon")) is not None


def _source_ids(row: Mapping[str, Any]) -> list[str]:
    return [s for s in _text(row.get("sources")).split(";") if s]


def _doc_meta(documents: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    if documents is None or not len(documents):
        return {}
    out = {}
    for r in documents.to_dict("records"):
        meta = {k: _text(r.get(k)) for k in ("title", "publisher", "published", "url", "date_source")}
        # the publication date as a reader must see it: inferred or unknown dates say so
        meta["published_label"] = views.published_text(meta["published"], meta["date_source"]) \
            if meta["published"] or meta["date_source"] == "unknown" else ""
        out[_text(r["doc"])] = meta
    return out


def _publisher_or_title(meta: Mapping[str, str], doc: str) -> str:
    return meta.get("publisher") or meta.get("title") or doc


def date_interval(row: Mapping[str, Any]) -> str:
    """'2015-11-13' for a day, '2015-08-01 – 2015-08-31' for a longer date, '' when undated."""
    start, end = _text(row.get("start")), _text(row.get("end"))
    if not start:
        return ""
    return start if not end or end == start else f"{start} – {end}"


def date_as_written(row: Mapping[str, Any]) -> str:
    """'“In August” (month: 2015-08-01 – 2015-08-31)': the date as the source wrote it and what it denotes."""
    written, interval = _text(row.get("date_text")), date_interval(row)
    if not interval:
        return "undated"
    precision = _text(row.get("precision"))
    denotes = f"{precision}: {interval}" if precision and precision != "day" else interval
    return f"“{written}” ({denotes})" if written else denotes


def reports_text(reports: str, meta: Mapping[str, Mapping[str, str]]) -> str:
    """'129 (003); at least 132 (000)' -> '129 (The Atlantic); at least 132 (The Islamic State is …)' naming each
    source and keeping each figure's qualifier."""
    out = []
    for report in views.parse_report_list(reports):
        names = [_short(_publisher_or_title(meta.get(d, {}), d), 40) for d in report.docs]
        out.append(f"{report.text()} ({', '.join(names)})")
    return "; ".join(out)


def with_view_columns(frame: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The incidents with what every format shows beside their own columns (leading "_": never exported as
    columns): the place as written and its precision, the figures as the sources give them and the lowest ones."""
    from events.views.columns import place_precision, place_written, qualifier
    from events.views.tolls import toll_columns

    out = frame.copy()
    out["_place_written"] = place_written(frame).to_numpy(dtype=object)
    out["_precision"] = place_precision(frame, names if names is not None else _country_names()).to_numpy(dtype=object)
    for which in ("killed", "injured"):
        reports = frame[f"{which}_reports"] if f"{which}_reports" in frame else None
        low, _, texts = toll_columns(frame[which], reports, qualifier(frame, which))
        out[f"_{which}_low"], out[f"_{which}_text"] = low, texts
    return out


def figures_text(row: Mapping[str, Any]) -> str:
    """'129–132 killed (sources differ), at least 2,000 injured' or 'no figures'."""
    return views.row_casualties(row)


def gazetteer_text(row: Mapping[str, Any]) -> str:
    """What the gazetteer calls the place, beside the name the sources use: 'gazetteer: ‘Ayn al ‘Arab, Aleppo,
    GeoNames 172256' (its name where it differs from the place as written, its admin area, its id); '' for an
    unplaced incident. Admin areas are the gazetteer's names ("Beyrouth"), so they are said here, not in the place."""
    written = _text(row.get("_place_written")) or _text(row.get("place_written")) or _text(row.get("place"))
    name, gid, admin = _text(row.get("place")), _text(row.get("geonameid")), _text(row.get("admin1"))
    ref = ("GeoNames " + gid) if gid and not gid.startswith("x:") else ("curated list" if gid else "")
    parts: list[str] = []
    for part in (name if name and name != written else "", admin if admin not in (name, written) else "", ref):
        if part and part not in parts:
            parts.append(part)
    return ("gazetteer: " + ", ".join(parts)) if parts else ""


def precision_text(row: Mapping[str, Any]) -> str:
    """How precise the place is, as a reader should read it ("country (centroid, not the place)")."""
    precision = _text(row.get("_precision")) if "_precision" in row else _text(row.get("place_precision"))
    return views.PRECISION_LABELS.get(precision, precision)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def place_text(row: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """'Mosul, Iraq': the place as the sources write it and its country's name (the admin area is the gazetteer's
    name, e.g. "Nairobi Area": `gazetteer_text` says it)."""
    names = names if names is not None else _country_names()
    country = _text(row.get("country"))
    written = _text(row.get("_place_written")) or _text(row.get("place_written")) or _text(row.get("place"))
    parts: list[str] = []
    for part in (written, names.get(country, country)):
        if part and part not in parts:
            parts.append(part)
    return ", ".join(parts)


def _sort_for_export(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(_s=frame["start"].fillna("9999")).sort_values(["_s", "id"], kind="stable").drop(columns="_s")


def left_out(fmt: str, incidents: pd.DataFrame) -> dict[str, int]:
    """What a format cannot show: {'without coordinates': n} or {'undated': n} (only non-zero counts)."""
    out: dict[str, int] = {}
    rows = incidents.to_dict("records")
    if fmt in ("geojson", "kml", "png-map"):
        out["without coordinates"] = sum(not _has_point(r) for r in rows)
    if fmt in ("timelinejs", "acled", "png-timeline"):
        out["undated"] = sum(not _text(r.get("start")) for r in rows)
    return {k: v for k, v in out.items() if v}


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV whose text cells cannot run as spreadsheet formulas (`events.spreadsheet`)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # RFC 4180: a cell holding a lone CR is quoted
    writer.writerow(header)
    writer.writerows([neutralise_formula(cell) for cell in row] for row in rows)
    return buf.getvalue().encode("utf-8")


@dataclass(frozen=True)
class ExportRequest:
    """What a format writer gets: the filtered incidents (already narrowed to a selection), the documents, the
    provenance and the view settings some formats use (timeline grouping; the deck's key incidents)."""

    incidents: pd.DataFrame
    documents: pd.DataFrame | None = None
    provenance: Provenance | None = None
    group_by: str = views.DEFAULT_GROUP_BY
    top: int = 8
    ids: Sequence[str] | None = None
    deck: Any = None  # pptx_deck.DeckOptions: the deck's title slide as the analyst writes it
