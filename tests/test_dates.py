from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.dates import (
    DateMention,
    find_dates,
    find_event_offsets,
    find_temporal_references,
    find_timexes,
    holiday_dates,
    load_holidays,
    load_named_dates,
    to_json_dict,
)

REF = date(2022, 8, 24)  # a Wednesday


def tagged(text, ref=REF):
    return [(m.text, m.value, m.first.isoformat(), m.last.isoformat(), m.precision) for m in find_dates(text, ref)]


def one(text, ref=REF):
    found = tagged(text, ref)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Aid reached Sukkur on Oct. 31.", ("Oct. 31", "2022-10-31", "2022-10-31", "2022-10-31", "day")),
        ("The dam broke on August 13th.", ("August 13th", "2022-08-13", "2022-08-13", "2022-08-13", "day")),
        ("Aid arrives on Feb. 2.", ("Feb. 2", "2023-02-02", "2023-02-02", "2023-02-02", "day")),  # nearest: 5 months on
        ("Cyclone Idai struck on 14 March 2019.", ("14 March 2019", "2019-03-14", "2019-03-14", "2019-03-14", "day")),
        ("Talks resumed Nov 17, 2019 in Lima.", ("Nov 17, 2019", "2019-11-17", "2019-11-17", "2019-11-17", "day")),
        ("Logged 2019-03-14 by the agency.", ("2019-03-14", "2019-03-14", "2019-03-14", "2019-03-14", "day")),
        ("Logged 03/14/2019 by the agency.", ("03/14/2019", "2019-03-14", "2019-03-14", "2019-03-14", "day")),
        ("Logged 14/03/2019 by the agency.", ("14/03/2019", "2019-03-14", "2019-03-14", "2019-03-14", "day")),
        ("The quake hit Nepal in 2015.", ("2015", "2015", "2015-01-01", "2015-12-31", "year")),
        ("The 2010 Haiti earthquake killed many.", ("2010", "2010", "2010-01-01", "2010-12-31", "year")),
        ("the 2008 financial crisis", ("2008", "2008", "2008-01-01", "2008-12-31", "year")),
        ("Fighting resumed in mid-2014.", ("mid-2014", "2014", "2014-01-01", "2014-12-31", "year")),
        ("Prices rose in early 2010.", ("early 2010", "2010", "2010-01-01", "2010-12-31", "year")),
        ("Rains ended in late October.", ("late October", "2021-10", "2021-10-01", "2021-10-31", "month")),
        ("Rains ended in September 2019.", ("September 2019", "2019-09", "2019-09-01", "2019-09-30", "month")),
        ("Revenue fell in fiscal 1999.", ("fiscal 1999", "1999", "1999-01-01", "1999-12-31", "year")),
        ("Mogadishu in the 1990s", ("the 1990s", "199", "1990-01-01", "1999-12-31", "decade")),
        ("Beirut in the 1980s", ("the 1980s", "198", "1980-01-01", "1989-12-31", "decade")),
        ("wars of the 20th century", ("the 20th century", "19", "1900-01-01", "1999-12-31", "century")),
        ("profit in the third quarter of 2019", ("the third quarter of 2019", "2019-Q3", "2019-07-01", "2019-09-30", "quarter")),
        ("floods in the summer of 2010", ("the summer of 2010", "2010-SU", "2010-06-01", "2010-08-31", "season")),
        ("snow in the winter of 2010", ("the winter of 2010", "2010-WI", "2010-12-01", "2011-02-28", "season")),
    ],
)
def test_absolute(text, expected):
    assert one(text) == expected


