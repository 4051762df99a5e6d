"""Linear-time rewrites answer as the definitions they replace (issue 13 item 3); their speed is measured by
bench/pathological.py, not here."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from events.dates import DateMention
from events.gazetteer import Place
from events.mentions import _SINCE_WORD, _WHO_WORD, IncidentMention, _covered, _Except, _word_between
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
@example(["in August", "12", "killed"])  # a day of the month is no toll, in the engine as in the definition
def test_figures_equal_every_pattern_read_over_the_whole_text(words):
    from events import casualties as c

    text = " ".join(words)

    def definition(patterns):  # the loop of _first_figure without the keyword bound
        best = None
        for pattern in patterns:
            for match in pattern.finditer(text):
                raw = match.group("n")
                value = c.parse_number(raw)
                if (value is None or value == 0 or c._looks_like_year(text, match.start("n"), raw, value)
                        or c._is_day_of_month(text, match.start("n"), raw)):
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

@settings(max_examples=1500, deadline=None)
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
    # group 5 is group 1 deep inside a long run of name characters (a bare head noun)
    assert [m.span() + (m[1] or m[5], m[2], m[3], m[4]) for m in _actor_pattern().finditer(text)] == \
        [m.span() + m.groups() for m in definition.finditer(text)]


# long runs of name characters (over 64, where the guard sends a start to the head-noun branch), with names, heads,
# acronyms and claims inside and at their ends
_RUN_PARTS = ["A." * 11, "x" * 13, "al-" + "Q" * 17, "al-Qaeda", "militants", "-militants", "rebels", "-", ".", "'",
              "’", " ", "\n", "Hamas ", "ISIS", "ISIS ", "claimed responsibility", "by ", "of ", "the ", "fighters",
              "Boko", "_", "9"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_RUN_PARTS), max_size=30))
def test_actor_pattern_in_long_runs_equals_its_definition(parts):
    test_actor_pattern_equals_its_backtracking_definition.hypothesis.inner_test(parts)


# --- dates: overlap selection by character marks, not by inserting into sorted lists -----------------------------

def _select_by_insertion(cands):
    """The definition _select replaced: kept spans in sorted lists, two neighbours checked by bisection."""
    from bisect import bisect_right

    cands = sorted(cands, key=lambda c: (-(c[1] - c[0]), c[0]))
    starts, ends, taken = [], [], []
    for c in cands:
        i = bisect_right(starts, c[0])
        if (i and ends[i - 1] > c[0]) or (i < len(starts) and starts[i] < c[1]):
            continue
        starts.insert(i, c[0])
        ends.insert(i, c[1])
        taken.insert(i, c)
    return taken


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12), st.integers(0, 3)), max_size=40))
def test_select_equals_the_insertion_definition(raw):
    from events.dates import _select

    cands = [(a, a + n, (f"v{k}", date(2020, 1, 1), date(2020, 1, 1), "day")) for a, n, k in raw]
    assert _select(list(cands)) == _select_by_insertion(cands)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)), max_size=25),
       st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)), max_size=25))
def test_without_overlaps_equals_the_insertion_definition(raw_kept, raw_extra):
    from bisect import bisect_right

    from events.dates import TemporalReference, _select, _without_overlaps

    # kept: non-overlapping and in text order, as find_dates returns them
    kept_spans = _select([(a, a + n, None) for a, n in raw_kept if n]) if raw_kept else []
    kept = [TemporalReference(a, b, "k", "k") for a, b, _ in kept_spans]
    extra = [TemporalReference(a, a + n, "e", str(i)) for i, (a, n) in enumerate(raw_extra)]

    starts, ends, items = [k.start for k in kept], [k.end for k in kept], list(kept)
    for e in sorted(extra, key=lambda e: e.start):
        i = bisect_right(starts, e.start)
        if (i and ends[i - 1] > e.start) or (i < len(starts) and starts[i] < e.end):
            continue
        starts.insert(i, e.start)
        ends.insert(i, e.end)
        items.insert(i, e)
    assert _without_overlaps(kept, extra) == items


# --- dates: numeric cores found by zero-width patterns in C, not a Python test at each "1", "20" or "/" ----------

_DIGITISH = st.text(alphabet="1209345-/ x²①٣.", max_size=40)


@settings(max_examples=600, deadline=None)
@given(_DIGITISH)
def test_digit_cores_equal_their_literal_definitions(low):
    from events.dates import _COMPACT, _CORES, _NUMERIC_CORE, _YEAR_DIGITS_CORE, _digit_at, _literal_core

    numeric = _literal_core(("-", "/"), lambda low, i: _digit_at(low, i - 1) and _digit_at(low, i + 1))
    year = _literal_core(("1", "20"), lambda low, i: (
        not _digit_at(low, i - 1) and low[i:i + 4].isdigit() and len(low[i:i + 4]) == 4 and not _digit_at(low, i + 4)))
    compact = _literal_core(("19", "20"), lambda low, i: low[i:i + 8].isdigit() and len(low[i:i + 8]) == 8)
    assert _NUMERIC_CORE(low) == numeric(low)
    assert _YEAR_DIGITS_CORE(low) == year(low)
    assert _CORES[_COMPACT](low) == compact(low)


# --- dates: a text denser in dates than any news is read up to a budget, and says what it left ------------------

def test_a_text_made_of_dates_is_read_up_to_the_budget_and_names_the_rest():
    from events.dates import DATE_CUE_BLOCK, DATE_CUE_BUDGET, find_dates, unread_date_stretches

    unit = "Mar. 7 "
    text = unit * (3 * DATE_CUE_BLOCK // len(unit))  # three blocks of one cue every 7 characters
    found = find_dates(text, date(2021, 4, 1))
    assert {d.value for d in found} == {"2021-03-07"}
    per_block = [sum(1 for d in found if d.start // DATE_CUE_BLOCK == b) for b in range(3)]
    assert all(DATE_CUE_BUDGET - 2 <= n <= DATE_CUE_BUDGET + 1 for n in per_block), per_block
    stretches = unread_date_stretches(text)
    assert len(stretches) == 3 and stretches[-1][1] == len(text)
    assert all(d.start < stretches[0][0] or d.start >= DATE_CUE_BLOCK for d in found)


def test_a_short_text_of_dates_and_ordinary_prose_are_read_whole():
    from events.dates import DATE_CUE_BLOCK, find_dates, unread_date_stretches

    short = "Mar. 7 " * (DATE_CUE_BLOCK // 7)
    assert len(find_dates(short, date(2021, 4, 1))) == DATE_CUE_BLOCK // 7 and unread_date_stretches(short) == []
    # a wire factbox: a dated line of about 150 characters after another (two date cues each)
    timeline = "".join(f"{m} {d}, 2014 - Floods hit the delta and the army moved in to help the farmers, who had lost "
                       f"their herds and most of the harvest to the water.\n"
                       for m in ("March", "April", "May", "June") for d in range(1, 29))
    assert len(timeline) > 1.9 * DATE_CUE_BLOCK and unread_date_stretches(timeline) == []
    assert len(find_dates(timeline, date(2015, 1, 1))) == 4 * 28


def test_a_dotted_capital_i_keeps_the_fast_path_and_the_dates():
    from events.dates import _lower, find_dates

    text = "{} officials said on Friday, March 3, 2019 that the May 5 vote and the 1998 law stand; 4/5/2018."
    assert len(_lower(text.format("İzmir"))) == len(text.format("İzmir"))
    assert [(d.start, d.end, d.value) for d in find_dates(text.format("İzmir"), date(2019, 6, 1))] == \
        [(d.start, d.end, d.value) for d in find_dates(text.format("Izmir"), date(2019, 6, 1))]


def test_extraction_names_a_document_whose_dates_were_not_all_read(tmp_path):
    from events.corpus import load_corpus
    from events.pipeline import extract_corpus

    (tmp_path / "table.txt").write_text("Dates\n\n" + "Mar. 7 " * 3000, encoding="utf-8")
    (tmp_path / "report.txt").write_text("Bombing\n\nA car bomb killed 12 people in Mopti on 3 March 2021, officials said.\n",
                                         encoding="utf-8")
    result = extract_corpus(load_corpus(tmp_path), workers=1, use_cache=False)
    problems = [p for p in result.problems if "dates not read" in p.reason]
    assert [p.file.endswith("table.txt") for p in problems] == [True]
    assert "from character" in problems[0].reason
    assert len(result.incidents) >= 1


# --- sentences: a full stop after a lone capital is refused by the boundary pattern itself -----------------------

@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["A", "B.", "a", "J.", " ", "\n", ". ", "! ", "? ", "...", "Mr.", "U.S.", "x", "\"",
                                 ")", "Smith", "1", "No.", "é", "É."]), max_size=30))
def test_boundary_refuses_initials_as_the_abbreviation_check_did(parts):
    import re

    from events import sentences

    text = "".join(parts)
    old = re.compile(r"(?<![.!?])[.!?]+[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
    new = sentences._BOUNDARY
    try:
        sentences._BOUNDARY = old
        expected = sentences.split_sentences(text)
    finally:
        sentences._BOUNDARY = new
    assert sentences.split_sentences(text) == expected


def test_named_dates_count_in_the_budget_and_read_as_before_under_it():
    from events.dates import DATE_CUE_BLOCK, find_dates, unread_date_stretches

    short = "after 9/11, and 9/11/2002 or 19/11 were not 9/11. " * 20
    assert [d.text for d in find_dates(short, date(2019, 6, 1)) if d.value == "2001-09-11"] == ["9/11", "9/11"] * 20
    dense = "9/11 " * (2 * DATE_CUE_BLOCK // 5)
    assert len(unread_date_stretches(dense)) == 2
    assert 100 <= len(find_dates(dense, date(2019, 6, 1))) <= 2 * 128


# --- mentions: what a clause's mentions read from the whole clause is read once, near each trigger ----------------

def _group_anchors_by_scan(heads, bound, places, dates, text=""):
    """The definition `_group_anchors` replaces: every head tried for every anchor (a place a "where" clause
    follows goes to a head before it)."""
    from events.mentions import _WHERE_AFTER, _distance

    groups = {id(t): ([], []) for t in heads}
    for anchor in [*places, *dates]:
        owners = [t for t in heads if isinstance(anchor, DateMention) and anchor in bound.get(id(t), ())]
        if not owners and text and not isinstance(anchor, DateMention) and _WHERE_AFTER.match(text, anchor.end):
            owners = [t for t in heads if t.end <= anchor.start]
        nearest = min(owners or heads, key=lambda t: _distance(anchor.start, anchor.end, t))
        (groups[id(nearest)][0] if not isinstance(anchor, DateMention) else groups[id(nearest)][1]).append(anchor)
    return groups


def _find_actors_reading_on(text):
    """The definition `find_actors` replaces: every actor of the text found, the first four kept."""
    import re

    from events.mentions import _actor_pattern

    found = []
    for match in _actor_pattern().finditer(text):
        actor = re.sub(r"^(?:the|The|a|A|an|An)\s+", "", next(g for g in match.groups() if g).strip())
        if len(actor) < 2 or actor.lower() in {"the", "a", "an"} or actor[0].islower() and " " not in actor:
            continue
        if actor not in found:
            found.append(actor)
    return tuple(found[:4])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 80), st.integers(1, 9)), min_size=1, max_size=12),
       st.lists(st.tuples(st.integers(0, 90), st.integers(0, 9), st.booleans()), max_size=12), st.data())
def test_anchors_go_to_the_head_the_scan_of_every_head_chose(raw_heads, raw_anchors, data):
    from events.lexicon import Trigger
    from events.mentions import _group_anchors
    from events.places import PlaceMention

    heads = sorted((Trigger(a, a + n, "x" * n, "attack", 1) for a, n in raw_heads), key=lambda t: t.start)
    places = sorted((PlaceMention(a, a + n, "P", PLACES[0], "name") for a, n, is_date in raw_anchors if not is_date),
                    key=lambda p: p.start)
    dates = sorted((DateMention(a, a + n, f"d{a}", "2020-01-01", date(2020, 1, 1), date(2020, 1, 1), "day")
                    for a, n, is_date in raw_anchors if is_date), key=lambda d: d.start)
    bound = {id(t): data.draw(st.lists(st.sampled_from(dates), max_size=2)) if dates else [] for t in heads}
    new, old = _group_anchors(heads, bound, places, dates), _group_anchors_by_scan(heads, bound, places, dates)
    assert {k: (list(p), list(d)) for k, (p, d) in new.items()} == old


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["al-Qaeda ", "Hamas ", "the ", "by ", "of ", "claimed responsibility", " ", "militants ",
                                 "rebels ", "ISIS ", "U.S.-backed ", "Islamic State ", "and ", "gunmen ", "Boko Haram ",
                                 "police ", "soldiers ", "A.", ", "]), max_size=40))
def test_actors_stop_at_the_fourth_as_the_first_four_of_all(parts):
    from events.mentions import find_actors

    text = "".join(parts)
    assert find_actors(text) == _find_actors_reading_on(text)


# Realistic news of other places and years, and the same facts run into one clause without stops.
_CLAUSE_NEWS = [
    "MOGADISHU, March 4 (Reuters) - Al-Shabaab militants attacked an army base near Baidoa on Sunday, killing nine "
    "soldiers, officials said. Tuesday's bombing at a market in Kismayo, which the group claimed, wounded 14 people. "
    "Funerals were held on Wednesday for the victims of the attack, and police arrested two suspects in Afgoye.",
    "Gunmen killed four villagers in Zamfara state on Friday and abducted 30 others, a spokesman said. In a separate "
    "incident, bandits attacked a convoy near Gusau on Saturday; the attack on the convoy in Gusau left six dead. "
    "The Nigerian army said its troops repelled an assault on a base in Maiduguri on 12 June 2021, while Boko Haram "
    "fighters burned a church in Chibok and a school in Damboa on Monday.",
    "Taliban insurgents carried out three attacks over the past week, killing 11 police officers, and a suicide "
    "bomber struck a mosque in Kunduz on Friday, Afghan officials said. The attack in Kunduz on Friday, claimed by "
    "the Islamic State, came two days after a rocket hit the airport in Kabul.",
    "Protesters clashed with police in Caracas on May 1, 2017, and two students were shot dead in Valencia on May 3, "
    "human rights groups said; the killing of journalist Ana Ruiz on May 5 in Maracay drew condemnation, and the "
    "government blamed opposition militants for an arson attack on a ministry in Caracas.",
    "Soldiers fired on two boys in Hebron on Friday shortly after a suicide bombing at a checkpoint, witnesses said, "
    "and hours before a car bomb exploded near a market in Nablus.",
]


def _one_clause(text: str) -> str:
    return ", ".join(s.rstrip(".") for s in text.replace("; ", ". ").split(". ")) + "."


def test_mentions_of_long_clauses_equal_those_read_over_the_whole_clause(monkeypatch):
    from events import mentions as m
    from events.dates import find_dates, find_event_offsets
    from events.places import find_places
    from events.corpus import Document

    texts = [*_CLAUSE_NEWS, " ".join(_CLAUSE_NEWS), *map(_one_clause, _CLAUSE_NEWS),
             _one_clause(" ".join(_CLAUSE_NEWS * 3)),
             ", ".join(["militants attacked a post in Kano on Monday"] * 30) + ".",
             " ".join(["rebels carried out three attacks over the past week"] * 30) + ".",
             ", ".join(["rebels carried out three attacks over the past week"] * 60 + ["gunmen killed 4 soldiers"]
                       + ["militants attacked a post in Kano on Monday"] * 60) + "."]

    def read(text):
        doc = Document(doc_id="t", path="t.txt", text=text, published=date(2021, 6, 20), date_source="manifest")
        return m.find_mentions(doc, find_dates(text, date(2021, 6, 20)), find_places(text), find_event_offsets(text))

    new = [read(t) for t in texts]
    monkeypatch.setattr(m, "BOUND_WINDOW", 10**9)
    monkeypatch.setattr(m, "_group_anchors", _group_anchors_by_scan)
    monkeypatch.setattr(m, "find_actors", _find_actors_reading_on)
    monkeypatch.setattr(m._ClauseReads, "may_hold_casualties", lambda self, lo, hi: True)
    old = [read(t) for t in texts]
    assert new == old
    assert sum(len(found) for found in new) > 40  # the texts report incidents: the comparison is not of nothing


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*_CASUALTY_WORDS, "shot dead", "gunned down", "slaying of a", "murder of the",
                                 "Okonkwo was", "assassinated", "stabbed to", "claimed the lives of", "farmer",
                                 "slain", "massacred", "hurt", "fatalities", "perished", "Maria Lopez"]), max_size=30))
def test_a_text_without_casualty_cues_reports_no_casualties(words):
    from events.casualties import CASUALTY_CUES, Casualties, find_casualties

    text = " ".join(words)
    if not CASUALTY_CUES.search(text):
        assert find_casualties(text) == Casualties()
    if find_casualties(text) != Casualties():  # and every report holds a cue
        assert CASUALTY_CUES.search(text)


# --- mentions: a clause of many tolls is read for figures up to a few casualty words after each trigger -------------

def _tolls_clause(n: int) -> str:
    towns = ["Kano", "Jos", "Maiduguri", "Yola", "Bauchi", "Gombe", "Damaturu", "Potiskum"]
    return ", ".join(f"{['Monday', 'Tuesday'][i % 2]}'s bombing in {towns[i % len(towns)]} killed {i + 2} people"
                     for i in range(n)) + "."


def _read_mentions(text: str):
    from events.corpus import Document
    from events.dates import find_dates, find_event_offsets
    from events.mentions import find_mentions
    from events.places import find_places

    doc = Document(doc_id="t", path="t.txt", text=text, published=date(2019, 3, 30), date_source="manifest")
    return find_mentions(doc, find_dates(text, date(2019, 3, 30)), find_places(text), find_event_offsets(text))


def test_each_toll_of_a_long_clause_of_tolls_is_its_own_triggers(monkeypatch):
    from events import mentions as m

    text = _tolls_clause(120)
    assert len(text) > 2 * m.READ_WINDOW  # one clause, far longer than the window each trigger reads
    found = _read_mentions(text)
    assert len(found) == 120 and all(x.killed for x in found)
    assert all(m._ClauseReads(text, 0, len(text)).figures_end(x.trigger_start, len(text)) < len(text) for x in found[:-9])
    monkeypatch.setattr(m, "CASUALTY_CUE_BUDGET", 10**9)  # reading every trigger's whole window finds the same
    assert _read_mentions(text) == found


def test_the_casualty_budget_leaves_ordinary_clauses_alone():
    from events import mentions as m

    reads = m._ClauseReads("a bombing killed 3 people " * 10, 0, 260)
    assert reads.figures_end(0, 260) == 260  # a clause under READ_WINDOW is read as before, whatever it holds
    long = "a bombing killed 3 people, " * 200
    reads = m._ClauseReads(long, 0, len(long))
    end = reads.figures_end(0, 2000)
    assert long[:end].count("killed") == m.CASUALTY_CUE_BUDGET and end < 2000


# --- casualties: a long clause's figure starts are found once; each trigger's window tries the patterns only there ---

_FIGURE_WORDS = [*_CASUALTY_WORDS, "shot dead", "gunned down", "slaying of a", "murder of the", "Okonkwo was",
                 "He was", "she had been", "assassinated", "claimed the lives of", "farmer", "slain", "massacred",
                 "hurt", "fatalities", "perished", "Maria Lopez", "was killed", "the pilot", "injuring", "wounding",
                 "five of the", "16", "six bodyguards,", "a district chief", "and a civilian", "number of dead",
                 "death toll", "resulted in", "deaths", "murders", "killings", "2,000", "years old", "percent",
                 "about", "nearly", "some", "over", "all", "an", "another", "dozens", "tens of", "an estimated",
                 "claimed four lives", "costing 3 lives", "shot and killed", "fatally stabbed", "stabbed to death",
                 "wounded 3 times", "including", "March 21", "killed at least 10 and injured 30",
                 "found", "recovered", "decomposed bodies", "the bodies of", "corpses", "bodies were found",
                 "killing him", "shot her", "dead", "himself", "and",
                 # words that hold a pattern's start inside them: a window may begin in their middle
                 "skill", "atoll", "ball", "clan", "that", "handsome", "Leftwich", "M-70", "x", "-", "\n", ";"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_FIGURE_WORDS), min_size=1, max_size=60), st.data())
def test_figures_read_at_the_clause_starts_equal_those_read_at_every_character(words, data):
    from events import casualties as c

    text = data.draw(st.sampled_from([" ", ", ", "  "])).join(words)
    starts = c.figure_starts(text)
    for _ in range(6):
        lo = data.draw(st.integers(0, len(text)))
        hi = data.draw(st.integers(lo, len(text)))
        window = text[lo:hi]
        inside = [0, *(p - lo for p in starts if lo < p < hi)]
        # the contract FIGURE_STARTS keeps: every match of every pattern in any slice starts at one of them
        for pattern in [*c._KILLED, *c._INJURED, *c._KILLED_ONE, c._GROUP_RE, c._KILLED_KEYWORDS, c._INJURED_KEYWORDS]:
            assert all(m.start() == 0 or lo + m.start() in starts for m in pattern.finditer(window)), pattern.pattern
        assert c.find_casualties(window, inside) == c.find_casualties(window)


def _tolls_text(units: list[tuple[int, int, int]]) -> str:
    """One clause without stops of definite triggers, each with a toll: listed, qualified, injured, one victim."""
    towns = ["Kano", "Jos", "Yola", "Bauchi"]
    tolls = ["killed {n} people", "killed at least {n} soldiers", "left {n} dead", "killed two soldiers and a civilian",
             "wounded {n} others", "killed {n} and injured {m}", "killed the pilot", "{n} people were killed",
             "raised the death toll to {n}", "killed five of the {m} hostages", "killed more than {n}"]
    return ", ".join(f"{['Monday', 'Tuesday'][i % 2]}'s bombing in {towns[t % len(towns)]} "
                     + tolls[k % len(tolls)].format(n=t + 2, m=t + 20) for i, (t, k, _) in enumerate(units)) + "."


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 10), st.integers(0, 1)), min_size=50, max_size=90))
def test_mentions_of_a_clause_of_tolls_equal_those_read_window_by_window(units):
    from events import mentions as m
    from events.casualties import find_casualties

    text = _tolls_text(units)
    assert len(text) > m.READ_WINDOW  # one clause longer than the window: the figure starts are used
    fast = _read_mentions(text)
    straightforward = m._ClauseReads.casualties
    try:
        m._ClauseReads.casualties = lambda self, lo, hi, anchor=None: find_casualties(
            self.text[lo:hi], anchor=None if anchor is None else anchor - lo)
        slow = _read_mentions(text)
    finally:
        m._ClauseReads.casualties = straightforward
    assert fast == slow
    assert sum(x.killed is not None for x in fast) > len(units) // 2  # figures were found, not compared as nothing


_DATELINE_PARTS = ["Kano", " ", "\t", "\"", "“", "\n", "x", ", ", "KANO", " (Reuters) - ", "said"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_DATELINE_PARTS), max_size=14), st.sampled_from(["Kano", "KANO"]), st.data())
def test_dateline_check_walks_back_as_the_line_was_read(parts, name, data):
    from events.mentions import _DATELINE_AFTER, _is_dateline
    from events.places import PlaceMention

    before = "".join(parts)
    text = before + name + "".join(data.draw(st.lists(st.sampled_from(_DATELINE_PARTS), max_size=6)))
    p = PlaceMention(len(before), len(before) + len(name), name, PLACES[0], "name")
    line_start = text.rfind("\n", 0, p.start) + 1  # the reading before: the whole line before the place, stripped
    definition = text[line_start:p.start].strip(" \t\"“") == "" and (
        p.text.isupper() and len(p.text) > 2 or bool(_DATELINE_AFTER.match(text[p.end:p.end + 50])))
    assert _is_dateline(text, p) == definition


_BOUND_PARTS = ["Sunday", "'s", " ", "  ", "the", "this", "weekend", "attack", "bombing", "of", "on", "in", "Kano",
                ",", "which", "took place", "grenade", "funeral", "for", "victims", "-", "’s", "killing of"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_BOUND_PARTS), min_size=1, max_size=16), st.data())
def test_bound_dates_matched_in_place_equal_the_copied_gaps(parts, data):
    from events import mentions as m
    from events.lexicon import Trigger

    text = " ".join([*parts, "attack"])
    words = [(mt.start(), mt.end()) for mt in re.finditer(r"\S+", text)]
    i = data.draw(st.integers(0, len(words) - 1))
    t0, t1 = words[i][0], words[min(len(words) - 1, i + data.draw(st.integers(0, 1)))][1]  # "killing of"
    trig = Trigger(t0, t1, text[t0:t1], "bombing", 50)
    dates = [DateMention(a, b, text[a:b], "2021-06-20", date(2021, 6, 20), date(2021, 6, 20), "day")
             for a, b in words if b <= t0 or a >= t1]

    def definition(d):
        if d.end <= trig.start:
            between = text[d.end:trig.start]
            return bool(re.fullmatch(r"['’]s?(?:\s+[\w-]+){0,3}\s+", between) or (
                re.fullmatch(r"(?:\s+[\w-]+){0,3}\s+", between)
                and re.search(rf"(?:\b{m._DETERMINER}|['’]s)\s+$", text[max(0, d.start - 12):d.start], re.I)))
        if d.start >= trig.end:
            between = text[trig.end:d.start]
            if trig.text.lower().endswith(" of"):
                between = " of" + between
            return bool(m._BOUND_AFTER.fullmatch(between) or m._BOUND_CLAUSE_AFTER.fullmatch(between))
        return False

    assert m._bound_dates(text, trig, dates) == [d for d in dates if definition(d)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("abkl ", min_size=1, max_size=5), min_size=1, max_size=8), st.text("abklAK \u212a", max_size=40))
def test_a_trie_of_words_matches_where_the_flat_list_does(words, text):
    from events.casualties import _starting_with

    trie = re.compile(rf"(?={_starting_with(words)})", re.I)
    flat = re.compile(rf"(?={'|'.join(map(re.escape, words))})", re.I)
    assert [m.start() for m in trie.finditer(text)] == [m.start() for m in flat.finditer(text)]


def test_fragments_before_read_once_per_sentence_equal_those_read_per_mention(monkeypatch):
    from events import mentions as m

    broadcast = ("January nineteen ninety-seven. Kano again. This time a bomb at a clinic. Location, Jos. "
                 "A second bomb exploded. Gunmen attacked a market and a bus. ")
    texts = [broadcast * 3, broadcast + _one_clause(" ".join(_CLAUSE_NEWS * 3)) + " " + broadcast,
             "a bomb hit the refinery in Kano on 3 May 2019; " * 220 + "A second bomb struck a bus."]
    fast = [_read_mentions(t) for t in texts]
    once = m._told_by_fragments_before
    monkeypatch.setattr(m, "_told_by_fragments_before", lambda *args: once(*args[:5]))  # a fresh memo per mention
    assert [_read_mentions(t) for t in texts] == fast
    assert any(x.date_from == "sentence" for x in fast[0]) and sum(map(len, fast)) > 30


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12)), max_size=12), st.integers(0, 70), st.integers(1, 10))
def test_place_spans_overlap_as_the_scan_says(raw, start, length):
    from events.places import PlaceMention, _Spans

    mentions = [PlaceMention(a, a + n, "x" * n, PLACES[0], "name") for a, n in raw]
    assert _Spans(mentions).overlaps(start, start + length) == any(
        m.start < start + length and start < m.end for m in mentions)


@given(st.lists(st.sampled_from(["since", "Since", "who", "whom", "since2015", " ", ", ", "x", "in 2015"]),
                max_size=20), st.data())
def test_a_word_between_two_offsets_equals_the_search_between_them(parts, data):
    """'since' / 'who' between a trigger and a date is looked up in positions found once per document (a search
    per trigger and date rescanned long clauses: quadratic on a text of one endless clause); the answer is the
    search's whenever the span ends at a word boundary, as a date's start does."""
    text = "".join(parts)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    if end < len(text) and end > 0 and (text[end - 1].isalnum() and text[end].isalnum()):
        end = len(text)
    for pattern in (_SINCE_WORD, _WHO_WORD):
        assert _word_between(pattern, text, start, end) == (pattern.search(text, start, end) is not None)
