"""Extraction speed: docs/s, words/s and peak memory of the whole pipeline beside dateparser's search_dates.

    python bench/extract_speed.py ../shared/bench --docs 100 1000 --workers 1 2 [--search-dates-docs 200]

The corpus is assembled from the TimeBank and TR-News texts under BENCH_DIR plus the seeds, repeated (each copy
made unique so content hashes differ) to the requested size, written to a temporary folder. Each run starts
with an empty extraction cache (the gazetteer index, built once, is kept); a second run over the unchanged corpus measures the cache. search_dates runs
on the same texts in the same process (on a sample when --search-dates-docs is smaller, reported per document).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_texts(bench_dir: Path) -> list[tuple[str, str]]:
    """(publication date, text) pairs from TimeBank, TR-News and the seeds."""
    texts: list[tuple[str, str]] = []
    for path in sorted((bench_dir / "timebank").glob("*.tml")):
        raw = path.read_text(encoding="utf-8")
        dct = re.search(r'<DCT>.*?value="(\d{4}-\d{2}-\d{2})', raw, re.S)
        body = re.search(r"<TEXT>(.*?)</TEXT>", raw, re.S)
        if body:
            texts.append((dct.group(1) if dct else "", re.sub(r"<[^>]+>", "", body.group(1)).strip()))
    trnews = bench_dir / "trnews" / "TR-News.xml"
    if trnews.exists():
        for article in ET.parse(trnews).getroot().iter("article"):
            text = (article.findtext("text") or "").strip()
            when = (article.findtext("dltime") or "").strip()[:10]
            if text:
                texts.append((when, text))
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        texts.append(("2015-11-17", path.read_text(encoding="utf-8")))
    return texts


def write_corpus(texts: list[tuple[str, str]], n: int, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    with open(folder / "manifest.csv", "w", encoding="utf-8") as manifest:
        manifest.write("file,title,publisher,published,url\n")
        for i in range(n):
            when, text = texts[i % len(texts)]
            copy = i // len(texts)
            body = text if copy == 0 else f"{text}\n\n(copy {copy})"
            name = f"doc{i:05d}.txt"
            (folder / name).write_text(body, encoding="utf-8")
            manifest.write(f"{name},,,{when},\n")
            words += len(body.split())
    return words


def run_extraction(folder: Path, workers: int, cache: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB, largest process) of `events extract` in a fresh interpreter."""
    env = {**os.environ, "ATLAS_CACHE_DIR": str(cache)}
    code = (
        "import resource,sys,time;from events.pipeline import extract;"
        f"t=time.perf_counter();r=extract({str(folder)!r},workers={workers});d=time.perf_counter()-t;"
        "m=max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
        "print(d,m/1024,len(r.incidents))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"extraction failed (workers={workers}):\n{out.stderr}")
    seconds, peak, _ = out.stdout.split()
    return float(seconds), float(peak)


def time_search_dates(texts: list[str]) -> float:
    from dateparser.search import search_dates

    start = time.perf_counter()
    for text in texts:
        search_dates(text, languages=["en"])
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir", type=Path, help="folder with timebank/ and trnews/ (e.g. ../shared/bench)")
    parser.add_argument("--docs", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    parser.add_argument("--search-dates-docs", type=int, default=300,
                        help="documents timed with search_dates (it is slow; docs/s is extrapolated)")
    args = parser.parse_args()
    texts = bench_texts(args.bench_dir)
    if not texts:
        raise SystemExit(f"no texts found under {args.bench_dir} (expected timebank/*.tml and trnews/TR-News.xml)")
    print(f"{len(texts)} distinct texts; machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'docs':>6} {'workers':>7} {'words':>9} {'cold s':>8} {'docs/s':>8} {'words/s':>9} {'peak MB':>8} "
          f"{'warm s':>7} {'search_dates docs/s':>20} {'speed-up':>9}")
    cache = Path(tempfile.mkdtemp(prefix="atlas-bench-cache-"))
    subprocess.run([sys.executable, "-c", "from events.places import find_places; find_places('Paris')"],
                   env={**os.environ, "ATLAS_CACHE_DIR": str(cache)}, check=True)  # build the gazetteer index once
    sample = [t for _, t in texts][: args.search_dates_docs]
    sd_seconds = time_search_dates(sample)
    sd_rate = len(sample) / sd_seconds
    for n in args.docs:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "corpus"
            words = write_corpus(texts, n, folder)
            for workers in args.workers:
                for sub in ("mentions", "extractions"):  # cold: no extraction cache, gazetteer index kept
                    shutil.rmtree(cache / sub, ignore_errors=True)
                cold, peak = run_extraction(folder, workers, cache)
                warm, _ = run_extraction(folder, workers, cache)
                rate = n / cold
                print(f"{n:>6} {workers:>7} {words:>9} {cold:>8.2f} {rate:>8.1f} {words / cold:>9.0f} {peak:>8.0f} "
                      f"{warm:>7.2f} {sd_rate:>20.1f} {rate / sd_rate:>8.1f}x")
    print(f"search_dates: {len(sample)} docs in {sd_seconds:.1f} s; peak RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
