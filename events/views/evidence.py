"""Evidence in context: the sentence a mention came from with its neighbours, as escaped Markdown, and the
incident table as analysts read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

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


def table_view(incidents: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The columns of the incident table shown to analysts, in reading order."""
    names = names or {}
    out = pd.DataFrame({
        "id": incidents["id"].astype(str),
        "Incident": incidents["title"],
        "Date": incidents["date_text"].where(incidents["date_text"].astype(bool), incidents["start"]),
        "Start": pd.to_datetime(incidents["start"], errors="coerce"),
        "Precision": incidents["precision"],
        "Place": incidents["place"],
        "Country": incidents["country"].fillna("").map(lambda c: names.get(c, c)),
        "Killed": incidents["killed"],
        "Injured": incidents["injured"],
        "Sources": incidents["n_sources"],
        "Mentions": incidents["n_mentions"],
    })
    return out.reset_index(drop=True)
