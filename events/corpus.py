"""Corpus stage: a folder of articles becomes a list of documents with text, metadata and a publication date.

A bad file never stops the others: it becomes a `CorpusProblem` naming the file and the reason, so the
caller can show it to the analyst and go on with the rest.
"""

from __future__ import annotations

import bisect
import csv
from bisect import bisect_left, insort
import hashlib
import io
import os
import re
import stat
import unicodedata
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
    date_source: str = ""  # manifest, dateline, filename, url, text, or unknown (see infer_publication_dates)
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


def _read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; devices, pipes and folders are refused, not read.

    The checks are made on the opened file (no race with a swapped link), and the read stops after `max_bytes`
    because files under /proc report size 0 whatever they hold.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))  # a pipe opens without waiting
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableArticle("not a regular file (a device, a pipe or a folder); skipped")
        if info.st_size > max_bytes:
            raise UnreadableArticle(f"too large ({info.st_size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnreadableArticle(f"too large (over {max_bytes / 1e6:.0f} MB, the limit)")
    return data


def _parse_with(parser: str, convert, content):
    """Run a third-party parser; whatever it raises on a hostile file becomes that file's `UnreadableArticle`."""
    try:
        return convert(content)
    except UnreadableArticle:
        raise
    except Exception as exc:  # noqa: BLE001 - parsers raise AssertionError, RecursionError, LimitReachedError...
        detail = f": {exc}" if str(exc) else ""
        raise UnreadableArticle(f"the {parser} parser failed on this file ({type(exc).__name__}{detail})"[:300]) from exc


def read_article(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[str, str, str]:
    """Text, title and content hash of one article file; `UnreadableArticle` says why not."""
    data = _read_regular_file(path, max_bytes)
    if path.suffix.lower() == ".pdf":
        text, title = _parse_with("PDF", _pdf_to_text, data)
        return text, title or next((l.strip() for l in text.splitlines() if l.strip()), "")[:200], content_hash(data)
    text = decode_text(data)
    title = ""
    if path.suffix.lower() in (".html", ".htm"):
        text, title = _parse_with("HTML", _html_to_text, text)
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


# Longest manifest cell accepted (title, publisher, URL, ...): far above any real title or URL, far below the csv
# module's field limit (131,072), so one pasted wall of text can never make every later load fail.
MAX_MANIFEST_FIELD = 8_192
# Characters str.splitlines() breaks on that csv does not: written quoted, read with a csv reader, never by lines.
_LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _manifest_cells(text: str) -> list[list[str]]:
    """The raw rows of a manifest (header first), split by the csv grammar only.

    The field limit is raised to the text's length for this read: an over-long cell is reported by the caller as
    that row's problem instead of failing the whole file.
    """
    if csv.field_size_limit() <= len(text):
        csv.field_size_limit(len(text) + 1)
    return [row for row in csv.reader(io.StringIO(text, newline="")) if row]


def _decode_manifest(data: bytes) -> str:
    """The manifest's text: UTF-8 (or UTF-16 with a BOM). Unlike an article, control characters are no sign of a
    binary file here: they are metadata an analyst gave (a title with a separator character), kept as given."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data)
    if b"\x00" in data:
        raise UnreadableArticle("binary file (contains NUL bytes), not a CSV manifest")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableArticle(
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from exc


def read_manifest_rows(root: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of `manifest.csv` exactly as written (every column kept); ([], []) when there is none.

    `UnreadableArticle` says why the file cannot be read (not UTF-8, binary)."""
    path = root / MANIFEST_NAME
    if not path.exists():
        return [], []
    cells = _manifest_cells(_decode_manifest(path.read_bytes()))
    if not cells:
        return [], []
    return cells[0], cells[1:]


def read_manifest(root: Path) -> tuple[dict[str, dict[str, str]], list[CorpusProblem]]:
    """Rows of `manifest.csv` keyed by document id; bad rows and cells become problems, the rest are kept."""
    rows: dict[str, dict[str, str]] = {}
    problems: list[CorpusProblem] = []
    try:
        header, raw_rows = read_manifest_rows(root)
    except UnreadableArticle as exc:
        return rows, [CorpusProblem(MANIFEST_NAME, str(exc))]
    except (OSError, csv.Error) as exc:
        return rows, [CorpusProblem(MANIFEST_NAME, f"cannot read: {exc}")]
    if not header and not raw_rows:
        return rows, problems
    header = [h.strip() for h in header]
    if "file" not in header:
        return rows, [CorpusProblem(MANIFEST_NAME, f"no 'file' column; expected columns {','.join(MANIFEST_COLUMNS)}")]
    for line_no, cells in enumerate(raw_rows, start=2):
        row = {k: v for k, v in zip(header, cells) if k}
        name = (row.get("file") or "").strip()
        if len(name) > MAX_MANIFEST_FIELD:
            problems.append(CorpusProblem(MANIFEST_NAME, f"row {line_no}: 'file' is {len(name):,} characters long; row ignored"))
            continue
        if not name:
            problems.append(CorpusProblem(MANIFEST_NAME, f"row {line_no}: empty 'file'"))
            continue
        if "/" in name or "\\" in name or name in (".", ".."):
            problems.append(CorpusProblem(MANIFEST_NAME, f"row {line_no}: {name!r} is a path; 'file' names a file "
                                                         "in the corpus folder, not a path; row ignored"))
            continue
        for column, value in list(row.items()):
            if len(value) > MAX_MANIFEST_FIELD:
                problems.append(CorpusProblem(MANIFEST_NAME, f"row {line_no} ({name}): '{column}' is {len(value):,} characters "
                                              f"long (the limit is {MAX_MANIFEST_FIELD:,}); cell ignored"))
                row[column] = ""
        published = (row.get("published") or "").strip()
        if published:
            try:
                parse_iso_date(published)
            except ValueError as exc:
                problems.append(CorpusProblem(MANIFEST_NAME, f"row {line_no} ({name}): {exc}; date ignored"))
                row = {**row, "published": ""}
        rows[Path(name).stem] = {k: (v or "").strip() for k, v in row.items()}
    return rows, problems


NOTES_STEM = "SOURCES"  # SOURCES.md / sources.txt: the folder's notes on where its articles came from


def not_an_article_reason(name: str) -> str:
    """Why a file of this name in a corpus folder is not read as an article ('' when it is): the one rule that
    `load_corpus` reads by and `add_article` stores by, so an upload is never 'added' and then left unread."""
    path = Path(name)
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        return f"unsupported file type {path.suffix.lower() or '(none)'}; use one of {', '.join(ARTICLE_SUFFIXES)}"
    if path.name.startswith("."):
        return "a hidden file (its name starts with a dot)"
    if path.stem.upper() == NOTES_STEM:
        return (f"{path.name} is read as the corpus's notes on its sources, not as an article; "
                "rename the file to add it as an article")
    return ""


def _article_candidates(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.name != MANIFEST_NAME and not not_an_article_reason(p.name))


def _outside_reason(root: Path, path: Path) -> str:
    """Why a folder entry is not read as an article ('' when it is an article file inside the corpus)."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "a broken or looping symbolic link; skipped"
        if not target.is_relative_to(root.resolve()):
            return "a symbolic link to a file outside the corpus folder; skipped (copy the file in instead)"
    return ""


def article_paths(root: Path) -> list[Path]:
    """Article files of a corpus folder: regular files inside it (links out of the folder are not articles)."""
    return [p for p in _article_candidates(root) if not _outside_reason(root, p) and p.is_file()]


def one_path_per_id(paths: list[Path], manifest: dict[str, dict[str, str]]) -> tuple[list[Path], list[CorpusProblem]]:
    """One file per document id (the file stem): of `report.txt` and `report.md` the one the manifest names is read
    (else the first), the other becomes a named problem instead of a second document `report`."""
    by_id: dict[str, list[Path]] = {}
    for path in paths:
        by_id.setdefault(path.stem, []).append(path)
    kept, problems = [], []
    for doc_id, group in by_id.items():
        named = (manifest.get(doc_id) or {}).get("file", "")
        first = next((p for p in group if p.name == Path(named).name), group[0])
        kept.append(first)
        problems.extend(CorpusProblem(p.name, f"same document id {doc_id!r} as {first.name} (only the extension differs); "
                                              "skipped: rename one of them") for p in group if p is not first)
    return sorted(kept), problems


def load_corpus(root: str | Path, max_bytes: int = MAX_FILE_BYTES) -> Corpus:
    """Read every article of a folder; publication dates missing from the manifest are inferred."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder {str(root)!r} does not exist or is not a folder")
    manifest, problems = read_manifest(root)
    documents: list[Document] = []
    seen_hashes: dict[str, Document] = {}
    candidates = []
    for path in _article_candidates(root):
        outside = _outside_reason(root, path)
        if outside:
            problems.append(CorpusProblem(path.name, outside))
        elif not path.is_dir():
            candidates.append(path)
    paths, clashes = one_path_per_id(candidates, manifest)
    problems.extend(clashes)
    for path in paths:
        try:
            text, title, digest = read_article(path, max_bytes=max_bytes)
        except UnreadableArticle as exc:
            problems.append(CorpusProblem(path.name, str(exc)))
            continue
        except OSError as exc:
            problems.append(CorpusProblem(path.name, f"cannot read: {exc.strerror or exc}"))
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the corpus
            problems.append(CorpusProblem(path.name, f"cannot read ({type(exc).__name__}: {exc})"[:300]))
            continue
        meta = manifest.get(path.stem, {})
        if digest in seen_hashes:
            # Of two files with the same content the one the manifest describes is read, else the first by name.
            kept = seen_hashes[digest]
            if meta and not manifest.get(Path(kept.path).stem):
                problems.append(CorpusProblem(Path(kept.path).name, f"same content as {path.name}, which "
                                              f"{MANIFEST_NAME} describes; skipped"))
                documents.remove(kept)
            else:
                problems.append(CorpusProblem(path.name, f"same content as {Path(kept.path).name}; skipped"))
                continue
        published = parse_iso_date(meta["published"]) if meta.get("published") else None
        document = Document(
            doc_id=path.stem, path=str(path), text=text,
            title=meta.get("title") or title, publisher=meta.get("publisher", ""),
            published=published, date_source="manifest" if published else "",
            url=meta.get("url", ""), sha256=digest,
        )
        seen_hashes[digest] = document
        documents.append(document)
    known = {d.doc_id for d in documents}
    named = sorted({p.file for p in problems})  # a row whose file already has a problem is not reported twice
    for doc_id in manifest:
        at = bisect_left(named, doc_id)  # the files starting with doc_id sort right at its place
        if doc_id not in known and not (at < len(named) and named[at].startswith(doc_id)):
            problems.append(CorpusProblem(MANIFEST_NAME, f"lists {doc_id!r}, which is not an article file in the folder"))
            if MANIFEST_NAME not in named:
                insort(named, MANIFEST_NAME)
    return Corpus(root=str(root), documents=infer_publication_dates(documents), problems=problems)


_MONTH_NAMES = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
                "nov": 11, "dec": 12}
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+"
# "April 1, 1997", "Nov. 21 , 2005", "Dec 12 , 2006, 2006" (a year written twice), "21 November 2005", "Nov 21"
_DAY_MONTH_YEAR = (
    rf"(?:{_WEEKDAY})?(?:(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|"
    rf"(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month2>{_MONTH})\.?)"
    r"(?:\s*,?\s*(?P<year>(?:1[89]|20)\d\d)\b(?:\s*,\s*(?:1[89]|20)\d\d\b)?)?")
