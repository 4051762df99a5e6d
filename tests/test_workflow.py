"""The workflow's pure helpers (events/workflow.py): upload outcomes, form values -> changed fields, the ✎ mark,
audit rows, split choices."""

from __future__ import annotations

from datetime import date

import pandas as pd

from events import workflow
from events.corpus import AddedArticle
from events.store import CorrectionStore, ImportReport, audit_log

ARTICLE = b"A car bomb exploded in Kabul on 5 September 2019, killing 10 people.\n"


def test_uploads_report_each_file_and_a_bad_one_never_stops_the_others(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    results = workflow.add_uploads(corpus, [
        ("../../../etc/evil.txt", ARTICLE),
        ("empty.md", b""),
        ("photo.jpg", b"\xff\xd8\xff"),
        ("latin1.txt", "Caf\xe9 bomb in Paris on 1 May 2016.".encode("latin-1")),
        ("big.txt", b"x" * 2048),
        ("again.txt", ARTICLE),
        ("second.txt", b"A shooting in Lyon on 2 June 2016 killed 3.\n"),
    ], max_bytes=1024)
    assert [r.ok for r in results] == [True, False, False, False, False, False, True]
    assert results[0].file == "evil.txt" and (corpus / "evil.txt").is_file()
    assert not (tmp_path / "evil.txt").exists()
    reasons = [r.problem for r in results]
    assert "empty" in reasons[1] and "unsupported file type .jpg" in reasons[2] and "UTF-8" in reasons[3]
    assert "too large" in reasons[4] and "evil.txt" in reasons[5]
    assert workflow.outcome_text(results[0]) == "../../../etc/evil.txt: added (stored as evil.txt)"
    assert workflow.outcome_text(results[6]) == "second.txt: added"
    assert workflow.outcome_text(results[1]).startswith("empty.md: not added: ")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(workflow, "add_article", broken)
    [result] = workflow.add_uploads(corpus, [("x.txt", ARTICLE)])
    assert not result.ok and "disk on fire" in result.problem


def test_upload_limit_and_db_path_come_from_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", "2")
    monkeypatch.setenv("ATLAS_CORRECTIONS_DB", str(tmp_path / "x.sqlite"))
    assert workflow.max_upload_bytes() == 2 * 1024 * 1024
    assert workflow.corrections_path() == tmp_path / "x.sqlite"


def test_changed_fields_keeps_only_what_the_form_changed():
    row = {"title": "Attack in Paris", "type": "attack", "start": "2015-11-13", "end": "2015-11-13",
           "precision": "day", "date_text": "Friday", "killed": 132.0, "injured": pd.NA, "actors": None}
    same = {"title": "Attack in Paris ", "type": "attack", "start": date(2015, 11, 13), "end": date(2015, 11, 13),
            "precision": "day", "date_text": "Friday", "killed": 132, "injured": None, "actors": ""}
    assert workflow.changed_fields(row, same) == {}
    changed = dict(same, killed=130, end=date(2015, 11, 14), actors="ISIS", injured=None)
    assert workflow.changed_fields(row, changed) == {"killed": 130, "end": "2015-11-14", "actors": "ISIS"}
    assert workflow.changed_fields(row, dict(same, start=None, title="")) == {"start": None, "title": ""}


def test_mark_corrected_adds_a_second_column():
    table = pd.DataFrame({"id": ["a", "b"], "Incident": ["x", "y"]})
    incidents = pd.DataFrame({"id": ["a", "b"], "corrected": [False, True]})
    marked = workflow.mark_corrected(table, incidents)
    assert list(marked.columns) == ["id", workflow.CORRECTED_MARK, "Incident"]
    assert list(marked[workflow.CORRECTED_MARK]) == ["", workflow.CORRECTED_MARK]
    assert list(workflow.mark_corrected(table, incidents.drop(columns="corrected"))[workflow.CORRECTED_MARK]) == ["", ""]


def test_audit_rows_newest_first_with_before_and_after(tmp_path, extraction):
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=extraction.incidents, mentions=extraction.mentions)
    store.edit("inc-paris", {"killed": 131}, user="ana", note="per prosecutor")
    store.hide("inc-desert", user="bo")
    rows = workflow.audit_rows(audit_log(store))
    assert list(rows.columns) == ["#", "time", "user", "action", "incident", "field", "before", "after", "note"]
    assert list(rows["#"]) == [2, 1]
    assert list(rows["user"]) == ["bo", "ana"]
    assert rows.iloc[1][["field", "before", "after", "note"]].tolist() == ["killed", "130", "131", "per prosecutor"]
    assert list(rows["action"]) == ["hide", "edit"]
    assert workflow.audit_rows(None).empty


