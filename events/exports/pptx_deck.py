"""`pptx`: a 16:9 briefing deck (python-pptx) an analyst can put in front of a decision maker.

Slides: a title slide the analyst writes (title, subtitle, author, handling marking), a summary whose numbers are
the filtered table's (`deck_summary`), the timeline and the labelled map, one slide per key incident (date as
written, place as written with its precision, figures with their sources, one evidence quote, a small locator map),
then the sources. Every slide carries the marking, the corpus and its number; one type family and a few sizes.
Text is fitted to its box before it is placed (`fit_lines`): nothing runs off a slide.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, Sequence

import pandas as pd

from events import views
from events.exports.common import (ExportRequest, Provenance, _country_names, _doc_meta, _has_point, _short,
                                   _source_ids, _text, date_as_written, gazetteer_text, place_text, precision_text,
                                   with_view_columns)
from events.exports.figures import export_figures, render_pngs
from events.lexicon import default_lexicon

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
MARGIN = 0.5
FONT = "Calibri"
SIZES = {"title": 28, "heading": 24, "body": 16, "small": 13, "note": 10}
# a conservative width of an average character, in ems, for wrapping text before placing it (Calibri's is ~0.5)
CHAR_EM = 0.58
LINE = 1.22  # line height, in ems
GREY = "555555"


@dataclass(frozen=True)
class DeckOptions:
    """What the analyst writes on the deck: its title and subtitle, the author, the handling marking (printed at
    the top and bottom of every slide, e.g. "OFFICIAL-SENSITIVE"). Empty fields get sensible defaults."""

    title: str = ""
    subtitle: str = ""
    author: str = ""
    marking: str = ""


@dataclass
class DeckSummary:
    """The numbers of the summary slide, computed from the filtered table (a test checks they equal it)."""

    incidents: int = 0
    total: int = 0
    first: str = ""
    last: str = ""
    killed_low: int = 0
    killed_high: int = 0
    injured_low: int = 0
    countries: int = 0
    by_type: list[tuple[str, int]] = field(default_factory=list)
    by_country: list[tuple[str, int]] = field(default_factory=list)
    top: list[str] = field(default_factory=list)  # ids of the deadliest incidents


def key_incidents(incidents: pd.DataFrame, top: int = 8, ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The incidents a briefing details: `ids` in that order, else the top `top` by deaths, then sources, then
    injured (unknown figures last)."""
    if ids:
        by_id = {str(i): row for i, row in incidents.set_index(incidents["id"].astype(str)).iterrows()}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise ValueError(f"unknown incident id(s) in this view: {', '.join(missing)}")
        return pd.DataFrame([by_id[i] for i in ids]).reset_index(drop=True)
    ranked = incidents.assign(
        _k=pd.to_numeric(incidents["killed"], errors="coerce").fillna(-1),
        _s=pd.to_numeric(incidents["n_sources"], errors="coerce").fillna(0),
        _i=pd.to_numeric(incidents["injured"], errors="coerce").fillna(-1),
    ).sort_values(["_k", "_s", "_i", "id"], ascending=[False, False, False, True], kind="stable")
    return ranked.drop(columns=["_k", "_s", "_i"]).head(max(0, top)).reset_index(drop=True)


