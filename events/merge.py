"""Merging: mentions of one incident, across sentences and documents, become one incident.

Two mentions describe the same incident when their types belong to one family, their dates overlap and their
places agree (the same place, places a few kilometres apart, or a country and a town inside it). Conflicting
figures are kept side by side with their sources, never averaged. Ids hash what defines an incident, so the
same corpus gives the same ids on every run.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Callable, Iterable, Sequence

from events.casualties import PERIOD_TOTAL
from events.dates import DateMention
from events.gazetteer import DIRECTIONS, Place, distance_km
from events.lexicon import Lexicon, default_lexicon
from events.mentions import (GENERIC_TYPES, PLACE_RANK, PRECISION_RANK, SAME_PLACE_KM, STORY_DAY, STORY_DAYS,
                             STORY_FAMILIES, STORY_PLACE, VIOLENT_FAMILIES, WEAK_PRIORITY,
                             IncidentMention, StoryTown, places_agree)

BORROWED_DATES = ("coreference", STORY_DAY)  # a date a mention takes from another mention or from its story

NEIGHBOUR_KM = 5.0  # two towns of one story, farther apart than this, told in clauses of their own: two scenes
UNPLACED_MIN_PRIORITY = 85  # trigger strength (data/incident_lexicon.csv) that lets a dated, unplaced report stand
CONTROL_FAMILY_TITLES = {"control"}
BARE_TOLL_TYPE = "killing"  # the type of a bare casualty report (data/incident_lexicon.csv, priority <= WEAK_PRIORITY)
_PASSIVE_TOLL = re.compile(r"(?:was|were|been|being)\b", re.I)  # "were killed": a toll told without its agent


@dataclass
class Incident:
    id: str
    type: str
    mentions: list[IncidentMention] = field(default_factory=list)
    date: DateMention | None = None
    place: Place | None = None

    @property
    def sources(self) -> list[str]:
        return sorted({m.doc for m in self.mentions})


def dates_agree(a: DateMention | None, b: DateMention | None, slack_days: int = 1) -> bool:
    if a is None or b is None:
        return True
    slack = timedelta(days=slack_days if a.precision == "day" and b.precision == "day" else 0)
    return a.first <= b.last + slack and b.first <= a.last + slack


def _specificity(m: IncidentMention) -> tuple:
    return (m.date is not None, PRECISION_RANK.get(m.date.precision, 0) if m.date else 0,
            PLACE_RANK.get(m.place.kind, 0) if m.place else 0, m.killed is not None)


def _best_date(mentions: Sequence[IncidentMention]) -> DateMention | None:
    """The finest date the mentions give, by vote; a publication day or a date borrowed by coreference only when none
    is the mentions' own."""
    dated = [m.date for m in mentions if m.date is not None and m.date_from not in (*BORROWED_DATES, "publication")] or \
        [m.date for m in mentions if m.date is not None and m.date_from not in BORROWED_DATES] or \
        [m.date for m in mentions if m.date is not None]
    if not dated:
        return None
    top = max(PRECISION_RANK.get(d.precision, 0) for d in dated)
    finest = [d for d in dated if PRECISION_RANK.get(d.precision, 0) == top]
    votes = Counter(d.value for d in finest)
    value = max(votes, key=lambda v: (votes[v], -min(i for i, d in enumerate(finest) if d.value == v)))
    return next(d for d in finest if d.value == value)


def _best_place(mentions: Sequence[IncidentMention]) -> Place | None:
    placed = [m.place for m in mentions if m.place is not None]
    if not placed:
        return None
    local = [p for p in placed if PLACE_RANK.get(p.kind, 0) >= 5]
    if local:  # among towns and landmarks, the one the sources name most often ("Lagos" over one stadium)
        votes = Counter(p.geonameid for p in local)
        best = max(votes, key=lambda g: (votes[g], PLACE_RANK.get(next(p for p in local if p.geonameid == g).kind, 0)))
        return next(p for p in local if p.geonameid == best)
    top = max(PLACE_RANK.get(p.kind, 0) for p in placed)
    finest = [p for p in placed if PLACE_RANK.get(p.kind, 0) == top]
    votes = Counter(p.geonameid for p in finest)
    best = votes.most_common(1)[0][0]
    return next(p for p in finest if p.geonameid == best)


REGION_TOWN_KM = 500.0  # a town this far from a region's midpoint ("central Brazil") may lie outside it
_COMPASS_BEFORE = re.compile(r"\b(north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+"
                             r"(?:(?:the|of)\s+)*", re.I)


