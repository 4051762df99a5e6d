"""The Parquet/DuckDB warehouse answers what the pandas filters answer, corrections included.

A random incident table (other places and years than the samples, awkward values: missing fields, Turkish dotted
capitals and Greek final sigma in the text, multi-source incidents, spans across months) is written as a dataset;
hypothesis then draws filter states and checks DuckDB's rows, counts and figure groupings against
`views.apply_filters` on the same table with the same corrections applied by `store.apply_corrections`.
"""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.pipeline import INCIDENT_COLUMNS, MENTION_COLUMNS, Extraction, typed_frame
from events.store import CorrectionStore, apply_corrections
from events.views import FilterState, Prepared, apply_filters, filter_options, map_cell
from events.views.timeline import _timeline_marks
from events.warehouse import Warehouse, filter_sql, is_dataset, write_dataset

TYPES = [("airstrike", "Airstrike"), ("attack", "Attack"), ("shelling", "Shelling"), ("battle", "Battle")]
PLACES = [("Valparaíso", "CL", "Valparaíso", "South America", -33.05, -71.62),
          ("Gdańsk", "PL", "Pomerania", "Europe", 54.35, 18.65),
          ("İzmir", "TR", "İzmir", "Asia", 38.42, 27.14),
          ("Mombasa", "KE", "", "Africa", -4.05, 39.67),
          ("Hobart", "AU", "Tasmania", "Oceania", -42.88, 147.33),
          ("", "NP", "", "Asia", None, None),
          ("", "", "", "", None, None)]
ACTORS = ["Coast Guard", "Miners' Union", "Öztürk Brigade", "Port Police", "Σύνδεσμος"]
WORDS = ["river", "ΣΟΦΟΣ", "İstanbul", "harbour", "Night", "crowd", "shells", "dam", "ΟΔΟΣ", "mayor", "İİ"]
DOCS = [f"d{i}" for i in range(12)]


def random_extraction(n: int = 260, seed: int = 7) -> Extraction:
    rng = random.Random(seed)
    rows, mentions = [], []
    for i in range(n):
        kind, label = rng.choice(TYPES)
        place, country, admin1, continent, lat, lon = rng.choice(PLACES)
        first = date(2003, 1, 1) + timedelta(days=rng.randrange(0, 365 * 3))
        precision = rng.choice(["day", "day", "day", "month", "year", "week", ""])
        if precision == "month":
            first = first.replace(day=1)
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        elif precision == "year":
            first, last = date(first.year, 1, 1), date(first.year, 12, 31)
        elif precision == "week":
            last = first + timedelta(days=6)
        else:
            last = first
        start = first.isoformat() if precision else None
        end = last.isoformat() if precision else None
        if precision and rng.random() < 0.1:
            end = ""  # an end left empty stands for the start
        docs = sorted(rng.sample(DOCS, rng.randint(1, 3)))
        killed = rng.choice([None, None, 0, 1, 4, 12, 250])
        n_mentions = rng.randint(1, 3)
        title = " ".join(rng.sample(WORDS, 2)) + f" {label or 'Incident'} in {place or 'somewhere'}"
        evidence = " ".join(rng.sample(WORDS, 3)) + "."
        iid = f"inc-{i:05d}"
        rows.append({
            "id": iid, "title": title, "type": kind or None, "type_label": label or None, "start": start, "end": end,
            "precision": precision, "date_value": (start or "")[:7], "date_text": "", "place": place,
            "country": country or None, "admin1": admin1, "continent": continent, "lat": lat, "lon": lon,
            "geonameid": "", "sources": ";".join(docs), "n_sources": len(docs), "killed": killed,
            "injured": rng.choice([None, 3]), "killed_reports": "", "injured_reports": "",
            "actors": "; ".join(rng.sample(ACTORS, rng.choice([0, 0, 1, 2]))), "evidence": evidence,
            "n_mentions": n_mentions, "place_written": rng.choice(["", place.upper(), "the docks"]),
            "background": rng.random() < 0.05,
        })
        for j in range(n_mentions):
            doc = docs[j % len(docs)]
            mentions.append({"incident_id": iid, "doc": doc, "start": 100 * j + i, "end": 100 * j + i + 20,
                             "sentence": evidence + (" Lighthouse keepers saw it." if rng.random() < 0.2 else ""),
                             "type": kind, "trigger": rng.choice(["", "blast", "raid"]), "date_value": "", "date_text": "",
                             "date_from": "clause", "place": place, "place_text": place, "place_from": "clause",
                             "killed": killed if j == 0 else None, "injured": None})
    # publication dates over 2004-2006 (some unknown): incidents ending a year before their sources are background
    published = ["2004-03-01", "2005-06-15", "2006-01-01", "2006-11-30", "", "2005-01-20"]
    documents = pd.DataFrame([{"doc": d, "title": f"Report {d}", "publisher": "Test wire", "published": published[k % 6],
                               "date_source": "unknown" if not published[k % 6] else "manifest", "url": "", "words": 100,
                               "sha256": "", "path": ""}
                              for k, d in enumerate(DOCS)])
    return Extraction(incidents=typed_frame(rows, INCIDENT_COLUMNS), mentions=typed_frame(mentions, MENTION_COLUMNS),
                      documents=documents, engine_version="test")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(dataset folder, extraction, corrections store with one correction of every kind)."""
    root = tmp_path_factory.mktemp("warehouse")
    ex = random_extraction()
    write_dataset(ex, root / "dataset", corpus="random")
    store = CorrectionStore(root / "corrections.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    ids = ex.incidents["id"].tolist()
    store.edit(ids[3], {"title": "Harbour ΣΟΦΟΣ blast", "type": "attack", "killed": 77})
    store.edit(ids[4], {"start": "2031-02-03", "end": "2031-02-03", "precision": "day", "country": "CL"})
    store.hide(ids[5])
    store.merge(ids[6], ids[7])
    multi = ex.mentions.groupby("incident_id").size()
    split_from = next(i for i in ids[10:] if multi.get(i, 0) >= 2)
    first = ex.mentions[ex.mentions["incident_id"] == split_from].iloc[0]
    store.split(split_from, [(first["doc"], int(first["start"]))], new_title="Split shelling")
    store.add_incident({"title": "Dam breach by hand", "type": "attack", "start": "1999-05-05", "end": "1999-05-05",
                        "precision": "day", "lat": 10.5, "lon": -66.9, "place": "Caracas", "country": "VE"}, "d2",
                       evidence="The dam broke.")
    store.hide(ids[8])
    store.unhide(ids[8])
    return root / "dataset", ex, store


@pytest.fixture(scope="module")
def warehouses(world):
    folder, ex, store = world
    plain, corrected = Warehouse(folder, threads=1), Warehouse(folder, corrections=store, threads=1)
    yield plain, corrected
    plain.close()
    corrected.close()


@pytest.fixture(scope="module")
def corrected_tables(world):
    _, ex, store = world
    return apply_corrections(ex.incidents, ex.mentions, store)


@pytest.fixture(scope="module")
def corrected_table(corrected_tables):
    return corrected_tables[0]


def views_filter(table: pd.DataFrame, state: FilterState, documents: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """What the dashboard shows for a table: `apply_filters` with the corpus's documents and mentions."""
    return apply_filters(table, state, documents=documents, mentions=mentions)