# A wire dateline: "MOSCOW, April 1, 1997 (AFP) -", "NAIROBI, Nov. 21 (Xinhua) --", "KANDAHAR, Afghanistan, Dec 12, 2006 -",
# "Lima, 3 March 2016 -".
_WIRE_DATELINE = re.compile(
    r"^[ \t\"'*_]*(?:(?:[A-Z][A-Z.'\u2019 -]*[A-Z.]|[A-Z][a-z.'\u2019-]+(?: [A-Z][a-z.'\u2019-]+){0,3})"
    r"(?:\s*\([^()\n]{1,30}\))?(?:,\s*[A-Z][\w.'\u2019 -]{0,30}?){0,2}\s*,?\s*)?"
    + _DAY_MONTH_YEAR +
    r"\s*(?:\((?P<agency>[^()\n]{1,40})\)\s*(?:-{1,3}|[\u2014\u2013_:])?|-{1,3}|[\u2014\u2013_:])", re.M)
# A timestamp line of a web article: "Feb 7, 2023 at 9:00 AM", "Published: Tuesday, 21 November 2005, 14:05 GMT".
_STAMP_LINE = re.compile(
    r"^[ \t]*(?:(?:Published|Updated|Posted|Last updated|First published)(?:\s+on)?:?\s*)?" + _DAY_MONTH_YEAR +
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d\d(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*\(?[A-Z]{2,5}\)?)?)?[ \t]*$", re.M | re.I)
_ISO_STAMP_LINE = re.compile(
    r"^[ \t]*(?:(?:Published|Updated|Posted|Date)(?:\s+on)?:?\s*)?(?P<iso>(?:1[89]|20)\d\d-\d\d-\d\d)"
    r"(?:[T ]\d\d:\d\d(?::\d\d)?(?:Z|[+-]\d\d:?\d\d)?)?[ \t]*$", re.M | re.I)