def _within_part(town: Place, area: Place | None, mentions: Sequence[IncidentMention]) -> bool:
    """Whether a town can be where an incident placed at `area` happened: any town of a country or an admin area
    holding it; of a region, a town near its midpoint (REGION_TOWN_KM) and on the side its mentions name ("the
    southern Gaza Strip" is no town in its north)."""
    if area is None or area.kind != "region":
        return True
    if distance_km(area, town) > REGION_TOWN_KM:
        return False
    scale = math.cos(math.radians(area.lat))
    for m in mentions:
        if m.place is not None and m.place.geonameid == area.geonameid and m.place_text:
            for word in _COMPASS_BEFORE.finditer(m.sentence):
                if m.sentence.startswith(m.place_text, word.end()):
                    north, east = DIRECTIONS.get(word.group(1).lower().replace("-", ""), (0, 0))
                    if (town.lat - area.lat) * north + (town.lon - area.lon) * scale * east < 0:
                        return False
    return True


def _story_town(c: "_Cluster") -> StoryTown | None:
    """The town an incident of its stories' days happened in when its mentions place it only at an area holding that
    town, or nowhere: the first of each story's towns (`story_towns`) that lies in the area, if the stories agree."""
    if c.place is not None and PLACE_RANK.get(c.place.kind, 0) >= 5:
        return None
    found: dict[str, StoryTown] = {}
    for m in c.mentions:
        if m.story_towns and (c.date is None or 0 <= (m.published - c.date.last).days <= STORY_DAYS):
            town = next((t for t in m.story_towns if places_agree(c.place, t.place)
                         and _within_part(t.place, c.place, c.mentions)), None)
            if town is not None:
                found[town.place.geonameid] = town
    return next(iter(found.values())) if len(found) == 1 else None


LEAD_PLACE_FROM = ("clause", "sentence", "dateline")  # a place its own sentence (or dateline) gives a mention


def _lead_places(mentions: Iterable[IncidentMention]) -> dict[str, Place]:
    """Per story, the place of its first mention that its own sentence places in a town (else in a wider area):
    where the story's news happened.

    A dated report that nothing places ("Two similar bombs that blasted holes in the city's television center
    Wednesday killed five people", "On Feb. 28, insurgents left a car bomb outside a health clinic") is a story's
    incident of the story's area; a row with no place at all cannot be shown on a map or compared."""
    first: dict[tuple[str, bool], IncidentMention] = {}  # per story: its first placed mention, its first in a town
    for m in mentions:
        if m.place is None or m.place_from not in LEAD_PLACE_FROM or m.hypothetical or m.generic:
            continue
        for key in ((m.doc, False), (m.doc, True)) if PLACE_RANK.get(m.place.kind, 0) >= 5 else ((m.doc, False),):
            if key not in first or m.sentence_start < first[key].sentence_start:
                first[key] = m
    # the town the story first names ("... in the southern Iraqi city of X" after the headline's "Iraq"), else its area
    return {doc: (first.get((doc, True)) or m).place for (doc, town), m in first.items() if not town}


def incident_id(family: str, place: Place | None, when: DateMention | None) -> str:
    key = f"{family}|{place.geonameid if place else '-'}|{when.first.isoformat() if when else '-'}"
    return "inc-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


EXPLICIT_DATE = ("clause", "offset")  # where a mention's own date came from (not borrowed from context)


def _explicit_day(m: IncidentMention) -> date | None:
    if m.date is not None and m.date.precision == "day" and m.date_from in EXPLICIT_DATE:
        return m.date.first
    return None


class _DateVotes:
    """`_best_date` of a growing list of mentions, kept up to date one mention at a time (a cluster of thousands of
    mentions would otherwise be recounted on every addition)."""

    def __init__(self) -> None:
        self.pools = (_Votes(), _Votes(), _Votes())  # own dates; also publication days; all dates

    def add(self, m: IncidentMention) -> None:
        if m.date is not None:
            rank = PRECISION_RANK.get(m.date.precision, 0)
            self.pools[2].add(rank, m.date.value, m.date)
            if m.date_from not in BORROWED_DATES:
                self.pools[1].add(rank, m.date.value, m.date)
                if m.date_from != "publication":
                    self.pools[0].add(rank, m.date.value, m.date)

    def best(self) -> DateMention | None:
        return next((pool.best for pool in self.pools if pool.best is not None), None)