def test_named_date_only_when_written_exactly():
    assert one("Security changed after 9/11.") == ("9/11", "2001-09-11", "2001-09-11", "2001-09-11", "day")
    assert one("Filed on 9/11/2019.")[1] == "2019-09-11"
    assert "9/11" in load_named_dates()
    assert tagged("Open 24/7 since then.") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("On Tuesday, floods hit Karachi.", ("Tuesday", "2022-08-23")),
        ("Floods hit Karachi on Wednesday.", ("Wednesday", "2022-08-24")),  # the reference day itself
        ("Floods hit Karachi on Thursday.", ("Thursday", "2022-08-18")),
        ("Floods hit Karachi last Wednesday.", ("last Wednesday", "2022-08-17")),
        ("Talks resume next Friday.", ("next Friday", "2022-08-26")),
        ("after Friday's vote in Lahore", ("Friday", "2022-08-19")),
        ("Shelling continued Friday night.", ("Friday night", "2022-08-19")),
        ("The river rose yesterday.", ("yesterday", "2022-08-23")),
        ("The river rose today.", ("today", "2022-08-24")),
        ("The river crests tonight.", ("tonight", "2022-08-24")),
    ],
)
def test_relative_days(text, expected):
    text_, value, first, last, precision = one(text)
    assert (text_, value) == expected
    assert first == last == value and precision == "day"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rain fell this week.", ("this week", "2022-W34", "2022-08-22", "2022-08-28", "week")),
        ("Rain fell last week.", ("last week", "2022-W33", "2022-08-15", "2022-08-21", "week")),
        ("Rain fell last month.", ("last month", "2022-07", "2022-07-01", "2022-07-31", "month")),
        ("Elections come next month.", ("next month", "2022-09", "2022-09-01", "2022-09-30", "month")),
        ("Rain fell last year.", ("last year", "2021", "2021-01-01", "2021-12-31", "year")),
        ("Rain fell this year.", ("this year", "2022", "2022-01-01", "2022-12-31", "year")),
        ("Rain fell earlier this year.", ("earlier this year", "2022", "2022-01-01", "2022-12-31", "year")),
        ("Pakistan's weekend evacuations", ("weekend", "2022-W33-WE", "2022-08-20", "2022-08-21", "week")),
        ("Rain fell over the weekend.", ("the weekend", "2022-W33-WE", "2022-08-20", "2022-08-21", "week")),
        ("Rain fell last spring.", ("last spring", "2022-SP", "2022-03-01", "2022-05-31", "season")),
        ("Rain fell last summer.", ("last summer", "2021-SU", "2021-06-01", "2021-08-31", "season")),
        ("Rain fell last fall.", ("last fall", "2021-FA", "2021-09-01", "2021-11-30", "season")),
        ("Rain fell last June.", ("last June", "2022-06", "2022-06-01", "2022-06-30", "month")),
        ("Rain fell last August.", ("last August", "2021-08", "2021-08-01", "2021-08-31", "month")),
        ("Rain fell in October.", ("October", "2021-10", "2021-10-01", "2021-10-31", "month")),
        ("Rain fell in July.", ("July", "2022-07", "2022-07-01", "2022-07-31", "month")),
        ("Rain fell in May.", ("May", "2022-05", "2022-05-01", "2022-05-31", "month")),
        ("Rain fell two weeks ago.", ("two weeks ago", "2022-W32", "2022-08-08", "2022-08-14", "week")),
        ("Rain fell three days ago.", ("three days ago", "2022-08-21", "2022-08-21", "2022-08-21", "day")),
        ("since its peak a year ago", ("a year ago", "2021", "2021-01-01", "2021-12-31", "year")),
        # "N years ago this month / this week / today": that month, week or day, N years back
        ("the flood four years ago this month", ("four years ago this month", "2018-08", "2018-08-01", "2018-08-31",
                                                 "month")),
        ("the riots two years ago this week", ("two years ago this week", "2020-W35", "2020-08-24", "2020-08-30",
                                               "week")),
        ("the quake ten years ago today", ("ten years ago today", "2012-08-24", "2012-08-24", "2012-08-24", "day")),
    ],
)
def test_relative_periods(text, expected):
    assert one(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # REF is Wednesday 24 August 2022
        ("The new envoy is expected to join in April.", ("April", "2023-04")),
        ("The envoy joined in April.", ("April", "2022-04")),
        ("Elections will be held in October.", ("October", "2022-10")),
        ("Monsoon rains flooded Sindh in October.", ("October", "2021-10")),
        ("The minister said she would travel Thursday.", ("Thursday", "2022-08-25")),
        ("The minister travelled Thursday.", ("Thursday", "2022-08-18")),
        ("Talks are set to resume Monday in Geneva.", ("Monday", "2022-08-29")),
        ("The ferry had been scheduled to sail Friday.", ("Friday", "2022-08-19")),
        ("Rebels would know that Friday's raid on Gao angered Bamako.", ("Friday", "2022-08-19")),
        ("Thousands are expected to run in Sunday's marathon in Lagos.", ("Sunday", "2022-08-28")),
        ("The reporter has been held in Tehran since October.", ("October", "2021-10")),
        ("The loan must be repaid by February.", ("February", "2023-02")),
        ("Crowds gathered in Kigali in March.", ("March", "2022-03")),
        ("The brawl happened on 25 February last year.", ("25 February last year", "2021-02-25")),
        ("The council will be named in December.", ("December", "2022-12")),
        ("In March, the port reopened.", ("March", "2022-03")),
        ("For the year ended March 31, revenue rose.", ("March 31", "2022-03-31")),
        ("Aid left on Feb. 2.", ("Feb. 2", "2022-02-02")),
        ("The board declared a dividend payable Oct. 15.", ("Oct. 15", "2022-10-15")),
        ("The offer expires Sept. 9, the bank said.", ("Sept. 9", "2022-09-09")),
    ],
)
def test_tense_decides_the_direction(text, expected):
    assert expected in [(t, v) for t, v, *_ in tagged(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The dam was finished in the first half of 2011.", ("the first half of 2011", "2011-H1")),
        ("Tourism fell in the last half of 1991.", ("the last half of 1991", "1991-H2")),
        ("Exports should recover in the second half of the year.", ("the second half of the year", "2022-H2")),
        ("Output rises through the first two quarters of 2023.", ("the first two quarters of 2023", "2023-H1")),
        ("Gunmen raided the camp in June last year.", ("June last year", "2021-06")),
        ("The port reopened in January this year.", ("January this year", "2022-01")),
        ("Polls open on March 3 next year.", ("March 3 next year", "2023-03-03")),
        ("Rebels took the town in January nineteen ninety-seven.", ("January nineteen ninety-seven", "1997-01")),
        ("Snow closed the pass in the winter of nineteen eighty-two.",
         ("the winter of nineteen eighty-two", "1982-WI")),
        ("The plan runs until the year two thousand and ten.", ("the year two thousand and ten", "2010")),
        ("Women's Day will fall on March eighth.", ("March eighth", "2023-03-08")),
        ("They met on the twenty-first of June 2004.", ("the twenty-first of June 2004", "2004-06-21")),
        ("Sales for the full year rose 4%.", ("the full year", "2022")),
        ("It was the worst flood of the year.", ("the year", "2022")),
        ("The merger should close by year-end.", ("year-end", "2022")),
        ("Shares are up 9% since year-end.", ("year-end", "2021")),
        ("Troops arrive by the end of the month.", ("the end of the month", "2022-08")),
        ("Attacks rose over the past year.", ("the past year", "2021")),
        ("Wages lagged in the last decade.", ("the last decade", "201")),
        ("Shares hit a high for the year of $42 in June.", ("the year", "2022")),
        ("Sales fell in the latest fiscal year.", ("the latest fiscal year", "2021")),
        ("Orders recovered from the lows of the early summer.", ("the early summer", "2022-SU")),
        ("Analysts revised July's jobs figures.", ("July", "2022-07")),
    ],
)
def test_periods(text, expected):
    assert expected in [(t, v) for t, v, *_ in tagged(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Talks were held on April 24 and 25, 1997 in Lima.",
         [("April 24", "1997-04-24"), ("25, 1997", "1997-04-25")]),
        ("Voting was on 24 and 25 April 2021.", [("24", "2021-04-24"), ("25 April 2021", "2021-04-25")]),
        ("Strikes on June 1 and 2 closed ports.", [("June 1", "2022-06-01"), ("2", "2022-06-02")]),
        ("Floods on Oct. 3-5, 2019 hit Dhaka.", [("Oct. 3", "2019-10-03"), ("5, 2019", "2019-10-05")]),
        ("On April 24 and 25 people died.", [("April 24", "2022-04-24")]),
        ("On May 2, 3 ministers resigned.", [("May 2", "2022-05-02")]),
    ],
)
def test_lists_of_days(text, expected):
    assert [(t, v) for t, v, *_ in tagged(text)] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # REF is Wednesday 24 August 2022
        ("Shops in Lagos closed at Christmas.", ("Christmas", "2021-12-25", "2021-12-25", "2021-12-25", "day")),
        ("Shops in Lagos will close at Christmas.", ("Christmas", "2022-12-25", "2022-12-25", "2022-12-25", "day")),
        ("Prices rose before Thanksgiving 2019.",
         ("Thanksgiving 2019", "2019-11-28", "2019-11-28", "2019-11-28", "day")),
        ("Crowds filled Manila churches on Good Friday 2016.",
         ("Good Friday 2016", "2016-03-25", "2016-03-25", "2016-03-25", "day")),
        ("Curfews in Kano eased during Ramadan.", ("Ramadan", "2022-04", "2022-04-02", "2022-05-01", "month")),
        ("Curfews in Kano will ease during Ramadan.", ("Ramadan", "2023-04", "2023-03-23", "2023-04-20", "month")),
        ("The truce held through the 2015 Ramadan.",
         ("the 2015 Ramadan", "2015-07", "2015-06-18", "2015-07-16", "month")),
        ("Fighting paused for Eid al-Adha of 2010.",
         ("Eid al-Adha of 2010", "2010-11-16", "2010-11-16", "2010-11-16", "day")),
        ("They met last Christmas.", ("last Christmas", "2021-12-25", "2021-12-25", "2021-12-25", "day")),
        ("Fireworks on New Year’s Eve.", ("New Year’s Eve", "2022-12-31", "2022-12-31", "2022-12-31", "day")),
    ],
)
def test_holidays(text, expected):
    assert one(text) == expected