def test_dataset_is_partitioned_by_month_and_described(world):
    folder, ex, _ = world
    assert is_dataset(folder)
    meta = json.loads((folder / "atlas.json").read_text())
    assert meta["incidents"] == len(ex.incidents) and meta["mentions"] == len(ex.mentions)
    months = {p.name for p in (folder / "incidents").iterdir()}
    assert "month=undated" in months and len(months) > 24
    assert {p.name for p in (folder / "mentions").iterdir()} <= months
    # a dataset folder is replaced on the next write; any other folder is refused
    write_dataset(ex, folder)
    (folder.parent / "papers").mkdir()
    (folder.parent / "papers" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not an incident dataset"):
        write_dataset(ex, folder.parent / "papers")


def test_an_empty_extraction_and_a_dataset_without_its_index(world, tmp_path, monkeypatch):
    folder, ex, _ = world
    empty = Extraction(incidents=ex.incidents.iloc[0:0], mentions=ex.mentions.iloc[0:0], documents=ex.documents.iloc[0:0])
    warehouse = Warehouse(write_dataset(empty, tmp_path / "empty"))
    assert warehouse.total() == 0 and warehouse.timeline_marks(FilterState())[1].empty
    assert warehouse.map_marks(FilterState())[1].empty and warehouse.options().months == ()
    warehouse.close()
    # a dataset copied without its DuckDB index (or on a read-only share) gets one built in the cache folder
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / "incidents.duckdb").unlink()
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    warehouse = Warehouse(copy)
    assert warehouse.index.parent == tmp_path / "cache" / "warehouse" and warehouse.total() == len(ex.incidents)
    assert len(warehouse.mentions_of(ex.incidents["id"].iloc[0])) == int(ex.incidents["n_mentions"].iloc[0])
    warehouse.close()


def states(options):
    """Filter states over a table's options, with values it does not hold too."""
    def some(values, extra):
        return st.lists(st.sampled_from(list(values) + extra), max_size=3, unique=True).map(tuple)

    months = list(options.months)
    month = st.none() | st.sampled_from(months + ["1980-01", "2040-12"])
    text = st.lists(st.sampled_from(["river", "σοφοσ", "σοφος", "i̇stanbul", "istanbul", "dam", "harbour blast",
                                     "in", "crowd night", "zzz", "İ", "."]), max_size=2).map(" ".join)
    text = text | st.sampled_from(["lighthouse", "keepers saw", "raid", "the docks", "gdańsk", "coast"])
    return st.builds(FilterState, sources=some(options.sources, ["d99"]), month_from=month, month_to=month,
                     continents=some(options.continents, ["Antarctica"]), countries=some(options.countries, ["", "ZZ"]),
                     admin1s=some(options.admin1s, ["Nowhere"]), types=some(options.types, ["volcano"]),
                     min_killed=st.sampled_from([0, 0, 1, 5, 100, 1000]), text=text,
                     regions=some(options.regions, ["Atlantis"]), actors=some(options.actors, ["Nobody"]),
                     background=st.booleans())


_EX = random_extraction()
OPTIONS = filter_options(_EX.incidents, _EX.documents)


def test_the_random_table_exercises_every_filter():
    assert OPTIONS.n_background > 10 and len(OPTIONS.regions) >= 4 and len(OPTIONS.actors) == len(ACTORS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=states(OPTIONS))
def test_duckdb_filters_equal_pandas_filters(warehouses, world, corrected_tables, state):
    plain, corrected = warehouses
    _, ex, _ = world
    corrected_table, corrected_mentions = corrected_tables
    assert plain.ids(state) == sorted(views_filter(ex.incidents, state, ex.documents, ex.mentions)["id"])
    expected = views_filter(corrected_table, state, ex.documents, corrected_mentions)
    assert corrected.ids(state) == sorted(expected["id"])
    assert corrected.count(state) == len(expected)
    counts = corrected.value_counts(state, "country")
    want = expected["country"].value_counts(dropna=False)
    got = dict(zip(counts["value"], counts["n"]))
    assert {(None if pd.isna(k) else k): int(v) for k, v in want.items()} == \
        {(None if pd.isna(k) else k): int(v) for k, v in got.items()}
    # the table's pages, latest first (read from the day of a page's last row on): those of the plain query
    f = filter_sql(state)
    for rows, offset in ((7, 0), (20, 11)):
        assert corrected.rows(state, limit=rows, offset=offset, columns=("title",))["id"].tolist() == corrected.query(
            f"SELECT id FROM incidents WHERE {f.where} ORDER BY start_day DESC, id LIMIT {rows} OFFSET {offset}",
            f.params)["id"].tolist()


def test_a_page_of_chosen_columns_is_those_columns_of_the_page(warehouses):
    """`rows(columns=...)` reads the id and the columns asked for that the dataset has, values as `rows()` gives."""
    from events.views import TABLE_COLUMNS

    for warehouse in warehouses:
        whole = warehouse.rows(FilterState(background=True), limit=60, offset=5)
        listed = warehouse.rows(FilterState(background=True), limit=60, offset=5, columns=(*TABLE_COLUMNS, "nope"))
        assert list(listed.columns) == [c for c in TABLE_COLUMNS if c in whole.columns]
        pd.testing.assert_frame_equal(listed, whole[list(listed.columns)])


