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
    # nothing in b says when it was written: its "Monday" is not dated from the other documents
    assert b.published is None and b.date_source == "unknown"


def test_publication_date_inferred_from_dateline(tmp_path):
    write(tmp_path, "a.txt", "Quake\n\nFeb 7, 2023 at 9:00 AM\n\nRescuers searched the rubble on Monday.\n")
    doc = load_corpus(tmp_path).documents[0]
    assert doc.published == date(2023, 2, 7) and doc.date_source == "dateline"


# --- publication dates from datelines (texts written for the tests) ---

from events.corpus import Document, find_dateline, infer_publication_dates  # noqa: E402


def inferred(text: str, name: str = "story", others: tuple[Document, ...] = ()) -> Document:
    docs = infer_publication_dates([*others, Document(doc_id=name, path=f"{name}.txt", text=text)])
    return docs[-1]


@pytest.mark.parametrize("head, expected", [
    ("LIMA, March 3, 2011 (Reuters) - Heavy rain cut the Pan-American highway on Wednesday.", date(2011, 3, 3)),
    ("DHAKA, Bangladesh, Aug. 14 , 1999 (AP) -- A ferry capsized on the Meghna river.", date(1999, 8, 14)),
    ("QUITO, Sept 9 , 2008, 2008 - Protesters blocked roads into the capital.", date(2008, 9, 9)),
    ("NAIROBI, 21 January 2019 (AFP) - Gunmen attacked a hotel complex on Tuesday.", date(2019, 1, 21)),
    ("SAO PAULO, Brazil, July 30, 2003 \u2014 Police raided a warehouse.", date(2003, 7, 30)),
    ("By Ana Ruiz\n\nBOGOTA, Friday, May 5, 2017 (EFE) - Talks resumed.", date(2017, 5, 5)),
    ("Updated: 12 June 2014, 08:15 GMT\n\nMilitants seized the town overnight.", date(2014, 6, 12)),
    ("2016-10-02T14:05:00Z\n\nVoters rejected the accord.", date(2016, 10, 2)),
    ("Port Moresby, 9 June 2021 - Landslides cut the highway.", date(2021, 6, 9)),
])
def test_wire_datelines_give_the_publication_date(head, expected):
    doc = inferred("Headline\n\n" + head + "\nMore text follows here.\n")
    assert doc.published == expected and doc.date_source == "dateline"


def test_a_date_inside_the_first_sentence_is_not_a_dateline():
    text = "Anniversary\n\nThe flood of June 4, 1998 killed 40 people in Jakarta, survivors recalled on Sunday.\n"
    assert find_dateline(text) is None
    doc = inferred(text)
    assert doc.date_source == "unknown" and doc.published is None  # a reported date is not the publication date


def test_yearless_dateline_takes_the_year_of_the_corpus_or_the_file_name():
    text = "Clashes\n\nMOGADISHU, Feb. 27 (Xinhua) -- Fighting erupted near the port on Thursday.\n"
    line = find_dateline(text)
    assert (line.month, line.day, line.year) == (2, 27, None)
    other = Document(doc_id="o", path="o.txt", text="x", published=date(2014, 3, 2), date_source="manifest")
    assert inferred(text, others=(other,)).published == date(2014, 2, 27)
    # across a new year: the year that puts the dateline nearest the other documents
    late = Document(doc_id="o", path="o.txt", text="x", published=date(2009, 1, 3), date_source="manifest")
    dec = "Storm\n\nSUVA, Dec. 30 (AFP) - A cyclone hit the islands.\n"
    assert inferred(dec, others=(late,)).published == date(2008, 12, 30)
    assert inferred(text, name="XIN_ENG_20140228.0011").published == date(2014, 2, 27)
    # a corpus spanning years cannot tell which February: unknown rather than a guess
    years = tuple(Document(doc_id=f"y{y}", path=f"y{y}.txt", text="x", published=date(y, 3, 1), date_source="manifest")
                  for y in (2011, 2012, 2013))
    assert inferred(text, others=years).date_source == "unknown"


def test_file_name_date_when_the_text_has_no_dateline():
    doc = inferred("Rally\n\nThousands marched on Saturday.\n", name="APW20010512.0042")
    assert doc.published == date(2001, 5, 12) and doc.date_source == "filename"


def test_url_path_date_when_the_text_has_no_dateline():
    doc = infer_publication_dates([Document(doc_id="r", path="r.txt", text="Rally\n\nThousands marched.\n",
                                            url="https://news.example.org/2012/07/21/world/rally.html")])[0]
    assert doc.published == date(2012, 7, 21) and doc.date_source == "url"


def test_unknown_publication_date_is_said_and_not_guessed_from_the_corpus():
    other = Document(doc_id="o", path="o.txt", text="x", published=date(2014, 3, 2), date_source="manifest")
    lone = inferred("Rally\n\nWASHINGTON (AP) _ Thousands marched on Saturday.\n", name="rally", others=(other,))
    assert lone.published is None and lone.date_source == "unknown"
    no_year = inferred("Clashes\n\nMOGADISHU, Feb. 27 (Xinhua) -- Fighting erupted.\n", name="c")
    assert no_year.published is None and no_year.date_source == "unknown"


