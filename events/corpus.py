"""Corpus stage: a folder of articles becomes a list of documents with text, metadata and a publication date.

A bad file never stops the others: it becomes a `CorpusProblem` naming the file and the reason, so the
caller can show it to the analyst and go on with the rest.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import statistics
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Iterable

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "title", "publisher", "published", "url")
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: str
    text: str
    title: str = ""
    publisher: str = ""
    published: date | None = None
    date_source: str = ""  # manifest, dateline, text, corpus, or "" when unknown
    url: str = ""
    sha256: str = ""

    @property
    def published_inferred(self) -> bool:
        return self.date_source not in ("manifest", "")

    @property
    def n_words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class CorpusProblem:
    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass
class Corpus:
    root: str
    documents: list[Document] = field(default_factory=list)
    problems: list[CorpusProblem] = field(default_factory=list)

    def by_id(self) -> dict[str, Document]:
        return {d.doc_id: d for d in self.documents}


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")


class UnreadableArticle(ValueError):
    """Raised by `read_article` with a reason an analyst can act on."""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes) -> str:
    """Decode article bytes, refusing binary files and text that is not UTF-8 or UTF-16 with a BOM."""
    if not data.strip():
        raise UnreadableArticle("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableArticle(f"undecodable UTF-16 text ({exc.reason} at byte {exc.start})") from exc
    if b"\x00" in data[:8192]:
        raise UnreadableArticle("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableArticle(
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from exc
    if len(_CONTROL_CHARS.findall(text, 0, 4096)) > 8:
        raise UnreadableArticle("binary file (control characters), not text")
    return text


def _html_to_text(html: str) -> tuple[str, str]:
    """Main text and title of an HTML page, via trafilatura (boilerplate removed)."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True) or ""
    title = ""
    meta = trafilatura.extract_metadata(html)
    if meta is not None and meta.title:
        title = meta.title
    if not text.strip():
        raise UnreadableArticle("no article text found in the HTML page")
    return text, title


