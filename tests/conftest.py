"""Shared fixtures: a synthetic extraction (incident, mention and document tables shaped like
`events.pipeline.Extraction`) over a small corpus folder of plain-text articles written to a temp dir.

The synthetic corpus is independent of the extraction engine, so dashboard and view tests do not move when the
engine's output does. `synthetic_loader` has the signature the dashboard expects of a loader
(`loader(corpus_dir, progress) -> Extraction`), so AppTest scripts can run `dashboard.main(loader=...)` on it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from events.pipeline import INCIDENT_COLUMNS, MENTION_COLUMNS, Extraction, typed_frame  # noqa: E402
from events.corpus import CorpusProblem  # noqa: E402

DOCS = {
    "a01": dict(title="Night of attacks in Paris", publisher="Daily Test", published="2015-11-14", text=(
        "Paris was calm in the morning. Cafés were full. "
        "Gunmen attacked a concert hall in Paris on Friday, killing 89 people. "
        "The police sealed the area. Witnesses described panic.\n\n"
        "In Beirut, twin suicide bombings on Thursday killed 43 people. "
        "Officials called for calm. <script>alert('owned')</script> was found in a comment.")),
    "b02": dict(title="Weekly security review", publisher="Wire Test", published="2015-11-20", text=(
        "A review of the week. "
        "The Paris attacks killed 130 people, officials said. "
        "In August, a bombing in Ankara injured dozens. "
        "Last spring Kurdish forces retook Kobani after a long battle. "
        "A plane crashed over Sinai on Oct. 31, killing 224. "
        "A shooting somewhere in the desert was reported without a date. "
        "An attack was reported at an unnamed place in 2015. "
        "Everything else was quiet.")),
    "c03": dict(title="Twenty years of terror", publisher="History Test", published="2015-11-21", text=(
        "History matters. "
        "The 2001 attacks on New York killed nearly 3,000 people. "
        "The 2004 Madrid bombings killed 191. "
        "We remember them.")),
}

# id, type, label, start, end, precision, date_text, place, country, admin1, continent, lat, lon, killed, injured,
# mentions as (doc, sentence) with figures (killed, injured)
INCIDENTS = [
    ("inc-paris", "attack", "Attack", "2015-11-13", "2015-11-13", "day", "Friday", "Paris", "FR", "Ile-de-France", "Europe", 48.85, 2.35,
     [("a01", "Gunmen attacked a concert hall in Paris on Friday, killing 89 people.", 89, None),
      ("b02", "The Paris attacks killed 130 people, officials said.", 130, None)]),
    ("inc-beirut", "suicide_bombing", "Suicide bombing", "2015-11-12", "2015-11-12", "day", "Thursday", "Beirut", "LB", "Beyrouth", "Asia", 33.89, 35.50,
     [("a01", "In Beirut, twin suicide bombings on Thursday killed 43 people.", 43, None)]),
    ("inc-ankara", "bombing", "Bombing", "2015-08-01", "2015-08-31", "month", "In August", "Ankara", "TR", "Ankara", "Asia", 39.92, 32.85,
     [("b02", "In August, a bombing in Ankara injured dozens.", None, None)]),
    ("inc-kobani", "recapture", "Recapture", "2015-03-01", "2015-05-31", "season", "Last spring", "Kobani", "SY", "Aleppo", "Asia", 36.89, 38.35,
     [("b02", "Last spring Kurdish forces retook Kobani after a long battle.", None, None)]),
    ("inc-sinai", "plane_crash", "Plane crash or downing", "2015-10-31", "2015-10-31", "day", "Oct. 31", "Sinai", "EG", "South Sinai", "Africa", 29.5, 33.8,
     [("b02", "A plane crashed over Sinai on Oct. 31, killing 224.", 224, None)]),
    ("inc-desert", "shooting", "Shooting", None, None, "", "", "", "", "", "", None, None,
     [("b02", "A shooting somewhere in the desert was reported without a date.", None, None)]),
    ("inc-unplaced", "attack", "Attack", "2015-01-01", "2015-12-31", "year", "2015", "", "", "", "", None, None,
     [("b02", "An attack was reported at an unnamed place in 2015.", None, None)]),
    ("inc-nyc", "attack", "Attack", "2001-01-01", "2001-12-31", "year", "2001", "New York", "US", "New York", "North America", 40.71, -74.0,
     [("c03", "The 2001 attacks on New York killed nearly 3,000 people.", 3000, None)]),
    ("inc-madrid", "bombing", "Bombing", "2004-01-01", "2004-12-31", "year", "2004", "Madrid", "ES", "Madrid", "Europe", 40.42, -3.70,
     [("c03", "The 2004 Madrid bombings killed 191.", 191, None)]),
]


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["file,title,publisher,published,url"]
    for doc, meta in DOCS.items():
        (folder / f"{doc}.txt").write_text(meta["text"], encoding="utf-8")
        lines.append(f"{doc}.txt,{meta['title']},{meta['publisher']},{meta['published']},")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def synthetic_extraction(corpus_dir: str | Path) -> Extraction:
    corpus_dir = Path(corpus_dir)
    rows, mentions = [], []
    for (iid, kind, label, start, end, precision, date_text, place, country, admin1, continent, lat, lon, ments) in INCIDENTS:
        killed = [(k, d) for d, _, k, _ in ments if k is not None]
        reports = "; ".join(f"{k} ({d})" for k, d in sorted(killed))
        docs = sorted({d for d, *_ in ments})
        rows.append({
            "id": iid, "title": f"{label} in {place}" if place else label, "type": kind, "type_label": label,
            "start": start, "end": end, "precision": precision, "date_value": (start or "")[:7], "date_text": date_text,
            "place": place, "country": country, "admin1": admin1, "continent": continent, "lat": lat, "lon": lon,
            "geonameid": "", "sources": ";".join(docs), "n_sources": len(docs),
            "killed": max((k for k, _ in killed), default=None), "injured": None,
            "killed_reports": reports, "injured_reports": "", "actors": "", "evidence": ments[0][1], "n_mentions": len(ments),
        })
        for doc, sentence, k, i in ments:
            text = DOCS[doc]["text"]
            at = text.index(sentence)
            mentions.append({
                "incident_id": iid, "doc": doc, "start": at, "end": at + len(sentence), "sentence": sentence, "type": kind,
                "trigger": "", "date_value": "", "date_text": date_text, "date_from": "clause", "place": place,
                "place_text": place, "place_from": "clause", "killed": k, "injured": i,
            })
    incidents = typed_frame(rows, INCIDENT_COLUMNS)
    mentions_df = typed_frame(mentions, MENTION_COLUMNS)
    documents = pd.DataFrame([
        {"doc": doc, "title": m["title"], "publisher": m["publisher"], "published": m["published"], "date_source": "manifest",
         "url": "", "words": len(m["text"].split()), "sha256": "", "path": str(corpus_dir / f"{doc}.txt")}
        for doc, m in DOCS.items()
    ])
    problems = [CorpusProblem(file="broken.bin", reason="binary file, not an article")]
    return Extraction(incidents=incidents, mentions=mentions_df, documents=documents, problems=problems,
                      engine_version="synthetic")


def synthetic_loader(corpus_dir, progress=None) -> Extraction:
    """A dashboard loader over the synthetic corpus (reports progress like the real one)."""
    n = len(DOCS)
    for i, doc in enumerate(DOCS, 1):
        if progress:
            progress(i, n, doc)
    return synthetic_extraction(corpus_dir)


@pytest.fixture(scope="session")
def synthetic_corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("synthetic_corpus"))


@pytest.fixture(scope="session")
def extraction(synthetic_corpus) -> Extraction:
    return synthetic_extraction(synthetic_corpus)


@pytest.fixture()
def incidents(extraction) -> pd.DataFrame:
    return extraction.incidents.copy()


@pytest.fixture(autouse=True)
def _corrections_db_in_tmp(tmp_path, monkeypatch):
    """No test writes analysts' corrections into data/: each gets its own database unless it set one."""
    import os

    if "ATLAS_CORRECTIONS_DB" not in os.environ:
        monkeypatch.setenv("ATLAS_CORRECTIONS_DB", str(tmp_path / "corrections.sqlite"))
