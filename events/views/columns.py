"""The incident-table columns the views read beyond the original ones (see CONTRACT.md), each with a fallback for
tables made before the engine wrote them: the place as written and its precision, the background flag, the
figures' qualifiers, and the region above the country (data/regions.csv).

Every function takes the table and returns a column of the same length, so filters and figures never branch on
which version of the table they got.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping

import numpy as np
import pandas as pd

from events.views.labels import _str

# place_precision values, most precise first; "" is an incident without a place
PRECISIONS = ("point", "city", "admin2", "admin1", "country", "region", "")
# how each precision reads in the hover, the legend and the table
PRECISION_LABELS = {
    "point": "exact place", "city": "town or city", "admin2": "district (approximate)",
    "admin1": "province or state (approximate)", "country": "country (centroid, not the place)",
    "region": "region (centroid, not the place)", "": "not placed",
}
# the map's three kinds of mark
MARK_CLASS = {"point": "place", "city": "place", "admin2": "area", "admin1": "area", "country": "country",
              "region": "country", "": "place"}
BACKGROUND_DAYS = 365  # an incident ending this long before its earliest source is background (CONTRACT.md)


def place_written(incidents: pd.DataFrame) -> pd.Series:
    """The place as the sources write it; the gazetteer name where the table has no `place_written`."""
    gazetteer = _str(incidents["place"]) if "place" in incidents else pd.Series("", index=incidents.index)
    if "place_written" not in incidents:
        return gazetteer
    written = _str(incidents["place_written"])
    return written.where(written != "", gazetteer)


def place_precision(incidents: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.Series:
    """`place_precision`, or for older tables a guess: unplaced -> "", a place named like its country (or its
    admin area) -> "country" ("admin1"), else "city"."""
    n = len(incidents)
    if "place_precision" in incidents:
        given = _str(incidents["place_precision"])
        if n == 0 or (given != "").any():
            return given.where(given.isin(PRECISIONS), "city")
    place = _str(incidents["place"]) if "place" in incidents else pd.Series("", index=incidents.index)
    lat = pd.to_numeric(incidents.get("lat", pd.Series(np.nan, index=incidents.index)), errors="coerce")
    lon = pd.to_numeric(incidents.get("lon", pd.Series(np.nan, index=incidents.index)), errors="coerce")
    placed = (lat.notna() & lon.notna()).to_numpy(dtype=bool)
    country = _str(incidents["country"]) if "country" in incidents else pd.Series("", index=incidents.index)
    admin1 = _str(incidents["admin1"]) if "admin1" in incidents else pd.Series("", index=incidents.index)
    names = names or {}
    country_name = country.map(lambda c: names.get(c, c))
    out = np.where(~placed, "", "city").astype(object)
    is_admin = (place != "") & (place == admin1) & placed
    is_country = (place != "") & ((place == country_name) | (place == country)) & placed
    out[is_admin.to_numpy(dtype=bool)] = "admin1"
    out[is_country.to_numpy(dtype=bool)] = "country"
    return pd.Series(out, index=incidents.index, dtype=object)


def qualifier(incidents: pd.DataFrame, which: str) -> pd.Series:
    """`killed_qualifier` / `injured_qualifier` ("at least", "about", ...), "" where absent."""
    column = f"{which}_qualifier"
    if column not in incidents:
        return pd.Series("", index=incidents.index, dtype=object)
    return _str(incidents[column]).astype(object)


def earliest_publication(incidents: pd.DataFrame, documents: pd.DataFrame | None) -> pd.Series:
    """The earliest publication date (ISO day, "" when none is known) of each incident's sources."""
    empty = pd.Series("", index=incidents.index, dtype=object)
    if documents is None or not len(documents) or "published" not in documents or "sources" not in incidents:
        return empty
    published = dict(zip(documents["doc"].astype(str), _str(documents["published"]).str[:10]))
    docs = _str(incidents["sources"]).str.split(";")
    docs.index = range(len(docs))
    listed = docs.explode()
    dates = listed.map(published).fillna("")
    dates = dates[dates != ""]
    if not len(dates):
        return empty
    first = dates.groupby(level=0).min().reindex(range(len(incidents)), fill_value="")
    return pd.Series(first.to_numpy(dtype=object), index=incidents.index)