ALL = FilterState(background=True)  # every incident, background too


def test_corrections_are_applied_in_the_query(warehouses, world, corrected_table):
    plain, corrected = warehouses
    _, ex, store = world
    ids = ex.incidents["id"].tolist()
    assert corrected.total() == len(corrected_table) == len(ex.incidents) - 2 + 2  # hidden, merged; split, added
    row = corrected.rows(ALL, ids=[ids[3]]).iloc[0]
    assert row["title"] == "Harbour ΣΟΦΟΣ blast" and row["type"] == "attack" and row["killed"] == 77 and row["corrected"]
    assert ids[5] not in corrected.ids(ALL) and ids[7] not in corrected.ids(ALL)
    assert corrected.ids(FilterState(text="dam breach", background=True)) == sorted(corrected_table[corrected_table["title"] ==
                                                                                  "Dam breach by hand"]["id"])
    assert corrected.ids(FilterState(month_from="2031-02", month_to="2031-02", background=True)) == [ids[4]]
    merged = corrected.mentions_of(ids[6])
    assert len(merged) == int(corrected_table.set_index("id").loc[ids[6], "n_mentions"])
    assert set(corrected.touched) >= {ids[3], ids[5], ids[6], ids[7]}



def test_a_new_correction_is_seen_after_refresh(world, tmp_path):
    folder, ex, store = world
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(Path(store.path).read_bytes())
    mine = CorrectionStore(copy, incidents=ex.incidents, mentions=ex.mentions)
    warehouse = Warehouse(folder, corrections=mine, threads=1)
    hidden = ex.incidents["id"].iloc[8]
    assert hidden in warehouse.ids(ALL)
    # a selection on the map holding it, asked before the correction: its count, page and highlight are kept (the
    # selection's incidents copied once) and must not outlive the correction
    from events.warehouse import map_mark_key, selection_sql

    row = warehouse.rows(ALL, ids=[hidden], limit=1).iloc[0]
    cell, cells = warehouse.map_marks(ALL, limit=3)
    held = cells[(cells["type"] == row["type"]) & (cells["cy"] == np.floor(row["lat"] / cell)) &
                 (cells["cx"] == np.floor(row["lon"] / cell))]
    within = selection_sql([map_mark_key(cell, m.type, m.cy, m.cx) for m in held.itertuples()])
    before = warehouse.count(ALL, within=within)
    assert hidden in warehouse.rows(ALL, limit=before, within=within)["id"].tolist()
    assert warehouse.timeline_marks(ALL, limit=3, highlight=within)[1]["selected"].any()
    mine.undo_last()  # the last correction un-hid it
    warehouse.refresh()
    assert hidden not in warehouse.ids(ALL)
    assert warehouse.total() == len(apply_corrections(ex.incidents, ex.mentions, mine)[0])
    assert warehouse.count(ALL, within=within) == before - 1 == len(warehouse.ids(ALL, within=within))
    assert hidden not in warehouse.rows(ALL, limit=before, within=within)["id"].tolist()
    warehouse.close()


def test_options_equal_the_views_options(warehouses, corrected_table, world):
    plain, _ = warehouses
    _, ex, _ = world
    mine, theirs = plain.options(), filter_options(ex.incidents, ex.documents)
    for name in ("sources", "months", "all_months", "continents", "countries", "admin1s", "types", "max_killed",
                 "regions", "window", "n_background"):
        assert getattr(mine, name) == getattr(theirs, name), name
    assert dict(mine.type_labels) == dict(theirs.type_labels)
    assert plain.options(sources=False) == replace(mine, sources=())  # a picker of a million documents left out
    # actors most frequent first (ties in any order)
    frequency = Counter(a for v in ex.incidents["actors"] for a in [x.strip() for x in str(v).split(";")] if a)
    assert set(mine.actors) == set(theirs.actors)
    assert [frequency[a] for a in mine.actors] == sorted((frequency[a] for a in mine.actors), reverse=True)


def _views_marks(table: pd.DataFrame, group_by: str, limit: int):
    prep = Prepared(table.reset_index(drop=True))
    pos = np.flatnonzero(prep.dated)
    codes, names = prep.rows(group_by)
    name, x0, x1, point, groups, n = _timeline_marks(prep, pos, codes[pos], limit)
    kinds = [t or None for t in prep.types[prep.type_code[pos]].tolist()]
    keys = zip(names[codes[pos]].tolist(), kinds, point.tolist(), x0.tolist(), x1.tolist())
    counted = Counter((r, t, bool(p), int(a), int(b)) for r, t, p, a, b in keys)
    return name, sorted(((*key, c) for key, c in counted.items()), key=repr)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=states(OPTIONS), group_by=st.sampled_from(["type", "continent", "region", "country", "admin1"]),
       limit=st.sampled_from([3, 12, 40, 120]))
def test_timeline_marks_equal_the_views_grouping(warehouses, world, corrected_tables, state, group_by, limit):
    _, corrected = warehouses
    expected = views_filter(*corrected_tables[:1], state, world[1].documents, corrected_tables[1])
    name, marks = corrected.timeline_marks(state, group_by=group_by, limit=limit)
    dated = expected[expected["start"].fillna("") != ""]
    if len(dated) <= limit:
        assert name == "none" and sorted(marks["first_id"]) == sorted(dated["id"])
        return
    views_name, views_marks = _views_marks(dated, group_by, limit)
    assert name == views_name
    got = sorted((r, t if isinstance(t, str) else None, bool(p), int(a), int(b), int(c))
                 for r, t, p, a, b, c in marks[["row", "type", "point", "x0", "x1", "n"]].itertuples(index=False))
    got = sorted(got, key=repr)
    assert got == views_marks


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=states(OPTIONS), limit=st.sampled_from([2, 6, 30, 400]),
       extent=st.none() | st.just((-50.0, 0.0, -80.0, 50.0)))
