"""How a value of the incident table reads: source labels, country names, casualty figures, reported figures,
and the small cell helpers (missing values as "", text escaped for plotly's hover HTML) the other view modules share.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import numpy as np
import pandas as pd



def source_labels(documents: pd.DataFrame) -> dict[str, str]:
    """doc id -> "Title — Publisher (2015-11-17)" for pickers and detail headings."""
    out: dict[str, str] = {}
    n = len(documents)

    def column(name: str, default: Any) -> list[Any]:
        return documents[name].to_numpy(dtype=object, na_value=None).tolist() if name in documents else [default] * n

    for doc, title, publisher, published in zip(column("doc", ""), column("title", ""), column("publisher", ""),
                                                column("published", None)):
        title = str(title or "").strip() or str(doc)
        publisher = str(publisher or "").strip()
        label = title if len(title) <= 70 else title[:67].rstrip() + "…"
        if publisher:
            label += f" — {publisher}"
        if published is not None and not (isinstance(published, float) and math.isnan(published)) and str(published) not in ("", "None", "NaT"):
            label += f" ({str(published)[:10]})"
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


def casualties_text(killed: Any, injured: Any) -> str:
    parts = []
    if _is_number(killed):
        parts.append(f"{int(killed)} killed")
    if _is_number(injured):
        parts.append(f"{int(injured)} injured")
    return ", ".join(parts) or "no figures"


def _is_number(value: Any) -> bool:
    if value is None or value is pd.NA:
        return False
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def parse_reports(text: str | None) -> list[tuple[int, list[str]]]:
    """'129 (003); 132 (000, 001)' -> [(129, ['003']), (132, ['000', '001'])]; also accepts 'figure@doc;...'."""
    out: dict[int, list[str]] = {}
    if not text or not isinstance(text, str):
        return []
    for part in text.split(";"):
        part = part.strip()
        m = re.match(r"^(\d[\d,]*)\s*\(([^)]*)\)$", part) or re.match(r"^(\d[\d,]*)\s*@\s*(.+)$", part)
        if not m:
            continue
        figure = int(m.group(1).replace(",", ""))
        docs = [d.strip() for d in m.group(2).split(",") if d.strip()]
        out.setdefault(figure, [])
        out[figure].extend(d for d in docs if d not in out[figure])
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
