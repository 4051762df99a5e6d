"""Incident atlas: news articles in, a dated, placed, merged incident table out.

The stages are importable one by one (see docs/design.md)::

    from events import load_corpus, find_dates, find_places, extract
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_corpus": "events.corpus",
    "find_dates": "events.dates",
    "find_event_offsets": "events.dates",
    "find_places": "events.places",
    "resolve_place": "events.places",
    "Gazetteer": "events.gazetteer",
    "find_mentions": "events.mentions",
    "merge_mentions": "events.merge",
    "extract": "events.pipeline",
    "load_or_extract": "events.pipeline",
    "write_table": "events.pipeline",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Import stages on first use, so `import events` stays cheap for the CLI and worker processes."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'events' has no attribute {name!r}")
