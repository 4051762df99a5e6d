"""Evidence in context: the sentence a mention came from with its neighbours, as escaped Markdown, and the
incident table as analysts read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$&:^=\"'])")


def escape_markdown(text: str) -> str:
    """Article text as literal Markdown: every character Markdown or HTML could act on is backslash-escaped."""
    text = _MD_SPECIAL.sub(r"\\\1", str(text))
    # line starts that could open a block (lists "1)", quotes, headings) are covered above; collapse blank runs
    return re.sub(r"\n{3,}", "\n\n", text)


@dataclass(frozen=True)
class Context:
    before: str
    sentence: str
    after: str


def context_window(text: str, start: int, end: int, sentences: int = 2) -> Context:
    """The sentence at text[start:end] with up to `sentences` sentences either side (within its paragraph run)."""
    from events.sentences import split_sentences

    start = max(0, min(int(start), len(text)))
    end = max(start, min(int(end), len(text)))
    lo_window = max(0, start - 1500)
    hi_window = min(len(text), end + 1500)
    before_text = text[lo_window:start]
    after_text = text[end:hi_window]
    before_sents = split_sentences(before_text)
    after_sents = split_sentences(after_text)
    if lo_window > 0 and before_sents:  # the first piece is likely cut mid-sentence
        before_sents = before_sents[1:]
    if hi_window < len(text) and after_sents:
        after_sents = after_sents[:-1]
    lead = before_sents[-sentences:] if sentences else []
    tail = after_sents[:sentences] if sentences else []
    before = before_text[lead[0].start:].strip() if lead else ""
    after = after_text[: tail[-1].end].strip() if tail else ""
    return Context(before=before, sentence=text[start:end].strip(), after=after)


def context_markdown(ctx: Context) -> str:
    """Safe Markdown for a context window: the evidence sentence highlighted, everything escaped."""
    parts = []
    if ctx.before:
        parts.append(escape_markdown(ctx.before) + " ")
    parts.append(":orange-background[**" + escape_markdown(ctx.sentence) + "**]")
    if ctx.after:
        parts.append(" " + escape_markdown(ctx.after))
    return "".join(parts).replace("\n", "  \n")


# every column `table_view` reads (the fallbacks of older tables included): a page of the table read from a large
# dataset asks for these only (tests/test_views.py checks the list against the function)
TABLE_COLUMNS = ("id", "title", "date_text", "start", "precision", "place", "place_written", "place_precision",
                 "geonameid", "country", "admin1", "lat", "lon", "killed", "injured", "killed_reports",
                 "injured_reports", "killed_qualifier", "injured_qualifier", "n_sources", "n_mentions")


def table_view(incidents: pd.DataFrame, names: Mapping[str, str] | None = None,
               background: "np.ndarray | None" = None) -> pd.DataFrame:
    """The columns of the incident table shown to analysts, in reading order. Places read as the sources write
    them, with the gazetteer's name and id beside them and how precise they are; figures read as the sources give
    them ("129–132 (sources differ)", "at least 2,000"); a missing value is an empty cell, never "None".
    `background` marks the rows that are background incidents (history the articles recall)."""
    from events.views.columns import PRECISION_LABELS, place_precision, place_written, qualifier, regions
    from events.views.labels import _str
    from events.views.tolls import toll_columns

    names = names or {}
    written, gazetteer = place_written(incidents), _str(incidents["place"])
    gid = _str(incidents["geonameid"]) if "geonameid" in incidents else pd.Series("", index=incidents.index)
    same = (gazetteer == written) | (gazetteer == "")
    gazetteer_text = (gazetteer.where(~same, "") + " · " + gid).str.strip(" ·")
    figures = {}
    for which in ("killed", "injured"):
        reports = incidents[f"{which}_reports"] if f"{which}_reports" in incidents else None
        figures[which] = toll_columns(incidents[which], reports, qualifier(incidents, which))[2]
    date_text = _str(incidents["date_text"])
    out = pd.DataFrame({
        "id": incidents["id"].astype(str),
        "Incident": _str(incidents["title"]),
        "Date": date_text.where(date_text != "", _str(incidents["start"])),
        "Start": pd.to_datetime(incidents["start"], errors="coerce"),
        "Precision": _str(incidents["precision"]),
        "Place": written,
        "Gazetteer": gazetteer_text,
        "Place precision": place_precision(incidents, names).map(lambda p: PRECISION_LABELS.get(p, p)),
        "Country": _str(incidents["country"]).map(lambda c: names.get(c, c)),
        "Region": regions(incidents),
        "Killed": figures["killed"],
        "Injured": figures["injured"],
        "Sources": incidents["n_sources"],
        "Mentions": incidents["n_mentions"],
    })
    if background is not None:
        out.insert(2, "Background", np.where(np.asarray(background, dtype=bool), "background", ""))
    return out.reset_index(drop=True)


def _cell(value) -> str:
    """A cell as text for the detail ('' where missing: never 'None' or 'nan')."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    text = str(value)
    return "" if text in ("None", "nan", "NaT", "<NA>") else text