class _Votes:
    """Votes among the finest-ranked items: the most voted key wins, ties go to the key seen first; the winner is the
    first item seen with that key."""

    def __init__(self) -> None:
        self.rank = None
        self.votes: dict = {}  # key -> [count, order seen, first item]
        self.best = None
        self._best_key = None

    def add(self, rank: int, key, item, tie_rank: int = 0) -> None:
        if self.rank is None or rank > self.rank:
            self.rank, self.votes, self.best, self._best_key = rank, {}, None, None
        elif rank < self.rank:
            return
        entry = self.votes.get(key)
        if entry is None:
            entry = self.votes[key] = [0, len(self.votes), item, tie_rank]
        entry[0] += 1
        if self._best_key is None or self._beats(entry, self.votes[self._best_key]):
            self._best_key, self.best = key, entry[2]

    @staticmethod
    def _beats(a: list, b: list) -> bool:
        return a is not b and ((a[0], a[3], -a[1]) > (b[0], b[3], -b[1]))


class _PlaceVotes:
    """`_best_place` of a growing list of mentions, one mention at a time."""

    def __init__(self) -> None:
        self.local = _Votes()  # towns and landmarks: all share one rank, ties by the kind of the first seen
        self.finest = _Votes()  # the others, finest rank only

    def add(self, m: IncidentMention) -> None:
        if m.place is None:
            return
        rank = PLACE_RANK.get(m.place.kind, 0)
        if rank >= 5:
            self.local.add(0, m.place.geonameid, m.place, tie_rank=rank)
        else:
            self.finest.add(rank, m.place.geonameid, m.place)

    def best(self) -> Place | None:
        return self.local.best if self.local.best is not None else self.finest.best


class _Cluster:
    """Mentions of one incident so far, with the span every dated member allows (their dates' intersection)."""

    def __init__(self, first: IncidentMention, family: str):
        self.family = family
        self.mentions = [first]
        self.docs = {first.doc}
        self.date = first.date
        self.place = first.place
        self.window = (first.date.first, first.date.last) if first.date else None
        self._dates, self._places = _DateVotes(), _PlaceVotes()
        self._dates.add(first)
        self._places.add(first)
        self.explicit_days: dict[str, set[date]] = {}  # per document, the days its mentions name explicitly
        self._note_day(first)
        self.place_texts = {first.place_text.lower()} if first.place_text else set()
        # per document, where its first mention and its first mention told apart ("Separately, ...") start
        self.first_told: dict[str, int] = {first.doc: first.sentence_start}
        self.first_apart: dict[str, int] = {first.doc: first.sentence_start} if first.told_apart else {}
        # the sentences whose main incident (or whose incident told in passing) this is: one sentence's two never meet
        self.sentences: set[tuple[str, int, bool]] = {(first.doc, first.sentence_start, first.in_passing)}

    def _note_day(self, m: IncidentMention) -> None:
        day = _explicit_day(m)
        if day is not None:
            self.explicit_days.setdefault(m.doc, set()).add(day)

    def accepts(self, m: IncidentMention, family: str) -> bool:
        if family != self.family or not places_agree(self.place, m.place) or not dates_agree(self.date, m.date):
            return False
        if m.date is not None and self.window is not None:
            # compatible with every dated member at its precision, not only with the finest one
            slack = timedelta(days=1 if m.date.precision == "day" else 0)
            if m.date.first > self.window[1] + slack or m.date.last < self.window[0] - slack:
                return False
            day = _explicit_day(m)
            if day is not None and self.explicit_days.get(m.doc, {day}) - {day}:
                return False  # one story naming two different days reports two incidents
        if m.published is not None and self.date is not None and self.date.first > m.published + timedelta(days=1):
            return False  # a story cannot report what happened after it was published
        if m.told_apart and self.first_told.get(m.doc, m.sentence_start) < m.sentence_start:
            return False  # "Separately, troops killed four": not an incident its story told before
        if self.first_apart.get(m.doc, m.sentence_start) > m.sentence_start:
            return False  # told before a member that its story set apart from what came before
        if (m.doc, m.sentence_start, not m.in_passing) in self.sentences:
            return False  # "shot two boys shortly after a suicide bombing": the sentence tells two incidents
        return True

    def add(self, m: IncidentMention) -> None:
        self.mentions.append(m)
        self.docs.add(m.doc)
        self.first_told[m.doc] = min(self.first_told.get(m.doc, m.sentence_start), m.sentence_start)
        self.sentences.add((m.doc, m.sentence_start, m.in_passing))
        if m.told_apart:
            self.first_apart[m.doc] = min(self.first_apart.get(m.doc, m.sentence_start), m.sentence_start)
        self._dates.add(m)
        self._places.add(m)
        self.date = self._dates.best()  # = _best_date(self.mentions), counted incrementally
        self.place = self._places.best()  # = _best_place(self.mentions)
        self._note_day(m)
        if m.place_text:
            self.place_texts.add(m.place_text.lower())
        if m.date is not None:
            if self.window is None:
                self.window = (m.date.first, m.date.last)
            else:
                lo, hi = max(self.window[0], m.date.first), min(self.window[1], m.date.last)
                if lo <= hi:
                    self.window = (lo, hi)


