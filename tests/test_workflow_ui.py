"""The analyst workflow in dashboard.py under Streamlit's AppTest, with the real engine on a copy of seeds/:
adding articles (uploaded and pasted), editing, hiding, merging, adding by hand, the audit and the CSV import.

Each test gets its own corpus copy, extraction cache and corrections database (ATLAS_CACHE_DIR,
ATLAS_CORRECTIONS_DB); the gazetteer index is copied from the project cache when there is one, so a test does
not rebuild it.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from events import workflow
from events.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120
KABUL = ("A car bomb exploded in Kabul on 5 September 2019, killing 10 people and injuring 42, officials said. "
         "The blast hit a checkpoint near the diplomatic quarter.\n")


def prepare_workspace(tmp_path: Path, monkeypatch) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "seeds", corpus)
    cache = tmp_path / "cache"
    cache.mkdir()
    project_cache = Path(get_settings()["cache_dir"])
    for name in ("gazetteer-*.pickle",):
        for path in project_cache.glob(name):
            shutil.copy(path, cache / path.name)
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(cache))
    monkeypatch.setenv("ATLAS_CORRECTIONS_DB", str(tmp_path / "corrections.sqlite"))
    return corpus


@pytest.fixture()
def corpus(tmp_path, monkeypatch) -> Path:
    return prepare_workspace(tmp_path, monkeypatch)


def make_app(corpus: Path) -> AppTest:
    script = f"""
import sys
sys.path[:0] = [{str(ROOT)!r}]
import dashboard
dashboard.main(default_corpus={str(corpus)!r})
"""
    at = AppTest.from_string(script, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def incident_id(at: AppTest, title: str) -> str:
    frame = table(at)
    return frame.loc[frame["Incident"] == title, "id"].iloc[0]


def texts(at: AppTest, kind: str) -> list[str]:
    """Messages of one kind (success, error, ...) as plain text: the page escapes Markdown in what it echoes."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in getattr(at, kind)]


def pick(at: AppTest, iid: str) -> AppTest:
    at.selectbox(key="detail_pick").set_value(iid).run()
    assert not at.exception, at.exception
    return at


def test_uploaded_files_each_get_an_outcome_and_good_ones_join_the_table(corpus):
    at = make_app(corpus)
    before = len(table(at))
    at.file_uploader(key="wf_upload_0").set_value([
        ("../../kabul-blast.txt", KABUL.encode(), "text/plain"),
        ("empty.txt", b"   \n", "text/plain"),
        ("binary.txt", b"\x00\x01\x02" * 100, "text/plain"),
        ("copy.txt", (corpus / "002_26d6e7b5297b9625.txt").read_bytes(), "text/plain"),
    ])
    at.button(key="wf_upload_go").click().run()
    assert not at.exception, at.exception
    good = " ".join(texts(at, "success"))
    bad = " ".join(texts(at, "error"))
    assert "kabul" in good and "added" in good
    assert "empty" in bad and "empty file" in bad
    assert "binary" in bad
    assert "copy" in bad and "002_26d6e7b5297b9625" in bad  # names the duplicate
    # stored inside the corpus under a safe name, nothing written outside it
    assert (corpus / "kabul-blast.txt").is_file()
    assert not (corpus.parent / "kabul-blast.txt").exists() and not (corpus.parent.parent / "kabul-blast.txt").exists()
    frame = table(at)
    assert len(frame) > before
    kabul = frame[frame["Place"] == "Kabul"]
    assert len(kabul) == 1 and int(kabul["Killed"].iloc[0]) == 10
    assert at.file_uploader(key="wf_upload_1").value == []  # a fresh, empty uploader


def test_pasted_article_form(corpus):
    at = make_app(corpus)
    at.text_input(key="wf_paste_title").set_value("Blast in Kabul")
    at.text_input(key="wf_paste_date").set_value("2019-13-40")
    at.text_area(key="wf_paste_text").set_value(KABUL)
    at.button(key="wf_paste_go").click().run()
    assert "not YYYY-MM-DD" in " ".join(texts(at, "error"))
    assert not (corpus / "Blast_in_Kabul.txt").exists()
    at.text_input(key="wf_paste_date").set_value("2019-09-06")
    at.text_input(key="wf_paste_publisher").set_value("Test Wire")
    at.button(key="wf_paste_go").click().run()
    assert not at.exception, at.exception
    assert any("added" in s for s in texts(at, "success"))
    manifest = (corpus / "manifest.csv").read_text()
    assert "Blast in Kabul,Test Wire,2019-09-06" in manifest
    assert "Kabul" in set(table(at)["Place"])


