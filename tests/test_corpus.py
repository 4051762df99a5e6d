"""Corpus stage: reading a folder, the manifest, bad files, inferred publication dates."""

from datetime import date

import pytest

from events.corpus import load_corpus

ARTICLE = "Floods hit Karachi\n\nHeavy rain flooded the city on Tuesday, officials said on 24 August 2022.\n"


def write(folder, name, data):
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_reads_txt_md_html_and_uses_file_stem_as_id(tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "b.md", "# Quake in Turkey\n\nA strong earthquake struck Gaziantep on **6 February 2023**.\n")
    write(tmp_path, "c.html", "<html><head><title>Storm</title></head><body><nav>Menu Home About</nav><article><h1>Storm"
          " reaches Manila</h1><p>" + "A typhoon made landfall near Manila on 12 November 2013, officials said. " * 5 +
          "</p></article></body></html>")
    corpus = load_corpus(tmp_path)
    assert [d.doc_id for d in corpus.documents] == ["a", "b", "c"]
    assert corpus.problems == []
    docs = corpus.by_id()
    assert docs["a"].title == "Floods hit Karachi"
    assert "**" not in docs["b"].text and docs["b"].title == "Quake in Turkey"
    assert "typhoon made landfall" in docs["c"].text and "Menu Home About" not in docs["c"].text


def test_bad_files_are_reported_by_name_and_reason_and_the_rest_processed(tmp_path):
    write(tmp_path, "good.txt", ARTICLE)
    write(tmp_path, "empty.txt", "   \n")
    write(tmp_path, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    write(tmp_path, "latin1.txt", "Caf\xe9 bombing in Li\xe8ge".encode("latin-1"))
    write(tmp_path, "dup.txt", ARTICLE)
    corpus = load_corpus(tmp_path)
    assert [d.doc_id for d in corpus.documents] == ["dup"] or [d.doc_id for d in corpus.documents] == ["good"]
    reasons = {p.file: p.reason for p in corpus.problems}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    duplicate = "good.txt" if "good.txt" in reasons else "dup.txt"
    assert "same content as" in reasons[duplicate]


def test_too_large_file_names_the_limit(tmp_path):
    write(tmp_path, "big.txt", "word " * 1000)
    corpus = load_corpus(tmp_path, max_bytes=1000)
    assert corpus.documents == []
    assert "limit" in corpus.problems[0].reason


def test_manifest_metadata_and_bad_rows(tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "b.txt", "Blast in Kabul\n\nA bomb exploded in Kabul on Monday.\n")
    write(tmp_path, "manifest.csv", "file,title,publisher,published,url\n"
          "a.txt,Karachi floods,Dawn,2022-08-25,https://example.org/a\n"
          "b.txt,Kabul blast,,last monday,\n"
          "missing.txt,Ghost,,,\n")
    corpus = load_corpus(tmp_path)
    a = corpus.by_id()["a"]
    assert (a.title, a.publisher, a.published, a.date_source) == ("Karachi floods", "Dawn", date(2022, 8, 25), "manifest")
    assert not a.published_inferred
    reasons = " ".join(str(p) for p in corpus.problems)
    assert "row 3" in reasons and "YYYY-MM-DD" in reasons
    assert "missing" in reasons
    b = corpus.by_id()["b"]
    assert b.published == date(2022, 8, 25) and b.date_source == "corpus" and b.published_inferred


def test_publication_date_inferred_from_dateline(tmp_path):
    write(tmp_path, "a.txt", "Quake\n\nFeb 7, 2023 at 9:00 AM\n\nRescuers searched the rubble on Monday.\n")
    doc = load_corpus(tmp_path).documents[0]
    assert doc.published == date(2023, 2, 7) and doc.date_source == "dateline"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_seed_manifest_loads_without_problems():
    corpus = load_corpus("seeds")
    assert len(corpus.documents) == 5 and corpus.problems == []
    assert all(d.published is not None for d in corpus.documents)
    assert corpus.by_id()["001_6ae3743bf375f8f4"].published == date(2015, 11, 17)
