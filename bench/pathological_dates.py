"""Time of the dates stage on hostile shapes against ordinary news of the same size (issue 13, item 3).

Usage: python bench/pathological_dates.py [--sizes 64000,256000,1000000] [--repeat 1]

Each shape is repeated to each size and given to ``find_dates``, ``find_timexes``, ``find_event_offsets`` and
``find_temporal_references`` (one call each, as the pipeline and ``events timex`` make them). The table prints
seconds per size, the growth per 4x of size (linear is about 4) and the cost relative to ordinary news (the seed
articles repeated) at the largest size. ``SHAPES`` and ``time_dates_stage`` are importable, so a corpus-wide
hostile-input benchmark (``bench/pathological.py``) can add these rows to its own table.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from events.dates import find_dates, find_event_offsets, find_temporal_references, find_timexes

REFERENCE = date(2015, 11, 17)
SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# name -> the unit repeated to the wanted size
SHAPES: dict[str, str] = {
    "years '2015 '": "2015 ",
    "weekdays 'on Friday '": "on Friday ",
    "day-months 'Jan. 5 '": "Jan. 5 ",
    "months 'in May '": "in May ",
    "clock times '10 p.m. '": "10 p.m. ",
    "day lists 'April 24 and 25, '": "April 24 and 25, ",
    "number-word years 'nineteen ninety-seven '": "nineteen ninety-seven ",
    "vague 'now '": "now ",
    "offsets 'two days later '": "two days later ",
    "digits '1234567890'": "1234567890",
    "no spaces 'x'": "x",
    "slashes '1/2/'": "1/2/",
}


def ordinary_news() -> str:
    """The seed articles, joined: ordinary news prose for the comparison row."""
    return "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def repeat_to(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def time_dates_stage(text: str, reference: date | None = REFERENCE) -> float:
    """Seconds for the dates stage on ``text`` (all four entry points)."""
    t0 = time.perf_counter()
    find_dates(text, reference)
    find_timexes(text, reference)
    find_event_offsets(text)
    find_temporal_references(text)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="64000,256000,1000000", help="comma-separated text sizes in characters")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs per cell")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    news = ordinary_news()
    rows = [("ordinary news (seeds)", news)] + [(name, unit) for name, unit in SHAPES.items()]
    head = f"{'shape':<44}" + "".join(f"{f'{s // 1000}k s':>10}" for s in sizes) + f"{'max x4':>9}{'vs news':>9}"
    print(head)
    print("-" * len(head))
    news_last = None
    for name, unit in rows:
        times = [min(time_dates_stage(repeat_to(unit, s)) for _ in range(args.repeat)) for s in sizes]
        growth = max((b / a for a, b in zip(times, times[1:]) if a > 0), default=0.0)
        if news_last is None:
            news_last = times[-1]
        ratio = times[-1] / news_last if news_last else 0.0
        print(f"{name:<44}" + "".join(f"{t:>10.2f}" for t in times) + f"{growth:>9.1f}{ratio:>9.1f}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
