"""The merge's cluster index finds exactly the clusters a scan of every cluster finds, in the same order.

Every lookup of a merge is checked against the scan (`[c for c in clusters if c.accepts(m, family)]`), on mentions
drawn by hypothesis (dates of every precision over a few months, places near and far, undated and unplaced ones,
long spans) and on the seeds, so the index holds whatever rules `accepts` gains, as long as accepting needs the
same family and overlapping dates.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import merge
from events.dates import DateMention
from events.gazetteer import Place
from events.mentions import IncidentMention

ROOT = Path(__file__).resolve().parent.parent

PLACES = [Place("t1", "Tromsø", 69.65, 18.96, "NO", "18", "city", 77000),
          Place("t2", "Tromsdalen", 69.64, 19.0, "NO", "18", "city", 17000),
          Place("b1", "Bodø", 67.28, 14.40, "NO", "18", "city", 52000),
          Place("n0", "Norway", 62.0, 10.0, "NO", "", "country", 5_400_000),
          Place("a1", "Arequipa", -16.4, -71.54, "PE", "04", "city", 1_000_000),
          Place("p0", "Arequipa Region", -15.8, -72.5, "PE", "04", "admin1", 1_400_000)]
TYPES = ["airstrike", "shelling", "attack", "bombing", "battle", "capture", "plane_crash"]


class CheckedClusters(merge._Clusters):
    """The index, with every answer compared with the scan it replaces."""

    lookups = 0

    def fitting(self, m, family):
        got = super().fitting(m, family)
        assert [id(c) for c in got] == [id(c) for c in self.all if c.accepts(m, family)]
        CheckedClusters.lookups += 1
        return got


class ScannedClusters(merge._Clusters):
    def fitting(self, m, family):
        return [c for c in self.all if c.accepts(m, family)]


def _date(day0: date, offset: int, precision: str) -> DateMention:
    day = day0 + timedelta(days=offset)
    if precision == "day":
        first = last = day
    elif precision == "week":
        first, last = day, day + timedelta(days=6)
    elif precision == "month":
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    elif precision == "year":
        first, last = date(day.year, 1, 1), date(day.year, 12, 31)
    else:  # a decade: longer than the index files
        first, last = date(day.year - day.year % 10, 1, 1), date(day.year - day.year % 10 + 9, 12, 31)
    return DateMention(start=-1, end=-1, text=first.isoformat(), value=first.isoformat(), first=first, last=last,
                       precision=precision)


mention_specs = st.lists(st.tuples(
    st.integers(0, 5),  # document
    st.sampled_from(TYPES),
    st.none() | st.tuples(st.integers(0, 150), st.sampled_from(["day", "day", "day", "week", "month", "year", "decade"])),
    st.none() | st.sampled_from(PLACES),
    st.none() | st.integers(0, 40),  # killed
    st.booleans(),  # published before the date (a story cannot report the future)
), min_size=1, max_size=60)


def _mentions(specs) -> list[IncidentMention]:
    day0 = date(2019, 11, 20)
    out = []
    for i, (doc, kind, when, place, killed, early) in enumerate(specs):
        out.append(IncidentMention(
            doc=f"d{doc}", sentence_start=100 * i, sentence_end=100 * i + 60, sentence=f"Report {i} killed people.",
            paragraph=i % 3, type=kind, trigger=kind, trigger_start=100 * i + 5,
            date=_date(day0, *when) if when else None, date_from="clause" if when else "", place=place,
            place_text=place.name if place else "", killed=killed,
            published=(day0 + timedelta(days=(when[0] if when else 0) - 3)) if early else None))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=mention_specs)
def test_the_index_finds_what_the_scan_finds(monkeypatch, specs):
    mentions = _mentions(specs)
    monkeypatch.setattr(merge, "_Clusters", ScannedClusters)
    scanned = merge.merge_mentions(mentions)
    monkeypatch.setattr(merge, "_Clusters", CheckedClusters)
    assert merge.merge_mentions(mentions) == scanned


def test_the_index_finds_what_the_scan_finds_on_the_seeds(monkeypatch):
    from events.articles import open_corpus
    from events.pipeline import extract_mentions

    mentions = extract_mentions(open_corpus(ROOT / "seeds").documents, workers=1)
    monkeypatch.setattr(merge, "_Clusters", ScannedClusters)
    scanned = merge.merge_mentions(mentions)
    monkeypatch.setattr(merge, "_Clusters", CheckedClusters)
    before = CheckedClusters.lookups
    assert merge.merge_mentions(mentions) == scanned
    assert CheckedClusters.lookups - before > 50


def test_a_long_family_is_looked_up_by_date():
    """Clusters months apart are not candidates of each other (what makes the merge of a big family linear)."""
    clusters = merge._Clusters()
    mentions = _mentions([(0, "attack", (7 * k, "day"), PLACES[k % 2], None, False) for k in range(20)])
    for m in mentions:
        clusters.append(merge._Cluster(m, "violence"))
    probe = mentions[10]
    members, always, buckets = clusters._families["violence"]
    assert not always and sum(len(v) for v in buckets.values()) == 20
    assert clusters.fitting(probe, "violence") == [c for c in clusters.all if c.accepts(probe, "violence")]
    assert clusters.fitting(probe, "strike") == []


def test_bucket_edges_keep_the_one_day_slack():
    """A day-precise mention joins an incident of the day before or after: the clusters filed in the neighbouring
    bucket are looked at too, at every position of the day within its bucket."""
    clusters = merge._Clusters()
    days = _mentions([(0, "attack", (k, "day"), PLACES[0], None, False) for k in range(0, 3 * merge._Clusters.BUCKET_DAYS)])
    for m in days:
        clusters.append(merge._Cluster(m, "violence"))
    probes = _mentions([(1, "bombing", (k, precision), PLACES[1], None, False)
                        for k in range(-2, 3 * merge._Clusters.BUCKET_DAYS + 2) for precision in ("day", "week", "month")])
    for probe in probes:
        scan = [c for c in clusters.all if c.accepts(probe, "violence")]
        assert clusters.fitting(probe, "violence") == scan
        if probe.date.precision == "day" and 0 < (probe.date.first - days[0].date.first).days < len(days) - 1:
            assert len(scan) == 3  # the day itself and its neighbours