class _Clusters:
    """The clusters so far, in creation order, and the ones that may accept a mention, found by date instead of a
    scan of every cluster (the merge of a large family was quadratic).

    A cluster accepts a dated mention only if its dated members' window (which only narrows as members join)
    overlaps the mention's dates within a day, so each cluster is filed under the time buckets its first window
    covers; clusters without a date, or with a window too long to file, are always looked at. `fitting` returns
    exactly `[c for c in clusters if c.accepts(m, family)]`, in creation order (tests/test_merge_index.py)."""

    BUCKET_DAYS = 16
    MAX_BUCKETS = 48  # a window longer than this many buckets (about two years) is looked at for every mention

    def __init__(self) -> None:
        self.all: list[_Cluster] = []
        self._families: dict[str, tuple[list[_Cluster], list[_Cluster], dict[int, list[_Cluster]]]] = {}
        self._order: dict[int, int] = {}

    def __iter__(self):
        return iter(self.all)

    def __len__(self) -> int:
        return len(self.all)

    def append(self, c: _Cluster) -> None:
        self._order[id(c)] = len(self.all)
        self.all.append(c)
        members, always, buckets = self._families.setdefault(c.family, ([], [], {}))
        members.append(c)
        if c.window is None:
            always.append(c)
            return
        b0, b1 = c.window[0].toordinal() // self.BUCKET_DAYS, c.window[1].toordinal() // self.BUCKET_DAYS
        if b1 - b0 > self.MAX_BUCKETS:
            always.append(c)
            return
        for b in range(b0, b1 + 1):
            buckets.setdefault(b, []).append(c)

    def fitting(self, m: IncidentMention, family: str) -> list[_Cluster]:
        """The clusters that accept `m`, in creation order."""
        if family not in self._families:
            return []
        members, always, buckets = self._families[family]
        if m.date is None or (m.date.last.toordinal() - m.date.first.toordinal()) // self.BUCKET_DAYS > self.MAX_BUCKETS:
            return [c for c in members if c.accepts(m, family)]
        b0 = (m.date.first.toordinal() - 1) // self.BUCKET_DAYS
        b1 = (m.date.last.toordinal() + 1) // self.BUCKET_DAYS
        seen: dict[int, _Cluster] = {id(c): c for c in always}
        for b in range(b0, b1 + 1):
            for c in buckets.get(b, ()):
                seen[id(c)] = c
        candidates = sorted(seen.values(), key=lambda c: self._order[id(c)])
        return [c for c in candidates if c.accepts(m, family)]


def _resolve_offset(m: IncidentMention, clusters: "_Clusters", lexicon: Lexicon) -> IncidentMention:
    """'a day before the X attack': date the mention from the incident its anchor names."""
    if m.offset_days is None:
        return m
    anchor_words = m.anchor_text.lower()
    anchor_triggers = {lexicon.family(t.type) for t in lexicon.find_triggers(m.anchor_text)}
    candidates = []
    for c in clusters:
        if c.date is None or c.date.precision != "day":
            continue
        if anchor_triggers and c.family not in anchor_triggers:
            continue
        named = c.place is not None and any(text in anchor_words for text in c.place_texts)
        if named or (c.place is not None and c.place.name.lower() in anchor_words):
            candidates.append(c)
    if not candidates:
        return m
    target = max(candidates, key=lambda c: len(c.mentions))
    day = target.date.first + timedelta(days=m.offset_days)
    shifted = DateMention(start=-1, end=-1, text=f"{m.offset_days:+d} day(s) from {m.anchor_text}",
                          value=day.isoformat(), first=day, last=day, precision="day")
    return replace(m, date=shifted, date_from="offset")


