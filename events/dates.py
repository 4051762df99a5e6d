"""Dates stage: find and normalise the date expressions of a news text (a small temporal tagger).

``find_dates(text, reference)`` returns non-overlapping :class:`DateMention` records in text order. Spans are
recognised by compiled regular expressions (one per family below); each match is normalised by a small pure
function into a TimeML TIMEX3 value and an inclusive interval of days. Relative expressions are resolved
against ``reference`` (the document date) and skipped when it is ``None``.

Families and the conventions chosen where English is ambiguous:

* absolute: ``2015-11-13``, ``11/13/2015`` (US order; day/month when the first number is over 12),
  ``Nov 17, 2015``, ``13 November 2015``, ``November 2015``, ``in 2004``, ``fiscal 1989``, ``the 2004 Madrid
  bombings``, ``mid-2014``/``early 2010``/``late October``/``the end of 2015`` (the modifier is kept in the span,
  the value is the whole year or month, as TIMEX3 does with its ``mod`` attribute), decades (``the 1990s`` ->
  ``199``, ``the '80s``, ``the nineties``), centuries (``the 20th century`` -> ``19``), quarters
  (``the third quarter of 1989``, ``third-quarter`` -> ``1989-Q3``), seasons (``the summer of 2014``).
* named dates from ``data/date_lexicon.csv`` (``9/11`` -> 2001-09-11, only when written exactly so).
* a day and month without a year (``Oct. 31``): the occurrence nearest to the reference (within half a year);
  the next one when the clause speaks of the future, the last one when a past-tense verb governs it directly
  ("the year ended March 31"). The tense of a clause is read from its nearest cue (see ``_cue``): a modal
  or a "to"-future ("will", "would", "is expected to", "plans to") points forward, a past auxiliary or a
  past-tense verb back; "was scheduled to", "had been due to" (a plan told in the past) point nowhere.
* a month alone (``in October``, ``last June``): with a future cue the next such month ("is expected to join in
  April"), with a past cue the last one, else the nearest; ``last June`` the most recent June strictly before
  the reference month; ``next``/``this`` as written; a deadline ("until November") is read from the reference.
  ``May`` and ``March`` count only next to a day, a year, a preposition or a modifier ("in May", "early March").
  ``June last year``, ``January this year``: that month of that year.
* weekdays: the most recent such day on or before the reference (``Friday`` on a Friday is the reference
  day), the coming one with a future cue ("said it would travel Thursday"; not for ``Friday's attacks``, an event
  already told), ``last Friday`` strictly before, ``next``/``this Friday`` on or after. ``Friday night`` and
  ``10 p.m. Wednesday`` are the day.
* years and days in words: ``January nineteen ninety-seven``, ``the winter of nineteen ninety-four``, ``the year
  two thousand``, ``March eighth``, ``the twenty-first of June``.
* halves: ``the first half of 2011`` -> ``2011-H1``, ``the last half of this year``, ``the first two quarters of
  1990`` (precision ``half``).
* the reference year: ``the year``, ``the full year``, ``the current fiscal year``; ``year-end``, ``the end of
  the year`` (the previous one after "since" or a past verb); ``the end of the month``; ``the past year``,
  ``the last decade`` (the previous one).
* anaphora: ``that year``, ``the same day``, ``later that month`` are the date just mentioned (dropped when none
  was); ``later in the day``, ``earlier in the year`` the same, or the reference when no date was told within
  about two paragraphs.
* ``yesterday``/``today``/``tonight``/``tomorrow``/``last night``/``this morning``: days.
* ``this``/``last``/``next`` ``week``/``month``/``year`` (with ``earlier``/``late``... kept in the span);
  weeks are ISO weeks (``2015-W46``).
* weekends (``the weekend``, ``this weekend``, ``France's weekend airstrikes``): the weekend containing the
  reference when it is a Saturday or Sunday, else the one just before; value ``2015-W46-WE``, precision ``week``.
* ``N days/weeks/months/years ago``: the reference moved back, at the unit's precision (``a year ago`` is the
  previous year, precision ``year``). Vague counts (``a few years ago``) are not dates. Right after a quarter,
  ``a year ago``/``year-earlier`` are that quarter a year before. ``the quarter``, ``the latest period``, ``that
  quarter`` are the last quarter named, ``the 1988 period`` that quarter in 1988, ``last year's quarter``, ``the
  year-ago period``, ``the quarter a year ago`` that quarter a year before (the TimeML reading of earnings
  reports).
* seasons are the meteorological northern ones: SP Mar-May, SU Jun-Aug, FA Sep-Nov, WI Dec of the value's year
  to February of the next.

Not dates: durations (``a year``, ``three-year siege``, ``for months``), bare numbers, ``2,000``, ``24/7``,
``May`` the modal, times of day alone.

``find_timexes(text, reference)`` is what ``events timex`` prints (TimeML DATE and TIME expressions): the dates
above, clock times and parts of the day on the day just told (``around 7:15 p.m.`` -> ``...T19:15``, ``in the
morning`` -> ``...TMO``; the reference day when none was told), ``the following year`` counted from the date just
mentioned, and the vague references below. The incident stages use ``find_dates``: each of its expressions
names an interval by itself.

Two side outputs for the other stages and the benchmark:

* ``find_event_offsets(text)`` -> :class:`EventOffset`: ``13 days after the bombings``, ``the day before the
  attacks``, ``two days later`` are offsets from an event named in the text (``anchor_text``, empty when the
  anchor is the event just told), not from the document date; the incidents stage resolves them. ``hours later``,
  ``shortly afterwards``, ``later that night`` are offsets of 0 days from the event just told.
* ``find_temporal_references(text)`` -> :class:`TemporalReference`: ``now``, ``recently``, ``in the future``
  (TIMEX3 ``PRESENT_REF``/``PAST_REF``/``FUTURE_REF``); they name no interval, so they are not DateMentions.

Bounded time on any text: a text denser in dates than any news (a table of dates, generated or hostile text) is
read up to a budget of ``DATE_CUE_BUDGET`` words that may start a date per ``DATE_CUE_BLOCK`` characters (three
times the densest real news measured); ``unread_date_stretches(text)`` names what was left, and the pipeline reports
it among the corpus problems. A text of one block is read whole.

dateparser is not used here: every family above normalises with a few lines of arithmetic, which is both
faster and exact; the benchmark (``bench/quality_dates.py``) compares against ``dateparser.search``.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable
from pathlib import Path

__all__ = [
    "DateMention",
    "EventOffset",
    "TemporalReference",
    "find_dates",
    "find_event_offsets",
    "find_temporal_references",
    "find_timexes",
    "unread_date_stretches",
    "tells_the_day_just_told",
    "to_json_dict",
    "load_named_dates",
    "load_holidays",
    "holiday_dates",
]

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "date_lexicon.csv"
HOLIDAYS_PATH = Path(__file__).resolve().parent.parent / "data" / "holidays.csv"


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    value: str
    first: date
    last: date
    precision: str


@dataclass(frozen=True)
class EventOffset:
    """``days`` from the event named by ``anchor_text`` ("" when the anchor is the event just told)."""

    start: int
    end: int
    text: str
    days: int
    anchor_text: str


@dataclass(frozen=True)
class TemporalReference:
    """A vague reference to the present, past or future (TIMEX3 PRESENT_REF/PAST_REF/FUTURE_REF)."""

    start: int
    end: int
    text: str
    value: str


def to_json_dict(m: DateMention | TemporalReference) -> dict:
    if isinstance(m, TemporalReference):
        return {"start": m.start, "end": m.end, "text": m.text, "value": m.value}
    return {
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "value": m.value,
        "from": m.first.isoformat(),
        "to": m.last.isoformat(),
        "precision": m.precision,
    }


# --- language facts -----------------------------------------------------------------------------------------

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
SEASON_MONTHS = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "twenty-first": 21,
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}
DECADE_WORDS = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7, "eighties": 8,
    "nineties": 9,
}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}

# --- regex pieces -------------------------------------------------------------------------------------------

_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ANY = rf"(?:{_MONTH_FULL}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)(?![A-Za-z])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\d|:\d)"
_YEAR = r"(?:1\d{3}|20\d{2})(?![\d])"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_CLOCK = r"(?:\d{1,2}(?::\d{2})?\s*(?:a\.m\.|p\.m\.|am\b|pm\b|AM\b|PM\b)(?:\s+[A-Z]{3}\b)?|noon|midnight)"
_NUM = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|" \
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|hundred)"
_MOD = r"(?:(?i:early|mid|late)[- ]|(?i:the\s+)?(?:end|beginning|start|middle)\s+of\s+)"
_UNITS_W = "one|two|three|four|five|six|seven|eight|nine"
_TEENS_W = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS_W = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNDER_100_W = rf"(?:(?:{_TENS_W})(?:[- ](?:{_UNITS_W}))?|{_TEENS_W}|(?:oh|o)[- ](?:{_UNITS_W}))"
# a year in words: "nineteen ninety-seven", "eighteen hundred", "two thousand (and) one", "twenty fifteen"
_WORD_YEAR = (
    rf"(?i:(?:nineteen|eighteen)[- ](?:{_UNDER_100_W}|hundred(?:\s+and\s+(?:{_UNITS_W}|{_TEENS_W}))?)"
    rf"|two\s+thousand(?:\s+and)?(?:[- ](?:{_UNITS_W}|{_TEENS_W}|(?:{_TENS_W})(?:[- ](?:{_UNITS_W}))?))?"
    rf"|twenty[- ](?:{_TEENS_W}|(?:{_TENS_W})(?:[- ](?:{_UNITS_W}))?))(?![\w-])"
)
_DAY_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
_DAY_WORD = (
    r"(?i:(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|twentieth|"
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth)(?![\w-])"
)
_NOT_COUNT = (
    r"(?!\s+(?:people|persons|men|women|children|troops|soldiers|fighters|refugees|migrants|civilians|residents|"
    r"dead|deaths|killed|casualties|victims|members|militants|rebels|police|officers|dollars|euros|pounds|"
    r"times|votes|miles|km|kilometres|kilometers|metres|meters|feet|tons|tonnes|units|shares|barrels|cars|homes|"
    r"houses|jobs|workers|employees|students|cases|hectares|acres|pages|words)\b)"
)


def _c(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# --- interval helpers ---------------------------------------------------------------------------------------

Result = tuple[str, date, date, str]


def _day(d: date) -> Result:
    return d.isoformat(), d, d, "day"


def _month(y: int, m: int) -> Result:
    last = calendar.monthrange(y, m)[1]
    return f"{y:04d}-{m:02d}", date(y, m, 1), date(y, m, last), "month"


def _year(y: int) -> Result:
    return f"{y:04d}", date(y, 1, 1), date(y, 12, 31), "year"


def _week(d: date) -> Result:
    iy, iw, wd = d.isocalendar()
    monday = d - timedelta(days=wd - 1)
    return f"{iy:04d}-W{iw:02d}", monday, monday + timedelta(days=6), "week"


def _weekend(saturday: date) -> Result:
    iy, iw, _ = saturday.isocalendar()
    return f"{iy:04d}-W{iw:02d}-WE", saturday, saturday + timedelta(days=1), "week"


def _quarter(y: int, q: int) -> Result:
    first = date(y, 3 * q - 2, 1)
    lm = 3 * q
    return f"{y:04d}-Q{q}", first, date(y, lm, calendar.monthrange(y, lm)[1]), "quarter"


def _season(y: int, s: str) -> Result:
    m = SEASON_MONTHS[s]
    first = date(y, m, 1)
    ey, em = (y + 1, 2) if s == "WI" else (y, m + 2)
    return f"{y:04d}-{s}", first, date(ey, em, calendar.monthrange(ey, em)[1]), "season"


def _decade(y: int) -> Result:
    y0 = y - y % 10
    return f"{y0 // 10:03d}", date(max(y0, 1), 1, 1), date(y0 + 9, 12, 31), "decade"


def _century(c: int) -> Result:
    y0 = (c - 1) * 100
    return f"{c - 1:02d}", date(max(y0, 1), 1, 1), date(y0 + 99, 12, 31), "century"


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _month_num(word: str) -> int:
    return MONTHS[word.rstrip(".").lower()]


_LEADING_DIGITS = re.compile(r"\d+")


def _day_num(word: str) -> int:
    return int(_LEADING_DIGITS.match(word).group())


def _number(word: str) -> int | None:
    w = word.lower()
    if w.isdigit():
        return int(w)
    return NUMBER_WORDS.get(w)


_WORD_NUMBERS = {**{w: i + 1 for i, w in enumerate(_UNITS_W.split("|"))},
                 **{w: i + 10 for i, w in enumerate(_TEENS_W.split("|"))},
                 **{w: (i + 2) * 10 for i, w in enumerate(_TENS_W.split("|"))}}


def _word_year(text: str) -> int | None:
    """A year written in words ("nineteen ninety-seven", "two thousand and one", "eighteen hundred")."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w and w != "and"]
    if words[:2] == ["two", "thousand"]:
        base, rest = 2000, words[2:]
    elif words[0] in ("nineteen", "eighteen", "twenty"):
        base, rest = _WORD_NUMBERS[words[0]] * 100, words[1:]
        if rest[:1] == ["hundred"]:
            rest = rest[1:]
        elif rest[:1] in (["oh"], ["o"]):
            rest = rest[1:]
    else:
        return None
    n = sum(_WORD_NUMBERS.get(w, 0) for w in rest)
    return base + n if n < 100 else None


