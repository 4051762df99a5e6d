"""Merging in independent blocks: the mentions `merge_mentions` can never put together, merged apart.

`merge_mentions` only joins a mention to an incident of its own type family (`_Cluster.accepts` tests the family
first, in every phase), and ids hash the family, so families are independent - except for offset mentions ("a
day before the X attack"), which take their date from an incident of whatever family their anchor names. A block
is therefore a set of families linked by such anchors: an offset mention links its family to every family that has
a mention whose place (as written or as in the gazetteer) occurs in the anchor, which is what `_resolve_offset`
requires of a target. Each block keeps its mentions in their original order, so `merge_mentions` on a block makes
the same decisions as on the whole corpus; the blocks' incidents, sorted as `merge_mentions` sorts them, are
exactly its result (tests/test_merge_blocks.py checks this on whole corpora).

Blocks are merged in parallel on a Dask cluster (`merge_on_cluster`) or in this process (`merge_in_blocks`).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from events.lexicon import Lexicon, default_lexicon
from events.merge import Incident, fold_incidents, merge_mentions
from events.mentions import IncidentMention


def _is_offset(m: IncidentMention) -> bool:
    return m.offset_days is not None and m.date is None


def family_blocks(mentions: Iterable[IncidentMention], lexicon: Lexicon | None = None) -> list[list[IncidentMention]]:
    """The mentions split into blocks that merge independently, each in the original order, largest first."""
    lexicon = lexicon or default_lexicon()
    mentions = list(mentions)
    family_of = [lexicon.family(m.type) for m in mentions]
    parent: dict[str, str] = {f: f for f in family_of}

    def root(f: str) -> str:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    offsets = [(m, f) for m, f in zip(mentions, family_of) if _is_offset(m)]
    if offsets:
        names: dict[str, set[str]] = {}  # family -> lower-cased place names its mentions carry
        for m, f in zip(mentions, family_of):
            found = names.setdefault(f, set())
            if m.place_text:
                found.add(m.place_text.lower())
            if m.place is not None:
                found.add(m.place.name.lower())
        for m, f in offsets:
            words = m.anchor_text.lower()
            anchors = {lexicon.family(t.type) for t in lexicon.find_triggers(m.anchor_text)}
            for other, known in names.items():
                if other == f or (anchors and other not in anchors):
                    continue
                if any(name and name in words for name in known):
                    parent[root(other)] = root(f)
    blocks: dict[str, list[IncidentMention]] = {}
    for m, f in zip(mentions, family_of):
        blocks.setdefault(root(f), []).append(m)
    return sorted(blocks.values(), key=len, reverse=True)


def _combine(parts: Iterable[Sequence[Incident]]) -> list[Incident]:
    """The blocks' incidents together, with the steps that join incidents across families (`fold_incidents`)."""
    return fold_incidents(i for part in parts for i in part)


def merge_in_blocks(mentions: Iterable[IncidentMention], lexicon: Lexicon | None = None) -> list[Incident]:
    """`merge_mentions`, block by block in this process (the same result)."""
    return _combine(merge_mentions(block, lexicon, fold=False) for block in family_blocks(mentions, lexicon))


def merge_on_cluster(mentions: Iterable[IncidentMention], scheduler: str | object, workers: int = 0) -> list[Incident]:
    """`merge_mentions`, its blocks merged in parallel on a Dask cluster (address, "local" or a Client)."""
    from events.distributed import client_for

    blocks = family_blocks(mentions)
    if len(blocks) <= 1:
        return _combine(merge_mentions(block, fold=False) for block in blocks)
    with client_for(scheduler, workers) as client:
        return _combine(client.gather(client.map(merge_mentions, blocks, fold=False, pure=False)))