def test_unknown_date_leaves_relative_expressions_undated(tmp_path):
    from events.pipeline import extract_corpus

    write(tmp_path, "riot.txt", "Riot\n\nPolice fired tear gas at rioters in Lusaka on Tuesday, killing two people.\n")
    corpus = load_corpus(tmp_path)
    assert corpus.documents[0].date_source == "unknown"
    result = extract_corpus(corpus, workers=1, use_cache=False)
    assert result.documents["published"].tolist() == [""]
    assert result.documents["date_source"].tolist() == ["unknown"]
    assert not result.incidents["start"].notna().any(), result.incidents[["title", "start"]]


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_seed_manifest_loads_without_problems():
    corpus = load_corpus("seeds")
    assert len(corpus.documents) == 5 and corpus.problems == []
    # the manifest dates one; the others say nothing of when they were written (seeds/SOURCES.md)
    assert {d.date_source for d in corpus.documents} == {"manifest", "unknown"}, [d.date_source for d in corpus.documents]
    assert corpus.by_id()["001_6ae3743bf375f8f4"].published == date(2015, 11, 17)


# --- adding articles (uploads and pasted text) ---

from events.corpus import add_article, add_pasted_text  # noqa: E402

def minimal_pdf(line: str) -> bytes:
    """A one-page PDF with a text layer, objects and cross-reference table written out by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % n + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


MINIMAL_PDF = minimal_pdf("Floods hit Karachi on 24 August 2022, officials said.")


def test_add_article_stores_file_and_manifest_row(tmp_path):
    added = add_article(tmp_path, "karachi floods.txt", ARTICLE.encode(), title="Karachi floods", publisher="Dawn",
                        published="2022-08-25", url="https://example.org/k")
    assert added.ok and added.file == "karachi_floods.txt" and added.doc_id == "karachi_floods"
    corpus = load_corpus(tmp_path)
    doc = corpus.by_id()["karachi_floods"]
    assert (doc.title, doc.publisher, doc.published) == ("Karachi floods", "Dawn", date(2022, 8, 25))
    assert corpus.problems == []


def test_add_article_refuses_bad_files_by_name_and_reason_and_keeps_the_corpus_intact(tmp_path):
    assert add_article(tmp_path, "good.txt", ARTICLE.encode()).ok
    cases = {
        "empty.txt": b"  \n",
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00IHDR",
        "latin.txt": "Caf\xe9".encode("latin-1") * 10,
        "copy.txt": ARTICLE.encode(),
        "big.txt": b"word " * 400,
        "notes.docx": b"PK\x03\x04",
        "scan.pdf": b"%PDF-1.4\n%%EOF\n",
    }
    results = {name: add_article(tmp_path, name, data, max_bytes=1500) for name, data in cases.items()}
    reasons = {name: r.problem for name, r in results.items()}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["image.txt"]
    assert "UTF-8" in reasons["latin.txt"]
    assert "same content as good.txt" in reasons["copy.txt"]
    assert "limit is" in reasons["big.txt"]
    assert "unsupported file type .docx" in reasons["notes.docx"]
    assert "PDF" in reasons["scan.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["good.txt", "manifest.csv"]
    assert [d.doc_id for d in load_corpus(tmp_path).documents] == ["good"]


def test_uploaded_names_cannot_escape_the_corpus_folder(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, name in enumerate(["../../etc/passwd.txt", "/abs/path.md", "..\\windows.txt", ".hidden.txt"]):
        added = add_article(corpus, name, f"Story {i}\n\nA blast hit Kabul on Monday.".encode())
        assert added.ok, added.problem
        assert (corpus / added.file).resolve().parent == corpus.resolve()
    assert not (tmp_path / "etc").exists() and len(list(tmp_path.iterdir())) == 1


def test_same_name_gets_a_new_file_and_pasted_text_and_pdf_are_accepted(tmp_path):
    assert add_article(tmp_path, "a.txt", b"First story\n\nA flood.").file == "a.txt"
    assert add_article(tmp_path, "a.txt", b"Second story\n\nA fire.").file == "a-2.txt"
    pasted = add_pasted_text(tmp_path, "A landslide buried homes in Kerala on Tuesday.", title="Kerala landslide",
                             published="2024-07-31")
    assert pasted.ok and load_corpus(tmp_path).by_id()[pasted.doc_id].text.startswith("Kerala landslide")
    assert not add_pasted_text(tmp_path, "text", title=" ").ok
    pdf = add_article(tmp_path, "report.pdf", MINIMAL_PDF)
    assert pdf.ok, pdf.problem
    assert "Karachi" in load_corpus(tmp_path).by_id()["report"].text


def test_bad_published_date_is_refused_with_its_reason(tmp_path):
    added = add_article(tmp_path, "a.txt", ARTICLE.encode(), published="yesterday")
    assert not added.ok and "YYYY-MM-DD" in added.problem
