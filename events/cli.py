"""`events` command line: a thin shell over the pipeline functions the dashboard uses too."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Sequence

from events.settings import SETTINGS


class ProgressBar:
    """`extracting [#######.....] 7,000/10,000 documents, 3 failed, 412 docs/s` on stderr (a line every 5% when
    stderr is not a terminal)."""

    WIDTH = 30

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.last_step = -1

    def __call__(self, done: int, total: int, note: str = "") -> None:
        tty = self.stream.isatty()
        step = int(20 * done / max(total, 1))
        if not tty and step == self.last_step and done != total:
            return
        self.last_step = step
        filled = int(self.WIDTH * done / max(total, 1))
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        failed = f", {note}" if note.endswith("failed") else ""
        line = f"extracting [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,} documents{failed}, {rate:,.0f} docs/s"
        print(f"\r{line}" if tty else line, end="\n" if done == total or not tty else "", file=self.stream, flush=True)


def _documents_for(path: Path, reference: str | None):
    """(doc_id or None, text, reference date) for a file or every article of a corpus folder."""
    from events.corpus import UnreadableArticle, load_corpus, parse_iso_date, read_article

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
            ref = parse_iso_date(published) if published else None  # "2015-11-14T08:30:00Z" too
    yield None, text, ref


def cmd_timex(args: argparse.Namespace) -> int:
    from events.dates import find_timexes, to_json_dict

    for doc, text, ref in _documents_for(Path(args.path), args.reference):
        for m in find_timexes(text, ref):
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


def _writable_out(out: str | Path, suffixes: tuple[str, ...] = (), folder_ok: bool = False) -> None:
    """Refuse an output path before the work, not after it: a wrong suffix, a folder where a file is expected, a
    place that cannot be written. Nothing is created here (a failed extraction leaves no empty folder)."""
    import tempfile

    path = Path(out)
    if suffixes and not (folder_ok and not path.suffix) and path.suffix.lower() not in suffixes:
        folder = " (or a folder name without a suffix, for a Parquet dataset)" if folder_ok else ""
        raise SystemExit(f"error: cannot write {path.name}: use a {', '.join(suffixes[:-1])} or {suffixes[-1]} "
                         f"file name{folder}")
    if path.suffix and path.is_dir():
        raise SystemExit(f"error: --out {out} is a folder; give a file name")
    existing = path if path.is_dir() else path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(20, f"{existing} is not a folder")
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise SystemExit(f"error: cannot write into {path.parent}: {exc.strerror or exc}")


def cmd_extract(args: argparse.Namespace) -> int:
    from events.pipeline import extract, mentions_path_for, write_table
    from events.settings import get_settings

    _writable_out(args.out, (".csv", ".json", ".parquet"), folder_ok=True)
    try:
        scheduler = get_settings(scheduler=args.scheduler)["scheduler"]
        result = extract(args.corpus, workers=args.workers, use_cache=not args.no_cache, progress=ProgressBar(),
                         scheduler=scheduler)
    except (FileNotFoundError, RuntimeError) as exc:
        raise SystemExit(f"error: {exc}")
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    if not Path(args.out).suffix:  # a folder: the Parquet dataset by month, for the DuckDB warehouse
        from events.warehouse import write_dataset

        try:
            out = write_dataset(result, args.out, corpus=str(args.corpus))
        except ValueError as exc:
            raise SystemExit(f"error: {exc}")
        print(f"{len(result.incidents)} incidents from {len(result.documents)} documents -> {out} (Parquet by month)",
              file=sys.stderr)
        return 0
    try:
        out = write_table(result.incidents, args.out)
        mentions_out = write_table(result.mentions, mentions_path_for(args.out))
    except ValueError as exc:
        raise SystemExit(f"error: {exc}")
    print(f"{len(result.incidents)} incidents from {len(result.documents)} documents -> {out} (mentions: {mentions_out})",
          file=sys.stderr)
    return 0


EXPORT_FORMATS = ("csv", "geojson", "kml", "timelinejs", "acled", "html", "png-timeline", "png-map", "pptx")


def cmd_export(args: argparse.Namespace) -> int:
    """Export the filtered view of a corpus; the filters are the dashboard's (views.FilterState/apply_filters)."""
    import re

    if args.format not in EXPORT_FORMATS:
        raise SystemExit(f"error: unknown export format {args.format!r}; choose one of: {', '.join(EXPORT_FORMATS)}")
    from events.exports import export_bytes, filtered_view, left_out
    from events.lexicon import default_lexicon
    from events.pipeline import load_or_extract
    from events.views import FilterState

    if args.out:
        _writable_out(args.out)
    for flag, value in (("--from-month", args.from_month), ("--to-month", args.to_month)):
        if value and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise SystemExit(f"error: {flag} {value!r} is not YYYY-MM")
    lexicon = default_lexicon()
    by_label = {t.label.lower(): t.type for t in lexicon.types.values()}
    types = []
    for value in args.type or []:
        kind = value if value in lexicon.types else by_label.get(value.lower())
        if kind is None:
            raise SystemExit(f"error: --type {value!r} is not an incident type; choose from: {', '.join(lexicon.types)}")
        types.append(kind)
    month_from, month_to = args.from_month, args.to_month
    if month_from and month_to and month_from > month_to:
        month_from, month_to = month_to, month_from
    state = FilterState(
        sources=tuple(args.source or ()), month_from=month_from, month_to=month_to,
        continents=tuple(args.continent or ()), countries=tuple(c.upper() for c in args.country or ()),
        admin1s=tuple(args.admin1 or ()), types=tuple(types), min_killed=max(0, args.min_killed),
        text=args.text or "", group_by=args.group_by, regions=tuple(args.region or ()),
        actors=tuple(args.actor or ()), background=bool(args.background),
    )
    try:
        result = load_or_extract(args.corpus, workers=args.workers, progress=ProgressBar())
    except FileNotFoundError as exc:
        raise SystemExit(f"error: {exc}")
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    result = _with_corrections(result, args.corrections, corpus=args.corpus)
    known_docs = set(result.documents["doc"].astype(str)) if len(result.documents) else set()
    for doc in state.sources:
        if doc not in known_docs:
            print(f"warning: --source {doc!r} is not a document of {args.corpus}", file=sys.stderr)
    ids = [i.strip() for i in (args.ids or "").split(",") if i.strip()] or None
    corpus_name = Path(args.corpus).resolve().name
    try:
        from events.exports import DeckOptions

        deck = DeckOptions(title=args.title or "", subtitle=args.subtitle or "", author=args.author or "",
                           marking=args.marking or "")
        data, _, filename = export_bytes(args.format, result.incidents, result.mentions, result.documents, state,
                                         corpus=corpus_name, engine_version=result.engine_version,
                                         top=args.top, ids=ids, deck=deck)
    except (ValueError, RuntimeError) as exc:
        raise SystemExit(f"error: {exc}")
    view = filtered_view(result.incidents, state, documents=result.documents, mentions=result.mentions)
    out = Path(args.out or filename)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    notes = "".join(f"; {n} {what} left out" for what, n in left_out(args.format, view).items())
    print(f"{len(view)} of {len(result.incidents)} incidents -> {out} ({args.format}{notes})", file=sys.stderr)
    return 0