def test_holidays_are_not_places_or_words():
    assert tagged("Flights to Christmas Island and Easter Island resumed.") == []
    assert tagged("An epiphany came to her at christmas-time.") == []
    # things named after a holiday are not its day
    assert tagged("A man stabbed guests at a Christmas party in Leeds.") == []
    assert tagged("Police guarded the Christmas market in Graz on 26 November.") == [
        ("26 November", "2022-11-26", "2022-11-26", "2022-11-26", "day")]
    assert [t for t, *_ in tagged("Shops shut on Christmas morning.")] == ["Christmas"]
    # part of a person's name
    assert tagged("Reporting by Samir Abu Ramadan in Khan Younis.") == []


def test_every_holiday_rule_gives_a_day_in_range():
    rules = load_holidays()
    assert {"Christmas", "Thanksgiving", "Ramadan", "Easter", "Eid al-Fitr"} <= set(rules)
    for name, rule in rules.items():
        for year in (1950, 1997, 2015, 2030):
            found = holiday_dates(rule, year)
            assert 1 <= len(found) <= 2, (name, year, found)
            for first, last in found:
                assert first <= last and (first.year == year or last.year == year)
    assert holiday_dates("hijri_month 9", 1997) == [(date(1997, 1, 10), date(1997, 2, 7)),
                                                    (date(1997, 12, 30), date(1998, 1, 28))]
    assert holiday_dates("nth -1 mon 05", 2021) == [(date(2021, 5, 31), date(2021, 5, 31))]