def _another_scene(m: IncidentMention, c: "_Cluster") -> bool:
    """'Tank shells also hit the hospital in the town of Y, killing four' after 'rescuers retrieved 28 bodies in the
    town of X': an undated report its own clause places at another town of the story than the incident's (farther
    than a town's span) is another incident, unless it refers back ('the attack')."""
    return (m.date is None and not m.definite and m.place is not None and m.place_from == "clause"
            and c.place is not None and c.place.geonameid != m.place.geonameid
            and min(PLACE_RANK.get(c.place.kind, 0), PLACE_RANK.get(m.place.kind, 0)) >= 5
            and distance_km(c.place, m.place) > NEIGHBOUR_KM)


def _placed_on_story_days(left: list[IncidentMention], clusters: "_Clusters", place_into_clusters,
                          lexicon: Lexicon) -> list[IncidentMention]:
    """Placed mentions that joined nothing undated ("Bombing raids killed 16 in the town of X") take the day their
    story tells nearest to them: they join an incident of that day at their place, or start one where a placed and
    undated report would have (a told toll); the story's dated but unplaced mentions of that day then find it.
    """
    dated, rest = [], []
    for m in left:
        if m.date is None and m.place is not None and m.story_day is not None and not m.generic:
            dated.append(m)
        else:
            rest.append(m)
    if not dated:
        return left
    unused = []
    for m in dated:
        starts = m.can_start_incident and PLACE_RANK.get(m.place.kind, 0) >= 5
        undated = m
        m = replace(m, date=m.story_day, date_from=STORY_DAY)
        family = lexicon.family(m.type)
        fits = clusters.fitting(m, family)
        same_doc = [c for c in fits if m.doc in c.docs and not _another_scene(undated, c)]
        if m.told_apart and PLACE_RANK.get(m.place.kind, 0) >= 5 and not m.in_passing:
            # "five others were injured in another explosion in the district": not the one its story told first
            same_doc, fits, starts = [], [], True
        fits = same_doc or [c for c in fits if c.place is not None and c.place.geonameid == m.place.geonameid]
        if fits:
            max(fits, key=lambda c: (m.doc in c.docs, len(c.mentions))).add(m)
        elif starts:
            clusters.append(_Cluster(m, family))
        else:
            unused.append(replace(m, date=None, date_from=""))
    # the story's unplaced mentions of the day ("... killed 31 civilians on Wednesday") join what now has a place
    return place_into_clusters(rest, allow_new=False) + unused


def _told_toll_in_the_storys_town(m: IncidentMention) -> bool:
    """"In March, about 90 people were killed in two bombings targeting markets", in a story about one city (or one
    country): an older incident the story recalls with its toll and its month, in the story's one town or country
    (`story_place`)."""
    return (m.date is not None and m.date.precision == "month" and m.killed is not None and not m.generic
            and m.priority > WEAK_PRIORITY and m.story_place is not None)


def _one_day(i: Incident) -> bool:
    return i.date is not None and i.date.precision == "day"


def _one_span(i: Incident) -> bool:
    return i.date is not None and i.date.precision in ("week", "month")


def _fold_into(host: Incident, guest: Incident) -> None:
    host.mentions = sorted([*host.mentions, *guest.mentions], key=lambda m: (m.doc, m.sentence_start))


def _fold_bare_tolls(incidents: list[Incident], lexicon: Lexicon) -> list[Incident]:
    """A bare casualty report of one story ("At least 28 people were killed on Friday when ethnic conflict flared in
    X") is the toll of what that story tells at the same place on the same day ("clashes flared up later on Friday"),
    whatever that incident's type: when exactly one such incident of another family exists, the report joins it
    instead of standing as a second row."""
    folded: set[int] = set()
    for i, c in enumerate(incidents):
        if len(c.sources) != 1 or c.place is None or not _one_day(c):
            continue
        reports = [m for m in c.mentions if m.priority <= WEAK_PRIORITY and _PASSIVE_TOLL.match(m.trigger)]
        # "A settler shot dead a shepherd" names its agent: an incident of its own, not a toll
        if not reports or any(m.type != BARE_TOLL_TYPE or (m not in reports and m.date_from != "coreference")
                              for m in c.mentions):
            continue
        family = lexicon.family(c.type)
        hosts = [o for j, o in enumerate(incidents) if j != i and j not in folded
                 and lexicon.family(o.type) != family and c.sources[0] in o.sources and o.place is not None
                 and o.place.geonameid == c.place.geonameid and _one_day(o) and dates_agree(o.date, c.date, 0)
                 and any(m.priority > WEAK_PRIORITY for m in o.mentions)]
        if len(hosts) == 1:
            _fold_into(hosts[0], c)
            folded.add(i)
    return [c for i, c in enumerate(incidents) if i not in folded]