def _day_word(text: str) -> int:
    """A day of the month written as an ordinal word ("eighth", "twenty-first")."""
    return sum(_DAY_WORDS.get(w) or _WORD_NUMBERS.get(w, 0) for w in re.split(r"[\s-]+", text.lower()))


def _year_of(m: re.Match) -> int | None:
    """The year a match names in digits (group ``year``) or in words (group ``wyear``), or None."""
    if m["year"]:
        return int(m["year"])
    if "wyear" in m.re.groupindex and m["wyear"]:
        return _word_year(m["wyear"])
    return None


def _year_num(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 1900 if y >= 50 else 2000
    return y


def _nearest_year(ref: date, month: int, day: int = 15) -> int:
    """The year putting month/day nearest the reference (within half a year)."""
    delta = (month - ref.month) * 31 + (day - ref.day)
    if delta > 183:
        return ref.year - 1
    if delta < -183:
        return ref.year + 1
    return ref.year


# --- named dates --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_named_dates(path: Path = LEXICON_PATH) -> dict[str, date]:
    named: dict[str, date] = {}
    with open(path, encoding="utf-8") as f:
        rows = [line for line in f if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(rows):
        named[row["name"]] = date.fromisoformat(row["value"])
    return named


@lru_cache(maxsize=1)
def _named_regex() -> re.Pattern[str] | None:
    names = sorted(load_named_dates(), key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![\w/.])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w/]|\.\d)")


# --- holidays ---------------------------------------------------------------------------------------------------

_WEEKDAY_ABBR = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _check_rule(rule: str) -> str:
    kind, *args = rule.split()
    ok = (kind == "fixed" and len(args) == 1 and re.fullmatch(r"\d\d-\d\d", args[0])
          or kind == "nth" and len(args) in (3, 4) and args[1] in _WEEKDAY_ABBR
          or kind in ("easter", "orthodox_easter") and len(args) == 1
          or kind == "hijri" and len(args) == 2 or kind == "hijri_month" and len(args) == 1)
    if not ok:
        raise ValueError(f"{HOLIDAYS_PATH.name}: cannot read the rule {rule!r}")
    return rule


@lru_cache(maxsize=1)
def load_holidays(path: Path = HOLIDAYS_PATH) -> dict[str, str]:
    """Holiday name (as written in news) -> rule (see the header of data/holidays.csv)."""
    with open(path, encoding="utf-8") as f:
        rows = [line for line in f if line.strip() and not line.startswith("#")]
    return {row["name"]: _check_rule(row["rule"]) for row in csv.DictReader(rows)}


def holiday_dates(rule: str, year: int) -> list[tuple[date, date]]:
    """The (first, last) days a holiday rule gives in one Gregorian year: one for most, none or two for Hijri
    holidays (the Hijri year is eleven days shorter); none outside the calendars' ranges."""
    kind, *args = rule.split()
    try:
        if kind == "fixed":
            d = date(year, int(args[0][:2]), int(args[0][3:]))
            return [(d, d)]
        if kind == "nth":
            n, wd, mon = int(args[0]), _WEEKDAY_ABBR[args[1]], int(args[2])
            if n > 0:
                d = date(year, mon, 1)
                d += timedelta(days=(wd - d.weekday()) % 7 + 7 * (n - 1))
            else:
                d = date(year, mon, calendar.monthrange(year, mon)[1])
                d -= timedelta(days=(d.weekday() - wd) % 7 + 7 * (-n - 1))
            d += timedelta(days=int(args[3]) if len(args) > 3 else 0)
            return [(d, d)]
        if kind in ("easter", "orthodox_easter"):
            from dateutil.easter import EASTER_ORTHODOX, EASTER_WESTERN, easter

            d = easter(year, EASTER_ORTHODOX if kind == "orthodox_easter" else EASTER_WESTERN)
            d += timedelta(days=int(args[0]))
            return [(d, d)]
        from hijridate import Hijri

        out = []
        approx = round((year - 622) * 33 / 32)  # the Hijri year that starts in about this Gregorian year
        for hy in range(approx - 1, approx + 3):
            try:
                if kind == "hijri":
                    d = Hijri(hy, int(args[0]), int(args[1])).to_gregorian()
                    first = last = date(d.year, d.month, d.day)
                else:
                    h = Hijri(hy, int(args[0]), 1)
                    g = h.to_gregorian()
                    first = date(g.year, g.month, g.day)
                    last = first + timedelta(days=h.month_length() - 1)
            except (ValueError, OverflowError):
                continue
            if first.year == year or last.year == year:
                out.append((first, last))
        return out
    except (ValueError, OverflowError):
        return []


# things named after a holiday rather than its day: "a Christmas market", "the Christmas party", "Easter eggs"
_NAMED_AFTER = (
    r"(?:markets?|fairs?|party|parties|trees?|shopping|shoppers|lights|decorations?|dinners?|lunch(?:es)?|meals?|"
    r"cards?|gifts?|presents?|sales|carols?|songs?|music|specials?|messages?|address|speech(?:es)?|stor(?:y|ies)|"
    r"bonus(?:es)?|spirit|puddings?|cakes?|parades?|eggs?|bunny|bonnets?|lanterns?|menus?|films?|movies?|albums?|"
    r"editions?|issues?|episodes?|number|tradition|traditions|rush|crowds?|travel(?:lers)?)"
)


# a capitalised word right before a holiday's name makes it part of a person's name ("Tariq Ramadan")
_NAME_BEFORE = _c(r"(?<![\w'’-])(?P<word>[A-Z][a-z]+)\s+$")
_HOLIDAY_ADJECTIVES = frozenset(
    "Happy Merry Orthodox Catholic Coptic Muslim Islamic Christian Jewish Western Eastern Holy Good Last Next This "
    "Since Before After During Until By On At In Over For".split())


@lru_cache(maxsize=1)
def _holiday_regex() -> re.Pattern[str] | None:
    names = sorted(load_holidays(), key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(n).replace("'", "['’]") for n in names)
    return re.compile(
        r"(?:\b(?P<rel>(?i:last|next|this|this\s+past|the|this\s+year's|last\s+year's|next\s+year's))\s+)?"
        rf"(?:(?P<year1>{_YEAR})\s+)?\b(?P<name>{alternatives})(?![\w'’-]|\s+(?:Island|Islands|Rising|Offensive)\b"
        rf"|\s+(?:{_NAMED_AFTER})\b)"
        rf"(?:(?:,?\s+|\s+of\s+)(?P<year2>{_YEAR})(?![.,]\d))?"
    )


def _h_holiday(m: re.Match, ref: date | None):
    """A holiday in the year written, else the occurrence the tense or last/next points to, else the nearest."""
    name = m["name"].replace("’", "'")
    rule = load_holidays().get(name)
    if rule is None:
        return None
    if not m["rel"] and not m["year1"]:
        before = _NAME_BEFORE.search(m.string, max(0, m.start() - 40), m.start())
        if before and before["word"] not in _HOLIDAY_ADJECTIVES:
            return None  # a surname: "Saud Abu Ramadan", "Tariq Ramadan"
    rel = " ".join((m["rel"] or "").lower().split())
    year = int(m["year1"] or m["year2"] or 0)
    if not year and rel.endswith("year's") and ref is not None:
        year = ref.year + {"last": -1, "next": 1}.get(rel.split()[0], 0)
    if year:
        found = holiday_dates(rule, year)
        if not found:
            return None
        first, last = max(found, key=lambda fl: (min(fl[1], date(year, 12, 31)) - max(fl[0], date(year, 1, 1))))
    else:
        if ref is None:
            return None
        found = sorted(fl for y in (ref.year - 1, ref.year, ref.year + 1) for fl in holiday_dates(rule, y))
        if not found:
            return None
        if rel in ("last", "this past"):
            before = [fl for fl in found if fl[1] < ref]
            first, last = before[-1] if before else found[0]
        elif rel == "next":
            after = [fl for fl in found if fl[0] > ref]
            first, last = after[0] if after else found[-1]
        else:
            tense = None if rel == "this" else _tense(m.string, m.start(), m.end())
            if tense == "future":
                options = [fl for fl in found if fl[1] >= ref] or found
            elif tense == "past":
                options = [fl for fl in found if fl[0] <= ref] or found
            else:
                options = found
            first, last = min(options, key=lambda fl: max((fl[0] - ref).days, (ref - fl[1]).days, 0))
    start = m.start() if rel and rel != "the" or m["year1"] else m.start("name")
    if first == last:
        return start, m.end(), _day(first)
    mid = first + (last - first) / 2
    return start, m.end(), (f"{mid.year:04d}-{mid.month:02d}", first, last, "month")


# --- the patterns -------------------------------------------------------------------------------------------
# Each handler takes (match, reference) and returns (start, end, Result) or None. A handler that needs the
# reference is only called when there is one.