def test_numbers_that_are_not_years():
    assert tagged("Two thousand people marched; twenty fifteen-year-olds joined.") == []
    assert tagged("They sold two thousand and ten more were sold in 2001.") == [
        ("2001", "2001", "2001-01-01", "2001-12-31", "year")]


def test_that_year_is_the_year_just_mentioned():
    text = "The rebels took Goma in 2012. Later that year they withdrew; that month aid resumed."
    got = [(t, v) for t, v, *_ in tagged(text)]
    assert got == [("2012", "2012"), ("Later that year", "2012")]  # "that month": no month was mentioned
    text = "On 4 May 2010 the levee broke. The same day, water reached the town; later in the day it rose."
    got = [(t, v) for t, v, *_ in tagged(text)]
    assert got == [("4 May 2010", "2010-05-04"), ("The same day", "2010-05-04"), ("later in the day", "2010-05-04")]
    assert [(t, v) for t, v, *_ in tagged("Later in the day the river fell.")] == [("Later in the day", "2022-08-24")]
    assert tagged("That year the river fell.") == []


def test_the_same_day_is_the_day_told_not_the_day_it_was_said():
    """"Killed on Sunday, police said Monday. On the same day, ...": the anaphor takes the day the story told; a
    statement's day is its antecedent only when no day was told before it."""
    text = ("Three guards were killed in Kidal on Sunday, the army said Monday. On the same day, rebels attacked "
            "a convoy near Gao.")
    got = [(t, v) for t, v, *_ in tagged(text)]
    assert got == [("Sunday", "2022-08-21"), ("Monday", "2022-08-22"), ("the same day", "2022-08-21")]
    text = "The army said on Monday that a curfew was imposed. The same day, rebels attacked a convoy near Gao."
    got = [(t, v) for t, v, *_ in tagged(text)]
    assert got == [("Monday", "2022-08-22"), ("The same day", "2022-08-22")]


