"""The seed corpus end to end: the named incidents, one row each, dated, placed and sourced."""

from datetime import date

import pytest
from geopy.distance import geodesic

from events.pipeline import extract

ALL = {"000_1d027a3f3d69cddd", "001_6ae3743bf375f8f4", "002_26d6e7b5297b9625", "003_4c61deea75733966",
       "004_2a4348c5db242cb7"}

# (description, types, day or month it happened as the texts report it, reference point, documents that report it)
NAMED = [
    ("Paris attacks", {"attack", "shooting", "suicide_bombing", "bombing"}, "2015-11-13", (48.8566, 2.3522), ALL),
    ("Beirut bombings", {"suicide_bombing", "bombing", "attack"}, "2015-11-12", (33.8938, 35.5018),
     {"000_1d027a3f3d69cddd", "001_6ae3743bf375f8f4"}),
    ("Metrojet crash", {"plane_crash"}, "2015-10-31", (29.5, 33.83), {"001_6ae3743bf375f8f4"}),
    ("Recapture of Sinjar", {"recapture", "capture", "battle"}, "2015-11", (36.3209, 41.8754),
     {"001_6ae3743bf375f8f4", "004_2a4348c5db242cb7"}),
    ("Baiji refinery", {"recapture", "capture", "battle"}, "2015-10", (34.9311, 43.4870), {"001_6ae3743bf375f8f4"}),
    ("Battle for Kobani", {"recapture", "capture", "battle"}, "2015-SP", (36.891, 38.354), {"001_6ae3743bf375f8f4"}),
]

OTHERS = [
    ("Ankara rally bombing", "2015-10", (39.9334, 32.8597)),
    ("Mosque attack in Saudi Arabia", "2015-08", None),
    # Not listed: France's "weekend airstrikes" on Raqqa (003) and "last June"'s Tunisian beach shooting (004) are
    # told only relative to publication dates that are not established (seeds/SOURCES.md), so they stay undated
    # (CONTRACT.md: no dating from a corpus median).
    ("Madrid bombings", "2004", (40.4168, -3.7038)),
    ("Moscow theatre siege", "2002", (55.7558, 37.6173)),
    ("11 September 2001", "2001-09-11", None),
    ("Kweres airbase", "2015-11", (36.1867, 37.5833)),
]
COUNTRY = {"Mosque attack in Saudi Arabia": "SA", "11 September 2001": "US"}


@pytest.fixture(scope="module")
def incidents(tmp_path_factory):
    import os

    os.environ["ATLAS_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    try:
        return extract("seeds", workers=1).incidents
    finally:
        del os.environ["ATLAS_CACHE_DIR"]


def _matches(row, when: str, point, country=None) -> bool:
    if row.start is None or not isinstance(row.start, str):
        return False
    if country and row.country != country:
        return False
    if point is not None:
        if row.lat is None or row.lat != row.lat or geodesic(point, (row.lat, row.lon)).km > 30:
            return False
    start, end = date.fromisoformat(row.start), date.fromisoformat(row.end)
    if when.endswith("-SP"):
        return row.date_value == when
    parts = when.split("-")
    if len(parts) == 3:
        return start <= date.fromisoformat(when) <= end and (end - start).days <= 7
    if len(parts) == 2:
        y, m = int(parts[0]), int(parts[1])
        return start.year == y and start.month == m or (start <= date(y, m, 15) <= end and (end - start).days <= 31)
    return start.year <= int(when) <= end.year


@pytest.mark.parametrize("name,types,when,point,sources", NAMED, ids=[n[0] for n in NAMED])
def test_named_incident_is_one_row_dated_placed_and_sourced(incidents, name, types, when, point, sources):
    near = [r for r in incidents.itertuples()
            if r.lat == r.lat and r.lat is not None and geodesic(point, (r.lat, r.lon)).km <= 30 and r.type in types]
    rows = [r for r in near if _matches(r, when, point)]
    assert len(rows) == 1, f"{name}: {[(r.title, r.start, r.end, r.place) for r in near]}"
    assert set(rows[0].sources.split(";")) == sources, f"{name}: sources {rows[0].sources}"
    # not split: no second row of the same family at the same place and overlapping date
    assert len([r for r in near if r.start == rows[0].start]) == 1


@pytest.mark.parametrize("name,when,point", OTHERS, ids=[o[0] for o in OTHERS])
def test_other_dated_incidents_found(incidents, name, when, point):
    rows = [r for r in incidents.itertuples() if _matches(r, when, point, COUNTRY.get(name))]
    assert rows, f"{name} not found"


def test_few_rows_are_not_incidents(incidents):
    # Every row must be dated and traceable; the named and other incidents above should make most of the table.
    assert incidents["start"].notna().all()
    assert (incidents["evidence"].str.len() > 0).all()
    assert len(incidents) <= 2 * (len(NAMED) + len(OTHERS)), incidents[["title", "start", "evidence"]].to_string()