def deck_summary(incidents: pd.DataFrame, total: int | None = None, names: Mapping[str, str] | None = None,
                 rows: int = 6) -> DeckSummary:
    """Counts by type and country, the killed range (the lowest and the highest reported figures, summed), the date
    span and the deadliest incidents of the filtered table."""
    names = names if names is not None else _country_names()
    view = with_view_columns(incidents, names)
    out = DeckSummary(incidents=len(view), total=len(incidents) if total is None else total)
    starts = view["start"].astype("string").fillna("")
    ends = view["end"].astype("string").fillna("").where(lambda s: s != "", starts)
    if (starts != "").any():
        out.first, out.last = str(starts[starts != ""].min()), str(ends[ends != ""].max())
    reports = view["killed_reports"] if "killed_reports" in view else None
    low, high, _ = views.tolls.toll_columns(view["killed"], reports, views.columns.qualifier(view, "killed"))
    out.killed_low = int(sum(v for v in low.tolist() if not math.isnan(v)))
    out.killed_high = int(sum(v for v in high.tolist() if not math.isnan(v)))
    out.injured_low = int(sum(v for v in view["_injured_low"].tolist() if not math.isnan(v)))
    labels = view["type_label"].astype("string").fillna("").where(lambda s: s != "", view["type"].astype("string"))
    out.by_type = _ranked(labels.tolist(), rows, "types")
    countries = [names.get(c, c) if c else "no country" for c in view["country"].astype("string").fillna("").tolist()]
    out.countries = len({c for c in view["country"].astype("string").fillna("").tolist() if c})
    out.by_country = _ranked(countries, rows, "countries")
    order = sorted(range(len(view)), key=lambda i: (-(low[i] if not math.isnan(low[i]) else -1), str(view["id"].iloc[i])))
    out.top = [str(view["id"].iloc[i]) for i in order[:5] if not math.isnan(low[i])]
    return out


def _ranked(values: list[str], rows: int, noun: str) -> list[tuple[str, int]]:
    """(value, count), most frequent first; beyond `rows - 1` values the rest are summed as 'in 3 other types'."""
    counts = pd.Series(values, dtype=object).value_counts(sort=True)
    pairs = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    if len(pairs) <= rows:
        return [(str(k), int(v)) for k, v in pairs]
    head, rest = pairs[: rows - 1], pairs[rows - 1:]
    return [(str(k), int(v)) for k, v in head] + [(f"in {len(rest)} other {noun}", int(sum(v for _, v in rest)))]


def fit_lines(text: str, width_in: float, size_pt: float, max_lines: int) -> list[str]:
    """`text` wrapped into lines that fit `width_in` inches at `size_pt` points (by a conservative average
    character width), at most `max_lines` of them, the last ending in '…' when text was left out."""
    per_line = max(8, int(width_in * 72 / (size_pt * CHAR_EM)))
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        words = paragraph.split()
        line = ""
        for word in words:
            while len(word) > per_line:  # a URL or a very long name: break it
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:per_line])
                word = word[per_line:]
            candidate = f"{line} {word}".strip()
            if len(candidate) <= per_line:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last[: max(0, per_line - 1)].rstrip() + "…") if len(last) >= per_line - 1 else last + "…"
    return lines


def _locator_figure(row: Mapping[str, Any], color: str):
    """A small map around one incident: its mark (shaped by its precision) and its place as written."""
    import plotly.graph_objects as go

    lat, lon = float(row["lat"]), float(row["lon"])
    symbol = views.map.MARK_SYMBOLS[views.columns.MARK_CLASS.get(_text(row.get("_precision")), "place")][0]
    fig = go.Figure(go.Scattergeo(
        lat=[lat], lon=[lon], mode="markers+text", text=[_short(_text(row.get("_place_written")), 28)],
        textposition="top center", textfont=dict(size=16, color="#222222"),
        marker=dict(size=18, color=color, symbol=symbol, line=dict(color=color if symbol != "circle" else "white", width=3))))
    fig.update_geos(projection_type="natural earth", resolution=110, showcountries=True, countrycolor="#8c8c8c",
                    showcoastlines=True, coastlinecolor="#6b6b6b", showland=True, landcolor="#f2efe9",
                    showocean=True, oceancolor="#e3eef7", showlakes=True, lakecolor="#e3eef7", showframe=True,
                    framecolor="#999999",
                    lataxis_range=[max(-85, lat - 9), min(85, lat + 9)], lonaxis_range=[lon - 15, lon + 15])
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0), showlegend=False)
    return fig


