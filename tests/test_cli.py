"""The `events` command line on the seeds and on a single file, as a user runs it."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from events.cli import main


def test_extract_writes_incidents_and_mentions_by_extension(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    for suffix in (".csv", ".json", ".parquet"):
        out = tmp_path / f"incidents{suffix}"
        assert main(["extract", "seeds", "--out", str(out), "--workers", "1"]) == 0
        assert out.exists() and (tmp_path / f"incidents.mentions{suffix}").exists()
    table = pd.read_csv(tmp_path / "incidents.csv")
    required = "id,title,type,start,end,precision,place,country,admin1,lat,lon,sources,killed,injured,actors,evidence"
    assert set(required.split(",")) <= set(table.columns)
    assert len(table) >= 6
    assert json.loads((tmp_path / "incidents.json").read_text())[0]["id"].startswith("inc-")


def test_extract_rejects_unknown_extension_and_missing_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(SystemExit, match="csv, .json or .parquet"):
        main(["extract", "seeds", "--out", str(tmp_path / "x.xlsx"), "--workers", "1"])
    with pytest.raises(SystemExit, match="does not exist"):
        main(["extract", str(tmp_path / "nope"), "--out", str(tmp_path / "x.csv")])


def test_timex_on_a_file_with_reference(tmp_path, capsys):
    article = tmp_path / "quake.txt"
    article.write_text("A strong earthquake struck on Monday, a week after floods on 30 January 2023.", encoding="utf-8")
    assert main(["timex", str(article), "--reference", "2023-02-07"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    text = article.read_text(encoding="utf-8")
    assert {r["value"] for r in rows} >= {"2023-02-06", "2023-01-30"}
    for r in rows:
        assert text[r["start"]:r["end"]] == r["text"] and set(r) >= {"from", "to", "precision"}


def test_timex_and_geoparse_on_a_corpus_carry_doc_ids(capsys):
    assert main(["timex", "seeds"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and all("doc" in r for r in rows)
    assert main(["geoparse", "seeds"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"doc", "start", "end", "text", "name", "lat", "lon", "country", "geonameid"} <= set(rows[0])
    assert any(r["country"] == "FR" for r in rows)


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "events.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "extract" in out.stdout


def test_export_applies_the_analysts_corrections(tmp_path, capsys):
    from events.pipeline import load_or_extract
    from events.store import CorrectionStore

    ex = load_or_extract("seeds")
    paris = ex.incidents.loc[ex.incidents["title"] == "Attack in Paris", "id"].iloc[0]
    db = tmp_path / "c.sqlite"
    CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions, corpus="seeds").edit(paris, {"title": "Paris attacks", "killed": 130})
    out = tmp_path / "view.csv"
    assert main(["export", "seeds", "--format", "csv", "--out", str(out), "--corrections", str(db)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "Paris attacks" in text and "applied corrections" in capsys.readouterr().err
    assert main(["export", "seeds", "--format", "csv", "--out", str(out), "--corrections", "none"]) == 0
    assert "Paris attacks" not in out.read_text(encoding="utf-8-sig")
    with pytest.raises(SystemExit, match="no corrections database"):
        main(["export", "seeds", "--format", "csv", "--out", str(out), "--corrections", str(tmp_path / "nope.sqlite")])
