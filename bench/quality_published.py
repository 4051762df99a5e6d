"""How well publication dates are inferred when no manifest gives them (datelines, file names, text), measured only.

Usage: python bench/quality_published.py [--timebank DIR] [--corpus DIR ...] [--no-filenames]

Gold: TimeBank's document creation time (DCT) for ``--timebank`` (.tml files, tags stripped as in
quality_dates.py); the manifest's ``published`` column for each ``--corpus`` folder, whose texts are read with the
manifest's dates withheld. ``--no-filenames`` hides the file names (many archives put the date in them) so the
text alone is measured (and hides URLs). Prints, per inferred ``date_source``: documents, exact day, within 1 and 7 days, and
documents left ``unknown``; a wrong date is worse than an unknown one (it dates every "Tuesday" of the story).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from events.corpus import Document, article_paths, infer_publication_dates, load_corpus, read_manifest  # noqa: E402


def timebank_docs(root: Path, hide_names: bool) -> list[tuple[Document, date]]:
    from quality_dates import parse_tml

    out = []
    for k, path in enumerate(sorted(root.glob("*.tml"))):
        doc = parse_tml(path)
        name = f"doc{k:04d}" if hide_names else path.stem
        out.append((Document(doc_id=name, path=f"{name}.txt", text=doc.text.strip()), doc.dct))
    return out


def corpus_docs(root: Path, hide_names: bool) -> list[tuple[Document, date]]:
    manifest, _ = read_manifest(root)
    corpus = load_corpus(root)
    out = []
    for k, d in enumerate(corpus.documents):
        meta = manifest.get(d.doc_id, {})
        if not meta.get("published"):
            continue
        name = f"doc{k:04d}" if hide_names else d.doc_id
        url = "" if hide_names else d.url
        out.append((Document(doc_id=name, path=f"{name}.txt", text=d.text, url=url), date.fromisoformat(meta["published"])))
    return out


def report(label: str, pairs: list[tuple[Document, date]]) -> None:
    inferred = infer_publication_dates([d for d, _ in pairs])
    rows: dict[str, list[int | None]] = defaultdict(list)
    for doc, (_, gold) in zip(inferred, pairs):
        rows[doc.date_source or "unknown"].append(None if doc.published is None else abs((doc.published - gold).days))
    print(f"\n{label}: {len(pairs)} documents")
    print(f"{'date_source':12} {'docs':>5} {'exact':>6} {'<=1 d':>6} {'<=7 d':>6} {'wrong >7 d':>10}")
    for source in sorted(rows, key=lambda s: -len(rows[s])):
        gaps = rows[source]
        known = [g for g in gaps if g is not None]
        print(f"{source:12} {len(gaps):5d} {sum(g == 0 for g in known):6d} {sum(g <= 1 for g in known):6d} "
              f"{sum(g <= 7 for g in known):6d} {sum(g > 7 for g in known):10d}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timebank", type=Path)
    parser.add_argument("--corpus", type=Path, action="append", default=[])
    parser.add_argument("--no-filenames", action="store_true", help="hide file names (measure the text alone)")
    args = parser.parse_args(argv)
    if args.timebank:
        report(f"TimeBank {args.timebank}", timebank_docs(args.timebank, args.no_filenames))
    for root in args.corpus:
        report(f"corpus {root}", corpus_docs(root, args.no_filenames))


if __name__ == "__main__":
    main()