def _with_corrections(result, path: str | None, corpus: str | None = None):
    """The extraction with the corpus's corrections applied (as the dashboard shows it); 'none' skips them."""
    import sqlite3
    from dataclasses import replace

    from events.settings import get_settings
    from events.store import CorrectionStore

    if path == "none":
        return result
    db = Path(path or get_settings()["corrections_db"])
    if not db.exists():
        if path:
            raise SystemExit(f"error: no corrections database at {db}")
        return result
    try:
        store = CorrectionStore(db, incidents=result.incidents, mentions=result.mentions, corpus=corpus)
        incidents, mentions = store.corrected()
    except (ValueError, sqlite3.Error, OSError) as exc:
        raise SystemExit(f"error: corrections database {db}: {exc}") from None
    n = int(incidents["corrected"].sum())
    print(f"applied corrections from {db} ({n} incident{'s' if n != 1 else ''} corrected)", file=sys.stderr)
    return replace(result, incidents=incidents, mentions=mentions)


def cmd_index(args: argparse.Namespace) -> int:
    from events.warehouse import add_text_index

    started = time.perf_counter()
    print(f"{args.dataset}: adding the text search's word index and cell rows if missing (about 15-30 s per million "
          f"incidents)…",
          file=sys.stderr)
    try:
        index, added = add_text_index(args.dataset)
    except FileNotFoundError as exc:
        raise SystemExit(f"error: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - DuckDB's lock or I/O errors, named for the user
        raise SystemExit(f"error: could not add the word index to {args.dataset} ({exc}); close any dashboard that "
                         f"has it open and try again") from None
    print(f"{index}: word index {'added' if added else 'already there'} (with the search's cell rows) in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    for s in SETTINGS:
        print(f"{s.name:22} default={s.default!r:40} env=ATLAS_{s.name.upper()}\n    {s.help}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="events", description="Incident atlas: extract dated, placed incidents from news articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="write the incident table of a corpus")
    p.add_argument("corpus", help="folder of .txt/.md/.html/.pdf articles (optional manifest.csv), a glob such as "
                   "'news/**/*.txt', or a .parquet / .jsonl table of articles (id,title,publisher,published,url,text)")
    p.add_argument("--out", required=True, help="output file: .csv, .json or .parquet (mentions are written beside "
                   "it), or a folder (no extension): incidents and mentions as a Parquet dataset by month")
    p.add_argument("--workers", type=int, default=0, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786, to extract on a cluster; "
                   "'local' starts a local Dask cluster (default: the scheduler setting, ATLAS_SCHEDULER; empty runs "
                   "on this machine's process pool)")
    p.add_argument("--no-cache", action="store_true", help="re-extract every document instead of reusing the cache")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("timex", help="print the date expressions of a file or corpus folder as JSON lines")
    p.add_argument("path")
    p.add_argument("--reference", help="reference (publication) date YYYY-MM-DD for a single file")
    p.set_defaults(func=cmd_timex)

    p = sub.add_parser("geoparse", help="print the places of a file or corpus folder as JSON lines")
    p.add_argument("path")
    p.set_defaults(func=cmd_geoparse)

    # Formats are listed here, not imported, so other commands do not pay for importing plotly
    # (tests/test_exports.py checks this list against events.exports.FORMATS).
    p = sub.add_parser("export", help="export the filtered view of a corpus (the dashboard's filters)",
                       description=f"Write the incidents passing the filters in one format: {', '.join(EXPORT_FORMATS)}.")
    p.add_argument("corpus", help="folder of .txt/.md/.html articles (optional manifest.csv)")
    p.add_argument("--format", required=True, metavar="FMT", help=f"one of: {', '.join(EXPORT_FORMATS)}")
    p.add_argument("--out", help="output file (default: a name like seeds-20151117-incidents.csv here)")
    p.add_argument("--source", action="append", metavar="DOC", help="document id (repeatable)")
    p.add_argument("--from-month", metavar="YYYY-MM", help="incidents overlapping this month or later")
    p.add_argument("--to-month", metavar="YYYY-MM", help="incidents overlapping this month or earlier")
    p.add_argument("--continent", action="append", help="continent name, e.g. Asia (repeatable)")
    p.add_argument("--country", action="append", metavar="ISO2", help="country code, e.g. IQ (repeatable)")
    p.add_argument("--admin1", action="append", help="first-level admin area as in the table (repeatable)")
    p.add_argument("--type", action="append", help="incident type or its label, e.g. airstrike (repeatable)")
    p.add_argument("--min-killed", type=int, default=0, metavar="N", help="at least N killed")
    p.add_argument("--region", action="append", help="region above the country, e.g. 'Middle East' (repeatable)")
    p.add_argument("--actor", action="append", help="actor as the table names it (repeatable)")
    p.add_argument("--background", action="store_true",
                   help="also export background incidents (history the articles recall; hidden by default)")
    p.add_argument("--text", help="words that must all occur in the title, evidence, mentions, actors or place")
    p.add_argument("--group-by", choices=["type", "continent", "region", "country", "admin1"], default="type",
                   help="timeline rows (html, png, pptx)")
    p.add_argument("--corrections", metavar="DB", help="corrections database to apply (default: the corrections_db "
                   "setting, when the file exists); 'none' exports the extraction as is")
    p.add_argument("--top", type=int, default=8, help="pptx: key incidents given a slide each (default 8)")
    p.add_argument("--ids", help="pptx: comma-separated incident ids to give a slide each instead of the top N")
    p.add_argument("--title", help="pptx: the deck's title (default: Incident briefing)")
    p.add_argument("--subtitle", help="pptx: the deck's subtitle (default: the filters in words)")
    p.add_argument("--author", help="pptx: author on the title slide")
    p.add_argument("--marking", help="pptx: handling marking printed at the top and bottom of every slide")
    p.add_argument("--workers", type=int, default=0, help="worker processes (default: all cores)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("index", help="add the free-text search's word index and cell rows to a dataset folder "
                                     "written before them")
    p.add_argument("dataset", help="a dataset folder written by 'events extract CORPUS --out DIR'")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("settings", help="list the settings and their defaults")
    p.set_defaults(func=cmd_settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