# "AFP_ENG_19970401.0562", "APW19980213.1310", "2019-03-02-lagos-market-fire": a date in the file name.
# ".../2015/01/02/us/story.html": a day in an article URL's path.
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/")
_FILENAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])(?!\d)")
DATELINE_CHARS = 600  # a dateline sits in the first lines, after a title and perhaps a byline


@dataclass(frozen=True)
class Dateline:
    """A date written at the head of an article; ``year`` is None when the dateline gives only month and day."""

    month: int
    day: int
    year: int | None
    text: str

    def on(self, year: int) -> date | None:
        try:
            return date(year, self.month, self.day)
        except ValueError:
            return None


def find_dateline(text: str) -> Dateline | None:
    """The dateline or timestamp line of an article's head, or None (a date inside a sentence is not one)."""
    head = text[:DATELINE_CHARS]
    found: list[tuple[int, Dateline]] = []
    for rx in (_WIRE_DATELINE, _STAMP_LINE):
        m = rx.search(head)
        if m:
            month = _MONTH_NAMES[(m.group("month") or m.group("month2"))[:3].lower()]
            day = int(m.group("day") or m.group("day2"))
            year = int(m.group("year")) if m.group("year") else None
            line = Dateline(month, day, year, m.group().strip())
            if line.on(year or 2000) is not None:
                found.append((m.start(), line))
    m = _ISO_STAMP_LINE.search(head)
    if m:
        y, mo, d = map(int, m.group("iso").split("-"))
        line = Dateline(mo, d, y, m.group().strip())
        if line.on(y) is not None:
            found.append((m.start(), line))
    return min(found, key=lambda f: f[0])[1] if found else None


