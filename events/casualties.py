"""Casualty figures ("killed 43 people", "132 dead", "all 224 people on board were killed") in a clause.

Figures are kept as reported; vague quantities ("hundreds", "tens of") give no figure rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, *_SCALES, "a", "and"], key=len, reverse=True))
NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|(?:(?:{_NUMBER_WORD})[\s-]*)*(?:{'|'.join([*_UNITS, *_TENS, *_SCALES])}))\b"
_QUALIFIER = r"(?:at least |more than |over |nearly |almost |about |around |some |close to |up to |as many as |roughly |an estimated |all )?"
_VICTIMS = r"(?:(?:(?!(?:years?|months?|weeks?|days?|hours?|after|before|since|ago|later|earlier)\b)[\w-]+ ){0,3}?(?:people|persons|civilians|passengers|soldiers|troops|fighters|militants|police(?:men)?|officers|children|women|men|pilgrims|worshippers|tourists|students|workers|residents|villagers|victims|others|crew|hostages|members|Westerners|protesters|security personnel)|(?=\s+(?:were|have|had|are|dead|died)))"

_KILLED = [
    re.compile(rf"(?:killed|killing|kills|kill|claimed the lives of|claimed|left|leaving) {_QUALIFIER}(?P<n>{NUMBER}) {_VICTIMS}", re.I),
    re.compile(rf"{_QUALIFIER}(?P<n>{NUMBER}) {_VICTIMS}?\s*(?:on board |aboard |in all )?(?:were |have been |had been |are |was )?(?:killed|dead|died|perished|lost their lives)", re.I),
    re.compile(rf"(?:killed|killing) {_QUALIFIER}(?P<n>{NUMBER})(?=\s*(?:,|;|\.|and\b|$))", re.I),
    re.compile(rf"(?:death|deaths|killing) of {_QUALIFIER}(?P<n>{NUMBER})", re.I),
    re.compile(rf"(?:death toll|toll)[^.;]{{0,80}}? (?:rose to|risen to|reached|climbed to|stood at|stands at|of|at|to) {_QUALIFIER}(?P<n>{NUMBER})", re.I),
    re.compile(rf"resulted in {_QUALIFIER}(?P<n>{NUMBER}) (?:dead|deaths|killed)", re.I),
]
_INJURED = [
    re.compile(rf"(?:injured|injuring|wounded|wounding|injures|wounds) {_QUALIFIER}(?P<n>{NUMBER}) {_VICTIMS}", re.I),
    re.compile(rf"{_QUALIFIER}(?P<n>{NUMBER}) {_VICTIMS}?\s*(?:others |more )?(?:were |have been |had been |was )?(?:injured|wounded|hurt)", re.I),
]


@dataclass(frozen=True)
class Casualties:
    killed: int | None = None
    injured: int | None = None


def parse_number(text: str) -> int | None:
    """'2,000' -> 2000, 'thirty-nine' -> 39, 'a hundred' -> 100; None for anything else."""
    text = text.strip().lower()
    digits = text.replace(",", "")
    if digits.isdigit():
        return int(digits)
    total, current, seen = 0, 0, False
    for word in re.split(r"[\s-]+", text):
        if word in ("and", ""):
            continue
        if word == "a":
            current = current or 1
        elif word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word in _TENS:
            current += _TENS[word]
            seen = True
        elif word in _SCALES:
            current = (current or 1) * _SCALES[word]
            seen = True
            if _SCALES[word] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current if seen else None


def _first_figure(patterns: list[re.Pattern[str]], text: str) -> int | None:
    best: tuple[int, int] | None = None
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = parse_number(match.group("n"))
            if value is None or value == 0 or _looks_like_year(match.group("n"), value):
                continue
            if best is None or match.start() < best[0]:
                best = (match.start(), value)
    return best[1] if best else None


def _looks_like_year(raw: str, value: int) -> bool:
    return raw.isdigit() and len(raw) == 4 and 1800 <= value <= 2100


def find_casualties(text: str) -> Casualties:
    return Casualties(killed=_first_figure(_KILLED, text), injured=_first_figure(_INJURED, text))
