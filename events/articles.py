"""Corpus sources beside a folder: a glob of article files, or one Parquet / JSON-lines table of articles.

A million articles are not a million files: a table with the columns ``id,title,publisher,published,url,text``
(only ``id`` and ``text`` are required) is read in record batches into the same `Document`s that
`events.corpus.load_corpus` makes from a folder, with the same rules (content hash, size limit, duplicates,
publication dates inferred where missing) and bad rows reported by row number and id, never stopping the rest.

    corpus = open_corpus("news/*.txt")            # or a folder, or "articles.parquet", or "articles.jsonl"
"""

from __future__ import annotations

import glob as globbing
import json
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from events.corpus import (ARTICLE_SUFFIXES, MANIFEST_NAME, MAX_FILE_BYTES, Corpus, CorpusProblem, Document,
                           UnreadableArticle, content_hash, infer_publication_dates, load_corpus, parse_iso_date,
                           read_article, read_manifest)

TABLE_COLUMNS = ("id", "title", "publisher", "published", "url", "text")
TABLE_SUFFIXES = (".parquet", ".jsonl", ".ndjson")
_GLOB_CHARS = set("*?[")


def is_glob(source: str) -> bool:
    return any(ch in source for ch in _GLOB_CHARS)


def open_corpus(source: str | Path, max_bytes: int = MAX_FILE_BYTES) -> Corpus:
    """The corpus behind `source`: a folder, a glob of article files, or a .parquet / .jsonl table of articles."""
    text = str(source)
    path = Path(text)
    if path.is_dir():
        return load_corpus(path, max_bytes=max_bytes)
    if path.suffix.lower() in TABLE_SUFFIXES:
        if not path.is_file():
            raise FileNotFoundError(f"article table {text!r} does not exist")
        return load_article_table(path, max_bytes=max_bytes)
    if is_glob(text) and not path.exists():
        return load_article_glob(text, max_bytes=max_bytes)
    if path.is_file():
        raise FileNotFoundError(f"{text!r} is a file, not a corpus: give a folder, a glob such as 'news/*.txt', "
                                f"or a table of articles ({', '.join(TABLE_SUFFIXES)})")
    raise FileNotFoundError(f"corpus {text!r} does not exist (give a folder, a glob such as 'news/*.txt', "
                            f"or a table of articles: {', '.join(TABLE_SUFFIXES)})")


def load_article_glob(pattern: str, max_bytes: int = MAX_FILE_BYTES) -> Corpus:
    """Article files matching a glob (``**`` reaches into subfolders); each folder's manifest.csv applies to its files."""
    paths = sorted(Path(p) for p in globbing.glob(pattern, recursive=True))
    paths = [p for p in paths if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and p.name != MANIFEST_NAME
             and not p.name.startswith(".")]
    if not paths:
        raise FileNotFoundError(f"no article files ({', '.join(ARTICLE_SUFFIXES)}) match {pattern!r}")
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    problems: list[CorpusProblem] = []
    documents: list[Document] = []
    seen_ids: dict[str, str] = {}
    seen_hashes: dict[str, str] = {}
    for path in paths:
        if path.parent not in manifests:
            manifests[path.parent], found = read_manifest(path.parent)
            problems.extend(CorpusProblem(str(path.parent / p.file), p.reason) for p in found)
        name = str(path)
        if path.stem in seen_ids:
            problems.append(CorpusProblem(name, f"same document id {path.stem!r} as {seen_ids[path.stem]}; rename one"))
            continue
        try:
            text, title, digest = read_article(path, max_bytes=max_bytes)
        except UnreadableArticle as exc:
            problems.append(CorpusProblem(name, str(exc)))
            continue
        except OSError as exc:
            problems.append(CorpusProblem(name, f"cannot read: {exc.strerror or exc}"))
            continue
        if digest in seen_hashes:
            problems.append(CorpusProblem(name, f"same content as {seen_hashes[digest]}; skipped"))
            continue
        seen_ids[path.stem], seen_hashes[digest] = name, name
        meta = manifests[path.parent].get(path.stem, {})
        published = parse_iso_date(meta["published"]) if meta.get("published") else None
        documents.append(Document(doc_id=path.stem, path=name, text=text, title=meta.get("title") or title,
                                  publisher=meta.get("publisher", ""), published=published,
                                  date_source="manifest" if published else "", url=meta.get("url", ""), sha256=digest))
    return Corpus(root=pattern, documents=infer_publication_dates(documents), problems=problems)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a pandas-written table
        return ""
    if hasattr(value, "isoformat"):  # a date or timestamp column
        return value.isoformat()[:10]
    return str(value).strip()