def _fold_country_rows(incidents: list[Incident], lexicon: Lexicon) -> list[Incident]:
    """One story's incident placed only at a country ("Battle of Uzbekistan", from "a clash with Uzbek border
    guards") on a day the same story places an incident at a town or district ("the firefight broke out near
    Kerben") is that incident told loosely: when exactly one such finer incident exists, it joins it. So does one
    told in the same week or month ("last week it denied bombing another wedding party" beside "airstrikes hit a
    marriage ceremony last week in the province of X"). When no finer incident shares its day, one of the same family
    in that country on the day before or after does ("Rebels blamed in Sri Lanka bombing ... | April 26": a headline
    dated by its byline, the bombing in Colombo on April 25), unless the country row was told apart ("In a separate
    incident")."""
    folded: set[int] = set()
    for i, c in enumerate(incidents):
        if len(c.sources) != 1 or c.place is None or c.place.kind != "country" \
                or not (_one_day(c) or _one_span(c)):
            continue
        finer = [o for j, o in enumerate(incidents) if j != i and j not in folded and c.sources[0] in o.sources
                 and o.place is not None and PLACE_RANK.get(o.place.kind, 0) > PLACE_RANK["country"]]
        hosts = [o for o in finer
                 if _one_day(o) and _one_day(c) and dates_agree(o.date, c.date, 0)
                 or _one_span(c) and o.date is not None and o.date.precision == c.date.precision
                 and o.date.value == c.date.value]
        if not hosts and _one_day(c) and not any(m.separate or m.told_apart for m in c.mentions):
            hosts = [o for o in finer if _one_day(o) and dates_agree(o.date, c.date, 1)
                     and o.place.country == c.place.country and lexicon.family(o.type) == lexicon.family(c.type)]
        if len(hosts) == 1:
            _fold_into(hosts[0], c)
            folded.add(i)
    return [c for i, c in enumerate(incidents) if i not in folded]


def _fold_generic_rows(incidents: list[Incident], lexicon: Lexicon) -> list[Incident]:
    """One story's 'attack' (a word any violent incident is called by) at the very place and on the very day the
    same story tells one incident of another violent family ("the Taliban overran three checkpoints ... Monday's
    attack triggered an hours-long firefight"; "shelling hit the market ... the attack") is that incident: when
    exactly one such incident exists, it joins it (the specific word names what happened)."""
    return _fold_into_the_one_host(
        incidents,
        lambda c: c.type in GENERIC_TYPES and not any(m.separate or m.told_apart for m in c.mentions),
        lambda o, c: o.type not in GENERIC_TYPES and lexicon.family(o.type) in STORY_FAMILIES)


TAKING_TYPES = ("capture", "recapture")  # the taking of a place (data/incident_types.csv, family control)


def _fold_takings(incidents: list[Incident], lexicon: Lexicon) -> list[Incident]:
    """One story's taking of a place ("attackers invaded a neighbourhood outside the capital early Tuesday and killed
    scores") and the violence it tells at the very same place on the same day ("Tuesday's massacre") are one incident:
    when exactly one such violent incident exists, the taking joins it (the violence names what happened)."""
    return _fold_into_the_one_host(
        incidents, lambda c: c.type in TAKING_TYPES,
        lambda o, c: lexicon.family(o.type) != lexicon.family(c.type) and o.type not in TAKING_TYPES)


FIGHTING_TYPES = ("battle",)  # fighting between armed sides (data/incident_types.csv, family control)


def _fold_fighting(incidents: list[Incident], lexicon: Lexicon) -> list[Incident]:
    """One story's fighting ("heavy fighting broke out in the south of the city") and the violence it tells at the
    very same place on the same day ("militiamen fired on the market, killing 12") are one incident: when exactly
    one such violent incident exists, the fighting joins it."""
    return _fold_into_the_one_host(
        incidents, lambda c: c.type in FIGHTING_TYPES and not any(m.separate or m.told_apart for m in c.mentions),
        lambda o, c: o.type not in GENERIC_TYPES and lexicon.family(o.type) in VIOLENT_FAMILIES)


