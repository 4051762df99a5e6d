"""Caches that are damaged, raced, planted or cannot be written (issue 13 item 7): the run goes on, nothing runs.

The gazetteer tests build a small index (a handful of places made here) instead of the 10-second GeoNames one, so
damage can be tried many times; the per-document and extraction caches run the real engine on short articles.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import random
import threading
import time
from datetime import date
from pathlib import Path

import pytest

import events.gazetteer as gz
from events.corpus import Document

ARTICLE = "A car bomb exploded in Mombasa on 4 May 2021, killing 7 people and injuring 12, police said.\n"


def small_index() -> dict:
    """A real index in `build_index`'s shape, over three places invented for the test."""
    b = gz._Builder()
    b.add("1", "Ruvia", 0.0, 0.0, "KE", "", "country", 1_000_000, ["Ruvian Republic"])
    b.add("2", "Tolmet", 1.5, 36.2, "KE", "Coast", "city", 250_000, ["Tolmetu"])
    b.add("3", "Tolmet", -3.0, 30.0, "TZ", "", "city", 5_000)
    priors = [gz.prior(gz.KINDS[b.kind[i]], b.population[i]) for i in range(len(b.ids))]
    index = {key: tuple(sorted(entries, key=lambda e: (-priors[e >> 1], e))) for key, entries in b.keys.items()}
    return {"version": gz.FORMAT_VERSION, "ids": b.ids, "names": b.names, "lat": b.lat, "lon": b.lon,
            "country": b.country, "admin1": b.admin1, "kind": bytes(b.kind), "population": b.population,
            "capital": bytes(b.capital), "index": index}


@pytest.fixture()
def builds(monkeypatch):
    """Counts index builds; each build takes a moment, so concurrent first runs overlap."""
    calls = []

    def build():
        calls.append(1)
        time.sleep(0.05)
        return small_index()

    monkeypatch.setattr(gz, "build_index", build)
    return calls


def lookups(gaz: gz.Gazetteer) -> list:
    return [gaz.candidates(name) for name in ("Tolmet", "tolmetu", "Ruvia", "Ruvian Republic", "Nowhere")]


