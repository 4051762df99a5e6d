"""The curated language data the incidents stage reads: trigger phrases, incident types and their colours.

The knowledge lives in `data/*.csv` (each file names its source); this module only loads and compiles it,
once per process.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from events.settings import DATA_DIR


NOT_AN_INCIDENT = "none"


@dataclass(frozen=True)
class IncidentType:
    type: str
    label: str
    family: str
    acled_event_type: str
    color: str


@dataclass(frozen=True)
class Trigger:
    start: int
    end: int
    text: str
    type: str
    priority: int


def read_data_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a data/ CSV file, skipping '#' comment lines (where the file says its source)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines)]


def load_types(data_dir: Path = DATA_DIR) -> dict[str, IncidentType]:
    """The incident types (label, family, colour) without compiling the trigger patterns: what a page that draws
    incidents already extracted needs."""
    return {row["type"]: IncidentType(**row) for row in read_data_csv(data_dir / "incident_types.csv")}


# a capital letter (not an escape such as \\W or \\S) or a case-sensitive group: such a pattern keeps IGNORECASE
_CASED_PATTERN = re.compile(r"(?<!\\)[A-Z]|\(\?-i:")


_BEFORE_A_WORD = r"(?<![\w-])"  # how every lexicon pattern starts (Lexicon.load)
_WORDISH = re.compile(r"[\w-]")


@lru_cache(maxsize=None)
def _bare(pattern: str, flags: int) -> re.Pattern[str] | None:
    """A pattern without its leading look-behind (_BEFORE_A_WORD), when it has one and matches no empty string;
    else None. The regex engine tries a pattern that opens with a look-behind at every position of the text; without
    it, it skips ahead to where the words can begin (their first letters or literal prefix): twice as fast over the
    lexicon."""
    if not pattern.startswith(_BEFORE_A_WORD):
        return None
    rest = pattern[len(_BEFORE_A_WORD):]
    try:
        bare = re.compile(rest, flags)
        if re._parser.parse(rest, flags).getwidth()[0] == 0:  # type: ignore[attr-defined]
            return None
    except (re.error, AttributeError):
        return None
    return bare


def _spans(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each of pattern.finditer(text), found by the pattern without its look-behind where it has
    one (:func:`_bare`): a match the look-behind would refuse is skipped and the search goes on from its next
    character, as finditer's would; an accepted one ends the search there, as finditer's does."""
    bare = _bare(pattern.pattern, pattern.flags)
    if bare is None:
        for m in pattern.finditer(text):
            yield m.start(), m.end()
        return
    search, wordish = bare.search, _WORDISH.match
    pos = 0
    while (m := search(text, pos)) is not None:
        start, end = m.span()
        if start and wordish(text, start - 1):
            pos = start + 1
        else:
            yield start, end
            pos = end


@dataclass(frozen=True)
class Lexicon:
    types: dict[str, IncidentType]
    patterns: tuple[tuple[re.Pattern[str], str, int], ...]

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> "Lexicon":
        types = load_types(data_dir)
        patterns = []
        for row in read_data_csv(data_dir / "incident_lexicon.csv"):
            if row["type"] not in types and row["type"] != NOT_AN_INCIDENT:
                raise ValueError(f"data/incident_lexicon.csv: type {row['type']!r} is not in data/incident_types.csv")
            try:
                compiled = re.compile(rf"(?<![\w-])(?:{row['pattern']})(?![\w-])", re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"data/incident_lexicon.csv: bad pattern {row['pattern']!r}: {exc}") from exc
            patterns.append((compiled, row["type"], int(row["priority"])))
        return cls(types=types, patterns=tuple(patterns))

    def family(self, incident_type: str) -> str:
        found = self.types.get(incident_type)
        return found.family if found else incident_type

    def label(self, incident_type: str) -> str:
        found = self.types.get(incident_type)
        return found.label if found else incident_type.replace("_", " ").capitalize()

    def priority(self, incident_type: str) -> int:
        """The strongest trigger priority of a type (how specific a report of it is)."""
        found = self.__dict__.get("_priorities")
        if found is None:
            found = {}
            for _, kind, prio in self.patterns:
                found[kind] = max(found.get(kind, 0), prio)
            object.__setattr__(self, "_priorities", found)
        return found.get(incident_type, 1)

    def colors(self) -> dict[str, str]:
        return {t.type: t.color for t in self.types.values()}

    def _folded_patterns(self) -> tuple[tuple[re.Pattern[str], bool], ...]:
        """Each pattern as a case-sensitive one to run over the lower-cased text, when it can be (no capital letter
        and no case-sensitive part in it): the same matches, found faster than with IGNORECASE."""
        found = self.__dict__.get("_folded")
        if found is None:
            found = tuple((re.compile(p.pattern, p.flags & ~re.IGNORECASE), True)
                          if not _CASED_PATTERN.search(p.pattern) else (p, False) for p, _, _ in self.patterns)
            object.__setattr__(self, "_folded", found)
        return found

    def find_triggers(self, text: str) -> list[Trigger]:
        """Non-overlapping triggers in text order; where matches overlap the longer, then higher-priority, wins."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a letter whose lower case is longer ('İ'): offsets would shift
            lowered = ""
        found = [Trigger(start, end, text[start:end], kind, priority)
                 for (folded, fast), (pattern, kind, priority) in zip(self._folded_patterns(), self.patterns)
                 for start, end in (_spans(folded, lowered) if fast and lowered else _spans(pattern, text))]
        found.sort(key=lambda t: (-(t.end - t.start), -t.priority, t.start))
        kept: list[Trigger] = []
        taken = bytearray(len(text))  # characters inside a kept trigger: the overlap test is then linear overall
        for trig in found:
            if trig.end > trig.start:
                if taken.find(1, trig.start, trig.end) < 0:
                    kept.append(trig)
                    taken[trig.start:trig.end] = b"\x01" * (trig.end - trig.start)
            elif all(trig.end <= k.start or trig.start >= k.end for k in kept):
                kept.append(trig)
        # Phrases typed "none" ("sexual assault", "heart attack") only exist to swallow the triggers inside them.
        return sorted((t for t in kept if t.type != NOT_AN_INCIDENT), key=lambda t: t.start)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.load()
