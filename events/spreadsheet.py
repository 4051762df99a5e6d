"""Cells that a spreadsheet would run as formulas, made inert the OWASP way (and restored on import).

Article text, manifest publishers and analysts' corrections reach CSV exports; a cell starting with `=`, `+`, `-`,
`@`, a tab or a carriage return is a formula to Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)` beacons,
`+cmd|' /C calc'!A0`). Such text cells get a leading apostrophe, which spreadsheets show as a text marker; numbers
(`-12`, `-33.8000`) stay numbers. Text that itself starts with apostrophes before a formula character gets one
more, so `restore_formula` undoes `neutralise_formula` exactly and a corrected table imports as it was exported.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")


def _is_formula(text: str) -> bool:
    bare = text.lstrip("'")
    return bare.startswith(FORMULA_START) and not _NUMBER.fullmatch(bare)


def neutralise_formula(value: Any) -> Any:
    """`value` with an apostrophe in front when a spreadsheet would read it as a formula; anything else unchanged."""
    if isinstance(value, str) and _is_formula(value):
        return "'" + value
    return value


def restore_formula(value: Any) -> Any:
    """The text `neutralise_formula` was given (its inverse on every string)."""
    if isinstance(value, str) and value.startswith("'") and _is_formula(value[1:]):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells are neutralised (numeric columns untouched)."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(neutralise_formula, na_action="ignore")
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with `neutralise_frame` undone."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(restore_formula, na_action="ignore")
    return out