class Planted:
    """Unpickling this creates a file: a stand-in for code an attacker puts in a writable cache folder."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


def test_damaged_gazetteer_cache_is_rebuilt(tmp_path, builds):
    fresh = lookups(gz.Gazetteer.load(tmp_path))
    [entry] = tmp_path.glob("gazetteer-*")
    good = entry.read_bytes()
    rng = random.Random(13)
    for trial in range(30):
        damaged = bytearray(good)
        for _ in range(rng.randint(1, 3)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if damaged == good:
            continue
        entry.write_bytes(bytes(damaged))
        assert lookups(gz.Gazetteer.load(tmp_path)) == fresh, f"trial {trial}"
    for planted in (b"", b"\x80\x05garbage", pickle.dumps([1, 2, 3]), pickle.dumps(None),
                    b"\x80\x05\x8e" + (2**40).to_bytes(8, "little")):  # a byte string claiming 1 TB
        entry.write_bytes(planted)
        assert lookups(gz.Gazetteer.load(tmp_path)) == fresh


def test_planted_gazetteer_pickle_never_runs(tmp_path, builds):
    gz.Gazetteer.load(tmp_path)
    [entry] = tmp_path.glob("gazetteer-*")
    marker = tmp_path / "ran"
    entry.write_bytes(pickle.dumps({"version": gz.FORMAT_VERSION, "ids": Planted(marker)}))
    gz.Gazetteer.load(tmp_path)
    assert not marker.exists()


def test_first_runs_at_once_do_not_collide(tmp_path, builds):
    errors, loaded = [], []

    def first_run():
        try:
            loaded.append(lookups(gz.Gazetteer.load(tmp_path)))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever a racing run raises
            errors.append(exc)

    threads = [threading.Thread(target=first_run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(loaded) == 6 and all(found == loaded[0] for found in loaded)
    assert not list(tmp_path.glob("*.tmp")) and len(list(tmp_path.glob("gazetteer-*"))) == 1


def test_unwritable_cache_folder_works_from_memory(tmp_path, builds, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert lookups(gz.Gazetteer.load(blocker / "cache")) == lookups(gz.Gazetteer.load(tmp_path / "ok"))

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    full = tmp_path / "full"
    assert lookups(gz.Gazetteer.load(full)) == lookups(gz.Gazetteer.load(tmp_path / "ok"))
    assert not [p for p in full.iterdir()]  # no half-written file left behind


# ----------------------------------------------------------------------------------------------- extraction caches

def _document(doc_id: str = "story") -> Document:
    from events.corpus import content_hash

    return Document(doc_id=doc_id, path=f"{doc_id}.txt", text=ARTICLE, published=date(2021, 5, 5),
                    date_source="manifest", sha256=content_hash(ARTICLE.encode()))


def test_per_document_cache_round_trips_and_refuses_anything_else(tmp_path):
    from events.pipeline import _extract_cached, extract_document

    fresh = extract_document(_document())
    assert fresh, "the article reports an incident"
    assert _extract_cached((_document(), str(tmp_path))) == fresh
    [entry] = [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert _extract_cached((_document(), str(tmp_path))) == fresh  # read back from the entry
    marker = tmp_path / "ran"
    for planted in (pickle.dumps([1, 2]), pickle.dumps(None), pickle.dumps(Planted(marker)), b"[]", b"null",
                    json.dumps([{"doc": "x"}]).encode(), entry.read_bytes()[:-7], b"\x00" * 64):
        entry.write_bytes(planted)
        assert _extract_cached((_document(), str(tmp_path))) == fresh
        assert not marker.exists()


def test_planted_extraction_cache_never_runs(tmp_path, monkeypatch):
    import shutil

    from events.pipeline import load_or_extract

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text(ARTICLE, encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    for path in gz.settings.cache_dir().glob("gazetteer-*"):  # the project's built index: no 10 s build
        shutil.copy(path, cache / path.name)
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(cache))
    first = load_or_extract(corpus, workers=1)
    marker = tmp_path / "ran"
    entries = [p for p in (cache / "extractions").iterdir() if p.is_file()]
    assert entries
    for entry in entries:
        entry.write_bytes(pickle.dumps(Planted(marker)))
    again = load_or_extract(corpus, workers=1)
    assert not marker.exists()
    assert again.incidents.equals(first.incidents) and len(again.incidents) >= 1


def test_no_cache_works_when_the_cache_folder_cannot_be_written(tmp_path, monkeypatch):
    from events.pipeline import extract, load_or_extract
    from events.places import default_gazetteer

    default_gazetteer()  # the index this process already has in memory
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text(ARTICLE, encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(blocker / "cache"))
    for use_cache in (False, True):
        result = extract(corpus, workers=1, use_cache=use_cache)
        assert "Mombasa" in set(result.incidents["place"])
    assert len(load_or_extract(corpus, workers=1).incidents) == len(result.incidents)


# ----------------------------------------------------------------------------------------------- online geocoder

class _Location:
    address, latitude, longitude = "Tolmet, Coast, Kenya", 1.5, 36.2


class OutageService:
    """Fails while `down` (a timeout, an unavailable service), answers afterwards."""

    def __init__(self):
        self.down = True

    def geocode(self, query, exactly_one=True):
        from geopy.exc import GeocoderUnavailable

        if self.down:
            raise GeocoderUnavailable("the service is down for maintenance")
        return _Location()


def test_online_geocoder_does_not_cache_transient_failures(tmp_path):
    service = OutageService()
    online = gz.OnlineGeocoder(service, tmp_path / "geo.json", min_delay_seconds=0)
    assert online.geocode("Tolmet") is None  # down now ...
    service.down = False
    found = online.geocode("Tolmet")  # ... asked again later, not remembered as "not found"
    assert found is not None and found.name == "Tolmet"
    again = gz.OnlineGeocoder(OutageService(), tmp_path / "geo.json", min_delay_seconds=0)
    assert again.geocode("Tolmet") == found  # a real answer is cached


def test_online_geocoder_cache_of_the_wrong_shape_is_ignored(tmp_path):
    for content in ("[1, 2]", "null", '{"tolmet": [1]}', '{"tolmet": {"name": 3}}', "{"):
        path = tmp_path / "geo.json"
        path.write_text(content)
        online = gz.OnlineGeocoder(type("S", (), {"geocode": lambda self, q, exactly_one=True: _Location()})(),
                                   path, min_delay_seconds=0)
        place = online.geocode("Tolmet")
        assert place is not None and place.lat == 1.5


def test_per_document_cache_writes_a_shared_sentence_once(tmp_path):
    from events import cache
    from events.mentions import IncidentMention
    from events.pipeline import extract_document

    long_sentence = "A bomb hit the refinery in Mombasa on 3 May 2019; " * 200  # one sentence, many mentions
    doc = Document(doc_id="long", path="long.txt", text=long_sentence, published=date(2019, 6, 1),
                   date_source="manifest")
    found = extract_document(doc)
    assert len(found) > 50
    payload = cache.dumps_records(found)
    assert len(payload) < 40 * len(long_sentence)  # not one copy of the sentence per mention
    assert cache.loads_records(payload, IncidentMention) == found