def test_relative_needs_reference():
    assert tagged("On Tuesday, floods hit Karachi yesterday.", None) == []
    assert tagged("Floods hit Karachi on 14 March 2019.", None)[0][1] == "2019-03-14"


def test_edges_of_year_and_week():
    assert one("Snow fell on Saturday.", date(2022, 1, 1))[1] == "2022-01-01"
    assert one("Snow fell last week.", date(2021, 1, 4))[1] == "2020-W53"
    assert one("Snow fell last month.", date(2021, 1, 4))[1] == "2020-12"
    assert one("Snow fell in December.", date(2021, 1, 4))[1] == "2020-12"
    assert one("Snow fell last winter.", date(2021, 7, 4))[1:] == ("2020-WI", "2020-12-01", "2021-02-28", "season")


@pytest.mark.parametrize(
    "text",
    [
        "You may leave now, but we may stay.",
        "a march on the capital",
        "six of the eight districts",
        "2,000 fighters and 1,500 troops",
        "under Article 5 of the treaty, section 12",
        "see pages 12-14",
        "a year of drought",
        "a three-year siege",
        "for months the roads were closed",
        "for almost a year",
        "open 24/7",
        "at 6:01 AM the sirens sounded",
        "the fall of Kabul",
        "the Arab Spring",
        "the spring water",
        "It was the May government's plan",
        "Theresa May's cabinet met.",
    ],
)
def test_not_dates(text):
    assert tagged(text) == []


def test_spans_match_text_and_do_not_overlap():
    text = "On Tuesday, 23 August 2022, floods hit Karachi; last week and in 2010 too, and mid-2014."
    found = find_dates(text, REF)
    assert [m.text for m in found] == ["Tuesday, 23 August 2022", "last week", "2010", "mid-2014"]
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start
    for m in found:
        assert text[m.start:m.end] == m.text
        assert m.first <= m.last


def test_to_json_dict():
    (m,) = find_dates("in 2010", REF)
    assert to_json_dict(m) == {"start": 3, "end": 7, "text": "2010", "value": "2010", "from": "2010-01-01",
                               "to": "2010-12-31", "precision": "year"}
    assert isinstance(m, DateMention)