def test_map_marks_equal_a_pandas_grid(warehouses, world, corrected_tables, state, limit, extent):
    _, corrected = warehouses
    expected = views_filter(*corrected_tables[:1], state, world[1].documents, corrected_tables[1])
    placed = expected[expected["lat"].notna() & expected["lon"].notna()]
    if extent is not None:
        placed = placed[placed["lat"].between(extent[0], extent[1]) & placed["lon"].between(extent[2], extent[3])]
    cell, marks = corrected.map_marks(state, extent=extent, limit=limit)
    assert int(marks["n"].sum()) == len(placed)
    if len(placed) <= limit:
        assert cell == 0.0 and sorted(marks["first_id"]) == sorted(placed["id"])
        return
    assert cell == map_cell(placed, limit)
    grid = placed.assign(cy=np.floor(placed["lat"] / cell).astype(int), cx=np.floor(placed["lon"] / cell).astype(int))
    want = grid.groupby(["type", "cy", "cx"], dropna=False).agg(n=("id", "size"), lat=("lat", "mean"))
    got = marks.set_index(["type", "cy", "cx"])
    assert len(got) == len(want)
    for key, row in want.iterrows():
        key = tuple(None if (isinstance(k, float) and np.isnan(k)) else k for k in key)
        match = got.loc[[key]] if key[0] is not None else got[got.index.get_level_values(0).isna()]
        match = match[(match.index.get_level_values(1) == key[1]) & (match.index.get_level_values(2) == key[2])]
        assert int(match["n"].iloc[0]) == row["n"] and abs(float(match["lat"].iloc[0]) - row["lat"]) < 1e-9


def test_filter_sql_uses_parameters_not_string_splicing():
    sql = filter_sql(FilterState(text="x'; DROP TABLE incidents; --", countries=("F'R",)))
    assert "DROP" not in sql.where and "F'R" not in sql.where
    assert "x';" in sql.params


def test_corrections_follow_their_incident_when_a_new_extraction_renames_it(world, tmp_path):
    """A re-extraction gives incidents new ids (a new article joined them): the store re-anchors each correction to
    the incident now holding its mentions; the warehouse must find those incidents without reading the table."""
    _, ex, store = world
    ids = ex.incidents["id"].tolist()
    renamed = {ids[3]: "inc-renamed-a", ids[6]: "inc-renamed-b"}  # an edited incident, a merge's kept one
    incidents = ex.incidents.assign(id=ex.incidents["id"].replace(renamed))
    mentions = ex.mentions.assign(incident_id=ex.mentions["incident_id"].replace(renamed))
    folder = write_dataset(Extraction(incidents=incidents, mentions=mentions, documents=ex.documents), tmp_path / "again")
    warehouse = Warehouse(folder, corrections=store, threads=1)
    expected, expected_mentions = apply_corrections(incidents, mentions, store)
    assert warehouse.ids(ALL) == sorted(expected["id"])
    row = warehouse.rows(ALL, ids=["inc-renamed-a"]).iloc[0]
    assert row["title"] == "Harbour ΣΟΦΟΣ blast" and row["killed"] == 77
    from events.store import reanchored

    followed = reanchored(incidents, mentions, store)
    assert "inc-renamed-a" in set(followed["now"])
    assert warehouse.followed.sort_values("seq").reset_index(drop=True).equals(followed.sort_values("seq").reset_index(drop=True))
    assert len(warehouse.mentions_of("inc-renamed-b")) == len(expected_mentions[expected_mentions["incident_id"] ==
                                                                                 "inc-renamed-b"])
    for state in (FilterState(text="harbour"), FilterState(types=("attack",)), FilterState()):
        assert warehouse.ids(state) == sorted(views_filter(expected, state, ex.documents, expected_mentions)["id"])
    warehouse.close()


def test_a_dataset_shows_the_corrections_of_the_corpus_it_was_extracted_from(world, tmp_path):
    from events.warehouse import open_dataset

    _, ex, _ = world
    db = tmp_path / "corrections.sqlite"
    ids = ex.incidents["id"].tolist()
    mine, other = tmp_path / "wire-2005", tmp_path / "radio-2005"
    CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions, corpus=mine).edit(ids[0], {"title": "Ours"})
    CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions, corpus=other).edit(ids[1], {"title": "Theirs"})
    folder = write_dataset(ex, tmp_path / "dataset", corpus=str(mine))
    warehouse = open_dataset(folder, db)
    rows = warehouse.rows(ALL, ids=ids[:2]).set_index("id")
    assert rows.loc[ids[0], "title"] == "Ours" and rows.loc[ids[0], "corrected"]
    assert rows.loc[ids[1], "title"] == ex.incidents["title"].iloc[1] and not rows.loc[ids[1], "corrected"]
    warehouse.close()


def test_a_dataset_of_an_older_layout_is_refused_with_the_command_that_rewrites_it(world, tmp_path):
    folder, _, _ = world
    copy = tmp_path / "old"
    shutil.copytree(folder, copy)
    meta = json.loads((copy / "atlas.json").read_text())
    (copy / "atlas.json").write_text(json.dumps({**meta, "layout": 1}))
    with pytest.raises(ValueError, match="older atlas.*events extract"):
        Warehouse(copy)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=states(OPTIONS), group_by=st.sampled_from(["type", "region", "country", "admin1"]),
       limit=st.sampled_from([3, 12, 40, 5000]), picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=4))
def test_a_selected_mark_holds_exactly_its_incidents(warehouses, state, group_by, limit, picks):
    """A click or box on a (grouped) mark selects what the mark counts: as a SQL clause over the table."""
    from events.warehouse import incident_mark_key, map_mark_key, selection_sql, timeline_mark_key

    _, corrected = warehouses
    name, marks = corrected.timeline_marks(state, group_by=group_by, limit=limit)
    cell, cells = corrected.map_marks(state, limit=limit)
    for table, key_of in ((marks, lambda m: incident_mark_key(m.first_id) if name == "none" else
                           timeline_mark_key(name, group_by, m.row, m.type, m.point, m.x0, m.x1)),
                          (cells, lambda m: incident_mark_key(m.first_id) if cell == 0 else
                           map_mark_key(cell, m.type, m.cy, m.cx))):
        if not len(table):
            continue
        chosen = sorted({p % len(table) for p in picks})
        rows = list(table.iloc[chosen].itertuples(index=False))
        within = selection_sql([key_of(m) for m in rows])
        assert corrected.count(state, within=within) == sum(int(m.n) for m in rows)
        # the other chart lights up the marks holding them, and only those
        lit = corrected.map_marks(state, limit=limit, highlight=within)[1]
        held = set(corrected.ids(state, within=within))
        if cell == 0:
            assert set(lit.loc[lit["selected"], "first_id"]) == held & set(lit["first_id"])
    assert selection_sql([]) is None and selection_sql(["not json", '["t", "fortnight"]']) is None


