"""`pptx`: a 16:9 briefing deck (python-pptx)."""

from __future__ import annotations

import io
from datetime import date
from typing import Sequence

import pandas as pd

from events import views
from events.exports.common import (date_as_written, ExportRequest, place_text, Provenance, reports_text,
                                    _country_names, _doc_meta, _has_point, _short, _source_ids, _text)
from events.exports.figures import export_figures, render_pngs
from events.lexicon import default_lexicon


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


def to_pptx(incidents: pd.DataFrame, documents: pd.DataFrame | None = None, provenance: Provenance | None = None,
            group_by: str = views.DEFAULT_GROUP_BY, top: int = 8, ids: Sequence[str] | None = None,
            pngs: tuple[bytes, bytes] | None = None) -> bytes:
    """A 16:9 briefing deck: title (corpus, filters, export date), timeline and map pictures, one slide per key
    incident (`key_incidents`), and the sources. `pngs` = (timeline, map) skips rendering them again."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Emu, Inches, Pt

    provenance = provenance or Provenance(shown=len(incidents), total=len(incidents))
    meta = _doc_meta(documents)
    names = _country_names()
    colors = default_lexicon().colors()
    if pngs is None:
        timeline, geo = export_figures(incidents, documents, group_by=group_by, static=True)
        # shaped for the picture area of a 16:9 slide (12.5 x 5.9 in)
        sizes = [(1100, max(int(timeline.layout.height or 0), 500)), (1050, 500)]
        pngs = tuple(render_pngs([timeline, geo], sizes=sizes, scale=2))  # type: ignore[assignment]
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    width, height = prs.slide_width, prs.slide_height
    grey = RGBColor(0x55, 0x55, 0x55)

    def title_only(text: str):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = Inches(0.5), Inches(0.25), width - Inches(1.0), Inches(0.9)
        shape.text = _text(text)
        para = shape.text_frame.paragraphs[0]
        para.font.size = Pt(30)
        para.font.bold = True
        return slide

    def textbox(slide, left, top, w, h):
        box = slide.shapes.add_textbox(left, top, w, h)
        frame = box.text_frame
        frame.word_wrap = True
        return frame

    def add_para(frame, text: str, size: int = 16, bold: bool = False, italic: bool = False, color=None,
                 first: bool = False, label: str | None = None):
        para = frame.paragraphs[0] if first else frame.add_paragraph()
        para.space_after = Pt(6)
        if label:
            run = para.add_run()
            run.text = label
            run.font.bold = True
            run.font.size = Pt(size)
        run = para.add_run()
        run.text = _text(text)
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        if color is not None:
            run.font.color.rgb = color
        return para

    def picture(slide, data: bytes):
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            w_px, h_px = img.size
        box_w, box_h = width - Inches(0.8), height - Inches(1.85)
        scale = min(box_w / w_px, box_h / h_px)
        pic_w, pic_h = int(w_px * scale), int(h_px * scale)
        slide.shapes.add_picture(io.BytesIO(data), Emu(int((width - pic_w) / 2)), Inches(1.25), Emu(pic_w), Emu(pic_h))

    # 1. title
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    # the default template is 4:3: place the title slide's placeholders for the 16:9 page
    slide.shapes.title.left, slide.shapes.title.top = Inches(0.8), Inches(1.6)
    slide.shapes.title.width, slide.shapes.title.height = width - Inches(1.6), Inches(1.5)
    slide.shapes.title.text = _text(f"Incident briefing: {provenance.corpus}" if provenance.corpus else "Incident briefing")
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.8), Inches(3.4), width - Inches(1.6), Inches(2.8)
    sub = subtitle.text_frame
    exported_day = provenance.exported[:10] or date.today().isoformat()
    sub.text = _text(f"Filters: {provenance.filters}")
    for line in (f"{provenance.shown} of {provenance.total} incidents", f"Exported {exported_day} ({provenance.exported})",
                 f"Engine {provenance.engine_version or 'unknown'}"):
        para = sub.add_paragraph()
        para.text = _text(line)
    for para in sub.paragraphs:
        para.font.size = Pt(18)

    rows = incidents.to_dict("records")
    n_undated = sum(not _text(r.get("start")) for r in rows)
    n_unplaced = sum(not _has_point(r) for r in rows)
    # 2. timeline, 3. map
    for heading, data, missing, what in (("Timeline", pngs[0], n_undated, "undated"),
                                          ("Map", pngs[1], n_unplaced, "without coordinates")):
        slide = title_only(heading)
        picture(slide, data)
        note = f"{provenance.filters} · {provenance.shown} incidents"
        if missing:
            note += f" · {missing} {what} not shown"
        frame = textbox(slide, Inches(0.5), height - Inches(0.45), width - Inches(1.0), Inches(0.35))
        add_para(frame, note, size=11, color=grey, first=True)

    # 4. key incidents
    for row in key_incidents(incidents, top=top, ids=ids).to_dict("records"):
        slide = title_only(_text(row.get("title")))
        bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0.5), Inches(1.15), Inches(1.2), Inches(0.08))
        bar.fill.solid()
        bar.fill.fore_color.rgb = RGBColor.from_string(colors.get(_text(row.get("type")), "#555555").lstrip("#").upper())
        bar.line.fill.background()
        frame = textbox(slide, Inches(0.5), Inches(1.35), width - Inches(1.0), height - Inches(1.8))
        add_para(frame, _text(row.get("type_label")) or _text(row.get("type")), size=14, color=grey, first=True)
        add_para(frame, date_as_written(row), label="Date: ")
        add_para(frame, place_text(row, names) or "unknown", label="Place: ")
        add_para(frame, views.casualties_text(row.get("killed"), row.get("injured")), label="Casualties: ")
        for key, what in (("killed_reports", "killed"), ("injured_reports", "injured")):
            reports = views.parse_reports(_text(row.get(key)))
            if len(reports) > 1:
                add_para(frame, reports_text(_text(row.get(key)), meta), size=14,
                         label=f"Conflicting figures ({what}): ")
        sources = []
        for s in _source_ids(row):
            m = meta.get(s, {})
            sources.append(_short(m.get("title") or s, 80) + (f" — {m['publisher']}" if m.get("publisher") else ""))
        add_para(frame, "; ".join(sources[:6]) + (f"; and {len(sources) - 6} more" if len(sources) > 6 else ""),
                 size=14, label="Sources: ")
        evidence = _text(row.get("evidence"))
        if evidence:
            add_para(frame, f"“{_short(evidence, 600)}”", size=16, italic=True)

    # 5. sources, 12 per slide
    cited: list[str] = []
    for row in rows:
        cited.extend(s for s in _source_ids(row) if s not in cited)
    cited.sort(key=lambda d: (meta.get(d, {}).get("published", ""), d))
    pages = [cited[i:i + 12] for i in range(0, len(cited), 12)] or [[]]
    for n, page in enumerate(pages, 1):
        slide = title_only("Sources" + (f" ({n}/{len(pages)})" if len(pages) > 1 else ""))
        frame = textbox(slide, Inches(0.5), Inches(1.3), width - Inches(1.0), height - Inches(1.6))
        if not page:
            add_para(frame, "No sources.", first=True)
        for i, s in enumerate(page):
            m = meta.get(s, {})
            bits = [m.get("publisher", ""), m.get("published", ""), m.get("url", "")]
            para = add_para(frame, m.get("title") or s, size=14, bold=True, first=i == 0)
            run = para.add_run()
            run.text = _text("  " + " · ".join(b for b in bits if b) if any(bits) else "")
            run.font.size = Pt(12)
            run.font.color.rgb = grey
    buf = io.BytesIO()
    prs.core_properties.title = _text(f"Incident briefing: {provenance.corpus}")
    prs.core_properties.comments = _text("\n".join(provenance.lines()))
    prs.save(buf)
    return buf.getvalue()


def export(request: ExportRequest) -> bytes:
    return to_pptx(request.incidents, request.documents, request.provenance, group_by=request.group_by,
                   top=request.top, ids=request.ids)
