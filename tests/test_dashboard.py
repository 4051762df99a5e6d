"""Page logic of dashboard.py under Streamlit's AppTest, on the synthetic extraction from conftest
(filters, the query-string round trip, the empty state, corpus problems, the incident detail)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def make_app(corpus: Path, query: dict | None = None) -> AppTest:
    script = f"""
import sys
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]
import conftest, dashboard
dashboard.main(loader=conftest.synthetic_loader, default_corpus={str(corpus)!r})
"""
    at = AppTest.from_string(script, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def count_text(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "Showing" in m.value)


# the synthetic corpus's 2001 and 2004 incidents are background (years before its 2015 articles): hidden by default
SHOWN_ALL = "**Showing 7 of 9 incidents** · 2 background incidents hidden"
HIDDEN = " · 2 background incidents hidden"


def query(at: AppTest) -> dict:
    """The URL's query parameters but the corpus (which every URL names), each as a list of values."""
    return {k: (list(v) if isinstance(v, (list, tuple)) else [v]) for k, v in at.query_params.items() if k != "corpus"}


def test_opens_on_every_incident_with_charts_and_table(synthetic_corpus):
    at = make_app(synthetic_corpus)
    assert not at.exception
    assert count_text(at) == SHOWN_ALL
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 7
    assert query(at) == {}


def test_corpus_problems_are_shown(synthetic_corpus):
    at = make_app(synthetic_corpus)
    assert any("corpus problem" in e.label for e in at.expander)
    assert any("broken" in m.value for m in at.markdown)


def test_unplaced_incidents_are_listed_under_the_map(synthetic_corpus):
    at = make_app(synthetic_corpus)
    caption = next(c.value for c in at.caption if c.value.startswith("Not on the map"))
    assert "Shooting" in caption and "Attack" in caption


def test_filter_changes_the_count_and_the_url(synthetic_corpus):
    at = make_app(synthetic_corpus)
    at.sidebar.multiselect(key="f_types").set_value(["bombing"]).run()
    assert count_text(at) == "**Showing 1 of 9 incidents**" + HIDDEN  # Ankara; Madrid 2004 is background
    assert query(at)["type"] == ["bombing"]
    at.sidebar.checkbox(key="f_background").check().run()
    assert count_text(at) == "**Showing 2 of 9 incidents**"
    at.sidebar.number_input(key="f_min_killed").set_value(150).run()
    assert count_text(at) == "**Showing 1 of 9 incidents**"
    assert query(at)["killed"] == ["150"] and query(at)["background"] == ["1"]
    at.sidebar.text_input(key="f_text").set_value("Madrid").run()
    assert query(at)["q"] == ["Madrid"]
    assert len(at.dataframe[0].value) == 1


def test_query_string_opens_the_same_view(synthetic_corpus):
    """A bookmarked URL fills the widgets and the view; the URL written back is the same."""
    url = {"type": ["attack", "suicide_bombing"], "continent": "Europe|Asia", "from": "2015-06", "to": "2015-11",
           "rows": "country"}
    at = make_app(synthetic_corpus, url)
    assert not at.exception
    assert at.sidebar.multiselect(key="f_types").value == ["attack", "suicide_bombing"]
    assert at.sidebar.multiselect(key="f_continents").value == ["Europe", "Asia"]
    assert at.sidebar.selectbox(key="f_month_from").value == "2015-06"
    assert at.sidebar.selectbox(key="f_month_to").value == "2015-11"
    assert at.selectbox(key="f_group_by").value == "country"
    # Paris and Beirut (the year-2015 attack has no continent)
    assert count_text(at) == "**Showing 2 of 9 incidents**" + HIDDEN
    assert query(at) == {"type": ["attack", "suicide_bombing"], "continent": ["Europe", "Asia"],
                         "from": ["2015-06"], "to": ["2015-11"], "rows": ["country"]}


