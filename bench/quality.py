"""Quality of the date and place stages on the public evaluation data, in one run.

    python bench/quality.py ../shared/bench            # TimeBank dates + TR-News places
    python bench/quality.py ../shared/bench --no-baseline

Runs bench/quality_dates.py on BENCH_DIR/timebank (beside dateparser's search_dates unless --no-baseline) and
bench/quality_places.py on BENCH_DIR/trnews/TR-News.xml; each prints its own table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality_dates  # noqa: E402
import quality_places  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir", type=Path, help="folder holding timebank/ and trnews/")
    parser.add_argument("--no-baseline", action="store_true", help="skip dateparser.search_dates (slow)")
    args = parser.parse_args()
    timebank, trnews = args.bench_dir / "timebank", args.bench_dir / "trnews" / "TR-News.xml"
    for needed in (timebank, trnews):
        if not needed.exists():
            raise SystemExit(f"{needed} not found: pass the folder that holds timebank/ and trnews/")
    print("== Dates: TimeBank (TimeML TIMEX3 gold, DATE and TIME) ==")
    status = quality_dates.main([str(timebank), *(["--no-baseline"] if args.no_baseline else [])])
    print("\n== Places: TR-News (GeoNames-resolved toponyms) ==")
    status |= quality_places.main([str(trnews), "--worst", "0"])
    return status


if __name__ == "__main__":
    sys.exit(main())
