"""bench/browser_floor.py's pages run in Streamlit as written: each library's chart calls are accepted by the installed
Streamlit (it refuses, for instance, ECharts map series), with and without the table. Their speed is measured by the
probe itself in chromium, never here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def floor():
    import sys

    sys.path.insert(0, str(BENCH))  # the probe imports its sibling dashboard_speed, as when run as a script
    try:
        spec = importlib.util.spec_from_file_location("browser_floor", BENCH / "browser_floor.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


@pytest.mark.parametrize("page", ["bare", "plotly", "vega", "echarts"])
@pytest.mark.parametrize("table", [False, True])
def test_each_page_runs_with_its_charts(floor, page, table):
    at = AppTest.from_string(floor.app_script(page, timeline_marks=50, map_marks=20, table=table),
                             default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("Incident atlas")
    charts = at.get("plotly_chart") + at.get("vega_lite_chart") + at.get("echarts_chart")
    assert len(charts) == (0 if page == "bare" else 2)
    assert len(at.dataframe) == (1 if table else 0)


def test_every_page_has_a_milestone(floor):
    """A page without its own milestone would be timed by another library's."""
    assert set(floor.DRAWN) == set(floor.PAGES) == set(floor._BODIES)
