"""The dashboard on an incident dataset folder (Parquet + DuckDB), under Streamlit's AppTest: what it shows equals
what the in-memory views show for the same table; figures from grouped marks select what they count."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from events.store import CorrectionStore
from events.views import FilterState, apply_filters, mark_figures
from events.warehouse import (MAP_CELLS, Warehouse, incident_mark_key, map_mark_key, map_mark_keys, selection_sql,
                              timeline_mark_key, write_dataset)
from test_warehouse import random_extraction

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("dataset-page")
    ex = random_extraction(n=180, seed=11)
    corpus = root / "wire-2004"  # the corpus the dataset was extracted from (its corrections show on the dataset)
    folder = write_dataset(ex, root / "atlas", corpus=str(corpus))
    db = root / "corrections.sqlite"
    store = CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions, corpus=corpus)
    return folder, ex, store, db


def make_app(folder: Path, db: Path, query: dict | None = None) -> AppTest:
    script = f"""
import os, sys
sys.path[:0] = [{str(ROOT)!r}]
os.environ["ATLAS_CORRECTIONS_DB"] = {str(db)!r}
import dashboard
dashboard.main(default_corpus={str(folder)!r})
"""
    at = AppTest.from_string(script, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def shown(at: AppTest) -> tuple[int, int]:
    text = next(m.value for m in at.markdown if "Showing" in m.value)
    found = re.search(r"Showing ([\d,]+) of ([\d,]+)", text)
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


def expected(ex, state: FilterState):
    return apply_filters(ex.incidents, state, documents=ex.documents, mentions=ex.mentions)


def test_a_dataset_folder_opens_with_counts_charts_and_table(dataset):
    folder, ex, _, db = dataset
    at = make_app(folder, db)
    assert not at.exception, at.exception
    want = expected(ex, FilterState())
    assert shown(at) == (len(want), len(ex.incidents))
    assert any("background incidents hidden" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 2
    table = at.dataframe[0].value
    assert len(table) == len(want) and set(table["id"]) == set(want["id"])
    assert any("read with DuckDB" in c.value for c in at.caption)


def test_filters_from_the_url_are_answered_in_sql(dataset):
    folder, ex, _, db = dataset
    at = make_app(folder, db, {"type": "attack", "q": "harbour", "background": "1"})
    assert not at.exception, at.exception
    want = expected(ex, FilterState(types=("attack",), text="harbour", background=True))
    assert 0 < len(want) < len(ex.incidents)
    assert shown(at)[0] == len(want)
    assert set(at.dataframe[0].value["id"]) == set(want["id"])
    # widgets -> URL round trip keeps the filters
    assert at.query_params["type"] in (["attack"], "attack") and at.query_params["q"] in (["harbour"], "harbour")


def test_the_open_incident_of_a_link_shows_its_mentions(dataset):
    folder, ex, _, db = dataset
    incident = expected(ex, FilterState()).iloc[0]
    at = make_app(folder, db, {"open": incident["id"]})
    assert not at.exception, at.exception
    assert any(m.value.startswith("#### ") and incident["title"].split()[0] in m.value for m in at.markdown)
    sentences = ex.mentions[ex.mentions["incident_id"] == incident["id"]]["sentence"]
    assert any(str(sentences.iloc[0]).split()[0] in m.value for m in at.markdown)


def test_a_saved_correction_shows_on_the_next_rerun(dataset):
    folder, ex, store, db = dataset
    target = expected(ex, FilterState()).iloc[1]["id"]
    at = make_app(folder, db, {"q": "kelp forest"})
    assert shown(at)[0] == 0
    store.edit(target, {"title": "Kelp forest fire at the quay"})
    at.run()
    assert not at.exception, at.exception
    assert shown(at)[0] == 1 and list(at.dataframe[0].value["id"]) == [target]


def test_a_selection_on_a_grouped_mark_reaches_the_page(dataset):
    folder, ex, _, db = dataset
    at = make_app(folder, db)
    warehouse = Warehouse(folder, threads=1)
    cell, cells = warehouse.map_marks(FilterState(), limit=5)
    keys = [map_mark_key(cell, m.type, m.cy, m.cx) for m in cells.itertuples(index=False)]
    # Streamlit keeps a chart's selection under the chart's key; the page reads the last chart selected on
    import hashlib

    chart = f"map-0-{hashlib.sha1(repr(FilterState()).encode()).hexdigest()[:8]}"
    at.session_state[chart] = {"selection": {"points": [{"customdata": [keys[0], ""]}]}}
    at.session_state["sel_source"] = "map"
    at.run()
    assert not at.exception, at.exception
    n = int(cells["n"].iloc[0])
    assert any(f"{n:,} selected on the map" in m.value for m in at.markdown)
    assert len(at.dataframe[0].value) == n
    warehouse.close()


@pytest.mark.parametrize("limit", [4, 25, 3000])
def test_figures_from_marks_carry_keys_that_select_what_they_count(dataset, limit):
    folder, _, _, _ = dataset
    warehouse = Warehouse(folder, threads=1)
    state = FilterState(background=True)
    name, marks = warehouse.timeline_marks(state, group_by="country", limit=limit)
    keys = [incident_mark_key(m.first_id) if name == "none" else
            timeline_mark_key(name, "country", m.row, m.type, m.point, m.x0, m.x1) for m in marks.itertuples(index=False)]
    fig = mark_figures.timeline_from_marks(name, marks, {}, keys, group_by="country", names={"PL": "Poland"},
                                           max_rows=3)
    data = fig.to_dict()["data"]
    drawn = [row[0] for trace in data for row in trace["customdata"]]
    assert sorted(drawn) == sorted(keys)
    rows = {y for trace in data for y in trace["y"]}
    assert len(rows) <= 3 and ("Poland" in rows or any(r.startswith("Other (") for r in rows))
    clicked = mark_figures.selected_mark_keys({"selection": {"points": [{"customdata": [k, ""]} for k in drawn[:3]]}})
    assert warehouse.count(state, within=selection_sql(clicked)) == int(
        marks.iloc[[keys.index(k) for k in clicked]]["n"].sum())
    cell, cells = warehouse.map_marks(state, limit=limit)
    cell_keys = [incident_mark_key(m.first_id) if cell == 0 else map_mark_key(cell, m.type, m.cy, m.cx)
                 for m in cells.itertuples(index=False)]
    world = mark_figures.map_from_marks(cell, cells, {}, cell_keys, highlight=True)
    assert sum(len(t["customdata"]) for t in world.to_dict()["data"]) == len(cells)
    if cell:
        box = mark_figures.mark_extent(cells.iloc[:1], cell)
        assert box[0] <= cells["lat"].iloc[0] <= box[1] and box[2] <= cells["lon"].iloc[0] <= box[3]
        finer, inside = warehouse.map_marks(state, extent=box, limit=limit)
        assert finer == 0 or finer <= cell
    warehouse.close()


@pytest.mark.parametrize("limit", [3, 12])
def test_world_marks_of_all_types_say_what_they_hold_and_select_it(dataset, limit):
    """The world view's marks of every type in a cell (few marks draw fast): each one's count, its types' counts and
    its selection agree with the incidents in its cell."""
    folder, _, _, _ = dataset
    warehouse = Warehouse(folder, threads=1)
    state = FilterState(background=True)
    cell, cells = warehouse.map_marks(state, limit=limit, mixed=True)
    assert cell > 0 and "types" in cells
    assert len(cells) <= limit or cell == MAP_CELLS[-1]  # the finest cell that fits, else the coarsest
    by_type_cell, by_type = warehouse.map_marks(state, limit=limit)
    assert len(by_type) > limit  # by type they do not fit: that is why they are mixed
    assert int(cells["n"].sum()) == int(by_type["n"].sum())
    keys = map_mark_keys(cell, cells)
    for key, mark in zip(keys, cells.itertuples(index=False)):
        assert sum(n for _, n in mark.types) == mark.n
        assert mark.type == mark.types[0][0] and mark.types[0][1] == max(n for _, n in mark.types)
        assert warehouse.count(state, within=selection_sql([key])) == mark.n
    assert warehouse.count(state, within=selection_sql(keys)) == int(cells["n"].sum())
    world = mark_figures.map_from_marks(cell, cells, {}, keys, type_labels={"attack": "Attack"})
    hovers = [row[1] for trace in world.to_dict()["data"] for row in trace["customdata"]]
    assert len(hovers) == len(cells)
    first = cells.iloc[0]
    label = {"attack": "Attack"}.get(first["types"][0][0], first["types"][0][0])
    assert any(f"{int(first['n']):,} incident" in h and f"{label} {first['types'][0][1]:,}" in h for h in hovers)
    # a filter that leaves few marks by type keeps marks by type
    one = FilterState(background=True, types=(str(first["type"]),))
    cell_one, one_type = warehouse.map_marks(one, limit=3000, mixed=True)
    assert "types" not in one_type
    warehouse.close()
