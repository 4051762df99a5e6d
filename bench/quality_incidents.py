"""Incident extraction quality: the issue-9 table (must, should, precision, killed exact, duplicates) per corpus.

    python bench/quality_incidents.py ../shared/bench/wire-incidents --timebank ../shared/bench/timebank \
        [MORE_CORPUS_FOLDERS ...] [--explain] [--out DIR]

Each corpus folder holds the texts (with manifest.csv) and its gold.json; every folder given is scored, then the
seeds (against `bench/seeds_incidents_gold.json`, ours). `--timebank` takes the shared TimeBank folder (*.tml): our
own incident annotation of 46 of its stories (`bench/timebank_incidents_gold.json`, made blind to the tool) is
scored on texts `bench/build_timebank_incidents.py` writes to a temporary folder (the texts are not ours and stay
out of the repository); a folder that already holds that corpus (texts, manifest.csv, gold.json) is taken as is. The shared scorer `score_incidents.py` is found beside the
first folder (or given with --scorer), so the figures match the team's. Extraction bypasses the mention cache, so
the figures are those of the code as it is now.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS_GOLD = ROOT / "bench" / "seeds_incidents_gold.json"
COLUMNS = ("must", "should", "precision", "killed_exact", "duplicates", "rows")


def load_scorer(path: Path):
    if not path.exists():
        raise SystemExit(f"{path} not found: pass the wire-incidents folder of the shared bench "
                         "(its parent holds score_incidents.py), or --scorer")
    spec = importlib.util.spec_from_file_location("score_incidents", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score_corpus(scorer, corpus: Path, gold_path: Path, out_dir: Path, name: str) -> dict:
    import csv

    from events.pipeline import extract, write_table

    extraction = extract(corpus, workers=1, use_cache=False)
    table = write_table(extraction.incidents, out_dir / f"{name}.csv")
    write_table(extraction.mentions, out_dir / f"{name}.mentions.csv")
    with open(table, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return scorer.score(json.loads(gold_path.read_text(encoding="utf-8")), rows)


def timebank_corpus(folder: Path, build_dir: Path) -> tuple[Path, Path]:
    """The TimeBank incident corpus: built from the shared *.tml files, or a folder that already holds it."""
    if (folder / "gold.json").exists():
        return folder, folder / "gold.json"
    if not any(folder.glob("*.tml")):
        raise SystemExit(f"--timebank {folder}: no *.tml files there (pass ../shared/bench/timebank)")
    spec = importlib.util.spec_from_file_location("build_timebank_incidents",
                                                  ROOT / "bench" / "build_timebank_incidents.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    builder.main(["build_timebank_incidents.py", str(folder), str(build_dir)])
    return build_dir, build_dir / "gold.json"


def _cell(result: dict, column: str) -> str:
    value = result[column]
    if column in ("must", "should", "killed_exact"):
        got, total = (int(x) for x in value.split("/"))
        return f"{value} ({got / total:.2f})" if total else value
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def print_table(results: dict[str, dict]) -> None:
    header = ["corpus", *COLUMNS]
    lines = [header] + [[name, *(_cell(r, c) for c in COLUMNS)] for name, r in results.items()]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for i, line in enumerate(lines):
        print(" | ".join(cell.ljust(w) for cell, w in zip(line, widths)))
        if i == 0:
            print("-|-".join("-" * w for w in widths))


def explain(name: str, result: dict) -> None:
    print(f"\n== {name}: missed ==")
    for m in result["missed"]:
        print(f"  [{m['tier']}] {m['doc']} {m['from']}..{m['to']} {m['label'][:120]}")
        if m.get("evidence"):
            print(f"      evidence: {m['evidence'][:200]}")
    print(f"== {name}: rows matching no event ==")
    for u in result["unmatched"]:
        print(f"  {u['title']} | {u['start']}..{u['end']} | {u['place']} {u['country']} | {u['sources']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", type=Path, nargs="+",
                        help="incident corpus folders (texts, manifest.csv, gold.json), e.g. the wire-incidents one")
    parser.add_argument("--timebank", type=Path,
                        help="the shared TimeBank folder (*.tml), scored against bench/timebank_incidents_gold.json")
    parser.add_argument("--scorer", type=Path, help="score_incidents.py (default: beside the first corpus folder)")
    parser.add_argument("--no-seeds", action="store_true", help="do not score the sample articles")
    parser.add_argument("--explain", action="store_true", help="list missed events and rows that match none")
    parser.add_argument("--out", type=Path, help="keep the extracted tables in this folder")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON after the table")
    args = parser.parse_args(argv)
    scorer = load_scorer(args.scorer or args.corpora[0].resolve().parent / "score_incidents.py")
    corpora = [(folder.resolve().name, folder, folder / "gold.json") for folder in args.corpora]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.timebank is not None:
            corpora.append(("timebank-incidents", *timebank_corpus(args.timebank, Path(tmp) / "timebank-incidents")))
        if not args.no_seeds:
            corpora.append(("seeds", ROOT / "seeds", SEEDS_GOLD))
        for name, folder, gold in corpora:
            if not gold.exists():
                raise SystemExit(f"{gold} not found")
        out_dir = args.out or Path(tmp) / "tables"
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, folder, gold in corpora:
            results[name] = score_corpus(scorer, folder, gold, out_dir, name)
    print_table(results)
    if args.explain:
        for name, result in results.items():
            explain(name, result)
    if args.json:
        print(json.dumps({n: {c: r[c] for c in COLUMNS} for n, r in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