def _pdf_to_text(data: bytes) -> tuple[str, str]:
    """Text and title of a PDF with a text layer, via pypdf; scanned images have no text to give."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF"):
        raise UnreadableArticle("not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata and reader.metadata.title else "") or ""
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableArticle(f"damaged PDF ({exc})") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise UnreadableArticle("PDF has no text layer (a scan?); paste its text instead")
    return text, str(title)


def _strip_markdown(text: str) -> str:
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)


def read_article(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[str, str, str]:
    """Text, title and content hash of one article file; `UnreadableArticle` says why not."""
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableArticle(f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)")
    data = path.read_bytes()
    if path.suffix.lower() == ".pdf":
        text, title = _pdf_to_text(data)
        return text, title or next((l.strip() for l in text.splitlines() if l.strip()), "")[:200], content_hash(data)
    text = decode_text(data)
    title = ""
    if path.suffix.lower() in (".html", ".htm"):
        text, title = _html_to_text(text)
    elif path.suffix.lower() == ".md":
        text = _strip_markdown(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableArticle("empty file")
    if not title:
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]
    return text, title, content_hash(data)


def parse_iso_date(value: str) -> date:
    value = value.strip()
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ValueError(f"date {value!r} is not YYYY-MM-DD") from exc


def read_manifest(root: Path) -> tuple[dict[str, dict[str, str]], list[CorpusProblem]]:
    """Rows of `manifest.csv` keyed by document id; bad rows become problems, the rest are kept."""
    path = root / MANIFEST_NAME
    rows: dict[str, dict[str, str]] = {}
    problems: list[CorpusProblem] = []
    if not path.exists():
        return rows, problems
    try:
        text = decode_text(path.read_bytes())
    except UnreadableArticle as exc:
        return rows, [CorpusProblem(MANIFEST_NAME, str(exc))]
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ("file",) if c not in (reader.fieldnames or [])]
    if missing:
        return rows, [CorpusProblem(MANIFEST_NAME, f"no '{missing[0]}' column; expected columns {','.join(MANIFEST_COLUMNS)}")]
    for line_no, row in enumerate(reader, start=2):
        name = (row.get("file") or "").strip()
        if not name:
            problems.append(CorpusProblem(MANIFEST_NAME, f"row {line_no}: empty 'file'"))
            continue
        published = (row.get("published") or "").strip()
        if published:
            try:
                parse_iso_date(published)
            except ValueError as exc:
                problems.append(CorpusProblem(MANIFEST_NAME, f"row {line_no} ({name}): {exc}; date ignored"))
                row = {**row, "published": ""}
        rows[Path(name).stem] = {k: (v or "").strip() for k, v in row.items() if k}
    return rows, problems


def article_paths(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                  and p.name != MANIFEST_NAME and not p.name.startswith(".") and p.stem.upper() != "SOURCES")


def load_corpus(root: str | Path, max_bytes: int = MAX_FILE_BYTES) -> Corpus:
    """Read every article of a folder; publication dates missing from the manifest are inferred."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder {str(root)!r} does not exist or is not a folder")
    manifest, problems = read_manifest(root)
    documents: list[Document] = []
    seen_hashes: dict[str, str] = {}
    for path in article_paths(root):
        try:
            text, title, digest = read_article(path, max_bytes=max_bytes)
        except UnreadableArticle as exc:
            problems.append(CorpusProblem(path.name, str(exc)))
            continue
        except OSError as exc:
            problems.append(CorpusProblem(path.name, f"cannot read: {exc.strerror or exc}"))
            continue
        if digest in seen_hashes:
            problems.append(CorpusProblem(path.name, f"same content as {seen_hashes[digest]}; skipped"))
            continue
        seen_hashes[digest] = path.name
        meta = manifest.get(path.stem, {})
        published = parse_iso_date(meta["published"]) if meta.get("published") else None
        documents.append(Document(
            doc_id=path.stem, path=str(path), text=text,
            title=meta.get("title") or title, publisher=meta.get("publisher", ""),
            published=published, date_source="manifest" if published else "",
            url=meta.get("url", ""), sha256=digest,
        ))
    known = {d.doc_id for d in documents}
    for doc_id in manifest:
        if doc_id not in known and not any(p.file.startswith(doc_id) for p in problems):
            problems.append(CorpusProblem(MANIFEST_NAME, f"lists {doc_id!r}, which is not an article file in the folder"))
    return Corpus(root=str(root), documents=infer_publication_dates(documents), problems=problems)


def infer_publication_dates(documents: Iterable[Document]) -> list[Document]:
    """Fill missing publication dates: a dateline, then the latest full date in the text, then the corpus median.

    News is written on or after the dates it reports, so the latest explicit date is a lower bound that is
    usually days from the truth; the corpus median is the fallback for texts with no full date at all.
    """
    from events.dates import find_dates

    documents = list(documents)
    dated: list[Document] = []
    for doc in documents:
        if doc.published is not None:
            dated.append(doc)
            continue
        full = [m for m in _dates_with_years(doc.text, find_dates)
                if m.precision == "day" and len(m.value) == 10 and re.search(r"\b\d{4}\b", m.text)]
        head = [m for m in full if m.start < 400]
        if head:
            dated.append(replace(doc, published=head[0].first, date_source="dateline"))
        elif full:
            dated.append(replace(doc, published=max(m.first for m in full), date_source="text"))
        else:
            dated.append(doc)
    anchors = [d.published for d in dated if d.date_source in ("manifest", "dateline")] or \
              [d.published for d in dated if d.published is not None]
    if not anchors:
        return dated
    median = date.fromordinal(int(statistics.median_low([a.toordinal() for a in anchors])))
    return [d if d.published is not None else replace(d, published=median, date_source="corpus") for d in dated]


def _dates_with_years(text: str, find_dates) -> list:
    """Absolute dates that carry a year, tagging only the windows around four-digit years (fast on long corpora)."""
    windows: list[list[int]] = []
    for m in _YEAR.finditer(text):
        start, end = max(0, m.start() - 40), min(len(text), m.end() + 12)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    found = []
    for start, end in windows:
        # widen to whitespace so no word is cut in two
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        found.extend(replace(d, start=d.start + start, end=d.end + start) for d in find_dates(text[start:end], None))
    return found