def test_event_offsets():
    text = ("13 days after the bombings in Colombo, troops deployed. A day before the Mumbai attack, warnings came; "
            "the day before the attacks was quiet. Three days later, curfew ended; the next day shops opened.")
    got = [(o.text, o.days, o.anchor_text) for o in find_event_offsets(text)]
    assert got == [
        ("13 days after the bombings", 13, "the bombings"),
        ("A day before the Mumbai attack", -1, "the Mumbai attack"),
        ("the day before the attacks", -1, "the attacks"),
        ("Three days later", 3, ""),
        ("the next day", 1, ""),
    ]
    for o in find_event_offsets(text):
        assert text[o.start:o.end] == o.text
    assert find_dates("13 days after the bombings in Colombo", REF) == []


def test_same_day_offsets_count_from_the_event_just_told():
    text = ("Two hours later, shops closed. Shortly afterwards the road reopened; soon afterward, rain fell. "
            "Later that night, the curfew began.")
    got = [(o.text, o.days, o.anchor_text) for o in find_event_offsets(text)]
    assert got == [("Two hours later", 0, ""), ("Shortly afterwards", 0, ""), ("soon afterward", 0, ""),
                   ("Later that night", 0, "")]
    assert find_dates("Hours later, shops closed.", REF) == []


def test_temporal_references():
    got = [(r.text, r.value) for r in find_temporal_references("Now prices rise; recently they fell; soon more.")]
    assert got == [("Now", "PRESENT_REF"), ("recently", "PAST_REF"), ("soon", "FUTURE_REF")]


def test_timexes_add_vague_references_where_no_date_is():
    text = "Now the ferry runs daily; it stopped in 2019 and recently resumed. The current timetable holds."
    got = [(t.text, t.value) for t in find_timexes(text, REF)]
    assert got == [("Now", "PRESENT_REF"), ("2019", "2019"), ("recently", "PAST_REF"), ("current", "PRESENT_REF")]
    assert [to_json_dict(t)["value"] for t in find_timexes(text, REF)][0] == "PRESENT_REF"


def test_many_overlapping_candidates_keep_the_longest():
    # every "2015" is also inside a longer "May 2015"; selection keeps one span per date, in text order
    text = "in May 2015, " * 200
    found = find_dates(text, REF)
    assert len(found) == 200 and {m.value for m in found} == {"2015-05"}
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


def test_quarter_context():
    got = tagged("Profit rose in the third quarter from a year ago; the quarter was strong.", date(1999, 10, 20))
    assert [(t, v) for t, v, *_ in got] == [("the third quarter", "1999-Q3"), ("a year ago", "1998-Q3"),
                                           ("the quarter", "1999-Q3")]


def test_the_quarter_a_report_is_about():
    text = ("Acme Mining posted a loss for its fiscal second quarter. Sales in the latest period fell 8%, and "
            "the 2003 period had a one-time gain. Last year's quarter was weaker; results for that quarter "
            "included a charge. The year-ago period was restated.")
    got = [(t, v) for t, v, *_ in tagged(text, date(2004, 11, 3))]
    assert got == [("its fiscal second quarter", "2004-Q2"), ("the latest period", "2004-Q2"),
                   ("the 2003 period", "2003-Q2"), ("Last year's quarter", "2003-Q2"), ("that quarter", "2004-Q2"),
                   ("The year-ago period", "2003-Q2")]
    # without a quarter named, "the latest period" names nothing and "the 2003 period" is the year
    got = [(t, v) for t, v, *_ in tagged("Sales in the latest period fell; the 2003 period was better.", REF)]
    assert got == [("the 2003 period", "2003")]


def timexes(text, ref=REF):
    return [(t.text, t.value) for t in find_timexes(text, ref)]


