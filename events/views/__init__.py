"""What the dashboard shows, as pure functions: filters, the query string, plotly figures, evidence in context.

Nothing here imports Streamlit, so every function is tested without a browser (tests/test_views.py);
`dashboard.py` only lays out widgets and wires them to these functions. One module per concern:

| module | what |
|---|---|
| `filters` | `FilterState`, the query string, `filter_options`, `apply_filters` (pure functions over a table) |
| `labels` | how a value reads: source labels, country names, casualty figures, reported figures |
| `hover` | the hover text of a mark |
| `prepared` | `Prepared`, the per-table cache of columns the filters and figures use; `filter_positions` |
| `marks` | grouped marks above `MARK_LIMIT`, selection state, `selected_ids` |
| `timeline` | `timeline_figure`, `focus_range` |
| `map` | `map_figure`, marker sizes, bounds and grid cells |
| `evidence` | evidence in context as escaped Markdown; `table_view` |

Everything public is importable from `events.views` itself.
"""

from events.views.evidence import (TABLE_COLUMNS, Context, context_markdown, context_window, escape_markdown,
                                   table_view)
from events.views.filters import (DEFAULT_GROUP_BY, GROUP_BY, FilterOptions, FilterState, PageLink, apply_filters,
                                  clamp_state, count_label, filter_options, group_values, month_span, page_query,
                                  parse_page, parse_query, search_text, to_query)
from events.views.hover import _hover_columns, _hover_rows  # noqa: F401 - tested directly
from events.views.labels import _is_number  # noqa: F401 - used by exports and the dashboard
from events.views.labels import (casualties_text, country_names, is_inferred, parse_reports, published_text,
                                 row_casualties, source_labels)
from events.views.columns import (PRECISION_LABELS, background_mask, place_precision, place_written, region_names,
                                  regions, reporting_window)
from events.views.tolls import Toll, parse_report_list, toll
from events.views.map import map_bounds, map_cell, map_figure, marker_sizes, placed_mask
from events.views.marks import FADED_OPACITY, ID_SEPARATOR, MARK_LIMIT, selected_ids
from events.views.prepared import Prepared, detail_candidates, filter_positions, prepared
from events.views.timeline import focus_range, timeline_figure

__all__ = [
    "Context", "DEFAULT_GROUP_BY", "FADED_OPACITY", "FilterOptions", "FilterState", "GROUP_BY", "ID_SEPARATOR",
    "MARK_LIMIT", "Prepared", "apply_filters", "casualties_text", "clamp_state", "context_markdown",
    "context_window", "count_label", "country_names", "escape_markdown", "filter_options", "filter_positions",
    "focus_range", "group_values", "map_bounds", "map_cell", "map_figure", "marker_sizes", "month_span",
    "parse_query", "parse_reports", "placed_mask", "prepared", "selected_ids", "source_labels", "table_view",
    "timeline_figure", "to_query", "PageLink", "page_query", "parse_page", "search_text", "is_inferred",
    "published_text", "row_casualties", "PRECISION_LABELS", "background_mask", "place_precision", "place_written",
    "region_names", "regions", "reporting_window", "Toll", "parse_report_list", "toll", "detail_candidates",
    "TABLE_COLUMNS",
]
