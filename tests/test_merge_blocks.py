"""Merging in blocks equals merging everything at once, on whole corpora (whatever the merge rules are today).

The corpora: the seeds, short wire reports written for this test (other places and years), and reports whose
incidents are dated from another incident ("a day after the airstrike on X"), which is what links families.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from events.articles import open_corpus
from events.lexicon import default_lexicon
from events.merge import merge_mentions
from events.merge_blocks import family_blocks, merge_in_blocks
from events.pipeline import extract_mentions

ROOT = Path(__file__).resolve().parent.parent

ANCHORED = [
    ("Hodeidah", "2018-06-14", "Fighters shelled the port of Hodeidah on June 12, 2018, killing 9 civilians. A day after "
     "the shelling of Hodeidah, gunmen attacked a checkpoint in Zabid, killing 4 soldiers."),
    ("Marawi", "2017-05-26", "Troops battled militants in Marawi on May 23, 2017. Two days after the battle in Marawi, "
     "a bomb exploded in Iligan, wounding 11 people."),
    ("Jos", "2010-03-09", "Gunmen attacked the village of Dogo Nahawa near Jos on March 7, 2010, killing 150 people. "
     "A day before the attack near Jos, an airstrike hit a camp in Bauchi, killing 6."),
    ("Quetta", "2013-01-12", "A bomb tore through a snooker hall in Quetta on January 10, 2013, killing 81 people. "
     "Three days after the bombing in Quetta, a plane crashed near Gwadar, killing 2 crew."),
]

# The steps that join incidents of two families (merge.fold_incidents): a bare toll and the clash it counts, a
# country-wide row and its story's town row. Merged apart by family, they must still be joined.
FOLDED = [
    ("Jos", "2001-09-12", "JOS, Nigeria (Reuters) - At least 14 people were killed on Tuesday in the city of Jos, "
     "residents said. Fierce clashes broke out again in Jos later on Tuesday between rival youths, a witness said."),
    ("Kerben", "2019-04-13", "One Kyrgyz border guard was killed in a clash with Uzbek border guards on Friday, "
     "officials said. The firefight on Friday broke out near the town of Kerben."),
]


def write(folder: Path, reports: list[tuple[str, str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["file,title,publisher,published,url"]
    for i, (place, published, text) in enumerate(reports):
        (folder / f"r{i:02d}.txt").write_text(text, encoding="utf-8")
        lines.append(f"r{i:02d}.txt,{place} report,Test Wire,{published},")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    from test_distributed import write_corpus

    old = os.environ.get("ATLAS_CACHE_DIR")
    cache = tmp_path_factory.mktemp("cache")
    from events.settings import get_settings

    for path in Path(get_settings()["cache_dir"]).glob("gazetteer-*.pickle"):
        (cache / path.name).write_bytes(path.read_bytes())
    os.environ["ATLAS_CACHE_DIR"] = str(cache)
    try:
        seeds = open_corpus(ROOT / "seeds").documents
        wire = open_corpus(write_corpus(tmp_path_factory.mktemp("wire") / "c", 30)).documents
        anchored = open_corpus(write(tmp_path_factory.mktemp("anchored") / "c", ANCHORED)).documents
        folded = open_corpus(write(tmp_path_factory.mktemp("folded") / "c", FOLDED)).documents
        return {name: extract_mentions(docs, workers=1) for name, docs in
                (("seeds", seeds), ("wire", wire), ("anchored", anchored), ("folded", folded),
                 ("all", seeds + wire + anchored + folded))}
    finally:
        if old is None:
            del os.environ["ATLAS_CACHE_DIR"]
        else:
            os.environ["ATLAS_CACHE_DIR"] = old


@pytest.mark.parametrize("name", ["seeds", "wire", "anchored", "folded", "all"])
def test_blocks_merge_to_the_single_machine_result(corpora, name):
    mentions = corpora[name]
    assert merge_in_blocks(mentions) == merge_mentions(mentions)


def test_incidents_of_two_families_are_joined_when_merged_apart(corpora):
    """Each FOLDED report is one incident, though the toll and the clash of the first fall into two families'
    blocks."""
    mentions = corpora["folded"]
    lexicon = default_lexicon()
    assert len({lexicon.family(m.type) for m in mentions if m.doc == "r00"}) == 2
    assert sorted(i.sources[0] for i in merge_in_blocks(mentions)) == ["r00", "r01"]


def test_blocks_are_families_linked_by_anchors(corpora):
    lexicon = default_lexicon()
    mentions = corpora["all"]
    blocks = family_blocks(mentions)
    assert sum(len(b) for b in blocks) == len(mentions)
    families = [{lexicon.family(m.type) for m in block} for block in blocks]
    assert all(a.isdisjoint(b) for i, a in enumerate(families) for b in families[i + 1:])
    assert len(blocks) >= 2, "the seeds and wire reports hold more than one independent family"
    offsets = [m for m in mentions if m.offset_days is not None and m.date is None]
    for m in offsets:  # an offset mention sits with every family that has a place its anchor names
        block = next(b for b in blocks if m in b)
        named = {lexicon.family(x.type) for x in mentions
                 if (x.place_text and x.place_text.lower() in m.anchor_text.lower())}
        anchors = {lexicon.family(t.type) for t in lexicon.find_triggers(m.anchor_text)}
        assert (named & anchors if anchors else named) <= {lexicon.family(x.type) for x in block}