def background_mask(incidents: pd.DataFrame, documents: pd.DataFrame | None = None) -> np.ndarray:
    """True for background incidents (history the articles recall, not the news): flagged by the engine's
    `background` column, or by the contract's rule where the documents are given (the incident ends more than a
    year before its earliest source was published), which also covers tables and hand-added incidents without the
    flag.

    An incident whose sources all have an unknown publication date is measured against the corpus's earliest
    known publication date instead: a 2001 attack recalled by an undated article in a corpus of 2015 news is
    background, while in a corpus reaching back to 1990 it stays (the earliest date is the cautious choice)."""
    flagged = np.zeros(len(incidents), dtype=bool)
    if "background" in incidents:
        values = incidents["background"]
        flagged = values.eq(True).to_numpy(dtype=bool) if values.dtype != object else \
            _str(values).str.lower().isin(("true", "1", "yes")).to_numpy(dtype=bool)
    end = _str(incidents["end"]).where(_str(incidents["end"]) != "", _str(incidents["start"]))
    first = earliest_publication(incidents, documents)
    window = reporting_window(documents)
    if window is not None:
        first = first.where(first != "", window[0])
    known = (end != "") & (first != "")
    out = flagged.copy()
    if known.any():
        ends = pd.to_datetime(end[known], errors="coerce", format="ISO8601")
        pubs = pd.to_datetime(first[known], errors="coerce", format="ISO8601")
        old = (pubs - ends).dt.days > BACKGROUND_DAYS
        out[np.flatnonzero(known.to_numpy(dtype=bool))] |= old.fillna(False).to_numpy(dtype=bool)
    return out


def reporting_window(documents: pd.DataFrame | None) -> tuple[str, str] | None:
    """(first, last) publication day of the corpus's documents, None when no date is known."""
    if documents is None or not len(documents) or "published" not in documents:
        return None
    days = _str(documents["published"]).str[:10]
    if "date_source" in documents:
        days = days[_str(documents["date_source"]) != "unknown"]
    days = days[days != ""]
    if not len(days):
        return None
    return str(days.min()), str(days.max())


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, str]]:
    from events.settings import DATA_DIR

    try:
        table = pd.read_csv(DATA_DIR / "regions.csv", comment="#", keep_default_na=False, dtype=str)
    except (OSError, ValueError):
        return {}
    return {r.iso2: (r.region, r.iso3) for r in table.itertuples()}


def region_names() -> dict[str, str]:
    """ISO2 -> region above the country (UN M49 sub-region, or the Middle East, the Sahel; data/regions.csv)."""
    return {k: v[0] for k, v in _regions().items()}


def iso3_codes() -> dict[str, str]:
    """ISO2 -> ISO 3166-1 alpha-3 (data/regions.csv)."""
    return {k: v[1] for k, v in _regions().items()}


def regions(incidents: pd.DataFrame) -> pd.Series:
    """The region of each incident's country ("" where the country is unknown)."""
    names = region_names()
    country = _str(incidents["country"]) if "country" in incidents else pd.Series("", index=incidents.index)
    return country.map(names).fillna("").astype(object)


def actor_lists(incidents: pd.DataFrame) -> pd.Series:
    """Each incident's actors as a list ('a; b' -> ['a', 'b'])."""
    if "actors" not in incidents:
        return pd.Series([[] for _ in range(len(incidents))], index=incidents.index, dtype=object)
    values = _str(incidents["actors"]).to_numpy(dtype=object)
    return pd.Series([[a.strip() for a in v.split(";") if a.strip()] for v in values.tolist()], index=incidents.index,
                     dtype=object)