def cube_states(options):
    """Filter states whose filters the pre-aggregated tables can answer (types, months, places, background)."""
    def some(values, extra):
        return st.lists(st.sampled_from(list(values) + extra), max_size=3, unique=True).map(tuple)

    month = st.none() | st.sampled_from(list(options.months) + ["1980-01", "2040-12"])
    places = st.builds(FilterState, continents=some(options.continents, ["Antarctica"]),
                       countries=some(options.countries, ["", "ZZ"]), admin1s=some(options.admin1s, ["Nowhere"]),
                       regions=some(options.regions, ["Atlantis"]), types=some(options.types, ["volcano"]),
                       background=st.booleans())
    months = st.builds(FilterState, month_from=month, month_to=month, types=some(options.types, ["volcano"]),
                       background=st.booleans())
    return places | months


@pytest.fixture(scope="module")
def full_warehouses(world):
    """The same warehouses answering everything from the incidents (no pre-aggregated tables)."""
    folder, ex, store = world
    plain, corrected = (Warehouse(folder, threads=1, use_cubes=False),
                        Warehouse(folder, corrections=store, threads=1, use_cubes=False))
    yield plain, corrected
    plain.close()
    corrected.close()


def _same_marks(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    a, b = (m.sort_values(keys, na_position="first").reset_index(drop=True) for m in (a, b))
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for column in a.columns:
        left, right = a[column].tolist(), b[column].tolist()
        if column in ("lat", "lon"):
            assert np.allclose(np.asarray(left, float), np.asarray(right, float), rtol=0, atol=1e-9)
        else:
            assert [None if pd.isna(v) else v for v in left] == [None if pd.isna(v) else v for v in right], column


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=cube_states(OPTIONS), limit=st.sampled_from([3, 12, 40, 5000]),
       extent=st.none() | st.just((-50.0, 0.0, -80.0, 50.0)))
def test_pre_aggregated_answers_equal_the_incidents(warehouses, full_warehouses, state, limit, extent):
    """Counts, sidebar counts, timeline marks (by type), map marks and the table's pages (read from the day where
    the page starts) from the pre-aggregated tables are those of the incidents - killed and injured sums included -
    without and with every kind of correction laid over them."""
    from events.warehouse import _cube_for, map_mark_key, selection_sql, timeline_mark_key

    assert _cube_for(state, "cube_place", "cube_time") is not None  # the tables answer these states
    for cubed, full in zip(warehouses, full_warehouses):
        assert cubed.count(state) == full.count(state)
        for column in ("type", "country", "continent", "region", "admin1"):
            mine, theirs = cubed.value_counts(state, column), full.value_counts(state, column)
            assert [(None if pd.isna(v) else v, int(n)) for v, n in zip(mine["value"], mine["n"])] == \
                [(None if pd.isna(v) else v, int(n)) for v, n in zip(theirs["value"], theirs["n"])]
        name, marks = cubed.timeline_marks(state, limit=limit)
        full_name, full_marks = full.timeline_marks(state, limit=limit)
        assert name == full_name
        _same_marks(marks, full_marks, ["row", "type", "point", "x0", "x1"] if name != "none" else ["first_id"])
        cell, cells = cubed.map_marks(state, extent=extent, limit=limit)
        full_cell, full_cells = full.map_marks(state, extent=extent, limit=limit)
        assert cell == full_cell
        _same_marks(cells, full_cells, ["type", "cy", "cx"] if cell else ["first_id"])
        # a selection on the map lights the timeline's marks holding its incidents (read apart from the marks)
        for cells_limit in (2, 6):
            cell, cells = full.map_marks(state, limit=cells_limit)
            if cell and len(cells):
                within = selection_sql([map_mark_key(cell, m.type, m.cy, m.cx) for m in cells.iloc[::2].itertuples()])
                lit, full_lit = (w.timeline_marks(state, limit=limit, highlight=within) for w in (cubed, full))
                assert lit[0] == full_lit[0]
                _same_marks(lit[1], full_lit[1], ["row", "type", "point", "x0", "x1"] if lit[0] != "none" else
                            ["first_id"])
        for rows, offset in ((5, 0), (40, 17), (500, 0), (3, 250)):  # table pages, latest first
            assert cubed.rows(state, limit=rows, offset=offset)["id"].tolist() == \
                full.rows(state, limit=rows, offset=offset)["id"].tolist()
        # a selection on either chart: its count (from a table holding the columns its clause reads) and its pages
        # (from the day of the page's last row on) are those of the incidents
        _, marks = full.timeline_marks(state, limit=limit)
        cell, cells = full.map_marks(state, limit=limit)
        keys = ([timeline_mark_key(name, "type", m.row, m.type, m.point, m.x0, m.x1) for m in marks.itertuples()]
                if name != "none" else []) + ([map_mark_key(cell, m.type, m.cy, m.cx) for m in cells.itertuples()]
                                              if cell else [])
        for picked in (keys[::3], keys[1::2], keys[:1], keys[-2:]):
            within = selection_sql(picked)
            if within is None:
                continue
            assert cubed.count(state, within=within) == full.count(state, within=within) == \
                len(full.ids(state, within=within))
            if all(k.startswith('["m"') for k in picked) and not (state.month_from or state.month_to):
                assert _cube_for(state, "cube_place", "cube_time", within=within) == "cube_place"
            f = filter_sql(state) & within
            for rows, offset in ((5, 0), (40, 17), (3, 250)):
                page = cubed.rows(state, limit=rows, offset=offset, within=within)
                assert page["id"].tolist() == full.query(
                    f"SELECT id FROM incidents WHERE {f.where} ORDER BY start_day DESC, id LIMIT {rows} OFFSET {offset}",
                    f.params)["id"].tolist()
        assert _cube_for(state, "cube_place", within=selection_sql(['["i", "x"]'])) is None  # ids: no table holds