def article_rows(path: Path, batch_rows: int = 10_000) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(row number from 1, row or None, problem) for every row of a Parquet or JSON-lines table, in batches."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            handle = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise UnreadableArticle(f"{path.name}: not a readable Parquet file ({exc})") from exc
        names = set(handle.schema_arrow.names)
        missing = [c for c in ("id", "text") if c not in names]
        if missing:
            raise UnreadableArticle(f"{path.name}: no {' or '.join(repr(c) for c in missing)} column; expected "
                                    f"columns {','.join(TABLE_COLUMNS)}")
        columns = [c for c in TABLE_COLUMNS if c in names]
        row_no = 0
        for batch in handle.iter_batches(batch_size=batch_rows, columns=columns):
            for row in batch.to_pylist():
                row_no += 1
                yield row_no, row, ""
        return
    with open(path, "rb") as handle:
        for row_no, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield row_no, None, f"not a JSON object ({exc})"
                continue
            if not isinstance(row, dict):
                yield row_no, None, f"not a JSON object (a {type(row).__name__})"
                continue
            yield row_no, row, ""


def load_article_table(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> Corpus:
    """Articles from a Parquet or JSON-lines table (one article per row; columns as `TABLE_COLUMNS`)."""
    path = Path(path)
    problems: list[CorpusProblem] = []
    documents: list[Document] = []
    seen_ids: set[str] = set()
    seen_hashes: dict[str, str] = {}
    try:
        rows = list(article_rows(path))
    except UnreadableArticle as exc:
        return Corpus(root=str(path), problems=[CorpusProblem(path.name, str(exc))])
    for row_no, row, problem in rows:
        where = f"{path.name} row {row_no}"
        if row is None:
            problems.append(CorpusProblem(where, problem))
            continue
        doc_id, text = _cell(row.get("id")), row.get("text")
        if not doc_id:
            problems.append(CorpusProblem(where, "empty 'id'"))
            continue
        where = f"{where} ({doc_id})"
        if doc_id in seen_ids:
            problems.append(CorpusProblem(where, f"id {doc_id!r} appears twice; only the first row is read"))
            continue
        if not isinstance(text, str) or not text.strip():
            problems.append(CorpusProblem(where, "empty 'text'"))
            continue
        data = text.encode("utf-8", errors="surrogatepass")
        if len(data) > max_bytes:
            problems.append(CorpusProblem(where, f"too large ({len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)"))
            continue
        digest = content_hash(data)
        if digest in seen_hashes:
            problems.append(CorpusProblem(where, f"same text as {seen_hashes[digest]}; skipped"))
            continue
        published: date | None = None
        if _cell(row.get("published")):
            try:
                published = parse_iso_date(_cell(row.get("published")))
            except ValueError as exc:
                problems.append(CorpusProblem(where, f"{exc}; date ignored"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        title = _cell(row.get("title")) or next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]
        seen_ids.add(doc_id)
        seen_hashes[digest] = doc_id
        documents.append(Document(doc_id=doc_id, path=f"{path}#{doc_id}", text=text, title=title,
                                  publisher=_cell(row.get("publisher")), published=published,
                                  date_source="manifest" if published else "", url=_cell(row.get("url")),
                                  sha256=digest))
    return Corpus(root=str(path), documents=infer_publication_dates(documents), problems=problems)