def test_edit_is_saved_marked_and_shown_in_the_table(corpus):
    at = make_app(corpus)
    iid = incident_id(at, "Attack in Paris")
    pick(at, iid)
    at.text_input(key=f"wf_e_title_{iid}").set_value("Paris attacks (corrected)")
    at.number_input(key=f"wf_e_killed_{iid}").set_value(130)
    at.text_input(key=f"wf_e_note_{iid}").set_value("per prosecutor")
    at.button(key=f"wf_edit_go_{iid}").click().run()
    assert not at.exception, at.exception
    assert any("Saved" in s for s in texts(at, "success"))
    row = table(at).set_index("id").loc[iid]
    assert row["Incident"] == "Paris attacks (corrected)" and int(row["Killed"]) == 130
    assert row[workflow.CORRECTED_MARK] == workflow.CORRECTED_MARK
    # a refused value is a message, not a traceback
    at.date_input(key=f"wf_e_end_{iid}").set_value("2015-11-01")
    at.button(key=f"wf_edit_go_{iid}").click().run()
    assert not at.exception
    assert any("end 2015-11-01 is before start" in e for e in texts(at, "error"))


def test_place_from_the_gazetteer(corpus):
    at = make_app(corpus)
    iid = incident_id(at, "Attack in Ankara")
    pick(at, iid)
    at.text_input(key=f"wf_place_{iid}_q").set_value("Izmir").run()
    choice = next(s for s in at.selectbox if (s.key or "").startswith(f"wf_place_{iid}_pick"))
    assert choice.value and choice.options[0].startswith("Izmir") and "Turkey" in choice.options[0]
    at.button(key=f"wf_place_go_{iid}").click().run()
    assert not at.exception, at.exception
    row = table(at).set_index("id").loc[iid]
    assert row["Place"] == "Izmir" and row[workflow.CORRECTED_MARK]


def test_hide_and_unhide(corpus):
    at = make_app(corpus)
    total = len(table(at))
    iid = incident_id(at, "Attack in Saudi Arabia")
    pick(at, iid)
    at.text_input(key=f"wf_hide_note_{iid}").set_value("not an incident")
    at.button(key=f"wf_hide_go_{iid}").click().run()
    assert not at.exception, at.exception
    assert iid not in set(table(at)["id"]) and len(table(at)) == total - 1
    assert any(e.label == "Hidden incidents (1)" for e in at.expander)
    at.selectbox(key="wf_unhide_pick").set_value(iid)
    at.button(key="wf_unhide_go").click().run()
    assert iid in set(table(at)["id"]) and len(table(at)) == total


def test_merge_two_incidents(corpus):
    at = make_app(corpus)
    total = len(table(at))
    keep, other = incident_id(at, "Recapture of Sinjar"), incident_id(at, "Recapture of Kweres")
    pick(at, keep)
    at.selectbox(key=f"wf_merge_{keep}").set_value(other)
    at.button(key=f"wf_merge_go_{keep}").click().run()
    assert not at.exception, at.exception
    frame = table(at)
    assert len(frame) == total - 1 and other not in set(frame["id"])
    assert frame.set_index("id").loc[keep, workflow.CORRECTED_MARK]