def test_widget_state_round_trips_through_a_new_session(synthetic_corpus):
    at = make_app(synthetic_corpus)
    at.sidebar.multiselect(key="f_sources").set_value(["b02"]).run()
    at.sidebar.selectbox(key="f_month_from").set_value("2015-08").run()
    at.sidebar.multiselect(key="f_countries").set_value(["EG", "TR"]).run()
    shared = query(at)
    count = count_text(at)
    reopened = make_app(synthetic_corpus, shared)
    assert count_text(reopened) == count == "**Showing 2 of 9 incidents**" + HIDDEN
    assert query(reopened) == shared
    assert reopened.sidebar.multiselect(key="f_countries").value == ["EG", "TR"]


def test_bad_query_values_are_ignored(synthetic_corpus):
    at = make_app(synthetic_corpus, {"type": "volcano", "country": "ZZ", "from": "garbage", "killed": "-4"})
    assert not at.exception
    assert count_text(at) == SHOWN_ALL
    assert query(at) == {}


def test_filters_matching_nothing_give_a_friendly_empty_state(synthetic_corpus):
    at = make_app(synthetic_corpus)
    at.sidebar.text_input(key="f_text").set_value("no such words anywhere").run()
    assert not at.exception
    assert count_text(at) == "**Showing 0 of 9 incidents**" + HIDDEN
    assert "No incidents match" in at.info[0].value
    assert len(at.get("plotly_chart")) == 0
    at.button(key="reset_empty").click().run()
    assert count_text(at) == SHOWN_ALL
    assert query(at) == {}


def test_detail_shows_mentions_in_context_escaped_and_conflicting_figures(synthetic_corpus):
    at = make_app(synthetic_corpus)
    at.selectbox(key="detail_pick").set_value("inc-beirut").run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert ":orange-background[**In Beirut, twin suicide bombings on Thursday killed 43 people\\.**]" in text
    assert "\\<script\\>" in text and "<script>" not in text  # article text is escaped, never HTML
    at.selectbox(key="detail_pick").set_value("inc-paris").run()
    assert "sources differ" in "\n".join(m.value for m in at.markdown)
    metrics = sorted(int(m.value) for m in at.metric)
    assert metrics == [89, 130]
    assert any("Night of attacks in Paris" in c.value for c in at.caption)


def test_clear_selection_button_exists_and_runs(synthetic_corpus):
    at = make_app(synthetic_corpus)
    at.button[0].click().run()
    assert not at.exception
    assert count_text(at) == SHOWN_ALL