def test_options_from_the_pre_aggregated_tables_equal_the_incidents(world, warehouses, full_warehouses, tmp_path):
    """Type labels (one per type from the time table, a type with several read from its incidents), the background
    count and every other option are those read from the incidents, plain and corrected, and for a dataset where a
    type carries two labels and another none."""
    for cubed, full in zip(warehouses, full_warehouses):
        assert cubed.options() == full.options()
    _, ex, _ = world
    incidents = ex.incidents.copy()
    kinds = sorted(incidents["type"].unique())
    first = incidents.index[incidents["type"] == kinds[0]]
    incidents.loc[first[: len(first) // 2], "type_label"] = "Older label"
    incidents.loc[incidents["type"] == kinds[1], "type_label"] = None
    write_dataset(Extraction(documents=ex.documents, incidents=incidents, mentions=ex.mentions, problems=[]),
                  tmp_path / "labels", corpus="labels")
    cubed, full = Warehouse(tmp_path / "labels", threads=1), Warehouse(tmp_path / "labels", threads=1, use_cubes=False)
    try:
        assert cubed.options() == full.options()
        labels = dict(cubed.options().type_labels)
        assert labels[kinds[1]] is None and labels[kinds[0]] == dict(filter_options(incidents).type_labels)[kinds[0]]
    finally:
        cubed.close()
        full.close()


def test_corrections_change_the_pre_aggregated_answers(warehouses):
    """The corrected warehouse's tables hold the corrections (an edited toll, a hidden incident, an added one)."""
    plain, corrected = warehouses
    assert corrected.touched and not plain.touched
    everything = FilterState(background=True)
    assert corrected.count(everything) == corrected.total() and plain.count(everything) == plain.total()
    assert corrected.total() == plain.total() - 1 - 1 + 1 + 1  # hidden, merged away, split off, added by hand


@pytest.mark.parametrize("group_by", ["type", "admin1", "region"])
@pytest.mark.parametrize("limit", [3, 12, 40, 5000])
def test_mark_keys_of_a_table_are_the_keys_of_each_mark(warehouses, group_by, limit):
    """The page writes a table's keys at once; they must be, to the character, what each mark's key function writes
    (a selection or a shared link holds those)."""
    from events.warehouse import (incident_mark_key, map_mark_key, map_mark_keys, timeline_mark_key,
                                  timeline_mark_keys)

    for warehouse in warehouses:
        name, marks = warehouse.timeline_marks(FilterState(background=True), group_by=group_by, limit=limit)
        assert timeline_mark_keys(name, group_by, marks) == [
            incident_mark_key(m.first_id) if name == "none" else
            timeline_mark_key(name, group_by, m.row, m.type, m.point, m.x0, m.x1) for m in marks.itertuples(index=False)]
        for cell_limit in (limit, 2):
            cell, cells = warehouse.map_marks(FilterState(background=True), limit=cell_limit)
            assert map_mark_keys(cell, cells) == [incident_mark_key(m.first_id) if cell == 0 else
                                                  map_mark_key(cell, m.type, m.cy, m.cx)
                                                  for m in cells.itertuples(index=False)]
    for cell in (0.05, 0.25, 3.0, 20.0):  # cell sizes as json writes them
        marks = pd.DataFrame({"type": ["attack", None, "ΣΟΦΟΣ"], "cy": [-3, 0, 7], "cx": [1, -200, 3]})
        assert map_mark_keys(cell, marks) == [map_mark_key(cell, t, y, x) for t, y, x in
                                              zip(marks["type"], marks["cy"], marks["cx"])]


@settings(max_examples=60, deadline=None)
@given(points=st.lists(st.tuples(st.integers(0, 3), st.floats(-89.99, 89.99), st.floats(-179.99, 179.99)),
                       min_size=1, max_size=300),
       limit=st.sampled_from([1, 2, 5, 20, 100]))
def test_the_map_cell_is_the_first_that_fits_counting_every_size(points, limit):
    """Skipping the sizes nested in a coarser one that has too many groups picks what counting each size picks."""
    from events.warehouse import MAP_CELLS, _map_cell

    kind = np.array([p[0] for p in points], dtype=np.int64)
    lat, lon = np.array([p[1] for p in points]), np.array([p[2] for p in points])

    def groups(cell):
        return len({(k, int(np.floor(a / cell)), int(np.floor(b / cell))) for k, a, b in zip(kind, lat, lon)})

    expected = next((c for c in MAP_CELLS if groups(c) <= limit), MAP_CELLS[-1])
    cell, cy, cx = _map_cell(kind, lat, lon, limit)
    assert cell == expected
    assert cy.tolist() == np.floor(lat / cell).astype(np.int64).tolist()
    assert cx.tolist() == np.floor(lon / cell).astype(np.int64).tolist()


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.tuples(st.integers(0, 4), st.booleans(), st.integers(0, 6)), min_size=1, max_size=60),
       data=st.data())
