"""Hostile input (issue 13): one bad file never stops a corpus, files stay inside their folder.

The bad files are built here, in the shape an attacker or a damaged download gives them: an HTML page that breaks
the HTML parser's date extraction, a PDF whose compressed stream expands past pypdf's limit, links pointing out of
the corpus, a named pipe, a link to an endless device.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from events.corpus import load_corpus, read_article, UnreadableArticle

ROOT = Path(__file__).resolve().parent.parent
GOOD = ("Storm report\n\nA bomb exploded at a market in Mombasa on 4 May 2021, killing 7 people, police said.\n")


def _pdf(stream: bytes, filters: bytes = b"/Filter /FlateDecode ") -> bytes:
    """A one-page PDF whose page content is `stream` (already encoded with `filters`)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< " + filters + b"/Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def decompression_bomb_pdf() -> bytes:
    """80 MB of page content compressed to ~80 KB: pypdf stops at its output limit with LimitReachedError."""
    return _pdf(zlib.compress(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET\n" + b" " * 80_000_000, 9))


def _corpus_with_bad_files(folder: Path) -> Path:
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "tiny.html").write_bytes(b"<math><title></title><i>")
    (folder / "bomb.pdf").write_bytes(decompression_bomb_pdf())
    return folder


def test_files_that_crash_their_parsers_become_named_problems_and_the_rest_is_read(tmp_path):
    corpus = load_corpus(_corpus_with_bad_files(tmp_path / "corpus"))
    assert [d.doc_id for d in corpus.documents] == ["good"]
    reasons = {p.file: p.reason for p in corpus.problems}
    assert set(reasons) == {"tiny.html", "bomb.pdf"}
    assert "PDF" in reasons["bomb.pdf"] and "limit" in reasons["bomb.pdf"].lower()
    assert "HTML" in reasons["tiny.html"]


def test_any_parser_exception_is_that_files_problem(tmp_path, monkeypatch):
    import trafilatura

    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trafilatura, "extract", broken)
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "page.html").write_text("<html><body><p>A long enough paragraph of text.</p></body></html>")
    (folder / "note.txt").write_text(GOOD)
    with pytest.raises(UnreadableArticle, match="RecursionError"):
        read_article(folder / "page.html")
    corpus = load_corpus(folder)
    assert [d.doc_id for d in corpus.documents] == ["note"]
    assert [p.file for p in corpus.problems] == ["page.html"]