def filename_date(path: str, url: str = "") -> tuple[date, str] | None:
    """A date the file name carries ("XIN_ENG_20051123.0137", "2015-11-14-attacks.txt"), as archives name files,
    else the article URL's path (".../2015/01/02/..."), with its source ("filename" or "url")."""
    m, source = _FILENAME_DATE.search(Path(path).stem), "filename"
    if not m:
        m, source = _URL_DATE.search(url or ""), "url"
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), source
    except ValueError:
        return None


def _nearest_year(line: Dateline, anchors: list[date], max_days: int = 183) -> date | None:
    """The one year that puts a year-less dateline within half a year of an established date, or None when no year
    or several years do (a corpus spanning years cannot tell which).

    ``anchors`` must be sorted; each candidate year looks up its nearest anchor by bisection (large corpora)."""
    if not anchors:
        return None
    found: list[date] = []
    for year in range(anchors[0].year - 1, anchors[-1].year + 2):
        when = line.on(year)
        if when is None:
            continue
        pos = bisect.bisect_left(anchors, when)
        if any(abs((when - a).days) <= max_days for a in anchors[max(0, pos - 1):pos + 1]):
            found.append(when)
    return found[0] if len(found) == 1 else None


def infer_publication_dates(documents: Iterable[Document]) -> list[Document]:
    """Fill missing publication dates from what each document itself says, else say the date is unknown.

    In order: the dateline or timestamp line at the head ("MOSCOW, April 1, 1997 (AFP) -"), a date in the file name
    ("XIN_ENG_20051123.0137") or the URL's path. The latest full date of the text is no estimate (on TimeBank it was
    more than a week off for 14 of 14 documents, bench/quality_published.py), so it only lends its year.
    A dateline without a year ("NAIROBI, Nov. 21 (Xinhua) --") takes the year of the file name's date, else of the
    dates established for the other documents of the corpus when exactly one year puts it within half a year of
    them, else of the text's latest full date. Otherwise ``published`` stays
    empty and ``date_source`` is ``"unknown"``: the document's relative dates ("on Tuesday") are then left undated
    rather than guessed from other documents.
    """
    from events.dates import find_dates

    documents = list(documents)
    out: list[Document | None] = []
    pending: list[tuple[int, Dateline]] = []
    for doc in documents:
        if doc.published is not None:
            out.append(doc)
            continue
        line = find_dateline(doc.text)
        from_name = filename_date(doc.path or doc.doc_id, doc.url)
        if line is not None and line.year is not None:
            out.append(replace(doc, published=line.on(line.year), date_source="dateline"))
        elif line is not None and from_name is not None and _nearest_year(line, [from_name[0]]) is not None:
            out.append(replace(doc, published=_nearest_year(line, [from_name[0]]), date_source="dateline"))
        elif from_name is not None:
            out.append(replace(doc, published=from_name[0], date_source=from_name[1]))
        elif line is not None:
            pending.append((len(out), line))
            out.append(None)
        else:
            out.append(replace(doc, published=None, date_source="unknown"))
    anchors = sorted({d.published for d in out if d is not None and d.published is not None
                      and d.date_source in ("manifest", "dateline", "filename", "url")})
    for k, line in pending:
        doc = documents[k]
        own = _latest_full_date(doc.text, find_dates)
        when = _nearest_year(line, anchors) or (_nearest_year(line, [own]) if own else None)
        out[k] = replace(doc, published=when, date_source="dateline" if when else "unknown")
    return [d for d in out if d is not None]