def test_add_by_hand_and_audit_rows(corpus):
    at = make_app(corpus)
    total = len(table(at))
    at.text_input(key="wf_add_title").set_value("Shooting at a checkpoint")
    at.selectbox(key="wf_add_type").set_value("shooting")
    at.selectbox(key="wf_add_doc").set_value("002_26d6e7b5297b9625")
    at.date_input(key="wf_add_start").set_value("2015-11-15")
    at.number_input(key="wf_add_killed").set_value(2)
    at.radio(key="wf_add_place_mode").set_value("Coordinates").run()
    at.text_input(key="wf_add_place_name").set_value("Prague")
    at.number_input(key="wf_add_place_lat").set_value(50.08)
    at.number_input(key="wf_add_place_lon").set_value(14.42).run()
    at.button(key="wf_add_go").click().run()
    assert not at.exception, at.exception
    frame = table(at)
    assert len(frame) == total + 1
    added = frame[frame["Incident"] == "Shooting at a checkpoint"].iloc[0]
    assert added["id"].startswith("man-") and added["Place"] == "Prague" and int(added["Killed"]) == 2
    # the audit lists it, with who and when
    audit = next(d.value for d in at.dataframe if "before" in d.value.columns)
    assert list(audit.columns[:4]) == ["#", "time", "user", "action"]
    assert (audit["action"] == "add").sum() == 1 and audit["user"].iloc[0]
    assert any(e.label == "Audit (1 correction, 1 row)" for e in at.expander)
    # a missing title is refused with a message
    at.selectbox(key="wf_add_type").set_value("shooting")
    at.button(key="wf_add_go").click().run()
    assert any("title" in w for w in texts(at, "warning"))


def test_csv_import_report(corpus):
    at = make_app(corpus)
    frame = table(at)
    paris, ankara = incident_id(at, "Attack in Paris"), incident_id(at, "Attack in Ankara")
    from events.store import export_corrected_csv

    # the analyst's copy: the exported corrected table, edited in a spreadsheet
    from events.pipeline import load_or_extract

    incidents = load_or_extract(corpus).incidents
    edited = pd.read_csv(io.BytesIO(export_corrected_csv(incidents)), dtype=str, keep_default_na=False)
    edited.loc[edited["id"] == paris, "killed"] = "131"
    edited.loc[edited["id"] == ankara, "start"] = "last autumn"
    data = edited.to_csv(index=False).encode("utf-8")
    at.file_uploader(key="wf_csv_0").set_value(("incidents.csv", data, "text/csv"))
    at.button(key="wf_csv_go").click().run()
    assert not at.exception, at.exception
    summary = " ".join(texts(at, "warning") + texts(at, "success"))
    assert "CSV import: 1 row changed; 1 problem" in summary
    report = next(d.value for d in at.dataframe if list(d.value.columns) == ["kind", "message"])
    assert any("row" in m and "'start'" in m for m in report["message"])
    assert int(table(at).set_index("id").loc[paris, "Killed"]) == 131
    assert len(frame) == len(table(at))


def test_split_mentions_off_and_undo(corpus):
    at = make_app(corpus)
    total = len(table(at))
    iid = incident_id(at, "Recapture of Kobani")
    pick(at, iid)
    split = at.multiselect(key=f"wf_split_{iid}")
    assert len(split.options) == 2
    from events.pipeline import load_or_extract

    mention = load_or_extract(corpus).mentions.query("incident_id == @iid").iloc[0]
    at.multiselect(key=f"wf_split_{iid}").set_value([f"{mention['doc']}|{int(mention['start'])}"])
    at.text_input(key=f"wf_split_title_{iid}").set_value("Kobani, another battle")
    at.button(key=f"wf_split_go_{iid}").click().run()
    assert not at.exception, at.exception
    frame = table(at)
    assert len(frame) == total + 1 and "Kobani, another battle" in set(frame["Incident"])
    at.button(key="wf_undo").click().run()
    assert not at.exception
    assert len(table(at)) == total and any("Undone: split" in s for s in texts(at, "success"))


# ------------------------------------------------------------------------------------------- issues 10 and 12

def store_for(corpus: Path):
    from events.store import CorrectionStore

    return CorrectionStore(get_settings()["corrections_db"], corpus=corpus)