_ISO = _c(r"(?<![\d/.-])(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2})?)?(?![\d-])")
_SLASH = _c(r"(?<![\d/.,])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?![\d/])")
_DASH = _c(r"(?<![\d/.,-])(\d{2})-(\d{2})-(\d{2})(?:\s+\d{4}[A-Z]{3})?(?![\d-])")
_COMPACT = _c(r"(?<![\d,.])(19\d\d|20\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d,])")
_MDY = _c(
    rf"(?:(?P<wd>{_WEEKDAY}),?\s+)?(?:(?P<clock>{_CLOCK}),?\s+)?(?P<mon>{_MONTH_ANY})\s+"
    rf"(?:(?P<day>{_DAY})|(?P<dayw>{_DAY_WORD})(?!\s+(?i:quarter|half|round|time|place)\b))"
    rf"(?:,?\s+(?:(?P<year>{_YEAR})|(?P<wyear>{_WORD_YEAR})))?"
)
_DMY = _c(
    rf"(?:(?P<wd>{_WEEKDAY}),?\s+)?(?:the\s+)?(?:(?<![\d,.])(?P<day>{_DAY})(?:\s+of)?|(?P<dayw>{_DAY_WORD})\s+of)"
    rf"\s+(?P<mon>{_MONTH_ANY})(?:,?\s+(?:(?P<year>{_YEAR})|(?P<wyear>{_WORD_YEAR})))?"
)
_DAY_JOIN = r"(?:,?\s+(?i:and|or|to|through|till|until)\s+|\s*[-–]\s*)"
_DAY_LIST = _c(
    rf"(?P<mon_first>(?P<mon>{_MONTH_ANY})\s+(?P<d1>{_DAY}){_DAY_JOIN}(?P<d2>{_DAY})(?!\s*[%\d])"
    rf"(?:,?\s+(?P<year>{_YEAR})|{_NOT_COUNT}))"
    rf"|(?<![\d,.])(?P<d1b>{_DAY}){_DAY_JOIN}(?P<d2b>{_DAY})(?:\s+of)?\s+(?P<monb>{_MONTH_ANY})(?:,?\s+(?P<yearb>{_YEAR}))?"
)
_MY = _c(rf"(?P<mod>{_MOD})?(?P<mon>{_MONTH_ANY}),?\s+(?:of\s+)?(?:(?P<year>{_YEAR})|(?P<wyear>{_WORD_YEAR}))")
_MONTH_ALONE = _c(
    r"(?:(?P<prep>\b(?i:in|since|until|till|through|by|from|during|before|after|of|between|and|to|on|or)\s+)|"
    r"(?P<rel>\b(?i:last|next|this|this\s+past|past|coming|early|late|mid|earlier\s+in|later\s+in)[- ]|"
    r"(?<![A-Za-z])(?i:the\s+)?(?i:end|beginning|start|middle)\s+of\s+))?"
    rf"\b(?P<mon>{_MONTH_FULL})(?![A-Za-z]|'(?!s\b))"
)
_YEAR_RE = _c(
    rf"(?:(?<![\d,.$£€#/:-])(?P<pre>(?i:the\s+)?{_MOD}|(?i:fiscal(?:\s+year)?)\s+|(?i:the\s+)?(?i:year)\s+)"
    rf"|(?<![\d,.$£€#/:-]))(?P<year>{_YEAR})(?![\d]|s\b|'s\b|%|,\d|\.\d|-\d|\s*(?:percent|per\s+cent)\b|/\d"
    r"|\s*(?-i:GMT|UTC|EST|EDT|CET|IST)\b|\s*(?i:hrs|hours|local\s+time)\b)"  # "(1945 GMT)": a clock time
    + _NOT_COUNT
)
_DECADE = _c(
    r"(?P<the>(?i:the)\s+)?(?P<mod>(?i:early|mid|late)[- ]?)?"
    r"(?:(?P<cent>1\d|20)(?P<dec>\d)0'?s|'(?P<short>\d)0s|(?i:nineteen[- ]?)?(?P<word>(?i:twenties|thirties|forties|"
    r"fifties|sixties|seventies|eighties|nineties)))\b"
)
_CENTURY = _c(
    r"(?:(?i:the)\s+)?(?:(?i:early|mid|late)[- ])?(?:(?P<num>\d{1,2})(?:st|nd|rd|th)|(?P<word>(?i:first|second|third|"
    r"fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|"
    r"seventeenth|eighteenth|nineteenth|twentieth|twenty-first)))[- ](?i:century)\b"
)
_QUARTER = _c(
    r"(?:(?P<det>(?i:the|this|its|a|last|next|this\s+year's|last\s+year's|next\s+year's))\s+)?"
    rf"(?:(?P<year1>{_YEAR})\s+)?(?:(?i:fiscal)[- ])?"
    r"(?P<q>(?i:first|second|third|fourth|1st|2nd|3rd|4th))[- ](?i:quarter)\b"
    rf"(?:\s+(?:of\s+)?(?:(?i:fiscal)\s+)?(?P<year2>{_YEAR}))?"
    r"|\b(?P<qq>Q[1-4])\s+(?P<year3>" + _YEAR + r")"
)
_QUARTER_REL = _c(
    r"\b(?i:the\s+(?:latest|current|most\s+recent|past|previous|last)|this|last|next|the)\s+quarter\b(?!\s+of\b)"
)
# "the latest period", "that quarter", "the 1988 quarter": the quarter a financial report is about
_PERIOD_REF = _c(
    r"\b(?i:the)\s+(?:(?P<latest>(?i:latest|most\s+recent))\s+(?:(?i:fiscal)\s+)?(?i:period)"
    rf"|(?P<year>{_YEAR})\s+(?:(?i:fiscal)\s+)?(?i:quarter|period))\b(?!-)"
    r"|\b(?P<that>(?i:that))\s+(?i:quarter)\b(?!-)"
)
# "last year's quarter", "the same period last year", "the quarter a year ago": that quarter a year before
_QUARTER_BACK = _c(
    r"\b(?:(?i:last\s+year's)\s+(?:(?i:first|second|third|fourth)\s+)?(?i:quarter|period)"
    r"|(?i:the)\s+(?:(?i:same|comparable|corresponding)\s+)?(?i:quarter|period)\s+(?:(?i:of\s+)?(?i:last\s+year)|"
    r"(?i:a\s+year\s+(?:ago|earlier))))\b"
)
# "a year ago", "year-earlier", "the year-ago quarter": a year before the quarter or year just mentioned
_YEAR_BACK = _c(
    r"\b(?:(?i:the|a)\s+)?(?:(?i:comparable|corresponding)\s+)?(?i:year)[- ](?i:earlier|ago)"
    r"(?:\s+(?:(?i:first|second|third|fourth)\s+)?(?i:quarter|period))?\b"
)
_NUMWORD_YEAR = _c(
    r"(?:(?P<pre>(?i:the\s+year)\s+)|\b(?P<prep>(?i:in|by|since|until|till|before|after|of|from|to)\s+))?"
    rf"\b(?P<wyear>{_WORD_YEAR})" + _NOT_COUNT
)
# after a year that could be a count ("two thousand", "twenty fifteen"): the end of a phrase, not a noun
_PHRASE_END = _c(r"\s*(?:[.,;:!?)\"'`]|$|\s(?:and|or|but|when|as|the|a|to|in|on|at|until|after|before)\b)")
_SEASON = _c(
    r"(?P<rel>\b(?i:last|this|next|this\s+past|past|coming|the\s+early|the\s+late|early|late|the)\s+)?"
    r"(?P<season>(?i:spring|summer|fall|autumn|winter))\b"
    rf"(?:\s+(?:of\s+)?(?P<year>{_YEAR})|\s+of\s+(?P<wyear>{_WORD_YEAR})|(?P<of>\s+of\b))?"
)
_WEEKDAY_RE = _c(
    r"(?:(?P<rel>\b(?i:last|next|this|this\s+past|past|coming|early|late|the\s+previous|the\s+preceding))\s+)?"
    rf"(?:(?P<clock>{_CLOCK})\s+(?:(?i:on)\s+)?)?"
    rf"\b(?P<wd>{_WEEKDAY})\b(?!\s*,?\s*{_MONTH_ANY})"
    r"(?:\s+(?:(?i:early|late)\s+)?(?P<tod>(?i:morning|afternoon|evening|night)))?"
)
_REL_DAY = _c(
    r"\b(?:(?i:early|late|later|earlier)\s+)?(?P<w>(?i:the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|"
    r"yesterday|today|tonight|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening)))"
    r"(?:\s+(?:(?i:morning|afternoon|evening|night)))?\b(?!-)"
)
_REL_UNIT = _c(
    r"\b(?:(?P<mod>(?i:early|late|earlier|later|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of|"
    r"the\s+middle\s+of|the\s+rest\s+of))\s+)?"
    r"(?P<rel>(?i:this|last|next|this\s+past|the\s+current))\s+(?P<unit>(?i:week|month|year))\b(?!-)"
)
_WEEKEND = _c(
    r"(?:\b(?P<rel>(?i:the|this|last|next|this\s+past|past))\s+|(?<=['’]s\s))(?i:weekend)\b(?!s)"
)
_AGO = _c(rf"\b(?P<num>(?i:{_NUM}))\s+(?P<unit>(?i:days?|weeks?|months?|years?|decades?))\s+(?i:ago)\b"
          r"(?:\s+(?P<same>(?i:this\s+month|this\s+week|today))\b(?!-))?")
_OFFSET = _c(
    rf"\b(?P<num>(?i:{_NUM}|the))\s+(?P<unit>(?i:days?|weeks?|months?|years?))\s+"
    r"(?P<dir>(?i:before|after|earlier|later|prior\s+to|following))\b(?!\s+(?i:yesterday|tomorrow))"
    r"|\b(?P<rel>(?i:the\s+(?:next|following|previous|preceding)))\s+(?P<unit2>(?i:day|week|month|year))\b"
)
# "hours later", "shortly afterwards", "later that night": the same day as the event just told (no anchor named)
_SAME_DAY_OFFSET = _c(
    r"\b(?:(?:(?i:a\s+few|several|two|three|four|five|\d{1,2})\s+)?(?i:hours|minutes|moments)\s+(?i:later|afterwards?)"
    r"|(?i:shortly|soon|moments|minutes|hours)\s+(?i:afterwards?|thereafter)"
    r"|(?i:later|early|late|earlier)\s+(?i:that|the\s+same)\s+(?i:night|evening|morning|afternoon))\b(?!-)"
)
# "a few hours after the Patikul encounter": the same day as the named event (an anchor is required: "hours after he
# was freed" names no event)
_HOUR_OFFSET = _c(
    r"\b(?:(?i:a\s+few|several|few|some|two|three|four|five|six|\d{1,2})\s+)?(?i:hours|minutes)\s+"
    r"(?P<dir>(?i:before|after))\b"
)
_ANCHOR_START = _c(r"\s+((?:the|a|an|this|that|these|those|its|their|his|her|last|[A-Z][\w'.-]*)\b)")
_ANCHOR_WORD = _c(r"\s*([A-Za-z][\w'-]*|\d[\d,]*)")
_ANCHOR_STOP = frozenset(
    "in on at which that when where and but who as by for with to from was were is are had has have will would "
    "said says while after before during than or if because since".split()
)
_VAGUE = _c(
    r"\b(?:(?P<present>(?i:right\s+now|now|currently|nowadays|these\s+days|at\s+present|at\s+the\s+moment|"
    r"presently|current))|(?P<past>(?i:recently|more\s+recently|recent\s+(?:days|weeks|months|years)|recent|lately|"
    r"the\s+past))|(?P<future>(?i:soon|the\s+(?:near\s+)?future|the\s+(?:near|short)\s+"
    r"term|shortly|coming\s+(?:days|weeks|months|years|quarters))))\b"
)