def _latest_full_date(text: str, find_dates) -> date | None:
    """The latest day-precise date written with its year: a lower bound of when the text was written."""
    full = [m for m in _dates_with_years(text, find_dates)
            if m.precision == "day" and len(m.value) == 10 and re.search(r"\b\d{4}\b", m.text)]
    return max(m.first for m in full) if full else None


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
        # widen to whitespace so no word is cut in two (by at most 40 characters: text without spaces would
        # widen every window to the whole text, and tag it once per year in it)
        floor, ceiling = max(0, start - 40), min(len(text), end + 40)
        while start > floor and not text[start - 1].isspace():
            start -= 1
        while end < ceiling and not text[end].isspace():
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


_REPLACED_IN_NAME = frozenset('/\\<>:"|?*')  # path separators, and what other systems refuse in a file name
_NAME_STEM_BYTES = 200  # file systems allow 255 bytes a name: room for '-2' and the suffix


def _name_char(ch: str) -> str:
    """A character of a stored file name: letters of any script stay; separators and spaces become '_';
    control and format characters (NUL, line breaks, bidirectional overrides) go."""
    if ch in _REPLACED_IN_NAME or ch.isspace():
        return "\x00"  # a run of these becomes one '_'
    category = unicodedata.category(ch)
    if category[0] == "C" or category in ("Zl", "Zp"):
        return ""
    return ch


