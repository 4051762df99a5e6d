"""Corrections over time, as a team uses them: they belong to one corpus, follow their incident when a new article
changes its id, survive a migration from the previous schema (with a backup first), are not reverted by an old
spreadsheet, are undone only by their author (or on purpose) and can be redone; and the store's edge cases (a
damaged row, a read-only or full disk, a damaged file given to the CLI) end in a message, never a crash."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest

from conftest import synthetic_extraction
from events import store as store_module
from events.pipeline import INCIDENT_COLUMNS, MENTION_COLUMNS, typed_frame
from events.store import (
    SCHEMA_VERSION, CorrectionStore, apply_corrections, audit_log, connect, export_corrected_csv,
    import_corrected_csv, orphaned, reanchored, schema_version,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture()
def ex(tmp_path):
    return synthetic_extraction(tmp_path)


def row(frame: pd.DataFrame, incident_id: str) -> dict:
    found = frame[frame["id"] == incident_id]
    assert len(found) == 1, f"{incident_id} appears {len(found)} times"
    return found.iloc[0].to_dict()


def with_precise_madrid(ex, new_id: str = "inc-madrid-0311"):
    """A re-extraction after a new article (d04) gives the Madrid bombing its day: the id hashes the date, so it
    changes; the old article's mention (same document, same offsets) is now part of the new incident."""
    incidents = ex.incidents.to_dict("records")
    mentions = ex.mentions.to_dict("records")
    for r in incidents:
        if r["id"] == "inc-madrid":
            r.update(id=new_id, start="2004-03-11", end="2004-03-11", precision="day", date_value="2004-03-11",
                     date_text="11 March 2004", sources="c03;d04", n_sources=2, n_mentions=2)
    old = next(m for m in mentions if m["incident_id"] == "inc-madrid")
    old["incident_id"] = new_id
    mentions.append({**old, "doc": "d04", "start": 0, "end": 60, "sentence": "On 11 March 2004 bombs on trains in Madrid killed 191."})
    return typed_frame(incidents, INCIDENT_COLUMNS), typed_frame(mentions, MENTION_COLUMNS)


# ------------------------------------------------------------------------------------------- per corpus (issue 10.1)

def test_corrections_belong_to_their_corpus(tmp_path, ex):
    db = tmp_path / "c.sqlite"
    seeds = CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions, corpus=tmp_path / "seeds")
    wire = CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions, corpus=tmp_path / "wire")
    seeds.hide("inc-nyc", user="ana", note="background")
    seeds.edit("inc-paris", {"killed": 131}, user="ana")
    assert "inc-nyc" not in set(apply_corrections(ex.incidents, ex.mentions, seeds)[0]["id"])
    shown, _ = apply_corrections(ex.incidents, ex.mentions, wire)
    assert "inc-nyc" in set(shown["id"]) and row(shown, "inc-paris")["killed"] == 130 and not shown["corrected"].any()
    assert wire.corrections() == [] and audit_log(wire).empty and orphaned(ex.incidents, ex.mentions, wire).empty
    assert set(audit_log(seeds)["incident_id"]) == {"inc-nyc", "inc-paris"}
    wire.hide("inc-nyc", user="bo")  # each corpus its own state: hiding again in the other is no error
    assert [c.incident_id for c in wire.corrections()] == ["inc-nyc"]
    # the same folder named another way is the same corpus
    again = CorrectionStore(db, corpus=str(tmp_path / "seeds" / ".." / "seeds"))
    assert len(again.corrections()) == 2


def test_a_database_written_by_the_previous_code_is_migrated_with_a_backup_first(tmp_path, ex):
    db = tmp_path / "corrections.sqlite"
    shutil.copy(FIXTURES / "corrections_v1.sqlite", db)
    with closing(sqlite3.connect(db)) as conn:
        assert schema_version(conn) == 1
    expected = {r["id"]: r for r in json.loads((FIXTURES / "corrections_v1.expected.json").read_text(encoding="utf-8"))}

    corpus = tmp_path / "corpus"
    store = CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions, corpus=corpus)
    backups = sorted(tmp_path.glob("corrections.sqlite.before-v2-*"))
    assert len(backups) == 1
    with closing(sqlite3.connect(backups[0])) as conn:
        assert schema_version(conn) == 1
        assert conn.execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 8
    with closing(connect(db)) as conn:
        assert schema_version(conn) == SCHEMA_VERSION
    assert len(store.corrections()) == 7  # the undone one stays undone
    out, _ = apply_corrections(ex.incidents, ex.mentions, store, include_hidden=True)
    assert set(out["id"]) == set(expected)
    for iid, old in expected.items():
        new = row(out, iid)
        for col in ("title", "type", "start", "end", "place", "country", "admin1", "lat", "lon", "sources", "n_mentions",
                    "killed", "injured", "hidden", "corrected", "corrected_by", "correction_note"):
            value = None if pd.isna(new[col]) else new[col]
            assert value == old[col], f"{iid}.{col}: {value!r} != {old[col]!r}"
    log = audit_log(store)
    assert set(log["user"]) == {"ana", "bob", "cy"} and len(log[log["action"] == "apply"]) >= 7
    # corrections now belong to the corpus: another one starts from what applied to it, and goes its own way
    other = CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions, corpus=tmp_path / "other")
    store.unhide("inc-unplaced", user="ana")
    assert row(apply_corrections(ex.incidents, ex.mentions, other, include_hidden=True)[0], "inc-unplaced")["hidden"]
    assert not row(apply_corrections(ex.incidents, ex.mentions, store, include_hidden=True)[0], "inc-unplaced")["hidden"]
    # opening again migrates nothing twice and backs up nothing more
    assert len(CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions, corpus=corpus).corrections()) == 8
    assert len(sorted(tmp_path.glob("corrections.sqlite.before-v2-*"))) == 1


