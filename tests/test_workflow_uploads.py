"""Adding articles to a corpus folder that others share: nothing is ever written through a link planted in the folder,
the manifest keeps what analysts put in it, a refused upload changes nothing, and two sessions uploading at once
never mix their files.

Each test builds its own corpus folder in tmp_path; the "corrections database" a link points at is any file whose
bytes must survive.
"""

from __future__ import annotations

import csv
import io
import os
import threading
import time
from pathlib import Path

import pytest

from events import corpus as corpus_module
from events.corpus import MANIFEST_NAME, add_article, add_pasted_text, load_corpus, read_manifest
from events.workflow import add_uploads

STORY = ("A car bomb exploded in Kabul on 5 September 2019, killing 10 people, officials said. "
         "The blast hit a checkpoint near the diplomatic quarter.\n")
OTHER = "Floods in Dhaka on 2 August 2020 left 30 people dead, the ministry said.\n"


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry of a folder: regular files by content, links by target (so a changed link shows too)."""
    out: dict[str, bytes | str] = {}
    for entry in sorted(folder.iterdir()):
        out[entry.name] = f"-> {os.readlink(entry)}" if entry.is_symlink() else entry.read_bytes()
    return out


@pytest.fixture()
def precious(tmp_path) -> Path:
    """Stands for the corrections database: bytes that no upload may touch."""
    path = tmp_path / "elsewhere" / "corrections.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    return path


@pytest.fixture()
def folder(tmp_path) -> Path:
    path = tmp_path / "corpus"
    path.mkdir()
    (path / "first.txt").write_text(OTHER, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ links (item 1)

def test_a_symlinked_lock_file_is_never_written_through(folder, precious):
    before = precious.read_bytes()
    (folder / ".manifest.lock").symlink_to(precious)
    added = add_article(folder, "kabul.txt", STORY.encode())
    assert added.ok, added.problem
    assert precious.read_bytes() == before
    assert (folder / ".manifest.lock").is_symlink() and os.readlink(folder / ".manifest.lock") == str(precious)


def test_symlinked_staging_and_temporary_names_are_never_written_through(folder, precious, tmp_path):
    before = precious.read_bytes()
    pid = os.getpid()
    for name in (f".check-{pid}-kabul.txt", f".kabul.txt.{pid}.tmp", f".{MANIFEST_NAME}.{pid}.tmp"):
        (folder / name).symlink_to(precious)
    added = add_article(folder, "kabul.txt", STORY.encode())
    assert added.ok, added.problem
    assert precious.read_bytes() == before
    # and a link under the very name the article is stored as: replaced or avoided, never written through
    target = tmp_path / "elsewhere" / "victim.txt"
    target.write_text("keep me", encoding="utf-8")
    (folder / "dhaka.txt").symlink_to(target)
    added = add_article(folder, "dhaka.txt", "Different floods text, 2021.\n".encode())
    assert added.ok, added.problem
    assert target.read_text(encoding="utf-8") == "keep me"
    assert precious.read_bytes() == before


def test_a_symlinked_manifest_is_replaced_not_written_through(folder, precious):
    before = precious.read_bytes()
    (folder / MANIFEST_NAME).symlink_to(precious)
    add_article(folder, "kabul.txt", STORY.encode())
    assert precious.read_bytes() == before


# ------------------------------------------------------------------------------------------------ manifest (item 5)

def test_manifest_keeps_extra_columns_and_line_separator_characters(folder):
    (folder / MANIFEST_NAME).write_text(
        "file,title,publisher,published,url,language,analyst_notes,reliability\n"
        "first.txt,Floods,Wire,2020-08-02,,bn,\"checked, twice\",B2\n", encoding="utf-8")
    odd = {"title": "Title\u2028second line", "publisher": "Pub\u2029lisher\x85Co\x1cX", "url": "http://example.org/a\x1db\x1ec"}
    added = add_article(folder, "kabul.txt", STORY.encode(), published="2019-09-05", **odd)
    assert added.ok, added.problem
    add_article(folder, "third.txt", "A third story about a storm in 2018.\n".encode(), title="Third")
    rows, problems = read_manifest(folder)
    assert problems == []
    assert set(rows) == {"first", "kabul", "third"}  # no phantom row
    assert rows["first"]["language"] == "bn" and rows["first"]["analyst_notes"] == "checked, twice"
    assert rows["first"]["reliability"] == "B2"
    assert {k: rows["kabul"][k] for k in odd} == odd and rows["kabul"]["published"] == "2019-09-05"
    assert rows["third"]["language"] == ""
    header = (folder / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()[0]
    assert header == "file,title,publisher,published,url,language,analyst_notes,reliability"
    docs = load_corpus(folder).by_id()
    assert docs["kabul"].title == odd["title"] and docs["kabul"].publisher == odd["publisher"]
    assert docs["kabul"].url == odd["url"]


def test_a_refused_upload_leaves_the_folder_unchanged(folder):
    (folder / MANIFEST_NAME).write_bytes("file,title\nfirst.txt,Caf\xe9\n".encode("latin-1"))
    before = snapshot(folder)
    added = add_article(folder, "kabul.txt", STORY.encode())
    assert not added.ok and "manifest" in added.problem and "UTF-8" in added.problem
    assert snapshot(folder) == before
    for name, data in (("bin.txt", b"\x00\x01\x02binary"), ("empty.md", b"   "), ("x.exe", b"MZ")):
        assert not add_article(folder, name, data).ok
    assert snapshot(folder) == before


def test_over_long_manifest_fields_are_refused_at_upload_and_paste(folder):
    before = snapshot(folder)
    long_title = "T" * 200_000
    pasted = add_pasted_text(folder, "Storm text in 2018.", title=long_title)
    assert not pasted.ok and "title" in pasted.problem and "characters" in pasted.problem
    uploaded = add_article(folder, "kabul.txt", STORY.encode(), url="http://x.org/" + "a" * 140_000)
    assert not uploaded.ok and "url" in uploaded.problem
    assert snapshot(folder) == before


def test_an_existing_manifest_with_an_over_long_cell_still_loads(folder):
    (folder / "second.txt").write_text(STORY, encoding="utf-8")
    (folder / MANIFEST_NAME).write_text(
        "file,title,publisher,published,url\n"
        f"first.txt,\"{'x' * 140_000}\",Wire,2020-08-02,\n"
        "second.txt,Kabul blast,Desk,2019-09-05,\n", encoding="utf-8")
    loaded = load_corpus(folder)
    docs = loaded.by_id()
    assert set(docs) == {"first", "second"}
    assert docs["second"].title == "Kabul blast" and docs["first"].publisher == "Wire"
    assert any(p.file == MANIFEST_NAME and "row 2" in p.reason and "characters" in p.reason for p in loaded.problems)
    # and the next upload still works, keeping the other rows
    assert add_article(folder, "third.txt", "A storm in 2018 left 3 dead.\n".encode()).ok
    assert load_corpus(folder).by_id()["second"].title == "Kabul blast"


# ------------------------------------------------------------------------------------------------ sessions at once

def test_two_sessions_uploading_the_same_name_at_once_never_share_a_staging_file(folder, monkeypatch):
    """Streamlit sessions are threads of one process: the same pid. A slow check widens the window."""
    real = corpus_module.read_article

    def slow_read(path, *args, **kwargs):
        time.sleep(0.02)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(corpus_module, "read_article", slow_read)
    wrong: list[str] = []
    for round_no in range(8):
        good = f"Round {round_no}: a storm in 2018 left {round_no} dead.\n".encode()
        bad = b"\x00\x01\x02\x03 binary " + bytes([round_no])
        results: dict[str, object] = {}
        barrier = threading.Barrier(2)

        def run(label: str, data: bytes) -> None:
            barrier.wait()
            results[label] = add_article(folder, "same.txt", data)

        threads = [threading.Thread(target=run, args=("good", good)), threading.Thread(target=run, args=("bad", bad))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if not results["good"].ok:
            wrong.append(f"round {round_no}: good file refused ({results['good'].problem})")
        if results["bad"].ok:
            wrong.append(f"round {round_no}: binary file accepted as {results['bad'].file}")
    assert wrong == []
    stored = [p for p in folder.iterdir() if p.name.startswith("same")]
    assert len(stored) == 8 and all(b"\x00" not in p.read_bytes() for p in stored)
    assert not [p for p in folder.iterdir() if p.name.startswith(".check")]


# ------------------------------------------------------------------------------------------------ one id per document

def test_report_txt_and_report_md_never_become_one_document(folder):
    first = add_article(folder, "report.txt", STORY.encode())
    second = add_article(folder, "report.md", "# Storm\n\nA storm in 2018 left 3 dead.\n".encode())
    assert first.ok and second.ok
    assert first.doc_id != second.doc_id
    ids = [d.doc_id for d in load_corpus(folder).documents]
    assert len(ids) == len(set(ids)) and {first.doc_id, second.doc_id} <= set(ids)


def test_an_existing_pair_with_one_stem_gets_one_document_and_a_named_problem(folder):
    (folder / "report.txt").write_text(STORY, encoding="utf-8")
    (folder / "report.md").write_text("# Storm\n\nA storm in 2018 left 3 dead.\n", encoding="utf-8")
    loaded = load_corpus(folder)
    ids = [d.doc_id for d in loaded.documents]
    assert len(ids) == len(set(ids))
    assert any(p.file in ("report.md", "report.txt") and "report" in p.reason for p in loaded.problems)


def test_workflow_uploads_report_each_outcome_under_links(folder, precious):
    before = precious.read_bytes()
    (folder / ".manifest.lock").symlink_to(precious)
    out = add_uploads(folder, [("a.txt", STORY.encode()), ("b.txt", b"\x00bin")], max_bytes=10_000)
    assert [o.ok for o in out] == [True, False]
    assert precious.read_bytes() == before
    rows = list(csv.DictReader(io.StringIO((folder / MANIFEST_NAME).read_text(encoding="utf-8"))))
    assert [r["file"] for r in rows] == ["a.txt"]


# ------------------------------------------------------------------------------------------------ any metadata

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=CELL, publisher=CELL, url=CELL, note=CELL)
def test_any_metadata_round_trips_through_the_manifest(tmp_path_factory, title, publisher, url, note):
    folder = tmp_path_factory.mktemp("meta")
    (folder / MANIFEST_NAME).write_bytes(manifest_header_with_notes(note))
    added = add_article(folder, "story.txt", STORY.encode(), title=title, publisher=publisher, url=url)
    assert added.ok, added.problem
    rows, problems = read_manifest(folder)
    assert problems == [] and set(rows) == {"first", "story"}
    assert (rows["story"]["title"], rows["story"]["publisher"], rows["story"]["url"]) == \
        (title.strip(), publisher.strip(), url.strip())
    assert rows["first"]["notes"] == note.strip()


def manifest_header_with_notes(note: str) -> bytes:
    from events.corpus import manifest_bytes

    return manifest_bytes(["file", "title", "notes"], [["first.txt", "First", note]])


# ------------------------------------------------------------------------- what an upload becomes (issue 13 item 8)

def test_every_upload_reported_added_is_read_and_the_notes_file_is_refused_with_its_reason(folder):
    """`SOURCES.txt` / `sources.md` are the folder's notes, which the corpus never reads as articles: an upload of
    that name is refused saying so (it used to be 'added' and then silently left unread)."""
    before = snapshot(folder)
    for name in ("SOURCES.txt", "sources.md", "Sources.HTML"):
        added = add_article(folder, name, STORY.encode())
        assert not added.ok and "notes" in added.problem and "rename" in added.problem, (name, added)
    assert snapshot(folder) == before
    results = add_uploads(folder, [("sources-2019.txt", STORY.encode()), ("my sources.md", b"# Storm\n\nA storm hit.\n")])
    assert all(r.ok for r in results), results
    assert {r.doc_id for r in results} <= {d.doc_id for d in load_corpus(folder).documents}


def test_uploaded_names_keep_their_letters_in_any_script(folder):
    """'ünïcödé.txt' stays 'ünïcödé.txt' (it was stored as 'n_c_d.txt'); a name written decomposed (as some
    systems do) is stored composed, so it meets the same name typed elsewhere; control characters go."""
    accented = add_article(folder, "ünïcödé.txt", STORY.encode())
    assert accented.ok and accented.file == "ünïcödé.txt", accented
    decomposed = add_article(folder, "u\u0308ber.txt", OTHER.replace("Dhaka", "Sylhet").encode())
    assert decomposed.file == "\u00fcber.txt", decomposed
    again = add_article(folder, "\u00dcBER.md", b"# Fire\n\nA fire in Osaka in 2019 killed 3 people.\n")
    assert again.file == "\u00dcBER-2.md", again  # same document id but for case: a new name, never a second 'über'
    chinese = add_article(folder, "北京 爆炸\u202e.txt", b"Explosion\n\nA gas blast in Tianjin in 2015 killed 9.\n")
    assert chinese.file == "北京_爆炸.txt", chinese
    assert {d.doc_id for d in load_corpus(folder).documents} == {"first", "ünïcödé", "über", "ÜBER-2", "北京_爆炸"}
    assert {row["file"] for row in read_manifest(folder)[0].values()} == \
        {"ünïcödé.txt", "über.txt", "ÜBER-2.md", "北京_爆炸.txt"}


def test_of_two_files_with_the_same_content_the_one_the_manifest_describes_is_read(folder):
    """The alphabetically first copy used to win, dropping the manifest's title, publisher and date; now the
    described file is read and the other is named as a duplicate."""
    (folder / "a-copy.txt").write_text(STORY, encoding="utf-8")
    (folder / "kabul.txt").write_text(STORY, encoding="utf-8")
    (folder / MANIFEST_NAME).write_text("file,title,publisher,published,url\n"
                                        "kabul.txt,Kabul checkpoint blast,Kabul Times,2019-09-05,\n", encoding="utf-8")
    loaded = load_corpus(folder)
    docs = loaded.by_id()
    assert sorted(docs) == ["first", "kabul"]
    assert (docs["kabul"].title, docs["kabul"].publisher) == ("Kabul checkpoint blast", "Kabul Times")
    assert [(p.file, p.reason) for p in loaded.problems] == \
        [("a-copy.txt", f"same content as kabul.txt, which {MANIFEST_NAME} describes; skipped")]
    (folder / MANIFEST_NAME).unlink()  # neither described: the first by name, the other named
    loaded = load_corpus(folder)
    assert sorted(loaded.by_id()) == ["a-copy", "first"]
    assert [(p.file, p.reason) for p in loaded.problems] == [("kabul.txt", "same content as a-copy.txt; skipped")]


def test_the_duplicate_check_of_a_small_upload_never_reads_a_huge_file_beside_it(folder):
    """Only files of the upload's size are compared: a 70-byte upload beside a 256 MiB file (sparse, so it costs no
    disk) used to read the whole file into memory."""
    import tracemalloc

    with open(folder / "archive.txt", "wb") as huge:
        huge.truncate(256 * 1024 * 1024)
    (folder / "same-size.txt").write_text(STORY.replace("Kabul", "Herat"), encoding="utf-8")
    tracemalloc.start()
    try:
        added = add_article(folder, "kabul.txt", STORY.encode())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert added.ok, added
    assert peak < 32 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    copy = add_article(folder, "copy.txt", STORY.encode())
    assert not copy.ok and copy.problem == "same content as kabul.txt, already in the corpus"
