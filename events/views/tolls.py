"""Casualty figures no more certain than their sources: "129–132 (sources differ)" where documents disagree, the
qualifier kept ("at least 2,000"), the lowest reported figure where one number must be chosen (ACLED's rule), and
an empty cell, never "None", where nothing was reported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

QUALIFIERS = ("at least", "more than", "over", "about", "around", "nearly", "almost", "up to", "at most", "some")
_REPORT = re.compile(r"^(?:(?P<q>[A-Za-z][A-Za-z ]*?)\s+)?(?P<n>\d[\d,]*)\s*(?:\((?P<docs>[^)]*)\)|@\s*(?P<at>.+))$")
SOURCES_DIFFER = "sources differ"


@dataclass(frozen=True)
class Report:
    """One reported figure, its qualifier ("at least", or "") and the documents that report it."""

    figure: int
    qualifier: str
    docs: tuple[str, ...]

    def text(self) -> str:
        return f"{self.qualifier} {self.figure:,}".strip()


def parse_report_list(text: Any) -> list[Report]:
    """'at least 129 (003); 132 (000, 001)' -> [Report(129, 'at least', ('003',)), Report(132, '', ('000', '001'))],
    by figure; also reads 'figure@doc;...'. Anything unreadable is skipped."""
    if not isinstance(text, str) or not text.strip():
        return []
    merged: dict[tuple[int, str], list[str]] = {}
    for part in text.split(";"):
        m = _REPORT.match(part.strip())
        if not m:
            continue
        figure = int(m.group("n").replace(",", ""))
        qual = (m.group("q") or "").strip().lower()
        docs = [d.strip() for d in (m.group("docs") if m.group("docs") is not None else m.group("at")).split(",")
                if d.strip()]
        listed = merged.setdefault((figure, qual), [])
        listed.extend(d for d in docs if d not in listed)
    return [Report(f, q, tuple(d)) for (f, q), d in sorted(merged.items())]


def _number(value: Any) -> float:
    if value is None or value is pd.NA:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


@dataclass(frozen=True)
class Toll:
    """What the sources say about one figure of one incident: lowest and highest report, the qualifier."""

    low: float = math.nan
    high: float = math.nan
    qualifier: str = ""

    @property
    def known(self) -> bool:
        return not math.isnan(self.low)

    @property
    def differs(self) -> bool:
        return self.known and self.high != self.low

    def text(self, differ_note: bool = True) -> str:
        """'129–132 (sources differ)', 'at least 2,000', '43' or '' (nothing reported)."""
        if not self.known:
            return ""
        if self.differs:
            span = f"{int(self.low):,}–{int(self.high):,}"
            return f"{span} ({SOURCES_DIFFER})" if differ_note else span
        return f"{self.qualifier} {int(self.low):,}".strip()


def _each_sources_figure(found: list[Report], best: float = math.nan) -> list[Report]:
    """The figure each document tells: one story giving "a girl was killed" and "four militants were killed", or a
    toll and its later rise, tells one figure (`casualties.story_figure`), so only figures of different documents
    differ. A document that reports the engine's best figure tells that one; another, its highest."""
    told: dict[str, int] = {}
    for r in found:
        for d in r.docs:
            told[d] = max(told.get(d, r.figure), r.figure)
    for r in found:
        if r.figure == best:
            told.update((d, r.figure) for d in r.docs)
    kept = [r for r in found if not r.docs or any(told[d] == r.figure for d in r.docs)]
    return kept or found


def toll(best: Any, reports: Any = "", qualifier: Any = "") -> Toll:
    """The toll of one figure from the engine's best figure, its reports string and its qualifier. A best figure
    that no report gives (an analyst corrected it) stands alone."""
    found = parse_report_list(reports)
    qual = qualifier if isinstance(qualifier, str) else ""
    value = _number(best)
    if found and not math.isnan(value) and value not in {r.figure for r in found}:
        found = []  # a figure no source reports was set by an analyst's correction: it is the figure shown
    if found:
        found = _each_sources_figure(found, value)
        figures = [r.figure for r in found]
        quals = {r.qualifier for r in found}
        if len(set(figures)) == 1 and not qual:
            qual = quals.pop() if len(quals) == 1 else ""
        return Toll(float(min(figures)), float(max(figures)), qual.strip())
    return Toll(value, value, qual.strip()) if not math.isnan(value) else Toll()


def toll_columns(best: pd.Series, reports: pd.Series | None, qualifiers: pd.Series | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """`toll` for whole columns: (lowest figures, highest figures, texts) - NaN and '' where nothing is known.

    Only rows with a reports string are parsed one by one; the others read the best figure column-wise."""
    n = len(best)
    num = pd.to_numeric(pd.Series(best), errors="coerce")
    low = pd.array(num, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    high = low.copy()
    rep = (pd.Series(reports).astype("string").fillna("").to_numpy(dtype=object) if reports is not None
           else np.full(n, "", dtype=object))
    qual = (pd.Series(qualifiers).astype("string").fillna("").to_numpy(dtype=object) if qualifiers is not None
            else np.full(n, "", dtype=object))
    texts = ["" if math.isnan(v) else f"{q} {int(v):,}".strip() for v, q in zip(low.tolist(), qual.tolist())]
    for i in np.flatnonzero(rep != "").tolist():
        t = toll(low[i], rep[i], qual[i])
        low[i], high[i], texts[i] = t.low, t.high, t.text()
    return low, high, texts


def casualty_phrase(killed: Toll, injured: Toll) -> str:
    """'129–132 killed (sources differ), at least 2,000 injured', or 'no figures'."""
    parts = []
    for t, word in ((killed, "killed"), (injured, "injured")):
        if t.known:
            parts.append(f"{t.text(differ_note=False)} {word}" + (f" ({SOURCES_DIFFER})" if t.differs else ""))
    return ", ".join(parts) or "no figures"


def casualty_phrases(killed: Sequence[str], injured: Sequence[str]) -> list[str]:
    """Column-wise `casualty_phrase` from the toll texts of `toll_columns`."""
    out = []
    for k, i in zip(killed, injured):
        parts = [_phrase(k, "killed"), _phrase(i, "injured")]
        out.append(", ".join(p for p in parts if p) or "no figures")
    return out


def _phrase(text: str, word: str) -> str:
    if not text:
        return ""
    note = f" ({SOURCES_DIFFER})"
    if text.endswith(note):
        return f"{text[: -len(note)]} {word}{note}"
    return f"{text} {word}"