# ------------------------------------------------------------------------------------------- follow the incident

def test_a_correction_follows_its_incident_when_a_new_article_changes_the_id(tmp_path, ex):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    store.edit("inc-madrid", {"title": "Madrid train bombings", "killed": 193, "injured": 2050}, user="ana")
    store.hide("inc-nyc", user="ana")
    incidents, mentions = with_precise_madrid(ex)
    out, ments = apply_corrections(incidents, mentions, store)
    madrid = row(out, "inc-madrid-0311")
    assert (madrid["title"], madrid["killed"], madrid["injured"]) == ("Madrid train bombings", 193, 2050)
    assert madrid["corrected"] and madrid["start"] == "2004-03-11"
    assert "inc-madrid" not in set(out["id"]) and "inc-nyc" not in set(out["id"])
    assert orphaned(incidents, mentions, store).empty
    moved = reanchored(incidents, mentions, store)
    assert list(zip(moved["incident_id"], moved["now"])) == [("inc-madrid", "inc-madrid-0311")]
    # later corrections land on the new id, and the old one keeps applying
    store.attach(incidents, mentions)
    store.edit("inc-madrid-0311", {"actors": "cell"}, user="ana")
    assert row(apply_corrections(incidents, mentions, store)[0], "inc-madrid-0311")["actors"] == "cell"


def test_merges_and_splits_follow_their_incidents_too(tmp_path, ex):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    store.merge("inc-madrid", "inc-nyc", user="ana")
    incidents, mentions = with_precise_madrid(ex)
    out, ments = apply_corrections(incidents, mentions, store)
    assert "inc-nyc" not in set(out["id"]) and "inc-madrid" not in set(out["id"])
    merged = row(out, "inc-madrid-0311")
    assert set(merged["sources"].split(";")) == {"c03", "d04"} and merged["n_mentions"] == 3
    assert orphaned(incidents, mentions, store).empty


def test_a_correction_that_cannot_follow_is_reported_as_orphaned(tmp_path, ex):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    store.edit("inc-madrid", {"killed": 193})
    incidents = ex.incidents[ex.incidents["id"] != "inc-madrid"]
    mentions = ex.mentions[ex.mentions["incident_id"] != "inc-madrid"]
    lost = orphaned(incidents, mentions, store)
    assert list(lost["incident_id"]) == ["inc-madrid"] and "no longer" in lost["reason"].iloc[0]


# ------------------------------------------------------------------------------------------- stale spreadsheets

def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_an_old_spreadsheet_never_reverts_newer_corrections(tmp_path, ex):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    alice_copy = read_csv(export_corrected_csv(store.corrected()[0]))
    assert "row_version" in alice_copy.columns
    store.edit("inc-paris", {"killed": 130, "injured": 413}, user="bob")  # after Alice exported
    current = store.corrected()[0]
    # Alice's untouched rows: nothing happens, Bob's figures stay
    report = import_corrected_csv(store, alice_copy.to_csv(index=False).encode(), current, user="alice")
    assert report.applied == [] and report.problems == []
    assert any("inc-paris" in w and "since" in w for w in report.warnings)
    # Alice edited the same row Bob changed: a conflict, shown with both sides, nothing applied
    at = {iid: i for i, iid in enumerate(alice_copy["id"])}
    alice_copy.loc[at["inc-paris"], "killed"] = "132"
    alice_copy.loc[at["inc-sinai"], "title"] = "Metrojet crash"  # a row nobody touched since: applied
    report = import_corrected_csv(store, alice_copy.to_csv(index=False).encode(), current, user="alice")
    assert report.changed_rows == 1
    conflict = [p for p in report.problems if "inc-paris" in p]
    assert len(conflict) == 1 and "changed in the atlas since" in conflict[0] and "bob" in conflict[0]
    assert "130" in conflict[0] and "132" in conflict[0]
    out = store.corrected()[0]
    assert (row(out, "inc-paris")["killed"], row(out, "inc-paris")["injured"]) == (130, 413)
    assert row(out, "inc-sinai")["title"] == "Metrojet crash"
    # a CSV without versions (exported before) cannot tell edits from stale values: refused whole
    with pytest.raises(ValueError, match="row_version"):
        import_corrected_csv(store, alice_copy.drop(columns=["row_version"]).to_csv(index=False).encode(), out)