def safe_article_name(name: str, suffix: str | None = None) -> str:
    """A file name that stays inside the corpus folder: no folders, no leading dots, no control characters; letters
    of every script are kept (Unicode NFC, so a name typed on one system matches the same name from another)."""
    base = Path(unicodedata.normalize("NFC", name).replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = (suffix or f".{ext}").lower()
    if ext not in ARTICLE_SUFFIXES:
        raise UnreadableArticle(f"unsupported file type {ext or '(none)'}; use one of {', '.join(ARTICLE_SUFFIXES)}")
    stem = re.sub("\x00+", "_", "".join(_name_char(ch) for ch in stem)).strip("._- ")
    stem = stem.encode("utf-8")[:_NAME_STEM_BYTES].decode("utf-8", errors="ignore").rstrip("._- ") or "article"
    return f"{stem}{ext}"


def _temporary_beside(folder: Path, name: str) -> tuple[int, Path]:
    """A new file of our own in `folder` (O_EXCL: a name someone planted, even a link, is never opened)."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    return fd, Path(tmp)


def _write_fd(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _replace_file(path: Path, data: bytes) -> None:
    """Write `path` atomically: a private temporary file renamed over it (a link there is replaced, not followed)."""
    fd, tmp = _temporary_beside(path.parent, path.name)
    try:
        _write_fd(fd, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _create_file(path: Path, data: bytes) -> None:
    """Write a new file at `path`; FileExistsError when anything (a file, a link, even a dangling one) is there."""
    fd, tmp = _temporary_beside(path.parent, path.name)
    try:
        _write_fd(fd, data)
        try:
            os.link(tmp, path, follow_symlinks=False)  # atomic, and never replaces what is there
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create, still never through a link
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            _write_fd(os.open(path, flags, 0o644), data)
    finally:
        tmp.unlink(missing_ok=True)


def _folder_lock(root: Path):
    """An exclusive lock on the corpus folder itself (flock on its directory handle): no lock file is created or
    opened, so a link planted in the folder can never be written through. Threads and processes both wait."""
    import fcntl
    from contextlib import contextmanager

    @contextmanager
    def locked():
        fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    return locked()


def _manifest_field(value: str) -> str:
    """One CSV cell: quoted when it holds a comma, a quote, or anything a line reader would break on."""
    if value and ("," in value or '"' in value or any(ch in _LINE_BREAKS for ch in value) or value != value.strip()):
        return '"' + value.replace('"', '""') + '"'
    return value


def manifest_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """The manifest file for these rows (every column kept), UTF-8 with '\\n' line ends."""
    return "".join(",".join(_manifest_field(c) for c in row) + "\n" for row in [header, *rows]).encode("utf-8")


def _check_manifest_values(values: dict[str, str]) -> None:
    for column, value in values.items():
        if len(value) > MAX_MANIFEST_FIELD:
            raise UnreadableArticle(f"the {column} is {len(value):,} characters long; the manifest takes at most "
                                    f"{MAX_MANIFEST_FIELD:,} per field — shorten it")
        if "\x00" in value:
            raise UnreadableArticle(f"the {column} contains a NUL character")


def _check_upload(file_name: str, data: bytes, max_bytes: int) -> None:
    """Read the upload as the corpus will, from a private folder of its own: concurrent uploads of one name never
    share a file, and nothing is staged inside the corpus."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="atlas-upload-") as private:
        staging = Path(private) / file_name
        _write_fd(os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600), data)
        read_article(staging, max_bytes=max_bytes)


