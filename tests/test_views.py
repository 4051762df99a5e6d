"""Unit tests of the dashboard's pure functions (events/views/), on the synthetic extraction in conftest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from events import views
from events.views import FilterState

COLORS = {"attack": "#D55E00", "bombing": "#E69F00", "suicide_bombing": "#CC79A7", "shooting": "#8B0000",
          "recapture": "#009E73", "plane_crash": "#56B4E9"}


# ----------------------------------------------------------------------------------------- query string

def test_query_round_trip_keeps_every_field():
    state = FilterState(sources=("a01", "b02"), month_from="2015-03", month_to="2015-11", continents=("Asia",),
                        countries=("SY", "LB"), admin1s=("Aleppo",), types=("attack", "recapture"), min_killed=40,
                        text="concert hall", group_by="country")
    assert views.parse_query(views.to_query(state)) == state


def test_default_state_has_a_clean_url():
    assert views.to_query(FilterState()) == {}
    assert views.parse_query({}) == FilterState()
    assert FilterState(group_by="country").is_empty()


def test_parse_query_accepts_single_strings_and_pipes_and_drops_bad_values():
    state = views.parse_query({"type": "attack|bombing", "country": ["FR", "FR", "LB"], "from": "2015-13",
                               "to": "2015-11", "killed": "many", "rows": "galaxy", "q": "  paris "})
    assert state.types == ("attack", "bombing")
    assert state.countries == ("FR", "LB")
    assert state.month_from is None and state.month_to == "2015-11"
    assert state.min_killed == 0 and state.group_by == "type" and state.text == "paris"


def test_parse_query_orders_a_reversed_month_range():
    state = views.parse_query({"from": "2015-11", "to": "2015-03"})
    assert (state.month_from, state.month_to) == ("2015-03", "2015-11")


def test_clamp_state_drops_values_the_table_does_not_offer(extraction):
    options = views.filter_options(extraction.incidents, extraction.documents)
    state = views.clamp_state(FilterState(types=("attack", "volcano"), countries=("ZZ",), month_from="1990-01",
                                          month_to="2015-09"), options)
    assert state.types == ("attack",) and state.countries == ()
    assert state.month_from is None  # snapped to the first month = no bound
    assert state.month_to == "2015-09"


# ----------------------------------------------------------------------------------------- filters

def ids(frame: pd.DataFrame) -> set[str]:
    return set(frame["id"])


def test_no_filter_shows_everything(incidents):
    assert len(views.apply_filters(incidents, FilterState())) == len(incidents)


def test_filter_by_source_type_region(incidents):
    assert ids(views.apply_filters(incidents, FilterState(sources=("c03",)))) == {"inc-nyc", "inc-madrid"}
    assert ids(views.apply_filters(incidents, FilterState(types=("bombing",)))) == {"inc-ankara", "inc-madrid"}
    assert ids(views.apply_filters(incidents, FilterState(continents=("Europe",)))) == {"inc-paris", "inc-madrid"}
    assert ids(views.apply_filters(incidents, FilterState(countries=("LB",)))) == {"inc-beirut"}
    assert ids(views.apply_filters(incidents, FilterState(admin1s=("Aleppo",)))) == {"inc-kobani"}


def test_month_range_keeps_spans_that_overlap(incidents):
    shown = ids(views.apply_filters(incidents, FilterState(month_from="2015-05", month_to="2015-08")))
    # Kobani (Mar-May), Ankara (Aug) and the year-2015 attack overlap; undated incidents drop out
    assert shown == {"inc-kobani", "inc-ankara", "inc-unplaced"}


def test_min_killed_excludes_unknown_figures(incidents):
    assert ids(views.apply_filters(incidents, FilterState(min_killed=200))) == {"inc-sinai", "inc-nyc"}


def test_text_search_over_title_and_evidence_all_terms(incidents):
    assert ids(views.apply_filters(incidents, FilterState(text="concert"))) == {"inc-paris"}
    assert ids(views.apply_filters(incidents, FilterState(text="KILLING paris"))) == {"inc-paris"}
    assert views.apply_filters(incidents, FilterState(text="concert beirut")).empty


def test_filters_that_match_nothing_give_an_empty_table_not_an_error(incidents):
    empty = views.apply_filters(incidents, FilterState(types=("attack",), countries=("LB",)))
    assert empty.empty and list(empty.columns) == list(incidents.columns)
    assert views.apply_filters(incidents.iloc[0:0], FilterState(text="x", min_killed=3)).empty


def test_count_label():
    assert views.count_label(7, 23) == "Showing 7 of 23 incidents"
    assert views.count_label(1, 1) == "Showing 1 of 1 incident"
    assert views.count_label(949_961, 1_000_000) == "Showing 949,961 of 1,000,000 incidents"


def test_filter_options(extraction):
    options = views.filter_options(extraction.incidents, extraction.documents)
    assert options.sources == ("a01", "b02", "c03")
    # background incidents (2001, 2004: years before the 2015 articles) do not stretch the month pickers
    assert options.months[0] == "2015-01" and options.months[-1] == "2015-12" and len(options.months) == 12
    assert options.all_months[0] == "2001-01" and len(options.all_months) < 60
    assert options.n_background == 2 and options.window == ("2015-11-14", "2015-11-21")
    assert "Asia" in options.continents and "" not in options.countries
    assert options.max_killed == 3000


# ----------------------------------------------------------------------------------------- figures

def test_timeline_draws_spans_as_bars_and_days_as_markers(incidents):
    fig = views.timeline_figure(incidents, COLORS)
    bars = [t for t in fig.data if t.type == "bar"]
    marks = [t for t in fig.data if t.type == "scatter"]
    bar_ids = {row[0] for t in bars for row in t.customdata}
    mark_ids = {row[0] for t in marks for row in t.customdata}
    assert {"inc-ankara", "inc-kobani", "inc-nyc", "inc-madrid"} <= bar_ids
    assert {"inc-paris", "inc-beirut", "inc-sinai"} <= mark_ids
    assert "inc-desert" not in bar_ids | mark_ids  # undated: nothing to place on a time axis
    ankara = next(t for t in bars if "inc-ankara" in {r[0] for r in t.customdata})
    i = [r[0] for r in ankara.customdata].index("inc-ankara")
    assert ankara.base[i] == "2015-08-01"
    assert ankara.x[i] == 31 * 86_400_000  # August 1 to September 1: end + 1 day
    assert ankara.marker.color == COLORS["bombing"]


def test_timeline_hover_says_the_date_as_written(incidents):
    fig = views.timeline_figure(incidents, COLORS)
    kobani = next(r for t in fig.data for r in t.customdata if r[0] == "inc-kobani")
    assert kobani[2] == "Last spring" and kobani[3] == "season" and kobani[5] == "Kobani · town or city"
    assert "customdata[2]" in fig.data[0].hovertemplate


def test_timeline_opens_on_every_incident_with_room_at_both_edges(incidents):
    fig = views.timeline_figure(incidents, COLORS)
    lo, hi = fig.layout.xaxis.range
    # the first bar starts 2001-01-01, the last ends 2015-12-31: both inside the window, with a margin
    assert "2000-01-01" < lo < "2001-01-01" and "2016-01-01" < hi < "2017-01-01"
    assert fig.layout.xaxis.rangeslider.visible and list(fig.layout.xaxis.rangeslider.range) == [lo, hi]


def test_timeline_rows_follow_the_grouping(incidents):
    fig = views.timeline_figure(incidents, COLORS, group_by="continent")
    rows = {y for t in fig.data for y in t.y}
    assert {"Europe", "Asia", "Africa", "North America", "Unknown"} <= rows
    fig = views.timeline_figure(incidents, COLORS, group_by="country", names={"FR": "France"})
    assert "France" in {y for t in fig.data for y in t.y}


def test_highlight_fades_the_rest(incidents):
    fig = views.timeline_figure(incidents, COLORS, highlight=["inc-paris"])
    for trace in fig.data:
        expected = [i for i, r in enumerate(trace.customdata) if r[0] == "inc-paris"]
        assert list(trace.selectedpoints) == expected


def test_hover_text_is_escaped(incidents):
    incidents.loc[incidents["id"] == "inc-paris", "title"] = "<script>alert(1)</script>"
    fig = views.map_figure(incidents, COLORS)
    row = next(r for t in marks(fig) for r in t.customdata if r[0] == "inc-paris")
    assert row[1] == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_map_places_located_incidents_sized_by_casualties_and_fits_them(incidents):
    fig = views.map_figure(incidents, COLORS)
    placed = {r[0] for t in marks(fig) for r in t.customdata}
    assert "inc-desert" not in placed and "inc-unplaced" not in placed and "inc-paris" in placed
    assert all(t.type == "scattergeo" for t in fig.data)
    geo = fig.layout.geo
    assert geo.showcountries and geo.showcoastlines and geo.showland
    assert geo.lonaxis.range[0] <= -74 and geo.lonaxis.range[1] >= 38.35
    sizes = views.marker_sizes(pd.Series([None, 0, 100, 10_000]), pd.Series([None, None, None, None]))
    assert sizes[0] == sizes[1] == 8 and sizes[1] < sizes[2] <= sizes[3] == 30


def test_map_bounds_of_one_point_is_a_region_not_a_street():
    lat, lon = views.map_bounds([48.85], [2.35])
    assert lat[1] - lat[0] >= 16 and lon[1] - lon[0] >= 16
    assert views.map_bounds([None], [None]) is None


def test_selected_ids_from_streamlit_selection_state():
    event = {"selection": {"points": [{"customdata": ["inc-a", "x"]}, {"customdata": ["inc-b"]},
                                      {"customdata": ["inc-a"]}, {"x": 1}], "box": [], "lasso": []}}
    assert views.selected_ids(event) == ["inc-a", "inc-b"]
    assert views.selected_ids(None) == [] and views.selected_ids({"selection": {"points": []}}) == []


def test_figures_of_an_empty_table_do_not_fail(incidents):
    empty = incidents.iloc[0:0]
    assert len(views.timeline_figure(empty, COLORS).data) == 0
    assert len(views.map_figure(empty, COLORS).data) == 0


# ----------------------------------------------------------------------------------------- evidence

def test_context_window_gives_sentences_around_the_evidence(extraction):
    text = open(extraction.documents.set_index("doc").loc["a01", "path"], encoding="utf-8").read()
    sentence = "Gunmen attacked a concert hall in Paris on Friday, killing 89 people."
    start = text.index(sentence)
    ctx = views.context_window(text, start, start + len(sentence), sentences=1)
    assert ctx.sentence == sentence
    assert ctx.before == "Cafés were full."
    assert ctx.after == "The police sealed the area."


def test_context_markdown_escapes_html_and_markdown():
    ctx = views.Context("<b>bold</b> *x*", "<script>alert('x')</script> [a](javascript:alert(1))", "# heading")
    md = views.context_markdown(ctx)
    assert "<script>" not in md and "<b>" not in md
    assert r"\<script\>" in md and r"\[a\]\(javascript\:alert\(1\)\)" in md and r"\# heading" in md
    assert md.count(":orange-background[") == 1


def test_parse_reports_reads_both_formats():
    assert views.parse_reports("10 (004); 400 (001, 002)") == [(10, ["004"]), (400, ["001", "002"])]
    assert views.parse_reports("43@a01;132@b02") == [(43, ["a01"]), (132, ["b02"])]
    assert views.parse_reports("") == [] and views.parse_reports(None) == []


def test_source_labels_show_title_publisher_and_date(extraction):
    labels = views.source_labels(extraction.documents)
    assert labels["a01"] == "Night of attacks in Paris — Daily Test (2015-11-14)"


@pytest.mark.parametrize("group_by", list(views.GROUP_BY))
def test_group_values_never_blank(incidents, group_by):
    values = views.group_values(incidents, group_by)
    assert values.map(lambda v: bool(str(v).strip())).all()


# ----------------------------------------------------------------------------------------- large tables

def many(incidents: pd.DataFrame, n: int) -> pd.DataFrame:
    """n incidents made from the fixture's rows, each with its own id and a date shifted by whole weeks."""
    reps = -(-n // len(incidents))
    table = pd.concat([incidents] * reps, ignore_index=True).iloc[:n].copy()
    shift = pd.to_timedelta([7 * (i // len(incidents)) for i in range(n)], unit="D")
    for col in ("start", "end"):
        dates = pd.to_datetime(table[col], errors="coerce") + shift
        table[col] = dates.dt.strftime("%Y-%m-%d").where(dates.notna(), None)
    table["id"] = [f"inc-{i:05d}" for i in range(n)]
    return table


def marks(fig) -> list:
    """The traces that draw incidents (not the legend's keys or the place labels)."""
    return [t for t in fig.data if t.customdata is not None]


def ids_in(trace) -> list[str]:
    return [i for row in trace.customdata for i in row[0].split(views.ID_SEPARATOR)]


def test_small_tables_draw_one_mark_per_incident(incidents):
    fig = views.timeline_figure(incidents, COLORS)
    assert sum(len(t.customdata) for t in fig.data) == incidents["start"].notna().sum()
    assert not fig.layout.meta


def test_large_timeline_groups_marks_and_keeps_every_incident(incidents):
    table = many(incidents, 900)
    fig = views.timeline_figure(table, COLORS, limit=100)
    marks = sum(len(t.customdata) for t in fig.data)
    dated = set(table.loc[table["start"].notna(), "id"])
    drawn = [i for t in fig.data for i in ids_in(t)]
    assert marks <= 100 < len(dated)
    assert sorted(drawn) == sorted(dated)  # every dated incident in exactly one mark
    assert fig.layout.meta["grouped_by"] in ("week", "month", "quarter", "year")
    assert all(t.type in ("bar", "scatter") for t in fig.data)
    group = next(row for t in fig.data for row in t.customdata if len(row[0].split()) > 1)
    assert "incidents</b>" in group[1] and "Places:" in group[1]
    # spans keep their exact dates: every bar's base is the start of one of its incidents
    starts = dict(zip(table["id"], table["start"]))
    for trace in (t for t in fig.data if t.type == "bar"):
        for base, row in zip(trace.base, trace.customdata):
            assert {starts[i] for i in row[0].split()} == {base}


def test_grouped_mark_selection_selects_all_its_incidents_and_highlight_selects_the_mark(incidents):
    table = many(incidents, 900)
    fig = views.map_figure(table, COLORS, limit=50)
    trace = max(marks(fig), key=lambda t: len(t.customdata))
    row = max(trace.customdata, key=lambda r: len(r[0].split()))
    event = {"selection": {"points": [{"customdata": list(row)}], "box": [], "lasso": []}}
    picked = views.selected_ids(event)
    assert len(picked) == len(row[0].split()) > 1
    faded = views.map_figure(table, COLORS, limit=50, highlight=picked[:1])
    hit = [(k, i) for k, t in enumerate(faded.data) for i in (t.selectedpoints or [])]
    k = list(fig.data).index(trace)
    assert hit == [(k, [r[0] for r in trace.customdata].index(row[0]))]


def test_large_map_groups_by_grid_cell_and_keeps_every_placed_incident(incidents):
    table = many(incidents, 900)
    fig = views.map_figure(table, COLORS, limit=50)
    placed = set(table.loc[table["lat"].notna(), "id"])
    drawn = [i for t in marks(fig) for i in ids_in(t)]
    assert sorted(drawn) == sorted(placed)
    assert sum(len(t.customdata) for t in marks(fig)) <= 50
    assert "degree" in fig.layout.meta["grouped_by"]
    assert max(s for t in marks(fig) for s in t.marker.size) <= 40
    # a cluster says how many incidents it holds
    texts = [x for t in marks(fig) for x in t.text]
    assert any(x and int(x.replace(",", "")) > 1 for x in texts)


def test_hover_rows_match_casualties_text_and_list_at_most_four_sources(incidents):
    row = incidents[incidents["id"] == "inc-paris"].copy()
    row["sources"] = "a01;b02;c03;d04;e05;f06"
    row["injured"] = pd.array([7], dtype="Int64")
    hover = views._hover_rows(row, {"a01": "A <one>"})[0]
    assert views.casualties_text(130, 7) == "130 killed, 7 injured"
    # the sources say 89 and 130: the hover says both, not the largest
    assert hover[6] == views.casualties_text(130, 7, row["killed_reports"].iloc[0]) == "89–130 killed (sources differ), 7 injured"
    assert hover[7] == "· A &lt;one&gt;<br>· b02<br>· c03<br>· d04<br>· and 2 more"
    assert hover[4] == "2015-11-13" and hover[3] == "day"


def test_hover_sources_follow_their_incident_in_a_filtered_table(incidents):
    shown = incidents[incidents["id"].isin(["inc-nyc", "inc-madrid"])]  # index labels are not 0..n-1
    hover = {r[0]: r[7] for r in views._hover_rows(shown, None)}
    for row in shown.itertuples():
        assert hover[row.id] == "<br>".join("· " + s for s in row.sources.split(";"))


def test_placed_mask_and_focus_range_on_strings_and_missing_values():
    frame = pd.DataFrame({"lat": [1.5, None, "x", 3], "lon": [2.0, 4.0, 5.0, None]})
    assert views.placed_mask(frame).tolist() == [True, False, False, False]
    assert views.focus_range([], []) is None
    lo, hi = views.focus_range(["2015-01-10", "2015-01-12", "", "2003-05-01"], ["2015-01-10", "2015-01-31", ""])
    assert lo < "2015-01-10" and hi > "2015-01-31"


# ----------------------------------------------------------------------------------------- prepared tables

def _plain(value):
    """A figure dict with numpy arrays and tuples as lists (numbers as floats), to compare two figures."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return round(float(value), 6)
    return value


def _traces(fig) -> list[dict]:
    keys = ("type", "name", "x", "y", "base", "lat", "lon", "customdata", "selectedpoints", "hovertemplate")
    return [{k: _plain(getattr(t, k, None)) for k in keys} | {"size": _plain(getattr(t.marker, "size", None))} for t in fig.data]


def test_prepared_table_gives_the_same_filters_and_figures(incidents):
    table = many(incidents, 900)
    prep = views.prepared(table, key=("test", "same-figures"))
    assert views.prepared(table.copy(), key=("test", "same-figures")) is prep  # kept per key
    for state in (FilterState(), FilterState(types=("attack", "bombing")), FilterState(month_from="2015-06", text="paris"),
                  FilterState(sources=("c03",), min_killed=10), FilterState(countries=("FR", "LB"))):
        fresh = table.copy()  # a rerun's table: same rows, new object
        assert views.apply_filters(fresh, state, prepared=prep)["id"].tolist() == views.apply_filters(fresh, state)["id"].tolist()
    shown = views.apply_filters(table.copy(), FilterState(types=("attack", "bombing", "shooting")), prepared=prep)
    for limit in (50, 3000):
        for make in (lambda **kw: views.timeline_figure(shown, COLORS, limit=limit, **kw),
                     lambda **kw: views.map_figure(shown, COLORS, limit=limit, **kw)):
            plain, fast = make(highlight=shown["id"].iloc[:5]), make(highlight=shown["id"].iloc[:5], prepared=prep)
            assert _traces(plain) == _traces(fast)
            assert plain.layout.to_plotly_json() == fast.layout.to_plotly_json()


def test_prepared_table_is_not_used_for_other_rows(incidents):
    prep = views.prepared(incidents, key=("test", "other-rows"))
    other = incidents.copy()
    other["id"] = other["id"] + "-x"  # same index, different incidents: computed afresh
    fig = views.map_figure(other, COLORS, prepared=prep)
    assert all(r[0].endswith("-x") for t in marks(fig) for r in t.customdata)


def test_filter_options_carry_type_labels(extraction):
    options = views.filter_options(extraction.incidents, extraction.documents)
    labels = dict(options.type_labels)
    assert set(labels) == set(options.types)
    assert labels == dict(zip(extraction.incidents["type"], extraction.incidents["type_label"]))


def test_prepared_hover_matches_the_column_wise_hover(incidents):
    table = incidents.copy()
    table.loc[table["id"] == "inc-paris", ["title", "sources"]] = ["A & B <i>", "a01;b02;;c03;d04;e05;f06"]
    table.loc[table["id"] == "inc-nyc", ["date_text", "precision", "end", "sources"]] = [None, "", None, None]
    table.loc[table["id"] == "inc-madrid", ["place", "killed"]] = ["", None]
    labels = {"a01": "A <one>", "c03": "Third & last"}
    shown = table.iloc[::-1].iloc[1:]  # rows out of order, one left out
    prep = views.Prepared(table, labels)
    pos = prep.positions(shown)
    expected = views._hover_columns(shown, labels).to_numpy(dtype=object)
    assert prep.hover(pos).tolist() == expected.tolist()
    assert prep.hover(pos[::-1]).tolist() == expected[::-1].tolist()  # kept, returned in the order asked


def test_filter_positions_give_the_rows_of_apply_filters_and_the_same_figures(incidents):
    table = many(incidents, 900)
    prep = views.prepared(table, key=("test", "positions"))
    for state in (FilterState(), FilterState(types=("attack", "bombing")), FilterState(month_from="2015-06", text="paris"),
                  FilterState(sources=("c03",), min_killed=10), FilterState(countries=("FR", "LB"))):
        expected = views.apply_filters(table, state)["id"].tolist()
        for frame in (table, table.copy()):  # the prepared frame itself, or a rerun's equal copy
            same, pos = views.filter_positions(frame, state, prepared=prep)
            assert same is prep and prep.ids[pos].tolist() == expected
    other = table.copy()
    other["id"] = other["id"] + "-x"
    fresh, pos = views.filter_positions(other, FilterState(), prepared=prep)
    assert fresh is not prep and fresh.ids[pos].tolist() == other["id"].tolist()
    state = FilterState(types=("attack", "bombing", "shooting"))
    shown = views.apply_filters(table, state)
    _, pos = views.filter_positions(table, state, prepared=prep)
    picked = shown["id"].iloc[3:9].tolist()
    for limit in (50, 3000):
        for name in ("timeline_figure", "map_figure"):
            make = getattr(views, name)
            for highlight in (None, picked, picked[:2], None):  # the second time round the grouping is reused
                plain = make(shown, COLORS, limit=limit, highlight=highlight)
                fast = make(table, COLORS, limit=limit, highlight=highlight, prepared=prep, positions=pos)
                assert _traces(plain) == _traces(fast)
                assert plain.layout.to_plotly_json() == fast.layout.to_plotly_json()
    assert prep.in_view(["inc-00003", "nope", picked[1], "inc-00001"], pos) == [i for i in ["inc-00003", picked[1], "inc-00001"]
                                                                               if i in set(shown["id"])]


# ----------------------------------------------------------------------------------------- issue 10: honest views

def contract_table(incidents: pd.DataFrame) -> pd.DataFrame:
    """The synthetic table with the columns the engine adds (CONTRACT.md), as a newer extraction has them."""
    table = incidents.copy()
    table["place_written"] = table["place"]
    table.loc[table["id"] == "inc-kobani", ["place", "place_written", "geonameid"]] = ["Ayn al Arab", "Kobani", "170017"]
    table["place_precision"] = np.where(table["lat"].notna(), "city", "")
    table.loc[table["id"] == "inc-nyc", ["place", "place_written", "place_precision"]] = ["United States", "America", "country"]
    table.loc[table["id"] == "inc-ankara", "place_precision"] = "admin1"
    table["background"] = table["id"].isin(["inc-nyc", "inc-madrid"])
    table["killed_qualifier"] = ""
    table["injured_qualifier"] = ""
    table.loc[table["id"] == "inc-ankara", ["injured", "injured_qualifier"]] = [2000, "at least"]
    table["injured"] = table["injured"].astype("Int64")
    return table


def test_figures_are_no_more_certain_than_their_sources():
    from events.views.tolls import parse_report_list, toll

    assert toll(132, "129 (d3); 132 (d0, d1)").text() == "129–132 (sources differ)"
    assert toll(132, "129 (d3); 132 (d0, d1)").low == 129  # ACLED's rule: the lowest reported figure
    assert toll(2000, "", "at least").text() == "at least 2,000"
    assert toll(20, "at least 20 (d1)").text() == "at least 20"
    assert toll(None).text() == "" and toll(float("nan"), "").text() == ""
    assert parse_report_list("at least 20 (d1); 25 (d2, d3)")[0].qualifier == "at least"
    assert views.parse_reports("more than 2,000 (d1); 1,999@d2") == [(1999, ["d2"]), (2000, ["d1"])]
    assert views.casualties_text(None, 2000, "", "", "", "at least") == "at least 2,000 injured"
    # one story's several figures (a girl killed; four militants killed; a toll that rose) are its highest, not
    # sources that differ; different stories still differ, each by its own highest figure
    assert toll(4, "1 (kabul); 4 (kabul)").text() == "4" and toll(4, "1 (kabul); 4 (kabul)").low == 4
    assert toll(5, "1 (d1); 3 (d1); 5 (d1, d2)").text() == "5"
    assert toll(4, "2 (d1); at least 4 (d1); 3 (d2)").text() == "3–4 (sources differ)"
    assert toll(4, "2 (d1); at least 4 (d1); 3 (d2)").low == 3
    # the engine takes a story's lead figure, not its highest ("a guard was killed" before "four others were
    # killed" in another attack): the story tells the figure the engine chose
    assert toll(1, "1 (d1); 4 (d1)").text() == "1" and toll(1, "1 (d1); 4 (d1)").high == 1


def test_table_shows_places_as_written_figures_as_reported_and_no_none(incidents):
    table = views.table_view(contract_table(incidents), {"US": "United States"})
    kobani = table[table["id"] == "inc-kobani"].iloc[0]
    assert kobani["Place"] == "Kobani" and kobani["Gazetteer"] == "Ayn al Arab · 170017"
    assert kobani["Place precision"] == "town or city"
    nyc = table[table["id"] == "inc-nyc"].iloc[0]
    assert nyc["Place"] == "America" and nyc["Place precision"].startswith("country (centroid")
    paris = table[table["id"] == "inc-paris"].iloc[0]
    assert paris["Killed"] == "89–130 (sources differ)" and paris["Injured"] == ""
    assert table[table["id"] == "inc-ankara"].iloc[0]["Injured"] == "at least 2,000"
    text = table.drop(columns=["Start", "Sources", "Mentions"]).astype(str)
    assert not text.isin(["None", "nan", "<NA>", "NaT"]).any().any()


@pytest.mark.parametrize("older", [False, True])
def test_the_table_reads_only_its_listed_columns(incidents, older):
    """A page of a large dataset reads `TABLE_COLUMNS` only: the table made from them is the table made from every
    column, for a table with the engine's newer columns and for an older one (whose fallbacks read others)."""
    table = contract_table(incidents)
    if older:
        table = table.drop(columns=["place_written", "place_precision", "killed_qualifier", "injured_qualifier"])
    names = {"US": "United States"}
    listed = table[[c for c in views.TABLE_COLUMNS if c in table.columns]]
    assert set(table.columns) - set(listed.columns)  # the test drops something
    pd.testing.assert_frame_equal(views.table_view(listed, names), views.table_view(table, names))


def test_hover_says_where_as_written_with_gazetteer_and_precision(incidents):
    fig = views.map_figure(contract_table(incidents), COLORS)
    hover = {r[0]: r for t in marks(fig) for r in t.customdata}
    assert hover["inc-kobani"][5] == "Kobani (gazetteer: Ayn al Arab, 170017) · town or city"
    assert "country (centroid, not the place)" in hover["inc-nyc"][5]
    assert hover["inc-ankara"][6] == "at least 2,000 injured"


def test_place_precision_is_guessed_for_tables_without_it(incidents):
    from events.views.columns import place_precision

    table = incidents.copy()
    table.loc[table["id"] == "inc-nyc", "place"] = "United States"
    table.loc[table["id"] == "inc-ankara", "place"] = "Ankara"  # its admin1 is Ankara too
    guessed = dict(zip(table["id"], place_precision(table, {"US": "United States"})))
    assert guessed["inc-nyc"] == "country" and guessed["inc-ankara"] == "admin1"
    assert guessed["inc-paris"] == "city" and guessed["inc-desert"] == ""


def test_map_draws_each_precision_differently_and_has_a_legend_and_labels(incidents):
    fig = views.map_figure(contract_table(incidents), COLORS)
    symbol = {r[0]: t.marker.symbol for t in marks(fig) for r in t.customdata}
    assert symbol["inc-paris"] == "circle" and symbol["inc-ankara"] == "circle-open"
    assert symbol["inc-nyc"] == "square-open"
    assert fig.layout.showlegend
    legend = [t.name for t in fig.data if t.customdata is None and t.showlegend is not False and t.name]
    assert "Attack" in legend
    key = " ".join(a.text for a in fig.layout.annotations)
    assert "○ district or province" in key and "□ country or region centre (not the place)" in key and "size: killed" in key
    labels = [x for t in marks(fig) for x in (t.text or ())]
    assert "Paris" in labels and "Sinai" in labels


def test_map_labels_never_cover_each_other():
    """Two towns a kilometre apart both labelled: the second label goes elsewhere (or is left out), never on top
    of the first; a town far away keeps the usual spot above its mark."""
    from events.views.map import label_positions

    lat, lon = np.array([-1.28, -1.29, -1.30, 3.5]), np.array([36.82, 36.83, 36.81, 39.05])
    spots = label_positions(lat, lon, np.array([20.0, 12.0, 8.0, 8.0]), ["Nairobi", "Kibera", "Kawangware", "Moyale"])
    assert spots[0] == "top center" and spots[3] == "top center"
    assert spots[1] != "top center"
    assert spots[2] is None or spots[2] not in (spots[0], spots[1])
    assert label_positions(lat, lon, np.array([8.0] * 4), ["", "", "", ""]) == [None] * 4


def test_background_is_hidden_by_default_and_shown_on_request(incidents, extraction):
    shown = set(views.apply_filters(incidents, FilterState(), documents=extraction.documents)["id"])
    assert "inc-nyc" not in shown and "inc-madrid" not in shown and "inc-kobani" in shown
    everything = views.apply_filters(incidents, FilterState(background=True), documents=extraction.documents)
    assert len(everything) == len(incidents)
    # the engine's own flag wins when the table has it
    table = contract_table(incidents)
    table.loc[table["id"] == "inc-kobani", "background"] = True
    assert "inc-kobani" not in set(views.apply_filters(table, FilterState())["id"])
    assert views.parse_query(views.to_query(FilterState(background=True))).background
    prep = views.prepared(incidents, key=("test", "background"), documents=extraction.documents)
    _, pos = views.filter_positions(incidents, FilterState(), prepared=prep)
    assert set(prep.ids[pos]) == shown


def test_background_of_articles_without_a_publication_date_is_measured_against_the_corpus():
    """An article whose date could not be established (date_source 'unknown') recalls a 1998 flood in a corpus of
    2019 news: background. In a corpus reaching back to 1997 the same row stays, and so does every row of a corpus
    with no known date at all."""
    table = pd.DataFrame({"id": ["old", "new"], "start": ["1998-07-01", "2019-03-02"], "end": ["1998-07-31", ""],
                          "sources": ["undated", "undated;dated"]})
    docs = pd.DataFrame({"doc": ["undated", "dated"], "published": ["", "2019-03-05"],
                         "date_source": ["unknown", "manifest"]})
    assert views.background_mask(table, docs).tolist() == [True, False]
    older = pd.concat([docs, pd.DataFrame({"doc": ["archive"], "published": ["1997-01-10"], "date_source": ["text"]})])
    assert views.background_mask(table, older).tolist() == [False, False]
    unknown = docs.assign(published="", date_source="unknown")
    assert views.background_mask(table, unknown).tolist() == [False, False]


def test_text_search_reads_mentions_and_actors(incidents, extraction):
    table = incidents.copy()
    table.loc[table["id"] == "inc-kobani", "actors"] = "Kurdish forces; Red Crescent"
    found = views.apply_filters(table, FilterState(text="red crescent"))
    assert list(found["id"]) == ["inc-kobani"]
    # 'twin' is only in a mention's sentence (the synthetic evidence keeps it too, so use a word only in mentions)
    mentions = extraction.mentions.copy()
    mentions.loc[mentions["incident_id"] == "inc-sinai", "sentence"] += " Wreckage near El Arish."
    hit = views.apply_filters(table, FilterState(text="arish"), mentions=mentions)
    assert list(hit["id"]) == ["inc-sinai"] and views.apply_filters(table, FilterState(text="arish")).empty
    prep = views.prepared(table, key=("test", "search"), mentions=mentions)
    _, pos = views.filter_positions(table, FilterState(text="arish"), prepared=prep)
    assert prep.ids[pos].tolist() == ["inc-sinai"]


def test_actor_and_region_filters_and_region_rows(incidents):
    table = incidents.copy()
    table.loc[table["id"] == "inc-kobani", "actors"] = "Kurdish forces; ISIS"
    table.loc[table["id"] == "inc-beirut", "actors"] = "ISIS"
    options = views.filter_options(table)
    assert options.actors[0] == "ISIS" and "Kurdish forces" in options.actors
    assert set(views.apply_filters(table, FilterState(actors=("ISIS",)))["id"]) == {"inc-kobani", "inc-beirut"}
    assert "Middle East" in options.regions and "Western Europe" in options.regions
    middle_east = set(views.apply_filters(table, FilterState(regions=("Middle East",), background=True))["id"])
    assert middle_east == {"inc-beirut", "inc-ankara", "inc-kobani", "inc-sinai"}
    fig = views.timeline_figure(table, COLORS, group_by="region")
    assert {"Middle East", "Western Europe", "Southern Europe"} <= {y for t in fig.data for y in t.y}
    assert views.parse_query(views.to_query(FilterState(regions=("Sahel",), actors=("ISIS",)))) == \
        FilterState(regions=("Sahel",), actors=("ISIS",))
    prep = views.prepared(table, key=("test", "actors"))
    for state in (FilterState(actors=("ISIS",)), FilterState(regions=("Middle East",))):
        assert prep.ids[views.filter_positions(table, state, prepared=prep)[1]].tolist() == \
            views.apply_filters(table, state)["id"].tolist()


def test_grouping_by_country_stays_readable(incidents):
    table = many(incidents, 400)
    table["country"] = [f"C{i % 40:02d}" for i in range(len(table))]
    fig = views.timeline_figure(table, COLORS, group_by="country", limit=5000)
    rows = {y for t in fig.data for y in t.y}
    assert len(rows) <= views.timeline.MAX_ROWS and any(r.startswith("Other (") and "countries" in r for r in rows)
    assert fig.layout.height <= 110 + 30 * views.timeline.MAX_ROWS


def test_month_pickers_list_only_months_with_incidents_when_the_span_is_long(incidents):
    table = incidents.copy()
    table.loc[table["id"] == "inc-madrid", ["start", "end"]] = ["1841-01-01", "1841-01-31"]
    options = views.filter_options(table)
    assert len(options.all_months) < 40 and options.all_months[0] == "1841-01"


def test_inferred_publication_dates_are_marked():
    docs = pd.DataFrame({"doc": ["a", "b", "c", "d"], "title": ["A", "B", "C", "D"], "publisher": ["", "", "", ""],
                         "published": ["2020-01-02", "2020-01-03", "2020-01-04", None],
                         "date_source": ["manifest", "text", "corpus", "unknown"]})
    labels = views.source_labels(docs)
    assert labels["a"] == "A (2020-01-02)" and labels["b"] == "B (2020-01-03, inferred from the text)"
    assert "guessed" in labels["c"] and labels["d"] == "D (date unknown)"


# ----------------------------------------------------------------------------------------- counts over time, playback

def test_counts_over_time_add_up_to_the_view(incidents, extraction):
    from events.views import playback

    prep = views.prepared(incidents, key=("test", "counts"), documents=extraction.documents)
    _, pos = views.filter_positions(incidents, FilterState(), prepared=prep)
    table = playback.counts_table(prep, pos, "month", "incidents", "type")
    assert table.index[0] == "2015-01-01" and table.index[-1] == "2015-12-01" and len(table) == 12
    assert table.to_numpy().sum() == prep.dated[pos].sum()
    assert table.loc["2015-11-01", "Attack"] == 1 and table.loc["2015-11-01", "Suicide bombing"] == 1
    killed = playback.counts_table(prep, pos, "week", "killed", "country")
    assert killed.to_numpy().sum() == 89 + 43 + 224  # the lowest reported figures (Paris: 89 and 130 reported)
    fig = playback.counts_figure(prep, pos, COLORS, "month", "incidents", "region")
    assert {t.name for t in fig.data} >= {"Middle East", "Western Europe"}


def test_playback_moves_a_window_through_the_periods(incidents, extraction):
    from events.views import playback

    prep = views.prepared(incidents, key=("test", "playback"), documents=extraction.documents)
    _, pos = views.filter_positions(incidents, FilterState(), prepared=prep)
    fig = playback.playback_figure(prep, pos, COLORS, unit="month", window=2)
    assert len(fig.frames) == 12 and fig.layout.updatemenus[0].buttons[0].label.endswith("Play")
    assert len(fig.layout.sliders[0].steps) == 12
    by_name = {f.name: f for f in fig.frames}
    shown = lambda name: {r[0] for r in (by_name[name].data[0].customdata if by_name[name].data[0].customdata is not None else [])}
    assert shown("2015-11-01") == {"inc-paris", "inc-beirut", "inc-sinai"}  # November and October (window of 2)
    assert shown("2015-09-01") == {"inc-ankara"}  # August's bombing is still in September's window
    assert shown("2015-02-01") == set()
    x0 = [f.layout.shapes[0].x0 for f in fig.frames]
    assert x0 == sorted(x0) and len(set(x0)) > 6  # the window moves forward
