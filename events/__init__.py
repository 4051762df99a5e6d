"""Incident atlas: news articles in, a dated, placed, merged incident table out.

The stages are importable one by one; see docs/design.md for how they fit together.
"""

__version__ = "0.1.0"