def documents_table(documents: Iterable[Document]):
    """The documents as a DataFrame (no text), for the dashboard's source filter and exports."""
    import pandas as pd

    return pd.DataFrame([{
        "doc": d.doc_id, "title": d.title, "publisher": d.publisher,
        "published": d.published.isoformat() if d.published else "",
        "date_source": d.date_source, "url": d.url, "words": d.n_words, "sha256": d.sha256, "path": d.path,
    } for d in documents], columns=["doc", "title", "publisher", "published", "date_source", "url", "words", "sha256", "path"])


@dataclass(frozen=True)
class AddedArticle:
    """What became of one article handed to `add_article`: stored under `file`, or refused with `problem`."""

    name: str
    file: str = ""
    doc_id: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_article_name(name: str, suffix: str | None = None) -> str:
    """A file name that stays inside the corpus folder: no folders, no leading dots, only plain characters."""
    base = Path(name.replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = (suffix or f".{ext}").lower()
    if ext not in ARTICLE_SUFFIXES:
        raise UnreadableArticle(f"unsupported file type {ext or '(none)'}; use one of {', '.join(ARTICLE_SUFFIXES)}")
    stem = _SAFE_NAME.sub("_", stem).strip("._-")[:80] or "article"
    return f"{stem}{ext}"


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _manifest_lock(root: Path):
    import fcntl
    from contextlib import contextmanager

    @contextmanager
    def locked():
        with open(root / ".manifest.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    return locked()


def add_article(root: str | Path, name: str, data: bytes, title: str = "", publisher: str = "", published: str = "",
                url: str = "", max_bytes: int = MAX_FILE_BYTES) -> AddedArticle:
    """Store one uploaded or pasted article in the corpus folder, with its manifest row.

    The file is checked before anything is written (type, size, text, duplicate content), written atomically
    under a safe name that cannot escape the folder, and the manifest is rewritten atomically under a lock, so a
    bad file or a crash never damages the corpus.
    """
    root = Path(root)
    try:
        if not root.is_dir():
            raise UnreadableArticle(f"corpus folder {str(root)!r} does not exist")
        file_name = safe_article_name(name)
        if len(data) > max_bytes:
            raise UnreadableArticle(f"too large ({len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)")
        if published:
            published = parse_iso_date(published).isoformat()
        staging = root / f".check-{os.getpid()}-{file_name}"  # hidden, keeps the suffix read_article looks at
        try:
            staging.write_bytes(data)
            read_article(staging, max_bytes=max_bytes)
        finally:
            staging.unlink(missing_ok=True)
        digest = content_hash(data)
        with _manifest_lock(root):
            for existing in article_paths(root):
                if content_hash(existing.read_bytes()) == digest:
                    raise UnreadableArticle(f"same content as {existing.name}, already in the corpus")
            target = root / file_name
            n = 2
            while target.exists():
                target = root / f"{Path(file_name).stem}-{n}{Path(file_name).suffix}"
                n += 1
            _atomic_write(target, data)
            manifest = root / MANIFEST_NAME
            rows = []
            if manifest.exists():
                rows = list(csv.DictReader(decode_text(manifest.read_bytes()).splitlines()))
            rows.append({"file": target.name, "title": title, "publisher": publisher, "published": published, "url": url})
            import io

            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(MANIFEST_COLUMNS), extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            _atomic_write(manifest, out.getvalue().encode("utf-8"))
        return AddedArticle(name=name, file=target.name, doc_id=target.stem)
    except (UnreadableArticle, ValueError, OSError) as exc:
        return AddedArticle(name=name, problem=str(exc))


def add_pasted_text(root: str | Path, text: str, title: str, publisher: str = "", published: str = "",
                    url: str = "", max_bytes: int = MAX_FILE_BYTES) -> AddedArticle:
    """Store pasted article text as a .txt file named after its title."""
    if not title.strip():
        return AddedArticle(name="(pasted text)", problem="a pasted article needs a title")
    body = text if text.lstrip().startswith(title.strip()) else f"{title.strip()}\n\n{text}"
    return add_article(root, f"{title.strip()[:60]}.txt", body.encode("utf-8"), title=title, publisher=publisher,
                       published=published, url=url, max_bytes=max_bytes)