# ------------------------------------------------------------------------------------------- undo and redo

def test_undo_withdraws_only_your_own_correction_unless_you_name_whose(tmp_path, ex):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    store.edit("inc-sinai", {"title": "by alice"}, user="alice")
    store.edit("inc-ankara", {"killed": 3}, user="bob")
    undone = store.undo_last(user="alice")
    assert undone.user == "alice" and undone.incident_id == "inc-sinai"
    out = store.corrected()[0]
    assert row(out, "inc-ankara")["killed"] == 3 and row(out, "inc-sinai")["title"] != "by alice"
    assert store.undo_last(user="alice") is None  # nothing more of hers; Bob's stays
    assert store.last_correction().user == "bob" and store.last_correction(author="alice") is None
    confirmed = store.undo_last(user="alice", author="bob")  # on purpose, naming whose
    assert confirmed.user == "bob" and store.corrections() == []
    log = audit_log(store)
    assert log[log["action"] == "undo"][["user", "incident_id"]].values.tolist() == [["alice", "inc-sinai"], ["alice", "inc-ankara"]]


def test_redo_brings_back_what_you_undid_until_you_correct_again(tmp_path, ex):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    store.edit("inc-sinai", {"title": "one"}, user="alice")
    store.edit("inc-sinai", {"title": "two"}, user="alice")
    store.undo_last(user="alice")
    store.undo_last(user="alice")
    assert store.redo_last(user="bob") is None  # Bob undid nothing
    assert store.redo_last(user="alice").payload["fields"] == {"title": "one"}
    assert row(store.corrected()[0], "inc-sinai")["title"] == "one"
    assert store.redo_last(user="alice").payload["fields"] == {"title": "two"}
    assert row(store.corrected()[0], "inc-sinai")["title"] == "two"
    assert store.redo_last(user="alice") is None
    store.undo_last(user="alice")
    store.edit("inc-sinai", {"title": "three"}, user="alice")  # a new correction ends the redo chain
    assert store.redo_last(user="alice") is None
    assert "redo" in set(audit_log(store)["action"])


def test_an_undo_in_another_session_is_seen_by_the_next_save(tmp_path, ex):
    db = tmp_path / "c.sqlite"
    mine = CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions)
    theirs = CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions)
    mine.hide("inc-desert", user="ana")
    mine.edit("inc-ankara", {"killed": 1}, user="ana")
    theirs.undo_last(user="ana", author="ana")
    theirs.undo_last(user="ana", author="ana")  # inc-desert is shown again
    mine.hide("inc-desert", user="ana")  # would be "already hidden" against a stale state
    assert [c.kind for c in mine.corrections()] == ["hide"]


# ------------------------------------------------------------------------------------------- store edge cases

def test_a_damaged_row_is_skipped_and_reported_not_a_crash(tmp_path, ex):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    store.edit("inc-ankara", {"killed": 3})
    with closing(connect(store.path)) as conn:
        seq = store.corrections()[0].seq
        conn.execute("INSERT INTO corrections(kind, incident_id, payload, user, at, note, corpus) "
                     "SELECT 'edit', 'inc-paris', '{\"killed\": 5}', user, at, '', corpus FROM corrections WHERE seq = ?", (seq,))
        conn.execute("INSERT INTO corrections(kind, incident_id, payload, user, at, note, corpus) "
                     "SELECT 'merge', 'inc-paris', 'not json', user, at, '', corpus FROM corrections WHERE seq = ?", (seq,))
    out, _ = apply_corrections(ex.incidents, ex.mentions, store)
    assert row(out, "inc-ankara")["killed"] == 3 and row(out, "inc-paris")["killed"] == 130
    lost = orphaned(ex.incidents, ex.mentions, store)
    assert len(lost) == 2 and lost["reason"].str.contains("damaged").all()
    store.edit("inc-sinai", {"killed": 225})  # saving still works past the damaged rows
    assert row(store.corrected()[0], "inc-sinai")["killed"] == 225


