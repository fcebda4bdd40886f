"""The monthly review as an XLSX workbook and as a PDF (docs/planning.md "Monthly review", docs/adr/0003).

Both are written from the same sections (`sections`): the figures, the decomposition, the SKUs, the ads, the
after-sales, the checklist and the text sections. The XLSX keeps numbers as numbers (money to the fen, rates as
fractions with a percent format); the PDF writes them as the page does.

Chinese in the PDF: fpdf2 embeds a subset of a CJK font found on the machine (Debian's fonts-noto-cjk); where none
is found, reportlab writes the text with the Adobe-GB1 CID font STSong-Light, which every PDF reader supplies itself
(nothing embedded), so the text still reads in Chinese.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.core.money import fmt_money
from zhanggui.planning import review
from zhanggui.planning.models import MonthlyReview

#: CJK fonts looked for, in order: (path, index in the collection). Index 2 of Noto Sans CJK is Simplified Chinese.
FONT_CANDIDATES: list[tuple[str, int]] = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
]
#: Set to a font file (.ttf/.otf/.ttc) to use it; set to "none" to use the built-in fallback.
FONT_ENV = "ZHANGGUI_PDF_FONT"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Section:
    """A block of the review: a heading and a table (kinds say how each column's cells are written)."""

    title: str
    headers: list[str]
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    text: str = ""  # a text section: its paragraph instead of a table

    @property
    def numeric(self) -> list[bool]:
        return [k != "text" for k in self.kinds]

    @property
    def headed(self) -> list[tuple[str, bool]]:
        return list(zip(self.headers, self.numeric, strict=True))

    @property
    def cells_aligned(self) -> list[list[tuple[str, bool]]]:
        return [list(zip(row, self.numeric, strict=True)) for row in self.cells]

    @property
    def total_aligned(self) -> list[tuple[str, bool]] | None:
        total = self.total_cells
        return None if total is None else list(zip(total, self.numeric, strict=True))

    @property
    def cells(self) -> list[list[str]]:
        return [[text_of(k, v) for k, v in zip(self.kinds, row, strict=True)] for row in self.rows]

    @property
    def total_cells(self) -> list[str] | None:
        if self.total is None:
            return None
        return [text_of(k, v) for k, v in zip(self.kinds, self.total, strict=True)]


def title(found: dict[str, Any]) -> str:
    return (
        _("Monthly review (月度运营总结及计划表)") + f" · {found['shop_name']} · {found['year']}-{found['month']:02d}"
    )


def sections(found: dict[str, Any], item: MonthlyReview) -> list[Section]:
    out: list[Section] = []
    figures = Section(
        _("Figures"),
        [
            _("Figure"),
            _("This month"),
            _("Target"),
            _("Reached"),
            _("Last month"),
            _("Change"),
            _("Same month last year"),
            _("Change"),
        ],
        ["text", "by_row", "by_row", "fraction", "by_row", "change", "by_row", "change"],
    )
    for row in found["figures"]:
        kind = review.FIGURE_KINDS[row["key"]]
        figures.rows.append(
            [
                review.label(row["key"]),
                (kind, row["now"]),
                (kind, row["target"]),
                row["reached"],
                (kind, row["previous"]),
                row["vs_previous"],
                (kind, row["last_year"]),
                row["vs_last_year"],
            ]
        )
    out.append(figures)
    parts = found["decomposition"]
    why = Section(_("Why GMV moved (against last month)"), [_("Factor"), _("Effect on GMV")], ["text", "signed"])
    if parts is not None:
        why.rows = [[str(review.FACTOR_LABELS[key]), parts[key]] for key in ("uv", "conversion", "aov")]
        why.total = [_("Change in GMV"), parts["change"]]
    why.text = "\n".join(review.sentences(found))
    out.append(why)
    sku_headers = [_("SKU code"), _("Title"), _("Units"), _("Revenue (¥)"), _("Profit (¥)"), _("Gross margin")]
    sku_kinds = ["text", "text", "int", "money", "money", "fraction"]
    for key, heading in (("top_skus", _("Top SKUs by revenue")), ("bottom_skus", _("Bottom SKUs by profit"))):
        out.append(
            Section(
                heading,
                sku_headers,
                sku_kinds,
                [[r["code"], r["title"], r["units"], r["revenue"], r["profit"], r["margin"]] for r in found[key]],
            )
        )
    ads = Section(
        _("Ads by tool"),
        [_("Ad tool"), _("Ad spend"), _("Attributed GMV (¥)"), _("ROI")],
        ["text", *["money"] * 2, "number"],
    )
    ads.rows = [[review.ad_label(r["channel"]), r["spend"], r["gmv"], r["roi"]] for r in found["ads"]]
    if found["ads_total"]:
        t = found["ads_total"]
        ads.total = [_("Total"), t["spend"], t["gmv"], t["roi"]]
    out.append(ads)
    after = found["aftersales"]
    refunds = Section(
        _("After-sales"),
        [_("Reason"), _("Successful refunds"), _("Refunded (¥)"), _("Refund rate (%)")],
        ["text", "int", "money", "percent"],
    )
    refunds.rows = [
        [review.reason_label(r["reason"]), r["refunds"], r["refunded"], r["rate"]] for r in after["reasons"]
    ]
    refunds.total = [_("Total"), after["refunds"], after["refunded_by_reason"], after["refund_rate"]]
    refunds.text = _("Money refunded in the month: %(money)s; sub-orders paid: %(paid)s.") % {
        "money": review.cell("money", after["refunded"]),
        "paid": after["sub_orders"],
    }
    out.append(refunds)
    done = found["checklist"]
    check = Section(
        _("Daily checklist"),
        [_("Items due"), _("Done"), _("Problems"), _("Days opened"), _("Completion")],
        ["int", "int", "int", "int", "fraction"],
    )
    if done is not None:
        check.rows = [[done["due"], done["done"], done["problems"], done["days"], done["rate"]]]
    else:
        check.text = _("No checklist was opened this month.")
    out.append(check)
    for key in review.TEXTS:
        out.append(Section(str(review.TEXT_LABELS[key]), [], [], text=getattr(item, key) or "—"))
    return out


def _kind_value(kind: str, value: Any) -> tuple[str, Any]:
    if kind == "by_row":
        return value
    return kind, value


def text_of(kind: str, value: Any) -> str:
    kind, value = _kind_value(kind, value)
    if kind == "text":
        return "" if value is None else str(value)
    if kind == "change":
        return review.change_text(value)
    if kind == "signed":
        return "—" if value is None else fmt_money(Decimal(value), signed=True)
    if kind == "percent":
        return "—" if value is None else f"{Decimal(value):.2f}%"
    return review.cell(kind, value)


# --------------------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------------------

FORMATS = {
    "money": "#,##0.00",
    "signed": "+#,##0.00;-#,##0.00;0.00",
    "fraction": "0.00%",
    "change": "+0.0%;-0.0%;0.0%",
    "number": "0.00",
    "int": "#,##0",
}


def xlsx(found: dict[str, Any], item: MonthlyReview) -> bytes:
    """One sheet, section under section: a bold heading, the column headers, the rows, the total in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "review"
    bold = Font(bold=True)
    sheet.append([title(found)])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=14)
    status = (
        _("Closed %(when)s") % {"when": timezone.localdate(item.closed_at).isoformat()}
        if item.closed_at
        else _("Not closed yet")
    )
    sheet.append([f"{found['first']} – {found['last']}", status])
    for section in sections(found, item):
        sheet.append([])
        sheet.append([section.title])
        sheet.cell(sheet.max_row, 1).font = bold
        if section.headers:
            sheet.append(section.headers)
            for n in range(1, len(section.headers) + 1):
                sheet.cell(sheet.max_row, n).font = bold
            for row in section.rows:
                _append(sheet, section.kinds, row)
            if section.total is not None:
                _append(sheet, section.kinds, section.total)
                for n in range(1, len(section.total) + 1):
                    sheet.cell(sheet.max_row, n).font = bold
        if section.text:
            sheet.append([section.text])
            sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 28
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append(sheet: Any, kinds: list[str], row: list[Any]) -> None:
    values: list[Any] = []
    formats: list[str | None] = []
    for kind, value in zip(kinds, row, strict=True):
        kind, value = _kind_value(kind, value)
        if kind == "percent" and value is not None:  # the after-sales rate is in percent: keep it as a fraction
            kind, value = "fraction", Decimal(value) / 100
        if kind in FORMATS and value is not None and value != "":
            values.append(int(value) if kind == "int" else Decimal(value))
        else:
            values.append("" if value is None else value)
        formats.append(FORMATS.get(kind))
    sheet.append(values)
    for n, number_format in enumerate(formats, start=1):
        if number_format:
            sheet.cell(sheet.max_row, n).number_format = number_format


# --------------------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------------------


def cjk_font() -> tuple[str, int] | None:
    """The CJK font to embed: the one named by ZHANGGUI_PDF_FONT, else the first candidate found; None: none."""
    named = os.environ.get(FONT_ENV, "")
    if named.lower() == "none":
        return None
    if named:
        return (named, 0) if os.path.exists(named) else None
    return next(((path, index) for path, index in FONT_CANDIDATES if os.path.exists(path)), None)


def pdf(found: dict[str, Any], item: MonthlyReview, *, font: tuple[str, int] | str | None = "auto") -> bytes:
    """The review as a PDF, A4 portrait; `font` None forces the built-in fallback (tests)."""
    chosen = cjk_font() if font == "auto" else font
    blocks = sections(found, item)
    subtitle = f"{found['first']} – {found['last']} · " + (
        _("Closed %(when)s") % {"when": timezone.localdate(item.closed_at).isoformat()}
        if item.closed_at
        else _("Not closed yet")
    )
    if chosen is not None and not isinstance(chosen, str):
        return _fpdf(title(found), subtitle, blocks, chosen)
    return _reportlab(title(found), subtitle, blocks)


def _rows_text(section: Section) -> list[list[str]]:
    total = section.total_cells
    return [*section.cells, *([total] if total is not None else [])]


def _fpdf(heading: str, subtitle: str, blocks: list[Section], font: tuple[str, int]) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    path, index = font
    doc = FPDF(orientation="P", unit="mm", format="A4")
    doc.set_margins(12, 12, 12)
    doc.set_auto_page_break(auto=True, margin=12)
    doc.add_font("cjk", fname=path, collection_font_number=index)  # the index is 0 for a plain .ttf/.otf
    doc.add_page()
    doc.set_font("cjk", size=15)
    doc.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=9)
    doc.multi_cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
    head_style = FontFace(fill_color=(226, 232, 240))
    for section in blocks:
        doc.ln(3)
        doc.set_font("cjk", size=11)
        doc.multi_cell(0, 6, section.title, new_x="LMARGIN", new_y="NEXT")
        doc.set_font("cjk", size=8)
        if section.headers and (section.rows or section.total is not None):
            aligns = ["LEFT" if k == "text" else "RIGHT" for k in section.kinds]
            widths = [3 if n == 0 or section.kinds[n] == "text" else 2 for n in range(len(section.kinds))]
            with doc.table(
                col_widths=widths, text_align=aligns, headings_style=head_style, line_height=5, padding=1
            ) as table:
                table.row(section.headers)
                for cells in _rows_text(section):
                    table.row(cells)
        if section.text:
            doc.set_font("cjk", size=9)
            doc.multi_cell(0, 5, section.text, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def _reportlab(heading: str, subtitle: str, blocks: list[Section]) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    name = "STSong-Light"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    base = ParagraphStyle("base", fontName=name, fontSize=9, leading=12, wordWrap="CJK")
    big = ParagraphStyle("big", parent=base, fontSize=15, leading=20)
    h2 = ParagraphStyle("h2", parent=base, fontSize=11, leading=15, spaceBefore=6)
    cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
    right = ParagraphStyle("right", parent=cell, alignment=2)

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    story: list[Any] = [para(heading, big), para(subtitle, base), Spacer(1, 3 * mm)]
    width = A4[0] - 24 * mm
    for section in blocks:
        story.append(para(section.title, h2))
        if section.headers and (section.rows or section.total is not None):
            styles = [cell if k == "text" else right for k in section.kinds]
            data = [[para(h, s) for h, s in zip(section.headers, styles, strict=True)]]
            data += [[para(c, s) for c, s in zip(row, styles, strict=True)] for row in _rows_text(section)]
            weights = [3 if n == 0 or k == "text" else 2 for n, k in enumerate(section.kinds)]
            table = Table(data, colWidths=[width * w / sum(weights) for w in weights], repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e2e8f0")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
        if section.text:
            story.append(para(section.text, base))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm).build(story)
    return out.getvalue()


def filename(found: dict[str, Any], ext: str) -> str:
    return f"review-{found['shop']}-{found['year']}-{found['month']:02d}.{ext}"


def generated_on(found: dict[str, Any]) -> date:
    return date.fromisoformat(found["generated_at"][:10])
