"""`events` command line: a thin shell over the pipeline functions the dashboard uses too."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Sequence

from events.settings import SETTINGS


def _progress(done: int, total: int, doc: str) -> None:
    if sys.stderr.isatty() or done == total or done % 50 == 0:
        print(f"\rextracting {done}/{total} ({doc})", end="\n" if done == total else "", file=sys.stderr, flush=True)


def _documents_for(path: Path, reference: str | None):
    """(doc_id or None, text, reference date) for a file or every article of a corpus folder."""
    from events.corpus import UnreadableArticle, load_corpus, read_article

    if path.is_dir():
        corpus = load_corpus(path)
        for problem in corpus.problems:
            print(f"warning: {problem}", file=sys.stderr)
        for doc in corpus.documents:
            yield doc.doc_id, doc.text, doc.published
        return
    if not path.exists():
        raise SystemExit(f"error: {path} does not exist")
    try:
        text, _, _ = read_article(path)
    except UnreadableArticle as exc:
        raise SystemExit(f"error: {path.name}: {exc}")
    ref = None
    if reference:
        try:
            ref = date.fromisoformat(reference)
        except ValueError:
            raise SystemExit(f"error: --reference {reference!r} is not YYYY-MM-DD")
    else:
        manifest_dir = path.parent
        if (manifest_dir / "manifest.csv").exists():
            from events.corpus import read_manifest

            rows, _ = read_manifest(manifest_dir)
            published = rows.get(path.stem, {}).get("published")
            ref = date.fromisoformat(published) if published else None
    yield None, text, ref


def cmd_timex(args: argparse.Namespace) -> int:
    from events.dates import find_dates, to_json_dict

    for doc, text, ref in _documents_for(Path(args.path), args.reference):
        for m in find_dates(text, ref):
            row = to_json_dict(m)
            if doc is not None:
                row = {"doc": doc, **row}
            print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_geoparse(args: argparse.Namespace) -> int:
    from events.places import find_places

    for doc, text, _ in _documents_for(Path(args.path), None):
        for m in find_places(text):
            row = {"start": m.start, "end": m.end, "text": m.text, "name": m.place.name, "lat": m.place.lat,
                   "lon": m.place.lon, "country": m.place.country, "geonameid": m.place.geonameid, "via": m.via}
            if doc is not None:
                row = {"doc": doc, **row}
            print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from events.pipeline import extract, mentions_path_for, write_table

    try:
        result = extract(args.corpus, workers=args.workers, use_cache=not args.no_cache, progress=_progress)
    except FileNotFoundError as exc:
        raise SystemExit(f"error: {exc}")
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    try:
        out = write_table(result.incidents, args.out)
        mentions_out = write_table(result.mentions, mentions_path_for(args.out))
    except ValueError as exc:
        raise SystemExit(f"error: {exc}")
    print(f"{len(result.incidents)} incidents from {len(result.documents)} documents -> {out} (mentions: {mentions_out})",
          file=sys.stderr)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    for s in SETTINGS:
        print(f"{s.name:22} default={s.default!r:40} env=ATLAS_{s.name.upper()}\n    {s.help}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="events", description="Incident atlas: extract dated, placed incidents from news articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="write the incident table of a corpus folder")
    p.add_argument("corpus", help="folder of .txt/.md/.html articles (optional manifest.csv)")
    p.add_argument("--out", required=True, help="output file: .csv, .json or .parquet (mentions are written beside it)")
    p.add_argument("--workers", type=int, default=0, help="worker processes (default: all cores)")
    p.add_argument("--no-cache", action="store_true", help="re-extract every document instead of reusing the cache")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("timex", help="print the date expressions of a file or corpus folder as JSON lines")
    p.add_argument("path")
    p.add_argument("--reference", help="reference (publication) date YYYY-MM-DD for a single file")
    p.set_defaults(func=cmd_timex)

    p = sub.add_parser("geoparse", help="print the places of a file or corpus folder as JSON lines")
    p.add_argument("path")
    p.set_defaults(func=cmd_geoparse)

    p = sub.add_parser("settings", help="list the settings and their defaults")
    p.set_defaults(func=cmd_settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