def _h_iso(m: re.Match, ref: date | None):
    return m.start(), m.end(), _day(date(int(m[1]), int(m[2]), int(m[3])))


def _h_slash(m: re.Match, ref: date | None):
    a, b, y = int(m[1]), int(m[2]), _year_num(m[3])
    if a > 12 and b <= 12:
        a, b = b, a
    return m.start(), m.end(), _day(date(y, a, b))


def _h_dash(m: re.Match, ref: date | None):
    return m.start(), m.end(), _day(date(_year_num(m[3]), int(m[1]), int(m[2])))


def _h_compact(m: re.Match, ref: date | None):
    return m.start(), m.end(), _day(date(int(m[1]), int(m[2]), int(m[3])))


_SINCE_BEFORE = _c(r"(?i)\bsince\s+$")


def _year_of_day_month(text: str, start: int, end: int, mon: int, day: int, ref: date) -> int:
    """The year of a day and month written without one: tense first, else the occurrence nearest the reference."""
    tense = "past" if _SINCE_BEFORE.search(text, max(0, start - 8), start) else _tense(text, start, end,
                                                                                     past_adjacent=True)
    if tense == "future":
        return ref.year if (mon, day) >= (ref.month, ref.day) else ref.year + 1
    if tense == "past":
        return ref.year if (mon, day) <= (ref.month, ref.day) else ref.year - 1
    return _nearest_year(ref, mon, day)


def _h_day_month(m: re.Match, ref: date | None):
    mon = _month_num(m["mon"])
    day = _day_num(m["day"]) if m["day"] else _day_word(m["dayw"])
    year = _year_of(m)
    if year:
        y = year
    elif ref is None:
        return None
    else:
        y = _year_of_day_month(m.string, m.start(), m.end(), mon, day, ref)
    return m.start(), m.end(), _day(date(y, mon, day))


def _h_day_list(m: re.Match, ref: date | None):
    """"April 24 and 25", "24 and 25 April 2015": two dates, each its own expression (TimeML tags each day)."""
    b = "" if m["mon_first"] else "b"
    mon, d1, d2 = _month_num(m["mon" + b]), _day_num(m["d1" + b]), _day_num(m["d2" + b])
    if d1 == d2:
        return None
    if m["year" + b]:
        y = int(m["year" + b])
    elif ref is None:
        return None
    else:
        y = _year_of_day_month(m.string, m.start(), m.end(), mon, d1, ref)
    return [(m.start(), m.end("d1" + b), _day(date(y, mon, d1))), (m.start("d2" + b), m.end(), _day(date(y, mon, d2)))]


def _h_month_year(m: re.Match, ref: date | None):
    year = _year_of(m)
    if year is None:
        return None
    return m.start(), m.end(), _month(year, _month_num(m["mon"]))


_NAME_AFTER_MONTH = re.compile(r"\s+[A-Z][a-z]")
_ARTICLE_BEFORE_MONTH = re.compile(r"(?<![\w-])(?:the|a|an)\s+$")  # lower case: "the March attack", not in a title
_NOUN_AFTER_MONTH = re.compile(r"\s+(?!(?:for|against|on|to|of|in|into|through|from|across|at|by|with|and|or|"
                               r"government|administration|cabinet|ministers?|team|era|premiership|years)\b)[a-z]")  # "the May government": a leader's


def _h_month_alone(m: re.Match, ref: date | None):
    mon_word = m["mon"]
    rel = (m["rel"] or "").lower().split()
    if mon_word in ("May", "March") and not (m["prep"] or m["rel"]) and not (
            _ARTICLE_BEFORE_MONTH.search(m.string, max(0, m.start() - 6), m.start())
            and _NOUN_AFTER_MONTH.match(m.string, m.end())) or mon_word in ("May", "March") and \
            m.string.startswith("'", m.end()):
        return None  # the modal, the verb, Theresa May's; not "a March attack", "the May elections"
    start = m.start("rel") if m["rel"] else m.start("mon")
    after = m.string[m.end(): m.end() + 12]
    if not m["rel"] and not m["prep"] and _NAME_AFTER_MONTH.match(after):
        return None  # "August Wilson", "June Carter"
    if ref is None:
        return None
    mon = _month_num(mon_word)
    if rel[:1] == ["last"] or rel[:2] == ["this", "past"] or rel[:1] == ["past"]:
        y = ref.year if mon < ref.month else ref.year - 1
    elif rel[:1] in (["next"], ["coming"]):
        y = ref.year if mon > ref.month else ref.year + 1
    elif rel[:1] == ["this"]:
        y = ref.year
    else:
        prep = (m["prep"] or "").strip().lower()
        tense = "past" if prep == "since" else _tense(m.string, m.start(), m.end())
        if tense == "future":
            y = ref.year if mon >= ref.month else ref.year + 1
        elif prep in ("until", "till", "through", "by"):
            # a deadline ("gave them until November", "repaid by February") whatever the verb: the nearest one
            y = _nearest_year(ref, mon, 15)
        else:  # a past cue, or none: news tells what happened, so the last such month
            y = ref.year if mon <= ref.month else ref.year - 1
    return start, m.end(), _month(y, mon)


def _h_year(m: re.Match, ref: date | None):
    y = int(m["year"])
    pre = m["pre"]
    if not pre:
        before = m.string[max(0, m.start() - 12): m.start()]
        if y < 1900 and not re.search(r"(?i)\b(?:in|since|of|from|until|by|before|after|to|and)\s+$", before):
            return None
    return m.start(), m.end(), _year(y)


def _h_decade(m: re.Match, ref: date | None):
    if m["cent"]:
        y = int(m["cent"]) * 100 + int(m["dec"]) * 10
    elif m["short"]:
        y = 1900 + int(m["short"]) * 10
    else:
        if not m["the"] and not m["mod"]:
            return None
        y = 1900 + DECADE_WORDS[m["word"].lower()] * 10
    return m.start(), m.end(), _decade(y)


def _h_century(m: re.Match, ref: date | None):
    c = int(m["num"]) if m["num"] else ORDINALS[m["word"].lower()]
    if not 1 <= c <= 21:
        return None
    return m.start(), m.end(), _century(c)


def _quarter_of(ref: date) -> int:
    return (ref.month - 1) // 3 + 1


def _h_quarter(m: re.Match, ref: date | None):
    if m["qq"]:
        return m.start(), m.end(), _quarter(int(m["year3"]), int(m["qq"][1]))
    qw = m["q"].lower()
    q = {"first": 1, "second": 2, "third": 3, "fourth": 4}.get(qw) or int(qw[0])
    det = (m["det"] or "").lower()
    if m["year1"] or m["year2"]:
        y = int(m["year1"] or m["year2"])
    elif ref is None:
        return None
    else:
        y = ref.year - 1 if q - _quarter_of(ref) >= 2 else ref.year
        if det.startswith("last"):
            y = ref.year - 1
        elif det.startswith("next"):
            y = ref.year + 1
    start = m.start()
    if det == "a":
        start = m.start("q") if not m["year1"] else m.start("year1")
    return start, m.end(), _quarter(y, q)


def _h_quarter_rel(m: re.Match, ref: date | None):
    if ref is None:
        return None
    words = m[0].lower().split()
    y, q = ref.year, _quarter_of(ref)
    if words[0] == "next":
        y, q = (y, q + 1) if q < 4 else (y + 1, 1)
    elif words[0] in ("this",) or "current" in words:
        pass
    else:  # last, latest, previous, past, most recent: the last completed quarter
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    return m.start(), m.end(), _quarter(y, q)


def _h_period_ref(m: re.Match, ref: date | None):
    """Placeholders find_dates resolves against the quarter the report is about (see _in_context); without one,
    "the 1988 quarter" is 1988 and the others are not dates."""
    if m["year"]:
        return m.start(), m.end(), _year(int(m["year"]))
    return m.start(), m.end(), ("PERIOD", date.min, date.max, "period")


def _h_quarter_back(m: re.Match, ref: date | None):
    if ref is None:
        return None
    return m.start(), m.end(), _year(ref.year - 1)


def _h_year_back(m: re.Match, ref: date | None):
    """Resolved against the reference here; find_dates re-anchors it on a quarter mentioned just before."""
    if ref is None:
        return None
    return m.start(), m.end(), _year(ref.year - 1)


def _h_numword_year(m: re.Match, ref: date | None):
    """A year in words: "nineteen ninety-seven" anywhere; forms that also read as counts ("two thousand",
    "twenty fifteen") only after "the year", or after a preposition at the end of a phrase."""
    y = _word_year(m["wyear"])
    if y is None:
        return None
    if m["wyear"].lower().startswith(("two", "twenty")) and not m["pre"] and (
            not m["prep"] or not _PHRASE_END.match(m.string, m.end())):
        return None
    return (m.start() if m["pre"] else m.start("wyear")), m.end(), _year(y)


def _season_start(y: int, s: str) -> date:
    return date(y, SEASON_MONTHS[s], 1)


def _h_season(m: re.Match, ref: date | None):
    word = m["season"]
    s = SEASONS[word.lower()]
    rel = " ".join((m["rel"] or "").lower().split())
    if word[0].isupper() and not m["year"]:
        before = m.string[max(0, m.start() - 20): m.start()]
        if re.search(r"[A-Z][a-z]+\s+$", before):
            return None  # "Arab Spring"
    year = _year_of(m)
    if year:
        return m.start(), m.end(), _season(year, s)
    if m["of"]:
        return None  # "the fall of Mosul"
    if not rel:
        return None  # "summer camp", "spring into action"
    if rel in ("the", "the early", "the late"):  # "the spring water", "the fall in prices"
        before = m.string[max(0, m.start() - 12): m.start()]
        if not re.search(r"(?i)\b(?:in|during|until|till|by|since|through|throughout|over|for|before|after|into|"
                         r"across)\s+$", before) and not (rel != "the" and before.endswith("of ")):
            return None
    if ref is None:
        return None
    # the season containing the reference, as (year, season) of its start
    cur_y = ref.year - 1 if ref.month < 3 else ref.year
    cur_s = {12: "WI", 1: "WI", 2: "WI", 3: "SP", 4: "SP", 5: "SP", 6: "SU", 7: "SU", 8: "SU"}.get(ref.month, "FA")
    order = ["SP", "SU", "FA", "WI"]
    ci = order.index(cur_s)
    ti = order.index(s)
    if rel in ("last", "past", "this past"):
        y = cur_y if ti < ci else cur_y - 1
    elif rel in ("next", "coming"):
        y = cur_y if ti > ci else cur_y + 1
    elif rel == "this":
        y = cur_y
    elif _tense(m.string, m.start(), m.end()) == "future":  # "will plant in the spring": the next one
        y = cur_y if ti >= ci else cur_y + 1
    else:  # "the summer", "early summer": the most recent one not after the reference
        y = cur_y if ti <= ci else cur_y - 1
    return m.start(), m.end(), _season(y, s)