def test_extract_command_goes_on_with_the_rest(tmp_path):
    folder = _corpus_with_bad_files(tmp_path / "corpus")
    out = tmp_path / "table.csv"
    env = {**os.environ, "ATLAS_CACHE_DIR": str(tmp_path / "cache")}
    gazetteer_cache = ROOT / "data" / "cache"
    if gazetteer_cache.is_dir() and "ATLAS_CACHE_DIR" not in os.environ:
        env["ATLAS_CACHE_DIR"] = str(gazetteer_cache)  # reuse the built gazetteer index
    run = subprocess.run([sys.executable, "-m", "events.cli", "extract", str(folder), "--out", str(out),
                          "--workers", "1", "--no-cache"], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "tiny.html" in run.stderr and "bomb.pdf" in run.stderr
    assert "Traceback" not in run.stderr
    assert "Mombasa" in out.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------------- outside the folder

def _link(target: str | Path, at: Path) -> None:
    try:
        at.symlink_to(target)
    except OSError as exc:  # pragma: no cover - filesystems without links
        pytest.skip(f"cannot create symbolic links here: {exc}")


def test_links_out_of_the_corpus_are_skipped_with_a_message(tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("Private notes: a raid on Tromso on 2 June 2020.", encoding="utf-8")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "copy.md").write_text("Another report\n\nA flood hit Dhaka on 3 July 2020.", encoding="utf-8")
    _link(outside / "secret.txt", folder / "secret.txt")
    _link("/etc/passwd", folder / "passwd.txt")
    _link("/proc/self/status", folder / "status.txt")
    _link("../private", folder / "notes.md")  # a folder outside
    _link("copy.md", folder / "alias.md")  # a link that stays inside the corpus is an ordinary file
    corpus = load_corpus(folder)
    ids = sorted(d.doc_id for d in corpus.documents)
    assert "secret" not in ids and "passwd" not in ids and "status" not in ids
    assert "good" in ids and ("copy" in ids or "alias" in ids)
    reasons = {p.file: p.reason for p in corpus.problems}
    for name in ("secret.txt", "passwd.txt", "status.txt", "notes.md"):
        assert "outside the corpus folder" in reasons[name], reasons
    assert not any("root:" in d.text or "VmRSS" in d.text for d in corpus.documents)


def test_manifest_rows_naming_paths_are_refused(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "passwd.txt").write_text(GOOD, encoding="utf-8")
    (folder / "manifest.csv").write_text(
        "file,title,publisher,published,url\n../../etc/passwd,Injected title,Evil,2020-01-01,\n", encoding="utf-8")
    corpus = load_corpus(folder)
    doc = corpus.by_id()["passwd"]
    assert doc.title != "Injected title" and doc.publisher != "Evil"
    assert any("../../etc/passwd" in p.reason and "not a path" in p.reason for p in corpus.problems)


def test_devices_and_pipes_are_refused_without_hanging(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    with pytest.raises(UnreadableArticle, match="not a regular file"):
        read_article(folder / "pipe.txt")
    _link("/dev/zero", tmp_path / "zero.txt")
    with pytest.raises(UnreadableArticle, match="not a regular file"):
        read_article(tmp_path / "zero.txt")
    corpus = load_corpus(folder)
    assert [d.doc_id for d in corpus.documents] == ["good"]
    assert any(p.file == "pipe.txt" and "not a regular file" in p.reason for p in corpus.problems)


@pytest.mark.parametrize("name", ["pipe.txt", "zero.txt"])
def test_timex_on_a_pipe_or_an_endless_device_ends_with_an_error(tmp_path, name):
    if name == "pipe.txt":
        os.mkfifo(tmp_path / name)
    else:
        _link("/dev/zero", tmp_path / name)
    run = subprocess.run([sys.executable, "-m", "events.cli", "timex", str(tmp_path / name)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "not a regular file" in run.stderr and "Traceback" not in run.stderr


# ----------------------------------------------------------------------------------------------- the corpus box

def _dashboard(corpus: Path):
    from streamlit.testing.v1 import AppTest

    script = f"""
import sys
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]
import conftest, dashboard
dashboard.main(loader=conftest.synthetic_loader, default_corpus={str(corpus)!r})
"""
    return AppTest.from_string(script, default_timeout=60).run()


def test_corpus_box_opens_only_folders_under_the_configured_roots(tmp_path, monkeypatch):
    from conftest import write_corpus

    monkeypatch.delenv("ATLAS_CORPUS_ROOTS", raising=False)
    start = write_corpus(tmp_path / "corpora" / "first")
    sibling = write_corpus(tmp_path / "corpora" / "second")
    private = tmp_path / "private"
    private.mkdir()
    at = _dashboard(start)
    assert not at.exception and not at.error
    for outside in (str(private), "/etc", str(start / ".." / ".." / "private"), str(sibling)):
        at.sidebar.text_input(key="corpus").set_value(outside).run()
        assert not at.exception
        assert any("outside the corpus folders" in e.value for e in at.error), outside
        assert not any("Showing" in m.value for m in at.markdown)
    _link(private, start / "sub")  # a link inside the root that leads out of it
    at.sidebar.text_input(key="corpus").set_value(str(start / "sub")).run()
    assert any("outside the corpus folders" in e.value for e in at.error)

    monkeypatch.setenv("ATLAS_CORPUS_ROOTS", str(tmp_path / "corpora"))
    at = _dashboard(start)
    at.sidebar.text_input(key="corpus").set_value(str(sibling)).run()
    assert not at.exception and not at.error
    assert any("Showing" in m.value for m in at.markdown)
    at.sidebar.text_input(key="corpus").set_value(str(private)).run()
    assert any("outside the corpus folders" in e.value for e in at.error)


# ----------------------------------------------------------------------------------------------- command line

def _events(*args: str, cwd: Path | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "events.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def test_timex_reads_a_manifest_date_with_a_time_part(tmp_path):
    (tmp_path / "story.txt").write_text("The talks ended on Friday. Elections follow next March.", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,title,publisher,published,url\n"
                                           "story.txt,Talks,Wire,2019-03-14T08:30:00Z,\n", encoding="utf-8")
    run = _events("timex", str(tmp_path / "story.txt"))
    assert run.returncode == 0, run.stderr
    values = [json.loads(line)["value"] for line in run.stdout.splitlines()]
    assert "2019-03-08" in values and "2020-03" in values


@pytest.mark.parametrize("out, message", [("table.xlsx", "use a .csv"), ("blocker/table.csv", "cannot write into"),
                                          ("folder.csv", "is a folder")])
def test_bad_out_is_refused_before_the_extraction(tmp_path, out, message):
    (tmp_path / "blocker").write_text("a file, not a folder")
    (tmp_path / "folder.csv").mkdir()
    started = time.monotonic()
    run = _events("extract", str(ROOT / "seeds"), "--out", str(tmp_path / out), "--workers", "1", "--no-cache")
    assert run.returncode != 0 and message in run.stderr, run.stderr
    assert "extracting" not in run.stderr and "Traceback" not in run.stderr
    assert time.monotonic() - started < 60
