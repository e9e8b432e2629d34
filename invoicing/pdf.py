"""An invoice as a PDF (fpdf2: pure Python, no system libraries), for the customer portal's download
and for e-mailing invoices later. One function, :func:`invoice_pdf_render`, takes an invoice and
returns the bytes; callers decide who may see it."""

from __future__ import annotations

from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from invoicing.models import Invoice
from invoicing.selectors import invoice_detail_queryset, invoice_lines_by_job


def _latin(text: object) -> str:
    """fpdf2's built-in Helvetica covers Latin-1 (ä, ß, é …); anything beyond becomes "?" instead
    of an error, so an unusual character in a description never breaks a customer's download."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _money(value: Decimal, currency: str) -> str:
    return f"{currency} {value:,.2f}"


def invoice_pdf_render(*, invoice: Invoice, compress: bool = True) -> bytes:
    """A4, one table of lines grouped by job with their customer references, totals, due date."""
    invoice = invoice_detail_queryset().select_related("tenant").get(pk=invoice.pk)
    tenant, customer = invoice.tenant, invoice.customer
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(_latin(f"Invoice {invoice.number}"))
    pdf.set_author(_latin(tenant.name))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _latin(tenant.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, _latin(f"Tax invoice {invoice.number}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        _latin(f"Date {invoice.date:%d %b %Y}   Due {invoice.due_date:%d %b %Y}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "Bill to", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0, 5, _latin(f"{customer.name}\n{customer.billing_address}".strip()), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(4)

    with pdf.table(col_widths=(90, 20, 30, 20, 30), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")) as table:
        header = table.row()
        for title in ("Description", "Qty", "Unit price", "Tax", "Amount"):
            header.cell(title)
        for group in invoice_lines_by_job(invoice=invoice):
            if group.invoice_job is not None:
                ref = group.invoice_job.customer_reference
                row = table.row()
                row.cell(
                    _latin(f"{group.invoice_job.job_number}" + (f" - your reference {ref}" if ref else "")), colspan=5
                )
            for line in group.lines:
                row = table.row()
                row.cell(_latin(line.description))
                row.cell(f"{line.quantity.normalize():f}")
                row.cell(f"{line.unit_price:,.2f}")
                row.cell(_latin(line.tax_code or "-"))
                row.cell(f"{line.line_amount:,.2f}")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    for label, value in (("Subtotal", invoice.subtotal), ("Tax", invoice.tax_total)):
        pdf.cell(160, 6, label, align="R")
        pdf.cell(30, 6, _money(value, invoice.currency), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(160, 7, "Total", align="R")
    pdf.cell(30, 7, _money(invoice.total, invoice.currency), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if invoice.notes:
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, _latin(invoice.notes), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