def _fold_into_the_one_host(incidents: list[Incident], is_guest: Callable[[Incident], bool],
                            may_host: Callable[[Incident, Incident], bool]) -> list[Incident]:
    """Each one-story, one-day, placed guest joins the incident of its story at the very same place and day that
    `may_host` accepts, when there is exactly one such incident (two would leave it unclear which it was)."""
    folded: set[int] = set()
    for i, c in enumerate(incidents):
        if len(c.sources) != 1 or c.place is None or not _one_day(c) or not is_guest(c):
            continue
        hosts = [o for j, o in enumerate(incidents) if j != i and j not in folded and c.sources[0] in o.sources
                 and o.place is not None and o.place.geonameid == c.place.geonameid
                 and _one_day(o) and dates_agree(o.date, c.date, 0) and may_host(o, c)]
        if len(hosts) == 1:
            _fold_into(hosts[0], c)
            folded.add(i)
    return [c for i, c in enumerate(incidents) if i not in folded]


def sort_incidents(incidents: Iterable[Incident]) -> list[Incident]:
    return sorted(incidents, key=lambda i: (i.date.first if i.date else date.max, i.id))


def fold_incidents(incidents: Iterable[Incident], lexicon: Lexicon | None = None) -> list[Incident]:
    """The only steps that join incidents of different type families (a bare toll into the clash it counts, a
    country-wide row into its story's town row): run once over every family's incidents, after clustering, so that
    merging families apart (`events.merge_blocks`) gives the same incidents as merging them together."""
    lexicon = lexicon or default_lexicon()
    return sort_incidents(_fold_generic_rows(_fold_country_rows(_fold_fighting(
        _fold_takings(_fold_bare_tolls(sort_incidents(incidents), lexicon), lexicon), lexicon), lexicon), lexicon))


LEAD_PARAGRAPHS = 2  # the headline, a byline or dateline line, the lead paragraph