def test_mention_choices_and_labels(extraction):
    labels = {"a01": "Night of attacks in Paris — Daily Test (2015-11-14)"}
    choices = workflow.mention_choices(extraction.mentions, "inc-paris", labels, width=30)
    assert [c.key[0] for c in choices] == ["a01", "b02"]
    assert choices[0].label.startswith("Night of attacks in Paris — Dai") and choices[0].label.endswith("…")
    row = {"id": "x", "title": "Attack in Paris", "start": "2015-11-13", "place": "Paris"}
    assert workflow.incident_label(row) == "Attack in Paris · 2015-11-13 · Paris"
    assert workflow.incident_label({"id": "y", "title": "", "start": None}) == "y · undated"


def test_import_summary():
    assert workflow.import_summary(ImportReport()) == "no row changed"
    report = ImportReport(applied=[1], changed_rows=1, problems=["row 3, column 'start': bad"], warnings=["w"])
    assert workflow.import_summary(report) == "1 row changed; 1 problem (those rows were not applied); 1 warning"


def test_view_fingerprint_changes_with_filters_selection_and_corrections():
    from events.views import FilterState

    a = workflow.view_fingerprint(FilterState(), None, (1,))
    assert a == workflow.view_fingerprint(FilterState(), None, (1,))
    assert len({a, workflow.view_fingerprint(FilterState(text="x"), None, (1,)),
                workflow.view_fingerprint(FilterState(), ["inc-a"], (1,)),
                workflow.view_fingerprint(FilterState(), None, (1, 2))}) == 4


def test_gazetteer_search_ignores_accents_and_apostrophes_and_says_which_name_found_it():
    from events.gazetteer import Gazetteer

    gaz = Gazetteer.load()
    found = gaz.search_names("Ayn al Bayda", 5)  # written ‘Ayn al Bayḑā in the gazetteer
    assert found and found[0][0].name == "‘Ayn al Bayḑā" and found[0][1] == ""
    assert [p.name for p in gaz.search("ayn al bayda", 5)] == [p.name for p, _ in found]
    beijing, alternate = gaz.search_names("Peking", 3)[0]
    assert beijing.name == "Beijing" and alternate == "peking"
    assert workflow.written_name("Peking", beijing, alternate) == "Peking"  # the name the analyst searched
    assert workflow.written_name("  peki ", beijing, alternate) == "Peking"  # a prefix: the name it matched
    own, none = gaz.search_names("Beij", 1)[0]
    assert none == "" and workflow.written_name("Beij", own, none) == "Beijing"
    assert "(as Peking)" in workflow.place_label(beijing, {"CN": "China"}, alternate)


def test_place_corrections_keep_country_admin_area_precision_and_the_written_name(tmp_path, extraction):
    from events.gazetteer import Place
    from events.store import apply_corrections, place_fields

    beijing = Place("1816670", "Beijing", 39.9, 116.4, "CN", "Beijing", "city", 18960744)
    assert place_fields(beijing, written="Peking") == {
        "place": "Beijing", "country": "CN", "admin1": "Beijing", "lat": 39.9, "lon": 116.4, "geonameid": "1816670",
        "place_precision": "city", "place_written": "Peking"}
    store = CorrectionStore(tmp_path / "c.sqlite", incidents=extraction.incidents, mentions=extraction.mentions)
    store.set_place("inc-ankara", beijing, written="Peking")
    store.set_place("inc-paris", {"name": "Stade", "lat": 48.92, "lon": 2.36})  # a point: country and admin area kept
    out = apply_corrections(extraction.incidents, extraction.mentions, store)[0].set_index("id")
    assert out.loc["inc-ankara", ["place", "place_written", "country", "admin1", "place_precision"]].tolist() == \
        ["Beijing", "Peking", "CN", "Beijing", "city"]
    assert out.loc["inc-paris", ["place", "country", "admin1", "place_precision", "place_written"]].tolist() == \
        ["Stade", "FR", "Ile-de-France", "point", "Stade"]