# The tense of the clause decides which way a bare month or weekday points ("is expected to join in April" is the
# next April; "said it would travel Thursday" the coming Thursday; "the year ended March 31" the last one).
# The cue nearest before the expression in its sentence decides (the first one after it when none precedes):
# a modal or a "to"-future points forward; a past auxiliary or a past-tense verb points back. A participle after
# "be"/"been"/"being" takes its tense from the auxiliary; "was scheduled to", "had been due to" (a plan told in
# the past) point nowhere, so the default reading holds. Words are classified one by one (a regex alternation
# over the clause costs milliseconds per date on long texts).
_MODALS = frozenset("will shall would wo 'll ’ll won't wouldn't shan't".split())
_TO_HEADS = frozenset(
    "scheduled due set expected expects expect expecting slated poised supposed planning preparing likely plan "
    "plans intend intends aim aims hope hopes want wants promised pledged vowed threatened agreed decided "
    "undertook going planned meant".split())
_FOR_HEADS = frozenset("scheduled set planned slated".split())
_PLAN_PARTICIPLES = frozenset("expected scheduled due set slated planned poised likely".split())
_FUTURE_WORDS = frozenset("upcoming deadline postponed".split())
_PRESENT_BE = frozenset("is are am 's ’s 're ’re".split())
_PAST_BE = frozenset("was were".split())
_BE = frozenset("be been being".split())
_PAST_WORDS = frozenset(
    "was were had did wasn't weren't hadn't didn't ago said told took began came went met made gave held fell "
    "rose won lost left struck shot hit sent spent found saw brought bought sold fought led became broke chose "
    "drove flew froze grew knew ran rang sang spoke stole swore threw woke wrote paid laid quit sought taught "
    "thought caught felt kept slept swept wept built lent stood understood withdrew overtook forgot got sat "
    "split spread cut".split())
_FINITE = frozenset("was were had did wasn't weren't hadn't didn't ago said told".split())
_NOT_PAST_ED = frozenset("need speed seed feed bleed breed greed hundred indeed united limited red bed shed wed "
                         "fed led sled".split())
_CUE_WORDS = _MODALS | _FUTURE_WORDS | _PAST_WORDS | _PAST_BE | {"to", "for", "had"}
_CLAUSE_WORD = _c(r"[A-Za-z]+(?:['’][a-z]+)?|['’]ll")
_SENTENCE_END = _c(r"[.!?]\s+(?=[A-Z\"'`“‘(])|[;\n]")


def _is_past_form(w: str) -> bool:
    if w in _PAST_WORDS:
        return True
    return len(w) > 4 and w.endswith("ed") and not w.endswith("eed") and w not in _NOT_PAST_ED or (
        len(w) > 4 and w.endswith("ied"))


def _cue(words: list[str], i: int) -> str | None:
    """"future", "past", "none" (a decisive cue that points nowhere) or None (no cue) for ``words[i]``."""
    w = words[i]
    if w not in _CUE_WORDS and not w.endswith("ed"):
        return None
    prev1 = words[i - 1] if i >= 1 else ""
    prev2 = words[i - 2] if i >= 2 else ""
    if w in _MODALS:
        return "future"
    if w in _FUTURE_WORDS:
        return "future"
    if w == "to" or (w == "for" and prev1 in _FOR_HEADS):
        if w == "to" and prev1 in _PRESENT_BE:
            return "future"  # "is to"
        if prev1 in _TO_HEADS or (w == "for" and prev1 in _FOR_HEADS):
            if prev2 in _PAST_BE or prev2 == "had" or (prev2 == "been" and i >= 3 and words[i - 3] == "had"):
                return "none"  # "was scheduled to": a plan told in the past
            return "future"
        return None
    if _is_past_form(w):
        if w not in _FINITE and prev1 in _BE:
            if prev1 == "be" and prev2 == "to":
                return "future"  # "guidelines to be published"
            return None  # "will be named", "will be held": the auxiliary decides
        if w not in _FINITE and prev1 in _PRESENT_BE:
            return "future" if w in _PLAN_PARTICIPLES else "none"  # "is expected" / "is named"
        if w in _PAST_BE and i + 1 < len(words) and words[i + 1] in ("to",):
            return "none"  # "was to": the future of a past
        return "past"
    return None


@lru_cache(maxsize=4)
def _cue_index(text: str) -> tuple[list[int], list[int], list[str], list[int], list[int]]:
    """The tense cues of a whole text (starts, ends, kinds) and its sentence breaks (starts, ends), built once
    per text on the first date that needs them: each date then finds its nearest cue by bisection, so a text
    dense with dates costs no more per date than ordinary prose."""
    found = [(m.start(), m.end(), m[0].lower()) for m in _CLAUSE_WORD.finditer(text)]
    words = [w for _, _, w in found]
    starts: list[int] = []
    ends: list[int] = []
    kinds: list[str] = []
    for i, (a, b, w) in enumerate(found):
        if w in _CUE_WORDS or w.endswith("ed"):
            kind = _cue(words, i)
            if kind is not None:
                starts.append(a)
                ends.append(b)
                kinds.append(kind)
    breaks = list(_SENTENCE_END.finditer(text))
    return starts, ends, kinds, [b.start() for b in breaks], [b.end() for b in breaks]


_ADJACENT = _c(r"\s*(?:(?i:on|in|at)\s+)?")
_TENSE_REACH = 200  # characters a cue may stand from the date, within its sentence


def _tense(text: str, start: int, end: int, past_adjacent: bool = False, before: bool = True,
           after: bool = True) -> str | None:
    """"future", "past" or None for the clause around ``text[start:end]`` (see ``_cue``).

    With ``past_adjacent`` a past cue counts only right before the expression ("the year ended March 31"):
    a full date without a year is usually near the reference whatever the tense of the verb announcing it
    ("declared a dividend payable Dec. 15"). ``before``/``after`` False leave out the cues on that side.
    """
    starts, ends, kinds, break_starts, break_ends = _cue_index(text)
    k = bisect_right(break_ends, start)
    lo = max(start - _TENSE_REACH, break_ends[k - 1] if k else 0)
    i = bisect_right(ends, start) - 1
    if before and i >= 0 and starts[i] >= lo:
        kind = kinds[i]
        if kind == "past" and past_adjacent and not _ADJACENT.fullmatch(text, ends[i], start):
            return None
        return None if kind == "none" else kind
    if not after:
        return None
    k = bisect_right(break_starts, end - 1)
    hi = min(end + _TENSE_REACH, break_starts[k] if k < len(break_starts) else len(text))
    j = bisect_right(starts, end - 1)
    if j < len(starts) and ends[j] <= hi:
        kind = kinds[j]
        return None if kind == "none" or past_adjacent and kind == "past" else kind
    return None


_POSSESSIVE = _c(r"['’]s\b")
_AFTER_THAT = _c(r"(?i)\b(?:that|whether)$")


def _after_that(text: str, start: int) -> bool:
    """'that' or 'whether', then spaces, right before ``start``: read from the words just before it, not by searching
    the whole text before it (which made a text of many weekdays quadratic)."""
    end = start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end < start and _AFTER_THAT.search(text, max(0, end - 16), end) is not None


def _h_weekday(m: re.Match, ref: date | None):
    if ref is None:
        return None
    target = WEEKDAYS[m["wd"].lower()]
    rel = " ".join((m["rel"] or "").lower().split())
    back = (ref.weekday() - target) % 7
    if rel in ("next", "coming"):
        d = ref + timedelta(days=(target - ref.weekday()) % 7 or 7)
    elif rel == "this":
        d = ref + timedelta(days=(target - ref.weekday()) % 7)
    elif rel in ("last", "past", "this past", "the previous", "the preceding"):
        d = ref - timedelta(days=back or 7)
    elif back and _tense(m.string, m.start(), m.end(), before=not _after_that(m.string, m.start()),
                         after=not _POSSESSIVE.match(m.string, m.end())) == "future":
        # "Friday's race" takes its tense from the clause it stands in ("runners are expected to run in Sunday's
        # race"), not from the verb after it; after "that" a new clause starts ("would know that Friday's attacks")
        d = ref + timedelta(days=(target - ref.weekday()) % 7)
    else:
        d = ref - timedelta(days=back)
    return m.start(), m.end(), _day(d)


_REL_DAY_OFFSET = {
    "the day before yesterday": -2, "the day after tomorrow": 2, "yesterday": -1, "today": 0, "tonight": 0,
    "tomorrow": 1, "last night": -1, "this morning": 0, "this afternoon": 0, "this evening": 0,
}


def _h_rel_day(m: re.Match, ref: date | None):
    if ref is None:
        return None
    off = _REL_DAY_OFFSET[" ".join(m["w"].lower().split())]
    return m.start(), m.end(), _day(ref + timedelta(days=off))


def _h_rel_unit(m: re.Match, ref: date | None):
    if ref is None:
        return None
    if m["unit"][0].isupper():
        return None  # "This Week" (a programme), "Next Year" (a title)
    rel = " ".join(m["rel"].lower().split())
    k = {"last": -1, "next": 1, "this past": -1}.get(rel, 0)
    unit = m["unit"].lower()
    if unit == "week":
        return m.start(), m.end(), _week(ref + timedelta(weeks=k))
    if unit == "month":
        return m.start(), m.end(), _month(*_add_months(ref.year, ref.month, k))
    return m.start(), m.end(), _year(ref.year + k)


def _h_weekend(m: re.Match, ref: date | None):
    if ref is None:
        return None
    wd = ref.weekday()
    sat = ref - timedelta(days=wd - 5) if wd >= 5 else ref - timedelta(days=wd + 2)
    if (m["rel"] or "").lower() == "next":
        sat = ref + timedelta(days=(5 - wd) % 7 or 7)
    return m.start(), m.end(), _weekend(sat)


def _h_ago(m: re.Match, ref: date | None):
    if ref is None:
        return None
    n = _number(m["num"])
    if n is None:
        return None
    unit = m["unit"].lower().rstrip("s")
    if m["same"] and unit != "year":  # "this week" after "two months ago" is a date of its own
        end = m.start() + m.group(0).lower().index("ago") + 3
        return m.start(), end, _h_ago_unit(unit, n, ref)
    if unit == "day":
        return m.start(), m.end(), _day(ref - timedelta(days=n))
    if unit == "week":
        return m.start(), m.end(), _week(ref - timedelta(weeks=n))
    if unit == "month":
        return m.start(), m.end(), _month(*_add_months(ref.year, ref.month, -n))
    if unit == "decade":
        return m.start(), m.end(), _decade(ref.year - 10 * n)
    same = (m["same"] or "").lower()
    if same:  # "three years ago this month": that month, n years back; "this week", "today" likewise
        back = _years_back(ref, n)
        if same.startswith("today"):
            return m.start(), m.end(), _day(back)
        if same.endswith("week"):
            return m.start(), m.end(), _week(back)
        return m.start(), m.end(), _month(ref.year - n, ref.month)
    return m.start(), m.end(), _year(ref.year - n)


def _h_ago_unit(unit: str, n: int, ref: date) -> Result:
    if unit == "day":
        return _day(ref - timedelta(days=n))
    if unit == "week":
        return _week(ref - timedelta(weeks=n))
    if unit == "month":
        return _month(*_add_months(ref.year, ref.month, -n))
    return _decade(ref.year - 10 * n)