def test_group_sums_equal_a_pandas_groupby(keys, data):
    """The marks' per-group sums (numpy bincount over first-appearance group numbers) are pandas' groupby sums:
    n, a weighted position, casualties NaN where no member has a figure, selected where any member is."""
    from events.warehouse import _codes, _sum_groups

    base, flag, a = (np.array(column) for column in zip(*keys))
    size = len(keys)
    frame = pd.DataFrame({
        "type": base, "point": flag, "x0": a, "n": np.array(data.draw(st.lists(st.integers(1, 9), min_size=size,
                                                                               max_size=size)), dtype=np.int64),
        "wlat": np.array(data.draw(st.lists(st.floats(-90, 90), min_size=size, max_size=size))),
        "killed": np.array(data.draw(st.lists(st.none() | st.integers(0, 500), min_size=size, max_size=size)),
                           dtype=float),
        "injured": np.full(size, np.nan),
        "selected": np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size))),
    })
    codes, n_groups = _codes(base, flag, a, np.zeros(size, np.int64), width=8)
    got = _sum_groups(frame, codes, ["type", "point", "x0"], extra_sums=("wlat",))
    groups = frame.groupby(codes, sort=False)
    assert len(got) == n_groups
    assert got[["type", "point", "x0"]].values.tolist() == groups[["type", "point", "x0"]].first().values.tolist()
    assert got["n"].tolist() == groups["n"].sum().tolist()
    assert np.allclose(got["wlat"], groups["wlat"].sum(), rtol=0, atol=1e-9)
    for name in ("killed", "injured"):
        want = groups[name].sum(min_count=1).to_numpy(float)
        assert np.array_equal(got[name].to_numpy(float), want, equal_nan=True)
    assert got["selected"].tolist() == groups["selected"].any().tolist()


# ------------------------------------------------------------------------------------------------- free-text search

# what analysts type: words of the table (any case), parts of words, punctuation, lone characters, several words
SEARCH_ALPHABET = "abdeiklmnorstwyİIıΣσςΟΔ.,;'-_ 0123"
searches = st.one_of(
    st.text(alphabet=SEARCH_ALPHABET, max_size=14),
    st.lists(st.sampled_from(WORDS + [a.split()[0] for a in ACTORS] + ["in", "e", ".", "keepers", "saw it.", "D2",
                                                                        "harb", "ouR", "'", "-", "union"]),
             max_size=3).map(" ".join))


def _old_index(folder: Path, target: Path) -> Path:
    """A copy of a dataset whose DuckDB index has no word index, as datasets written before it had."""
    import duckdb

    from events.warehouse import INDEX_NAME, TEXT_TABLES

    shutil.copytree(folder, target)
    con = duckdb.connect(str(target / INDEX_NAME))
    for name in TEXT_TABLES:
        con.execute(f"DROP TABLE {name}")
    con.close()
    return target


@pytest.fixture(scope="module")
def old_warehouse(world, tmp_path_factory):
    folder, _, store = world
    old = Warehouse(_old_index(folder, tmp_path_factory.mktemp("old") / "dataset"), corrections=store, threads=1)
    yield old
    old.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=searches, background=st.booleans())
def test_a_search_finds_the_rows_of_the_plain_scan_and_of_the_pandas_filter(warehouses, old_warehouse, world,
                                                                            corrected_tables, text, background):
    plain, corrected = warehouses
    _, ex, _ = world
    assert plain.text_index and corrected.text_index and not old_warehouse.text_index
    state = FilterState(text=text, background=background)
    f = filter_sql(state)
    for warehouse, table, mentions in ((plain, ex.incidents, ex.mentions), (corrected, *corrected_tables),
                                       (old_warehouse, *corrected_tables)):
        scanned = warehouse.query(f"SELECT id FROM incidents WHERE {f.where} ORDER BY id", f.params)["id"].tolist()
        assert warehouse.ids(state) == scanned == sorted(views_filter(table, state, ex.documents, mentions)["id"])
        assert warehouse.count(state) == len(scanned)


class RecordingConnection:
    """A warehouse's DuckDB connection that keeps the statements run on it."""

    def __init__(self, con):
        self._con = con
        self.statements: list[str] = []

    def execute(self, sql, *args):
        self.statements.append(sql)
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_the_word_index_answers_word_terms_without_a_scan(warehouses, world, monkeypatch):
    plain, _ = warehouses
    _, ex, _ = world
    plain.forget()
    recording = RecordingConnection(plain.con)
    monkeypatch.setattr(plain, "con", recording)

    def scanned(state: FilterState) -> bool:
        recording.statements.clear()
        plain.forget()
        want = sorted(views_filter(ex.incidents, state, ex.documents, ex.mentions)["id"])
        assert len(want) and plain.ids(state) == want
        return any("contains(search_text" in sql for sql in recording.statements)

    assert plain.scalar("SELECT count(*) FROM idx.search_words WHERE frequent") > 0  # kept as the rows without it
    assert not scanned(FilterState(text="Harbour ΣΟΦΟΣ", background=True))
    assert not scanned(FilterState(text="in", background=True))
    assert scanned(FilterState(text="keepers saw it.", background=True))  # "it." holds a full stop


def test_an_index_without_the_word_index_opens_and_gains_it_in_place(world, tmp_path, capsys):
    from events.cli import main
    from events.warehouse import add_text_index

    folder, ex, _ = world
    old = _old_index(folder, tmp_path / "dataset")
    warehouse = Warehouse(old)
    state = FilterState(text="river crowd")
    before = warehouse.ids(state)
    assert not warehouse.text_index and before == sorted(views_filter(ex.incidents, state, ex.documents,
                                                                      ex.mentions)["id"])
    warehouse.close()
    assert main(["index", str(old)]) == 0
    assert "word index added" in capsys.readouterr().err
    assert add_text_index(old) == (old / "incidents.duckdb", False)
    warehouse = Warehouse(old)
    assert warehouse.text_index and warehouse.ids(state) == before
    warehouse.close()
    with pytest.raises(SystemExit, match="not an incident dataset"):
        main(["index", str(tmp_path)])



@pytest.mark.parametrize("state", [ALL, FilterState(types=tuple(OPTIONS.types[:2])),
                                   FilterState(countries=tuple(OPTIONS.countries[:3]), background=True)])