def test_disk_full_is_reported_as_disk_full(tmp_path, ex, monkeypatch):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    real = store_module.connect

    def full_disk(path, *args, **kwargs):
        conn = real(path, *args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(store_module, "connect", full_disk)
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        for i in range(200):
            store.edit("inc-sinai", {"title": f"{i} " + "x" * 1900}, note="y" * 1900)
    monkeypatch.setattr(store_module, "connect", real)
    store.edit("inc-sinai", {"killed": 1})  # and the store is fine once there is room
    assert store.corrections()[-1].payload["fields"] == {"killed": 1}


READ_ONLY_SCRIPT = textwrap.dedent("""
    import sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from conftest import synthetic_extraction
    from events.store import CorrectionStore, apply_corrections
    ex = synthetic_extraction({folder!r})
    store = CorrectionStore({db!r}, incidents=ex.incidents, mentions=ex.mentions)
    out, _ = apply_corrections(ex.incidents, ex.mentions, store)
    print("read_only", store.read_only)
    print("killed", int(out.loc[out["id"] == "inc-ankara", "killed"].iloc[0]))
    try:
        store.edit("inc-ankara", {{"killed": 4}})
        print("saved")
    except ValueError as exc:
        print("refused", exc)
""")


def run_on_read_only_folder(folder: Path, script: str) -> subprocess.CompletedProcess:
    """Run a Python script that sees `folder` read-only: a read-only bind mount in a private mount namespace when we
    are root (root writes through file modes), else the folder and its files made read-only."""
    if os.geteuid() == 0:
        probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
        if probe.returncode != 0:
            pytest.skip("running as root without mount namespaces: cannot make a read-only file system")
        command = (f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && '
                   f'exec "{sys.executable}" -c "$ATLAS_TEST_SCRIPT"')
        return subprocess.run(["unshare", "-m", "sh", "-c", command], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "ATLAS_TEST_SCRIPT": script})
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    try:
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    finally:
        folder.chmod(0o755)


def test_a_read_only_database_is_opened_read_only(tmp_path, ex):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "c.sqlite"
    store = CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions)
    store.edit("inc-ankara", {"killed": 3})
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    script = READ_ONLY_SCRIPT.format(root=str(ROOT), tests=str(ROOT / "tests"), folder=str(tmp_path), db=str(db))
    done = run_on_read_only_folder(folder, script)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "read_only True" and lines[1] == "killed 3"
    assert lines[2].startswith("refused") and "read-only" in lines[2]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize("damage", ["random", "truncated", "header"])
def test_cli_corrections_on_a_damaged_file_is_a_clean_message(tmp_path, ex, damage, capsys):
    from events.cli import _with_corrections
    from events.pipeline import Extraction

    db = tmp_path / "damaged.sqlite"
    if damage == "random":
        db.write_bytes(os.urandom(8192))
    elif damage == "header":
        db.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    else:
        good = CorrectionStore(tmp_path / "good.sqlite", incidents=ex.incidents, mentions=ex.mentions)
        good.edit("inc-ankara", {"killed": 3})
        with closing(sqlite3.connect(good.path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.write_bytes(good.path.read_bytes()[:3000])
    result = Extraction(ex.incidents, ex.mentions, ex.documents)
    with pytest.raises(SystemExit) as exit_info:
        _with_corrections(result, str(db), corpus=str(tmp_path))
    message = str(exit_info.value.code)
    assert message.startswith("error: corrections database") and str(db) in message
    assert "Traceback" not in capsys.readouterr().err


# ------------------------------------------------------------------------------------------- incremental saves

def test_a_save_applies_only_the_corrections_it_has_not_seen(tmp_path, ex, monkeypatch):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    for i in range(30):
        store.edit("inc-kobani", {"actors": f"a{i}"})
    calls = []
    real = store_module._apply_one
    monkeypatch.setattr(store_module, "_apply_one", lambda state, c: (calls.append(c.seq), real(state, c)))
    store.edit("inc-kobani", {"actors": "last"})
    assert len(calls) <= 2, f"a save replayed {len(calls)} corrections"
    other = CorrectionStore(store.path, incidents=ex.incidents, mentions=ex.mentions)
    other.edit("inc-kobani", {"actors": "from elsewhere"})
    calls.clear()
    store.edit("inc-kobani", {"killed": 2})  # sees the other session's correction, replays only that and its own
    assert len(calls) <= 3
    assert row(store.corrected()[0], "inc-kobani")["actors"] == "from elsewhere"


def test_correction_references_name_ids_and_the_mentions_followed(tmp_path, ex):
    from events.store import correction_references

    store = CorrectionStore(tmp_path / "c.sqlite", incidents=ex.incidents, mentions=ex.mentions)
    store.edit("inc-madrid", {"killed": 193})
    store.merge("inc-paris", "inc-beirut")
    ids, spans = correction_references(store.corrections())
    assert ids == {"inc-madrid", "inc-paris", "inc-beirut"}
    starts = {(d, s) for d, s, _ in spans}
    for iid in ids:
        part = ex.mentions[ex.mentions["incident_id"] == iid]
        assert set(zip(part["doc"], part["start"].astype(int))) <= starts