def _same_content(root: Path, data: bytes, digest: str) -> str:
    """The name of an article file of the folder holding exactly `data` ('' if none). Only files of the same size
    are read, so an upload beside a huge file never reads it."""
    for existing in article_paths(root):
        try:
            if existing.stat().st_size == len(data) and \
                    content_hash(_read_regular_file(existing, max_bytes=len(data))) == digest:
                return existing.name
        except (OSError, UnreadableArticle):  # gone or swapped since listed: not the same content
            continue
    return ""


def _free_name(root: Path, file_name: str) -> Path:
    """`file_name`, or `stem-2.ext`, ...: no entry of that name (links included) and no article with its document id
    (`report.md` beside `report.txt` would be a second document `report`)."""
    def key(stem: str) -> str:
        return unicodedata.normalize("NFC", stem).casefold()

    stems = {key(p.stem) for p in root.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES}
    stem, suffix = Path(file_name).stem, Path(file_name).suffix
    candidate, n = file_name, 2
    while os.path.lexists(root / candidate) or key(Path(candidate).stem) in stems:
        candidate = f"{stem}-{n}{suffix}"
        n += 1
    return root / candidate


def add_article(root: str | Path, name: str, data: bytes, title: str = "", publisher: str = "", published: str = "",
                url: str = "", max_bytes: int = MAX_FILE_BYTES) -> AddedArticle:
    """Store one uploaded or pasted article in the corpus folder, with its manifest row.

    Everything is checked before anything is written (type, size, text, metadata, duplicate content, a readable
    manifest), under a lock on the folder; the article is created under a safe name that cannot escape the folder
    or clobber anything there, and the manifest is replaced atomically keeping every column. Nothing is ever written
    through a link found in the folder, and a refusal leaves the folder as it was.
    """
    root = Path(root)
    try:
        if not root.is_dir():
            raise UnreadableArticle(f"corpus folder {str(root)!r} does not exist")
        file_name = safe_article_name(name)
        if not_an_article_reason(file_name):
            raise UnreadableArticle(not_an_article_reason(file_name))
        if len(data) > max_bytes:
            raise UnreadableArticle(f"too large ({len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)")
        if published:
            published = parse_iso_date(published).isoformat()
        meta = {"title": title, "publisher": publisher, "published": published, "url": url}
        _check_manifest_values(meta)
        _check_upload(file_name, data, max_bytes)
        digest = content_hash(data)
        with _folder_lock(root):
            try:
                header, rows = read_manifest_rows(root)
            except (UnreadableArticle, csv.Error) as exc:
                raise UnreadableArticle(f"{MANIFEST_NAME} cannot be updated ({exc}); fix or remove it first") from None
            same = _same_content(root, data, digest)
            if same:
                raise UnreadableArticle(f"same content as {same}, already in the corpus")
            header = list(header) or list(MANIFEST_COLUMNS)
            header += [c for c in MANIFEST_COLUMNS if c not in header]
            while True:
                target = _free_name(root, file_name)
                values = {**meta, "file": target.name}
                row = [values.get(column.strip(), "") for column in header]
                manifest = manifest_bytes(header, [*rows, row])
                try:
                    _create_file(target, data)
                    break
                except FileExistsError:  # appeared since we looked (another writer ignoring the lock): next name
                    continue
            try:
                _replace_file(root / MANIFEST_NAME, manifest)
            except BaseException:
                target.unlink(missing_ok=True)
                raise
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
