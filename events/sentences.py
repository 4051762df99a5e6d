"""Paragraph and sentence boundaries with character offsets, so every mention can point back at its evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations after which a full stop does not end a sentence (English news style).
_ABBREVIATIONS = frozenset("""
mr mrs ms dr st gen col lt sgt capt cmdr adm gov sen rep pres prof rev fr sr jr no vs etc inc co corp ltd
jan feb mar apr jun jul aug sep sept oct nov dec mt ft
""".split())
# Matched from the first mark of a run only, so a long run of dots is scanned once, not once per dot. A full stop
# after a lone capital ("J. Smith", "A. A. A. ...") is an initial: refused here, in C, rather than by
# _ends_with_abbreviation in Python for each one (the same answer; "A. "*n cost 4x news).
# It opens with the mark itself, so the regex engine skips to the next mark in C instead of trying each position.
_BOUNDARY = re.compile(r"[.!?](?<![.!?][.!?])(?<!(?<![A-Za-z.])[A-Z]\.)[.!?]*[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    index: int


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    start = dot  # the run of letters and dots ending at `dot`, found walking back (a search from the front is quadratic)
    while start > 0 and text[start - 1] in _WORD_CHARS:
        start -= 1
    if start == dot:
        return False
    token = text[start:dot]
    if "." in token.rstrip("."):  # U.S. D.C. a.m.
        return len(token.replace(".", "")) <= 3
    return token.lower() in _ABBREVIATIONS or (len(token) == 1 and token.isupper())


_LINE_END = re.compile(r"[.!?:;\"”’')\]]\s*$")
WRAP_WIDTH = 60  # a line this long that stops mid-sentence was wrapped, not ended (a subheading is shorter)
WRAP_SLACK = 2  # characters a wrapping tool may count differently (a trailing space, a hyphen)


def _continues(line: str, following: str, widest: int = 0) -> bool:
    """A hard-wrapped line ("... killed in Sunday's" / "attacks, officials said.") runs on into the next one.

    `widest`: the longest line of the text; the width it was wrapped at is at least that."""
    if not line.strip() or not following.strip() or _LINE_END.search(line):
        return False
    head = following.lstrip()[:1]
    if head.islower() or head.isdigit() or line.rstrip().endswith(","):
        return True
    # a line wrapped at some width W left the next word out because it did not fit (line + space + word > W), and
    # the next line fits in W: so a next line longer than that is a new paragraph (a headline, then the lead)
    # and the width is no less than the text's longest line: a headline of 60 characters in a text of 300-character
    # paragraphs left out no word for want of room ("... capsizes in X" / "Update Feb 23, 2015")
    first_word = following.split(None, 1)[0]
    room = len(line.strip()) + len(first_word) + WRAP_SLACK
    return len(line.strip()) >= WRAP_WIDTH and len(following.strip()) <= room and widest < room + 1 + WRAP_SLACK


def _paragraphs(text: str):
    """(start, text) of each paragraph: lines separated by a blank line or ended where a sentence ends."""
    lines = [(m.start(), m.group(0)) for m in re.finditer(r"[^\n]+", text)]
    widest = max((len(line.strip()) for _, line in lines), default=0)
    i = 0
    while i < len(lines):
        start, line = lines[i]
        end = start + len(line)
        while i + 1 < len(lines) and lines[i + 1][0] == end + 1 and _continues(line, lines[i + 1][1], widest):
            i += 1
            line = lines[i][1]
            end = lines[i][0] + len(line)
        yield start, text[start:end]
        i += 1


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    paragraph = 0
    for para_start, para_text in _paragraphs(text):
        if not para_text.strip():
            continue
        cut = 0
        for boundary in _BOUNDARY.finditer(para_text):
            if boundary.group(0)[0] == "." and _ends_with_abbreviation(para_text, boundary.start()):
                continue
            piece_end = boundary.start() + len(boundary.group(0).rstrip())
            _append(sentences, para_text, para_start, cut, piece_end, paragraph)
            cut = boundary.end()
        _append(sentences, para_text, para_start, cut, len(para_text), paragraph)
        paragraph += 1
    return sentences


def _append(out: list[Sentence], para: str, offset: int, start: int, end: int, paragraph: int) -> None:
    piece = para[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = offset + start + lead
    out.append(Sentence(s, s + len(stripped), stripped, paragraph, len(out)))


# A wire dateline opens the story: "SRINAGAR, India, April 7 , 1997 (AFP) -", "RAFAH, Gaza Strip, Nov. 25 (Xinhua) --",
# "BAGHDAD (Reuters) -", "CAGUAS, Puerto Rico (AP)_ " or "(AP) _ " (the 1990s AP underscore dash). It says where and when the story was filed, not where or when anything happened.
_DATELINE = re.compile(
    r"^[ \t\"“]*(?P<city>[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+){0,3})"
    r"(?:\s*,\s*[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){0,3})*"
    r"(?:\s*,?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)(?:\s*,\s*\d{4})*)?"
    r"\s*(?:\([A-Za-z][\w .&-]{0,25}\))?\s*(?:—|–|--|-|:|(?<=\))_|(?<=\) )_)(?=\s)",
    re.M)
# "Nazran, Russia; 4 May 2000 (RFE/RL) -": a dateline whose city is written in title case; told from a sentence's
# opening words by the date and the agency in parentheses it must carry
_TITLE_DATELINE = re.compile(
    r"^[ \t\"“]*(?P<city>[A-Z][a-z'’.\-]+(?:\s+[A-Z][a-z'’.\-]+){0,2})"
    r"(?:\s*,\s*[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){0,3})*"
    r"\s*[,;]\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)(?:\s*,?\s*\d{4})?"
    r"\s*\([A-Z][\w .&/-]{0,25}\)\s*(?:—|–|--|-|:)(?=\s)",
    re.M)
DATELINE_REACH = 1000  # datelines sit in the first lines of a story


def find_datelines(text: str) -> list[tuple[int, int, int]]:
    """(start, end, city end) of each dateline in the opening lines of a story."""
    reach = min(len(text), DATELINE_REACH)
    found = [(m.start(), m.end(), m.end("city")) for m in _DATELINE.finditer(text, 0, reach)
             if len(m.group("city").replace(" ", "")) >= 3 and re.search(r"[,(]|—|--", m.group(0))]
    seen = {start for start, _, _ in found}
    found += [(m.start(), m.end(), m.end("city")) for m in _TITLE_DATELINE.finditer(text, 0, reach) if m.start() not in seen]
    return sorted(found)