def _years_back(day: date, n: int) -> date:
    """The same day n years before (28 February for a 29 February that year lacks)."""
    try:
        return day.replace(year=day.year - n)
    except ValueError:
        return day.replace(year=day.year - n, day=28)


def _h_named(m: re.Match, ref: date | None):
    return m.start(), m.end(), _day(load_named_dates()[m[0]])


# --- periods named from the reference year or the date just mentioned ------------------------------------------

# "the first half of 1989", "the last half of this year", "the first two quarters of 1990" (TimeML 1989-H1)
_HALF = _c(
    r"(?:(?i:the)\s+)?(?P<h>(?i:first|second|last|latter|1st|2nd))[- ](?:(?i:half)|(?P<two>(?i:two\s+quarters)))"
    rf"\s+(?i:of)\s+(?:(?i:fiscal)\s+)?(?:(?P<year>{_YEAR})|(?P<rel>(?i:this|last|next|the))\s+(?i:year)\b(?!-))"
)
# "June last year", "January this year", "March 3 next year": the month (or day) in that year
_MONTH_REL_YEAR = _c(
    rf"(?:(?P<mod>(?i:early|mid|late)[- ])|(?<![\d,.])(?P<dayb>{_DAY})\s+(?:(?i:of)\s+)?)?(?P<mon>{_MONTH_ANY})"
    rf"(?:\s+(?P<day>{_DAY}))?,?\s+(?:(?i:of)\s+)?"
    r"(?P<rel>(?i:last|this|next))\s+(?i:year)\b(?!-|'s)"
)
# "the year", "the full year", "the current fiscal year": the reference year (financial and annual reports)
_THE_YEAR = _c(
    r"\b(?i:the)\s+(?:(?i:full|whole|entire|current|current\s+fiscal|current\s+calendar|fiscal|calendar)\s+)?"
    r"(?i:year)\b(?!-|'s\s+(?:end|first|second|third|fourth)|\s+(?i:of)\s+(?![$£€\d])|\s+(?i:before|after|earlier|later|ago|that|when|"
    r"in\s+which|since|following|prior|or|and\s+a\s+half)\b|\s+\d)"
)
# "year-end", "year end", "year's end", "the end of the year": the reference year (or the last one, "since")
_YEAR_END = _c(
    r"\b(?:(?P<prep>(?i:around|about|by|at|until|till|since|before|after))\s+)?(?P<core>(?:(?i:the)\s+)?"
    r"(?:(?i:end)\s+of\s+(?i:the)\s+(?P<unit>(?i:year|month))|(?i:year)[- ](?i:end)|(?i:year's)\s+(?i:end)))\b(?!-)"
)
# "the past year", "the last decade": the previous year (month, week, decade)
_PAST_UNIT = _c(
    r"\b(?i:the)\s+(?:(?i:past|last)\s+(?P<unit>(?i:year|month|week|decade))|(?i:latest|last|previous|past|most\s+recent)"
    r"\s+(?P<fiscal>(?i:fiscal|financial))\s+(?i:year))\b(?!-|\s+(?i:of|or|and|alone)\b)"
)
# "that year", "the same month", "later that day", "earlier in the day": the date just mentioned
_ANAPHOR = _c(
    r"\b(?:(?P<pre>(?i:later|earlier|late|early))\s+(?:(?P<inthe>(?i:in\s+the))|(?i:in\s+that|that))|"
    r"(?P<det>(?i:that|the\s+same)))\s+(?P<unit>(?i:year|month|week|day))\b(?!-|'s|\s+(?i:of|before|after)\b)"
)


def _h_half(m: re.Match, ref: date | None):
    h = 1 if m["h"].lower() in ("first", "1st") else 2
    if m["year"]:
        y = int(m["year"])
    elif ref is None:
        return None
    else:
        y = ref.year + {"last": -1, "next": 1}.get(m["rel"].lower(), 0)
    first = date(y, 1, 1) if h == 1 else date(y, 7, 1)
    last = date(y, 6, 30) if h == 1 else date(y, 12, 31)
    return m.start(), m.end(), (f"{y:04d}-H{h}", first, last, "half")


def _h_month_rel_year(m: re.Match, ref: date | None):
    if ref is None:
        return None
    y = ref.year + {"last": -1, "next": 1}.get(m["rel"].lower(), 0)
    mon = _month_num(m["mon"])
    if m["day"] or m["dayb"]:
        return m.start(), m.end(), _day(date(y, mon, _day_num(m["day"] or m["dayb"])))
    return m.start(), m.end(), _month(y, mon)


def _h_the_year(m: re.Match, ref: date | None):
    if ref is None:
        return None
    return m.start(), m.end(), _year(ref.year)


def _h_year_end(m: re.Match, ref: date | None):
    if ref is None:
        return None
    start = m.start("core")
    if (m["unit"] or "").lower() == "month":
        return start, m.end(), _month(ref.year, ref.month)
    back = (m["prep"] or "").lower() == "since" or (
        ref.month < 12 and _tense(m.string, m.start(), m.end(), past_adjacent=True) == "past")
    return start, m.end(), _year(ref.year - 1 if back else ref.year)


def _h_past_unit(m: re.Match, ref: date | None):
    if ref is None:
        return None
    unit = m["unit"].lower() if m["unit"] else "year"  # "the latest fiscal year": the last one completed
    if unit == "week":
        return m.start(), m.end(), _week(ref - timedelta(weeks=1))
    if unit == "month":
        return m.start(), m.end(), _month(*_add_months(ref.year, ref.month, -1))
    if unit == "decade":
        return m.start(), m.end(), _decade(ref.year - 10)
    return m.start(), m.end(), _year(ref.year - 1)


def _h_anaphor(m: re.Match, ref: date | None):
    """A placeholder resolved by find_dates against the date just mentioned (see _resolve_anaphor)."""
    unit = m["unit"].lower()
    fallback = "ref" if m["inthe"] else ""
    return m.start(), m.end(), (f"ANAPHOR:{unit}:{fallback}", date.min, date.max, "anaphor")


def tells_the_day_just_told(d: DateMention) -> bool:
    """Whether ``d`` is "later that day", "earlier in the day", "the same day": the day of what the text just told,
    which the incidents stage knows better than the last date written before it (a deadline, a report's day)."""
    found = _ANAPHOR.fullmatch(d.text)
    return found is not None and found["unit"].lower() == "day" and d.precision == "day"


_FINER = {"year": {"year", "half", "quarter", "season", "month", "week", "day"},
          "month": {"month", "day"}, "week": {"week", "day"}, "day": {"day"}}


_COMPARISON = _c(r"(?i)\bago\b|earlier\b")
# a date that dates a statement ("police said Monday", "announced on Tuesday"), not what the story tells
_REPORTED_ON = _c(r"(?i)\b(?:said|says|reported|announced|told|stated|confirmed|added)\s+(?:on\s+|late\s+|early\s+)?$")
# how far back (characters, about two short news paragraphs) the day just told still holds the story's focus
_FOCUS_SPAN = 400


def _resolve_anaphor(res: Result, antecedent: Result | None, ref: date | None, near: bool) -> Result | None:
    """"that year" is the year of the date just mentioned (when that date lies within one year), and so on;
    "later in the day" is the day told shortly before (within _FOCUS_SPAN), else the reference day."""
    _, unit, fallback = res[0].split(":")
    if fallback == "ref" and not near:
        antecedent = None
    if antecedent is not None and antecedent[3] in _FINER[unit]:
        d = antecedent[1]
        if unit == "year" and antecedent[2].year == d.year:
            return _year(d.year)
        if unit == "month" and (antecedent[2].year, antecedent[2].month) == (d.year, d.month):
            return _month(d.year, d.month)
        if unit == "week" and antecedent[2] - d <= timedelta(days=6):
            return _week(d)
        if unit == "day" and antecedent[2] == d:
            return _day(d)
    if fallback == "ref" and ref is not None:
        return {"year": _year(ref.year), "month": _month(ref.year, ref.month), "week": _week(ref),
                "day": _day(ref)}[unit]
    return None


# Each pattern's core: a token every match contains, found in the lower-cased text. Regex alternations scan
# slowly in Python's engine (each position is tried against every branch), so cores are found with str.find:
# whole words (the character after must not continue the word), or a literal checked by a small predicate.
# Patterns that share a core share one search per text.
Core = Callable[[str], list[int]]


def _word_core(*words: str, bounded: bool = True) -> Core:
    """Positions of ``words`` (whole words when ``bounded``: no letter or digit on either side)."""

    def positions(low: str) -> list[int]:
        out: list[int] = []
        n = len(low)
        for w in words:
            k = len(w)
            i = low.find(w)
            while i >= 0:
                j = i + k
                if not bounded or (j >= n or not low[j].isalnum()) and (i == 0 or not low[i - 1].isalnum()):
                    out.append(i)
                i = low.find(w, i + 1)
        return sorted(set(out))

    return positions


def _literal_core(literals: tuple[str, ...], keep: Callable[[str, int], bool]) -> Core:
    """Positions of ``literals`` where ``keep(low, i)`` holds."""

    def positions(low: str) -> list[int]:
        out = []
        for w in literals:
            i = low.find(w)
            while i >= 0:
                if keep(low, i):
                    out.append(i)
                i = low.find(w, i + 1)
        return sorted(set(out))

    return positions


def _digit_at(low: str, i: int) -> bool:
    return 0 <= i < len(low) and low[i].isdigit()


