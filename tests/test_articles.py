"""Corpora that are not one folder: a glob of article files, a Parquet or JSON-lines table of articles."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from events.articles import open_corpus
from events.cli import main

ROWS = [
    {"id": "tbl-1", "title": "Floods in Dhaka", "publisher": "Test Wire", "published": "2020-07-21", "url": "https://example.org/1",
     "text": "Floods hit Dhaka on 20 July 2020, killing 12 people, officials said."},
    {"id": "tbl-2", "title": "", "publisher": "Test Wire", "published": "",
     "text": "Lima, 3 March 2016 - A landslide buried a road near Lima on 2 March 2016."},
    {"id": "tbl-3", "title": "Quake", "publisher": "", "published": "2019-13-40",
     "text": "An earthquake struck Padang on 1 October 2009."},
]


def write_jsonl(path, rows, extra_lines=()):
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        for line in extra_lines:
            out.write(line + "\n")
    return path


def test_a_jsonl_table_reads_like_a_folder_and_reports_bad_rows(tmp_path):
    bad = ['{"id": "tbl-4", "text": ""}', "not json at all", '["a", "list"]', json.dumps(ROWS[0]),
           json.dumps({"id": "tbl-5", "text": ROWS[0]["text"]}), json.dumps({"text": "no id here"})]
    corpus = open_corpus(write_jsonl(tmp_path / "articles.jsonl", ROWS, bad))
    docs = corpus.by_id()
    assert list(docs) == ["tbl-1", "tbl-2", "tbl-3"]
    assert docs["tbl-1"].published == date(2020, 7, 21) and docs["tbl-1"].date_source == "manifest"
    assert docs["tbl-1"].url == "https://example.org/1" and docs["tbl-1"].title == "Floods in Dhaka"
    assert docs["tbl-2"].title.startswith("Lima, 3 March 2016") and docs["tbl-2"].published is not None  # inferred
    assert docs["tbl-3"].date_source != "manifest"
    reasons = {p.file: p.reason for p in corpus.problems}
    assert any("row 3" in f and "not YYYY-MM-DD" in r for f, r in reasons.items())
    assert any("row 4" in f and "empty 'text'" in r for f, r in reasons.items())
    assert any("row 5" in f and "not a JSON object" in r for f, r in reasons.items())
    assert any("row 6" in f and "a list" in r for f, r in reasons.items())
    assert any("row 7" in f and "appears twice" in r for f, r in reasons.items())
    assert any("row 8" in f and "same text as tbl-1" in r for f, r in reasons.items())
    assert any("row 9" in f and "empty 'id'" in r for f, r in reasons.items())


def test_a_parquet_table_gives_the_same_documents(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", ROWS)
    pd.DataFrame(ROWS).to_parquet(tmp_path / "a.parquet", index=False)
    from_json, from_parquet = open_corpus(tmp_path / "a.jsonl"), open_corpus(tmp_path / "a.parquet")
    strip = lambda c: [(d.doc_id, d.text, d.title, d.publisher, d.published, d.url, d.sha256) for d in c.documents]  # noqa: E731
    assert strip(from_json) == strip(from_parquet)
    pd.DataFrame({"name": ["x"], "body": ["y"]}).to_parquet(tmp_path / "wrong.parquet")
    wrong = open_corpus(tmp_path / "wrong.parquet")
    assert wrong.documents == [] and "no 'id' or 'text' column" in wrong.problems[0].reason
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    assert "not a readable Parquet file" in open_corpus(tmp_path / "broken.parquet").problems[0].reason


def test_a_glob_reads_several_folders_with_their_manifests(tmp_path):
    for month, text in (("2021-01", "A bomb exploded in Mosul on 4 January 2021."),
                        ("2021-02", "Gunmen attacked a bus near Quetta on 9 February 2021.")):
        folder = tmp_path / month
        folder.mkdir()
        (folder / f"r-{month}.txt").write_text(text, encoding="utf-8")
        (folder / "manifest.csv").write_text(f"file,title,publisher,published,url\nr-{month}.txt,Report,Wire,{month}-15,\n")
    (tmp_path / "2021-02" / "r-2021-01.txt").write_text("Another text with the same id.", encoding="utf-8")
    corpus = open_corpus(str(tmp_path / "2021-*" / "*.txt"))
    assert [d.doc_id for d in corpus.documents] == ["r-2021-01", "r-2021-02"]
    assert corpus.by_id()["r-2021-02"].published == date(2021, 2, 15)
    assert any("same document id" in p.reason for p in corpus.problems)
    with pytest.raises(FileNotFoundError, match="no article files"):
        open_corpus(str(tmp_path / "*.pdf"))
    with pytest.raises(FileNotFoundError, match="is a file, not a corpus"):
        open_corpus(tmp_path / "2021-01" / "manifest.csv")


def test_extract_command_reads_a_table_and_writes_a_dataset(tmp_path, monkeypatch, capsys):
    from events.gazetteer import Gazetteer
    from events.settings import get_settings

    Gazetteer.load()  # built once in the default cache, copied (not rebuilt) into this test's cache
    (tmp_path / "cache").mkdir()
    for path in Path(get_settings()["cache_dir"]).glob("gazetteer-*.pickle"):
        (tmp_path / "cache" / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ATLAS_SCHEDULER", "")
    table = write_jsonl(tmp_path / "articles.jsonl", ROWS)
    assert main(["extract", str(table), "--out", str(tmp_path / "atlas")]) == 0
    assert "Parquet by month" in capsys.readouterr().err
    assert (tmp_path / "atlas" / "atlas.json").is_file() and (tmp_path / "atlas" / "incidents.duckdb").is_file()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit, match="not an incident dataset"):
        main(["extract", str(table), "--out", str(tmp_path / "mine")])