def merge_mentions(mentions: Iterable[IncidentMention], lexicon: Lexicon | None = None,
                   fold: bool = True) -> list[Incident]:
    """Cluster mentions into incidents; mentions that neither start nor join one are dropped. With `fold=False`, the
    incidents before `fold_incidents` (for merging families apart, which folds their union afterwards)."""
    lexicon = lexicon or default_lexicon()
    mentions_seen = list(mentions)
    pending = sorted(mentions_seen, key=_specificity, reverse=True)
    clusters = _Clusters()

    def place_into_clusters(batch: list[IncidentMention], allow_new: bool) -> list[IncidentMention]:
        left = []
        for m in batch:
            family = lexicon.family(m.type)
            fits = clusters.fitting(m, family)
            if m.date is None or m.place is None:
                # Partial mentions join only an incident their own document already reports, or one clear match;
                # a mention with a date but no place needs a named day that the incident covers exactly.
                if m.place is not None and m.date is None and (m.hypothetical or PLACE_RANK.get(m.place.kind, 0) < 5):
                    # "an attack on France": only the very place, not any incident inside the country
                    fits = [c for c in fits if c.place is not None and places_agree(c.place, m.place)
                            and PLACE_RANK.get(c.place.kind, 0) <= PLACE_RANK.get(m.place.kind, 0) + 1
                            and (c.place.geonameid == m.place.geonameid or not m.hypothetical)]
                same_doc = [c for c in fits if m.doc in c.docs]
                if m.date is None and m.place is not None:
                    # an undated mention the story did not tie to an incident joins one only at the very same place
                    same_doc = [c for c in same_doc if c.place is not None and (
                        c.place.geonameid == m.place.geonameid
                        or min(PLACE_RANK.get(c.place.kind, 0), PLACE_RANK.get(m.place.kind, 0)) >= 5
                        and not _another_scene(m, c))]
                # another story's incident only at the very place: a town near it, not a country holding it
                fits = same_doc or (fits if len(fits) == 1 and not (m.doc in fits[0].docs and _another_scene(m, fits[0]))
                                    and m.place is not None and fits[0].place is not None
                                    and (fits[0].place.geonameid == m.place.geonameid
                                         or min(PLACE_RANK.get(fits[0].place.kind, 0),
                                                PLACE_RANK.get(m.place.kind, 0)) >= 5) else [])
                if m.place is None and m.date is None and (m.killed is not None or m.injured is not None) \
                        and len(same_doc) == 1 and same_doc[0].place is not None \
                        and any(x.date_from == "clause" for x in same_doc[0].mentions) and not m.hypothetical \
                        and m.paragraph <= LEAD_PARAGRAPHS and not PERIOD_TOTAL.search(m.sentence):
                    # "guerrillas launched a three-day attack on a police station, killing at least 17 people": a
                    # toll its story's lead tells without a day or a place is of the one incident of its kind the
                    # story has, dated by its own words (not a toll over a period: "600 have been killed since the
                    # emergency was declared"; not a headline's plural dated by the publication day alone)
                    fits = same_doc
                elif m.place is None:
                    fits = [c for c in same_doc if m.date is not None and m.date.precision == "day"
                            and c.date is not None and dates_agree(c.date, m.date, 0)]
            if fits:
                best = max(fits, key=lambda c: (m.doc in c.docs,
                                               c.place is not None and m.place is not None and c.place.geonameid == m.place.geonameid,
                                               len(c.mentions)))
                best.add(m)
            elif allow_new and m.can_start_incident and m.date is not None:
                clusters.append(_Cluster(m, family))
            else:
                left.append(m)
        return left

    offset_mentions = [m for m in pending if m.offset_days is not None and m.date is None]
    rest = [m for m in pending if not (m.offset_days is not None and m.date is None)]
    left = place_into_clusters([m for m in rest if m.date is not None and m.place is not None and not m.generic],
                               allow_new=True)
    resolved = [_resolve_offset(m, clusters, lexicon) for m in offset_mentions]
    left += place_into_clusters(sorted(resolved, key=_specificity, reverse=True), allow_new=True)
    # A generic plural ("near-daily attacks") names a kind of event: it joins no incident.
    partial = [m for m in rest if (m.date is None or m.place is None) and not m.generic]
    # Placed mentions first, so that a dated but unplaced one ("Friday's massacre") finds its incident complete.
    partial.sort(key=lambda m: (m.place is None, not m.date))
    left = place_into_clusters([*left, *partial], allow_new=False)
    left = _placed_on_story_days(left, clusters, place_into_clusters, lexicon)
    # Undated but placed reports with casualty figures ("a gunman killed 12 in X") still deserve a row, and so do
    # reports of a named day that name no place the gazetteer knows ("a drone strike killed a commander in a
    # district on Sunday"): listed without coordinates rather than lost.
    for m in left:
        if (m.place is None and m.date is not None and not m.hypothetical
                and (m.date.precision == "day" and (m.killed is not None or m.priority >= UNPLACED_MIN_PRIORITY)
                     or _told_toll_in_the_storys_town(m))):
            family = lexicon.family(m.type)
            fits = [c for c in clusters.fitting(m, family) if c.place is None]
            if fits:
                fits[0].add(m)
            else:
                clusters.append(_Cluster(m, family))
            continue
        if m.can_start_incident and m.place is not None and m.date is None and PLACE_RANK.get(m.place.kind, 0) >= 5:
            family = lexicon.family(m.type)
            fits = clusters.fitting(m, family)
            if fits:
                fits[0].add(m)
            else:
                clusters.append(_Cluster(m, family))

    lead_places = _lead_places(mentions_seen)
    incidents: list[Incident] = []
    used: set[str] = set()
    for c in clusters:
        # The type the most specific reports give: a dated, placed mention weighs double, a stronger trigger more.
        votes: Counter[str] = Counter()
        for m in c.mentions:
            weight = lexicon.priority(m.type)
            votes[m.type] += weight * (2 if m.date_from in ("clause", "offset") else 1)
        kind = max(votes, key=lambda t: votes[t])
        town = _story_town(c)
        if town is not None:  # its mentions say where the town came from: the story's dateline or its one town
            c.place = town.place
            c.mentions = [replace(m, place=town.place, place_text=town.written, place_from=town.source)
                          for m in c.mentions]
        if c.place is None:  # no mention placed it: its story's one town or country, at that precision, if any
            c.place = next((m.story_place for m in c.mentions if m.story_place is not None), None)
            lead = next((lead_places[m.doc] for m in c.mentions if m.doc in lead_places), None)
            if lead is not None and not any(m.place_text for m in c.mentions) and (
                    c.place is None or c.place.kind == "country" and lead.country == c.place.country
                    and not any(m.separate for m in c.mentions)):
                # nor does the story name a place for it that the gazetteer lacks: where its story's news happened,
                # the town it leads with rather than its whole country ("Separately, ..." may be elsewhere in it)
                c.place = lead
            if c.place is not None:
                c.mentions = [replace(m, place=c.place, place_text=c.place.name, place_from=STORY_PLACE)
                              for m in c.mentions]
        ident = incident_id(c.family, c.place, c.date)
        n = 2
        base = ident
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        incidents.append(Incident(id=ident, type=kind, mentions=sorted(c.mentions, key=lambda m: (m.doc, m.sentence_start)),
                                  date=c.date, place=c.place))
    return fold_incidents(incidents, lexicon) if fold else sort_incidents(incidents)