def test_a_map_selection_lights_the_timeline_from_the_cell_rows(warehouses, full_warehouses, monkeypatch, state):
    """A map selection under filters the place table holds finds its incidents' days through the cell rows, without
    reading the incidents (whose place columns a first selection at 5x10^6 read cold: 290 ms), with the same marks
    lit as the incidents give - corrections too. A month filter is no place table's: the incidents are read."""
    from events.warehouse import map_mark_key, selection_sql

    for cubed, full in zip(warehouses, full_warehouses):
        cell, cells = full.map_marks(state, limit=6)
        assert cell and len(cells)
        within = selection_sql([map_mark_key(cell, m.type, m.cy, m.cx) for m in cells.iloc[::2].itertuples()])
        with monkeypatch.context() as patched:
            patched.setattr(Warehouse, "_selected", lambda *args, **kwargs: pytest.fail("read the incidents"))
            lit = cubed._highlighted_marks(state, "type", 40, within)
        theirs = full.timeline_marks(state, limit=40, highlight=within)
        assert lit[0] == theirs[0] and lit[1]["selected"].any()
        _same_marks(lit[1], theirs[1], ["row", "type", "point", "x0", "x1"] if lit[0] != "none" else ["first_id"])
    dated = FilterState(month_from=OPTIONS.months[0], background=True)
    cell, cells = full_warehouses[0].map_marks(dated, limit=6)
    within = selection_sql([map_mark_key(cell, m.type, m.cy, m.cx) for m in cells.itertuples()])
    assert warehouses[0]._selected_days(dated, within, "type")[0].startswith("(SELECT * FROM")


# ------------------------------------------------------------------------------------------------- a search's counts

def _without_cell_rows(folder: Path, target: Path) -> Path:
    """A copy of a dataset whose index has no cell rows, as indexes written before them."""
    import duckdb

    from events.warehouse import CELL_TABLE, INDEX_NAME, cell_rows_files

    shutil.copytree(folder, target)
    for path in cell_rows_files(target / INDEX_NAME):
        path.unlink()
    con = duckdb.connect(str(target / INDEX_NAME))
    con.execute(f"DROP TABLE {CELL_TABLE}")
    con.close()
    return target


@pytest.fixture(scope="module")
def rowless_warehouses(world, tmp_path_factory):
    """The warehouses over a copy of the dataset without cell rows: a search copies its rows, as before them."""
    folder, _, store = world
    copy = _without_cell_rows(folder, tmp_path_factory.mktemp("rowless") / "dataset")
    plain, corrected = Warehouse(copy, threads=1), Warehouse(copy, corrections=store, threads=1)
    yield plain, corrected
    plain.close()
    corrected.close()


def _same_answers(mine: Warehouse, theirs: Warehouse, state: FilterState, limit: int, extent) -> None:
    assert mine.count(state) == theirs.count(state)
    for column in ("type", "country", "continent", "region", "admin1"):
        a, b = mine.value_counts(state, column), theirs.value_counts(state, column)
        assert [(None if pd.isna(v) else v, int(n)) for v, n in zip(a["value"], a["n"])] == \
            [(None if pd.isna(v) else v, int(n)) for v, n in zip(b["value"], b["n"])]
    name, marks = mine.timeline_marks(state, limit=limit)
    their_name, their_marks = theirs.timeline_marks(state, limit=limit)
    assert name == their_name
    _same_marks(marks, their_marks, ["row", "type", "point", "x0", "x1"] if name != "none" else ["first_id"])
    for mixed in (False, True):
        cell, cells = mine.map_marks(state, extent=extent, limit=limit, mixed=mixed)
        their_cell, their_cells = theirs.map_marks(state, extent=extent, limit=limit, mixed=mixed)
        assert cell == their_cell
        _same_marks(cells.drop(columns=["types"], errors="ignore"), their_cells.drop(columns=["types"], errors="ignore"),
                    ["type", "cy", "cx"] if cell else ["first_id"])
        if "types" in cells or "types" in their_cells:
            assert sorted(map(str, cells["types"])) == sorted(map(str, their_cells["types"]))
    for rows, offset in ((5, 0), (40, 17), (500, 0), (3, 250)):  # table pages, latest first
        assert mine.rows(state, limit=rows, offset=offset)["id"].tolist() == \
            theirs.rows(state, limit=rows, offset=offset)["id"].tolist()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=cube_states(OPTIONS), text=searches, limit=st.sampled_from([3, 12, 40, 5000]),
       extent=st.none() | st.just((-50.0, 0.0, -80.0, 50.0)))
def test_a_search_counted_from_the_cell_rows_answers_as_its_incidents(warehouses, full_warehouses, rowless_warehouses,
                                                                      old_warehouse, state, text, limit, extent):
    """A search with filters the pre-aggregated tables hold is counted into their rows from the rows it finds
    (`Warehouse._text_cube`): its count, sidebar counts, timeline and map marks (killed and injured sums included)
    and table pages are those of its incidents (no table) and of the rows copied (an index without cell rows),
    without and with every kind of correction - and on an index without the word index (terms scanned)."""
    state = replace(state, text=text)
    if not state.text.split():
        return
    for cubed, full, rowless in zip(warehouses, full_warehouses, rowless_warehouses):
        assert cubed._cube(state, "cube_place", "cube_time") is not None
        assert rowless._cube(state, "cube_place", "cube_time") is None
        _same_answers(cubed, full, state, limit, extent)
        _same_answers(cubed, rowless, state, limit, extent)
    assert old_warehouse._cube(state, "cube_place", "cube_time") is not None
    _same_answers(old_warehouse, full_warehouses[1], state, limit, extent)


def test_an_index_without_cell_rows_gains_them_in_place(world, tmp_path):
    from events.warehouse import CUBES, INDEX_NAME, add_text_index, cell_rows_files

    folder, _, _ = world
    copy = _without_cell_rows(folder, tmp_path / "dataset")
    state = FilterState(text="river in")
    warehouse = Warehouse(copy)
    before = (warehouse.count(state), warehouse.timeline_marks(state, limit=12)[1])
    assert warehouse._cells_path is None
    warehouse.close()
    assert add_text_index(copy) == (copy / INDEX_NAME, True)
    files = cell_rows_files(copy / INDEX_NAME)
    assert len(files) == 1 + len(CUBES) and add_text_index(copy) == (copy / INDEX_NAME, False)
    warehouse = Warehouse(copy)
    assert warehouse._cells_path in files and warehouse.count(state) == before[0]
    _same_marks(warehouse.timeline_marks(state, limit=12)[1], before[1], ["row", "type", "point", "x0", "x1"])
    warehouse.close()
    files[-1].unlink()  # a file gone (a copy made without it): searches copy rows again, no error
    warehouse = Warehouse(copy)
    assert warehouse._cells_path is None and warehouse.count(state) == before[0]
    warehouse.close()
