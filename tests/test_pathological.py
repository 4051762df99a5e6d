"""Linear-time rewrites answer as the definitions they replace (issue 13 item 3); their speed is measured by
bench/pathological.py, not here."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.dates import DateMention
from events.gazetteer import Place
from events.mentions import IncidentMention, _covered, _Except
from events.merge import _best_date, _best_place, _DateVotes, _PlaceVotes

PRECISIONS = ["day", "month", "year", "week"]
PLACES = [Place(str(i), f"P{i}", float(i), float(i), "KE", "A", kind, 1000)
          for i, kind in enumerate(["city", "city", "landmark", "admin1", "country", "region", "admin1"])]


def _date(day: int, precision: str) -> DateMention:
    first = date(2020, 1, 1) + timedelta(days=day)
    return DateMention(0, 1, "x", f"{first.isoformat()}|{precision}", first, first, precision)


mention = st.builds(
    lambda d, p, place, origin: IncidentMention(
        doc="d", sentence_start=0, sentence_end=1, sentence="x", paragraph=0, type="attack", trigger="attack",
        trigger_start=0, date=None if d is None else _date(d, p), date_from=origin,
        place=None if place is None else PLACES[place]),
    st.one_of(st.none(), st.integers(0, 4)), st.sampled_from(PRECISIONS),
    st.one_of(st.none(), st.integers(0, len(PLACES) - 1)), st.sampled_from(["clause", "coreference", "publication"]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mention, min_size=1, max_size=25))
def test_incremental_votes_equal_best_date_and_place(mentions):
    dates, places = _DateVotes(), _PlaceVotes()
    for i, m in enumerate(mentions, 1):
        dates.add(m)
        places.add(m)
        assert dates.best() is _best_date(mentions[:i])
        assert places.best() is _best_place(mentions[:i])


@given(st.lists(st.integers(0, 50), max_size=20), st.data())
def test_except_is_the_list_without_a_slice(items, data):
    lo = data.draw(st.integers(0, len(items)))
    hi = data.draw(st.integers(lo, len(items)))
    view = _Except(items, lo, hi)
    assert list(view) == items[:lo] + items[hi:] and len(view) == len(items) - (hi - lo)


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 15)), max_size=12), st.integers(0, 50),
       st.integers(0, 10))
def test_covered_spans_equal_the_scan(raw, start, length):
    spans = [(a, a + n) for a, n in raw]
    inside = _covered(spans)
    assert inside(start, start + length) == any(a <= start and start + length <= b for a, b in spans)
