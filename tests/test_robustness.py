"""No input crashes a stage: random text, and random text built from the words the stages react to."""

from datetime import date

from hypothesis import HealthCheck, given, settings, strategies as st

from events.casualties import find_casualties
from events.corpus import Corpus, Document, decode_text, UnreadableArticle
from events.merge import merge_mentions
from events.pipeline import extract_document, incidents_table
from events.sentences import split_sentences

WORDS = ["attack", "killed", "12", "people", "in", "Lagos", "on", "Friday", "bombing", "the", "town", "of", "Aleppo",
         "recaptured", "refinery", "a", "day", "before", "last", "spring", "2019", ",", ".", "?", ";", "—", "U.S.",
         "forces", "Syrian", "March", "may", "thirty-nine", "injured", "plane", "crash", "Oct.", "31", "If", "would",
         "\n", "\n\n", "’s", "airstrikes", "backed", "by", "siege", "Kyiv", "Ukraine", "hostages", "took"]
texts = st.one_of(st.text(max_size=400), st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join))
references = st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(texts)
def test_sentences_cover_the_text(text):
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text


@SETTINGS
@given(texts)
def test_casualties_never_crash(text):
    found = find_casualties(text)
    assert found.killed is None or found.killed > 0


@SETTINGS
@given(texts, references)
def test_mentions_merge_and_table_never_crash(text, reference):
    doc = Document(doc_id="d", path="d.txt", text=text, published=reference, date_source="manifest" if reference else "")
    mentions = extract_document(doc)
    incidents = merge_mentions(mentions)
    incidents_df, mentions_df = incidents_table(incidents)
    assert len(mentions_df) >= len(incidents_df) or incidents_df.empty


@SETTINGS
@given(st.binary(max_size=300))
def test_decoding_either_reads_or_says_why(data):
    try:
        decode_text(data)
    except UnreadableArticle as exc:
        assert str(exc)
