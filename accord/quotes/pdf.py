"""A quote as a PDF, made by fpdf2 (pure Python: no browser, no system library, works offline).

The layout follows the printable page (``quotes/quote_print.html``): number and title, dates and
owner, who it is for, the lines, the totals and the terms. Text is drawn with a Unicode TrueType
font so names in any Latin, Greek or Cyrillic script print as written: ``ACCORD_PDF_FONT`` (a .ttf
path; a bold face is looked for beside it as ``…-Bold.ttf``) or the first of DejaVu Sans, Liberation
Sans, Noto Sans found in the system's font directories. Without any of them the PDF falls back to
Helvetica, whose Latin-1 alphabet cannot draw every character: those print as "?", and the
document says so at its foot rather than failing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.http import HttpResponse
from django.utils import formats
from django.utils.http import content_disposition_header
from fpdf import FPDF
from fpdf.enums import TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from accord.quotes.models import Quote, QuoteLine

FONT_DIRS = ("/usr/share/fonts/truetype", "/usr/share/fonts", "/usr/local/share/fonts")
FONT_FILES = (
    ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    ("liberation/LiberationSans-Regular.ttf", "liberation/LiberationSans-Bold.ttf"),
    ("noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf"),
)
FALLBACK_NOTE = "Some characters could not be drawn with the built-in font and print as '?'."
INK = (17, 24, 39)
MUTED = (100, 116, 139)
RULE = (203, 213, 225)
HEADING_FILL = (241, 245, 249)


@dataclass(frozen=True)
class Font:
    regular: Path | None
    bold: Path | None


@functools.cache
def find_font() -> Font:
    """The TrueType font the PDF uses (see the module's docstring); ``Font(None, None)`` for Helvetica."""
    chosen = os.environ.get("ACCORD_PDF_FONT", "").strip()
    if chosen and Path(chosen).is_file():
        regular = Path(chosen)
        bold = regular.with_name(regular.stem.removesuffix("-Regular") + "-Bold" + regular.suffix)
        return Font(regular, bold if bold.is_file() else None)
    for folder in FONT_DIRS:
        for regular_name, bold_name in FONT_FILES:
            regular = Path(folder) / regular_name
            if regular.is_file():
                bold = Path(folder) / bold_name
                return Font(regular, bold if bold.is_file() else None)
    return Font(None, None)


class _QuotePDF(FPDF):
    family = "Helvetica"
    unicode = False
    lossy = False

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="R")

    def drawable(self, value: object) -> str:
        """``value`` as text the current font can draw (Latin-1 with '?' for the rest on Helvetica)."""
        text = "" if value is None else str(value)
        if self.unicode:
            return text
        drawable = text.encode("latin-1", "replace").decode("latin-1")
        self.lossy = self.lossy or drawable != text
        return drawable

    @property
    def dash(self) -> str:
        return "—" if self.unicode else "-"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def _date(value: date | None) -> str:
    return formats.date_format(value, "F j, Y") if value else ""


def _new_document(quote: Quote, font: Font) -> _QuotePDF:
    pdf = _QuotePDF(format="A4", unit="mm")
    pdf.set_title(f"Quote {quote.number}")
    pdf.set_creator("Accord")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=20)
    if font.regular is not None:
        pdf.add_font("Body", "", str(font.regular))
        pdf.add_font("Body", "B", str(font.bold or font.regular))
        pdf.family, pdf.unicode = "Body", True
    return pdf


def _header(pdf: _QuotePDF, quote: Quote) -> None:
    pdf.set_text_color(*INK)
    pdf.set_font(pdf.family, "B", 20)
    pdf.cell(0, 10, pdf.drawable(f"Quote {quote.number}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.family, size=12)
    pdf.multi_cell(0, 6, pdf.drawable(quote.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    facts = [
        ("Date", _date(quote.created_at)),
        ("Valid until", _date(quote.valid_until)),
        ("Prepared by", str(quote.owner) if quote.owner else pdf.dash),
        ("Status", quote.get_status_display()),
    ]
    for label, value in facts:
        if not value:
            continue
        pdf.set_font(pdf.family, size=9)
        pdf.set_text_color(*MUTED)
        pdf.cell(32, 5, pdf.drawable(label))
        pdf.set_text_color(*INK)
        pdf.cell(0, 5, pdf.drawable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    deal = quote.deal
    customer = [str(x) for x in (deal.company, deal.contact, deal) if x]
    pdf.ln(4)
    pdf.set_font(pdf.family, "B", 10)
    pdf.cell(0, 6, "For", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.family, size=10)
    pdf.multi_cell(0, 5, pdf.drawable("\n".join(customer)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)


def _lines(pdf: _QuotePDF, quote: Quote, lines: Sequence[QuoteLine]) -> None:
    pdf.set_font(pdf.family, size=9)
    pdf.set_draw_color(*RULE)
    headings = FontFace(emphasis="BOLD", fill_color=HEADING_FILL, color=INK)
    with pdf.table(
        col_widths=(6, 41, 9, 16, 14, 17),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=headings,
        cell_fill_mode=TableCellFillMode.NONE,
        borders_layout="HORIZONTAL_LINES",
        line_height=6,
        padding=(1.5, 1.5),
    ) as table:
        table.row(["#", "Item", "Qty", "Unit price", "Discount", "Amount"])
        if not lines:
            row = table.row()
            row.cell("No lines.", colspan=6)
        for n, line in enumerate(lines, start=1):
            item = line.description or line.product.name
            sku = line.product.sku
            discount = f"{_number(line.discount_percent)}%" if line.discount_percent else pdf.dash
            table.row(
                [
                    str(n),
                    pdf.drawable(f"{item}\n{sku}" if sku else item),
                    _number(line.quantity),
                    _money(line.unit_price),
                    discount,
                    _money(line.line_total),
                ]
            )
    pdf.ln(3)
    totals = (
        ("Subtotal", _money(quote.subtotal), ""),
        ("Discount", ("−" if pdf.unicode else "-") + _money(quote.discount_total), ""),
        (f"Total ({quote.currency})", _money(quote.total), "B"),
    )
    for label, value, style in totals:
        pdf.set_font(pdf.family, style, 11 if style else 10)
        pdf.cell(pdf.epw - 40, 7, pdf.drawable(label), align="R")
        pdf.cell(40, 7, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _terms(pdf: _QuotePDF, quote: Quote) -> None:
    if not quote.terms.strip():
        return
    pdf.ln(6)
    pdf.set_font(pdf.family, "B", 10)
    pdf.cell(0, 6, "Terms", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.family, size=9)
    pdf.multi_cell(0, 5, pdf.drawable(quote.terms), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def quote_pdf(quote: Quote, *, font: Font | None = None) -> bytes:
    """The quote as PDF bytes, in ``font`` (default: :func:`find_font`'s)."""
    lines = list(quote.lines.select_related("product"))
    pdf = _new_document(quote, font or find_font())
    pdf.add_page()
    _header(pdf, quote)
    _lines(pdf, quote, lines)
    _terms(pdf, quote)
    if pdf.lossy:
        pdf.ln(6)
        pdf.set_font(pdf.family, size=8)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 4, FALLBACK_NOTE)
    return bytes(pdf.output())


def pdf_response(quote: Quote) -> HttpResponse:
    """The download both the page and the API answer with."""
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"Quote-{quote.number}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