def test_clock_times_take_the_day_they_belong_to():
    text = "On Tuesday, gunmen entered the bank at 10:40 a.m.; police arrived around noon. By mid-afternoon it was over."
    assert timexes(text) == [("Tuesday", "2022-08-23"), ("10:40 a.m.", "2022-08-23T10:40"),
                             ("around noon", "2022-08-23T12:00"), ("mid-afternoon", "2022-08-23TAF")]
    # with no day told, the document date; a time and its day are one expression
    assert timexes("The ferry sank at 7:15 p.m. local time.") == [("7:15 p.m.", "2022-08-24T19:15")]
    assert timexes("Shares rose at mid-afternoon yesterday.") == [("mid-afternoon yesterday", "2022-08-23TAF")]
    assert timexes("Polls close at 8 p.m. on May 3, 2019.") == [("8 p.m. on May 3, 2019", "2019-05-03T20:00")]
    assert timexes("Dealers bought heavily in the morning.") == [("the morning", "2022-08-24TMO")]
    # not times: scores, ratios, the morning of an event named after it
    assert timexes("Lyon won 3:1 in the morning of the final.") == []
    # the engine's dates stay free of bare times
    assert tagged("The ferry sank at 7:15 p.m.") == []


def test_the_following_year_counts_from_the_date_just_mentioned():
    text = "In March 2001 she was elected mayor, and the following year she ran for governor; the next day, no one came."
    assert timexes(text) == [("March 2001", "2001-03"), ("the following year", "2002")]
    assert timexes("The following month, talks resumed.") == []


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("0123456789/-.,: 'aAyYsS")) | st.characters(), max_size=80)
    | st.lists(st.sampled_from(["last", "next", "Friday", "May", "9/11", "2015", "in", "the", "1990s", "weekend",
                                "ago", "two", "weeks", "quarter", "third", "year", "31", "Dec.", "summer", "of",
                                "13/13/13", "0/0/0000", "20th", "century", "mid-", "early", "yesterday"]),
               max_size=12).map(" ".join),
    ref=st.one_of(st.none(), st.dates(), st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(1, 3, 1)])),
)
def test_never_crashes(text, ref):
    for m in find_dates(text, ref):
        assert text[m.start:m.end] == m.text
        assert m.first <= m.last
    find_event_offsets(text)
    find_temporal_references(text)



@pytest.mark.parametrize("text, ref, value", [
    # "the previous Sunday" is the Sunday before the day being told, never that day itself
    ("A church was bombed the previous Sunday, killing 30.", date(2019, 6, 16), "2019-06-09"),
    ("Rebels struck the preceding Friday.", date(2019, 6, 16), "2019-06-14"),
    ("Troops were shelled on Sunday.", date(2019, 6, 16), "2019-06-16"),
    # "since Jan. 19" looks back: the last January 19, not the nearer coming one
    ("It was the worst attack since Jan. 19, when a bomber blew up a bus.", date(2019, 10, 16), "2019-01-19"),
    ("The road stays closed until Jan. 19.", date(2019, 10, 16), "2020-01-19"),
])
def test_previous_weekday_and_since_a_day_look_back(text, ref, value):
    assert [m.value for m in find_dates(text, ref)] == [value]


@pytest.mark.parametrize("text", [
    "The shell landed at 11.30 pm local time (2030 GMT) on the market.",
    "The convoy was hit at 1915 UTC.",
    "Troops moved in at 1800 hours.",
])
def test_a_clock_time_in_four_digits_is_no_year(text):
    """'(2030 GMT)', '1915 UTC', '1800 hours': the hour and minute of a 24-hour clock, not a year."""
    assert [d for d in find_dates(text, date(2012, 5, 3)) if d.precision == "year"] == []
    assert [d.value for d in find_dates("The war ended in 1945.", date(2012, 5, 3))] == ["1945"]


def test_march_and_may_after_an_article_and_before_a_noun_are_months():
    """'a March attack', 'the May elections': the month (lower-case article, a noun after it); 'a March for peace',
    'Theresa May', 'it may' stay no dates."""
    ref = date(2014, 7, 2)
    assert [d.value for d in find_dates("It came months after a March attack on a hotel.", ref)] == ["2014-03"]
    assert [d.value for d in find_dates("Before the May elections, calm returned.", ref)] == ["2014-05"]
    for text in ("They joined a March for peace.", "Theresa May spoke.", "Rain may fall.", "a march on the city"):
        assert find_dates(text, ref) == [], text