@pytest.mark.slow
def test_seeds_open_without_error():
    """The real engine on seeds/ (cached on disk after the first run)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
    at.run()
    assert not at.exception
    assert "Showing" in count_text(at)


def test_a_rerun_for_another_widget_reuses_the_figures(synthetic_corpus, monkeypatch):
    from events import views

    calls = []
    for name in ("timeline_figure", "map_figure"):
        real = getattr(views, name)
        monkeypatch.setattr(views, name, lambda *a, _real=real, _name=name, **kw: calls.append(_name) or _real(*a, **kw))
    at = make_app(synthetic_corpus)
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    drawn = len(calls)
    at.selectbox(key="detail_pick").set_value("inc-beirut").run()
    assert not at.exception
    assert len(calls) == drawn  # same filters and selection: the kept figures are sent again
    assert [c.proto.spec for c in at.get("plotly_chart")] == specs
    at.sidebar.multiselect(key="f_types").set_value(["attack"]).run()
    assert not at.exception and sorted(calls[drawn:]) == ["map_figure", "timeline_figure"]
    assert not count_text(at).startswith("**Showing 9 of 9")


# ----------------------------------------------------------------------------------------- issue 10: the shared link

def test_the_url_names_the_corpus_the_selection_and_the_open_incident(synthetic_corpus):
    at = make_app(synthetic_corpus)
    assert at.query_params["corpus"] == str(synthetic_corpus)
    at.selectbox(key="detail_pick").set_value("inc-beirut").run()
    assert at.query_params["open"] == "inc-beirut"
    # a colleague's link: same corpus, a selection of two incidents, one open
    link = {"corpus": str(synthetic_corpus), "sel": "inc-paris|inc-sinai", "open": "inc-sinai", "country": ["FR", "EG"]}
    reopened = make_app(synthetic_corpus, link)
    assert not reopened.exception
    assert count_text(reopened).startswith("**Showing 2 of 9 incidents · 2 selected by the link**")
    assert any("Plane crash or downing in Sinai" in m.value for m in reopened.markdown if m.value.startswith("####"))
    assert reopened.query_params["sel"] == "inc-paris|inc-sinai" and reopened.query_params["open"] == "inc-sinai"


def test_a_link_to_an_unknown_corpus_says_so_and_shows_nothing(synthetic_corpus, tmp_path):
    at = make_app(synthetic_corpus, {"corpus": str(tmp_path / "elsewhere"), "country": "IQ"})
    assert not at.exception
    assert any("names the corpus" in e.value and "elsewhere" in e.value for e in at.error)
    assert len(at.get("plotly_chart")) == 0 and not any("Showing" in m.value for m in at.markdown)


def test_background_is_offered_with_the_reporting_window(synthetic_corpus):
    at = make_app(synthetic_corpus)
    assert any("Reporting window (publication dates): 2015-11-14 – 2015-11-21" in c.value for c in at.sidebar.caption)
    assert at.sidebar.selectbox(key="f_month_from").options[0] == "2015-01"
    at.sidebar.checkbox(key="f_background").check().run()
    assert count_text(at) == "**Showing 9 of 9 incidents**"
    assert at.sidebar.selectbox(key="f_month_from").options[0] == "2001-01"
    assert "Background" in at.dataframe[0].value.columns


def test_table_cells_are_never_none(synthetic_corpus):
    at = make_app(synthetic_corpus)
    frame = at.dataframe[0].value
    assert frame.loc[frame["id"] == "inc-paris", "Killed"].iloc[0] == "89–130 (sources differ)"
    text = frame[["Incident", "Date", "Place", "Gazetteer", "Country", "Killed", "Injured"]].astype(str)
    assert not text.isin(["None", "nan", "<NA>"]).any().any()


def test_detail_picker_finds_any_incident_in_a_large_view(tmp_path):
    """More incidents than the picker lists: typing words above it reaches any of them, not only the first rows."""
    corpus = tmp_path / "big"
    corpus.mkdir()
    (corpus / "a.txt").write_text("text", encoding="utf-8")
    script = f"""
import sys
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]
import conftest, dashboard, pandas as pd
from events.pipeline import Extraction

def loader(corpus_dir, progress=None):
    base = conftest.synthetic_extraction(corpus_dir)
    rows = base.incidents[base.incidents["id"] == "inc-paris"]
    table = pd.concat([rows] * 700, ignore_index=True)
    table["id"] = [f"inc-{{i:04d}}" for i in range(len(table))]
    table["title"] = [f"Attack number {{i}}" for i in range(len(table))]
    return Extraction(table, base.mentions.iloc[0:0], base.documents, [], "synthetic")

dashboard.main(loader=loader, default_corpus={str(corpus)!r})
"""
    at = AppTest.from_string(script, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert len(at.selectbox(key="detail_pick").options) == 500
    at.text_input(key="detail_find").set_value("number 650").run()
    assert at.selectbox(key="detail_pick").options == ["Attack number 650 · Friday"]
    at.selectbox(key="detail_pick").set_value("inc-0650").run()
    assert any(m.value == "#### Attack number 650" for m in at.markdown)


def test_playback_counts_and_print_layout(synthetic_corpus):
    at = make_app(synthetic_corpus)
    at.toggle(key="v_playback").set_value(True).run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 3
    spec = __import__("json").loads(charts[2].proto.spec)
    assert len(spec["frames"]) == 12 and spec["layout"]["sliders"][0]["steps"]
    at.selectbox(key="v_unit").set_value("week").run()
    assert not at.exception
    at.toggle(key="v_print").set_value(True).run()
    assert not at.exception
    captions = [__import__("re").sub(r"\\(.)", r"\1", c.value) for c in at.caption]
    assert any("7 of 9 incidents · filters: all incidents" in c for c in captions), captions


def test_deck_title_slide_inputs_reach_the_export(synthetic_corpus):
    at = make_app(synthetic_corpus)
    at.text_input(key="deck_title").set_value("Weekly security brief").run()
    at.text_input(key="deck_marking").set_value("OFFICIAL").run()
    options = at.session_state["deck_options"]
    assert options.title == "Weekly security brief" and options.marking == "OFFICIAL"