def test_place_search_ignores_accents_and_keeps_what_the_analyst_wrote(corpus):
    at = make_app(corpus)
    iid = incident_id(at, "Attack in Ankara")
    pick(at, iid)
    at.text_input(key=f"wf_place_{iid}_q").set_value("Ayn al Bayda").run()
    choice = next(s for s in at.selectbox if (s.key or "").startswith(f"wf_place_{iid}_pick"))
    assert choice.options and choice.options[0].startswith("‘Ayn al Bayḑā")
    at.text_input(key=f"wf_place_{iid}_q").set_value("Peking").run()  # an alternate name of Beijing
    choice = next(s for s in at.selectbox if (s.key or "").startswith(f"wf_place_{iid}_pick") and s.options
                  and "Beijing" in s.options[0])
    assert "(as Peking)" in choice.options[0]
    at.button(key=f"wf_place_go_{iid}").click().run()
    assert not at.exception, at.exception
    from events.pipeline import load_or_extract
    from events.store import apply_corrections

    ex = load_or_extract(corpus)
    moved = apply_corrections(ex.incidents, ex.mentions, store_for(corpus))[0].set_index("id").loc[iid]
    assert moved[["place", "place_written", "country", "admin1", "place_precision"]].tolist() == \
        ["Beijing", "Peking", "CN", "Beijing", "city"]
    assert table(at).set_index("id").loc[iid, workflow.CORRECTED_MARK]


def test_moving_by_coordinates_keeps_the_country_and_admin_area(corpus):
    at = make_app(corpus)
    iid = incident_id(at, "Attack in Ankara")
    pick(at, iid)
    at.radio(key=f"wf_place_{iid}_mode").set_value("Coordinates").run()
    assert at.text_input(key=f"wf_place_{iid}_country").value == "TR"
    at.text_input(key=f"wf_place_{iid}_name").set_value("Station square")
    at.number_input(key=f"wf_place_{iid}_lat").set_value(39.94)
    at.number_input(key=f"wf_place_{iid}_lon").set_value(32.84).run()
    at.button(key=f"wf_place_go_{iid}").click().run()
    assert not at.exception, at.exception
    fields = store_for(corpus).corrections()[-1].payload["fields"]
    assert fields["place"] == "Station square" and fields["place_precision"] == "point"
    assert "country" not in fields or fields["country"] == "TR"
    from events.store import apply_corrections
    from events.pipeline import load_or_extract

    ex = load_or_extract(corpus)
    moved = apply_corrections(ex.incidents, ex.mentions, store_for(corpus))[0].set_index("id").loc[iid]
    assert moved["country"] == "TR" and moved["admin1"] and moved["place_written"] == "Station square"


def test_a_correction_that_no_longer_applies_is_said_on_the_page(corpus):
    store_for(corpus).edit("inc-0000000000", {"killed": 5}, user="ana")
    at = make_app(corpus)
    page = [w.value for w in at.main.warning]
    assert any("no longer appl" in w and "inc-0000000000" in w.replace("\\", "") for w in page), page


def test_a_read_only_database_is_shown_read_only(corpus, monkeypatch):
    import sqlite3

    from events import store as store_module

    at = make_app(corpus)
    iid = incident_id(at, "Attack in Ankara")
    store_for(corpus).edit(iid, {"killed": 7}, user="ana")

    def read_only(path):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(store_module, "connect", read_only)
    import dashboard_workflow

    dashboard_workflow.corrections_store.clear()  # the store is a cached resource: open it again
    at = make_app(corpus)
    assert any("read-only" in i for i in texts(at, "info"))
    assert int(table(at).set_index("id").loc[iid, "Killed"]) == 7  # shown as corrected
    pick(at, iid)
    at.text_input(key=f"wf_e_title_{iid}").set_value("A new title")
    at.button(key=f"wf_edit_go_{iid}").click().run()
    assert any("read-only" in e for e in texts(at, "error"))


def test_undo_is_your_own_unless_you_confirm_whose_and_redo_brings_it_back(corpus):
    at = make_app(corpus)
    iid = incident_id(at, "Attack in Ankara")
    store_for(corpus).edit(iid, {"killed": 7}, user="alice")
    at.text_input(key="wf_user").set_value("bob").run()
    assert int(table(at).set_index("id").loc[iid, "Killed"]) == 7
    assert at.button(key="wf_undo").disabled  # Bob has nothing of his own to undo
    at.checkbox(key="wf_undo_other_ok").check().run()
    at.button(key="wf_undo_other").click().run()
    assert not at.exception, at.exception
    assert any("Undone" in s and "alice" in s for s in texts(at, "success"))
    killed = table(at).set_index("id").loc[iid, "Killed"]
    assert pd.isna(killed) or str(killed) != "7"
    at.button(key="wf_redo").click().run()
    assert any("Redone" in s for s in texts(at, "success"))
    assert int(table(at).set_index("id").loc[iid, "Killed"]) == 7
