"""How a value of the incident table reads: source labels, country names, casualty figures, reported figures,
and the small cell helpers (missing values as "", text escaped for plotly's hover HTML) the other view modules share.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd



# how a publication date was established (documents' `date_source`) -> what a reader is told
DATE_SOURCE_NOTES = {"manifest": "", "": "", "dateline": "from the dateline", "text": "inferred from the text",
                     "corpus": "guessed from the other documents", "unknown": "unknown"}


def published_text(published: Any, date_source: Any = "") -> str:
    """'2015-11-17', '2015-11-17, inferred from the text' or 'date unknown': never an inferred date shown as fact."""
    source = _text(date_source)
    day = _text(published)[:10]
    if day in ("None", "NaT"):
        day = ""
    if not day or source == "unknown":
        return "date unknown"
    note = DATE_SOURCE_NOTES.get(source, f"from {source}")
    return f"{day}, {note}" if note else day


def is_inferred(date_source: Any) -> bool:
    """True where a document's publication date is not the manifest's (inferred, guessed or unknown)."""
    return _text(date_source) not in ("manifest", "")


def source_labels(documents: pd.DataFrame) -> dict[str, str]:
    """doc id -> "Title — Publisher (2015-11-17)" for pickers and detail headings; an inferred publication date
    says so ("2015-11-17, inferred from the text"), an unknown one reads "date unknown"."""
    out: dict[str, str] = {}
    n = len(documents)

    def column(name: str, default: Any) -> list[Any]:
        return documents[name].to_numpy(dtype=object, na_value=None).tolist() if name in documents else [default] * n

    for doc, title, publisher, published, source in zip(column("doc", ""), column("title", ""), column("publisher", ""),
                                                        column("published", None), column("date_source", "")):
        title = str(title or "").strip() or str(doc)
        publisher = str(publisher or "").strip()
        label = title if len(title) <= 70 else title[:67].rstrip() + "…"
        if publisher:
            label += f" — {publisher}"
        if _text(published) not in ("", "None", "NaT") or _text(source) == "unknown":
            label += f" ({published_text(published, source)})"
        out[str(doc)] = label
    return out


def country_names(path: str | None = None) -> dict[str, str]:
    """ISO2 -> English short name from data/countries.csv (empty when the file is missing)."""
    from events.settings import DATA_DIR

    try:
        table = pd.read_csv(path or DATA_DIR / "countries.csv", comment="#", keep_default_na=False, dtype=str)
    except (OSError, ValueError):
        return {}
    return dict(zip(table["iso2"], table["name"]))


def casualties_text(killed: Any, injured: Any, killed_reports: Any = "", injured_reports: Any = "",
                    killed_qualifier: Any = "", injured_qualifier: Any = "") -> str:
    """'129–132 killed (sources differ), at least 2,000 injured' from the best figures, their reports and
    qualifiers (see `tolls`); 'no figures' when nothing was reported."""
    from events.views.tolls import casualty_phrase, toll

    return casualty_phrase(toll(killed, killed_reports, killed_qualifier), toll(injured, injured_reports, injured_qualifier))


def row_casualties(row: Any) -> str:
    """`casualties_text` of one incident row (a mapping or a Series), from whichever columns it has."""
    get = row.get
    return casualties_text(get("killed"), get("injured"), get("killed_reports", ""), get("injured_reports", ""),
                           get("killed_qualifier", ""), get("injured_qualifier", ""))


def _is_number(value: Any) -> bool:
    if value is None or value is pd.NA:
        return False
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def parse_reports(text: str | None) -> list[tuple[int, list[str]]]:
    """'129 (003); 132 (000, 001)' -> [(129, ['003']), (132, ['000', '001'])]; also accepts 'figure@doc;...' and
    qualified figures ('at least 20 (003)'; the qualifier is in `tolls.parse_report_list`)."""
    from events.views.tolls import parse_report_list

    out: dict[int, list[str]] = {}
    for report in parse_report_list(text):
        listed = out.setdefault(report.figure, [])
        listed.extend(d for d in report.docs if d not in listed)
    return sorted(out.items())


def _esc(value: Any) -> str:
    """Text for plotly hover labels: plotly reads a little HTML there, so article text is escaped."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=False)


def _str(series: pd.Series, default: str = "") -> pd.Series:
    """Values as strings (pandas string dtype), missing and empty ones replaced by `default`."""
    out = series.astype("string").fillna("")
    if default:
        out = out.where(out != "", default)
    return out


def _text(value: Any) -> str:
    """A cell as text, "" where missing (as `_str` does for a column)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _esc_series(series: pd.Series) -> pd.Series:
    """`_esc` for a whole column (html.escape with quote=False: &, < and > only)."""
    return series.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False).str.replace(">", "&gt;", regex=False)


def _floats(values: pd.Series) -> np.ndarray:
    """Numbers as a float array, NaN where missing or not a number (nullable Int64 columns included)."""
    num = pd.to_numeric(pd.Series(values), errors="coerce")
    return pd.array(num, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
