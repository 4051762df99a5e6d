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


# --- dates: "that Friday's ..." read from the words right before, not by searching the whole text before -----------

_WORDS_BEFORE_WEEKDAY = st.lists(st.sampled_from(["that", "THAT", "whether", "Whether", " ", "\n", "\t", "\u00a0", "x",
                                                  "at", "athat", "hat", ".", "said", "on Friday"]), max_size=8)


@settings(max_examples=500, deadline=None)
@given(_WORDS_BEFORE_WEEKDAY, st.data())
def test_after_that_equals_the_search_of_the_whole_text_before(parts, data):
    import re

    from events.dates import _after_that

    text = "".join(parts)
    start = data.draw(st.integers(0, len(text)))
    definition = re.compile(r"(?i)\b(?:that|whether)\s+$").search(text, 0, start) is not None
    assert _after_that(text, start) == definition


# --- casualties: patterns are not tried after the last word a figure needs --------------------------------------

_CASUALTY_WORDS = ["killed", "killing", "dead", "died", "wounded", "injured", "left", "leaving", "toll", "death", "of",
                   "the", "rose", "to", "at least", "more than", "two", "three", "hundred", "and", "twenty-one", "people",
                   "soldiers", "12", "1,200", "1997", "in August", "were", "was", "a", "thousands", ".", ",", "one"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CASUALTY_WORDS), max_size=40))
def test_figures_equal_every_pattern_read_over_the_whole_text(words):
    from events import casualties as c

    text = " ".join(words)

    def definition(patterns):  # the loop of _first_figure without the keyword bound
        best = None
        for pattern in patterns:
            for match in pattern.finditer(text):
                raw = match.group("n")
                value = c.parse_number(raw)
                if value is None or value == 0 or c._looks_like_year(text, match.start("n"), raw, value):
                    continue
                start = match.start()
                groups = list(c._GROUP_RE.finditer(text))
                listed = c._listed_total(text, match, groups, [g.start("n") for g in groups])
                if listed is not None:
                    start, value = listed
                partitive = c._PARTITIVE.match(text, match.start("n"))
                if partitive is not None:
                    whole = c.parse_number(partitive.group("n"))
                    if whole and whole > value:
                        value = whole
                if best is None or start < best[0]:
                    best = (start, value, c._qualifier(match.group("q"), raw))
        return (best[1], best[2]) if best else (None, "")

    found = c.find_casualties(text)
    assert (found.killed, found.killed_qualifier) == definition(c._KILLED)
    assert (found.injured, found.injured_qualifier) == definition(c._INJURED)


# --- actors: a possessive name token matches as the backtracking one did ------------------------------------------

@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["A.", "al-Qaeda ", "Hamas ", "the ", "by ", "of ", "claimed responsibility", " ", "\n",
                                 "militants ", "rebels ", "ISIS ", "U.S.-backed ", "x", "Islamic State ", "and ",
                                 "has claimed ", "fighters", "-", "'s ", "Boko Haram "]), max_size=30))
def test_actor_pattern_equals_its_backtracking_definition(parts):
    import re

    from events.mentions import _actor_pattern, _nouns

    text = "".join(parts)
    name = r"(?:[A-Z][\w.’'-]{0,60}|al-[A-Z][\w-]{0,60})"
    heads = _nouns().actor_nouns
    definition = re.compile(
        rf"\b((?:{name}\s+(?:and\s+)?){{0,3}}(?:[a-z]+-)?(?:{heads}))\b"
        rf"|\b(?:by|claimed by|of)\s+((?:the\s+)?{name}(?:\s+{name}){{0,3}})"
        rf"|\b([A-Z]{{2,6}}(?:-[A-Z]{{1,3}})?)\b(?=\s+(?:claimed|has claimed|said it|carried out|fighters|militants|affiliate))"
        rf"|\b((?:the\s+)?{name}(?:\s+{name}){{0,3}})\s+(?:has\s+|had\s+|have\s+)?claimed\s+(?:responsibility|credit)")
    assert [m.span() + m.groups() for m in _actor_pattern().finditer(text)] == \
        [m.span() + m.groups() for m in definition.finditer(text)]
