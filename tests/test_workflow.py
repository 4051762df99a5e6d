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
