"""Corrections store: every kind of correction, re-extraction, orphans, audit, concurrent writers, a writer killed
mid-save, schema versions, and the CSV round trip. Databases live in tmp_path; tables are the synthetic extraction
from conftest.py."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import synthetic_extraction
from events.gazetteer import Place
from events.pipeline import INCIDENT_COLUMNS, typed_frame
from events.store import (
    EDITABLE_FIELDS, SCHEMA_VERSION, CorrectionStore, apply_corrections, audit_log, connect, export_corrected_csv,
    import_corrected_csv, integrity_check, migrate, orphaned, schema_version,
)

WORKER = Path(__file__).with_name("store_worker.py")


@pytest.fixture()
def ex(tmp_path):
    return synthetic_extraction(tmp_path)


@pytest.fixture()
def store(tmp_path, ex):
    return CorrectionStore(tmp_path / "corrections.sqlite", incidents=ex.incidents, mentions=ex.mentions)


def reextract(tmp_path, new_article: bool = False):
    """A fresh extraction (new frames, same ids); with ``new_article`` a document d04 adds a Paris mention and a new incident."""
    fresh = synthetic_extraction(tmp_path)
    if not new_article:
        return fresh.incidents, fresh.mentions
    incidents = fresh.incidents.to_dict("records")
    mentions = fresh.mentions.to_dict("records")
    for row in incidents:
        if row["id"] == "inc-paris":
            row.update(sources="a01;b02;d04", n_sources=3, n_mentions=3)
    incidents.append({**incidents[0], "id": "inc-lagos", "title": "Bombing in Lagos", "type": "bombing", "type_label": "Bombing",
                      "place": "Lagos", "country": "NG", "sources": "d04", "n_sources": 1, "n_mentions": 1, "killed": 5})
    mentions.append({**mentions[0], "doc": "d04", "start": 10, "end": 60, "sentence": "Paris mourned.", "killed": None})
    mentions.append({**mentions[0], "incident_id": "inc-lagos", "doc": "d04", "start": 70, "end": 90, "sentence": "Lagos blast."})
    return typed_frame(incidents, INCIDENT_COLUMNS), typed_frame(mentions, list(fresh.mentions.columns))


def row(frame: pd.DataFrame, incident_id: str) -> dict:
    found = frame[frame["id"] == incident_id]
    assert len(found) == 1, f"{incident_id} appears {len(found)} times"
    return found.iloc[0].to_dict()


def mention_keys(mentions: pd.DataFrame, incident_id: str) -> list[tuple[str, int]]:
    part = mentions[mentions["incident_id"] == incident_id]
    return [(d, int(s)) for d, s in zip(part["doc"], part["start"])]


# ------------------------------------------------------------------------------------------- each correction kind

def test_edit_fields_apply_and_survive_reextraction(tmp_path, store, ex):
    store.edit("inc-ankara", {"title": "Ankara station bombing", "type": "suicide_bombing", "start": "2015-10-10",
                              "end": "2015-10-10", "precision": "day", "date_text": "10 October", "killed": "102",
                              "injured": 400, "actors": "ISIL"}, user="ana", note="per Reuters")
    for incidents, mentions in (reextract(tmp_path), reextract(tmp_path, new_article=True)):
        out, _ = apply_corrections(incidents, mentions, store)
        r = row(out, "inc-ankara")
        assert (r["title"], r["type"], r["type_label"]) == ("Ankara station bombing", "suicide_bombing", "Suicide bombing")
        assert (r["start"], r["end"], r["precision"], r["date_value"], r["date_text"]) == ("2015-10-10", "2015-10-10", "day", "2015-10-10", "10 October")
        assert (r["killed"], r["injured"], r["actors"]) == (102, 400, "ISIL")
        assert r["corrected"] and r["correction_note"] == "per Reuters" and r["corrected_by"] == "ana"
        assert not row(out, "inc-kobani")["corrected"]
        assert str(out["killed"].dtype) == "Int64"
    out, _ = apply_corrections(*reextract(tmp_path, new_article=True), store)
    assert "inc-lagos" in set(out["id"])  # the new article's incident is there, uncorrected
    assert orphaned(*reextract(tmp_path, new_article=True), store).empty


def test_set_place_from_gazetteer_and_raw_coordinates(tmp_path, store, ex):
    store.set_place("inc-desert", Place("2464470", "Tunis", 36.82, 10.17, "TN", "Tunis", "city", 693210))
    store.set_place("inc-unplaced", {"name": "Camp 4", "lat": 31.5, "lon": 34.4})
    out, _ = apply_corrections(*reextract(tmp_path, new_article=True), store)
    desert = row(out, "inc-desert")
    assert (desert["place"], desert["country"], desert["admin1"], desert["lat"], desert["lon"], desert["geonameid"]) == \
        ("Tunis", "TN", "Tunis", 36.82, 10.17, "2464470")
    assert desert["continent"] == "Africa"
    camp = row(out, "inc-unplaced")
    assert (camp["place"], camp["lat"], camp["lon"], camp["geonameid"]) == ("Camp 4", 31.5, 34.4, "")
    with pytest.raises(ValueError, match="name, lat and lon"):
        store.set_place("inc-desert", {"name": "Nowhere"})
    with pytest.raises(ValueError, match="lat.*out of range"):
        store.set_place("inc-desert", {"name": "Pole+", "lat": 91, "lon": 0})


def test_merge_moves_mentions_and_survives_new_article(tmp_path, store, ex):
    store.merge("inc-paris", "inc-beirut")
    for incidents, mentions in (reextract(tmp_path), reextract(tmp_path, new_article=True)):
        out, ments = apply_corrections(incidents, mentions, store)
        assert "inc-beirut" not in set(out["id"])
        paris = row(out, "inc-paris")
        assert paris["killed"] == 130 and "43 (a01)" in paris["killed_reports"]
        assert set(ments[ments["incident_id"] == "inc-paris"]["sentence"]) >= {
            "In Beirut, twin suicide bombings on Thursday killed 43 people."}
        assert "inc-beirut" not in set(ments["incident_id"])
    out, ments = apply_corrections(*reextract(tmp_path, new_article=True), store)
    assert row(out, "inc-paris")["n_mentions"] == 4 and "d04" in row(out, "inc-paris")["sources"]
    with pytest.raises(ValueError, match="unknown incident id 'inc-beirut'"):
        store.edit("inc-beirut", {"killed": 1})
    with pytest.raises(ValueError, match="itself"):
        store.merge("inc-paris", "inc-paris")


def test_split_moves_chosen_mentions_into_a_new_incident(tmp_path, store, ex):
    keys = mention_keys(ex.mentions, "inc-paris")
    b02 = [k for k in keys if k[0] == "b02"]
    seq = store.split("inc-paris", b02, new_title="Paris review")
    new_id = store.new_id_of_split(seq)
    assert new_id.startswith("spl-")
    store.edit(new_id, {"killed": 131})  # the split-off incident is correctable like any other
    for incidents, mentions in (reextract(tmp_path), reextract(tmp_path, new_article=True)):
        out, ments = apply_corrections(incidents, mentions, store)
        new = row(out, new_id)
        assert (new["title"], new["sources"], new["n_mentions"], new["killed"]) == ("Paris review", "b02", 1, 131)
        assert mention_keys(ments, new_id) == b02
        paris = row(out, "inc-paris")
        assert paris["killed"] == 89 and "b02" not in paris["sources"].split(";")
    with pytest.raises(ValueError, match="has no mention at"):
        store.split("inc-paris", [("zzz", 1)])
    with pytest.raises(ValueError, match="leave at least one"):
        store.split("inc-paris", mention_keys(apply_corrections(ex.incidents, ex.mentions, store)[1], "inc-paris"))


def test_hide_unhide(tmp_path, store, ex):
    store.hide("inc-desert", note="not an incident")
    out, ments = apply_corrections(*reextract(tmp_path), store)
    assert "inc-desert" not in set(out["id"]) and "inc-desert" not in set(ments["incident_id"])
    full, _ = apply_corrections(*reextract(tmp_path), store, include_hidden=True)
    assert row(full, "inc-desert")["hidden"]
    with pytest.raises(ValueError, match="already hidden"):
        store.hide("inc-desert")
    store.unhide("inc-desert")
    assert "inc-desert" in set(apply_corrections(ex.incidents, ex.mentions, store)[0]["id"])
    with pytest.raises(ValueError, match="not hidden"):
        store.unhide("inc-desert")


def test_add_incident_by_hand(tmp_path, store, ex):
    new_id = store.add_incident({"title": "Shooting at a checkpoint", "type": "shooting", "start": "2015-11-02",
                                 "end": "2015-11-02", "precision": "day", "place": "Hebron", "country": "PS",
                                 "lat": 31.53, "lon": 35.09, "killed": 2}, source_doc="b02", evidence="Two were shot.")
    assert new_id.startswith("man-")
    for incidents, mentions in (reextract(tmp_path), reextract(tmp_path, new_article=True)):
        out, ments = apply_corrections(incidents, mentions, store)
        r = row(out, new_id)
        assert (r["title"], r["type_label"], r["sources"], r["killed"], r["killed_reports"], r["evidence"]) == \
            ("Shooting at a checkpoint", "Shooting", "b02", 2, "2 (b02)", "Two were shot.")
        m = ments[ments["incident_id"] == new_id]
        assert list(m["doc"]) == ["b02"] and list(m["sentence"]) == ["Two were shot."]
    with pytest.raises(ValueError, match="'type' is required"):
        store.add_incident({"title": "No type"}, source_doc="b02")
    with pytest.raises(ValueError, match="source_doc"):
        store.add_incident({"title": "t", "type": "attack"}, source_doc="")


def test_orphaned_corrections_are_kept_and_reported(tmp_path, store, ex):
    store.edit("inc-kobani", {"killed": 10})
    store.merge("inc-nyc", "inc-madrid")
    seq = store.split("inc-paris", [k for k in mention_keys(ex.mentions, "inc-paris") if k[0] == "b02"])
    new_id = store.new_id_of_split(seq)
    gone = {"inc-kobani", "inc-nyc", "inc-madrid", "inc-paris"}
    incidents = ex.incidents[~ex.incidents["id"].isin(gone)].reset_index(drop=True)
    mentions = ex.mentions[~ex.mentions["incident_id"].isin(gone)].reset_index(drop=True)
    report = orphaned(incidents, mentions, store)
    assert set(report["incident_id"]) == {"inc-kobani", "inc-nyc", "inc-paris"}
    assert set(report["kind"]) == {"edit", "merge", "split"} and report["reason"].str.len().min() > 10
    out, _ = apply_corrections(incidents, mentions, store)
    assert {"inc-nyc", new_id} <= set(out["id"])  # merges and splits still produce their rows
    assert row(out, "inc-nyc")["sources"] == "c03"
    assert len(store.corrections()) == 3  # nothing is dropped from the store
    # The merge partner alone re-extracted: it takes the kept id, so later edits still land.
    only_madrid = ex.incidents[ex.incidents["id"] != "inc-nyc"].reset_index(drop=True)
    out, ments = apply_corrections(only_madrid, ex.mentions[ex.mentions["incident_id"] != "inc-nyc"], store)
    assert "inc-madrid" not in set(out["id"]) and row(out, "inc-nyc")["place"] == "Madrid"
    assert "inc-madrid" not in set(ments["incident_id"])


def test_unknown_ids_fields_and_values_are_refused_clearly(store):
    with pytest.raises(ValueError, match="unknown incident id 'inc-nope'"):
        store.edit("inc-nope", {"killed": 1})
    with pytest.raises(ValueError, match="unknown field 'deaths'.*editable fields"):
        store.edit("inc-paris", {"deaths": 1})
    with pytest.raises(ValueError, match="unknown incident type 'massacre'"):
        store.edit("inc-paris", {"type": "massacre"})
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        store.edit("inc-paris", {"start": "13/11/2015"})
    with pytest.raises(ValueError, match="end 2015-11-01 is before start 2015-11-13"):
        store.edit("inc-paris", {"end": "2015-11-01"})
    with pytest.raises(ValueError, match="whole number"):
        store.edit("inc-paris", {"killed": "many"})
    with pytest.raises(ValueError, match="nothing changes"):
        store.edit("inc-paris", {"title": "Attack in Paris"})
    with pytest.raises(ValueError, match="title: must not be empty"):
        store.edit("inc-paris", {"title": "  "})
    assert store.corrections() == [] and audit_log(store).empty


# ------------------------------------------------------------------------------------------- audit, undo, schema

def test_audit_records_before_after_user_time(store, monkeypatch):
    monkeypatch.setenv("USER", "zoe")
    store.edit("inc-sinai", {"killed": 224, "injured": 0})  # killed unchanged: only injured is recorded
    store.edit("inc-sinai", {"title": "Metrojet 9268"}, user="max", note="flight number")
    store.hide("inc-unplaced")
    log = audit_log(store)
    assert list(log["field"]) == ["injured", "title", "hidden"]
    assert list(log["user"]) == ["zoe", "max", "zoe"]
    assert log.iloc[0][["before", "after"]].tolist() == [None, 0]
    assert log.iloc[1][["before", "after", "note"]].tolist() == ["Plane crash or downing in Sinai", "Metrojet 9268", "flight number"]
    assert log.iloc[2][["before", "after"]].tolist() == [False, True]
    assert log["at"].str.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z").all()


def test_undo_last(store, ex):
    store.edit("inc-sinai", {"title": "one"})
    store.edit("inc-sinai", {"title": "two"}, user="max")
    assert store.undo_last(user="lea") is None  # Lea made no correction: she withdraws nobody's
    undone = store.undo_last(user="lea", author="max")  # unless she names whose
    assert undone.kind == "edit" and undone.payload["fields"] == {"title": "two"}
    assert row(apply_corrections(ex.incidents, ex.mentions, store)[0], "inc-sinai")["title"] == "one"
    log = audit_log(store)
    assert log.iloc[-1][["action", "user"]].tolist() == ["undo", "lea"] and log.iloc[1]["undone"]
    store.undo_last()
    assert store.undo_last() is None and store.corrections() == []
    assert store.undo_last(user="max") is None


def test_schema_version_and_migrations(tmp_path):
    path = tmp_path / "c.sqlite"
    CorrectionStore(path)
    with closing(connect(path)) as conn:
        assert schema_version(conn) == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert migrate(conn) == SCHEMA_VERSION  # idempotent
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(ValueError, match="newer than this atlas"):
        CorrectionStore(path)


def test_default_path_comes_from_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_CORRECTIONS_DB", str(tmp_path / "sub" / "x.sqlite"))
    assert CorrectionStore().path == tmp_path / "sub" / "x.sqlite"
    assert (tmp_path / "sub" / "x.sqlite").exists()


# ------------------------------------------------------------------------------------------- integrity

def test_two_processes_writing_at_once_lose_nothing(tmp_path, ex):
    path = tmp_path / "c.sqlite"
    CorrectionStore(path)
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, str(WORKER), "many", str(path), tag, "50", str(go), other],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag, other in (("p1", "p2"), ("p2", "p1"))]
    deadline = time.time() + 120  # both workers import and attach, then wait at the start line
    while not all((tmp_path / f"ready-{tag}").exists() for tag in ("p1", "p2")):
        assert time.time() < deadline and all(p.poll() is None for p in procs), "a writer did not start"
        time.sleep(0.05)
    started = time.perf_counter()
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    elapsed = time.perf_counter() - started
    store = CorrectionStore(path)
    done = store.corrections()
    assert len(done) == 100
    assert {c.note for c in done} == {f"{t} {i}" for t in ("p1", "p2") for i in range(50)}
    log = audit_log(store)
    assert len(log) == 100 and set(log["correction_seq"]) == {c.seq for c in done}
    switches = sum(a != b for a, b in zip(log["user"], log["user"].iloc[1:]))
    # each writer waits while it is more than 2 saves ahead of the other, so they interleave on any load
    assert switches >= 10, "the two writers never interleaved; the test did not exercise concurrency"
    # Each writer read the other's corrections inside its lock: every 'before' is the previous correction's 'after'.
    assert log["before"].iloc[1:].tolist() == log["after"].iloc[:-1].tolist()
    assert integrity_check(path) == "ok"
    assert row(apply_corrections(ex.incidents, ex.mentions, store)[0], "inc-paris")["actors"] == done[-1].payload["fields"]["actors"]
    print(f"2 x 50 concurrent corrections in {elapsed:.2f}s, writers alternated {switches} times")


def test_threads_sharing_one_store_lose_nothing(tmp_path, ex):
    from concurrent.futures import ThreadPoolExecutor

    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: store.edit("inc-kobani", {"actors": f"t{i}"}), range(40)))
    assert len(store.corrections()) == 40 and integrity_check(store.path) == "ok"


def test_writer_killed_mid_save_leaves_a_consistent_store(tmp_path, ex):
    path = tmp_path / "c.sqlite"
    store = CorrectionStore(path, incidents=ex.incidents, mentions=ex.mentions)
    store.edit("inc-ankara", {"killed": 3}, note="before the crash")
    proc = subprocess.Popen([sys.executable, str(WORKER), "hang", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "WRITING"  # inside BEGIN IMMEDIATE, rows inserted, not committed
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert integrity_check(path) == "ok"
    done = store.corrections()
    assert [c.note for c in done] == ["before the crash"]
    assert set(audit_log(store)["user"]) != {"doomed"} and "doomed" not in set(audit_log(store)["user"])
    assert row(apply_corrections(ex.incidents, ex.mentions, store)[0], "inc-ankara")["title"] == "Bombing in Ankara"
    store.edit("inc-ankara", {"title": "after the crash"})  # the killed writer's lock is gone
    assert len(store.corrections()) == 2


def test_writer_killed_at_random_moments_never_tears_a_correction(tmp_path):
    path = tmp_path / "c.sqlite"
    CorrectionStore(path)
    for delay in (0.6, 0.9, 1.3):
        proc = subprocess.Popen([sys.executable, str(WORKER), "loop", str(path)], stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()  # at least one correction committed
        time.sleep(delay / 4)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert integrity_check(path) == "ok"
        with sqlite3.connect(path) as conn:
            torn = conn.execute("SELECT COUNT(*) FROM corrections c WHERE NOT EXISTS "
                                "(SELECT 1 FROM audit a WHERE a.correction_seq = c.seq)").fetchone()[0]
            orphan_audit = conn.execute("SELECT COUNT(*) FROM audit a WHERE NOT EXISTS "
                                        "(SELECT 1 FROM corrections c WHERE a.correction_seq = c.seq)").fetchone()[0]
        assert torn == 0 and orphan_audit == 0
    assert len(CorrectionStore(path).corrections()) >= 3


# ------------------------------------------------------------------------------------------- CSV round trip

def test_csv_round_trip_records_only_the_changes(store, ex):
    corrected, _ = apply_corrections(ex.incidents, ex.mentions, store)
    data = export_corrected_csv(corrected)
    assert data.startswith(b"\xef\xbb\xbf")
    assert import_corrected_csv(store, data, corrected).applied == []  # unchanged file: nothing recorded
    edited = pd.read_csv(__import__("io").BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    edited.loc[edited["id"] == "inc-madrid", "killed"] = "193"
    report = import_corrected_csv(store, edited.to_csv(index=False).encode(), corrected, user="sheet")
    assert len(report.applied) == 1 and report.problems == []
    assert [c.payload["fields"] for c in store.corrections()] == [{"killed": 193}]
    log = audit_log(store)
    assert log.iloc[0][["field", "before", "after", "user", "note"]].tolist() == ["killed", 191, 193, "sheet", "CSV import"]
    assert row(apply_corrections(ex.incidents, ex.mentions, store)[0], "inc-madrid")["killed"] == 193


def test_csv_import_refuses_bad_rows_and_applies_good_ones(store, ex):
    corrected, _ = apply_corrections(ex.incidents, ex.mentions, store)
    edited = pd.read_csv(__import__("io").BytesIO(export_corrected_csv(corrected)), encoding="utf-8-sig", dtype=str,
                         keep_default_na=False)
    at = {iid: i for i, iid in enumerate(edited["id"])}
    edited.loc[at["inc-paris"], "start"] = "2015-13-45"
    edited.loc[at["inc-beirut"], "type"] = "parade"
    edited.loc[at["inc-ankara"], "killed"] = "dozens"
    edited.loc[at["inc-kobani"], "lat"] = "136.9"
    edited.loc[at["inc-sinai"], "title"] = "Metrojet crash"       # good
    edited.loc[at["inc-nyc"], "place"] = "Manhattan"              # good
    edited.loc[at["inc-madrid"], "n_sources"] = "9"               # derived: warned, ignored
    extra = edited.iloc[[0]].assign(id="inc-invented")
    report = import_corrected_csv(store, pd.concat([edited, extra]).to_csv(index=False).encode(), corrected)
    assert len(report.applied) == 2
    problems = "\n".join(report.problems)
    line = {iid: i + 2 for iid, i in at.items()}
    assert f"row {line['inc-paris']}, column 'start'" in problems and "not a calendar date" in problems
    assert f"row {line['inc-beirut']}, column 'type'" in problems and "unknown incident type 'parade'" in problems
    assert f"row {line['inc-ankara']}, column 'killed'" in problems and "whole number" in problems
    assert f"row {line['inc-kobani']}, column 'lat'" in problems and "out of range" in problems
    assert f"row {len(edited) + 2}, column 'id'" in problems and "inc-invented" in problems
    assert any("n_sources" in w for w in report.warnings)
    out, _ = apply_corrections(ex.incidents, ex.mentions, store)
    assert row(out, "inc-sinai")["title"] == "Metrojet crash" and row(out, "inc-nyc")["place"] == "Manhattan"
    assert row(out, "inc-paris")["start"] == "2015-11-13"
    with pytest.raises(ValueError, match="no 'id' column"):
        import_corrected_csv(store, b"title\nx\n", corrected)


# ------------------------------------------------------------------------------------------- property

VALUES = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**9, 10**9), st.floats(allow_nan=True),
                   st.booleans(), st.dates().map(lambda d: d.isoformat()), st.sampled_from(["attack", "day", "FR", "12", "1e3"]),
                   st.lists(st.integers(), max_size=2))
FIELDS = st.sampled_from(EDITABLE_FIELDS + ("bogus",))
IDS = st.sampled_from(["inc-paris", "inc-ankara", "inc-desert", "inc-missing", ""])


ACCEPTED: list[int] = []


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(IDS, st.dictionaries(FIELDS, VALUES, max_size=3)), max_size=6))
def test_arbitrary_edits_apply_or_raise_value_error(tmp_path_factory, ex, edits):
    path = tmp_path_factory.mktemp("prop") / "c.sqlite"
    store = CorrectionStore(path, incidents=ex.incidents, mentions=ex.mentions)
    accepted = 0
    for incident_id, values in edits:
        try:
            store.edit(incident_id, values)
            accepted += 1
        except ValueError as exc:
            assert str(exc)
    assert len(store.corrections()) == accepted == audit_log(store)["correction_seq"].nunique()
    ACCEPTED.append(accepted)
    assert integrity_check(path) == "ok"
    out, _ = apply_corrections(ex.incidents, ex.mentions, store)
    assert len(out) == len(ex.incidents)
    assert out["lat"].dropna().between(-90, 90).all() and out["killed"].dropna().ge(0).all()


def test_property_test_exercised_both_outcomes():
    """Guard against a strategy that only ever produces refusals (runs after the property test in file order)."""
    if ACCEPTED:
        assert sum(ACCEPTED) > 0


def test_store_without_tables_records_but_checks_only_form(tmp_path, ex):
    bare = CorrectionStore(tmp_path / "c.sqlite")
    bare.edit("inc-ankara", {"killed": 9})
    bare.merge("inc-gone", "inc-also-gone")
    with pytest.raises(ValueError, match="split needs the extracted tables"):
        bare.split("inc-paris", [("b02", 22)])
    with pytest.raises(ValueError, match="killed: -1 is out of range"):
        bare.edit("inc-ankara", {"killed": -1})
    out, _ = apply_corrections(ex.incidents, ex.mentions, bare)
    assert row(out, "inc-ankara")["killed"] == 9 and len(out) == len(ex.incidents)
    assert list(orphaned(ex.incidents, ex.mentions, bare)["incident_id"]) == ["inc-gone"]
    assert audit_log(bare).iloc[0]["before"] is None  # no table attached: the before value is unknown