def to_pptx(incidents: pd.DataFrame, documents: pd.DataFrame | None = None, provenance: Provenance | None = None,
            group_by: str = views.DEFAULT_GROUP_BY, top: int = 8, ids: Sequence[str] | None = None,
            pngs: tuple[bytes, ...] | None = None, deck: DeckOptions | None = None) -> bytes:
    """The briefing deck of a filtered view (see the module's docstring). `pngs` = (timeline, map, locator maps of
    the key incidents in order...) skips rendering them again; missing locator maps are left out."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
    from pptx.util import Inches, Pt

    deck = deck or DeckOptions()
    provenance = provenance or Provenance(shown=len(incidents), total=len(incidents))
    meta = _doc_meta(documents)
    names = _country_names()
    colors = default_lexicon().colors()
    view = with_view_columns(incidents, names)
    keys = with_view_columns(key_incidents(incidents, top=top, ids=ids), names) if len(incidents) else view.iloc[0:0]
    key_rows = keys.to_dict("records")
    if pngs is None:
        timeline, geo = export_figures(incidents, documents, group_by=group_by, static=True)
        figures = [timeline, geo]
        sizes = [(1250, max(int(timeline.layout.height or 0), 450)), (1250, 700)]
        for row in key_rows:
            if _has_point(row):
                figures.append(_locator_figure(row, colors.get(_text(row.get("type")), "#555555")))
                sizes.append((700, 520))
        pngs = tuple(render_pngs(figures, sizes=sizes, scale=2))
    locators = list(pngs[2:])
    summary = deck_summary(incidents, total=provenance.total, names=names)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    blank = prs.slide_layouts[6]
    corpus = provenance.corpus or "corpus"
    exported_day = provenance.exported[:10] or date.today().isoformat()
    slides: list[Any] = []

    def rgb(hex_color: str) -> RGBColor:
        return RGBColor.from_string(hex_color.lstrip("#").upper())

    def box(slide, left: float, top: float, width: float, height: float):
        shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = shape.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        frame.margin_left = frame.margin_right = Inches(0.05)
        frame.margin_top = frame.margin_bottom = Inches(0.03)
        return frame

    def write(frame, lines: Sequence[str], size: int, bold: bool = False, italic: bool = False, color: str | None = None,
              align=None, first: bool = True, label: str = "") -> None:
        """Lines as one paragraph each (already fitted), in the deck's font."""
        for i, line in enumerate(lines):
            para = frame.paragraphs[0] if first and i == 0 else frame.add_paragraph()
            if align is not None:
                para.alignment = align
            if label and i == 0:
                run = para.add_run()
                run.text = label
                _font(run, size, True, False, None)
            run = para.add_run()
            run.text = _text(line)
            _font(run, size, bold, italic, color)

    def _font(run, size, bold, italic, color) -> None:
        run.font.name = FONT
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        if color:
            run.font.color.rgb = rgb(color)

    def height(lines: int, size: int) -> float:
        return lines * size * LINE / 72 + 0.08

    def fitted(slide, text: str, left: float, top: float, width: float, max_height: float, size: int, *,
               bold: bool = False, italic: bool = False, color: str | None = None, label: str = "") -> float:
        """A text box of `text` at (left, top) no higher than `max_height`: wrapped and cut to fit. Its height."""
        max_lines = max(1, int((max_height - 0.08) * 72 / (size * LINE)))
        lines = fit_lines(label + text, width - 0.1, size, max_lines)
        if label and lines:
            lines[0] = lines[0][len(label):] if lines[0].startswith(label) else lines[0]
        h = height(len(lines), size)
        write(box(slide, left, top, width, h), lines, size, bold=bold, italic=italic, color=color, label=label)
        return h

    def new_slide(heading: str | None):
        slide = prs.slides.add_slide(blank)
        slides.append(slide)
        if heading is not None:
            fitted(slide, heading, MARGIN, 0.4, SLIDE_W - 2 * MARGIN, 0.9, SIZES["heading"], bold=True)
        return slide

    def picture(slide, data: bytes, left: float, top: float, width: float, height_in: float) -> None:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            w_px, h_px = img.size
        scale = min(width / w_px, height_in / h_px)
        w, h = w_px * scale, h_px * scale
        slide.shapes.add_picture(io.BytesIO(data), Inches(left + (width - w) / 2), Inches(top), Inches(w), Inches(h))

    # 1. title: what the analyst wrote
    slide = new_slide(None)
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.1), prs.slide_width, Inches(0.06))
    band.fill.solid()
    band.fill.fore_color.rgb = rgb("1F4E79")
    band.line.fill.background()
    fitted(slide, deck.title or "Incident briefing", 0.8, 2.3, SLIDE_W - 1.6, 1.6, SIZES["title"] + 8, bold=True)
    subtitle = deck.subtitle or f"{provenance.filters[0].upper()}{provenance.filters[1:]}"
    fitted(slide, subtitle, 0.8, 3.9, SLIDE_W - 1.6, 1.0, SIZES["body"] + 4, color=GREY)
    byline = " · ".join(x for x in (deck.author, exported_day) if x)
    fitted(slide, byline, 0.8, 4.9, SLIDE_W - 1.6, 0.5, SIZES["body"])
    fitted(slide, f"{provenance.shown} of {provenance.total} incidents in {corpus} · filters: {provenance.filters}",
           0.8, 5.6, SLIDE_W - 1.6, 0.7, SIZES["small"], color=GREY)

    # 2. summary: the filtered table's numbers
    slide = new_slide("Summary")
    span = f"{summary.first} – {summary.last}" if summary.first else "undated"
    killed = (f"{summary.killed_low:,}" if summary.killed_low == summary.killed_high
              else f"{summary.killed_low:,}–{summary.killed_high:,} (sources differ)")
    injured = f"at least {summary.injured_low:,}" if summary.injured_low else "no figure in the sources"
    glance = [f"Incidents: {summary.incidents:,} of {summary.total:,}", f"Dates: {span}",
              f"Killed: {killed}", f"Injured: {injured}", f"Countries: {summary.countries}"]
    top_y = 1.4
    glance_w, list_w = 5.0, 3.35
    fitted(slide, "At a glance", MARGIN, top_y, glance_w, 0.5, SIZES["body"], bold=True)
    y = top_y + 0.5
    for line in glance:
        y += fitted(slide, line, MARGIN, y, glance_w, 0.62, SIZES["body"])
    for i, (heading, pairs) in enumerate((("By type", summary.by_type), ("By country", summary.by_country))):
        left = MARGIN + glance_w + 0.3 + i * (list_w + 0.3)
        fitted(slide, heading, left, top_y, list_w, 0.5, SIZES["body"], bold=True)
        y = top_y + 0.5
        for name, count in pairs:
            y += fitted(slide, f"{count}  {name}", left, y, list_w, 0.36, SIZES["body"])
    by_id = {str(r["id"]): r for r in view.to_dict("records")}
    lines = []
    for iid in summary.top:
        r = by_id[iid]
        figure = views.tolls.casualty_phrases([_text(r.get("_killed_text"))], [""])[0]
        lines.append(f"{figure} · {_text(r.get('title'))} · {place_text(r, names)} · {date_as_written(r)}")
    fitted(slide, "Deadliest incidents", MARGIN, 4.3, SLIDE_W - 2 * MARGIN, 0.5, SIZES["body"], bold=True)
    y = 4.8
    for line in lines or ["No casualty figures reported."]:
        y += fitted(slide, line, MARGIN, y, SLIDE_W - 2 * MARGIN, 0.35, SIZES["small"])

    # 3. timeline, 4. map
    n_undated = int((view["start"].astype("string").fillna("") == "").sum())
    n_unplaced = sum(not _has_point(r) for r in view.to_dict("records"))
    for heading, data, missing, what in (("Timeline", pngs[0], n_undated, "undated"),
                                          ("Map", pngs[1], n_unplaced, "without coordinates")):
        slide = new_slide(heading)
        picture(slide, data, MARGIN, 1.3, SLIDE_W - 2 * MARGIN, SLIDE_H - 1.3 - 0.85)
        if missing:
            fitted(slide, f"{missing} incident{'s' if missing != 1 else ''} {what} not shown", MARGIN,
                   SLIDE_H - 0.85, SLIDE_W - 2 * MARGIN, 0.3, SIZES["note"], color=GREY)

    # the sources in the order of the sources slides; incident slides cite them by number
    cited: list[str] = []
    for row in view.to_dict("records"):
        cited.extend(s for s in _source_ids(row) if s not in cited)
    cited.sort(key=lambda d: (meta.get(d, {}).get("published", ""), d))
    number = {d: i for i, d in enumerate(cited, 1)}

    def source_name(d: str) -> str:
        m = meta.get(d, {})
        return m.get("publisher") or m.get("title") or d

    # 5. one slide per key incident
    located = iter(locators)
    for row in key_rows:
        slide = new_slide(_text(row.get("title")))
        bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(MARGIN), Inches(1.3), Inches(1.2), Inches(0.07))
        bar.fill.solid()
        bar.fill.fore_color.rgb = rgb(colors.get(_text(row.get("type")), "#555555"))
        bar.line.fill.background()
        has_map = _has_point(row)
        text_w = SLIDE_W - 2 * MARGIN - (4.9 if has_map else 0)
        y = 1.45
        y += fitted(slide, _text(row.get("type_label")) or _text(row.get("type")), MARGIN, y, text_w, 0.4,
                    SIZES["small"], color=GREY)
        y += fitted(slide, date_as_written(row), MARGIN, y, text_w, 0.65, SIZES["body"], label="Date: ")
        where = place_text(row, names) or "not placed"
        precision = precision_text(row) if _has_point(row) else ""
        y += fitted(slide, where + (f" — {precision}" if precision else ""), MARGIN, y, text_w, 0.95, SIZES["body"],
                    label="Place: ")
        gazetteer = gazetteer_text(row)
        if gazetteer:
            y += fitted(slide, gazetteer[:1].upper() + gazetteer[1:], MARGIN, y, text_w, 0.32, SIZES["note"],
                        color=GREY)
        for which in ("killed", "injured"):
            figure = _text(row.get(f"_{which}_text"))
            if not figure:
                continue
            reports = views.parse_report_list(_text(row.get(f"{which}_reports")))
            cite = lambda d: f"{_short(source_name(d), 30)} [{number[d]}]"  # noqa: E731
            if len({r.figure for r in reports}) > 1:  # each figure with the sources that give it
                sources = "; ".join(r.text() + (f" ({', '.join(cite(d) for d in r.docs if d in number)})"
                                                if any(d in number for d in r.docs) else "") for r in reports)
            else:
                refs = [d for r in reports for d in r.docs if d in number]
                sources = ("reported by " + ", ".join(cite(d) for d in refs[:3])
                           + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")) if refs else ""
            y += fitted(slide, figure + (f" — {sources}" if sources else ""), MARGIN, y, text_w, 0.95,
                        SIZES["body"], label=f"{which.capitalize()}: ")
        docs = sorted((d for d in _source_ids(row) if d in number), key=number.get)
        y += fitted(slide, f"{len(docs)} source{'s' if len(docs) != 1 else ''}", MARGIN, y + 0.05, text_w, 0.4,
                    SIZES["small"], bold=True) + 0.05
        shown_docs = docs if len(docs) <= 4 else docs[:3]
        for d in shown_docs:
            label = _text(meta.get(d, {}).get("title")) or d
            publisher = _text(meta.get(d, {}).get("publisher"))
            line = f"[{number[d]}] {label}" + (f" ({publisher})" if publisher and publisher != label else "")
            y += fitted(slide, line, MARGIN, y, text_w, 0.3, SIZES["note"] + 1)
        if len(docs) > len(shown_docs):
            y += fitted(slide, f"and {len(docs) - len(shown_docs)} more (see the sources at the end)", MARGIN, y, text_w, 0.3,
                        SIZES["note"] + 1, color=GREY)
        evidence = _text(row.get("evidence"))
        room = SLIDE_H - 0.75 - (y + 0.1)
        if evidence and room > 0.4:
            fitted(slide, f"“{evidence}”", MARGIN, y + 0.1, text_w, room, SIZES["body"], italic=True)
        if has_map:
            data = next(located, None)
            if data is not None:
                picture(slide, data, SLIDE_W - MARGIN - 4.6, 1.5, 4.6, 3.5)
                fitted(slide, "Locator: " + (precision_text(row) or "place"), SLIDE_W - MARGIN - 4.6, 5.05, 4.6,
                       0.3, SIZES["note"], color=GREY)

    # 6. sources, 8 per slide, numbered as the incident slides cite them
    pages = [cited[i:i + 8] for i in range(0, len(cited), 8)] or [[]]
    for n, page in enumerate(pages, 1):
        slide = new_slide("Sources" + (f" ({n}/{len(pages)})" if len(pages) > 1 else ""))
        y = 1.35
        if not page:
            fitted(slide, "No sources.", MARGIN, y, SLIDE_W - 2 * MARGIN, 0.4, SIZES["body"])
        for s in page:
            m = meta.get(s, {})
            y += fitted(slide, f"[{number[s]}] " + (m.get("title") or s), MARGIN, y, SLIDE_W - 2 * MARGIN, 0.32,
                        SIZES["small"], bold=True)
            bits = [m.get("publisher", ""), m.get("published_label", ""), m.get("url", "")]
            y += fitted(slide, " · ".join(b for b in bits if b) or s, MARGIN, y, SLIDE_W - 2 * MARGIN, 0.3,
                        SIZES["note"], color=GREY) + 0.08

    # every slide: the marking at the top and bottom, the corpus and the slide number in the footer
    total = len(slides)
    for number, slide in enumerate(slides, 1):
        if deck.marking:
            for top in (0.05, SLIDE_H - 0.38):
                frame = box(slide, MARGIN, top, SLIDE_W - 2 * MARGIN, 0.3)
                write(frame, fit_lines(deck.marking.upper(), SLIDE_W - 2 * MARGIN - 0.1, SIZES["note"] + 1, 1),
                      SIZES["note"] + 1, bold=True, color="B00020", align=PP_ALIGN.CENTER)
        frame = box(slide, MARGIN, SLIDE_H - 0.7, SLIDE_W - 2 * MARGIN - 1.2, 0.3)
        write(frame, fit_lines(f"{corpus} · exported {exported_day}", SLIDE_W - 2 * MARGIN - 1.3, SIZES["note"], 1),
              SIZES["note"], color=GREY)
        frame = box(slide, SLIDE_W - MARGIN - 1.1, SLIDE_H - 0.7, 1.1, 0.3)
        write(frame, [f"{number} / {total}"], SIZES["note"], color=GREY, align=PP_ALIGN.RIGHT)
        frame.vertical_anchor = MSO_ANCHOR.TOP
    buf = io.BytesIO()
    prs.core_properties.title = _text(deck.title or f"Incident briefing: {corpus}")
    prs.core_properties.author = _text(deck.author)
    prs.core_properties.comments = _text("\n".join(provenance.lines()))
    prs.save(buf)
    return buf.getvalue()


def export(request: ExportRequest) -> bytes:
    return to_pptx(request.incidents, request.documents, request.provenance, group_by=request.group_by,
                   top=request.top, ids=request.ids, deck=request.deck)