_MONTH_CORE = _word_core("january", "february", "march", "april", "may", "june", "july", "august", "september",
                         "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                         "sept", "sep", "oct", "nov", "dec")
_UNIT_CORE = _word_core("year", "month", "week", "day", "decade")
_PERIOD_CORE = _word_core("quarter", "quarters", "period", "half", "q1", "q2", "q3", "q4")
@lru_cache(maxsize=64)
def _digit_cores(odd_digits: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    r"""Numeric cores as zero-width patterns, found in C (a Python test at each "1", "20" or "/" cost more than the
    whole rest of the stage on a text of years or slashes). A digit is what ``str.isdigit`` says: the regex ``\d``
    (``str.isdecimal``) plus the superscript and circled digits ``odd_digits`` of the text."""
    d = rf"[\d{re.escape(odd_digits)}]" if odd_digits else r"\d"
    return (_c(rf"(?<={d})[-/](?={d})"),  # a date's separator: "11/13/2015", "2015-11-13"
            _c(rf"(?<!{d})(?=(?:1{d}{d}{d}|20{d}{d})(?!{d}))"),  # a year of four digits
            _c(rf"(?=(?:19|20){d}{{6}})"))  # "20151113"


def _digit_core(which: int) -> Core:
    def positions(low: str) -> list[int]:
        odd = "" if low.isascii() else "".join(sorted(c for c in set(low) if c.isdigit() and not c.isdecimal()))
        return [m.start() for m in _digit_cores(odd)[which].finditer(low)]

    return positions


_NUMERIC_CORE = _digit_core(0)
_YEAR_DIGITS_CORE = _digit_core(1)
_CORES: dict[re.Pattern[str], Core] = {
    _ISO: _NUMERIC_CORE,
    _SLASH: _NUMERIC_CORE,
    _DASH: _NUMERIC_CORE,
    _COMPACT: _digit_core(2),
    _DAY_LIST: _MONTH_CORE,
    _MDY: _MONTH_CORE,
    _DMY: _MONTH_CORE,
    _MY: _MONTH_CORE,
    _MONTH_ALONE: _MONTH_CORE,
    _MONTH_REL_YEAR: _MONTH_CORE,
    _YEAR_RE: _YEAR_DIGITS_CORE,
    _DECADE: _literal_core(("0s", "0's", "twenties", "thirties", "forties", "fifties", "sixties", "seventies",
                            "eighties", "nineties"), lambda low, i: low[i] != "0" or _digit_at(low, i - 1)),
    _CENTURY: _word_core("century"),
    _QUARTER: _PERIOD_CORE,
    _QUARTER_REL: _PERIOD_CORE,
    _PERIOD_REF: _PERIOD_CORE,
    _QUARTER_BACK: _PERIOD_CORE,
    _HALF: _PERIOD_CORE,
    _SEASON: _word_core("spring", "summer", "fall", "autumn", "winter"),
    _WEEKDAY_RE: _word_core("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    _REL_DAY: _word_core("yesterday", "today", "tonight", "tomorrow", "night", "morning", "afternoon", "evening"),
    _REL_UNIT: _UNIT_CORE,
    _THE_YEAR: _UNIT_CORE,
    _YEAR_END: _UNIT_CORE,
    _PAST_UNIT: _UNIT_CORE,
    _ANAPHOR: _UNIT_CORE,
    _WEEKEND: _word_core("weekend"),
    _AGO: _word_core("ago"),
    _YEAR_BACK: _word_core("earlier", "ago"),
    _NUMWORD_YEAR: _word_core("nineteen", "eighteen", "twenty", "thousand"),
    _OFFSET: _word_core("before", "after", "earlier", "later", "prior", "following", "next", "previous",
                        "preceding"),
    _SAME_DAY_OFFSET: _word_core("later", "afterwards", "afterward", "thereafter"),
    _HOUR_OFFSET: _word_core("hours", "minutes"),
    _VAGUE: _word_core("now", "current", "days", "present", "moment", "recent", "lately", "past", "soon", "future",
                       "term", "shortly", "coming", bounded=False),
}
_HOLIDAYS = _holiday_regex() or _c(r"(?!)")
_CORES[_HOLIDAYS] = _word_core(*sorted({re.split(r"[-'’]", n.split()[0])[0].lower() for n in load_holidays()}))
_WORD_START = _c(r"(?<![\w'])[\w']")
_WINDOW = 48


def _lower(text: str) -> str:
    """``text.lower()`` with one character for each of ``text``'s, so core positions are text positions.

    Only "İ" lower-cases to two characters ("i̇"); the regex engine matches it as "i" (one "İ" in a text made
    every pattern scan the whole text, 9x slower).
    """
    low = text.lower()
    return low if len(low) == len(text) else text.replace("İ", "i").lower()


def _matches(rx: re.Pattern[str], text: str, low: str | None = None, hits: dict | None = None):
    """``rx.finditer(text)``, faster: ``rx`` is only tried at word starts shortly before a hit of its core.

    Python's regex engine scans slowly for patterns that begin with optional words; each pattern's core (a
    token every match contains) is found quickly, and the full pattern is then matched at the word starts of
    a short window before it; the first match covering the core is the leftmost match finditer would give.
    ``hits`` caches each core's positions for the patterns sharing it.
    """
    core = _CORES.get(rx)
    if low is None:
        low = _lower(text)
    if core is None or len(low) != len(text):  # a few characters lower-case to two
        yield from rx.finditer(text)
        return
    if hits is None:
        positions = core(low)
    else:
        positions = hits.get(core)
        if positions is None:
            positions = hits[core] = core(low)
    last_end = 0
    tried = 0  # word starts before this were tried for an earlier hit: matching there again gives the same
    for p in positions:
        if p < last_end:
            continue
        for w in _WORD_START.finditer(text, max(last_end, tried, p - _WINDOW), p + 1):
            m = rx.match(text, w.start())
            if m is not None and m.start() <= p < m.end():
                yield m
                last_end = m.end()
                break
        tried = p + 1


_PATTERNS = (
    (_ISO, _h_iso),
    (_SLASH, _h_slash),
    (_DASH, _h_dash),
    (_COMPACT, _h_compact),
    (_DAY_LIST, _h_day_list),  # before _MDY/_DMY: "April 24" of "April 24 and 25, 2015" takes the year
    (_MDY, _h_day_month),
    (_DMY, _h_day_month),
    (_MY, _h_month_year),
    (_MONTH_ALONE, _h_month_alone),
    (_YEAR_RE, _h_year),
    (_DECADE, _h_decade),
    (_CENTURY, _h_century),
    (_QUARTER, _h_quarter),
    (_QUARTER_REL, _h_quarter_rel),
    (_SEASON, _h_season),
    (_WEEKDAY_RE, _h_weekday),
    (_REL_DAY, _h_rel_day),
    (_REL_UNIT, _h_rel_unit),
    (_WEEKEND, _h_weekend),
    (_AGO, _h_ago),
    (_YEAR_BACK, _h_year_back),
    (_PERIOD_REF, _h_period_ref),
    (_QUARTER_BACK, _h_quarter_back),
    (_NUMWORD_YEAR, _h_numword_year),
    (_HALF, _h_half),
    (_MONTH_REL_YEAR, _h_month_rel_year),
    (_THE_YEAR, _h_the_year),
    (_YEAR_END, _h_year_end),
    (_PAST_UNIT, _h_past_unit),
    (_ANAPHOR, _h_anaphor),
)

def _select(cands: list[tuple[int, int, Result]]) -> list[tuple[int, int, Result]]:
    """Longest first, then earliest; keep those overlapping nothing kept.

    Every candidate span is non-empty, so it overlaps a kept one exactly when one of its characters is taken: a
    mark per character answers in C, linear in the text (inserting into sorted lists of kept spans moved the
    whole tail for each one, quadratic on texts of 100,000 dates).
    """
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int, Result]] = []
    if not cands:
        return taken
    marks = bytearray(max(c[1] for c in cands))
    for c in cands:
        start, end = c[0], c[1]
        if marks.find(1, start, end) >= 0:
            continue
        marks[start:end] = b"\x01" * (end - start)
        taken.append(c)
    taken.sort(key=lambda c: c[0])
    return taken


_THE_QUARTER = _c(r"(?i)the\s+quarter$")


def _in_context(expr: str, res: Result, prev: Result | None, topic: Result | None, ref: date | None) -> Result | None:
    """Expressions that TimeML reads against a date mentioned before rather than the document date.

    Financial reports compare a quarter with its year-ago twin: "the quarter", "the latest period", "that quarter"
    are the quarter the report is about (``topic``, the last quarter named), "the 1988 period" is that quarter in
    1988, "last year's quarter" and "the year-ago period" that quarter a year before; right after a quarter,
    "a year ago" and "year-earlier" are that quarter a year before too. None: a placeholder with nothing to read.
    """
    low = expr.lower()
    if topic is not None:
        ty, tq = int(topic[0][:4]), int(topic[0][-1])
        if res[3] == "period":
            return _quarter(ty, tq)
        if _THE_QUARTER.match(low):
            return _quarter(ty, tq)
        m = _PERIOD_REF.fullmatch(expr)
        if m and m["year"]:
            return _quarter(int(m["year"]), tq)
        if ("quarter" in low or "period" in low) and ("ago" in low or "earlier" in low or "last year" in low):
            return _quarter(ty - 1, tq) if ref is None or ty - 1 >= ref.year - 1 else res
    if res[3] == "period":
        return None
    if prev is None or prev[3] != "quarter":
        return res
    py, pq = int(prev[0][:4]), int(prev[0][-1])
    if "year" in low and ("ago" in low or "earlier" in low) and not any(c.isdigit() for c in low):
        if low.split()[0] in ("a", "one") or "-" in low:
            return _quarter(py - 1, pq) if ref is None or py - 1 >= ref.year - 1 else res
    return res


# Reading a date costs tens of microseconds for each word that may start one (a "cue": a hit of a pattern's core),
# so a text made of dates ("Jan. 5 Jan. 5 ...", an upload of 5 MB) cost 10-35x ordinary news of its size. At most
# DATE_CUE_BUDGET cues are read in each block of DATE_CUE_BLOCK characters; the cues after that in the block are
# not read, and `unread_date_stretches` names them so the pipeline reports them. A text of one block is read whole.
# The densest real news measured (446 wire, TimeBank, TR-News and seed texts: a TR-News timeline) has 42 cues in
# any 8,192 characters, ordinary news about 5 per 1,000 characters; the budget (one per 64 characters) is three
# times the densest and holds a wire factbox of dated lines of 130 characters or more (two cues a line).
DATE_CUE_BLOCK = 8192
DATE_CUE_BUDGET = 128
_DATE_CORES = tuple(dict.fromkeys([*(_CORES[rx] for rx, _ in _PATTERNS), _CORES[_HOLIDAYS]]))


_NAMED = "named dates"  # the key of the named dates' starts among the cores' positions


def _cue_hits(text: str, low: str) -> tuple[dict, list[tuple[int, int]]]:
    """Each date core's positions within the budget (and the named dates' starts, under _NAMED), and the (first
    unread cue, block end) of each block over it."""
    hits: dict = {core: core(low) for core in _DATE_CORES}
    named = _named_regex()
    hits[_NAMED] = [m.start() for m in named.finditer(text)] if named is not None else []
    if len(low) <= DATE_CUE_BLOCK or sum(map(len, hits.values())) <= DATE_CUE_BUDGET:
        return hits, []  # a text of one block is read whole: at worst a few tenths of a second
    over: list[tuple[int, int]] = []
    for block in range(0, len(low), DATE_CUE_BLOCK):
        end = block + DATE_CUE_BLOCK
        inside = set().union(*(ps[bisect_left(ps, block):bisect_left(ps, end)] for ps in hits.values()))
        if len(inside) > DATE_CUE_BUDGET:  # cues at one position ("May": a month, a holiday) count once
            over.append((sorted(inside)[DATE_CUE_BUDGET], end))
    if over:
        for core, ps in hits.items():
            kept, last = [], 0
            for cut, end in over:
                a, b = bisect_left(ps, cut), bisect_left(ps, end)
                kept += ps[last:a]
                last = b
            hits[core] = kept + ps[last:]
    return hits, over


def unread_date_stretches(text: str) -> list[tuple[int, int]]:
    """(start, end) of the stretches whose dates :func:`find_dates` does not read: the rest of each block of
    DATE_CUE_BLOCK characters after its first DATE_CUE_BUDGET date cues (empty for any real news measured)."""
    return [(cut, min(end, len(text))) for cut, end in _cue_hits(text, _lower(text))[1]]


def find_dates(text: str, reference: date | None) -> list[DateMention]:
    """The date expressions of ``text``, non-overlapping, in text order (see the module docstring).

    A text denser in dates than any news is read up to a budget (DATE_CUE_BUDGET per DATE_CUE_BLOCK characters);
    ``unread_date_stretches`` says what was left.
    """
    cands: list[tuple[int, int, Result]] = []
    low = _lower(text)
    hits, _ = _cue_hits(text, low)
    for rx, handler in _PATTERNS:
        for m in _matches(rx, text, low, hits):
            try:
                got = handler(m, reference)
            except (ValueError, OverflowError, KeyError):
                continue
            if isinstance(got, list):
                cands.extend(g for g in got if g[1] > g[0])
            elif got is not None and got[1] > got[0]:
                cands.append(got)
    named = _named_regex()
    for start in hits[_NAMED]:  # where finditer found them, within the budget
        cands.append(_h_named(named.match(text, start), reference))
    for m in _matches(_HOLIDAYS, text, low, hits):
        got = _h_holiday(m, reference)
        if got is not None:
            cands.append(got)
    out = []
    prev: Result | None = None  # the last date not derived from another (quarter context)
    antecedent: Result | None = None  # the last date of any kind (anaphora)
    topic: Result | None = None  # the last quarter named (financial reports)
    antecedent_end = 0
    for start, end, res in _select(cands):
        if res[3] == "anaphor":
            derived = _resolve_anaphor(res, antecedent, reference, start - antecedent_end <= _FOCUS_SPAN)
            if derived is None:
                continue
        else:
            derived = _in_context(text[start:end], res, prev, topic, reference)
            if derived is None:
                continue
            if derived is res:
                prev = res
                if res[3] == "quarter" and not _THE_QUARTER.match(text, start, end):
                    topic = res
        if not _COMPARISON.search(text, start, end) and not (  # "than a year ago" compares; it moves no story time
                antecedent is not None and _REPORTED_ON.search(text, max(0, start - 30), start)):
            # "killed on Sunday, police said Monday. On the same day, ...": the day told, not the day it was said
            antecedent, antecedent_end = derived, end
        value, first, last, precision = derived
        # trim trailing spaces/punctuation a pattern may have swallowed
        while end > start and text[end - 1] in " \t\n,":
            end -= 1
        out.append(DateMention(start, end, text[start:end], value, first, last, precision))
    return out


def _anchor(text: str, pos: int) -> str:
    m = _ANCHOR_START.match(text, pos)
    if not m:
        return ""
    first = m.group(1)
    if first.lower() in _ANCHOR_STOP:
        return ""
    words = [first]
    p = m.end()
    while len(words) < 7:
        w = _ANCHOR_WORD.match(text, p)
        if not w or w.group(1).lower() in _ANCHOR_STOP or not text[p:w.start(1)].strip() == "":
            break
        words.append(w.group(1))
        p = w.end()
    while words and words[-1].lower() in {"of", "the", "a", "an"}:
        words.pop()
    return text[m.start(1): m.start(1) + len(" ".join(words))] if words else ""


def find_event_offsets(text: str) -> list[EventOffset]:
    """Offsets counted from an event rather than the document date ("a day before the Mumbai attack" -> -1)."""
    out: list[EventOffset] = []
    for m in _matches(_OFFSET, text):
        if m["rel"]:
            unit = m["unit2"].lower()
            sign = 1 if m["rel"].lower().split()[-1] in ("next", "following") else -1
            out.append(EventOffset(m.start(), m.end(), m[0], sign * UNIT_DAYS[unit], ""))
            continue
        num = m["num"].lower()
        n = 1 if num == "the" else _number(num)
        if n is None:
            continue
        unit = m["unit"].lower().rstrip("s")
        d = " ".join(m["dir"].lower().split())
        sign = -1 if d in ("before", "earlier", "prior to") else 1
        anchor = _anchor(text, m.end()) if d in ("before", "after", "prior to", "following") else ""
        end = m.end()
        if anchor:
            end = text.index(anchor, m.end()) + len(anchor)
        out.append(EventOffset(m.start(), end, text[m.start():end], sign * n * UNIT_DAYS[unit], anchor))
    for m in _matches(_SAME_DAY_OFFSET, text):
        out.append(EventOffset(m.start(), m.end(), m[0], 0, ""))
    for m in _matches(_HOUR_OFFSET, text):
        anchor = _anchor(text, m.end())
        if anchor:
            end = text.index(anchor, m.end()) + len(anchor)
            out.append(EventOffset(m.start(), end, text[m.start():end], 0, anchor))
    out.sort(key=lambda o: o.start)
    return out


def find_temporal_references(text: str) -> list[TemporalReference]:
    """Vague references to now, the past or the future (TIMEX3 PRESENT_REF / PAST_REF / FUTURE_REF)."""
    out = []
    for m in _matches(_VAGUE, text):
        value = "PRESENT_REF" if m["present"] else "PAST_REF" if m["past"] else "FUTURE_REF"
        out.append(TemporalReference(m.start(), m.end(), m[0], value))
    return out


# --- expressions only the TimeML output carries ----------------------------------------------------------------
# Clock times and parts of the day name a day only through the day just told (or the document date), and "the
# following year" counts from the date just mentioned; the incident stages read both through their own context
# (sentence dates, event offsets), so these stay out of find_dates.

_TIME_OF_DAY = _c(
    r"(?:(?i:around|about|approximately|shortly\s+(?:before|after)|just\s+(?:before|after))\s+)?"
    r"(?:(?P<h>\d{1,2})(?::(?P<min>\d{2}))?\s*(?P<ampm>(?i:a\.m\.|p\.m\.|am|pm)(?![\w.]))(?:\s+[A-Z]{3}\b)?"
    r"|(?P<hh>\d{1,2}):(?P<mm>\d{2})\s+(?:GMT|UTC|EST|EDT|CET|local\s+time)\b"
    r"|(?P<noon>(?i:noon|midday|midnight))\b"
    r"|(?:(?P<prep>(?i:in|during|by|until|till|through|throughout))\s+)(?P<the>(?i:the)\s+"
    r"(?:(?i:early|late)\s+)?(?P<part1>(?i:morning|afternoon|evening|night)))\b(?!\s+(?i:of|before|after)\b|'s)"
    r"|(?P<mod>(?i:early|late|mid)[- ]?\s*)(?P<part2>(?i:morning|afternoon|evening))\b(?!\s+(?i:of)\b|'s))"
)
_TIME_DAY_GAP = _c(r"(?:\s+|\s*,\s*)(?:(?i:on)\s+)?")
_PART_VALUES = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
_ANAPHOR_OFFSET = _c(
    r"\b(?i:the)\s+(?P<dir>(?i:next|following|previous|preceding))\s+(?P<unit>(?i:day|week|month|year))\b"
    r"(?!-|\s+(?i:or|of|and)\b)"
)
_CORES[_TIME_OF_DAY] = _literal_core(
    ("a.m", "p.m", "am", "pm", ":", "noon", "midday", "midnight", "morning", "afternoon", "evening", "night"),
    lambda low, i: (low[i] != ":" or (_digit_at(low, i - 1) and _digit_at(low, i + 1))) and (
        low[i] not in "ap" or low[i:i + 3] in ("a.m", "p.m") or not low[i + 2:i + 3].isalnum()))
_CORES[_ANAPHOR_OFFSET] = _UNIT_CORE


def _clock_suffix(m: re.Match) -> str | None:
    """The TIMEX3 time part ("T19:15", "TAF") of a clock time or part of the day, or None when impossible."""
    if m["noon"]:
        return "T24:00" if m["noon"].lower() == "midnight" else "T12:00"
    if m["part1"] or m["part2"]:
        return "T" + _PART_VALUES[(m["part1"] or m["part2"]).lower()]
    if m["hh"]:
        h, mi = int(m["hh"]), int(m["mm"])
    else:
        h, mi = int(m["h"]), int(m["min"] or 0)
        if not 1 <= h <= 12:
            return None
        pm = m["ampm"].lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
    if h > 23 or mi > 59:
        return None
    return f"T{h:02d}:{mi:02d}"


def _timex_only(text: str, reference: date | None, dates: list[DateMention]) -> list[DateMention]:
    """Clock times and parts of the day on the day just told (within _FOCUS_SPAN, else the reference day), and
    "the following year" / "the previous day" counted from the date just mentioned."""
    ends = [d.end for d in dates]
    out: list[DateMention] = []

    def antecedent(pos: int) -> DateMention | None:
        i = bisect_right(ends, pos)
        return dates[i - 1] if i else None

    for m in _matches(_TIME_OF_DAY, text):
        suffix = _clock_suffix(m)
        if suffix is None:
            continue
        start = m.start("the") if m["the"] else m.start()
        a = antecedent(start)
        if a is not None and a.precision == "day" and start - a.end <= _FOCUS_SPAN:
            day = a.first
        elif reference is not None:
            day = reference
        else:
            continue
        out.append(DateMention(start, m.end(), text[start:m.end()], day.isoformat() + suffix, day, day, "day"))
    for m in _matches(_ANAPHOR_OFFSET, text):
        a = antecedent(m.start())
        unit = m["unit"].lower()
        if a is None or a.precision not in _FINER[unit]:
            continue
        k = 1 if m["dir"].lower() in ("next", "following") else -1
        d = a.first
        if unit == "day":
            res = _day(d + timedelta(days=k))
        elif unit == "week":
            res = _week(d + timedelta(weeks=k))
        elif unit == "month":
            res = _month(*_add_months(d.year, d.month, k))
        else:
            res = _year(d.year + k)
        out.append(DateMention(m.start(), m.end(), m[0], *res))
    return out


def _without_overlaps(kept: list, extra: list) -> list:
    """``kept`` (non-overlapping, in text order) and the items of ``extra`` that overlap nothing kept before.

    ``extra`` is read in text order, so the only neighbours an item could overlap are the last one taken and the
    next of ``kept``; everything is put in order once at the end (an insert per item was quadratic).
    """
    starts = [k.start for k in kept]
    taken: list = []
    for e in sorted(extra, key=lambda e: e.start):
        i = bisect_right(starts, e.start)
        before = kept[i - 1] if i else None
        if taken and (before is None or taken[-1].start >= before.start):
            before = taken[-1]
        if (before is not None and before.end > e.start) or (i < len(starts) and starts[i] < e.end):
            continue
        taken.append(e)
    return sorted([*kept, *taken], key=lambda item: item.start)


def find_timexes(text: str, reference: date | None) -> list[DateMention | TemporalReference]:
    """Every temporal expression TimeML tags as a DATE or TIME, in text order: the dates of :func:`find_dates`;
    where they overlap none, clock times and parts of the day with the day they belong to ("around 7:15 p.m."
    after "On Tuesday" is that Tuesday at 19:15), "the following year" after a date; then the vague references
    of :func:`find_temporal_references`.

    This is what ``events timex`` prints; the incident stages use ``find_dates``, whose expressions each name an
    interval by themselves.
    """
    dates = find_dates(text, reference)
    extra = _timex_only(text, reference, dates)
    # "mid-afternoon yesterday", "10 a.m. on May 3": the time and the day it is on are one expression
    starts = {d.start: i for i, d in enumerate(dates)}
    for j, t in enumerate(extra):
        if "T" not in t.value:
            continue
        gap = _TIME_DAY_GAP.match(text, t.end)
        i = starts.get(gap.end()) if gap else None
        if i is not None and dates[i].precision == "day":
            d = dates[i]
            dates[i] = DateMention(t.start, d.end, text[t.start:d.end], d.value + t.value[t.value.index("T"):],
                                   d.first, d.last, "day")
            extra[j] = None
    out = _without_overlaps(dates, [t for t in extra if t is not None])
    return _without_overlaps(out, find_temporal_references(text))
