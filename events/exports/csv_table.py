"""`csv`: the filtered incident table as UTF-8 CSV, every column of `pipeline.INCIDENT_COLUMNS`, formulas neutralised."""

from __future__ import annotations


import pandas as pd

from events.exports.common import ExportRequest
from events.pipeline import INCIDENT_COLUMNS
from events.spreadsheet import neutralise_frame


def to_csv(incidents: pd.DataFrame) -> bytes:
    """The incident table as UTF-8 CSV, its columns in `pipeline.INCIDENT_COLUMNS` order."""
    columns = [c for c in INCIDENT_COLUMNS if c in incidents.columns]
    columns += [c for c in incidents.columns if c not in columns and not str(c).startswith("_")]
    return neutralise_frame(incidents[columns]).to_csv(index=False, lineterminator="\r\n").encode("utf-8")  # no cell runs as a formula


def export(request: ExportRequest) -> bytes:
    return to_csv(request.incidents)
